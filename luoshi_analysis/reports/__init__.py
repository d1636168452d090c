"""What the notebook templates call: texts in both languages, charts, tables, the workbook.

Imports ``analysis`` and ``core``. ``labels`` (lookups into ``text/<lang>.toml``), ``plots``
(tidy frames to matplotlib Figures), ``fonts`` (CJK glyphs on any machine), ``notebook`` (a
template's context: title, prose, figures, tables), ``excel`` (the workbook).
"""
