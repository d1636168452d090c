"""Money prints at the report's precision; check() and trace() read well; help(la) opens usefully."""

import pydoc
import re

import pandas as pd
import pytest

import luoshi_analysis as la
import luoshi_analysis.core.errors
from luoshi_analysis.analysis.checks import formatted
from luoshi_analysis.analysis.trace import Trace
from luoshi_analysis.cli import main
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.money import exact_difference, exact_sum
from luoshi_analysis.reports.notebook import table_html

TWO_PLACES = re.compile(r"^-?\d+(\.\d{1,2})?$")


def test_sums_and_differences_print_as_the_report_writes_them():
    assert 1334.20 + 4112.15 != 5446.35  # the trap itself
    assert exact_sum([1334.20, 4112.15]) == 5446.35
    assert repr(exact_difference(5446.35, 1334.20)) == "4112.15"
    assert repr(exact_difference(0.3, 0.1)) == "0.2"


def test_checks_hold_no_float_noise_and_show_each_unit_at_its_precision():
    checks = la.check(2020)
    amounts = checks[checks["unit"] == "万元"]
    assert len(amounts) == 5
    for column in ("expected", "found", "difference", "tolerance"):
        assert all(TWO_PLACES.match(repr(v)) for v in amounts[column]), amounts[column].tolist()
    assert (amounts["difference"] == 0).all()
    shares = checks[checks["unit"] == "%"]
    assert all(len(repr(v).split(".")[-1]) <= 4 for v in shares["expected"])
    shown = formatted(checks).set_index("check")
    assert shown.at["sum:revenue_total", "expected"] == "5,446.35"
    assert shown.at["sum:revenue_total", "difference"] == "0.00"
    assert shown.at["share:revenue_fiscal_appropriation", "found"] == "49.0900"
    assert not any(re.fullmatch(r"-0\.0+", v) for v in shown["difference"])


def test_changes_between_years_are_exact():
    budget = la.load_budget(2020)
    earlier = budget.assign(year=2019, amount=budget["amount"].map(lambda a: round(a * 0.37, 2)))
    noisy = budget["amount"] - earlier["amount"]
    assert any(not TWO_PLACES.match(repr(v)) for v in noisy), "the data would show noise"
    change = la.budget_change(earlier, budget, "revenue")
    assert all(TWO_PLACES.match(repr(v)) for v in change["change"]), change["change"].tolist()


def test_tables_never_show_negative_zero():
    frame = pd.DataFrame({"label_zh": ["甲"], "label_en": ["A"], "share_difference_pct": [-0.0045],
                          "amount": [-0.001]})
    html = table_html(frame, "en")
    assert "-0.00" not in html and html.count(">0.00<") == 2


def test_trace_is_an_object_with_a_text_and_an_html_form():
    found = la.trace(2020, "revenue_total")
    assert isinstance(found, Trace) and isinstance(found.line, int) and found.line >= 1
    assert found.fragment in found.sentence
    text = str(found)
    assert f"line {found.line}" in text and f"【{found.fragment}】" in text
    assert f"<mark>{found.fragment}</mark>" in found._repr_html_()
    odd = Trace(2020, "indicators", "k", "<b>1</b>", "before <b>1</b> & after", 3)
    page = odd._repr_html_()
    assert "<b>" not in page and "<mark>&lt;b&gt;1&lt;/b&gt;</mark>" in page and "&amp;" in page


def test_trace_of_an_unknown_key_names_the_python_call():
    with pytest.raises(ParameterError, match=r"la\.load_budget\(2020\)"):
        la.trace(2020, "no_such_key")


def test_cli_trace_prints_the_line_and_sentence(capsys):
    assert main(["trace", "--year", "2020", "revenue_total"]) == 0
    out = capsys.readouterr().out
    found = la.trace(2020, "revenue_total")
    assert f"budget.revenue_total — {found.raw_file} line {found.line}" in out
    assert found.raw_file == la.read_source(2020).raw_file
    assert "sentence: " in out


def test_help_opens_with_the_functions_not_exception_methods():
    doc = pydoc.plain(pydoc.render_doc(la))
    lines = doc.splitlines()
    assert len(lines) < 400, len(lines)
    head = "\n".join(lines[:40])
    for name in ("load_budget(year)", "check(year)", "trace(year, key)", "to_excel("):
        assert name in head, name
    assert "with_traceback" not in doc and "Methods inherited" not in doc
    assert doc.index("FUNCTIONS") < (doc.index("CLASSES") if "CLASSES" in doc else len(doc))
    assert la.LuoshiError is luoshi_analysis.core.errors.LuoshiError  # still importable from the top


def test_a_share_is_checked_to_the_digits_the_report_writes_it_with():
    from luoshi_analysis.analysis.checks import share_rounding

    assert share_rounding(91.6, "基本支出217.52万元，占91.6%") == pytest.approx(0.05)
    assert share_rounding(49.09, "财政拨款收入2018.84万元，占49.09%") == pytest.approx(0.005)
    assert share_rounding(100.0, "财政拨款收入237.52万元，占100%") == pytest.approx(0.5)
    assert share_rounding(12.5, "no share written here") == pytest.approx(0.005)
