"""The data model, lowest layer: paths, errors, exact money, schema, source records, loading.

Imports nothing of the package above it. ``config`` (paths), ``errors`` (typed exceptions),
``money`` and ``numbers`` (exact amounts, number words), ``atomic`` (writes by rename),
``terminal`` (what may be printed), ``schema`` (the tables' fields), ``provenance`` (source
records), ``load`` (tables by year), ``lines`` and ``statements`` (budget lines and stated
amounts), ``text`` (finding a fragment in a report).
"""
