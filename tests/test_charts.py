"""Chart functions in this process: Chinese renders with no missing glyph, in both languages."""

import warnings

import pandas as pd
import pytest
from matplotlib.figure import Figure

import luoshi_analysis as la
from luoshi_analysis.analysis.views import statements_by_year
from luoshi_analysis.reports import plots
from luoshi_analysis.reports.fonts import CJK_FAMILY, cjk_font_path


def _all_charts(lang):
    budget = la.load_budget(2020)
    indicators = la.load_indicators(2020)
    yield plots.revenue_chart(la.revenue_structure(2020), lang)
    yield plots.spending_chart(la.spending_mix(2020), lang)
    yield plots.sources_uses_chart(la.sources_and_uses(budget), lang)
    yield plots.ratios_chart(la.spending_ratios(budget), lang)
    yield plots.headline_chart(la.headline_indicators(indicators), lang)
    for _, rows in indicators.groupby("section"):
        yield plots.section_chart(rows, lang)
    yield plots.budget_change_chart(la.budget_change(budget, budget, "revenue"), lang)
    by_year = statements_by_year(la.statements_over_years(), "revenue", 2020)
    earlier = by_year.assign(year=2019, source="later_report", later_report_year=2020)
    yield plots.statements_years_chart(pd.concat([earlier, by_year]), lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_draws_without_a_missing_glyph(lang, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        for i, fig in enumerate(_all_charts(lang)):
            assert isinstance(fig, Figure)
            fig.savefig(tmp_path / f"{i}.png")
            fig.savefig(tmp_path / f"{i}.svg")


def test_the_cjk_face_is_a_single_region_otf_of_the_simplified_chinese_font():
    path = cjk_font_path()
    assert path.suffix == ".otf" and "sc" in path.name.lower()
    from matplotlib import font_manager

    assert font_manager.FontProperties(fname=str(path)).get_name() == CJK_FAMILY


def test_a_font_without_chinese_is_caught(tmp_path):
    fig = Figure()
    fig.text(0.5, 0.5, "罗市镇", family="DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        fig.savefig(tmp_path / "boxes.png")
