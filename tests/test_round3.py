"""Budget and final-account forms of 荣昌区 pages (round three): every stated figure, none false.

tests/corpus_round3 holds texts of our own in the forms the demo collection's units publish
(forms and pages in its NOTES.md and sources.csv): a 收入预算 part sets the budgeted phase of
its paragraph, 收入合计 before 其中：本年收入 is the total, a carry-over's sources are no
current-year revenue, and a year-on-year clause derives an earlier amount only for its line.
"""

from decimal import Decimal
from pathlib import Path

import pandas as pd
from overview_eval import evaluate

from luoshi_analysis.core.provenance import read_sources
from luoshi_analysis.ingest import ingest
from luoshi_analysis.ingest.document import report_kind
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.overview import parse_overview
from luoshi_analysis.ingest.sections import document_phase, split_sections

ROUND3 = Path(__file__).resolve().parent / "corpus_round3"
TEXTS = sorted(ROUND3.glob("*.txt"))


def _statements(path: Path) -> pd.DataFrame:
    return parse_overview(normalize(path.read_text("utf-8")), int(path.stem.rsplit("_", 1)[1])
                          ).statements


def _rows(frame: pd.DataFrame) -> set[tuple]:
    return {(r.year if isinstance(r.year, int) else int(r.year), r.scope, r.phase, r.key,
             Decimal(r.amount)) for r in frame.itertuples()}


def test_every_stated_figure_is_read_and_no_statement_is_false():
    outcome = evaluate(ROUND3)
    assert outcome.refused == []
    assert outcome.missed == []
    assert outcome.false == []  # no budget-table figure the text does not state
    assert outcome.extra == []  # no statement of the text that it does not state


def test_a_year_on_year_clause_derives_an_earlier_amount_only_for_the_line_it_is_about():
    listed = pd.read_csv(ROUND3 / "derived.csv", dtype=str)
    for path in TEXTS:
        statements = _statements(path)
        derived = statements[statements["stated_by"] == "later_report"]
        expected = listed[listed["report"] == path.stem]
        assert _rows(derived) == _rows(expected), path.name
        assert (derived["derivation"] != "").all()


def test_a_budget_text_states_nothing_executed_and_is_a_budget_even_without_the_word():
    for path in TEXTS:
        text = path.read_text("utf-8")
        statements = _statements(path)
        budgeted = path.stem.startswith(("1_", "2_", "4_"))
        assert (document_phase(text) == "budgeted") == budgeted, path.name
        assert (report_kind(text, False, True) == "budget") == budgeted, path.name
        assert set(statements["phase"]) == {"budgeted" if budgeted else "executed"}, path.name


def test_a_paragraph_led_by_its_part_is_that_part_and_the_part_around_it_goes_on():
    text = "某单位2025年度决算说明\n二、收支总体情况\n（一）收入预算：2025年收入合计10万元。\n说明。\n"
    parts = split_sections(text)
    assert [(p.heading, p.phase) for p in parts][-3:] == [
        ("收支总体情况", "executed"), ("收入预算", "budgeted"), ("收支总体情况", "executed")]
    assert document_phase("某镇2025年情况说明\n一、单位基本情况\n本部门2024年度决算编制所含单位为本级。\n"
                          "（一）收入预算：2025年收入合计10万元。") == "budgeted"
    assert document_phase("某镇2025年情况说明\n一、单位基本情况\n本部门2025年度决算收入合计10万元。\n"
                          "（一）收入预算：2025年收入合计10万元。") == "executed"


def test_the_carry_over_of_a_budget_is_filed_by_budget_never_as_current_year_revenue():
    statements = _statements(ROUND3 / "1_shihe_benji_2025.txt")
    general = statements[statements["key"] == "revenue_fiscal_general_budget"]
    assert list(general["amount"]) == ["1200.3"]  # the 本年 part only, not the carry-over's 105.6
    carryover = statements[statements["key"] == "revenue_carryover"]
    assert dict(zip(carryover["scope"], carryover["amount"], strict=True)) == {
        "all_funds": "310.10", "general_public_budget": "105.6", "government_funds": "204.5",
        "state_capital": "0", "fiscal_special_account": "0"}
    total = statements[statements["key"] == "revenue_total"]
    assert list(total["amount"]) == ["1520.40", "1435.20"]  # the total, and 2024's from 增加85.20


def test_a_budget_without_the_word_in_its_title_is_ingested_as_the_years_budget(tmp_path):
    root = tmp_path / "data"
    result = ingest(ROUND3 / "1_shihe_benji_2025.txt", root=root,
                    url="http://rongchang.gov.cn/jz/wlz/zwgk_70755/fdzdgknr_70758/ysjs/ysgk/"
                        "202502/t20250210_14289407.html")
    assert result.phase == "budgeted" and result.budget.empty
    assert read_sources(2025, root)[0].kind == "budget"
    own = result.statements[result.statements["year"].astype(int) == 2025]
    assert set(own["phase"]) == {"budgeted"}
    assert set(own["stated_by"]) == {"budget_document"}
