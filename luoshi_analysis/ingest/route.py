"""Which unit and year a report belongs to, and so which data folder of a collection it goes in.

The unit is the issuer the report states, the year the one its title and framing state; the
analyst may name either (``--unit``, ``--year``) when the report does not, or to override it.
A report whose unit or year cannot be read is refused with one line saying which option to
give. The unit's folder is found by the issuer's canonical key (one folder for every spelling
of one issuer) or made from its name, safely (``core.collection``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from luoshi_analysis.core.collection import find_unit, is_data_folder, unit_folder_for
from luoshi_analysis.core.errors import IngestError, ParameterError
from luoshi_analysis.core.terminal import for_terminal
from luoshi_analysis.ingest.issuer import find_issuer
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.pipeline import settle_year
from luoshi_analysis.ingest.readers import read_report


@dataclass(frozen=True)
class Destination:
    """Where a report goes: the unit's name and data folder, and the year."""

    unit: str
    folder: Path
    year: int


def route(report: Path, collection: Path, unit: str = "", year: int | None = None,
          override_year: bool = False) -> Destination:
    """Return the unit folder of a collection and the year a report belongs to.

    Args:
        report: The report file.
        collection: The collection folder.
        unit: The unit's name, given by the analyst (an existing unit's, in any spelling,
            or a new one's); "" to take the issuer the report states.
        year: The year, given by the analyst; None to take the one the report states.
        override_year: File the report under ``year`` even when its text states another.

    Raises:
        IngestError: the report names no unit and none is given (say --unit NAME), or states
            no year and none is given (say --year Y); an unreadable file (its one line).
        ParameterError: the unit's folder name is taken by another unit.
    """
    text = read_report(report).text
    chosen_year = settle_year(report, normalize(text), year, override_year)
    issuer = unit or find_issuer(text).issuer
    if not issuer and is_data_folder(collection):  # a data folder of its own: its unit
        return Destination("", collection, chosen_year)
    if not issuer:
        raise IngestError(f"{report}: the report names no issuing unit; pass --unit NAME with "
                          "the unit's name as its reports write it")
    if unit:
        try:
            found = find_unit(unit, collection)
            return Destination(found.name, found.folder, chosen_year)
        except ParameterError:
            pass  # a new unit, named by the analyst
    folder = unit_folder_for(issuer, collection)
    return Destination(for_terminal(issuer), folder, chosen_year)
