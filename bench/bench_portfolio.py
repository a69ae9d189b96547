"""Time `mlportfolio portfolio` on a portfolio of many projects (target: 50 projects under 2 s).

Usage:
    python bench/bench_portfolio.py [--source DIR] [--projects 50] [--repeat 5]

The projects are copies of real evaluated ones, each with its own name, a GitHub remote and its
metrics perturbed (so no two cards are alike). --source is a folder of evaluated projects
(e.g. made with `mlportfolio new TYPE` + `python -m PKG train` + `evaluate`); without it, one
project of every type is generated and evaluated here first (in a venv under a temporary folder,
a minute or two). Prints the median of --repeat runs of: collecting the projects, building the
site into an empty folder, rebuilding it unchanged, and the whole command as a fresh process
(`python -m mlportfolio portfolio`), against the 2 s target.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from mlportfolio.catalog import load_catalog
from mlportfolio.create import NewProject, create_project
from mlportfolio.portfolio import collect_projects
from mlportfolio.site import build_site

TARGET_S = 2.0
SKIP = shutil.ignore_patterns(".venv", "raw", "__pycache__", "*.egg-info", ".git")


def evaluated_projects(work: Path) -> list[Path]:
    """One project of every type, generated, trained and evaluated on its sample."""
    from uv import find_uv_bin

    uv = find_uv_bin()
    venv = work / ".venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    made = []
    for project_type in sorted(load_catalog()):
        path = work / project_type
        create_project(NewProject(project_type, path, defaults=True, git=False))
        made.append(path)
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv), *(f"-e{p}" for p in made)], check=True
    )
    for path in made:
        package = yaml.safe_load((path / ".copier-answers.yml").read_text())["package_name"]
        for step in ("train", "evaluate"):
            subprocess.run(
                [str(venv / "bin" / "python"), "-m", package, step],
                cwd=path,
                check=True,
                capture_output=True,
            )
    return made


def make_portfolio(sources: list[Path], target: Path, count: int) -> None:
    """``count`` copies of the source projects, renamed, published and with perturbed metrics."""
    rng = random.Random(0)
    for index in range(count):
        source = sources[index % len(sources)]
        copy = target / f"project-{index:03d}"
        shutil.copytree(source, copy, ignore=SKIP)
        answers_file = copy / ".copier-answers.yml"
        answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
        answers["project_name"] = f"{answers['project_name']} {index}"
        answers["project_slug"] = copy.name
        answers_file.write_text(yaml.safe_dump(answers), encoding="utf-8")
        envelope_file = copy / "eval" / "metrics.json"
        envelope = json.loads(envelope_file.read_text(encoding="utf-8"))
        for model in envelope["models"].values():
            for part in model["metrics"].values():
                for name in part:
                    part[name] *= rng.uniform(0.9, 1.1)
        envelope_file.write_text(json.dumps(envelope, indent=2), encoding="utf-8")
        (copy / ".git").mkdir()
        (copy / ".git" / "config").write_text(
            f'[remote "origin"]\n\turl = git@github.com:ada/{copy.name}.git\n', encoding="utf-8"
        )


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="folder of evaluated projects to copy")
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.source:
            sources = [p.path for p in collect_projects([args.source]).projects if p.evaluation]
        else:
            sources = evaluated_projects(work / "sources")
        if not sources:
            raise SystemExit(f"no evaluated projects in {args.source}")
        portfolio = work / "portfolio"
        make_portfolio(sources, portfolio, args.projects)
        figures = sum(len(p.figures) for p in collect_projects([portfolio]).projects)
        print(f"{args.projects} projects (copies of {len(sources)}), {figures} figures")

        collect = median_time(lambda: collect_projects([portfolio]), args.repeat)
        projects = collect_projects([portfolio]).projects
        counter = iter(range(10**6))
        cold = median_time(
            lambda: build_site(projects, work / f"cold-{next(counter)}"), args.repeat
        )
        warm_dir = work / "warm"
        build_site(projects, warm_dir)
        warm = median_time(lambda: build_site(projects, warm_dir), args.repeat)
        command = [sys.executable, "-m", "mlportfolio", "portfolio", str(portfolio), "-o"]
        whole = median_time(
            lambda: subprocess.run(
                [*command, str(work / f"cli-{next(counter)}")], check=True, capture_output=True
            ),
            args.repeat,
        )
        for label, seconds in (
            ("collect the projects", collect),
            ("build the site (empty folder)", cold),
            ("rebuild the site (unchanged)", warm),
            ("`mlportfolio portfolio` as a process", whole),
        ):
            print(f"{label:40s} {seconds:6.3f} s  ({seconds / TARGET_S:.2f} x the 2 s target)")


if __name__ == "__main__":
    main()
