"""Typed exceptions: every expected failure is one clear line."""

from __future__ import annotations

from pathlib import Path


class LuoshiError(Exception):
    """Base class of every expected error; its message is one line for the user."""


class UnknownYearError(LuoshiError, LookupError):
    """A year was asked for that has no data."""

    def __init__(self, year: object, available: list[int]):
        self.year = year
        self.available = available
        shown = ", ".join(str(y) for y in available) or "none"
        super().__init__(f"unknown year {year!r}: years with data are {shown}")


class DataFolderError(LuoshiError, FileNotFoundError):
    """The data folder or a file in it is missing or unreadable."""


class DataValidationError(LuoshiError, ValueError):
    """A table breaks its schema; names file, line (row), field and what is allowed."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ):
        self.path = Path(path)
        self.line = line
        self.field = field
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


class ProvenanceError(LuoshiError):
    """The raw report no longer matches its recorded hash, or its record is missing."""


class ParameterError(LuoshiError, ValueError):
    """A notebook or runner parameter has a name or value that is not allowed."""


class IngestError(LuoshiError, ValueError):
    """A report text could not be turned into tables."""
