"""One exception tree for all of skywarden.

Every error a user can cause is a :class:`SkywardenError`. Each class carries an HTTP
``status_code`` so the service maps errors to answers without knowing the details, and each
message teaches: it names the input (file, line, field), says what was expected and shows an
accepted example where one helps::

    SkywardenError                      500  base; never raised directly
    ├── InputError                      400  the user's input is wrong
    │   ├── ParseError                  400  a file or text could not be read (path, line, field)
    │   │   ├── TLEError                400  a TLE/3LE line breaks the column template
    │   │   ├── OMMError                400  an OMM record (XML/JSON/CSV/KVN) is malformed
    │   │   └── ReportFormatError       400  a position-report row or file is malformed
    │   ├── TimeFormatError             400  a time or duration string is not understood
    │   ├── OptionError                 400  a value is not one of the valid choices
    │   ├── ValidationError             422  a site, zone, sensor or config fails a check
    │   └── DomainError                 422  a point lies outside a field's extent (winds, grids)
    ├── NotFoundError                   404  a named file, object, preset or zone does not exist
    ├── PropagationError                422  an orbit cannot be propagated (decayed, diverged)
    └── DownloadError                   502  a downloader could not fetch and has no cache

Catalog-scale paths do not raise for one bad element: they return error codes / NaN rows and
emit one :class:`SkywardenWarning` subclass with a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "DataQualityWarning",
    "DomainError",
    "DownloadError",
    "InputError",
    "NotFoundError",
    "OMMError",
    "OptionError",
    "ParseError",
    "PropagationError",
    "ReportFormatError",
    "SkywardenError",
    "SkywardenWarning",
    "TLEError",
    "TimeFormatError",
    "ValidationError",
]


class SkywardenError(Exception):
    """Base of every skywarden error. ``status_code`` is the HTTP status the service answers."""

    status_code: int = 500


class InputError(SkywardenError, ValueError):
    """The user's input is wrong; the message says what was expected."""

    status_code = 400


class ParseError(InputError):
    """Text could not be parsed. Knows where: ``path``, ``line`` (1-based), ``field``.

    The message has the form ``file.tle:12: field 'epoch': expected …; got …``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.expected = expected
        self.got = got
        self.reason = message
        where = ""
        if self.path is not None:
            where = self.path
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        parts = [f"{where}: " if where else ""]
        if field:
            parts.append(f"field {field!r}: ")
        parts.append(message)
        if expected:
            parts.append(f"\n  expected: {expected}")
        if got is not None:
            shown = got if len(got) <= 120 else got[:117] + "..."
            parts.append(f"\n  got:      {shown!r}")
        super().__init__("".join(parts))


class TLEError(ParseError):
    """A TLE/3LE line does not follow the fixed-column template."""


class OMMError(ParseError):
    """An OMM record (XML, JSON, CSV or KVN) is malformed or lacks a required field."""


class ReportFormatError(ParseError):
    """A position-report file or row is malformed."""


class TimeFormatError(InputError):
    """A time or duration could not be understood."""


class OptionError(InputError):
    """A value is not one of the valid choices; the message lists them."""

    def __init__(self, name: str, value: object, choices: Iterable[object]) -> None:
        self.name = name
        self.value = value
        self.choices = list(choices)
        valid = ", ".join(repr(c) for c in self.choices)
        super().__init__(f"{name}={value!r} is not valid; choose one of: {valid}")


class ValidationError(InputError):
    """A site, zone, sensor row or configuration fails a check."""

    status_code = 422


class DomainError(InputError):
    """A point lies outside the extent of a field (for example a wind grid)."""

    status_code = 422


class NotFoundError(SkywardenError, LookupError):
    """A named file, object, preset or zone does not exist."""

    status_code = 404


class PropagationError(SkywardenError):
    """An orbit cannot be propagated to the requested time (decayed, diverged)."""

    status_code = 422


class DownloadError(SkywardenError):
    """A downloader could not fetch the data and has no cached copy."""

    status_code = 502


class SkywardenWarning(UserWarning):
    """Base of skywarden warnings."""


class DataQualityWarning(SkywardenWarning):
    """Some records were bad, stale or duplicated; the message gives the count."""
