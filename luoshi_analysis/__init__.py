"""Sourced, validated tables and charts from Luoshi Town's budget-performance reports."""

from luoshi_analysis.analysis import (
    budget_change,
    budget_structure,
    headline_indicators,
    indicator_change,
    previous_year,
    ratios_not_available,
    revenue_structure,
    sources_and_uses,
    spending_mix,
    spending_ratios,
    statements_over_years,
)
from luoshi_analysis.checks import check, statement_violations
from luoshi_analysis.errors import (
    DataFolderError,
    DataValidationError,
    IngestError,
    LuoshiError,
    ParameterError,
    ProvenanceError,
    UnknownYearError,
)
from luoshi_analysis.load import load_budget, load_indicators, load_statements, years
from luoshi_analysis.provenance import read_source, verify_raw
from luoshi_analysis.trace import trace

__version__ = "0.1.0"

__all__ = [
    "DataFolderError",
    "DataValidationError",
    "IngestError",
    "LuoshiError",
    "ParameterError",
    "ProvenanceError",
    "UnknownYearError",
    "budget_change",
    "budget_structure",
    "check",
    "headline_indicators",
    "indicator_change",
    "load_budget",
    "load_indicators",
    "load_statements",
    "previous_year",
    "ratios_not_available",
    "read_source",
    "revenue_structure",
    "sources_and_uses",
    "spending_mix",
    "spending_ratios",
    "statement_violations",
    "statements_over_years",
    "trace",
    "verify_raw",
    "years",
]
