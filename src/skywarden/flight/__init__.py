"""skywarden.flight: balloon flights as chains of stages, RK4 prediction, ensembles, backtracking."""

from .backtrack import Backtrack, backtrack, backtrack_track, concat_backtracks
from .base import Stage
from .ensemble import (
    arrival_dispersion,
    landing_dispersion,
    mean_track,
    polygon_entry_probability,
    position_contours,
)
from .output import write_prediction
from .predict import EnsembleSettings, Prediction, concat_predictions, predict, predict_from_track
from .stages import Ascent, Descent, FlightProfile, Float, profile_for_fix

__all__ = [
    "Ascent",
    "Backtrack",
    "Descent",
    "EnsembleSettings",
    "FlightProfile",
    "Float",
    "Prediction",
    "Stage",
    "arrival_dispersion",
    "backtrack",
    "backtrack_track",
    "concat_backtracks",
    "concat_predictions",
    "landing_dispersion",
    "mean_track",
    "polygon_entry_probability",
    "position_contours",
    "predict",
    "predict_from_track",
    "profile_for_fix",
    "write_prediction",
]
