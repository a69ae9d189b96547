"""README's Quickstart, as a newcomer runs it: its lines verbatim, in order, in a fresh clone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import fresh_clone

ROOT = Path(__file__).resolve().parents[1]
# conftest gives each test an empty HOME; pip's download cache is the one thing worth keeping
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")


def quickstart_lines() -> list[str]:
    """The commands of README's Quickstart block, without their trailing comments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quickstart\n.*?```bash\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md has no ```bash block under ## Quickstart"
    return [line.split("  #", 1)[0].strip() for line in block[1].splitlines() if line.strip()]


def test_ci_runs_the_quickstart_lines_verbatim_and_in_order() -> None:
    lines = quickstart_lines()
    assert len(lines) == 2
    ci = [line.split("  #", 1)[0].strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert [line for line in ci if line in lines] == lines


@pytest.mark.e2e
@pytest.mark.skipif(sys.platform == "win32", reason="the Quickstart is a POSIX shell session")
def test_readme_quickstart_passes_in_order_in_a_fresh_clone_and_venv(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path / "clone")
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {
        "PATH": f"{tmp_path / 'venv' / 'bin'}{os.pathsep}{env['PATH']}",
        "VIRTUAL_ENV": str(tmp_path / "venv"),
        "PIP_CACHE_DIR": PIP_CACHE,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # the inner run skips the slow tier, this test among it (it would run itself forever)
        "PYTEST_ADDOPTS": '-m "not e2e" -p no:cacheprovider',
    }
    line1, line2 = quickstart_lines()
    outputs = []
    for line in (line1, line2):
        result = subprocess.run(
            ["bash", "-c", line],
            check=False,
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        outputs.append(result.stdout + result.stderr)
        assert result.returncode == 0, f"{line}\n{outputs[-1][-4000:]}"
    assert "Created Movie Recommender in movie-recommender" in outputs[0]
    assert (clone / "movie-recommender" / ".git").is_dir()
    summary = outputs[1].strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "failed" not in summary and "error" not in summary
    # the editable install now reads the template from a clone holding a generated project
    again = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "mlportfolio"), "new", "sentiment", "--defaults", "-q"],
        check=False,
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert (clone / "movie-review-sentiment" / "README.md").is_file()
