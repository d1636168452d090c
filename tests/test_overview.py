"""The overview parser on the forms real reports take: scopes, phases, units, clauses, tables.

Every text here was written for these tests (own units, own numbers) in the forms found in
published 部门决算 / 部门预算 / 整体支出绩效 reports.
"""

from decimal import Decimal

import pytest
from conftest import RAW_2020
from overview_eval import evaluate

from luoshi_analysis import (
    IngestError,
    load_budget,
    load_statements,
    ratios_not_available,
    spending_ratios,
    statement_violations,
    statements_over_years,
)
from luoshi_analysis.cli import main
from luoshi_analysis.ingest import ingest
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.overview import parse_overview
from luoshi_analysis.ingest.sections import split_sections


def _parse(text: str, year: int = 2021):
    return parse_overview(normalize(text), year)


def _amounts(text: str, year: int = 2021) -> dict[tuple, str]:
    """(year, scope, phase, key) -> amount in 万元 as written in the CSV, first statement each."""
    out: dict[tuple, str] = {}
    for row in _parse(text, year).statements.itertuples():
        out.setdefault((row.year, row.scope, row.phase, row.key), row.amount)
    return out


# -- sections ------------------------------------------------------------------------------------

def test_sections_know_their_scope_and_phase_and_skip_contents_lines():
    text = ("某镇2022年度部门决算\n目录\n一、收入支出决算总体情况说明 PAGEREF _Toc1 h 3\n"
            "第二部分 2022年度部门决算情况说明\n（一）财政拨款收入支出决算总体情况说明\n正文。\n"
            "1.一般公共预算财政拨款支出决算情况说明\n正文。\n(二)政府性基金预算支出决算情况\n"
            "七、财政拨款“三公”经费支出决算情况说明\n十、政府采购支出情况\n"
            "一、部门收支预算总表\n")
    parts = {s.heading: (s.kind, s.scope, s.phase) for s in split_sections(text)}
    assert parts["财政拨款收入支出决算总体情况说明"] == ("money", "fiscal_appropriation", "executed")
    assert parts["一般公共预算财政拨款支出决算情况说明"] == (
        "money", "general_public_budget", "executed")
    assert parts["政府性基金预算支出决算情况"][1:] == ("government_funds", "executed")
    assert parts["财政拨款“三公”经费支出决算情况说明"][1] == "three_public_expenses"
    assert parts["政府采购支出情况"][0] == "other"
    assert parts["部门收支预算总表"] == ("table", "all_funds", "budgeted")
    assert parts["收入支出决算总体情况说明"][0] == "money"  # the contents line, page number gone


# -- scopes --------------------------------------------------------------------------------------

FISCAL_FIRST = (
    "2021年度财政拨款收入总计812.40万元，财政拨款支出总计806.10万元。2021年度收入总计930.75万元，"
    "其中年初结转和结余20.35万元，本年收入合计910.40万元。2021年度支出总计930.75万元，其中本年支出"
    "合计901.20万元，年末结转和结余29.55万元。一般公共预算财政拨款支出790.00万元，政府性基金预算"
    "财政拨款支出16.10万元，国有资本经营预算财政拨款支出0万元。")


def test_a_line_name_inside_a_scoped_name_is_not_that_line():
    result = _parse(FISCAL_FIRST)
    assert not result.disagreements
    budget = result.budget.set_index("key")
    assert budget.loc["revenue_total", "amount"] == "930.75"
    assert budget.loc["expenditure_total", "amount"] == "930.75"
    assert budget.loc["expenditure_current_year", "amount"] == "901.20"
    found = _amounts(FISCAL_FIRST)
    assert found[(2021, "fiscal_appropriation", "executed", "revenue_total")] == "812.40"
    assert found[(2021, "fiscal_appropriation", "executed", "expenditure_total")] == "806.10"
    assert found[(2021, "general_public_budget", "executed", "expenditure_current_year")] == "790.00"
    assert found[(2021, "government_funds", "executed", "expenditure_current_year")] == "16.10"
    assert found[(2021, "state_capital", "executed", "expenditure_current_year")] == "0"


def test_a_section_gives_its_scope_to_plain_line_names():
    text = ("一、支出决算情况说明\n本年支出合计500.00万元，其中基本支出300.00万元，项目支出200.00万元。\n"
            "二、一般公共预算财政拨款基本支出决算情况说明\n基本支出280.00万元，其中人员经费250.00万元，"
            "公用经费30.00万元。\n三、“三公”经费支出决算情况\n“三公”经费支出6.00万元，其中公务接待费"
            "2.00万元。\n四、政府采购支出情况\n政府采购支出总额40.00万元，支出总计40.00万元。\n")
    found = _amounts(text)
    assert found[(2021, "all_funds", "executed", "expenditure_basic")] == "300.00"
    assert found[(2021, "general_public_budget", "executed", "expenditure_basic")] == "280.00"
    assert found[(2021, "general_public_budget", "executed", "expenditure_public_funds")] == "30.00"
    assert found[(2021, "three_public_expenses", "executed", "expenditure_current_year")] == "6.00"
    assert found[(2021, "three_public_expenses", "executed", "public_expenses_reception")] == "2.00"
    assert (2021, "all_funds", "executed", "expenditure_total") not in found  # 政府采购: skipped


# -- units and clauses ---------------------------------------------------------------------------

def test_yuan_with_two_decimals_and_no_wan_and_clauses_after_another_figure():
    text = ("2021年度本单位收入总额7,206,310.40元，其中本年收入6,914,210.40元，年初结转和结余"
            "292,100.00元。支出总额7206310.40元，本年支出6,800,000.00元，年末结转和结余406,310.40元。")
    result = _parse(text)
    budget = result.budget.set_index("key")
    assert budget.loc["revenue_total", ["amount", "amount_as_written"]].tolist() == [
        "720.63104", "7,206,310.40"]
    assert budget.loc["revenue_carryover", "amount"] == "29.21"
    assert budget.loc["expenditure_total", "amount"] == "720.63104"
    assert result.units == {"元"}
    row = result.statements.set_index("key").loc["revenue_carryover"]
    assert row["unit_as_written"] == "元" and row["source_fragment"] == "年初结转和结余292,100.00元"


def test_clause_wan_and_yi_forms():
    found = _amounts("本年收入434.16万元，年初结转和结余0.55万元；经营收入 0.00 万，为事业单位的收入。"
                     "收入总计1.2亿元。")
    assert found[(2021, "all_funds", "executed", "revenue_current_year")] == "434.16"
    assert found[(2021, "all_funds", "executed", "revenue_carryover")] == "0.55"
    assert found[(2021, "all_funds", "executed", "revenue_operating")] == "0.00"
    assert found[(2021, "all_funds", "executed", "revenue_total")] == "12000.00"


def test_shares_none_and_both_totals_with_their_scope():
    text = ("财政拨款收、支总计各为300.00、290.00万元。收入、支出总计均为420.00万元。本年收入合计400.00万元，"
            "其中财政拨款收入300.00万元，占75.00%；无事业收入、经营收入。")
    statements = _parse(text).statements
    fiscal = statements[statements["scope"] == "fiscal_appropriation"].set_index("key")
    assert fiscal.loc[["revenue_total", "expenditure_total"], "amount"].tolist() == [
        "300.00", "290.00"]
    own = statements[statements["scope"] == "all_funds"].set_index("key")
    assert own.loc["expenditure_total", "amount"] == "420.00"
    assert own.loc["revenue_fiscal_appropriation", "stated_share_pct"] == "75.00"
    assert own.loc["revenue_operating", ["amount", "amount_as_written"]].tolist() == ["0", "无"]


# -- disagreement --------------------------------------------------------------------------------

TYPO = ("2022年度收入总计1,867.48万元，其中年初结转和结余96.20万元，本年收入合计1,771.28万元。"
        "2022年度支出总计,867.48万元，其中年末结转和结余101.05万元，本年支出合计1,766.43万元。\n"
        "收、支总计均为1,867.48万元。\n")


def test_a_typo_is_kept_reported_and_the_identities_choose():
    result = _parse(TYPO, 2022)
    rows = result.statements[result.statements["key"] == "expenditure_total"]
    assert rows["amount_as_written"].tolist() == [",867.48", "1,867.48"]
    assert result.budget.set_index("key").loc["expenditure_total", "amount"] == "1867.48"
    [d] = result.disagreements
    assert (d.key, d.kept, d.kept_line, d.other, d.other_line) == (
        "expenditure_total", "收、支总计均为1,867.48万元", 2, "支出总计,867.48万元", 1)
    assert "identities" in d.reason


def test_with_no_identity_to_decide_the_first_statement_is_kept():
    result = _parse("一、收入决算情况\n财政拨款收入500.00万元。\n二、财政拨款收入支出决算总体情况\n"
                    "财政拨款收入505.00万元。\n")
    assert result.budget.set_index("key").loc["revenue_fiscal_appropriation", "amount"] == "500.00"
    [d] = result.disagreements
    assert (d.kept_line, d.other_line, d.reason) == (2, 4, "stated first; no identity decides")


def test_disagreement_reaches_the_summary_validate_and_notebooks(data_copy, tmp_path, capsys):
    report = tmp_path / "typo.txt"
    report.write_text(TYPO, "utf-8")
    assert main(["ingest", str(report), "--year", "2022"]) == 0
    out = capsys.readouterr().out
    assert "1 disagree" in out and "DISAGREEMENT 2022 支出总计" in out and "(line 1)" in out
    assert main(["validate", "--year", "2022"]) == 1
    err = capsys.readouterr().err
    assert "VIOLATION 2022 statements:" in err and "'支出总计,867.48万元' (line 1)" in err
    violations = statement_violations(2022)
    assert violations[["check", "kept_line", "other_line"]].values.tolist() == [
        ["disagreement", 2, 1]]
    assert load_budget(2022).set_index("key").loc["expenditure_total", "amount"] == 1867.48


def test_only_a_text_with_no_overview_is_refused():
    with pytest.raises(IngestError, match="no budget overview"):
        _parse("2021年度工作总结：全年走访农户300户。")
    assert not _parse("一般公共预算财政拨款支出80.00万元。").statements.empty
    # an overview written under a heading of another part is read rather than refused
    other = _parse("一、部门整体支出绩效目标\n2021年度收入总计300.00万元。\n").budget
    assert other["amount"].tolist() == ["300.00"]
    # a table with neither title nor unit, when nothing else states an overview
    bare = _parse("某中心2021年\n本年收入合计\t500.00\t本年支出合计\t480.00\n").budget
    assert bare["amount"].tolist() == ["500.00", "480.00"]


# -- budget phase --------------------------------------------------------------------------------

BUDGET_DOC = (
    "西岭镇人民政府2023年部门预算\n一、部门收支总体情况\n（一）收入预算：2023年年初预算数520.40万元，"
    "其中：一般公共预算拨款500.40万元，财政专户拨款20.00万元。\n（二）支出预算：2023年年初预算数"
    "520.40万元，其中：基本支出400.00万元，项目支出120.40万元。\n二、“三公”经费预算情况\n"
    "2023年“三公”经费预算4.00万元，比上年减少0.50万元。\n")


def test_a_budget_document_states_budgeted_amounts_only():
    result = _parse(BUDGET_DOC, 2023)
    assert result.budget.empty  # nothing executed: budget.csv stays without lines
    found = _amounts(BUDGET_DOC, 2023)
    assert found[(2023, "all_funds", "budgeted", "revenue_total")] == "520.40"
    assert found[(2023, "all_funds", "budgeted", "revenue_fiscal_general_budget")] == "500.40"
    assert found[(2023, "all_funds", "budgeted", "revenue_fiscal_special_account")] == "20.00"
    assert found[(2023, "all_funds", "budgeted", "expenditure_total")] == "520.40"
    assert found[(2023, "all_funds", "budgeted", "expenditure_project")] == "120.40"
    assert found[(2023, "three_public_expenses", "budgeted", "expenditure_current_year")] == "4.00"
    assert found[(2022, "three_public_expenses", "budgeted", "expenditure_current_year")] == "4.50"


BOTH_PHASES = (
    "2022年度部门整体支出绩效自评报告\n一、部门整体支出概况\n2022年度收入总计600.00万元，本年收入合计"
    "600.00万元。本年支出合计年初预算数560.00万元，调整预算数580.00万元，决算数551.00万元。"
    "年末结转和结余49.00万元。\n"
    "二、“三公”经费情况\n“三公”经费年初预算5.00万元，决算数4.00万元。\n")


def test_budget_phase_ratios_where_a_report_states_both(tmp_path):
    found = _amounts(BOTH_PHASES, 2022)
    key = "expenditure_current_year"
    assert [found[(2022, "all_funds", p, key)] for p in ("budgeted", "adjusted", "executed")] == [
        "560.00", "580.00", "551.00"]
    report = tmp_path / "both.txt"
    report.write_text(BOTH_PHASES, "utf-8")
    root = tmp_path / "data"
    ingest(report, 2022, root)
    ratios = spending_ratios(2022, root).set_index("key")["value_pct"]
    assert ratios["budget_execution_rate"] == pytest.approx(551 / 580 * 100)
    assert ratios["budget_adjustment_rate"] == pytest.approx(20 / 560 * 100)
    assert ratios["three_public_expenses_control_rate"] == pytest.approx(80.0)
    assert ratios["carryforward_rate_of_budget"] == pytest.approx(49 / 580 * 100)
    missing = set(ratios_not_available(2022, root)["name_zh"])
    assert "预算调整率" not in missing and "预算完成率 / 预算执行率" not in missing
    assert "公用经费控制率" in missing
    assert "预算调整率" in set(ratios_not_available(2020)["name_zh"])


# -- flattened tables ----------------------------------------------------------------------------

def test_a_table_with_tabs_row_numbers_and_one_unit():
    text = ("收入支出决算总表\n单位：万元\n项目\t行次\t金额\n一、财政拨款收入\t1\t1,203.50\n"
            "二、事业收入\t2\t\n八、其他收入\t8\t16.50\n本年收入合计\t27\t1,220.00\n年初结转和结余\t29\t30.00\n总计\t30\t1,250.00\n"
            "本年支出合计\t57\t1,210.00\n年末结转和结余\t59\t40.00\n总计\t60\t1,250.00\n")
    budget = _parse(text).budget.set_index("key")["amount"].to_dict()
    assert budget == {
        "revenue_total": "1250.00", "revenue_carryover": "30.00", "revenue_current_year": "1220.00",
        "revenue_fiscal_appropriation": "1203.50", "revenue_other": "16.50",
        "expenditure_total": "1250.00", "expenditure_carryforward": "40.00",
        "expenditure_current_year": "1210.00"}  # 事业收入 has no value: not stated


def test_several_rows_per_line_separated_by_spaces_in_yuan():
    text = ("收入支出决算总表\n金额单位：元\n收入 金额 支出 金额\n"
            "本年收入合计 2,500,000.00 本年支出合计 2,400,000.00\n"
            "年初结转和结余 100,000.00 年末结转和结余 200,000.00\n总计 2,600,000.00 总计 2,600,000.00\n")
    result = _parse(text)
    budget = result.budget.set_index("key")
    assert budget["amount"].to_dict() == {
        "revenue_total": "260.00", "revenue_carryover": "10.00", "revenue_current_year": "250.00",
        "expenditure_total": "260.00", "expenditure_carryforward": "20.00",
        "expenditure_current_year": "240.00"}
    assert budget.loc["revenue_carryover", "source_fragment"] == "年初结转和结余 100,000.00"
    assert result.units == {"元"}


def test_table_columns_give_the_phase_and_unexplained_numbers_are_not_guessed():
    text = ("收支决算表\n单位：万元\n项目\t年初预算数\t调整预算数\t决算数\n基本支出\t300.00\t310.00\t305.50\n"
            "项目支出  100.00  120.00\n本年支出合计 405.50 万元\n")
    found = _amounts(text)
    assert [found[(2021, "all_funds", p, "expenditure_basic")]
            for p in ("budgeted", "adjusted", "executed")] == ["300.00", "310.00", "305.50"]
    assert not any(k[3] == "expenditure_project" for k in found)  # 2 numbers, 3 columns
    assert found[(2021, "all_funds", "executed", "expenditure_current_year")] == "405.50"


# -- year on year --------------------------------------------------------------------------------

def test_year_on_year_clauses_are_statements_about_the_year_before():
    text = ("一、收入支出决算总体情况说明\n2021年度收入总计800.00万元，比上年增加50.00万元，增长6.67%；"
            "支出总计800.00万元，与上年持平。\n二、财政拨款收入支出决算总体情况说明\n财政拨款收、支总计均为"
            "700.00万元。与2020年度相比，财政拨款收、支总计各减少20.00万元。\n"
            "三、一般公共预算财政拨款支出决算情况说明\n一般公共预算财政拨款支出650.00万元。与上年相比，"
            "一般公共预算财政拨款支出减少15.00万元，下降2.26%。\n四、财政拨款“三公”经费支出决算情况说明\n"
            "“三公”经费财政拨款支出决算为9.00万元，完成预算的90.00%，较上年减少1.00万元。\n")
    statements = _parse(text).statements
    earlier = statements[statements["year"] == 2020].set_index(["scope", "key"])
    assert set(earlier["stated_by"]) == {"later_report"}
    assert earlier.loc[("all_funds", "revenue_total"), "amount"] == "750.00"
    assert earlier.loc[("all_funds", "expenditure_total"), "amount"] == "800.00"
    assert earlier.loc[("fiscal_appropriation", "revenue_total"), "amount"] == "720.00"
    assert earlier.loc[("general_public_budget", "expenditure_current_year"), "amount"] == "665.00"
    assert earlier.loc[("three_public_expenses", "expenditure_current_year"), "amount"] == "10.00"
    assert "800.00万元 − 50.00万元" in earlier.loc[("all_funds", "revenue_total"), "derivation"]
    assert _parse(text).budget.set_index("key").loc["revenue_total", "amount"] == "800.00"


def test_multi_year_view_and_validate_flag_a_later_clause_that_disagrees(data_copy, tmp_path,
                                                                         capsys):
    report = tmp_path / "2021.txt"
    report.write_text("2021年度收入总计5600.00万元，比上年增加150.00万元；支出总计5600.00万元，"
                      "比上年增加153.65万元。本年收入合计4200.00万元，比上年增加87.85万元。", "utf-8")
    assert main(["ingest", str(report), "--year", "2021"]) in (0, 1)
    capsys.readouterr()
    view = statements_over_years().set_index(["year", "scope", "phase", "key"])
    own = view.loc[(2020, "all_funds", "executed", "revenue_total")]
    assert (own["source"], own["own_report_amount"], own["later_report_amount"]) == (
        "own_report", 5446.35, 5450.00)
    assert own["amount"] == 5446.35  # the own report is never overwritten
    assert view.loc[(2020, "all_funds", "executed", "expenditure_total"), "later_report_amount"] \
        == 5446.35
    assert load_budget(2020).set_index("key").loc["revenue_total", "amount"] == 5446.35
    violations = statement_violations(2020)
    assert violations[["check", "key", "other_report"]].values.tolist() == [
        ["year_on_year", "revenue_total", 2021]]
    assert main(["validate", "--year", "2020"]) == 1
    assert "the 2021 report's year-on-year clause gives 5450.00" in capsys.readouterr().err


def test_a_year_with_no_report_of_its_own_appears_in_the_view(tmp_path):
    report = tmp_path / "2022.txt"
    report.write_text("2022年度收入总计300.00万元，比上年减少25.50万元。", "utf-8")
    root = tmp_path / "data"
    ingest(report, 2022, root)
    view = statements_over_years(root)
    row = view[view["year"] == 2021].iloc[0]
    assert (row["key"], row["amount"], row["source"], row["has_own_report"]) == (
        "revenue_total", 325.5, "later_report", False)
    assert row["later_report_year"] == 2022


# -- the 2020 report and the evaluation corpus ---------------------------------------------------

def test_2020_text_gives_the_curated_budget_and_the_committed_statements():
    result = _parse(RAW_2020.read_text("utf-8"), 2020)
    curated = load_budget(2020)
    parsed = result.budget
    assert parsed["key"].tolist() == curated["key"].tolist()
    assert [Decimal(a) for a in parsed["amount"]] == [Decimal(str(a)) for a in curated["amount"]]
    assert parsed["source_fragment"].tolist() == curated["source_fragment"].tolist()
    assert not result.disagreements
    committed = load_statements(2020)
    assert committed["source_fragment"].tolist() == result.statements["source_fragment"].tolist()
    assert all(f in RAW_2020.read_text("utf-8") for f in committed["source_fragment"])


def test_own_texts_in_many_forms_are_recovered():
    outcome = evaluate()
    assert outcome.refused == []
    assert outcome.share >= 0.95, outcome.missed


def test_wordings_between_a_name_and_its_amount():
    found = _amounts("2021年度全年实现收入300.00万元，年初结转和结余资金20.00万元，收入总计金额为人民币"
                     "320.00万元；全年累计支出290.00万元（占比90.63%），同比减少5.00万元。")
    assert found[(2021, "all_funds", "executed", "revenue_current_year")] == "300.00"
    assert found[(2021, "all_funds", "executed", "revenue_carryover")] == "20.00"
    assert found[(2021, "all_funds", "executed", "revenue_total")] == "320.00"
    assert found[(2021, "all_funds", "executed", "expenditure_current_year")] == "290.00"
    assert found[(2020, "all_funds", "executed", "expenditure_current_year")] == "295.00"


def test_the_statements_table_is_printed_by_the_tables_command(capsys):
    assert main(["tables", "--year", "2020", "--table", "statements", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("year,report_year,statement,scope,phase,key")
    assert len(lines) == 1 + len(load_statements(2020))


def test_the_areas_economy_is_not_the_units_budget():
    result = _parse("一、部门整体支出概况\n2021年度收入总计300.00万元。\n三、主要绩效及评价结论\n"
                    "全镇财政总收入5000万元，全镇总收入8000万元，农民人均可支配收入18000元，"
                    "村集体经济收入10万元，全年实现财政收入1200万元。\n")
    assert result.statements["amount"].tolist() == ["300.00"]
    assert not result.disagreements



def test_table_columns_can_name_scopes_per_side():
    text = ("财政拨款收入支出决算总表\n单位：万元\n"
            "项目\t行次\t金额\t项目\t行次\t合计\t一般公共预算财政拨款\t政府性基金预算财政拨款\n"
            "本年收入合计\t6\t900.00\t本年支出合计\t40\t880.00\t800.00\t80.00\n")
    found = _amounts(text)
    assert found[(2021, "fiscal_appropriation", "executed", "revenue_current_year")] == "900.00"
    assert found[(2021, "fiscal_appropriation", "executed", "expenditure_current_year")] == "880.00"
    assert found[(2021, "general_public_budget", "executed", "expenditure_current_year")] == "800.00"
    assert found[(2021, "government_funds", "executed", "expenditure_current_year")] == "80.00"


def test_an_earlier_years_amount_written_out_is_stated_by_a_later_report():
    result = _parse("2019年度收入总计500.00万元，2020年度收入总计540.00万元。", 2020)
    rows = result.statements.set_index("year")
    assert rows.loc[2019, "stated_by"] == "later_report"
    assert rows.loc[2020, "stated_by"] == "this_report"
    assert result.budget["amount"].tolist() == ["540.00"] and not result.disagreements
