"""Sourced, validated tables and charts from a unit's budget-performance reports.

Start here (``import luoshi_analysis as la``); every function takes a year and an optional
data folder (``root``), and amounts are in 万元 (10,000 yuan):

Tables
    years()                       the years that have data, oldest first
    load_budget(year)             the budget overview: one row per revenue/expenditure line
    load_indicators(year)         the outcome indicators: one row per stated figure
    load_statements(year)         every stated amount, with its scope and phase
    overview(year)                the budget overview: the report's, or a budget-only year's budget
    read_source(year)             the source record: report title, issuer, raw file, sha256
    verify_raw(year)              check that the raw report is unchanged; return its record

Checks and tracing
    check(year)                   identities and stated shares, with expected/found/difference
    trace(year, key)              the sentence of the report a figure comes from (a Trace)
    statement_violations(year)    statements that disagree, in a report or across years

Views for charts
    budget_structure(budget, side)   one side of the budget with computed and stated shares
    revenue_structure(year)       where the money came from, with computed and stated shares
    spending_mix(year)            how it was used
    sources_and_uses(budget)      the non-zero leaf lines of both sides
    spending_ratios(budget, statements=None)   the framework ratios the figures allow
    ratios_not_available(year)    the framework ratios they do not allow, and why
    statements_over_years()       each line's amount per year, with later reports' clauses
    headline_indicators(ind)      the figures a reader looks for first
    peers(year, collection=None)  the units of a collection side by side: one row per unit
    peers_over_years(collection=None)   the same for every year (units × years, long format)
    previous_year(year, years)    the latest earlier year with data, if any
    budget_change(prev, cur, side)   each line in two years and its change
    indicator_change(prev, cur)   each indicator in both years and its change

Output
    to_excel(path, years=None)    one workbook: budget, indicators, checks, source record

Charts are in ``luoshi_analysis.reports.plots``; errors (``LuoshiError`` and its subclasses, each a
one-line message) in ``luoshi_analysis.core.errors``. Amounts stay floats holding the report's
two-decimal values; sums and differences go through ``luoshi_analysis.core.money`` so they print
exactly (5446.35, never 5446.349999999999).
"""

from luoshi_analysis.analysis.change import budget_change, indicator_change, previous_year
from luoshi_analysis.analysis.checks import check, statement_violations
from luoshi_analysis.analysis.overview import overview
from luoshi_analysis.analysis.peers import peers, peers_over_years
from luoshi_analysis.analysis.ratios import ratios_not_available, spending_ratios
from luoshi_analysis.analysis.trace import trace
from luoshi_analysis.analysis.views import (
    budget_structure,
    headline_indicators,
    revenue_structure,
    sources_and_uses,
    spending_mix,
    statements_over_years,
)
from luoshi_analysis.core.errors import DataFolderError as DataFolderError
from luoshi_analysis.core.errors import DataValidationError as DataValidationError
from luoshi_analysis.core.errors import IngestError as IngestError
from luoshi_analysis.core.errors import LuoshiError as LuoshiError
from luoshi_analysis.core.errors import ParameterError as ParameterError
from luoshi_analysis.core.errors import ProvenanceError as ProvenanceError
from luoshi_analysis.core.errors import UnknownYearError as UnknownYearError
from luoshi_analysis.core.load import load_budget, load_indicators, load_statements, years
from luoshi_analysis.core.provenance import read_source, verify_raw
from luoshi_analysis.reports.excel import to_excel

__version__ = "0.1.0"

# The functions an analyst calls; help(la) documents these. The exception classes stay
# importable from here (la.LuoshiError) but are documented in luoshi_analysis.core.errors.
__all__ = [
    "budget_change",
    "budget_structure",
    "check",
    "headline_indicators",
    "indicator_change",
    "load_budget",
    "load_indicators",
    "load_statements",
    "overview",
    "peers",
    "peers_over_years",
    "previous_year",
    "ratios_not_available",
    "read_source",
    "revenue_structure",
    "sources_and_uses",
    "spending_mix",
    "spending_ratios",
    "statement_violations",
    "statements_over_years",
    "to_excel",
    "trace",
    "verify_raw",
    "years",
]
