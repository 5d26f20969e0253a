"""skywarden.air: position reports of air objects → filtered, associated, classified tracks.

``read_reports`` (many formats) → ``Reports`` table → ``track_reports`` → ``Track`` objects
with smoothed position/velocity, phases, burst, landing, implied wind and a classification.
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
