"""Turn a published report (text, web page, PDF, Word, spreadsheet) into a year's tables.

Parts: ``normalize`` (decoding and position-keeping normalisation), ``overview`` (the budget
overview), ``outcomes`` (candidate outcome indicators) and ``command`` (``luoshi ingest``).
"""

from luoshi_analysis.ingest.command import IngestResult, ingest, review_summary

__all__ = ["IngestResult", "ingest", "review_summary"]
