"""Parsing only: a published report (text, web page, PDF, Word, spreadsheet) into a year's tables.

Parts: ``readers`` (a file of any published format to text, by its content), ``normalize``
(decoding, PDF artefacts, position-keeping normalisation), ``issuer`` (title and issuing unit),
``sections`` (the parts of the national templates, with scope and phase), ``wording`` (how
reports name a line), ``overview`` (every stated amount, from prose), ``tables`` (flattened
tables), ``outcomes`` (candidate outcome indicators), ``review`` (a reviewer's rows kept across
a re-ingest), ``transaction`` (one staged write of a year) and ``pipeline`` (``ingest``).
"""

from luoshi_analysis.ingest.pipeline import IngestResult, ingest

__all__ = ["IngestResult", "ingest"]
