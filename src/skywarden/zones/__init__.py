"""Zones: airspace (ADIZ, OpenAir, GeoJSON), zone entry, site exposure, communication links, and
the exposure/link reports — composites over the space and air domains.

The site model moved to the foundation (:mod:`skywarden.sites`); ``skywarden.zones.sites`` stays
importable as the same module object (registered in ``sys.modules``).
"""

from __future__ import annotations

import sys

from .. import sites as _sites

sys.modules.setdefault(f"{__name__}.sites", _sites)
