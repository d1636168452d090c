"""What a reader finds on the pages: figures as tiles or charts, one denominator, unreviewed marks."""

import csv
import io
import re

import pandas as pd
import pytest
from notebook_helpers import UNIT

import luoshi_analysis as la
from luoshi_analysis.cli import main
from luoshi_analysis.reports import plots
from luoshi_analysis.reports.figures import shown_figure, split_section
from luoshi_analysis.reports.tables import share_table, table_html

SHARE = re.compile(r"· ([0-9.]+)%")


@pytest.mark.parametrize("chart, titles", [
    (plots.spending_chart, ("占支出总计的百分比", "占本年支出合计的百分比")),
    (plots.revenue_chart, ("占收入总计的百分比", "占本年收入合计的百分比")),
])
def test_each_panel_has_one_denominator_named_in_its_title(chart, titles):
    frame = la.spending_mix(2020) if chart is plots.spending_chart else la.revenue_structure(2020)
    fig = chart(frame, "zh")
    panels = [ax for ax in fig.axes if ax.patches]
    assert len(panels) == 2
    for ax, base in zip(panels, titles, strict=True):
        assert base in ax.get_title(loc="left"), ax.get_title(loc="left")
        shares = [float(m) for t in ax.texts for m in SHARE.findall(t.get_text())]
        assert len(shares) >= 2 and abs(sum(shares) - 100) < 0.02, shares


def test_sections_chart_only_figures_that_share_a_unit_and_tile_the_rest():
    indicators = la.load_indicators(2020)
    charted_keys, tiled_keys = set(), set()
    for _, rows in indicators.groupby("section"):
        charted, tiles = split_section(rows)
        assert len(charted) + len(tiles) == len(rows)
        assert (charted.groupby("unit").size() >= 2).all(), "no one-bar axis"
        assert not (charted["qualifier"] == "rank").any(), "a rank is never a bar"
        charted_keys |= set(charted["key"])
        tiled_keys |= set(tiles["key"])
        if len(charted):
            fig = plots.section_chart(charted, "zh")
            assert all(len(ax.patches) >= 2 for ax in fig.axes)
    assert "public_security_poll_rank_district" in tiled_keys and "people_out_of_poverty" in charted_keys


def test_count_axes_have_whole_number_ticks():
    rows = la.load_indicators(2020)
    rows = rows[rows["unit"] == "人"].head(2).assign(value=[1.0, 2.0], value_as_written=["1", "2"])
    fig = plots.section_chart(rows, "zh")
    ticks = fig.axes[0].get_xticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


def test_table_numbers_are_right_aligned_and_figures_whole():
    frame = pd.DataFrame({"name_zh": ["生猪出栏"], "name_en": ["Hogs"], "value_previous": [14400.0],
                          "value_current": [18000.0], "change_pct": [25.0]})
    html = table_html(frame, "zh", figures=("value_previous", "value_current"))
    assert '<td class="num">18,000</td>' in html and '<td class="num">14,400</td>' in html
    assert '<td class="num">25.00</td>' in html and "18,000.00" not in html
    assert '<td>生猪出栏</td>' in html and '<th scope="col" class="num">' in html


def test_each_share_in_a_table_stands_beside_what_it_is_a_share_of():
    table = share_table(la.revenue_structure(2020)).set_index("label_zh")
    assert table.at["财政拨款收入", "share_base_zh"] == "本年收入合计"
    assert table.at["年初结转和结余", "share_base_zh"] == "收入总计"
    assert "占比分母" in table_html(share_table(la.revenue_structure(2020)), "zh")


def test_headline_figures_are_text_on_the_page(report_run):
    outputs, _ = report_run
    for lang in ("zh", "en"):
        page = (outputs / UNIT / "2020" / f"outcome_indicators_{lang}.html").read_text("utf-8")
        for _, row in la.headline_indicators(2020).iterrows():
            name, figure = row[f"name_{lang}"], shown_figure(row, lang)
            assert f"<dt>{name}</dt><dd>{figure}</dd>" in page, (lang, name, figure)


@pytest.fixture(scope="module")
def unreviewed_outputs(tmp_path_factory):
    """Pages of a data folder in which three indicator rows are not yet reviewed."""
    from conftest import copy_seed

    root = tmp_path_factory.mktemp("unreviewed")
    data = copy_seed(root / "data")
    path = data / "processed" / "2020" / "indicators.csv"
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    keys = ["people_out_of_poverty", "grain_area", "public_security_poll_rank_district"]
    for row in rows[1:]:
        if row[rows[0].index("key")] in keys:
            row[rows[0].index("reviewed")] = "false"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    outputs = root / "outputs"
    assert main(["--data-dir", str(data), "run", "--year", "2020", "--notebooks",
                 "outcome_indicators", "--outputs", str(outputs), "--quiet"]) == 0
    return outputs


@pytest.mark.parametrize("lang, mark, note", [("zh", "未复核", "本页有3项指标尚未经人工复核"),
                                              ("en", "unreviewed", "3 figure(s) on this page")])
def test_unreviewed_figures_are_marked_on_every_page_in_its_language(unreviewed_outputs, lang,
                                                                     mark, note):
    page = next(unreviewed_outputs.rglob(f"2020/outcome_indicators_{lang}.html")).read_text("utf-8")
    assert note in page
    names = la.load_indicators(2020).set_index("key")[f"name_{lang}"]
    bracket = "（{}）" if lang == "zh" else " ({})"
    for key in ("people_out_of_poverty", "grain_area", "public_security_poll_rank_district"):
        # the tile and the detail table mark the name
        assert f'{names[key]} <mark class="luoshi-unreviewed">{mark}</mark>' in page, key
        assert f"<td>{names[key]}{bracket.format(mark)}</td>" in page, key
    # and the chart's text alternative (脱贫人数 is charted in section 3)
    alts = re.findall(r'alt="([^"]*)"', page)
    assert any(names["people_out_of_poverty"] + bracket.format(mark) in a for a in alts), alts
    reviewed = names["households_out_of_poverty"]
    assert f"{reviewed}{bracket.format(mark)}" not in page, "a reviewed row is not marked"


def test_the_index_counts_the_unreviewed_figures_of_each_year(unreviewed_outputs):
    for index in (unreviewed_outputs / "index.html", next(unreviewed_outputs.glob("*/index.html"))):
        markup = index.read_text("utf-8")
        assert '<td class="num" data-sort="3"><span class="luoshi-bad">3</span></td>' in markup, index
