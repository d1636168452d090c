"""Views, checks and ratios computed from the tables; imports only ``core``.

``views`` (structure, mix, sources and uses, headlines, amounts by year), ``ratios`` (the
framework's ratios), ``change`` (a year against the one before), ``checks`` (identities and
stated shares), ``trace`` and ``fragments`` (each figure back to its sentence).
"""
