"""End to end through the parser: a 收入支出决算总表 as a workbook, a Word table and a PDF table."""

from pathlib import Path

import pytest
from report_files import docx_bytes, html_page, pdfs_from_html, xlsx_bytes

from luoshi_analysis import check, load_budget, spending_ratios
from luoshi_analysis.core.load import load_statements
from luoshi_analysis.core.provenance import read_source
from luoshi_analysis.ingest import ingest

# The overview every file below states, in 万元: (key, amount).
EXPECTED = {
    "revenue_total": 600.0, "revenue_carryover": 20.0, "revenue_current_year": 580.0,
    "revenue_fiscal_general_budget": 500.0, "revenue_fiscal_government_funds": 50.0,
    "revenue_other": 30.0, "expenditure_total": 600.0, "expenditure_carryforward": 30.0,
    "expenditure_current_year": 570.0,
}
TOTALS = ("revenue_total", "revenue_carryover", "revenue_current_year", "expenditure_total",
          "expenditure_carryforward", "expenditure_current_year")


def total_table(unit: str, cell) -> list[list[object]]:
    """The 收入支出决算总表 as units publish it: title, unit, two sides with 项目/行次/决算数."""
    return [
        ["收入支出决算总表", None, None, None, None, None],
        ["编制单位：东岭镇人民政府", None, None, None, None, f"金额单位：{unit}"],
        ["收入", None, None, "支出", None, None],
        ["项目", "行次", "决算数", "项目", "行次", "决算数"],
        ["栏次", None, "1", "栏次", None, "2"],
        ["一、一般公共预算财政拨款收入", 1, cell(500), "一、一般公共服务支出", 32, cell(300)],
        ["二、政府性基金预算财政拨款收入", 2, cell(50), "二、农林水支出", 33, cell(270)],
        ["六、其他收入", 6, cell(30), None, None, None],
        ["本年收入合计", 7, cell(580), "本年支出合计", 40, cell(570)],
        ["年初结转和结余", 8, cell(20), "年末结转和结余", 41, cell(30)],
        ["收入总计", 9, cell(600), "支出总计", 42, cell(600)],
    ]


def _ingested(tmp_path: Path, name: str, data: bytes) -> Path:
    report = tmp_path / name
    report.write_bytes(data)
    root = tmp_path / "data"
    ingest(report, 2021, root)
    return root


def _amounts(root: Path) -> dict[str, float]:
    budget = load_budget(2021, root)
    return dict(zip(budget["key"], budget["amount"], strict=True))


@pytest.mark.parametrize(("unit", "cell", "written"), [
    ("万元", float, "600.00"),
    ("元", lambda v: f"{v * 10000:,.2f}", "6,000,000.00"),  # text cells with separators
    ("元", lambda v: float(v * 10000), "6,000,000.00"),  # numbers shown with #,##0.00
    ("元", lambda v: v * 10000, "6000000"),  # whole numbers with no format
])
def test_a_workbook_total_table_gives_the_budget_and_statements(tmp_path, unit, cell, written):
    data = xlsx_bytes({"封面": [["东岭镇人民政府2021年度部门决算"]],
                       "收入支出决算总表": total_table(unit, cell)})
    root = _ingested(tmp_path, "2021决算公开表.xlsx", data)
    assert _amounts(root) == EXPECTED
    budget = load_budget(2021, root).set_index("key")
    assert budget.at["revenue_total", "amount_as_written"] == written
    assert check(2021, root)["ok"].all()
    statements = load_statements(2021, root)
    totals = statements[statements["key"].isin(TOTALS)]
    assert set(totals["unit_as_written"]) == {unit}
    assert set(zip(totals["scope"], totals["phase"], strict=True)) == {("all_funds", "executed")}
    source = read_source(2021, root)
    assert (source.format, source.amount_unit_as_reported) == ("xlsx", unit)


WORD_TABLE = [
    ["收入", "收入", "支出", "支出"],  # a merged heading cell repeats in every column it spans
    ["项目", "决算数", "项目", "决算数"],
    ["本年收入合计", "580.00", "本年支出合计", "570.00"],
    ["其中：一般公共预算财政拨款收入", "500.00", "基本支出", "400.00"],
    ["年初结转和结余", "20.00", "年末结转和结余", "30.00"],
    ["收入总计", "600.00", "支出总计", "600.00"],
]


def test_a_word_overview_in_a_table(tmp_path):
    data = docx_bytes(["东岭镇人民政府2021年度部门决算", "一、收入支出决算总体情况",
                       "2021年度财政拨款收入总计500.00万元，财政拨款支出总计480.00万元。",
                       "单位：万元", WORD_TABLE, "二、其他说明"])
    root = _ingested(tmp_path, "决算.docx", data)
    amounts = _amounts(root)
    assert {k: amounts[k] for k in TOTALS} == {k: EXPECTED[k] for k in TOTALS}
    assert amounts["expenditure_basic"] == 400.0
    statements = load_statements(2021, root)
    fiscal = statements[statements["scope"] == "fiscal_appropriation"]
    assert dict(zip(fiscal["key"], fiscal["amount"], strict=True)) == {
        "revenue_total": 500.0, "expenditure_total": 480.0}  # kept, not taken for all funds
    assert read_source(2021, root).format == "docx"


PDF_TABLE = [
    ["项目", "决算数", "项目", "决算数"],
    ["本年收入合计", "5,800,000.00", "本年支出合计", "5,700,000.00"],
    ["年初结转和结余", "200,000.00", "年末结转和结余", "300,000.00"],
    ["收入总计", "6,000,000.00", "支出总计", "6,000,000.00"],
]


def test_a_pdf_with_a_ruled_total_table_in_yuan(tmp_path):
    pdf = pdfs_from_html({"t": html_page("东岭镇人民政府2021年度部门决算\n收入支出决算总表\n"
                                         "单位：元", table=PDF_TABLE)})["t"]
    root = _ingested(tmp_path, "决算.pdf", pdf)
    assert _amounts(root) == {k: EXPECTED[k] for k in TOTALS}
    assert read_source(2021, root).conversion == "amounts divided by 10000 from 元 to 万元"


def test_a_unit_named_only_in_the_column_headings(tmp_path):
    rows = total_table("元", lambda v: float(v * 10000))
    rows[1] = ["编制单位：东岭镇人民政府", None, None, None, None, None]  # no 金额单位 line
    rows[3] = ["项目", "行次", "金额（元）", "项目", "行次", "金额（元）"]
    root = _ingested(tmp_path, "表.xlsx", xlsx_bytes({"收入支出决算总表": rows}))
    assert _amounts(root) == EXPECTED


BUDGET_SHEET = [
    ["收支预算总表", None, None, None],
    ["单位名称：东岭镇人民政府", None, None, "单位：万元"],
    ["收入", None, "支出", None],
    ["项目", "预算数", "项目", "预算数"],
    ["一、一般公共预算拨款", 560.0, "一、基本支出", 400.0],
    ["二、财政专户拨款", 30.0, "二、项目支出", 190.0],
    ["本年收入合计", 590.0, "本年支出合计", 590.0],
    ["收入总计", 590.0, "支出总计", 590.0],
]


def test_a_budget_workbook_beside_a_word_report(tmp_path):
    report = docx_bytes(["东岭镇人民政府2021年度部门决算", "一、收入支出决算总体情况",
                         "单位：万元", WORD_TABLE])
    root = _ingested(tmp_path, "决算.docx", report)
    budget_file = tmp_path / "2021部门预算.xlsx"
    budget_file.write_bytes(xlsx_bytes({"收支预算总表": BUDGET_SHEET}))
    result = ingest(budget_file, 2021, root)
    assert result.phase == "budgeted" and result.source.format == "xlsx"
    assert (root / result.source.read_text_file).is_file()
    budgeted = load_statements(2021, root).query("stated_by == 'budget_document'")
    assert set(budgeted["phase"]) == {"budgeted"}
    assert dict(zip(budgeted["key"], budgeted["amount"], strict=True))[
        "expenditure_current_year"] == 590.0
    ratios = spending_ratios(2021, root).set_index("key")
    assert ratios.at["budget_execution_rate", "value_pct"] == pytest.approx(570 / 590 * 100)
