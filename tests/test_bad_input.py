"""Each bad input gives one clear line: a typed exception, and exit 2 from the CLI."""

import subprocess
import sys

import pytest

from luoshi_analysis import (
    DataFolderError,
    DataValidationError,
    ProvenanceError,
    UnknownYearError,
    load_budget,
    load_indicators,
)
from luoshi_analysis.cli import main

BUDGET = "processed/2020/budget.csv"
INDICATORS = "processed/2020/indicators.csv"


def _edit(root, relative, old, new, count=1):
    path = root / relative
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), "utf-8")


def _drop_column(root, relative, column):
    path = root / relative
    lines = path.read_text("utf-8").splitlines()
    index = lines[0].split(",").index(column)
    # the dropped column holds no commas in any row of the shipped tables
    rows = [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]
    path.write_text("\n".join(rows) + "\n", "utf-8")


CASES = {
    "missing column": (
        lambda r: _drop_column(r, INDICATORS, "unit"), load_indicators, DataValidationError,
        ["indicators.csv", "missing column 'unit'"]),
    "stray character in a number": (
        lambda r: _edit(r, BUDGET, ",5446.35,5446.35,", ",5446.35x,5446.35,"), load_budget,
        DataValidationError, ["budget.csv", "line 2", "'amount'", "'5446.35x'", "not a number"]),
    "negative amount": (
        lambda r: _edit(r, BUDGET, ",775.34,775.34,", ",-775.34,775.34,"), load_budget,
        DataValidationError, ["budget.csv", "line 14", "'amount'", "below the minimum 0"]),
    "duplicate key": (
        lambda r: _edit(r, INDICATORS, "park_enterprises,", "park_enterprises_in_production,"),
        load_indicators, DataValidationError,
        ["indicators.csv", "duplicate key", "park_enterprises_in_production", "first on line"]),
    "unknown unit": (
        lambda r: _edit(r, INDICATORS, ",18000,18000,头,", ",18000,18000,斤,"), load_indicators,
        DataValidationError, ["indicators.csv", "line 20", "'unit'", "'斤' is not allowed", "万亩"]),
    "unknown qualifier": (
        lambda r: _edit(r, INDICATORS, ",万亩,nearly,", ",万亩,about,"), load_indicators,
        DataValidationError, ["'qualifier'", "'about' is not allowed", "more_than"]),
    "raw report edited": (
        lambda r: (r / "raw/2020/luoshi_2020_performance_report.txt").open("a").write(" "),
        load_budget, ProvenanceError, ["luoshi_2020_performance_report.txt", "sha256", "never edited"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_library_raises_a_typed_error_naming_file_line_and_field(case, data_copy):
    edit, loader, error, words = CASES[case]
    edit(data_copy)
    with pytest.raises(error) as raised:
        loader(2020)
    message = str(raised.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("case", list(CASES))
def test_cli_prints_one_line_and_exits_2(case, data_copy, capsys):
    CASES[case][0](data_copy)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("luoshi: error: ")
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_unknown_year_lists_the_years_available(capsys):
    with pytest.raises(UnknownYearError, match="unknown year 1999.*2020"):
        load_budget(1999)
    assert main(["tables", "--year", "1999"]) == 2
    assert "years with data are 2020" in capsys.readouterr().err


def test_missing_data_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LUOSHI_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DataFolderError, match="nowhere"):
        load_budget(2020)
    assert main(["validate"]) == 2
    assert "data folder" in capsys.readouterr().err


def test_real_process_exits_2_without_traceback_unless_debug(data_copy):
    _edit(data_copy, BUDGET, ",775.34,775.34,", ",-775.34,775.34,")
    command = [sys.executable, "-m", "luoshi_analysis.cli", "validate"]
    quiet = subprocess.run(command, capture_output=True, text=True, check=False)
    assert quiet.returncode == 2
    assert quiet.stderr.count("\n") == 1 and "Traceback" not in quiet.stderr
    loud = subprocess.run([*command[:3], "--debug", "validate"], capture_output=True, text=True,
                          check=False)
    assert loud.returncode != 0 and "Traceback" in loud.stderr


def test_validate_reports_violations_with_exit_1(data_copy, capsys):
    _edit(data_copy, BUDGET, ",775.34,775.34,", ",776.34,776.34,")
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    assert "VIOLATION 2020 sum:expenditure_current_year" in captured.err
    assert "difference -1.0000" in captured.err


def test_validate_and_tables_succeed_on_shipped_data(capsys):
    assert main(["validate"]) == 0
    assert "all checks hold" in capsys.readouterr().out
    assert main(["tables", "--year", "2020", "--table", "budget", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("year,line,key,direction")
    assert len(out.splitlines()) == 18
    assert main(["trace", "--year", "2020", "canals_lined_length"]) == 0
    assert "水渠硬化5条6500米" in capsys.readouterr().out
