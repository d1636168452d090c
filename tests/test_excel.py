"""The Excel workbook: every figure as a number, read back by openpyxl, pandas and LibreOffice."""

import csv
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

import luoshi_analysis as la
from luoshi_analysis.cli import main
from luoshi_analysis.core.errors import ParameterError

SHEETS = ["预算 Budget", "指标 Indicators", "核对 Checks", "来源 Source"]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "luoshi.xlsx"
    assert la.to_excel(path) == path
    return path


def _column(sheet, header: str) -> int:
    headers = [c.value for c in sheet[1]]
    return headers.index(header) + 1


def test_sheets_headers_frozen_row_and_filters(workbook):
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[:4] == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
    budget = book["预算 Budget"]
    headers = [c.value for c in budget[1]]
    assert "金额 Amount (万元)" in headers and "报告所述占比 Stated share (%)" in headers
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) and any(ch.isascii() and ch.isalpha()
               for ch in h) for h in headers), "every header is in Chinese and English"


def test_every_budget_figure_is_a_number_at_two_decimals_beside_its_source(workbook):
    sheet = openpyxl.load_workbook(workbook)["预算 Budget"]
    amount = _column(sheet, "金额 Amount (万元)")
    source = _column(sheet, "报告原文 Source text")
    written = _column(sheet, "原文金额 Amount as written")
    assert abs(source - amount) <= 2, "the report's text sits beside the figure"
    budget = la.load_budget(2020)
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(budget)
    for cells, (_, line) in zip(rows, budget.iterrows(), strict=True):
        cell = cells[amount - 1]
        assert cell.data_type == "n" and cell.number_format == "0.00", line["key"]
        assert cell.value == line["amount"], line["key"]
        assert cells[source - 1].value == line["source_fragment"]
        assert cells[written - 1].value == line["amount_as_written"]


def test_pandas_reads_back_every_table(workbook):
    sheets = pd.read_excel(workbook, sheet_name=None)
    budget = la.load_budget(2020)
    read = sheets["预算 Budget"]
    assert read["金额 Amount (万元)"].tolist() == budget["amount"].tolist()
    assert read["键 Key"].tolist() == budget["key"].tolist()
    indicators = la.load_indicators(2020)
    read = sheets["指标 Indicators"]
    assert read["数值 Value"].tolist() == indicators["value"].tolist()
    assert read["报告原文 Source text"].tolist() == indicators["source_fragment"].tolist()
    checks = la.check(2020)
    read = sheets["核对 Checks"]
    for column in ("expected", "found", "difference", "tolerance"):
        header = {"expected": "应为 Expected", "found": "报告数 Found",
                  "difference": "差异 Difference", "tolerance": "容差 Tolerance"}[column]
        assert read[header].tolist() == checks[column].tolist(), column
    assert read["通过 OK"].tolist() == checks["ok"].tolist()
    source = sheets["来源 Source"].iloc[0]
    record = la.read_source(2020)
    assert source["SHA-256"] == record.sha256 and source["单位 Issuer"] == record.issuer


@pytest.mark.slow  # starts LibreOffice headless (several seconds)
def test_libreoffice_opens_it_and_shows_the_amounts_with_two_decimals(workbook, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is needed (make browser-deps installs libreoffice-calc-nogui)"
    # UTF-8 CSV, one file per sheet (-1), cells as shown (so formats count)
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    run = subprocess.run(
        [office, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", csv_filter, "--outdir", str(tmp_path / "csv"), str(workbook)],
        capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stderr
    budget_csv = tmp_path / "csv" / f"{workbook.stem}-预算 Budget.csv"
    assert budget_csv.is_file(), run.stdout
    with budget_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    budget = la.load_budget(2020)
    assert [r["金额 Amount (万元)"] for r in rows] == [f"{a:.2f}" for a in budget["amount"]]
    assert [r["报告原文 Source text"] for r in rows] == budget["source_fragment"].tolist()
    checks_csv = tmp_path / "csv" / f"{workbook.stem}-核对 Checks.csv"
    with checks_csv.open(encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    assert first["差异 Difference"] == "0.00" and first["应为 Expected"] == "5446.35"


def test_cli_writes_one_year_and_refuses_another_extension(tmp_path, capsys):
    path = tmp_path / "out" / "2020.xlsx"
    path.parent.mkdir()
    assert main(["tables", "--year", "2020", "--xlsx", str(path)]) == 0
    assert str(path) in capsys.readouterr().out
    assert openpyxl.load_workbook(path)["预算 Budget"].max_row == len(la.load_budget(2020)) + 1
    assert not list(path.parent.glob(".*partial*")), "written under a temporary name"
    assert main(["tables", "--xlsx", str(tmp_path / "t.csv")]) == 2
    assert ".xlsx" in capsys.readouterr().err
    with pytest.raises(ParameterError):
        la.to_excel(tmp_path / "t.xls")


def test_a_missing_folder_is_refused_not_made(tmp_path, capsys):
    path = tmp_path / "nope" / "dir" / "x.xlsx"
    assert main(["tables", "--xlsx", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"the folder {path.parent} does not exist" in err
    assert not (tmp_path / "nope").exists(), "no folder made"


def test_every_header_of_every_sheet_is_in_chinese_and_english(workbook):
    for sheet in openpyxl.load_workbook(workbook).worksheets:
        for header in (c.value for c in sheet[1]):
            if header == "SHA-256":  # the same in both languages
                continue
            assert any("\u4e00" <= ch <= "\u9fff" for ch in header), (sheet.title, header)
            assert any(ch.isascii() and ch.isalpha() for ch in header), (sheet.title, header)


def test_a_workbook_written_in_the_checkout_is_git_ignored():
    from conftest import REPO

    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", "luoshi.xlsx",
                           "luoshi-2020.xlsx", "tests/fixture.xlsx"],
                          capture_output=True, text=True, check=False)
    assert done.stdout.split() == ["luoshi.xlsx", "luoshi-2020.xlsx"]


def test_a_failed_write_keeps_the_old_workbook(tmp_path, monkeypatch):
    path = tmp_path / "kept.xlsx"
    path.write_bytes(b"old")

    def broken(*_args, **_kwargs):
        raise ParameterError("year 1999 is not a year")

    monkeypatch.setattr("luoshi_analysis.reports.excel.workbook_bytes", broken)
    with pytest.raises(ParameterError):
        la.to_excel(path)
    assert path.read_bytes() == b"old"


def test_a_statements_table_gets_its_own_sheet_with_numeric_amounts(tmp_path, monkeypatch):
    from luoshi_analysis.core import load, schema

    table = schema.TableSchema(
        name="statements", title="Statements", primary_key=("year", "statement"),
        fields=(schema.YEAR,
                schema.Field("statement", "integer", "Order."),
                schema.Field("scope", "string", "Scope."),
                schema.Field("amount", "number", "Amount.", unit="万元"),
                schema.Field("amount_as_written", "string", "As written."),
                schema.Field("source_fragment", "string", "Fragment."),
                schema.Field("source_line", "integer", "Line.")))
    rows = pd.DataFrame({"year": [2020, 2020], "statement": [1, 2],
                         "scope": ["all_funds", "fiscal_appropriation"],
                         "amount": [5446.35, 2018.84], "amount_as_written": ["5446.35", "2018.84"],
                         "source_fragment": ["收入总计5446.35万元", "财政拨款收入2018.84万元"],
                         "source_line": [3, 3]})
    monkeypatch.setattr(schema, "STATEMENTS", table, raising=False)
    monkeypatch.setattr(load, "load_statements", lambda year, root=None: rows, raising=False)
    path = la.to_excel(tmp_path / "with_statements.xlsx")
    sheet = openpyxl.load_workbook(path)["报表 Statements"]
    headers = [c.value for c in sheet[1]]
    amount = headers.index("金额 Amount (万元)")
    assert headers[amount + 2] == "报告原文 Source text"
    cells = [r[amount] for r in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [5446.35, 2018.84]
    assert all(c.data_type == "n" and c.number_format == "0.00" for c in cells)


def test_no_statements_sheet_when_no_year_has_statements(workbook, monkeypatch):
    from luoshi_analysis.core import load

    if hasattr(load, "load_statements"):
        empty = load.load_statements(2020).iloc[0:0]
        monkeypatch.setattr(load, "load_statements", lambda year, root=None: empty)
    assert "报表 Statements" not in openpyxl.load_workbook(la.to_excel(
        workbook.with_name("none.xlsx"))).sheetnames
