"""skywarden.air: position reports of air objects → filtered, associated, classified tracks.

``read_reports`` (many formats) → ``Reports`` table → ``track_reports`` → ``Track`` objects
with smoothed position/velocity, phases, burst, landing, implied wind and a classification.

One object is one track: ids (ICAO address, APRS callsign, radiosonde serial, ``id`` column)
group reports; anonymous reports that fall on an identified object's path join it; the rest are
associated with per-report times and class-dependent gates and coasting (a balloon may be
silent for days). Classes: ``balloon-free``, ``balloon-float``, ``aircraft``, ``glider``,
``rotorcraft``, ``ground-vehicle``, ``unknown``, each with a probability and reasons (identity
evidence, kinematics, and with ``track_reports(wind=...)`` the residual against the wind).
"""

from .classify import Classification
from .kalman import AIRCRAFT, BALLOON, MotionModel, run_filter
from .reports import Reports, read_reports
from .track import Event, Fix, Track, WindProfile
from .tracker import TrackingResult, track_reports

__all__ = [
    "AIRCRAFT",
    "BALLOON",
    "Classification",
    "Event",
    "Fix",
    "MotionModel",
    "Reports",
    "Track",
    "TrackingResult",
    "WindProfile",
    "read_reports",
    "run_filter",
    "track_reports",
]
