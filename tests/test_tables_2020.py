import pandas as pd
import pytest

from luoshi_analysis import check, load_budget, load_indicators, revenue_structure, spending_mix
from luoshi_analysis.analysis.fragments import fragment_violations, written_value
from luoshi_analysis.core.schema import QUALIFIERS, SECTIONS

# Expected overview, typed from the report's first paragraph (万元).
OVERVIEW = {
    "revenue_total": 5446.35, "revenue_carryover": 1334.20, "revenue_current_year": 4112.15,
    "revenue_fiscal_appropriation": 2018.84, "revenue_other": 2093.31,
    "revenue_higher_level_subsidy": 0, "revenue_public_service": 0, "revenue_operating": 0,
    "revenue_from_subsidiaries": 0,
    "expenditure_total": 5446.35, "expenditure_carryforward": 1351.71,
    "expenditure_current_year": 4094.64, "expenditure_basic": 775.34,
    "expenditure_project": 3319.30, "expenditure_to_higher_level": 0,
    "expenditure_operating": 0, "expenditure_to_subsidiaries": 0,
}


def test_budget_has_every_overview_line_with_the_reported_amount():
    budget = load_budget(2020).set_index("key")
    assert budget["amount"].to_dict() == pytest.approx(OVERVIEW)
    assert budget.loc["revenue_fiscal_appropriation", "stated_share_pct"] == 49.09
    assert budget.loc["expenditure_project", "stated_share_pct"] == 81.06
    zero = budget[budget["amount"] == 0]
    assert (zero["amount_as_written"] == "无").all() and len(zero) == 7


def test_every_figure_stands_in_its_fragment_and_each_fragment_once_in_the_report():
    assert [str(v) for v in fragment_violations(2020)] == []


def test_values_as_written_are_read_as_the_report_means_them():
    assert [written_value(w) for w in ("1123", "7.61", "两", "四", "十二", "无")] == [
        1123, 7.61, 2, 4, 12, 0]
    assert written_value("１１２３") is None and written_value("about 5") is None


def test_indicators_cover_all_eight_sections_with_allowed_vocabularies():
    indicators = load_indicators(2020)
    assert set(indicators["section"]) == set(SECTIONS) - {0}  # 0: reports without the eight
    assert set(indicators["qualifier"]) <= set(QUALIFIERS)
    assert len(indicators) >= 95


def test_qualifier_matches_the_words_of_the_fragment():
    marks = {"more_than": "余", "nearly": "近", "cumulative_total": "共达", "at_least": "以上",
             "rank": "第"}
    for _, row in load_indicators(2020).iterrows():
        mark = marks.get(row["qualifier"])
        if mark:
            assert mark in row["source_fragment"], row["key"]


def test_phrases_with_several_figures_give_one_row_each():
    indicators = load_indicators(2020).set_index("key")
    assert indicators.loc["canals_lined", ["value", "unit"]].tolist() == [5, "条"]
    assert indicators.loc["canals_lined_length", ["value", "unit"]].tolist() == [6500, "米"]
    assert indicators.loc["households_out_of_poverty", ["value", "unit"]].tolist() == [1123, "户"]
    assert indicators.loc["people_out_of_poverty", ["value", "unit"]].tolist() == [3245, "人"]


def test_2020_identities_and_stated_shares_hold():
    checks = check(2020)
    assert checks["ok"].all(), checks[~checks["ok"]]
    assert (checks["kind"] == "identity").sum() == 5
    assert (checks["kind"] == "stated_share").sum() == 4


def test_a_broken_identity_is_reported_not_corrected(data_copy):
    path = data_copy / "processed" / "2020" / "budget.csv"
    text = path.read_text("utf-8").replace(",775.34,775.34,", ",776.34,776.34,")
    path.write_text(text, "utf-8")
    checks = check(2020).set_index("check")
    row = checks.loc["sum:expenditure_current_year"]
    assert not row["ok"]
    assert row["difference"] == pytest.approx(-1.0)
    assert not checks.loc["share:expenditure_basic", "ok"]
    assert load_budget(2020).set_index("key").at["expenditure_basic", "amount"] == 776.34


def test_tolerance_admits_rounding_and_no_more(data_copy):
    path = data_copy / "processed" / "2020" / "budget.csv"
    text = path.read_text("utf-8")
    # 0.01 off: within the report's rounding; 0.02 off: a violation
    path.write_text(text.replace(",1334.20,1334.20,", ",1334.21,1334.21,"), "utf-8")
    assert check(2020).set_index("check").at["sum:revenue_total", "ok"]
    path.write_text(text.replace(",1334.20,1334.20,", ",1334.22,1334.22,"), "utf-8")
    assert not check(2020).set_index("check").at["sum:revenue_total", "ok"]
    path.write_text(text.replace(",49.09,", ",49.08,"), "utf-8")
    assert not check(2020).set_index("check").at["share:revenue_fiscal_appropriation", "ok"]


def test_structure_puts_computed_shares_beside_stated_ones():
    revenue = revenue_structure(2020).set_index("key")
    assert revenue.at["revenue_fiscal_appropriation", "share_of_parent_pct"] == pytest.approx(
        2018.84 / 4112.15 * 100)
    assert revenue.at["revenue_fiscal_appropriation", "stated_share_pct"] == 49.09
    spending = spending_mix(2020).set_index("key")
    assert spending.at["expenditure_carryforward", "share_of_total_pct"] == pytest.approx(
        1351.71 / 5446.35 * 100)
    assert pd.isna(spending.at["expenditure_total", "stated_share_pct"])


def test_figures_are_shown_as_the_report_words_them():
    from luoshi_analysis.reports.labels import format_figure, unit_label

    assert format_figure(3, "万亩", "nearly", "zh", "3") == "近3万亩"
    assert format_figure(2, "万亩", "more_than", "zh", "2") == "2万余亩"
    assert format_figure(200, "万元", "more_than", "zh", "200", "整治资金200余万元") == "200余万元"
    assert format_figure(43, "个", "cumulative_total", "zh", "43") == "共达43个"
    assert format_figure(3, "名次", "rank", "zh", "3") == "第3"
    assert format_figure(3, "万亩", "nearly", "en") == "nearly 30,000 mu"
    assert format_figure(34, "万元", "more_than", "en") == "over 340,000 yuan"
    assert format_figure(83.15, "%", "exact", "en") == "83.15%"
    assert unit_label("万元", "en") == "×10,000 yuan" and unit_label("万元", "zh") == "万元"


def test_shaping_functions_take_a_year_or_a_table():
    from luoshi_analysis import headline_indicators, sources_and_uses, spending_ratios

    budget = load_budget(2020)
    assert spending_ratios(2020).equals(spending_ratios(budget))
    assert sources_and_uses(2020).equals(sources_and_uses(budget))
    ratios = spending_ratios(2020).set_index("key")["value_pct"]
    assert ratios["project_spending_share"] == pytest.approx(3319.30 / 4094.64 * 100)
    assert ratios["carryforward_rate"] == pytest.approx(1351.71 / 5446.35 * 100)
    assert sources_and_uses(2020)["amount"].sum() == pytest.approx(2 * 5446.35)
    assert headline_indicators(2020)["key"].iloc[0] == "people_out_of_poverty"
