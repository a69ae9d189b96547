"""Time mlportfolio's commands against raw Copier and cookiecutter-data-science; print ratios.

Usage:
    python bench/bench_new.py --ccds-template PATH [--repeat 5] [--type recommender]

PATH is a local clone of drivendataorg/cookiecutter-data-science at v2.3.0 (not part of this
repository). The script makes its own venv under bench/_work with mlportfolio installed from this
checkout as a wheel (as users get it), copier, and cookiecutter-data-science 2.3.0 from PyPI, so
every tool runs the same way: a fresh process per run, median of --repeat runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"
VENV = WORK / "venv"
BIN = VENV / "bin"


def sh(cmd: list[str], cwd: Path | None = None) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def setup_venv() -> None:
    if not (BIN / "python").exists():
        sh([sys.executable, "-m", "venv", str(VENV)])
    sh([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "uv"])
    uv = str(BIN / "uv")
    sh(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",  # as pip does: no tool pays for compiling its imports
            "--python",
            str(BIN / "python"),
            "--reinstall-package",
            "mlportfolio",
            str(ROOT),
            "cookiecutter-data-science==2.3.0",
        ]
    )


def timed(cmd: list[str], repeat: int, fresh_dir: bool = False) -> float:
    """Median wall time of ``cmd``; with ``fresh_dir``, ``{out}`` is a new empty directory each run."""
    times = []
    for _ in range(repeat):
        out = Path(tempfile.mkdtemp(dir=WORK))
        target = out / "project"
        args = [a.replace("{out}", str(out)).replace("{target}", str(target)) for a in cmd]
        start = time.perf_counter()
        subprocess.run(
            args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=out
        )
        times.append(time.perf_counter() - start)
        shutil.rmtree(out)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ccds-template", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--type", default="recommender")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    setup_venv()
    template = subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            "from mlportfolio.templates import template_root as t; print(t())",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    mlp = str(BIN / "mlportfolio")
    results = {
        "mlportfolio --help": timed([mlp, "--help"], args.repeat),
        "mlportfolio list": timed([mlp, "list"], args.repeat),
        "mlportfolio new (with git)": timed(
            [mlp, "new", args.type, "{target}", "--defaults", "--quiet"], args.repeat
        ),
        "mlportfolio new --no-git": timed(
            [mlp, "new", args.type, "{target}", "--defaults", "--quiet", "--no-git"], args.repeat
        ),
        "copier copy (same template)": timed(
            [
                str(BIN / "copier"),
                "copy",
                "--defaults",
                "--quiet",
                "--data",
                f"project_type={args.type}",
                template,
                "{target}",
            ],
            args.repeat,
        ),
        "ccds --no-input": timed(
            [str(BIN / "ccds"), str(args.ccds_template.resolve()), "--no-input", "-o", "{out}"],
            args.repeat,
        ),
    }
    width = max(map(len, results))
    print(f"median of {args.repeat} runs, seconds")
    for name, seconds in results.items():
        print(f"  {name:<{width}}  {seconds:6.3f}")
    copier_s, ccds_s = results["copier copy (same template)"], results["ccds --no-input"]
    print("ratios")
    print(
        f"  new --no-git / copier copy   {results['mlportfolio new --no-git'] / copier_s:5.2f}  (target <= 1.10)"
    )
    print(f"  new (with git) / copier copy {results['mlportfolio new (with git)'] / copier_s:5.2f}")
    print(
        f"  new (with git) / ccds        {results['mlportfolio new (with git)'] / ccds_s:5.2f}  (target <= 1.00)"
    )
    print(
        f"  --help / 0.15 s budget       {results['mlportfolio --help'] / 0.15:5.2f}  (target <= 1.00)"
    )

    # generate -> install (uv, warm cache) -> the project's own tests
    out = Path(tempfile.mkdtemp(dir=WORK))
    project = out / "project"
    uv = str(BIN / "uv")
    sh([uv, "venv", "--quiet", "--python", str(BIN / "python"), str(out / "venv")])  # warm-up
    start = time.perf_counter()
    sh([mlp, "new", args.type, str(project), "--defaults", "--quiet"])
    generated = time.perf_counter()
    sh([uv, "venv", "--quiet", "--python", str(BIN / "python"), ".venv"], cwd=project)
    sh([uv, "pip", "install", "--quiet", "--python", ".venv", "-e", ".[dev]"], cwd=project)
    installed = time.perf_counter()
    sh([str(project / ".venv" / "bin" / "python"), "-m", "pytest", "-q"], cwd=project)
    done = time.perf_counter()
    shutil.rmtree(out)
    print("generate -> install (uv, warm cache) -> tests green")
    print(
        f"  generate {generated - start:5.2f} s, install {installed - generated:5.2f} s, "
        f"tests {done - installed:5.2f} s, total {done - start:5.2f} s  (target <= 20 s; "
        f"ratio {(done - start) / 20:4.2f})"
    )


if __name__ == "__main__":
    main()
