"""Smoke test: train, tune, evaluate and predict on the sample in a copy of the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from {{ package_name }}.config import PROJECT_ROOT

SCRIPT = """
from {{ package_name }} import evaluate, predict, train, tune
train.main([])
evaluate.main([])
tune.main([])
assert predict.main(["--user", "1", "-k", "5"]) == 0
raise SystemExit(predict.main(["--user", "999"]))
"""


def run(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROJECT_ROOT": str(root), "DATA": "sample", "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pipeline_on_the_sample(tmp_path: Path) -> None:
    for folder in ("configs", "data/sample"):
        shutil.copytree(
            PROJECT_ROOT / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns("best_params.yaml"),
        )
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)

    done = run(tmp_path, SCRIPT)
    assert done.returncode == 2, done.stderr  # the last step asks for an unknown user
    error = done.stderr.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error: user 999 has no ratings in the sample")
    assert "Top 5 for user 1" in done.stdout
    assert (tmp_path / "configs" / "best_params.yaml").is_file()
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text(encoding="utf-8"))
    assert "fixture" in metrics["data"]
    ranking = metrics["splits"]["time"]["ranking"]
    assert set(ranking) == {"popularity", "bias", "mf", "ease"}
    assert metrics["splits"]["random"]["rating"]["mf"]["test"]["rmse"] > 0
    assert (tmp_path / "eval" / "figures" / "ndcg_at_k.png").stat().st_size > 0
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "sample fixture" in readme and "| EASE |" in readme
    assert "fixture" in (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8")
