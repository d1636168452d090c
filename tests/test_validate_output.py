"""What `luoshi validate` prints: figures as the report writes them, unreviewed rows, file lines."""

import csv
import io
import subprocess
import sys

import pandas as pd

INDICATORS = "processed/2020/indicators.csv"


def _validate(data):
    return subprocess.run([sys.executable, "-m", "luoshi_analysis.cli", "--data-dir", str(data),
                           "validate"], capture_output=True, text=True, check=False)


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))


def _write(path, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8")


def test_amounts_and_shares_are_shown_as_the_report_writes_them(data_copy):
    run = _validate(data_copy)
    assert run.returncode == 0, run.stderr
    cells = {cell.strip() for cell in run.stdout.split("|")}
    for shown in ("1334.20", "3319.30", "0.00", "49.09", "5446.35", "81.0645", "-0.0045"):
        assert shown in cells, shown
    for cell in run.stdout.split("|"):
        assert cell.strip() not in ("1334.2", "3319.3", "0.0"), cell


def test_unreviewed_rows_are_named_in_a_warning_and_exit_0(data_copy):
    path = data_copy / INDICATORS
    rows = _rows(path)
    reviewed = rows[0].index("reviewed")
    for row in rows[5:8]:  # lines 6, 7 and 8 of the file
        row[reviewed] = "false"
    _write(path, rows)
    run = _validate(data_copy)
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, run.stderr
    keys = [row[rows[0].index("key")] for row in rows[5:8]]
    assert "WARNING 2020 indicators.csv: 3 of 101 rows not yet reviewed" in warnings[0]
    assert f"line 6 {keys[0]}, line 7 {keys[1]}, line 8 {keys[2]}" in warnings[0], warnings[0]
    assert "(3 not yet reviewed)" in run.stdout


def test_violations_name_the_files_own_lines_like_load_errors(data_copy):
    path = data_copy / INDICATORS
    text = path.read_text("utf-8").splitlines(keepends=True)
    # a blank line after the header: every record is one line further down the file
    text.insert(1, "\n")
    path.write_text("".join(text).replace(",1123,1123,户,", ",9999,1123,户,"), "utf-8")
    run = _validate(data_copy)
    assert run.returncode == 1
    line = next(n for n, t in enumerate(path.read_text("utf-8").splitlines(), 1) if ",9999," in t)
    assert line == 25
    assert f"indicators.csv line {line} (households_out_of_poverty)" in run.stderr, run.stderr
    # a load error in the same file names the same kind of line
    path.write_text(path.read_text("utf-8").replace(",9999,1123,户,", ",9999x,1123,户,"), "utf-8")
    run = _validate(data_copy)
    assert run.returncode == 2 and f"line {line}" in run.stderr, run.stderr


def test_a_pandas_round_trip_is_named_as_the_cause(data_copy):
    path = data_copy / INDICATORS
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["value_as_written"].str.fullmatch(r"[0-9.]+")]  # digits only: read as floats
    frame.to_csv(path, index=False)
    pd.read_csv(path).to_csv(path, index=False)  # the round trip that turns 3 into 3.0
    assert ",3.0,近3" not in path.read_text("utf-8") and ",3.0," in path.read_text("utf-8")
    run = _validate(data_copy)
    assert run.returncode == 1
    violation = next(line for line in run.stderr.splitlines() if "(grain_area)" in line)
    assert "value_as_written '3.0' is not in its source_fragment" in violation
    assert "3 → 3.0 is what a CSV round trip through pandas or a spreadsheet does" in violation
    notes = [line for line in run.stderr.splitlines() if line.startswith("NOTE 2020")]
    assert len(notes) == 1 and "dtype=str" in notes[0], run.stderr
    assert "Traceback" not in run.stderr
