"""Units of a collection side by side: the peers table, its charts and the peers template."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from conftest import DATA, REPO, copy_seed
from textcheck import drawn_texts, mixed_language, overlapping_texts, page_text, texts_outside

import luoshi_analysis as la
from luoshi_analysis.analysis.peers import (
    AMOUNT_KEYS,
    EXPENDITURE_SHARES,
    PEERS,
    REVENUE_SHARES,
    peer_change,
)
from luoshi_analysis.core.collection import units
from luoshi_analysis.core.errors import UnknownYearError
from luoshi_analysis.ingest import ingest
from luoshi_analysis.reports import peer_plots, peer_tables
from luoshi_analysis.reports.labels import texts

LUOSHI = ("罗市镇人民政府", "People's Government of Luoshi Town")
QINGSHAN, BAISHUI, NANLING = "青山乡人民政府", "白水镇卫生院", "南岭街道办事处"
NAMES = (*LUOSHI, QINGSHAN, BAISHUI, NANLING)


def final_accounts(name: str, year: int, unit: str, a: dict[str, str], extra: str = "") -> str:
    """Return a 部门决算 text in the national form with the amounts as written in a."""
    return (
        f"{name}{year}年度部门决算\n\n第二部分 {year}年度部门决算情况说明\n"
        f"一、收入支出决算总体情况说明\n"
        f"{year}年度收入总计{a['rt']}{unit}，其中年初结转和结余{a['rc']}{unit}，"
        f"本年收入合计{a['rcy']}{unit}，其中财政拨款收入{a['fa']}{unit}，占{a['fa_pct']}%；"
        f"其他收入{a['oth']}{unit}，占{a['oth_pct']}%；无上级补助收入、事业收入、经营收入、"
        f"附属单位上缴收入。{year}年度支出总计{a['rt']}{unit}，其中年末结转和结余{a['ec']}{unit}，"
        f"本年支出合计{a['ecy']}{unit}，其中基本支出{a['b']}{unit}，占{a['b_pct']}%；"
        f"项目支出{a['p']}{unit}，占{a['p_pct']}%；无上缴上级支出、经营支出、对附属单位补助支出。\n"
        f"{extra}")


QINGSHAN_2019 = dict(rt="1,000.00", rc="100.00", rcy="900.00", fa="800.50", fa_pct="88.94",
                     oth="99.50", oth_pct="11.06", ec="119.75", ecy="880.25", b="300.00",
                     b_pct="34.08", p="580.25", p_pct="65.92")
QINGSHAN_2020 = dict(rt="1,219.75", rc="119.75", rcy="1,100.00", fa="1,000.10", fa_pct="90.92",
                     oth="99.90", oth_pct="9.08", ec="150.00", ecy="1,069.75", b="320.40",
                     b_pct="29.95", p="749.35", p_pct="70.05")
# In 元; the report states 财政拨款收入 at 70.00% where it is 62.39%: one check fails.
BAISHUI_2020 = dict(rt="9,042,345.61", rc="1,012,345.61", rcy="8,030,000.00", fa="5,010,000.00",
                    fa_pct="70.00", oth="3,020,000.00", oth_pct="37.61", ec="550,000.00",
                    ecy="8,492,345.61", b="4,000,000.00", b_pct="47.10", p="4,492,345.61",
                    p_pct="52.90")
OUTCOMES = "三、绩效分析\n3、效益性分析\n（4）民生保障。全年门诊人次12345人次，住院患者1024人。\n"
NANLING_BUDGET_2020 = """南岭街道办事处2020年部门预算

第二部分 2020年部门预算情况说明
一、部门收支总体情况
（一）收入预算：2020年年初预算数612.40万元，其中：一般公共预算拨款580.40万元，财政专户拨款32.00万元。
（二）支出预算：2020年年初预算数612.40万元，其中：基本支出402.10万元，项目支出210.30万元。
"""


def _ingest(folder: Path, name: str, year: int, report: str) -> None:
    path = folder.parent / f"{name}_{year}.txt"
    path.write_text(report, "utf-8")
    ingest(path, year, root=folder)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four units of 2020: the shipped town, a township (also 2019), a clinic and a budget.

    The clinic reports in 元, states one share wrongly and has unreviewed outcome figures; the
    sub-district has only its 部门预算.
    """
    base = tmp_path_factory.mktemp("peers")
    folder = base / "collection"
    copy_seed(folder / LUOSHI[0])
    for year, amounts in ((2019, QINGSHAN_2019), (2020, QINGSHAN_2020)):
        _ingest(folder / QINGSHAN, QINGSHAN, year, final_accounts(QINGSHAN, year, "万元", amounts))
    _ingest(folder / BAISHUI, BAISHUI, 2020,
            final_accounts(BAISHUI, 2020, "元", BAISHUI_2020, OUTCOMES))
    _ingest(folder / NANLING, NANLING, 2020, NANLING_BUDGET_2020)
    return folder


@pytest.fixture(scope="module")
def table(collection: Path) -> pd.DataFrame:
    return la.peers(2020, collection)


def _row(table: pd.DataFrame, unit: str) -> pd.Series:
    rows = table[table["unit"] == unit]
    assert len(rows) == 1, unit
    return rows.iloc[0]


# --- the table ---------------------------------------------------------------------------------

def test_one_row_per_unit_with_the_year_in_the_collections_order(collection, table):
    order = [u.name for u in units(collection)]  # by folder name
    assert sorted(order) == sorted([BAISHUI, NANLING, LUOSHI[0], QINGSHAN])
    assert list(table["unit"]) == order
    assert list(table.columns) == PEERS.columns
    assert list(la.peers(2019, collection)["unit"]) == [QINGSHAN]


def test_amounts_are_each_units_own_report_exactly(collection, table):
    for unit in units(collection):
        row = _row(table, unit.name)
        if row["phase"] != "executed":
            continue
        budget = la.load_budget(2020, unit.folder).set_index("key")["amount"]
        for key in AMOUNT_KEYS:
            if key in budget.index:
                assert row[key] == budget[key], (unit.name, key)  # equal, not close
            else:
                assert math.isnan(row[key]), (unit.name, key)
    assert _row(table, LUOSHI[0])["revenue_total"] == 5446.35
    clinic = _row(table, BAISHUI)  # written in 元, converted at ingest, every decimal kept
    assert clinic["revenue_total"] == 904.234561 and clinic["amount_unit_as_reported"] == "元"
    assert clinic["expenditure_current_year"] == 849.234561


def test_shares_add_to_100_and_name_what_they_are_shares_of(table):
    assert all(c.endswith("_pct_of_revenue_current_year") for c in REVENUE_SHARES)
    assert all(c.endswith("_pct_of_expenditure_current_year") for c in EXPENDITURE_SHARES)
    for _, row in table.iterrows():
        for columns in (REVENUE_SHARES, EXPENDITURE_SHARES):
            assert row[list(columns)].sum() == pytest.approx(100, abs=0.01), row["unit"]
    town = _row(table, LUOSHI[0])
    assert town["revenue_fiscal_appropriation_pct_of_revenue_current_year"] == pytest.approx(
        2018.84 / 4112.15 * 100)
    assert town["carryforward_rate_pct"] == pytest.approx(1351.71 / 5446.35 * 100)
    assert math.isnan(town["budget_execution_rate_pct"])


def test_a_budget_only_year_is_marked_budgeted_never_mixed_silently(table):
    budget = _row(table, NANLING)
    assert budget["phase"] == "budgeted" and budget["current_year_is_total"]
    assert budget["revenue_total"] == 612.4 and budget["expenditure_current_year"] == 612.4
    assert budget["expenditure_basic_pct_of_expenditure_current_year"] == pytest.approx(
        402.10 / 612.40 * 100)
    assert budget["checks_ok"] and budget["checks_failed"] == 0  # its budget's identities hold
    assert set(table.loc[table["unit"] != NANLING, "phase"]) == {"executed"}
    assert peer_plots.peer_text("budget_suffix", "zh") in peer_plots.unit_label(budget, "zh")


def test_failing_checks_and_unreviewed_figures_are_flagged(table):
    clinic = _row(table, BAISHUI)
    assert clinic["checks_ok"] is False or not clinic["checks_ok"]
    assert clinic["checks_failed"] == 1 and clinic["rows_unreviewed"] == 2
    town = _row(table, LUOSHI[0])
    assert town["checks_ok"] and town["rows_unreviewed"] == 0
    assert list(peer_tables.flagged(table)["unit"]) == [BAISHUI]
    label = peer_plots.unit_label(clinic, "en")
    assert peer_plots.CHECKS_MARK in label and peer_plots.UNREVIEWED_MARK in label
    note = peer_plots.marks_note(table, "en")
    assert f"checks fail: {BAISHUI}" in note and f"not yet reviewed: {BAISHUI}" in note


def test_sources_and_the_budget_execution_scope(collection, table):
    town = _row(table, LUOSHI[0])
    assert town["source_title"] == la.read_source(2020, DATA).title
    assert town["source_kind"] == "performance_evaluation" and town["unit_en"] == LUOSHI[1]
    # the town's report states no budget beside the outturn: no execution rate
    assert town["budget_execution_scope"] == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reader_tables_right_align_numbers_and_show_a_dash_for_none(table, lang):
    shown = peer_tables.table_html(peer_tables.ratio_table(table, lang), lang)
    head = re.findall(r"<th([^>]*)>([^<]*)</th>", shown)
    aligned = {name for attrs, name in head if 'class="num"' in attrs}
    assert peer_tables.heading("revenue_total", lang) in aligned
    assert peer_tables.heading("unit", lang) not in aligned
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", shown)
    assert any(attrs == ' class="num"' and text == "5,446.35" for attrs, text in cells)
    # the town states no budget beside its outturn: its execution rate is a dash, never blank
    town_row = next(r for r in shown.split("<tr>") if "5,446.35" in r)
    assert "<td></td>" not in town_row and '<td class="num"></td>' not in town_row
    assert re.search(r'<td( class="num")?>–</td>', town_row)


def test_a_side_no_unit_splits_is_a_sentence_not_an_empty_chart(table, tmp_path, monkeypatch):
    from luoshi_analysis.reports import peer_notebook

    shown: list[object] = []
    monkeypatch.setattr(peer_notebook, "_display", shown.append)
    ctx = peer_notebook.start("peers", 2020, "zh", str(tmp_path / "figures"))
    totals_only = table.assign(**{c: float("nan") for c in REVENUE_SHARES})
    ctx.structure(totals_only, "revenue")
    assert len(shown) == 1 and "没有单位的报告分类列出本年收入" in shown[0].data
    assert not list((tmp_path / "figures").glob("*"))  # no chart drawn
    shown.clear()
    ctx.structure(table, "revenue")
    assert (tmp_path / "figures" / "peers_revenue_structure_zh.png").is_file()
    assert any("luoshi-table" in str(getattr(item, "data", "")) for item in shown)


def test_over_years_and_the_change_of_totals_exactly(collection):
    over = la.peers_over_years(collection)
    expected = [(u.name, y) for u in units(collection) for y in ((2019, 2020) if u.name == QINGSHAN
                                                                 else (2020,))]
    assert list(zip(over["unit"], over["year"], strict=True)) == expected
    change = peer_change(over, 2020)
    assert set(change["unit"]) == {QINGSHAN}  # the only unit with 2019 and 2020
    total = change[change["key"] == "revenue_total"].iloc[0]
    assert (total["amount_previous"], total["amount_current"], total["change"]) == (
        1000.0, 1219.75, 219.75)
    assert total["change_pct"] == pytest.approx(21.975)


def test_an_unknown_year_names_the_years_some_unit_has(collection):
    with pytest.raises(UnknownYearError, match="years with data are 2019, 2020"):
        la.peers(2018, collection)


def test_the_field_dictionary_names_type_and_unit_of_every_column():
    fields = {f.name: f for f in PEERS.fields}
    for key in AMOUNT_KEYS:
        assert fields[key].unit == "万元" and fields[key].type == "number"
    for column in REVENUE_SHARES + EXPENDITURE_SHARES + ("carryforward_rate_pct",):
        assert fields[column].unit == "%"
    assert all(f.description for f in PEERS.fields)
    assert PEERS.descriptor()["primaryKey"] == ["year", "unit"]


# --- charts -----------------------------------------------------------------------------------

def _charts(table: pd.DataFrame, change: pd.DataFrame, lang: str):
    yield peer_plots.structure_chart(table, "revenue", lang)
    yield peer_plots.structure_chart(table, "expenditure", lang)
    yield peer_plots.ratio_chart(table, lang)
    yield peer_plots.change_chart(change, table, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_are_in_one_language_and_draw_no_text_over_text(collection, table, lang):
    change = peer_change(la.peers_over_years(collection), 2020)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a failure
        for fig in _charts(table, change, lang):
            texts = [t for t, _ in drawn_texts(fig)]
            assert not [m for t in texts for m in mixed_language(t, lang, NAMES)], texts
            assert not overlapping_texts(fig), (fig.get_suptitle(), overlapping_texts(fig))
            assert not texts_outside(fig), (fig.get_suptitle(), texts_outside(fig))
            drawn = "\n".join(texts)
            if BAISHUI in drawn:  # the change chart shows only the units with the year before
                assert f"{BAISHUI} {peer_plots.CHECKS_MARK}{peer_plots.UNREVIEWED_MARK}" in drawn
                assert peer_plots.peer_text("mark_checks", lang, names=BAISHUI) in drawn


def _many_units(table: pd.DataFrame, count: int) -> pd.DataFrame:
    """A synthetic year of `count` units with long names, some flagged, some budgeted."""
    rng = np.random.default_rng(16)
    base = table[table["unit"] == LUOSHI[0]].iloc[0].to_dict()
    rows = []
    for i in range(count):
        fiscal, basic = float(rng.uniform(5, 95)), float(rng.uniform(5, 95))
        rows.append(base | {
            "unit": f"{'东南西北'[i % 4]}{i}号测试乡镇人民政府卫生院",
            "unit_en": f"Test Unit No. {i} of the County" if i % 2 else "",
            "revenue_fiscal_appropriation_pct_of_revenue_current_year": fiscal,
            "revenue_other_pct_of_revenue_current_year": 100 - fiscal,
            "expenditure_basic_pct_of_expenditure_current_year": basic,
            "expenditure_project_pct_of_expenditure_current_year": 100 - basic,
            "carryforward_rate_pct": float(rng.uniform(0, 40)),
            "budget_execution_rate_pct": float(rng.uniform(80, 120)) if i % 3 else math.nan,
            "checks_ok": bool(i % 7), "checks_failed": int(i % 7 == 0),
            "rows_unreviewed": int(i % 5 == 0), "phase": "budgeted" if i % 11 == 0 else "executed",
        })
    return pd.DataFrame(rows).astype(table.dtypes.to_dict())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_forty_units_draw_without_overlap_and_the_figure_grows(table, lang):
    many = _many_units(table, 40)
    earlier = many.assign(year=2019, revenue_total=many["revenue_total"] * 0.9,
                          expenditure_current_year=many["expenditure_current_year"] * 1.05)
    change = peer_change(pd.concat([earlier, many]), 2020)
    for fig in _charts(many, change, lang):
        assert fig.get_size_inches()[1] > 40 * peer_plots.ROW_IN
        assert not overlapping_texts(fig), (fig.get_suptitle(), overlapping_texts(fig)[:3])
        assert not texts_outside(fig), (fig.get_suptitle(), texts_outside(fig)[:3])
    three = peer_plots.ratio_chart(_many_units(table, 3), lang)
    assert three.get_size_inches()[1] < 6 and not overlapping_texts(three)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_peers_text_is_in_its_language(lang):
    for table_name in ("peers", "peer_columns", "peer_phases"):
        for key, shown in texts(lang)[table_name].items():
            filled = re.sub(r"\{\w+\}", "1", shown)
            assert not mixed_language(filled, lang), (table_name, key)


# --- the template -----------------------------------------------------------------------------

def _shown(nb: nbformat.NotebookNode) -> tuple[str, list[str], list[str]]:
    """Return a run notebook's text outputs, its stream outputs and its errors."""
    shown, streams, errors = [], [], []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            shown.append(data.get("text/markdown") or data.get("text/html") or "")
            if output.get("output_type") == "stream":
                streams.append(output["text"])
            if output.get("output_type") == "error":
                errors.append(output["ename"])
    return "\n".join(shown), streams, errors


def test_the_template_is_parameterised_like_the_others():
    template = REPO / "notebooks" / "peers.ipynb"
    params = papermill.inspect_notebook(str(template))
    assert list(params) == ["year", "lang", "output_dir", "collection_dir", "figure_formats"]
    assert all(p["help"] for p in params.values())
    nb = nbformat.read(template, as_version=4)
    assert nb.metadata["luoshi"] == {"report_template": "peers", "scope": "collection"}
    assert all(c.cell_type == "code" and not c.outputs and c.execution_count is None
               for c in nb.cells)
    guard = nbformat.read(REPO / "notebooks" / "spending_mix.ipynb", as_version=4).cells[0].source
    assert nb.cells[0].source.split("\nexcept")[1] == guard.split("\nexcept")[1]
    assert "peer_notebook.start(" in nb.cells[2].source
    assert "peers" in texts("zh")["notebook_titles"] and "peers" in texts("en")["notebook_titles"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_compares_the_units_in_one_language(collection, tmp_path, lang):
    figures = tmp_path / "figures"
    nb = papermill.execute_notebook(
        str(REPO / "notebooks" / "peers.ipynb"), str(tmp_path / "peers.ipynb"),
        parameters={"year": 2020, "lang": lang, "collection_dir": str(collection),
                    "output_dir": str(figures)}, progress_bar=False, kernel_name="python3")
    shown, streams, errors = _shown(nb)
    assert not errors and not any("missing from" in s or "Glyph" in s for s in streams), streams
    for name in ("revenue_structure", "expenditure_structure", "ratios", "change"):
        assert (figures / f"peers_{name}_{lang}.png").stat().st_size > 1000, name
    text = page_text(shown, lang)
    assert not mixed_language(text, lang, NAMES + (DATA.name,)), mixed_language(text, lang, NAMES)
    assert ("比较4个单位" if lang == "zh" else "compares 4 units") in text
    assert ("5,446.35" in text and "904.234561" in text and "1,219.75" in text)
    assert BAISHUI in shown and QINGSHAN in shown
    if lang == "en":  # Chinese names and titles are marked as Chinese on an English page
        assert f'<span lang="zh">{BAISHUI}</span>' in shown


@pytest.mark.slow
def test_the_template_runs_with_its_defaults_on_a_collection_of_one(tmp_path, monkeypatch):
    monkeypatch.setenv("LUOSHI_OUTPUTS_DIR", str(tmp_path / "outputs"))
    nb = papermill.execute_notebook(
        str(REPO / "notebooks" / "peers.ipynb"), str(tmp_path / "peers.ipynb"),
        progress_bar=False, kernel_name="python3")
    shown, _streams, errors = _shown(nb)
    assert not errors
    assert "比较需要两个或更多单位" in page_text(shown, "zh")
    scratch = tmp_path / "outputs" / "interactive" / "collection" / "2020" / "figures"
    assert (scratch / "peers_ratios_zh.png").is_file()
