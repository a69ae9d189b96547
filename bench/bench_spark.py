"""Wall time, CPU and peak memory of a recommender's local and Spark engines on growing data.

Usage:
    python bench/bench_spark.py PROJECT RATINGS [--scales 1,10,100] [--engines local,spark]
        [--masters local[2],local[1]] [--limit 1800] [--work DIR]

PROJECT is a recommender generated with ``engine=spark`` and installed in its own ``.venv``
(``mlportfolio new recommender P -d engine=spark -l && cd P && make setup``); Java 17+ on PATH.
RATINGS is MovieLens 100K's ``u.data`` (user, item, rating, time; tab-separated). Nothing is
downloaded and no data is written into PROJECT or this repository.

Scale 1 is the file as it is; scale N > 1 is a *synthetic* enlargement made in ``--work``: every
user copied N times under new ids (``<id>r0`` ... ``<id>r<N-1>``) with the same items, ratings
and times, so N x 100,000 ratings by N x 943 users of the same 1,682 items. It is not MovieLens
1M or 10M (other users, more items, a longer tail): it measures how the engines scale in rows and
users, not how good their models are on real data of that size.

Each (scale, engine, master) runs ``train`` then ``evaluate`` as ``/usr/bin/time -v nice -n 10
python -m <package>[.spark] <step>`` with ``PROJECT_ROOT`` on a copy of the project's configs
whose ``data.source`` is the file, each step under ``--limit`` seconds (then killed and reported
as such, with the last progress line it printed). CPU is user+sys of the whole process tree:
pyspark's JVM outlives the Python process that started it and is nobody's waited-for child, so
``/usr/bin/time`` alone would miss it; this script makes itself a child subreaper (Linux) so the
JVM is reparented here and its rusage collected. Peak memory is the largest sum of RSS over the
tree, sampled every 0.2 s (JVM included), beside /usr/bin/time's largest single process. The
1-minute load average is printed before and after each step: on a shared machine wall times
inflate with it, CPU seconds much less.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PR_SET_CHILD_SUBREAPER = 36
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def enlarge(ratings: Path, factor: int, out: Path) -> Path:
    """``ratings`` with every user copied ``factor`` times under new ids (see the module doc)."""
    if factor == 1:
        return ratings
    target = out / f"ratings-x{factor}.tsv"
    if target.exists():
        return target
    lines = ratings.read_text(encoding="utf-8").splitlines()
    partial = target.with_suffix(".part")
    with partial.open("w", encoding="utf-8") as sink:
        for copy in range(factor):
            for line in lines:
                user, rest = line.split("\t", 1)
                sink.write(f"{user}r{copy}\t{rest}\n")
    partial.rename(target)
    return target


def run_root(project: Path, ratings: Path, work: Path, name: str) -> Path:
    """A project root for one data file: the project's configs, data.source set to the file."""
    root = work / name
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(project / "configs", root / "configs")
    for file in ("pyproject.toml", "README.md", "MODEL_CARD.md"):  # evaluate updates the last two
        shutil.copy(project / file, root / file)
    (root / "data").mkdir()
    config = root / "configs" / "default.yaml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    data = settings["data"]
    data.update(source=str(ratings), sha256=None, name=None, items=None)
    data["ratings"].update(path=None, layout="movielens-100k")
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    for leftover in ("best_params.yaml", "spark_best_params.yaml"):
        (root / "configs" / leftover).unlink(missing_ok=True)
    spark_config = root / "configs" / "spark.yaml"
    spark = yaml.safe_load(spark_config.read_text(encoding="utf-8"))
    (root / "events").mkdir()
    spark["session"]["conf"] |= {  # Spark's own record of every job, stage and task
        "spark.eventLog.enabled": True,
        "spark.eventLog.compress": False,
        "spark.eventLog.dir": (root / "events").as_uri(),
    }
    spark_config.write_text(yaml.safe_dump(spark, sort_keys=False), encoding="utf-8")
    return root


def event_summary(folder: Path) -> str:
    """Jobs, stages, tasks and the time inside jobs, from the newest Spark event log in folder."""
    logs = sorted(folder.rglob("events_*"), key=lambda p: p.stat().st_mtime) or sorted(
        (p for p in folder.iterdir() if p.is_file()), key=lambda p: p.stat().st_mtime
    )
    if not logs:
        return ""
    jobs: dict[int, list[int]] = {}
    stages = tasks = 0
    task_cpu = 0.0  # seconds of CPU inside tasks: the part more cores or executors could share
    first = last = None
    for line in logs[-1].read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:  # a log cut short by a kill
            continue
        kind = event["Event"]
        if kind == "SparkListenerJobStart":
            jobs[event["Job ID"]] = [event["Submission Time"], event["Submission Time"]]
            first = first or event["Submission Time"]
        elif kind == "SparkListenerJobEnd" and event["Job ID"] in jobs:
            jobs[event["Job ID"]][1] = last = event["Completion Time"]
        elif kind == "SparkListenerStageCompleted":
            stages += 1
        elif kind == "SparkListenerTaskEnd":
            tasks += 1
            task_cpu += (event.get("Task Metrics") or {}).get("Executor CPU Time", 0) / 1e9
    busy = sum(end - start for start, end in jobs.values()) / 1000
    span = ((last or 0) - (first or 0)) / 1000
    return (
        f"{len(jobs)} jobs, {stages} stages, {tasks} tasks ({task_cpu:.1f} CPU s inside tasks); "
        f"{busy:.0f} s in jobs of the {span:.0f} s from the first job's start to the last one's end"
    )


@dataclass
class Tree:
    """CPU and RSS of a process tree, sampled from /proc (Linux)."""

    root: int
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> last seen user+sys seconds
    peak_rss: int = 0  # bytes, the largest sum over the tree
    stop: threading.Event = field(default_factory=threading.Event)

    def members(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def sample(self) -> None:
        rss = 0
        for pid in self.members():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
            rss += int(fields[21]) * PAGE
        self.peak_rss = max(self.peak_rss, rss)

    def watch(self) -> None:
        while not self.stop.wait(0.2):
            self.sample()


def load() -> float:
    return os.getloadavg()[0]


@dataclass
class Result:
    wall: float
    cpu: float  # user+sys of the tree (rusage of every reaped process)
    peak_rss: int  # bytes, summed over the tree (sampled)
    max_single_rss: int  # bytes, /usr/bin/time's largest process
    status: str  # "ok", "killed after N s", "failed (rc N)"
    load_before: float
    load_after: float
    last_line: str


def timed(command: list[str], env: dict[str, str], cwd: Path, limit: float, log: Path) -> Result:
    """Run ``command`` under /usr/bin/time -v; collect the whole tree's CPU (JVM included)."""
    before = load()
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            ["/usr/bin/time", "-v", "nice", "-n", "10", *command],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        tree = Tree(process.pid)
        watcher = threading.Thread(target=tree.watch, daemon=True)
        watcher.start()
        status = "ok"
        try:
            rc = process.wait(timeout=limit)
            if rc:
                status = f"failed (rc {rc})"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            status = f"killed after {limit:.0f} s"
        wall = time.perf_counter() - start
        # the JVM (reparented here) exits once pyspark's Python is gone: reap it, count its rusage
        cpu = 0.0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                pid, _, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.1)
                continue
            cpu += usage.ru_utime + usage.ru_stime
        tree.stop.set()
        watcher.join()
    text = log.read_text(encoding="utf-8", errors="replace")
    user = re.search(r"User time \(seconds\): ([\d.]+)", text)
    system = re.search(r"System time \(seconds\): ([\d.]+)", text)
    single = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if user and system:  # the Python process (time's child), which time reaped itself
        cpu += float(user[1]) + float(system[1])
    else:  # killed with time: the tree as last sampled
        cpu = sum(tree.cpu.values())
    progress = [
        line.strip()
        for line in text.splitlines()
        if line.startswith(("  [", "data:", "bias", "wrote", "error"))
    ]
    return Result(
        wall,
        cpu,
        tree.peak_rss,
        int(single[1]) * 1024 if single else 0,
        status,
        before,
        load(),
        progress[-1] if progress else "",
    )


def bench_one(
    python: Path, module: str, master: str | None, root: Path, limit: float, label: str
) -> Result:
    """``train`` then ``evaluate`` of one engine on one root; print each step's figures."""
    env = {**os.environ, "PROJECT_ROOT": str(root), "DATA": "full", "SPARK_VERBOSE": "1"}
    wall = cpu = 0.0
    peak = single = 0
    status = "ok"
    for step in ("train", "evaluate"):
        command = [str(python), "-m", module, step, *(["--master", master] if master else [])]
        log = root.with_name(f"{root.name}-{step}.log")
        r = timed(command, env, root, limit, log)
        print(
            f"{root.name.split('-')[0]:>8} {label:>15} {step:>8} {r.wall:8.1f} {r.cpu:8.1f} "
            f"{r.peak_rss / 2**20:7.0f}Mi {r.max_single_rss / 2**20:7.0f}Mi "
            f"{r.load_before:4.1f}-{r.load_after:<4.1f}  {r.status}"
            + ("" if r.status == "ok" else f"; last: {r.last_line!r} ({log})"),
            flush=True,
        )
        if master:
            print(f"{'':>34}Spark: {event_summary(root / 'events')}", flush=True)
        wall, cpu = wall + r.wall, cpu + r.cpu
        peak, single = max(peak, r.peak_rss), max(single, r.max_single_rss)
        if r.status != "ok":
            status = f"{step} {r.status}"
            break
    return Result(wall, cpu, peak, single, status, 0, 0, "")


def print_summary(totals: dict[tuple[int, str], Result]) -> None:
    """train+evaluate per run, with Spark's ratios to the local engine and to local[2]."""
    print("\ntrain+evaluate, and ratios (spark / local; local[1] / local[2])")
    for (scale, label), r in totals.items():
        line = f"{'x' + str(scale):>8} {label:>15} wall {r.wall:8.1f} s  CPU {r.cpu:8.1f} s  "
        line += f"peak {r.peak_rss / 2**20:6.0f} MiB  {r.status}"
        local = totals.get((scale, "local"))
        if label != "local" and local and local.status == "ok" and r.status == "ok":
            line += f"  vs local: wall x{r.wall / local.wall:.1f}, CPU x{r.cpu / local.cpu:.1f}"
        two = totals.get((scale, "spark local[2]"))
        if label == "spark local[1]" and two and two.status == "ok" and r.status == "ok":
            line += (
                f"  local[1]/local[2]: wall x{r.wall / two.wall:.2f}, CPU x{r.cpu / two.cpu:.2f}"
            )
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("ratings", type=Path, help="MovieLens 100K's u.data")
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--masters", default="local[2],local[1]", help="Spark masters to compare")
    parser.add_argument("--limit", type=float, default=1800, help="seconds per step")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-spark"))
    args = parser.parse_args()
    project, ratings = args.project.resolve(), args.ratings.resolve()
    python = project / ".venv" / "bin" / "python"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    package = answers["package_name"]
    if answers.get("engine") != "spark" or not python.exists():
        sys.exit(f"error: {project} is not an installed recommender generated with engine=spark")
    if not ratings.is_file():
        sys.exit(f"error: {ratings} not found (MovieLens 100K's u.data)")
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("error: cannot become a child subreaper (Linux only): the JVM's CPU would be lost")
    args.work.mkdir(parents=True, exist_ok=True)
    engines = args.engines.split(",")
    runs = [("local", None)] if "local" in engines else []
    runs += [("spark", master) for master in args.masters.split(",") if "spark" in engines]
    print(
        f"{'data':>8} {'engine':>15} {'step':>8} {'wall s':>8} {'CPU s':>8} {'tree RSS':>9} "
        f"{'max 1 RSS':>9} {'load':>10}  status"
    )
    totals: dict[tuple[int, str], Result] = {}
    for scale in (int(s) for s in args.scales.split(",")):
        data = enlarge(ratings, scale, args.work)
        for engine, master in runs:
            label = engine if master is None else f"spark {master}"
            # no brackets in the folder: Spark's paths are Hadoop globs ("local[2]" is a class)
            name = f"x{scale}-{engine}" + re.sub(r"\W", "", master or "")
            root = run_root(project, data, args.work, name)
            module = package if engine == "local" else f"{package}.spark"
            totals[(scale, label)] = bench_one(python, module, master, root, args.limit, label)
    print_summary(totals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
