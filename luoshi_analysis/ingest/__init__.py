"""Turn a published report (text, web page, PDF, Word, spreadsheet) into a year's tables.

Parts: ``readers`` (a file of any published format to text, by its content), ``normalize``
(decoding, PDF artefacts, position-keeping normalisation, terminal escaping), ``issuer`` (title
and issuing unit), ``sections`` (the parts of the national templates, with scope and phase),
``lines`` (overview lines and their names), ``overview`` (every stated amount, from prose),
``tables`` (flattened tables), ``disagreements`` (choosing among statements that differ),
``outcomes`` (candidate outcome indicators) and ``command`` (``luoshi ingest``).
"""

from luoshi_analysis.ingest.command import IngestResult, ingest, review_summary

__all__ = ["IngestResult", "ingest", "review_summary"]
