"""Time `luoshi run` against the papermill + nbconvert commands a user would type, side by side.

Run from the project folder: .venv/bin/python benchmarks/bench_run.py [--scaling 1,2,4,8]
Prints wall-clock seconds and the ratio; both sides run in this one invocation, on the same
machine state, so the ratio (not the seconds) is what to compare between machines.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
LANGS = ("zh", "en")


def timed(commands: list[list[str]]) -> float:
    """Run commands one after another; return wall-clock seconds."""
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def luoshi_run(outputs: Path, years: list[int], data_dir: Path | None = None) -> list[str]:
    command = [str(BIN / "luoshi")]
    if data_dir:
        command += ["--data-dir", str(data_dir)]
    command += ["run", "--quiet", "--outputs", str(outputs)]
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
    shutil.copytree(REPO / "data", data)
    for year in years:
        if year == 2020:
            continue
        target = data / "processed" / str(year)
        shutil.copytree(data / "processed" / "2020", target)
        for name in ("budget.csv", "indicators.csv"):
            path = target / name
            path.write_text(re.sub(r"(?m)^2020,", f"{year},", path.read_text("utf-8")), "utf-8")
        datapackage = target / "datapackage.json"
        datapackage.write_text(datapackage.read_text("utf-8").replace('"year": 2020',
                                                                      f'"year": {year}'), "utf-8")
    return data


def main() -> None:
    """Print the side-by-side timing and the scaling with the number of years."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scaling", default="1,2,4,8", help="year counts to time ('' to skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # warm caches (font cache, .pyc) so neither side pays them
        timed([luoshi_run(tmp / "warm", [2020])])
        manual = timed(manual_chain(tmp / "manual", 2020))
        ours = timed([luoshi_run(tmp / "ours", [2020])])
        count = len(NOTEBOOKS) * len(LANGS)
        print(f"one year, {count} notebooks (3 templates x zh/en):")
        print(f"  papermill + jupyter nbconvert, notebook by notebook: {manual:7.1f} s")
        print(f"  luoshi run:                                          {ours:7.1f} s")
        print(f"  ratio (chain / luoshi run):                          {manual / ours:7.2f}x")
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
