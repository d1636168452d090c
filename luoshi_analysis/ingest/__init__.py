"""Turn a published report (text, web page, PDF, Word, spreadsheet) into a year's tables.

Parts: ``readers`` (a file of any published format to text, by its content), ``normalize``
(decoding, PDF artefacts, position-keeping normalisation, terminal escaping), ``issuer`` (title
and issuing unit), ``overview`` (the budget overview), ``outcomes`` (candidate outcome
indicators) and ``command`` (``luoshi ingest``).
"""

from luoshi_analysis.ingest.command import IngestResult, ingest, review_summary

__all__ = ["IngestResult", "ingest", "review_summary"]
