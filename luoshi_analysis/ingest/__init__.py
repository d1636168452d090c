"""Parsing only: a published report (text, web page, PDF, Word, spreadsheet) into a year's tables.

Reading: ``readers`` (a file of any published format to text, told by its content), with
``pdf_text`` (a PDF's text layer and ruled tables), ``office`` (Word and Excel files) and
``limits`` (what is read at the most); ``normalize`` (decoding, PDF artefacts, a position-keeping
normal form) and ``language`` (OpenCC, jieba, cn2an, loaded lazily).

Understanding: ``document`` (which year and kind a report is), ``issuer`` (title and issuing
unit), ``sections`` (the parts of the national templates, with scope and phase), ``wording``
(how reports name a line), ``overview``, ``changes``, ``tables`` and ``frames`` (every stated
amount, from prose, year-on-year clauses and flattened tables), ``township`` (a town's fiscal
report), ``outcomes``, ``naming``, ``figures`` and ``selfeval`` (outcome figures and their names,
also from 自评表 tables).

Writing: ``review`` (an analyst's reviewed rows kept across a re-ingest), ``transaction`` (one
staged write of a year), ``route`` (which unit folder of a collection a report goes to) and
``pipeline`` (``ingest``).
"""

from luoshi_analysis.ingest.pipeline import IngestResult, ingest

__all__ = ["IngestResult", "ingest"]
