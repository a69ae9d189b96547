"""Requests per second and latency of a generated project's API: single-item ``POST /predict``.

Usage:
    python bench/bench_serve.py PROJECT [--requests 2000] [--warmup 100] [--clients 1]

PROJECT is a generated project with the ``api`` option, installed in its own ``.venv`` and
trained and evaluated (``make setup train evaluate``). The script starts
``python -m <package>.serve`` on a free port of 127.0.0.1 (one uvicorn worker, as ``make serve``
does), sends ``--warmup`` requests, then ``--requests`` requests over keep-alive connections from
``--clients`` threads, each waiting for its answer before sending the next. It prints
requests/s, p50/p90/p99 latency and the server's CPU time, for ``GET /health`` (no model work:
the reference) and for a single-item ``POST /predict``, and the ratio of the two.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import socket
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

# One item per type: a user, a text, an image, a horizon
REQUESTS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "recommender": lambda project: {"json": {"user_id": "1", "k": 10}},
    "sentiment": lambda project: {"json": {"texts": ["A moving, beautifully acted film."]}},
    "image": lambda project: {
        "files": [
            (
                "files",
                (
                    "3-0013.png",
                    (project / "data/sample/examples/3-0013.png").read_bytes(),
                    "image/png",
                ),
            )
        ]
    },
    "forecasting": lambda project: {"json": {"horizon": 12}},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (USER_HZ)


def measure(
    url: str, method: str, kwargs: dict[str, Any], n: int, clients: int, server: int
) -> dict[str, float]:
    """Send ``n`` requests from ``clients`` threads; latency percentiles in ms, requests/s."""
    per_client = n // clients

    def worker() -> list[float]:
        times = []
        with httpx.Client(timeout=30) as client:
            for _ in range(per_client):
                start = time.perf_counter()
                response = client.request(method, url, **kwargs)
                times.append(time.perf_counter() - start)
                response.raise_for_status()
        return times

    cpu_before, start = cpu_seconds(server), time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        latencies = sorted(
            t for result in pool.map(lambda _: worker(), range(clients)) for t in result
        )
    wall, cpu = time.perf_counter() - start, cpu_seconds(server) - cpu_before
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / wall,
        "p50": cuts[49] * 1000,
        "p90": cuts[89] * 1000,
        "p99": cuts[98] * 1000,
        "server_cpu_ms_per_request": cpu / len(latencies) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--clients", type=int, default=1)
    args = parser.parse_args()
    project = args.project.resolve()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    port = free_port()
    server = subprocess.Popen(
        [".venv/bin/python", "-m", f"{answers['package_name']}.serve", "--port", str(port)],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/health", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        predict = REQUESTS[answers["project_type"]](project)
        cases = {
            "GET /health": ("GET", f"{base}/health", {}),
            "POST /predict": ("POST", f"{base}/predict", predict),
        }
        results = {}
        for name, (method, url, kwargs) in cases.items():
            measure(url, method, kwargs, args.warmup, 1, server.pid)
            results[name] = measure(url, method, kwargs, args.requests, args.clients, server.pid)
        print(f"{answers['project_type']}: {args.requests} requests, {args.clients} client(s)")
        for name, r in results.items():
            print(
                f"  {name:<14} {r['rps']:7.0f} req/s  p50 {r['p50']:6.2f} ms  p90 {r['p90']:6.2f} ms"
                f"  p99 {r['p99']:6.2f} ms  server CPU {r['server_cpu_ms_per_request']:.2f} ms/req"
            )
        health, predict_result = results["GET /health"], results["POST /predict"]
        print(f"  /predict vs /health: p50 x{predict_result['p50'] / health['p50']:.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
