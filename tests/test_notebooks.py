"""The templates, executed for 2020 in both languages through `luoshi run`."""

import base64
import json
import re

import nbformat
import papermill
import pytest
from conftest import REPO

from luoshi_analysis import load_budget, load_indicators
from luoshi_analysis.cli import main
from luoshi_analysis.labels import format_figure

TEMPLATES = sorted((REPO / "notebooks").glob("*.ipynb"))
NAMES = [p.stem for p in TEMPLATES]
EXPECTED_FIGURES = {
    "revenue_structure": ["revenue_structure"],
    "spending_mix": ["spending_mix", "sources_and_uses", "spending_ratios"],
    "outcome_indicators": ["headline"] + [f"section_{i}" for i in range(1, 9)],
}
# Anything a browser could fetch from elsewhere: src/href/url()/@import with a scheme or //.
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""",
                     re.IGNORECASE)
ANY_URL = re.compile(r"https?://[^\s\"'<>)]+")


def test_there_are_three_templates():
    assert NAMES == ["outcome_indicators", "revenue_structure", "spending_mix"]


@pytest.mark.parametrize("template", TEMPLATES, ids=NAMES)
def test_template_parameters_and_no_outputs(template):
    params = papermill.inspect_notebook(str(template))
    assert list(params) == ["year", "lang", "output_dir", "data_dir"]
    assert params["year"]["inferred_type_name"] == "int" and params["year"]["default"] == "2020"
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
            assert (outputs / "2020" / f"{name}_{lang}.html").is_file()
            for figure in EXPECTED_FIGURES[name]:
                for suffix in ("svg", "png"):
                    path = outputs / "2020" / "figures" / f"{name}_{figure}_{lang}.{suffix}"
                    assert path.stat().st_size > 1000, path


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_is_self_contained_with_each_chart_and_no_code(report_run, name, lang):
    outputs, _ = report_run
    page = (outputs / "2020" / f"{name}_{lang}.html").read_text("utf-8")
    assert f'<html lang="{lang}">' in page
    for figure in EXPECTED_FIGURES[name]:
        png = (outputs / "2020" / "figures" / f"{name}_{figure}_{lang}.png").read_bytes()
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
    revenue = (outputs / "2020" / "revenue_structure_zh.html").read_text("utf-8")
    for _, row in budget[budget["direction"] == "revenue"].iterrows():
        assert f">{row['amount']:,.2f}<" in revenue, row["key"]
        assert row["label_zh"] in revenue
    indicators = load_indicators(2020)
    for lang in ("zh", "en"):
        page = (outputs / "2020" / f"outcome_indicators_{lang}.html").read_text("utf-8")
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
    page = (outputs / "2020" / "outcome_indicators_en.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_index_links_every_page_and_links_resolve(report_run):
    outputs, _ = report_run
    index = (outputs / "index.html").read_text("utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    assert len(links) == 6
    for link in links:
        assert (outputs / link).is_file(), link


def test_manifest_records_parameters_versions_status_and_duration(report_run):
    outputs, _ = report_run
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert manifest["settings"]["years"] == [2020]
    assert {"pandas", "matplotlib", "papermill", "nbconvert"} <= set(manifest["versions"])
    assert len(manifest["results"]) == 6
    assert all(r["status"] == "ok" and r["duration_s"] > 0 for r in manifest["results"])


def test_no_missing_glyph_in_any_kernel_log(report_run):
    outputs, _ = report_run
    logs = list((outputs / "2020").glob(".*.log"))
    assert len(logs) == 6
    for log in logs:
        assert "missing from" not in log.read_text("utf-8", errors="replace"), log


def test_with_code_shows_code(tmp_path):
    outputs = tmp_path / "out"
    assert main(["run", "--year", "2020", "--notebooks", "spending_mix", "--lang", "zh",
                 "--with-code", "--outputs", str(outputs), "--quiet"]) == 0
    page = (outputs / "2020" / "spending_mix_zh.html").read_text("utf-8")
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
    for template in TEMPLATES:
        nb = nbformat.read(template, as_version=4)
        assert [c.cell_type for c in nb.cells if c.cell_type != "code"] == [], template.name


def test_an_interactive_run_reads_in_one_language_and_leaves_published_figures(tmp_path,
                                                                             monkeypatch):
    from textcheck import mixed_language, page_text

    outputs = tmp_path / "outputs"
    monkeypatch.setenv("LUOSHI_OUTPUTS_DIR", str(outputs))
    published = outputs / "2020" / "figures"
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
    import shutil

    from conftest import DATA

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    package = data / "processed" / "2020" / "datapackage.json"
    descriptor = json.loads(package.read_text("utf-8"))
    descriptor["sources"][0].update(issuer="青山乡人民政府", issuer_en="Qingshan Township")
    package.write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")
    outputs = tmp_path / "out"
    assert main(["--data-dir", str(data), "run", "--year", "2020", "--notebooks",
                 "spending_mix", "--outputs", str(outputs), "--quiet"]) == 0
    zh = (outputs / "2020" / "spending_mix_zh.html").read_text("utf-8")
    en = (outputs / "2020" / "spending_mix_en.html").read_text("utf-8")
    assert "<title>青山乡人民政府2020年" in zh and "罗市镇" not in zh
    assert "<title>Qingshan Township: 2020" in en and "Luoshi" not in en
    index = (outputs / "index.html").read_text("utf-8")
    assert "青山乡人民政府" in index and "Qingshan Township" in index and "罗市镇" not in index
