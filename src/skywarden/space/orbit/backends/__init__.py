"""SGP4 propagation backends behind one interface (:class:`PropagationBackend`).

``sgp4`` is python-sgp4's ``SatrecArray`` (the reference); ``astroz`` is astroz's SIMD SGP4.
:func:`get_backend` resolves a name; ``"auto"`` picks astroz when it imports (it was measured
faster here, see ``bench/README.md``), else python-sgp4.
"""

from __future__ import annotations

from ....errors import OptionError
from .astroz_backend import AstrozBackend
from .base import SGP4_ERROR_MEANINGS, PropagationBackend
from .sgp4_backend import Sgp4Backend

__all__ = [
    "BACKENDS",
    "SGP4_ERROR_MEANINGS",
    "AstrozBackend",
    "PropagationBackend",
    "Sgp4Backend",
    "get_backend",
]

BACKENDS: dict[str, type[PropagationBackend]] = {"sgp4": Sgp4Backend, "astroz": AstrozBackend}
"""Backend classes by name."""


def get_backend(name: str | PropagationBackend = "auto") -> PropagationBackend:
    """A backend instance from a name (``auto``, ``sgp4``, ``astroz``) or an instance."""
    if isinstance(name, PropagationBackend):
        return name
    if name == "auto":
        return AstrozBackend() if AstrozBackend.available() else Sgp4Backend()
    if name not in BACKENDS:
        raise OptionError("backend", name, ["auto", *BACKENDS])
    backend = BACKENDS[name]
    if not backend.available():
        raise OptionError("backend", name, ["auto", *(k for k, b in BACKENDS.items() if b.available())])
    return backend()
