"""A collection of units: reports filed by issuer and year, pages per unit that never mix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, copy_seed
from notebook_helpers import UNIT

from luoshi_analysis.cli import main
from luoshi_analysis.core.collection import folder_name, unit_key, units

CORPUS = REPO / "tests" / "overview_corpus"
FINAL_ACCOUNTS = CORPUS / "a_town_final_accounts_2022.txt"  # 青石乡人民政府, a 部门决算
BUDGET = CORPUS / "p_budget_table_2024.txt"  # 松林镇人民政府, a 部门预算 only
SELF_EVALUATION = CORPUS / "r_hospital_plain_yuan_2023.txt"  # 三江乡卫生院


def _ingest(collection: Path, *arguments: str | Path) -> int:
    return main(["--collection", str(collection), "ingest", *map(str, arguments)])


def test_each_report_is_filed_in_its_issuers_folder(tmp_path, capsys):
    collection = tmp_path / "collection"
    assert _ingest(collection, FINAL_ACCOUNTS, SELF_EVALUATION) == 0
    found = {unit.name: unit.folder for unit in units(collection)}
    assert set(found) == {"青石乡人民政府", "三江乡卫生院"}
    assert found["青石乡人民政府"] == collection / "青石乡人民政府"
    assert (found["青石乡人民政府"] / "processed" / "2022" / "budget.csv").is_file()
    assert (found["三江乡卫生院"] / "processed" / "2023" / "datapackage.json").is_file()
    assert "ingested 2022" in capsys.readouterr().out


def test_two_spellings_of_one_issuer_land_in_one_folder(tmp_path):
    collection = tmp_path / "collection"
    assert _ingest(collection, FINAL_ACCOUNTS) == 0
    text = FINAL_ACCOUNTS.read_text("utf-8").replace("2022", "2021")
    # the same unit as its general office writes it, in traditional characters
    other = tmp_path / "qingshi_2021.txt"
    other.write_text(text.replace("青石乡人民政府", "青石鄉人民政府辦公室"), "utf-8")
    assert _ingest(collection, other) == 0
    assert [(u.name, u.folder.name) for u in units(collection)] == [("青石乡人民政府", "青石乡人民政府")]
    processed = collection / "青石乡人民政府" / "processed"
    assert sorted(p.name for p in processed.iterdir() if p.name.isdigit()) == ["2021", "2022"]


def test_a_report_naming_no_unit_or_no_year_is_refused_with_the_option_to_give(tmp_path, capsys):
    collection = tmp_path / "collection"
    nameless = tmp_path / "nameless.txt"
    nameless.write_text("2022年度部门决算\n一、收入支出决算总体情况说明\n2022年度收入总计100.00万元，"
                        "支出总计100.00万元。\n", "utf-8")
    assert _ingest(collection, nameless) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--unit NAME" in err and "nameless.txt" in err
    yearless = tmp_path / "yearless.txt"
    yearless.write_text("青石乡人民政府部门决算\n收入总计100.00万元，支出总计100.00万元。\n", "utf-8")
    assert _ingest(collection, yearless) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--year Y" in err
    assert _ingest(collection, yearless, "--year", "2022") == 0
    assert (collection / "青石乡人民政府" / "processed" / "2022").is_dir()


@pytest.mark.parametrize("issuer", ["../../evil镇人民政府", "..", "a/b\\c镇", "\u202eevil镇\u202c",
                                    "x" * 300 + "镇人民政府"])
def test_a_units_folder_never_leaves_the_collection(tmp_path, issuer):
    try:
        name = folder_name(issuer)
    except Exception as exc:  # noqa: BLE001 - a name with nothing usable is refused, one line
        assert "--unit NAME" in str(exc)
        return
    folder = (tmp_path / name).resolve()
    assert folder.parent == tmp_path.resolve()
    assert not any(ch in name for ch in "/\\\u202e\u202c") and len(name) <= 60
    assert name not in (".", "..", "raw", "processed")


def test_keys_treat_width_script_and_office_as_one_unit():
    assert unit_key("罗市镇人民政府") == unit_key("羅市鎮人民政府辦公室") == unit_key("罗市镇人民政府 ")
    assert unit_key("ＡＢ镇人民政府") == unit_key("AB镇人民政府")
    assert unit_key("罗市镇人民政府") != unit_key("罗市乡人民政府")


@pytest.fixture(scope="module")
def collection_run(tmp_path_factory):
    """The seed town, a 部门决算-only unit and a 部门预算-only unit, run into one outputs folder."""
    root = tmp_path_factory.mktemp("collection")
    collection = root / "collection"
    copy_seed(collection / UNIT)
    assert _ingest(collection, FINAL_ACCOUNTS) == 0
    assert _ingest(collection, BUDGET, "--year", "2024") == 0
    outputs = root / "outputs"
    code = main(["--collection", str(collection), "run", "--outputs", str(outputs), "--quiet"])
    return collection, outputs, code


@pytest.mark.slow
def test_every_report_kind_gets_its_pages(collection_run):
    _collection, outputs, code = collection_run
    assert code == 0
    seed = sorted(p.name for p in (outputs / UNIT / "2020").glob("*_zh.html"))
    assert seed == ["outcome_indicators_zh.html", "revenue_structure_zh.html", "spending_mix_zh.html"]
    final = sorted(p.name for p in (outputs / "青石乡人民政府" / "2022").glob("*.html"))
    assert final == ["revenue_structure_en.html", "revenue_structure_zh.html",
                     "spending_mix_en.html", "spending_mix_zh.html"]
    index = (outputs / "青石乡人民政府" / "index.html").read_text("utf-8")
    # a short note in the year's row, its full sentence once under the table
    row = next(r for r in index.split("<tr>") if 'data-sort="2022"' in r).split("</tr>")[0]
    assert "无成效指标页：未列绩效指标" in row and "no outcome page" in row
    assert "此年度报告未列绩效指标" not in row
    legend = index.split('class="luoshi-legend"', 1)[1]
    assert index.count("此年度报告未列绩效指标") == 1 and "此年度报告未列绩效指标" in legend
    assert "states no outcome figures" in legend
    budget = (outputs / "松林镇人民政府" / "2024" / "revenue_structure_zh.html").read_text("utf-8")
    assert "部门预算" in budget and "预算数" in budget


@pytest.mark.slow
def test_the_dashboard_lists_every_unit_and_year_with_its_totals(collection_run):
    collection, outputs, _code = collection_run
    page = (outputs / "index.html").read_text("utf-8")
    for unit in units(collection):
        assert f'>{unit.name}</a>' in page
    assert "5,446.35" in page and "2,387.60" in page  # 收入总计 as each report states it
    assert page.count("<tr>") == 1 + 3  # a heading row and one row per unit-year
    assert "<script src" not in page and "http" not in page.split("<body")[1]


@pytest.mark.slow
def test_runs_of_two_units_into_one_outputs_folder_never_mix(collection_run, tmp_path):
    collection, outputs, _code = collection_run
    before = (outputs / UNIT / "index.html").read_text("utf-8")
    assert "青石乡" not in before and "松林镇" not in before
    # a later run of one unit leaves the others' pages and names alone
    assert main(["--collection", str(collection), "run", "--unit", "青石乡人民政府", "--lang", "en",
                 "--outputs", str(outputs), "--quiet"]) == 0
    assert (outputs / UNIT / "index.html").read_text("utf-8") == before
    record = json.loads((outputs / "青石乡人民政府" / ".luoshi-unit.json").read_text("utf-8"))
    assert record["name"] == "青石乡人民政府"


def test_an_outputs_folder_of_another_unit_is_refused_not_relabelled(tmp_path, capsys):
    outputs = tmp_path / "outputs"
    (outputs / UNIT).mkdir(parents=True)
    (outputs / "run-manifest.json").write_text("{}", "utf-8")
    (outputs / UNIT / ".luoshi-unit.json").write_text(json.dumps(
        {"name": "青石乡人民政府", "key": "青石乡人民政府", "data": "/elsewhere"}), "utf-8")
    assert main(["run", "--outputs", str(outputs), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "青石乡人民政府" in err and UNIT in err
    assert not list((outputs / UNIT).glob("*/*.html"))


# Forms seen on 重庆市荣昌区 pages (www.rongchang.gov.cn 预决算公开, 2024–2026): a title that
# names no 预算/决算 word, and a department's list of its sub-units before its own figures.
@pytest.mark.parametrize(("text", "issuer"), [
    ("重庆市荣昌区万灵镇人民政府(本级)2025年情况说明\n\n一、单位基本情况\n从预算单位构成看，"
     "本部门2024年度决算编制所含的二级预算单位为万灵镇人民政府本级。\n", "万灵镇人民政府(本级)"),
    ("重庆市荣昌区远觉镇人民政府2026年部门预算情况说明\n\n（二）部门构成。\n重庆市荣昌区远觉镇人民政府"
     "下设两个二级预算单位：重庆市荣昌区远觉镇人民政府本级、远觉镇便民服务中心。\n", "远觉镇人民政府"),
])
def test_the_issuer_is_the_unit_the_title_names_not_a_sub_unit(text, issuer):
    from luoshi_analysis.ingest.issuer import find_issuer

    assert find_issuer(text).issuer == issuer


def test_the_year_is_the_titles_not_a_sentences_slip():
    """A budget whose template sentence names last year's 决算 is still the title's year."""
    from luoshi_analysis.ingest.document import report_year
    from luoshi_analysis.ingest.normalize import normalize

    text = ("重庆市荣昌区万灵镇人民政府(本级)2025年情况说明\n\n一、单位基本情况\n（二）单位构成。\n"
            "从预算单位构成看，本部门2024年度决算编制所含的二级预算单位为万灵镇人民政府本级。\n\n"
            "二、单位收支总体情况\n（一）收入预算：2025年收入合计2817.75万元。\n")
    assert report_year(normalize(text))[0] == 2025


def test_a_year_stating_no_spending_below_its_total_gets_no_spending_page(tmp_path):
    from luoshi_analysis.analysis.summary import year_summary
    from luoshi_analysis.engine.jobs import available_notebooks, read_template
    from luoshi_analysis.engine.plan import JobOptions, plan

    collection = tmp_path / "collection"
    # a 荣昌 单位预算: 支出合计 by functional class only, 基本/项目支出 of the general budget
    assert _ingest(collection, REPO / "tests" / "corpus_round3" / "1_paishui_zhongxin_2026.txt") == 0
    found = units(collection)
    templates = [read_template(path) for path in available_notebooks().values()]
    options = JobOptions(("zh",), tmp_path / "outputs", collection, False, None, {})
    planned = plan(found, None, templates, options)
    assert {job.notebook for job in planned.jobs if job.unit} == {"revenue_structure"}
    assert {(s.notebook, s.reason) for s in planned.skips} == {
        ("spending_mix", "no_spending"), ("outcome_indicators", "no_indicators")}
    summary = year_summary(2026, found[0].folder)
    assert (summary.revenue_total, summary.expenditure_total, summary.spending_lines) == (
        246.8, 246.8, 0)
