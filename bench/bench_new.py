"""Time mlportfolio's commands against raw Copier and cookiecutter-data-science; print ratios.

Usage:
    python bench/bench_new.py --ccds-template PATH [--copier-uv PATH] [--repeat 5]
        [--type recommender]

--ccds-template is a local clone of drivendataorg/cookiecutter-data-science at v2.3.0, and
--copier-uv a local clone of pawamoy/copier-uv (a 59-file non-ML Copier template); neither is
part of this repository. The script makes its own venv under bench/_work with mlportfolio
installed from this checkout as a wheel (as users get it), copier, copier-template-extensions
and cookiecutter-data-science 2.3.0 from PyPI, so every tool runs the same way: a fresh process
per run, median of --repeat runs. It prints how many paths a project has, `new` against a raw
`copier copy` and `ccds --no-input`, and, per project type, generate -> install (uv, warm cache)
-> tests green against copier-uv's own flow (copier copy -> uv sync -> pytest).
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
            "copier-template-extensions",
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
    parser.add_argument("--type", default="recommender", help="the type `new` is timed with")
    parser.add_argument("--copier-uv", type=Path, help="a clone of pawamoy/copier-uv")
    parser.add_argument(
        "--types", nargs="*", help="types for the generate->test flow (default: all)"
    )
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

    sample = Path(tempfile.mkdtemp(dir=WORK)) / "project"
    sh([mlp, "new", args.type, str(sample), "--defaults", "--quiet", "--no-git"])
    paths = sum(1 for _ in sample.rglob("*"))
    print(
        f"  {args.type} project: {paths} paths ({sum(1 for p in sample.rglob('*') if p.is_file())} files)"
    )
    shutil.rmtree(sample.parent)

    print("generate -> install (uv, warm cache) -> tests green, seconds")
    uv = str(BIN / "uv")
    reference = None
    if args.copier_uv:
        reference = copier_uv_flow(args.copier_uv.resolve(), uv)
        print(f"  copier-uv (reference)  {reference:6.2f}")
    for project_type in args.types or ["recommender", "sentiment", "image"]:
        seconds = mlportfolio_flow(mlp, project_type, uv)
        ratio = f"  ratio {seconds / reference:4.2f}  (target <= 1.00)" if reference else ""
        print(f"  {project_type:<22} {seconds:6.2f}{ratio}")


def mlportfolio_flow(mlp: str, project_type: str, uv: str) -> float:
    """Generate a project, install it with uv into a new venv, run its tests; the wall time."""
    out = Path(tempfile.mkdtemp(dir=WORK))
    project = out / "project"
    sh([uv, "venv", "--quiet", "--python", str(BIN / "python"), str(out / "warm")])  # warm-up
    start = time.perf_counter()
    sh([mlp, "new", project_type, str(project), "--defaults", "--quiet"])
    sh([uv, "venv", "--quiet", "--python", str(BIN / "python"), ".venv"], cwd=project)
    sh([uv, "pip", "install", "--quiet", "--python", ".venv", "-e", ".[dev]"], cwd=project)
    sh(
        [str(project / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
    )
    seconds = time.perf_counter() - start
    shutil.rmtree(out)
    return seconds


def copier_uv_flow(template: Path, uv: str) -> float:
    """copier-uv's own path: copy with its defaults, `uv sync`, then its tests; the wall time."""
    out = Path(tempfile.mkdtemp(dir=WORK))
    project = out / "project"
    data = {
        "project_name": "Bench Project",
        "project_description": "A project to time.",
        "author_fullname": "Bench",
        "author_email": "bench@example.org",
        "author_username": "bench",
        "repository_namespace": "bench",
    }
    flags = [f"--data={key}={value}" for key, value in data.items()]
    start = time.perf_counter()
    sh(
        [
            str(BIN / "copier"),
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            "--vcs-ref=HEAD",
            *flags,
            str(template),
            str(project),
        ]
    )
    sh(["git", "init", "--quiet"], cwd=project)
    sh([uv, "sync", "--quiet", "--python", str(BIN / "python")], cwd=project)
    sh(
        [
            uv,
            "run",
            "--no-sync",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-n0",
        ],
        cwd=project,
    )
    seconds = time.perf_counter() - start
    shutil.rmtree(out)
    return seconds


if __name__ == "__main__":
    main()
