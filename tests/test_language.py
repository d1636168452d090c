"""One language per page and per chart, and no text drawn over other text in a chart."""

import re

import pandas as pd
import pytest
from matplotlib.figure import Figure
from notebook_helpers import UNIT
from textcheck import mixed_language, overlapping_texts, page_text, texts_outside

import luoshi_analysis as la
from luoshi_analysis.analysis.views import statements_by_year
from luoshi_analysis.reports import notebook, plots
from luoshi_analysis.reports.labels import LANGS, prose, texts

NAMES = ("罗市镇人民政府", "People's Government of Luoshi Town")


def _charts(lang):
    issuer = NAMES[0 if lang == "zh" else 1]
    budget = la.load_budget(2020)
    indicators = la.load_indicators(2020)
    yield plots.revenue_chart(la.revenue_structure(2020), lang, issuer)
    yield plots.spending_chart(la.spending_mix(2020), lang, issuer)
    yield plots.sources_uses_chart(la.sources_and_uses(budget), lang, issuer)
    yield plots.ratios_chart(la.spending_ratios(budget), lang, issuer)
    yield plots.headline_chart(la.headline_indicators(indicators), lang, issuer)
    for _, rows in indicators.groupby("section"):
        yield plots.section_chart(rows, lang, issuer)
    # a previous year with other amounts and values, so that every change is drawn
    earlier = budget.assign(year=2019, amount=budget["amount"] * 0.9)
    yield plots.budget_change_chart(la.budget_change(earlier, budget, "revenue"), lang, issuer)
    older = indicators.assign(year=2019, value=indicators["value"] * 0.8 + 1)
    yield plots.indicator_change_chart(la.indicator_change(older, indicators), lang, issuer)
    yield plots.statements_years_chart(_amounts_by_year(), lang, issuer)


def _amounts_by_year() -> pd.DataFrame:
    """2020's revenue lines, a 2019 known only from a later clause, and a differing clause."""
    by_year = statements_by_year(la.statements_over_years(), "revenue", 2020)
    earlier = by_year.assign(year=2019, amount=by_year["amount"] * 0.9, source="later_report",
                             later_report_year=2020)
    return pd.concat([earlier, by_year.assign(clause_amount=by_year["amount"] - 1)],
                     ignore_index=True)


def _violations() -> pd.DataFrame:
    """One disagreement within a report and one year-on-year clause that differs."""
    from luoshi_analysis.analysis.checks import VIOLATION_COLUMNS

    return pd.DataFrame([
        [2020, "disagreement", "revenue_current_year", "all_funds", "executed", 4112.15, 4121.15,
         "本年收入合计4112.15万元", 2020, 9, "本年收入合计4121.15万元", 2020, 30, "message"],
        [2020, "year_on_year", "expenditure_personnel", "fiscal_appropriation", "budgeted", 1.0,
         2.0, "人员经费1.00万元", 2020, 9, "人员经费2.00万元，比上年增加1.00万元", 2021, 3,
         "message"],
    ], columns=VIOLATION_COLUMNS)


def _texts(fig: Figure) -> list[str]:
    from textcheck import drawn_texts

    return [t for t, _ in drawn_texts(fig)]


# --- the checkers themselves catch what they are for -------------------------------------

def test_checker_flags_chinese_in_english_and_english_in_chinese():
    assert mixed_language("Amount (10k yuan) 万元", "en")
    assert mixed_language("2,018.84 · 49.09%（stated 49.09%）", "en"), "full-width brackets"
    assert not mixed_language("the overview paragraph (部门整体支出概况) in “万元”", "en")
    assert mixed_language("口径 needs the approved and adjusted budget", "zh")
    assert mixed_language("无法计算的原因：Definition", "zh")
    assert not mixed_language("收入总计 5,446.35 万元，占 49.09%（sum:revenue_total）", "zh")
    assert not mixed_language("罗市镇人民政府 People's Government of Luoshi Town", "zh",
                              names=NAMES)


def test_checker_flags_text_drawn_over_text():
    fig = Figure(figsize=(4, 2))
    fig.text(0.1, 0.5, "Amount (10k yuan)")
    fig.text(0.15, 0.5, "Stated as none (0) in the report")
    assert overlapping_texts(fig)
    apart = Figure(figsize=(4, 2))
    apart.text(0.1, 0.2, "Amount (10k yuan)")
    apart.text(0.1, 0.7, "Stated as none (0) in the report")
    assert not overlapping_texts(apart)


# --- charts -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_is_in_one_language(lang):
    for fig in _charts(lang):
        texts = _texts(fig)
        assert texts, "the chart draws text"
        mixed = [m for t in texts for m in mixed_language(t, lang, NAMES)]
        assert not mixed, (fig.get_suptitle(), mixed)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_chart_draws_text_over_text_or_off_the_edge(lang):
    for fig in _charts(lang):
        overlaps = overlapping_texts(fig)
        assert not overlaps, (fig.get_suptitle(), overlaps)
        assert not texts_outside(fig), (fig.get_suptitle(), texts_outside(fig))


# --- texts, tables and pages ----------------------------------------------------------------

def test_both_languages_have_the_same_texts():
    def keys(tree: dict, prefix: str = "") -> set[str]:
        return {f"{prefix}{k}" for k, v in tree.items() if not isinstance(v, dict)} | {
            key for k, v in tree.items() if isinstance(v, dict) for key in keys(v, f"{prefix}{k}.")}

    zh, en = (keys(texts(lang)) for lang in LANGS)
    assert zh == en, sorted(zh ^ en)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_label_and_prose_block_is_in_its_language(lang):
    index = 0 if lang == "zh" else 1
    for key, shown in texts(lang)["text"].items():
        filled = re.sub(r"\{\w+\}", "1", shown)  # placeholders take numbers or names
        assert not mixed_language(filled, lang, NAMES), key
    for name, blocks in texts(lang)["prose"].items():
        for key in blocks:
            shown = prose(name, key, lang, issuer=NAMES[index])
            assert not mixed_language(shown, lang, NAMES), (name, key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_scope_phase_kind_line_and_heading_is_in_its_language(lang):
    from luoshi_analysis.core.lines import BY_KEY, EXTRA_KEYS
    from luoshi_analysis.core.schema import PHASES, SCOPES
    from luoshi_analysis.reports.labels import line_label, pick

    assert set(SCOPES) <= set(texts(lang)["scopes"]) and set(PHASES) <= set(texts(lang)["phases"])
    for table in ("columns", "phases", "scopes", "violations"):
        for key in texts(lang)[table]:
            assert not mixed_language(pick(table, key, lang), lang), key
    for key in [*BY_KEY, *EXTRA_KEYS]:
        shown = line_label(key, lang)
        assert shown != key and not mixed_language(shown, lang), key


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_shown_in_a_page_are_in_one_language(lang):
    budget = la.load_budget(2020)
    frames = [
        la.spending_ratios(budget)[["name_zh", "name_en", "value_pct", "formula_zh",
                                    "formula_en"]],
        la.ratios_not_available(),
        la.revenue_structure(2020)[["label_zh", "label_en", "amount", "share_of_parent_pct",
                                    "stated_share_pct", "share_difference_pct"]],
        notebook.indicator_table(la.load_indicators(2020), lang),
        notebook.violations_table(_violations(), lang),
        notebook.statements_by_year_table(_amounts_by_year(), lang),
    ]
    for frame in frames:
        text = page_text(notebook.table_html(frame, lang), lang)
        assert not mixed_language(text, lang, NAMES), list(frame.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exported_pages_are_in_one_language(report_run, lang):
    outputs, _ = report_run
    pages = sorted((outputs / UNIT / "2020").glob(f"*_{lang}.html"))
    assert len(pages) == 3
    pages += sorted((outputs / "collection" / "2020").glob(f"*_{lang}.html"))  # peers
    assert len(pages) == 4
    for page in pages:
        text = page_text(page.read_text("utf-8"), lang)
        assert len(text.strip()) > 200, page
        assert not mixed_language(text, lang, NAMES), (page.name, mixed_language(text, lang,
                                                                                   NAMES)[:5])


def test_english_page_marks_its_chinese_quotations(report_run):
    outputs, _ = report_run
    page = (outputs / UNIT / "2020" / "outcome_indicators_en.html").read_text("utf-8")
    fragment = la.load_indicators(2020)["source_fragment"].iloc[0]
    assert f'<span lang="zh">{fragment}</span>' in page


@pytest.fixture(scope="module")
def two_year_outputs(tmp_path_factory):
    """Pages of 2020 from a data folder that also holds 2019, so every comparison is drawn."""
    import json
    import shutil

    from conftest import copy_seed

    from luoshi_analysis.cli import main

    root = tmp_path_factory.mktemp("two_years")
    data = root / "data"
    copy_seed(data)
    earlier = data / "processed" / "2019"
    shutil.copytree(data / "processed" / "2020", earlier)
    (earlier / "statements.csv").unlink()  # a year ingested before statements were kept
    for name, column, scale in (("budget.csv", "amount", 1.0), ("indicators.csv", "value", 0.8)):
        frame = pd.read_csv(earlier / name, dtype=str, keep_default_na=False)
        frame["year"] = "2019"
        frame[column] = [f"{float(v) * scale:.2f}" for v in frame[column]]
        frame.to_csv(earlier / name, index=False)
    package = earlier / "datapackage.json"
    descriptor = json.loads(package.read_text("utf-8"))
    descriptor["sources"][0]["year"] = 2019
    package.write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")
    outputs = root / "outputs"
    assert main(["--data-dir", str(data), "run", "--year", "2020", "--outputs", str(outputs),
                 "--quiet"]) == 0
    return outputs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_comparing_two_years_are_in_one_language(two_year_outputs, lang):
    figures = two_year_outputs / UNIT / "2020" / "figures"
    for name in ("revenue_structure_revenue_change", "spending_mix_spending_change",
                 "outcome_indicators_indicator_change"):
        assert (figures / f"{name}_{lang}.png").is_file(), name
    for page in sorted((two_year_outputs / UNIT / "2020").glob(f"*_{lang}.html")):
        text = page_text(page.read_text("utf-8"), lang)
        assert not mixed_language(text, lang, NAMES), (page.name, mixed_language(text, lang,
                                                                                   NAMES)[:5])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_of_pages_comparing_two_years_has_alt_text_in_its_language(two_year_outputs,
                                                                               lang):
    import html
    import re

    from luoshi_analysis.engine.browser import alt_problems

    charts = 0
    for page in sorted((two_year_outputs / UNIT / "2020").glob(f"*_{lang}.html")):
        markup = page.read_text("utf-8")
        images = re.findall(r"<img ([^>]*)>", markup)
        alts = [re.search(r'alt="([^"]*)"', i) for i in images]
        found = [(html.unescape(a.group(1)) if a else None, "data:image/png") for a in alts]
        assert alt_problems(found, lang) == [], page.name
        charts += len(images)
        if page.name.startswith("revenue_structure"):
            change = next(a for a, _ in found if a and ("2019" in a and "2020" in a))
            assert ("2019年" in change) if lang == "zh" else (" in 2019" in change), change
    # with the year-on-year charts: revenue 1 + 1, spending 3 + 1, outcome 7 + 1
    assert charts == 14


def test_every_framework_ratio_and_reason_has_both_languages():
    from luoshi_analysis.analysis.ratios import (
        BUDGET_PHASE_RATIOS,
        CARRYFORWARD_OF_BUDGET,
        RATIOS,
        RATIOS_NOT_AVAILABLE,
    )

    for ratio in (*RATIOS, *BUDGET_PHASE_RATIOS, CARRYFORWARD_OF_BUDGET):
        assert ratio.name_zh and ratio.name_en and ratio.formula_zh and ratio.formula_en, ratio.key
        assert not mixed_language(ratio.formula_en, "en", NAMES), ratio.key
    for item in RATIOS_NOT_AVAILABLE:
        assert item.why_zh and item.why_en and not mixed_language(item.why_en, "en", NAMES), item
