"""A 部门预算 ingested beside the year's 决算: second source, statements, ratios, re-ingest."""

import hashlib
import json
from pathlib import Path

import pytest

from luoshi_analysis import (
    IngestError,
    ProvenanceError,
    ratios_not_available,
    spending_ratios,
    statements_over_years,
)
from luoshi_analysis.analysis.trace import trace
from luoshi_analysis.cli import main
from luoshi_analysis.cli.ingest import review_summary, year_checks
from luoshi_analysis.core.load import budget_document_years, load_statements, years
from luoshi_analysis.core.provenance import read_source, read_sources, verify_raw
from luoshi_analysis.ingest import ingest

FINAL = (
    "东岭镇人民政府2021年度部门整体支出绩效评价报告\n一、部门整体支出概况\n"
    "2021年度收入总计600.00万元，其中年初结转和结余20.00万元，本年收入合计580.00万元。"
    "支出总计600.00万元，其中本年支出合计570.00万元，年末结转和结余30.00万元。\n")
BUDGET = (
    "东岭镇人民政府2021年部门预算\n一、部门收支总体情况\n"
    "（一）收入预算：2021年收入预算总额590.00万元，其中：一般公共预算拨款560.00万元，"
    "财政专户拨款30.00万元。\n"
    "（二）支出预算：2021年本年支出预算590.00万元，其中：基本支出400.00万元，"
    "项目支出190.00万元。\n")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


@pytest.fixture()
def both(tmp_path: Path) -> Path:
    """A data folder with the 2021 决算 and, beside it, the 2021 部门预算."""
    root = tmp_path / "data"
    ingest(_write(tmp_path, "final.txt", FINAL), 2021, root)
    ingest(_write(tmp_path, "2021部门预算.txt", BUDGET), 2021, root)
    return root


def test_a_budget_document_beside_the_report_unlocks_the_execution_rate(tmp_path):
    root = tmp_path / "data"
    ingest(_write(tmp_path, "final.txt", FINAL), 2021, root)
    assert "预算完成率 / 预算执行率" in set(ratios_not_available(2021, root)["name_zh"])
    tables = root / "processed" / "2021"
    before = {name: (tables / name).read_bytes() for name in ("budget.csv", "indicators.csv")}
    budget_file = _write(tmp_path, "2021部门预算.txt", BUDGET)
    result = ingest(budget_file, 2021, root)
    assert result.phase == "budgeted"
    ratios = spending_ratios(2021, root).set_index("key")
    assert ratios.at["budget_execution_rate", "value_pct"] == pytest.approx(570 / 590 * 100)
    assert "预算完成率 / 预算执行率" not in set(ratios_not_available(2021, root)["name_zh"])
    assert {name: (tables / name).read_bytes() for name in before} == before  # unchanged
    statements = load_statements(2021, root)  # the schema (and its primary key) holds
    by = statements.groupby("stated_by").size().to_dict()
    assert by == {"this_report": 6, "budget_document": 6}
    assert statements["statement"].tolist() == list(range(1, 13))


def test_the_budget_document_is_a_second_source_checked_and_traced(both, tmp_path):
    sources = read_sources(2021, both)
    assert [s.phase for s in sources] == ["executed", "budgeted"]
    assert read_source(2021, both) == sources[0]  # the year's report stays the primary source
    raw = both / sources[1].raw_file
    assert raw.read_bytes() == BUDGET.encode("utf-8")  # byte for byte
    assert sources[1].sha256 == hashlib.sha256(raw.read_bytes()).hexdigest()
    descriptor = json.loads((both / "processed" / "2021" / "datapackage.json").read_text("utf-8"))
    assert [s["path"] for s in descriptor["sources"]] == [s.raw_file for s in sources]
    found = trace(2021, "expenditure_total", both, phase="budgeted")
    assert found.raw_file == sources[1].raw_file
    assert found.fragment == "支出预算590.00万元"
    assert found.line == 4
    assert trace(2021, "expenditure_total", both)["fragment"] == "支出总计600.00万元"
    raw.write_bytes(raw.read_bytes() + b" ")
    with pytest.raises(ProvenanceError, match="budget_2021"):
        verify_raw(2021, both)
    assert main(["--data-dir", str(both), "validate"]) == 2


def test_the_same_budget_document_again_changes_nothing(both, tmp_path):
    listing = {p: p.read_bytes() for p in both.rglob("*") if p.is_file()}
    result = ingest(tmp_path / "2021部门预算.txt", 2021, both)
    assert result.unchanged
    assert "nothing changed" in review_summary(result, year_checks(result))
    assert {p: p.read_bytes() for p in both.rglob("*") if p.is_file()} == listing


def test_another_budget_document_needs_force_and_keeps_a_backup(both, tmp_path):
    old = read_sources(2021, both)[1]
    other = _write(tmp_path, "预算批复.txt", BUDGET.replace("590.00", "600.00"))
    with pytest.raises(IngestError, match="already has a budget document.*--force"):
        ingest(other, 2021, both)
    result = ingest(other, 2021, both, force=True)
    assert result.backup is not None and (result.backup / old.raw_file).is_file()
    assert not (both / old.raw_file).exists()
    sources = read_sources(2021, both)
    assert len(sources) == 2 and sources[1].raw_file != old.raw_file
    budgeted = load_statements(2021, both).query("stated_by == 'budget_document'")
    assert len(budgeted) == 6 and "590.00" not in set(budgeted["amount_as_written"])
    ratio = spending_ratios(2021, both).set_index("key").at["budget_execution_rate", "value_pct"]
    assert ratio == pytest.approx(95.0)


def test_reingesting_the_report_keeps_the_budget_document(both, tmp_path):
    report = _write(tmp_path, "final2.txt", FINAL.replace("570.00", "571.00").replace(
        "年末结转和结余30.00", "年末结转和结余29.00"))
    result = ingest(report, 2021, both, force=True)
    assert [s.phase for s in result.beside] == ["budgeted"]
    assert "kept       the budget document" in review_summary(result, year_checks(result))
    assert [s.phase for s in read_sources(2021, both)] == ["executed", "budgeted"]
    ratio = spending_ratios(2021, both).set_index("key").at["budget_execution_rate", "value_pct"]
    assert ratio == pytest.approx(571 / 590 * 100)


def test_a_budget_document_first_waits_for_its_report(tmp_path, capsys):
    root = tmp_path / "data"
    result = ingest(_write(tmp_path, "2021部门预算.txt", BUDGET), 2021, root)
    assert "no 决算 yet" in review_summary(result, year_checks(result))
    assert years(root) == [] and budget_document_years(root) == [2021]
    assert len(load_statements(2021, root)) == 6
    assert main(["--data-dir", str(root), "validate"]) == 0
    assert "budget document only" in capsys.readouterr().out
    assert main(["--data-dir", str(root), "tables", "--year", "2021", "--table", "budget"]) == 2
    assert "has only its budget document" in capsys.readouterr().err
    view = statements_over_years(root)  # the multi-year view shows the budget already
    assert set(view["source"]) == {"budget_document"} and not view["has_own_report"].any()
    assert view.set_index("key").at["expenditure_total", "amount"] == 590.0
    ingest(_write(tmp_path, "final.txt", FINAL), 2021, root)  # no --force: no report to replace
    assert years(root) == [2021] and budget_document_years(root) == []
    assert [s.phase for s in read_sources(2021, root)] == ["executed", "budgeted"]
    ratio = spending_ratios(2021, root).set_index("key").at["budget_execution_rate", "value_pct"]
    assert ratio == pytest.approx(570 / 590 * 100)
    view = statements_over_years(root).set_index(["phase", "key"])
    assert view.at[("budgeted", "expenditure_total"), "source"] == "budget_document"
    assert view.at[("executed", "expenditure_total"), "source"] == "own_report"


def test_phase_budgeted_on_the_command_line(tmp_path):
    root = tmp_path / "data"
    ingest(_write(tmp_path, "final.txt", FINAL), 2021, root)
    approval = _write(tmp_path, "approval.txt", "2021年度收入总计590.00万元，支出总计590.00万元。\n")
    assert main(["--data-dir", str(root), "ingest", str(approval), "--year", "2021",
                 "--phase", "budgeted"]) == 0
    statements = load_statements(2021, root)
    assert len(statements.query("stated_by == 'budget_document'")) == 2
    assert [s.phase for s in read_sources(2021, root)] == ["executed", "budgeted"]


def test_no_overview_names_the_file_and_an_empty_candidate_list_is_not_shown(tmp_path, capsys):
    empty = _write(tmp_path, "notes.txt", "东岭镇工作总结\n今年工作很好。\n")
    with pytest.raises(IngestError, match=r"notes\.txt: no budget overview and no outcome figure found"):
        ingest(empty, 2021, tmp_path / "data")
    result = ingest(_write(tmp_path, "final.txt", FINAL), 2021, tmp_path / "data")
    summary = review_summary(result, year_checks(result))
    line = next(x for x in summary.splitlines() if x.lstrip().startswith("indicators"))
    assert line.rstrip().endswith("0 unreviewed candidates")


APPROVAL = (  # a 预算批复 in 元, recognised by its text
    "大祥区财政局关于批复东岭镇人民政府2021年部门预算的通知\n东岭镇人民政府：\n"
    "现将你单位2021年部门预算批复如下：\n"
    "一、收入预算5,900,000.00元，其中一般公共预算拨款5,600,000.00元，财政专户拨款300,000.00元。\n"
    "二、支出预算5,900,000.00元，其中基本支出4,000,000.00元，项目支出1,900,000.00元。\n")


def test_a_budget_approval_in_yuan_is_recognised(tmp_path):
    root = tmp_path / "data"
    ingest(_write(tmp_path, "final.txt", FINAL), 2021, root)
    result = ingest(_write(tmp_path, "批复.txt", APPROVAL), 2021, root)
    assert result.phase == "budgeted" and result.source.amount_unit_as_reported == "元"
    ratio = spending_ratios(2021, root).set_index("key").at["budget_execution_rate", "value_pct"]
    assert ratio == pytest.approx(570 / 590 * 100)


def test_a_report_of_another_unit_is_refused_beside_a_budget_document(tmp_path):
    root = tmp_path / "data"
    ingest(_write(tmp_path, "2021部门预算.txt", BUDGET), 2021, root)
    other = _write(tmp_path, "other.txt", FINAL.replace("东岭镇", "西岭镇"))
    with pytest.raises(IngestError, match="西岭镇人民政府.*东岭镇人民政府"):
        ingest(other, 2021, root)
    assert budget_document_years(root) == [2021]  # nothing written
