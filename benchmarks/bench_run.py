"""Time `luoshi run` against the floor and the papermill + nbconvert commands, side by side.

Run from the project folder: .venv/bin/python benchmarks/bench_run.py [--scaling 1,2,4,8]
The floor is the notebooks' own work: one Python process that imports the analysis stack once,
then runs every code cell of the six notebooks (3 templates x zh/en) with the runner's
parameters. On N cores the best a runner can do is about that time / N. All three are timed in
this one invocation, on the same machine state, so the ratios (not the seconds) are what to
compare between machines.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE_ENV = "LUOSHI_CACHE_DIR"  # luoshi_analysis.core.config.CACHE_ENV, without importing the package
BIN = Path(sys.executable).parent
SEED = "罗市镇人民政府"  # the unit at the top of data/
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
LANGS = ("zh", "en")


CPU_SECONDS: list[float] = []  # CPU time (user + system) of each timed() call, all processes


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(commands: list[list[str]], env: dict | None = None) -> float:
    """Run commands one after another; return wall-clock seconds (CPU seconds to CPU_SECONDS).

    CPU time counts every process the commands started and waited for (workers, kernels): on
    a machine shared with other work it varies less than the wall clock.
    """
    cpu = _children_cpu()
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, **(env or {})})
    CPU_SECONDS.append(_children_cpu() - cpu)
    return time.perf_counter() - started


def floor(outputs: Path, year: int) -> None:
    """In this process: import once, then run every code cell of every notebook and language."""
    import luoshi_analysis.reports.notebook  # noqa: F401 - the imports the notebooks make, counted once
    import luoshi_analysis.reports.plots  # noqa: F401

    for template in NOTEBOOKS:
        # plain JSON: nbformat (and the jsonschema it loads) is the runner's cost, not the notebooks'
        cells = json.loads(template.read_text("utf-8"))["cells"]
        for lang in LANGS:
            given = {"year": year, "lang": lang, "output_dir": str(outputs / "figures")}
            namespace: dict = {}
            for cell in cells:
                if cell["cell_type"] == "code":
                    source = "".join(cell["source"])
                    exec(compile(source, str(template), "exec"), namespace)
                    if "parameters" in cell["metadata"].get("tags", []):
                        namespace.update(given)  # as papermill injects them after the defaults


def floor_command(outputs: Path, year: int) -> list[str]:
    """The floor as a command of its own (a fresh Python, as `luoshi run` starts one)."""
    return [sys.executable, str(Path(__file__).resolve()), "--floor", str(outputs),
            "--year", str(year)]


def luoshi_run(outputs: Path, years: list[int], data_dir: Path | None = None) -> list[str]:
    command = [str(BIN / "luoshi")]
    if data_dir:
        command += ["--data-dir", str(data_dir)]
    # the seed only: data/ also holds the demo collection's units, which the floor does not run
    command += ["run", "--unit", SEED, "--quiet", "--outputs", str(outputs)]
    for year in years:
        command += ["--year", str(year)]
    return command


def manual_chain(outputs: Path, year: int) -> list[list[str]]:
    """The papermill then jupyter nbconvert commands, notebook by notebook."""
    outputs.mkdir(parents=True, exist_ok=True)
    commands = []
    for template in NOTEBOOKS:
        for lang in LANGS:
            executed = outputs / f"{template.stem}_{lang}.ipynb"
            commands.append([str(BIN / "papermill"), str(template), str(executed),
                             "-p", "year", str(year), "-p", "lang", lang,
                             "-p", "output_dir", str(outputs / "figures"), "--no-progress-bar"])
            commands.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                             str(executed)])
    return commands


def copy_years(root: Path, years: list[int]) -> Path:
    """A temporary data folder holding copies of 2020 under other year numbers."""
    data = root / "data"
    for part in ("raw", "processed"):  # the seed's own folder, not the demo units beside it
        shutil.copytree(REPO / "data" / part, data / part)
    for year in years:
        if year == 2020:
            continue
        target = data / "processed" / str(year)
        shutil.copytree(data / "processed" / "2020", target)
        for name in ("budget.csv", "indicators.csv"):
            path = target / name
            path.write_text(re.sub(r"(?m)^2020,", f"{year},", path.read_text("utf-8")), "utf-8")
        statements = target / "statements.csv"
        if statements.is_file():  # the years it names move with the copy
            with statements.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            for row in rows:
                for column in ("year", "report_year"):
                    row[column] = str(int(row[column]) - 2020 + year)
            with statements.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        datapackage = target / "datapackage.json"
        datapackage.write_text(datapackage.read_text("utf-8").replace('"year": 2020',
                                                                      f'"year": {year}'), "utf-8")
    return data


def main() -> None:
    """Print the side-by-side timing and the scaling with the number of years."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scaling", default="1,2,4,8", help="year counts to time ('' to skip)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of floor then luoshi run; the median is reported")
    parser.add_argument("--floor", metavar="OUTPUTS", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, default=2020, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(Path(args.floor), args.year)
        return
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # the runner's record of durations (it starts the longest notebooks first) lives here, so
        # this benchmark neither reads nor changes the user's
        os.environ[CACHE_ENV] = str(tmp / "cache")
        # warm caches (font cache, .pyc) so no side pays them; the runner also records how long
        # each notebook took, as after any earlier run on a machine
        timed([luoshi_run(tmp / "warm", [2020])])
        # floor and luoshi run alternate, round after round: other work on a shared machine
        # slows both sides of a round alike, and the median round is what is reported
        rounds = []
        for number in range(args.rounds):
            one_process = timed([floor_command(tmp / f"floor{number}", 2020)])
            ours = timed([luoshi_run(tmp / f"ours{number}", [2020])])
            rounds.append((one_process, ours, *CPU_SECONDS[-2:]))
            if number == 0:
                manual = timed(manual_chain(tmp / "manual", 2020))
                manual_cpu = CPU_SECONDS[-1]
        # a first run ever on a machine: no durations recorded, the order is the templates' own
        first = timed([luoshi_run(tmp / "first", [2020])], env={CACHE_ENV: str(tmp / "no-cache")})
        count = len(NOTEBOOKS) * len(LANGS)
        print(f"one year, {count} notebooks (3 templates x zh/en), {cores} cores, "
              f"{args.rounds} round(s) of floor then luoshi run:")
        for number, (one_process, ours, _, _) in enumerate(rounds, 1):
            print(f"  round {number}: floor {one_process:5.1f} s in one process "
                  f"({one_process / cores:4.1f} s on {cores} cores), luoshi run {ours:5.1f} s: "
                  f"{ours / (one_process / cores):4.2f}x the floor on {cores} cores")
        middle = sorted(rounds, key=lambda r: r[1] / r[0])[len(rounds) // 2]
        one_process, ours, floor_cpu, ours_cpu = middle
        best = one_process / cores
        print("median round:")
        print(f"  floor: imports once + every code cell, one process: {one_process:7.1f} s")
        print(f"  floor on {cores} cores (one process / {cores}):             {best:7.1f} s")
        print(f"  luoshi run:                                          {ours:7.1f} s")
        print(f"  luoshi run, first run on the machine (no durations): {first:7.1f} s")
        print(f"  papermill + jupyter nbconvert, notebook by notebook: {manual:7.1f} s")
        print(f"  luoshi run / floor on {cores} cores:                     {ours / best:7.2f}x")
        print(f"  luoshi run / floor in one process:                   {ours / one_process:7.2f}x")
        print(f"  chain / luoshi run:                                  {manual / ours:7.2f}x")
        print(f"CPU seconds (all processes): floor {floor_cpu:.1f}, luoshi run {ours_cpu:.1f} "
              f"({ours_cpu / floor_cpu:.2f}x), chain {manual_cpu:.1f} "
              f"({manual_cpu / ours_cpu:.2f}x luoshi run)")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on this machine "
              "inflates wall-clock times)")
        counts = [int(c) for c in args.scaling.split(",") if c]
        if counts:
            years = [2020 + i for i in range(max(counts))]
            data = copy_years(tmp, years)
            print("\nscaling with the number of years (luoshi run, all notebooks):")
            base = None
            for n in counts:
                seconds = timed([luoshi_run(tmp / f"scale{n}", years[:n], data)])
                base = base or seconds / n
                print(f"  {n} year(s): {seconds:7.1f} s  ({seconds / n:5.1f} s per year, "
                      f"{seconds / (n * base):4.2f}x the 1-year cost per year)")


if __name__ == "__main__":
    main()
