"""skywarden.hazard: where terminated balloon pieces fall, whom they endanger, and when to cut.

* :mod:`.fragments` — payload / fragment model and the shipped presets;
* :mod:`.fall` — 3-D drag fall through the US 1976 atmosphere and a wind profile;
* :mod:`.dispersion` — Monte Carlo impacts and footprint contours;
* :mod:`.population` — embedded offline population and GeoTIFF rasters;
* :mod:`.casualty` — casualty area, E_c, individual risk, FAA 14 CFR 450.101 limits;
* :mod:`.resolve` — bounds at a stated confidence, pass/fail/undecided, adaptive sampling;
* :mod:`.termination` — the sweep along a track: windows and recommendation;
* :mod:`.output` / :mod:`.tracks` — writing plans, reading predictions and tracks.
"""

from .casualty import (
    FAA_450,
    RiskEstimate,
    RiskLimits,
    assess_risk,
    casualty_area_m2,
    casualty_expectation,
    load_limits,
)
from .dispersion import Dispersion, impact_dispersion
from .fall import FallResult, WindColumn, fall
from .fragments import FragmentClass, Payload, load_payload, payload_presets, slide_area_m2
from .population import DefaultPopulation, RasterPopulation, load_population
from .resolve import RiskBounds, assess_until_resolved, risk_bounds
from .termination import Candidate, TerminationPlan, termination_windows

__all__ = [
    "FAA_450",
    "Candidate",
    "DefaultPopulation",
    "Dispersion",
    "FallResult",
    "FragmentClass",
    "Payload",
    "RasterPopulation",
    "RiskBounds",
    "RiskEstimate",
    "RiskLimits",
    "TerminationPlan",
    "WindColumn",
    "assess_risk",
    "assess_until_resolved",
    "casualty_area_m2",
    "casualty_expectation",
    "fall",
    "impact_dispersion",
    "load_limits",
    "load_payload",
    "load_population",
    "payload_presets",
    "risk_bounds",
    "slide_area_m2",
    "termination_windows",
]
