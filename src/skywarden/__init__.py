"""skywarden: air-and-space domain awareness from public data.

The public Python surface is exactly the names in ``__all__`` below (a test keeps this list
complete and free of private names). Submodules are implementation detail unless re-exported.
"""

from __future__ import annotations

from .errors import (
    DataQualityWarning,
    DomainError,
    DownloadError,
    InputError,
    NotFoundError,
    OMMError,
    OptionError,
    ParseError,
    PropagationError,
    ReportFormatError,
    SkywardenError,
    SkywardenWarning,
    TimeFormatError,
    TLEError,
    ValidationError,
)
from .space.elements import Elements, orbit_class
from .timeutil import isoformat, parse_duration, parse_time, time_grid

__version__ = "0.1.0"

__all__ = [
    "DataQualityWarning",
    "DomainError",
    "DownloadError",
    "Elements",
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
    "__version__",
    "isoformat",
    "orbit_class",
    "parse_duration",
    "parse_time",
    "time_grid",
]
