"""Time `luoshi run` over collections of 1, 6 and 12 unit-years, here and on a Dask LocalCluster.

Run from the project folder: .venv/bin/python benchmarks/bench_collection.py [--rounds 3]

Each unit-year is a copy of the seed town's 2020 data under another unit's name (three
templates, zh and en: six notebooks), so every unit-year costs the same and the figures
compare. Printed, for each size: the local executor's wall and CPU seconds per unit-year
(against the one-unit-year run: a collection should cost no more per unit-year), then the
cluster path (--scheduler local:2) against the local executor on the same collection in the
same rounds; then the cost of one more unit-year on each (the slope between the two largest
sizes: the Dask overhead per unit-year, with the cluster's fixed start-up left out), and
unit-years per minute for 1, 2 and 4 workers. Commands alternate within a round, so the
machine's drift hits both sides alike; the medians of the ratios are what to compare between
machines. (A collection also has its peers page, zh and en, once a year.)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = "罗市镇人民政府"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall and CPU seconds (every process it waited for)."""
    cpu, started = _cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - started, _cpu() - cpu


def collection(root: Path, units: int) -> Path:
    """A collection of `units` copies of the seed town's 2020 data, each its own unit."""
    folder = root / f"collection-{units}"
    for number in range(units):
        unit = folder / f"unit-{number:02d}"
        for part in ("raw", "processed"):
            shutil.copytree(REPO / "data" / part, unit / part)
        package = unit / "processed" / "2020" / "datapackage.json"
        descriptor = json.loads(package.read_text("utf-8"))
        for source in descriptor["sources"]:
            source["issuer"] = f"测试{number:02d}镇人民政府"
            source["issuer_en"] = f"Test Town {number:02d}"
        package.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return folder


def run_command(folder: Path, outputs: Path, scheduler: str = "") -> list[str]:
    command = [str(Path(sys.executable).with_name("luoshi")), "--collection", str(folder), "run",
               "--outputs", str(outputs), "--quiet"]
    return command + (["--scheduler", scheduler] if scheduler else [])


def measure(folder: Path, scratch: Path, rounds: int, schedulers: list[str],
            env: dict[str, str]) -> dict[str, list[tuple[float, float]]]:
    """Time each way of running a collection, alternating them, `rounds` times."""
    found: dict[str, list[tuple[float, float]]] = {s or "local": [] for s in schedulers}
    for round_number in range(rounds):
        for scheduler in schedulers:
            outputs = scratch / f"out-{round_number}-{scheduler or 'local'}"
            found[scheduler or "local"].append(timed(run_command(folder, outputs, scheduler),
                                                     env))
            shutil.rmtree(outputs, ignore_errors=True)
    return found


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    """Print the table of sizes, executors and workers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per size")
    parser.add_argument("--sizes", default="1,6,12", help="unit-years per collection")
    parser.add_argument("--workers", default="1,2,4", help="LocalCluster sizes for throughput")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="luoshi-bench-"))
    env = {**os.environ, "LUOSHI_CACHE_DIR": str(scratch / "cache")}
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        print(f"{'unit-years':>10} {'local s':>9} {'s/unit-year':>12} {'CPU s/uy':>9} "
              f"{'local:2 s':>10} {'cluster/local':>14}")
        base = None
        walls: dict[int, tuple[float, float]] = {}  # size -> median wall: local, local:2
        for size in sizes:
            folder = collection(scratch, size)
            timed(run_command(folder, scratch / "warm"), env)  # font cache, .pyc: paid once
            shutil.rmtree(scratch / "warm", ignore_errors=True)
            found = measure(folder, scratch, args.rounds, ["", "local:2"], env)
            local = _median([w for w, _ in found["local"]])
            cpu = _median([c for _, c in found["local"]])
            remote = _median([w for w, _ in found["local:2"]])
            ratios = [r / loc for (r, _), (loc, _) in zip(found["local:2"], found["local"],
                                                          strict=True)]
            base = base or local / size
            walls[size] = (local, remote)
            print(f"{size:>10} {local:>9.1f} {local / size:>12.2f} {cpu / size:>9.2f} "
                  f"{remote:>10.1f} {_median(ratios):>13.2f}x   (per unit-year vs 1: "
                  f"{local / size / base:.2f}x)")
        if len(walls) >= 2:
            small, large = sorted(walls)[-2:]
            per_local = (walls[large][0] - walls[small][0]) / (large - small)
            per_remote = (walls[large][1] - walls[small][1]) / (large - small)
            fixed = walls[large][1] - per_remote * large
            print(f"\nper unit-year from {small} to {large} unit-years (the slope: start-up "
                  f"left out): local {per_local:.2f} s, local:2 {per_remote:.2f} s, Dask "
                  f"overhead {per_remote / per_local - 1:+.0%}; the cluster's start-up "
                  f"(a LocalCluster, its workers' warm runners) about {fixed:.1f} s")
        biggest = scratch / f"collection-{max(sizes)}"
        print(f"\nthroughput on {max(sizes)} unit-years ({os.cpu_count()} cores here):")
        for workers in [int(w) for w in args.workers.split(",") if w]:
            found = measure(biggest, scratch, 1, [f"local:{workers}"], env)
            wall = found[f"local:{workers}"][0][0]
            print(f"  local:{workers:<3} {wall:7.1f} s   {max(sizes) / wall * 60:6.1f} unit-years/min")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
