"""Time mlportfolio's commands against raw Copier and cookiecutter-data-science; print ratios.

Usage:
    python bench/bench_new.py --ccds-template PATH [--copier-uv PATH] [--repeat 5]
        [--type recommender] [--types recommender sentiment] [--flow-repeat 1]
        [--flow-only | --new-only] [--source PATH] [--work DIR]

--ccds-template is a local clone of drivendataorg/cookiecutter-data-science at v2.3.0, and
--copier-uv a local clone of pawamoy/copier-uv (a 59-file non-ML Copier template); neither is
part of this repository. The script makes its own venv under bench/_work with mlportfolio
installed from this checkout as a wheel (as users get it), copier, copier-template-extensions
and cookiecutter-data-science 2.3.0 from PyPI, so every tool runs the same way: a fresh process
per run, the commands taking turns, median of --repeat rounds. It prints how many paths a
project has, `new` against a raw `copier copy` and `ccds --no-input`, and, per project type,
generate -> install (uv, warm cache) -> tests green against copier-uv's own flow (copier copy ->
uv sync -> pytest), each stage timed. copier-uv's flow runs right before each type's, so a
ratio compares two runs under the same load; the flows run without PYTHONDONTWRITEBYTECODE, as
in a user's shell. --flow-only skips the `new` timings, --new-only the flows; --source installs
mlportfolio from another checkout (an older commit, for a before/after run) and --work keeps
that run's venv apart.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlportfolio.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"
VENV = WORK / "venv"
BIN = VENV / "bin"
Seconds = tuple[float, float]  # wall, CPU


def sh(cmd: list[str], cwd: Path | None = None) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def setup_venv(source: Path) -> None:
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
            str(source),
            "cookiecutter-data-science==2.3.0",
            "copier-template-extensions",
        ]
    )


def cpu_seconds() -> float:
    """User + system time of this script's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(cmd: list[str]) -> Seconds:
    """Wall and CPU time (user + system, the command and its children) of one run of ``cmd``.

    ``{out}`` is a new empty directory, ``{target}`` a path in it.
    """
    out = Path(tempfile.mkdtemp(dir=WORK))
    target = out / "project"
    args = [a.replace("{out}", str(out)).replace("{target}", str(target)) for a in cmd]
    before, start = cpu_seconds(), time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=out)
    wall, cpu = time.perf_counter() - start, cpu_seconds() - before
    shutil.rmtree(out)
    return wall, cpu


def timed(commands: dict[str, list[str]], repeat: int) -> dict[str, Seconds]:
    """Median wall and CPU time of each command, run in turns (one of each per round).

    Run in turns, not each command ``repeat`` times in a row, because this machine's speed
    drifts by 2-3x over minutes: in a row, a ratio compares two different machines. On a shared
    machine the CPU time moves far less with the load than the wall time: both are printed.
    """
    runs: dict[str, list[Seconds]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(run_once(cmd))
    return {name: median(times) for name, times in runs.items()}


def median(times: list[Seconds]) -> Seconds:
    """The median wall time and the median CPU time of ``times`` (each taken on its own)."""
    return statistics.median(wall for wall, _ in times), statistics.median(cpu for _, cpu in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ccds-template", type=Path, help="needed unless --flow-only")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--type", default="recommender", help="the type `new` is timed with")
    parser.add_argument("--copier-uv", type=Path, help="a clone of pawamoy/copier-uv")
    parser.add_argument(
        "--types", nargs="*", help="types for the generate->test flow (default: all)"
    )
    parser.add_argument("--flow-repeat", type=int, default=1, help="runs of each flow (median)")
    parser.add_argument("--flow-only", action="store_true", help="skip the `new` timings")
    parser.add_argument("--new-only", action="store_true", help="skip the flows")
    parser.add_argument("--source", type=Path, default=ROOT, help="the mlportfolio to install")
    parser.add_argument("--work", type=Path, help=f"working folder (default {WORK})")
    args = parser.parse_args()
    if not (args.flow_only or args.ccds_template):
        parser.error("--ccds-template is needed to time `new` (or pass --flow-only)")
    if args.work:
        set_work(args.work.resolve())
    WORK.mkdir(parents=True, exist_ok=True)
    setup_venv(args.source.resolve())
    if not args.flow_only:
        time_new(args)
    if not args.new_only:
        if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
            # A user's shell does not set it: there the first test process writes the bytecode
            # of pandas, scikit-learn & co. and every later one reads it; with it set, each
            # process compiles them from source again (measured: 6 s of the recommender's tests).
            print("PYTHONDONTWRITEBYTECODE is set here: unset for the flows, as in a user's shell")
        time_flows(args)


def set_work(work: Path) -> None:
    """Keep the venv and the projects under ``work`` (two checkouts benched side by side)."""
    global WORK, VENV, BIN
    WORK, VENV = work, work / "venv"
    BIN = VENV / "bin"


def time_new(args: argparse.Namespace) -> None:
    """`new` against a raw `copier copy` of the same template and `ccds --no-input`."""
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
    new = [mlp, "new", args.type, "{target}", "--defaults", "--quiet"]
    commands = {
        "mlportfolio --help": [mlp, "--help"],
        "mlportfolio list": [mlp, "list"],
        "mlportfolio new (with git)": new,
        "mlportfolio new --no-git": [*new, "--no-git"],
        "copier copy (same template)": [
            str(BIN / "copier"),
            "copy",
            "--defaults",
            "--quiet",
            "--data",
            f"project_type={args.type}",
            template,
            "{target}",
        ],
        "ccds --no-input": [
            str(BIN / "ccds"),
            str(args.ccds_template.resolve()),
            "--no-input",
            "-o",
            "{out}",
        ],
    }
    results = timed(commands, args.repeat)
    width = max(map(len, results))
    print(
        f"median of {args.repeat} rounds (one run of each command per round), seconds: wall (CPU)"
    )
    for name, (wall, cpu) in results.items():
        print(f"  {name:<{width}}  {wall:6.3f} ({cpu:5.3f})")

    def ratio(name: str, reference: str) -> str:
        (wall, cpu), (ref_wall, ref_cpu) = results[name], results[reference]
        return f"{wall / ref_wall:5.2f} ({cpu / ref_cpu:4.2f})"

    print("ratios: wall (CPU)")
    print(
        f"  new --no-git / copier copy    {ratio('mlportfolio new --no-git', 'copier copy (same template)')}  (target <= 1.10)"
    )
    print(
        f"  new (with git) / copier copy  {ratio('mlportfolio new (with git)', 'copier copy (same template)')}"
    )
    print(
        f"  new (with git) / ccds         {ratio('mlportfolio new (with git)', 'ccds --no-input')}  (target <= 1.00)"
    )
    help_wall = results["mlportfolio --help"][0]
    print(f"  --help / 0.15 s budget        {help_wall / 0.15:5.2f}         (target <= 1.00)")

    sample = Path(tempfile.mkdtemp(dir=WORK)) / "project"
    sh([mlp, "new", args.type, str(sample), "--defaults", "--quiet", "--no-git"])
    paths = sum(1 for _ in sample.rglob("*"))
    print(
        f"  {args.type} project: {paths} paths ({sum(1 for p in sample.rglob('*') if p.is_file())} files)"
    )
    shutil.rmtree(sample.parent)


def time_flows(args: argparse.Namespace) -> None:
    """generate -> install -> tests of each type, beside copier-uv's flow run just before it."""
    mlp, uv = str(BIN / "mlportfolio"), str(BIN / "uv")
    repeat = max(1, args.flow_repeat)
    print(
        f"generate -> install (uv, warm cache) -> tests green, median of {repeat}, "
        "seconds: wall (CPU)"
    )
    print(f"  {'':<12} {'stage':<9} {'flow':>16} {'copier-uv':>16}  ratio wall (CPU)")
    for project_type in args.types or list(load_catalog()):
        ours, reference = [], []
        for _ in range(repeat):
            if args.copier_uv:
                reference.append(copier_uv_flow(args.copier_uv.resolve(), uv))
            ours.append(mlportfolio_flow(mlp, project_type, uv))
        rows = median_stages(ours)
        refs = median_stages(reference) if reference else None
        for stage, (wall, cpu) in rows.items():
            line = f"  {project_type:<12} {stage:<9} {wall:7.2f} ({cpu:6.2f})"
            if refs:
                ref_wall, ref_cpu = refs[stage]
                line += f" {ref_wall:7.2f} ({ref_cpu:6.2f})"
                if stage == "total":
                    line += f"  {wall / ref_wall:4.2f} ({cpu / ref_cpu:4.2f})  (target <= 1.00)"
            print(line, flush=True)


def median_stages(runs: list[dict[str, Seconds]]) -> dict[str, Seconds]:
    """Per stage, the median wall and the median CPU time over ``runs``."""
    return {stage: median([run[stage] for run in runs]) for stage in runs[0]}


class Stopwatch:
    """Wall and CPU time (this script's finished children) of consecutive stages."""

    def __init__(self) -> None:
        self.stages: dict[str, Seconds] = {}
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def lap(self, stage: str) -> None:
        wall, cpu = time.perf_counter(), cpu_seconds()
        self.stages[stage] = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu

    def result(self) -> dict[str, Seconds]:
        walls, cpus = zip(*self.stages.values(), strict=True)
        return {**self.stages, "total": (sum(walls), sum(cpus))}


def mlportfolio_flow(mlp: str, project_type: str, uv: str) -> dict[str, Seconds]:
    """Generate a project, install it with uv into a new venv, run its tests; time each stage."""
    out = Path(tempfile.mkdtemp(dir=WORK))
    project = out / "project"
    sh([uv, "venv", "--quiet", "--python", str(BIN / "python"), str(out / "warm")])  # warm-up
    watch = Stopwatch()
    sh([mlp, "new", project_type, str(project), "--defaults", "--quiet"])
    watch.lap("generate")
    sh([uv, "venv", "--quiet", "--python", str(BIN / "python"), ".venv"], cwd=project)
    sh([uv, "pip", "install", "--quiet", "--python", ".venv", "-e", ".[dev]"], cwd=project)
    watch.lap("install")
    sh(
        [str(project / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
    )
    watch.lap("tests")
    shutil.rmtree(out)
    return watch.result()


def copier_uv_flow(template: Path, uv: str) -> dict[str, Seconds]:
    """copier-uv's own path: copy with its defaults, `uv sync`, then its tests; time each stage."""
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
    watch = Stopwatch()
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
    watch.lap("generate")
    sh([uv, "sync", "--quiet", "--python", str(BIN / "python")], cwd=project)
    watch.lap("install")
    sh(
        [
            uv,
            "run",
            "--no-sync",
            "pytest",
            "-c",  # its own config, as its `make test` gives it: never a parent folder's
            "config/pytest.ini",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-n0",
        ],
        cwd=project,
    )
    watch.lap("tests")
    shutil.rmtree(out)
    return watch.result()


if __name__ == "__main__":
    main()
