"""The templates, executed for 2020 in both languages through `luoshi run`."""

import base64
import json
import re

import nbformat
import papermill
import pytest
from conftest import REPO, SEED_ONLY
from notebook_helpers import UNIT

from luoshi_analysis import load_budget, load_indicators
from luoshi_analysis.cli import main
from luoshi_analysis.reports.labels import format_figure

ALL_TEMPLATES = sorted((REPO / "notebooks").glob("*.ipynb"))


def _scope(template) -> str:
    """Return a template's scope: "unit" (one unit's data) or "collection" (all units at once)."""
    return json.loads(template.read_text("utf-8"))["metadata"]["luoshi"].get("scope", "unit")


# The templates of one unit; the collection's (peers, once a year over every unit, its pages in
# <outputs>/collection/<year>/) are tested in test_peers.py and below where a run makes them.
TEMPLATES = [p for p in ALL_TEMPLATES if _scope(p) == "unit"]
NAMES = [p.stem for p in TEMPLATES]
EXPECTED_FIGURES = {
    "revenue_structure": ["revenue_structure"],
    "spending_mix": ["spending_mix", "sources_and_uses", "spending_ratios"],
    # section (5) has no two figures of one unit: its figures are tiles, it has no chart
    "outcome_indicators": [f"section_{i}" for i in (1, 2, 3, 4, 6, 7, 8)],
}
# Anything a browser could fetch from elsewhere: src/href/url()/@import with a scheme or //.
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""",
                     re.IGNORECASE)
ANY_URL = re.compile(r"https?://[^\s\"'<>)]+")


def test_there_are_three_templates_of_a_unit_and_one_of_a_collection():
    assert NAMES == ["outcome_indicators", "revenue_structure", "spending_mix"]
    assert [p.stem for p in ALL_TEMPLATES if _scope(p) == "collection"] == ["peers"]


@pytest.mark.parametrize("template", TEMPLATES, ids=NAMES)
def test_template_parameters_and_no_outputs(template):
    params = papermill.inspect_notebook(str(template))
    assert list(params) == ["year", "lang", "output_dir", "data_dir", "figure_formats"]
    assert params["year"]["inferred_type_name"] == "int" and params["year"]["default"] == "2020"
    assert params["figure_formats"]["default"] == '"png"'
    assert params["lang"]["default"] == '"zh"'
    assert all(p["help"] for p in params.values()), "every parameter has a comment"
    nb = nbformat.read(template, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    after = nb.cells[nb.cells.index(tagged[0]) + 1]
    assert "notebook.start(" in after.source, "validation cell follows the parameters"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_bad_language_fails_in_the_validation_cell(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        papermill.execute_notebook(str(REPO / "notebooks" / "revenue_structure.ipynb"),
                                   str(tmp_path / "out.ipynb"), parameters={"lang": "fr"},
                                   progress_bar=False, kernel_name="python3")
    assert raised.value.ename == "ParameterError"
    assert "'fr' is not allowed" in raised.value.evalue and "zh, en" in raised.value.evalue
    # import guard (1), parameters cell (2), papermill's injected cell (3), then validation (4)
    assert raised.value.exec_count == 4, "fails in the cell right after the parameters"


def test_unknown_year_fails_listing_years(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        papermill.execute_notebook(str(REPO / "notebooks" / "spending_mix.ipynb"),
                                   str(tmp_path / "out.ipynb"), parameters={"year": 1999},
                                   progress_bar=False, kernel_name="python3")
    assert raised.value.ename == "UnknownYearError"
    assert "years with data are 2020" in raised.value.evalue


def test_every_page_and_figure_exists(report_run):
    outputs, code = report_run
    assert code == 0
    for name in NAMES:
        for lang in ("zh", "en"):
            assert (outputs / UNIT / "2020" / f"{name}_{lang}.html").is_file()
            for figure in EXPECTED_FIGURES[name]:
                path = outputs / UNIT / "2020" / "figures" / f"{name}_{figure}_{lang}.png"
                assert path.stat().st_size > 1000, path
    # each chart is drawn once by default: no vector copy unless asked for
    assert not list((outputs / UNIT / "2020" / "figures").glob("*.svg"))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_is_self_contained_with_each_chart_and_no_code(report_run, name, lang):
    outputs, _ = report_run
    page = (outputs / UNIT / "2020" / f"{name}_{lang}.html").read_text("utf-8")
    assert f'<html lang="{lang}">' in page
    for figure in EXPECTED_FIGURES[name]:
        png = (outputs / UNIT / "2020" / "figures" / f"{name}_{figure}_{lang}.png").read_bytes()
        assert base64.b64encode(png).decode() in page, f"{figure} not embedded"
    assert not re.search(r'class="[^"]*(jp-CodeMirrorEditor|highlight)[ "]', page), "code shown"
    assert "notebook.start(" not in page and "import luoshi_analysis" not in page
    assert not OUTSIDE.search(page), OUTSIDE.search(page)
    hosts = {u for u in ANY_URL.findall(page) if not u.startswith("http://www.w3.org/")}
    assert not hosts, hosts
    assert ("罗市镇人民政府2020年" if lang == "zh" else "People's Government of Luoshi Town: 2020"
            ) in page


def test_numbers_shown_match_the_tables(report_run):
    outputs, _ = report_run
    budget = load_budget(2020)
    revenue = (outputs / UNIT / "2020" / "revenue_structure_zh.html").read_text("utf-8")
    for _, row in budget[budget["direction"] == "revenue"].iterrows():
        assert f">{row['amount']:,.2f}<" in revenue, row["key"]
        assert row["label_zh"] in revenue
    indicators = load_indicators(2020)
    for lang in ("zh", "en"):
        page = (outputs / UNIT / "2020" / f"outcome_indicators_{lang}.html").read_text("utf-8")
        for _, row in indicators.iterrows():
            shown = format_figure(row["value"], row["unit"], row["qualifier"], lang,
                                  row["value_as_written"], row["source_fragment"])
            assert f">{shown}<" in page, (lang, row["key"], shown)
            assert row["source_fragment"].replace("“", "“") in page


def test_data_text_is_escaped(tmp_path, data_copy, monkeypatch):
    path = data_copy / "processed" / "2020" / "indicators.csv"
    path.write_text(path.read_text("utf-8").replace(
        "Houses demolished for the Zhongnong Guofa project", "<script>alert(1)</script>"), "utf-8")
    outputs = tmp_path / "out"
    assert main(["run", "--year", "2020", "--notebooks", "outcome_indicators", "--lang", "en",
                 "--outputs", str(outputs), "--quiet"]) == 0
    page = (outputs / UNIT / "2020" / "outcome_indicators_en.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_index_links_every_page_and_links_resolve(report_run):
    outputs, _ = report_run
    from urllib.parse import unquote

    index = (outputs / "index.html").read_text("utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    # the unit's own index and its six pages; the year's peers page (zh, en) in the unit's row
    # and again under the pages about every unit
    assert len(links) == 1 + 6 + 2 + 2
    for link in links:
        assert (outputs / unquote(link)).is_file(), link
    unit_index = (outputs / UNIT / "index.html").read_text("utf-8")
    for link in re.findall(r'href="([^"]+)"', unit_index):
        assert (outputs / UNIT / unquote(link)).resolve().is_file(), link


def test_manifest_records_parameters_versions_status_and_duration(report_run):
    outputs, _ = report_run
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert manifest["settings"]["years"] == {UNIT: [2020]}
    assert {"pandas", "matplotlib", "papermill", "nbconvert"} <= set(manifest["versions"])
    assert len(manifest["results"]) == 6 + 2  # the unit's six pages, the collection's peers pages
    assert all(r["status"] == "ok" and r["duration_s"] > 0 for r in manifest["results"])


def test_no_missing_glyph_in_any_kernel_log(report_run):
    outputs, _ = report_run
    logs = list((outputs / UNIT / "2020").glob(".*.log"))
    logs += list((outputs / "collection" / "2020").glob(".*.log"))  # the peers pages'
    assert len(logs) <= 6 + 2  # a kernel that said nothing leaves no (empty) log
    for log in logs:
        text = log.read_text("utf-8", errors="replace")
        assert text and "missing from" not in text, log


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_collection_page_is_self_contained_and_linked(report_run, lang):
    outputs, _ = report_run
    page = (outputs / "collection" / "2020" / f"peers_{lang}.html").read_text("utf-8")
    assert f'<html lang="{lang}">' in page
    assert page.count("data:image/png;base64,") >= 3  # structure (two sides) and ratios
    assert not OUTSIDE.search(page), OUTSIDE.search(page)
    assert "peer_notebook.start(" not in page
    assert f'href="collection/2020/peers_{lang}.html"' in (outputs / "index.html").read_text("utf-8")


def test_with_code_shows_code(tmp_path):
    outputs = tmp_path / "out"
    assert main(["run", *SEED_ONLY, "--year", "2020", "--notebooks", "spending_mix", "--lang", "zh",
                 "--with-code", "--outputs", str(outputs), "--quiet"]) == 0
    page = (outputs / UNIT / "2020" / "spending_mix_zh.html").read_text("utf-8")
    assert re.search(r'class="[^"]*jp-CodeMirrorEditor', page)
    assert "luoshi_analysis" in re.sub(r"<[^>]+>", "", page)


def _kernel_without_the_package(tmp_path, monkeypatch) -> str:
    """Register a kernel, for this test only, in which luoshi_analysis cannot be imported."""
    import sys

    folder = tmp_path / "jupyter" / "kernels" / "no-luoshi"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.exec_lines=import sys; sys.modules['luoshi_analysis'] = None"],
        "display_name": "Python without luoshi_analysis", "language": "python"}), "utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "no-luoshi"


def test_a_kernel_without_the_package_stops_at_the_first_cell_with_one_line(tmp_path,
                                                                            monkeypatch):
    kernel = _kernel_without_the_package(tmp_path, monkeypatch)
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        papermill.execute_notebook(str(REPO / "notebooks" / "revenue_structure.ipynb"),
                                   str(tmp_path / "out.ipynb"), progress_bar=False,
                                   kernel_name=kernel)
    assert raised.value.exec_count == 1, "stops at the first cell"
    assert len(raised.value.traceback) == 1, raised.value.traceback
    line = raised.value.traceback[0]
    assert "No module named luoshi_analysis" in line and "Python (luoshi-analysis)" in line
    assert "make lab" in line and "Traceback" not in line


def test_templates_hold_no_prose_of_both_languages():
    for template in ALL_TEMPLATES:
        nb = nbformat.read(template, as_version=4)
        assert [c.cell_type for c in nb.cells if c.cell_type != "code"] == [], template.name


def test_an_interactive_run_reads_in_one_language_and_leaves_published_figures(tmp_path,
                                                                             monkeypatch):
    from textcheck import mixed_language, page_text

    outputs = tmp_path / "outputs"
    monkeypatch.setenv("LUOSHI_OUTPUTS_DIR", str(outputs))
    published = outputs / UNIT / "2020" / "figures"
    published.mkdir(parents=True)
    (published / "revenue_structure_revenue_structure_en.png").write_bytes(b"published")
    nb = papermill.execute_notebook(
        str(REPO / "notebooks" / "revenue_structure.ipynb"), str(tmp_path / "run.ipynb"),
        parameters={"lang": "en"}, progress_bar=False, kernel_name="python3")
    assert (published / "revenue_structure_revenue_structure_en.png").read_bytes() == b"published"
    assert [p.name for p in published.iterdir()] == ["revenue_structure_revenue_structure_en.png"]
    scratch = outputs / "interactive" / "2020" / "figures"
    assert (scratch / "revenue_structure_revenue_structure_en.png").stat().st_size > 1000
    shown = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            shown.append(data.get("text/markdown") or data.get("text/html") or "")
    text = page_text("\n".join(shown), "en")
    assert "Sources of funds" in text
    assert not mixed_language(text, "en", ("People's Government of Luoshi Town",)), text
    assert str(scratch) in text, "the analyst is told where the figures went"


def test_another_units_data_folder_names_that_unit(tmp_path):
    from notebook_helpers import another_unit_data

    data = another_unit_data(tmp_path)
    outputs = tmp_path / "out"
    assert main(["--data-dir", str(data), "run", "--year", "2020", "--notebooks",
                 "spending_mix", "--outputs", str(outputs), "--quiet"]) == 0
    zh = (outputs / "青山乡人民政府" / "2020" / "spending_mix_zh.html").read_text("utf-8")
    en = (outputs / "青山乡人民政府" / "2020" / "spending_mix_en.html").read_text("utf-8")
    assert not (outputs / UNIT).exists()
    assert "<title>青山乡人民政府2020年" in zh and "罗市镇" not in zh
    assert "<title>Qingshan Township: 2020" in en and "Luoshi" not in en
    index = (outputs / "index.html").read_text("utf-8")
    assert "青山乡人民政府" in index and "Qingshan Township" in index and "罗市镇" not in index


def test_one_year_pages_say_statements_agree_and_nothing_to_compare(report_run):
    from textcheck import page_text

    outputs, _ = report_run
    for name in ("revenue_structure", "spending_mix"):
        zh = page_text((outputs / UNIT / "2020" / f"{name}_zh.html").read_text("utf-8"), "zh")
        en = page_text((outputs / UNIT / "2020" / f"{name}_en.html").read_text("utf-8"), "en")
        assert "报告中关于2020年的各处陈述彼此一致" in zh, name
        assert "The statements about 2020 agree with one another" in en, name
        assert "数据中没有2020年之前的年度，无法比较。" in zh, name
        assert "there is nothing to compare" in en, name
        assert "Amounts by year" not in en and "另一处原文" not in zh, name


# A 2021 report written for these tests in the report's form: its clauses state 2020's total
# (5,600.00 − 200.00 = 5,400.00, which differs from the 2020 report's 5,446.35) and 2019's
# revenue this year (4,248.29 − 300.00 = 3,948.29; there is no 2019 report), and it states
# 2021's revenue this year twice with different amounts (4,248.29 and 4,284.29).
REPORT_2021 = """2021年度邵阳市大祥区罗市镇人民政府

部门整体支出绩效评价报告

基本情况

（一）部门整体支出概况

2021年度收入总计5600.00万元，比上年增加200.00万元，其中年初结转和结余1351.71万元，\
本年收入合计4248.29万元，与2019年相比，本年收入合计增加300.00万元，其中财政拨款收入2100.00万元，\
占49.43%；其他收入2148.29万元，占50.57%；无上级补助收入、事业收入、经营收入、附属单位上缴收入。\
2021年度支出总计5600.00万元，其中年末结转和结余1400.00万元，本年支出合计4200.00万元，\
其中基本支出800.00万元，占19.05%；项目支出3400.00万元，占80.95%；\
无上缴上级支出、经营支出、对附属单位补助支出。

二、绩效评价工作情况

全年本年收入合计4284.29万元，已全部入账。
"""


@pytest.fixture(scope="module")
def later_report_outputs(tmp_path_factory):
    """Revenue and spending pages of 2020 and 2021 from data holding a 2021 report too."""
    from conftest import copy_seed

    from luoshi_analysis.ingest import ingest

    root = tmp_path_factory.mktemp("later_report")
    data = root / "data"
    copy_seed(data)
    report = root / "report_2021.txt"
    report.write_text(REPORT_2021, "utf-8")
    ingest(report, 2021, data)
    outputs = root / "outputs"
    assert main(["--data-dir", str(data), "run", "--year", "2020", "--year", "2021",
                 "--notebooks", "revenue_structure", "spending_mix", "--outputs", str(outputs),
                 "--quiet"]) == 0
    return outputs


def _rows(page: str) -> list[list[str]]:
    """Return the cells of every table row of a page, as text."""
    import html

    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_amounts_by_year_mark_those_from_a_later_reports_clause(later_report_outputs, lang):
    from textcheck import mixed_language, page_text

    outputs = later_report_outputs
    page = (outputs / UNIT / "2021" / f"revenue_structure_{lang}.html").read_text("utf-8")
    rows = _rows(page)
    revenue_this_year = "本年收入合计" if lang == "zh" else "Revenue this year"
    total = "收入总计" if lang == "zh" else "Total revenue"
    from_2021 = "2021年报告的同比表述" if lang == "zh" else "the 2021 report's year-on-year clause"
    own_2020 = "2020年报告" if lang == "zh" else "2020 report"
    assert [revenue_this_year, "2019", "3,948.29", from_2021, ""] in rows, rows
    # 2020 has a report of its own: its amount is shown, the clause's beside it
    assert [total, "2020", "5,446.35", own_2020, "5,400.00"] in rows
    assert [revenue_this_year, "2020", "4,112.15", own_2020, ""] in rows
    figure = outputs / UNIT / "2021" / "figures" / f"revenue_structure_revenue_years_{lang}.png"
    assert figure.stat().st_size > 1000
    assert base64.b64encode(figure.read_bytes()).decode() in page
    # the 2020 page shows the years up to 2020, with 2019 from the 2021 report
    page_2020 = (outputs / UNIT / "2020" / f"revenue_structure_{lang}.html").read_text("utf-8")
    assert [revenue_this_year, "2019", "3,948.29", from_2021, ""] in _rows(page_2020)
    assert "2021" not in [r[1] for r in _rows(page_2020) if len(r) == 5]
    for name in ("revenue_structure", "spending_mix"):
        for year in (2020, 2021):
            shown = page_text((outputs / UNIT / str(year) / f"{name}_{lang}.html").read_text("utf-8"),
                              lang)
            assert not mixed_language(shown, lang, ("罗市镇人民政府",
                                                    "People's Government of Luoshi Town"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_disagreeing_statements_show_both_fragments_in_the_pages_language(later_report_outputs,
                                                                          lang):
    outputs = later_report_outputs
    page = (outputs / UNIT / "2021" / f"revenue_structure_{lang}.html").read_text("utf-8")
    rows = _rows(page)
    if lang == "zh":
        inside = ["2021", "同一报告内两处陈述不符", "本年收入合计", "全部资金", "决算", "4,248.29",
                  "本年收入合计4248.29万元", "2021年报告第9行", "4,284.29",
                  "本年收入合计4284.29万元", "2021年报告第13行"]
    else:
        inside = ["2021", "two statements in one report disagree", "Revenue this year",
                  "all funds", "executed", "4,248.29", "本年收入合计4248.29万元",
                  "2021 report, line 9", "4,284.29", "本年收入合计4284.29万元",
                  "2021 report, line 13"]
    assert inside in rows, rows
    assert "disagree; kept" not in page, "the English message is not shown"
    # the 2021 clause about 2020 differs from the 2020 report: shown on the 2020 pages too
    clause = "收入总计5600.00万元，比上年增加200.00万元"
    for name in ("revenue_structure", "spending_mix"):
        page_2020 = (outputs / UNIT / "2020" / f"{name}_{lang}.html").read_text("utf-8")
        assert any(clause in row and "5,446.35" in row and "5,400.00" in row
                   for row in _rows(page_2020)), name


def test_vector_figures_only_when_asked_for(tmp_path):
    from luoshi_analysis.cli import main

    outputs = tmp_path / "outputs"
    code = main(["run", *SEED_ONLY, "--year", "2020", "--notebooks", "revenue_structure", "--lang", "en",
                 "--figure-formats", "png,svg", "--outputs", str(outputs), "--quiet"])
    assert code == 0
    figures = outputs / UNIT / "2020" / "figures"
    svgs = sorted(p.stem for p in figures.glob("*.svg"))
    assert svgs and svgs == sorted(p.stem for p in figures.glob("*.png"))
    assert all(b"<svg" in (figures / f"{stem}.svg").read_bytes()[:400] for stem in svgs)


def test_an_unknown_figure_format_is_one_line(tmp_path, capsys):
    from luoshi_analysis.cli import main

    code = main(["run", "--year", "2020", "--figure-formats", "png,gif",
                 "--outputs", str(tmp_path / "outputs"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "figure_formats 'png,gif' is not allowed" in err and len(err.splitlines()) == 1
