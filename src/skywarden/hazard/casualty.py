"""Casualty expectation and individual risk; risk limits (FAA 14 CFR 450.101 by default).

* **Casualty area** of one piece (RCC 321 / NASA-STD-8719.14 "debris casualty area" form):
  A_c = (0.6 m + √A_f)² for a vertical impact, A_f the piece's area. The 0.6 m is the *side* of
  a 0.36 m² square standing for a person's plan-view (projected) area — not a radius: the
  person and the piece are squares of sides 0.6 m and √A_f, and a hit happens when the piece's
  centre falls in the square of side 0.6 m + √A_f.
* **Impact angle**: a piece arriving with horizontal speed v_h and vertical speed v_v also hits
  a standing person of height h_p (1.8 m) whom it would have missed falling vertically. RCC 321 /
  FAA AC 450.115-1 write this for circles of radii r_p (person) and r_d (debris) as
  A_c = π(r_p + r_d)² + 2(r_p + r_d)·h_p·cot γ, with cot γ = v_h / v_v. In the square form the
  width across the motion is 2(r_p + r_d) → 0.6 m + √A_f = √A_c,vertical, so here
  A_c = (0.6 m + √A_f)² + (0.6 m + √A_f)·h_p·v_h/v_v, i.e. A_c,v + √A_c,v·h_p·v_h/v_v (also used
  for pieces whose vertical casualty area is given explicitly). A 2 t gondola with A_f = 4 m²
  landing at 8 m/s down in a 10 m/s wind: 6.76 m² + 2.6 m × 1.8 m × 1.25 = 12.61 m² (the issue's
  "about 12.8 m²" takes a circle-equivalent person radius √(0.36/π) = 0.339 m instead of 0.3 m).
  The velocity is the ground-relative impact velocity of each Monte Carlo sample; v_v is floored
  at 0.1 m/s.
* **Heavy pieces that slide** (fragment key ``impact_mode = "slide"`` with
  ``friction_coefficient`` μ and optional ``restitution`` e): the piece slides on after impact,
  decelerated by μ·g, and sweeps its casualty-area width over the slide distance:
  A_c += (0.6 m + √A_f)·(e·v_h)²/(2 μ g) (:func:`~skywarden.hazard.fragments.slide_area_m2`).
  Source: Range Commanders Council, supplement to RCC 323-99 (*Range Safety Criteria for Unmanned
  Air Vehicles — Rationale and Methodology*), p. D-4, slide area (W + 2 r_p)·v_h²/(2 μ g); and
  Montgomery & Ward, RTI/5180/60-31F (1995), *Casualty Areas from Impacting Inert Debris for
  People in the Open*, p. 6, the same with e·v_h — both as implemented and page-cited in JARUS's
  CasEx (``critical_area_models.py``, models RCC and RTI). RCC 321's and FAA AC 450.115-1's own
  texts were searched for (stored web pages, documentation and code: "casualty area bounce
  skip splatter slide RCC 321", "AC 450.115-1 … debris that slides, bounces, or splatters",
  "Flight Safety Analysis Handbook casualty area inert debris bounce slide splatter") and not
  found beyond AC 450.115-1's first page, so their own sliding/bouncing terms are not quoted here.
  The same 2 t gondola (A_f = 4 m², v_h = 10 m/s) sliding with μ = 0.4:
  slide 100/(2·0.4·9.80665) = 12.75 m, area 2.6 m × 12.75 m = 33.14 m², total 45.75 m².
  **Not modelled**: bouncing/skipping (a separate impact point per bounce) and splatter of
  breaking debris (the FAA Flight Safety Analysis Handbook (2011), pp. 98–99, multiplies the
  debris radius by √F_A, F_A the ratio of secondary to primary debris field, median 4.36 for a
  20/80 hard/soft ground mix — a model for aircraft wreckage, not a balloon gondola).
* **Expected casualties** E_c = Σ_cells P(impact in cell) × population density × A_c, summed
  over pieces, times an optional sheltering factor (the fraction of risk that remains, 1 = people
  in the open). :func:`casualty_expectation` is that sum; :func:`assess_risk` evaluates it for a
  Monte Carlo :class:`~skywarden.hazard.dispersion.Dispersion` with each sample's own density
  (the limit of the cell sum for cells small against the population's variation) and reports
  the Monte Carlo standard error (it shrinks as 1/√N).
* **Individual risk**: probability that a person at a place becomes a casualty,
  Σ_pieces p(x) × A_c with p(x) the impact probability per m²; estimated on a grid of
  ``cell_m`` cells and maximised over cells where people live (density > 0). Its resolution
  is one sample's share, weight × A_c / cell_m²; :mod:`skywarden.hazard.resolve` gives both
  E_c and individual risk one-sided confidence bounds and decides pass / fail / undecided,
  sampling more where needed.
* **Limits**: 14 CFR 450.101(a)(1)(i) — collective risk to the public ≤ 1 × 10⁻⁴ expected
  casualties; 450.101(a)(2)(i) — individual risk ≤ 1 × 10⁻⁶ probability of casualty, per
  launch/event (eCFR text, Title 14 Part 450). Other limits come from a TOML/JSON file with
  ``ec_max`` and ``individual_max`` (required) and the optional keys below.
* **Hazardous debris only**: a sampled piece counts towards E_c and individual risk only when it
  is *hazardous inert debris*: mean impact kinetic energy ≥ 11 ft·lbf, or kinetic energy per
  unit impact area ≥ 34 ft·lbf/in². These are the FAA's numeric thresholds for inert debris
  (the definition of "hazardous debris" in the former 14 CFR 417.3, carried into the FAA's
  Part 450 guidance; the current 14 CFR 401.7 definition — "any object or substance capable
  of causing a casualty" — is qualitative). Converted exactly (1 ft = 0.3048 m,
  1 lbf = 4.4482216152605 N, 1 in = 0.0254 m): 11 ft·lbf = 14.914 J and
  34 ft·lbf/in² = 71,452 J/m². The test is applied per Monte Carlo sample (its own mass, speed
  and area); limits-file keys ``hazard_ke_j`` and ``hazard_ke_per_area_j_m2`` change the
  thresholds (0 counts every piece). Outputs report the piece-weighted hazardous fraction.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, ParseError, ValidationError
from .base import PopulationModel
from .dispersion import Dispersion, from_local
from .fragments import PERSON_HEIGHT_M, PERSON_SIDE_M, impact_angle_area_m2

__all__ = [
    "FAA_450",
    "HAZARD_KE_J",
    "HAZARD_KE_PER_AREA_J_M2",
    "RiskEstimate",
    "RiskLimits",
    "assess_risk",
    "casualty_area_m2",
    "casualty_expectation",
    "hazardous_mask",
    "impact_angle_area_m2",
    "load_limits",
]

_PER_KM2_TO_PER_M2 = 1e-6

FT_LBF_J = 0.3048 * 4.4482216152605
"""One foot-pound-force in joules (exact: international foot × standard pound-force)."""
IN2_M2 = 0.0254**2
"""One square inch in m² (exact)."""
HAZARD_KE_J = 11.0 * FT_LBF_J
"""11 ft·lbf = 14.914 J: inert debris at or above this mean impact kinetic energy is hazardous."""
HAZARD_KE_PER_AREA_J_M2 = 34.0 * FT_LBF_J / IN2_M2
"""34 ft·lbf/in² = 71,452 J/m²: the same by kinetic energy per unit impact area."""


def casualty_area_m2(
    fragment_area_m2: Any,
    person_radius_m: float = PERSON_SIDE_M,
    *,
    v_horizontal_m_s: Any = 0.0,
    v_vertical_m_s: Any = 1.0,
    person_height_m: float = PERSON_HEIGHT_M,
) -> Any:
    """(s + √A_f)² + (s + √A_f)·h·v_h/v_v for fragment area ``A_f`` (m²), person side
    ``s`` = ``person_radius_m`` (0.6 m; the argument keeps its old name, the value is a side) and
    height ``h``; without speeds the vertical-impact area (s + √A_f)². Arrays broadcast."""
    a = np.asarray(fragment_area_m2, dtype=np.float64)
    out = impact_angle_area_m2(
        (person_radius_m + np.sqrt(a)) ** 2, v_horizontal_m_s, v_vertical_m_s, person_height_m
    )
    return float(out) if np.ndim(out) == 0 else out


def casualty_expectation(
    p_impact: Any, density_per_km2: Any, casualty_area: Any, *, sheltering_factor: float = 1.0
) -> float:
    """E_c = Σ P(impact in cell) × density × A_c × sheltering (all arguments broadcast).

    ``p_impact`` is the expected number of pieces landing in each cell (for one piece, the
    probability), ``density_per_km2`` people/km² in the cell, ``casualty_area`` m² per piece.
    """
    if not 0.0 <= sheltering_factor <= 1.0:
        raise ValidationError(f"sheltering_factor must lie in [0, 1]; got {sheltering_factor}")
    p, d, a = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (p_impact, density_per_km2, casualty_area))
    )
    return float(np.sum(p * d * _PER_KM2_TO_PER_M2 * a) * sheltering_factor)


@dataclass(frozen=True)
class RiskLimits:
    """Acceptable risk per termination event.

    Attributes:
        name: label. ec_max: collective limit, expected casualties. individual_max: individual
        limit, probability of casualty. source: citation.
        hazard_ke_j: a piece is hazardous at or above this impact kinetic energy, J (11 ft·lbf).
        hazard_ke_per_area_j_m2: … or at or above this kinetic energy per impact area, J/m²
        (34 ft·lbf/in²). Set both to 0 to count every piece.
    """

    name: str = "faa450"
    ec_max: float = 1e-4
    individual_max: float = 1e-6
    source: str = "14 CFR 450.101(a)(1)(i) and (a)(2)(i)"
    hazard_ke_j: float = HAZARD_KE_J
    hazard_ke_per_area_j_m2: float = HAZARD_KE_PER_AREA_J_M2

    def __post_init__(self) -> None:
        for key in ("ec_max", "individual_max"):
            v = float(getattr(self, key))
            if not (math.isfinite(v) and v > 0):
                raise ValidationError(f"limit {key} must be a positive number; got {v!r}")
        for key in ("hazard_ke_j", "hazard_ke_per_area_j_m2"):
            v = float(getattr(self, key))
            if not (math.isfinite(v) and v >= 0):
                raise ValidationError(f"limit {key} must be a number ≥ 0; got {v!r}")

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ec_max": self.ec_max,
            "individual_max": self.individual_max,
            "source": self.source,
            "hazard_ke_j": self.hazard_ke_j,
            "hazard_ke_per_area_j_m2": self.hazard_ke_per_area_j_m2,
            "hazardous_debris": "inert piece counted when impact KE ≥ hazard_ke_j or KE/area ≥ "
            "hazard_ke_per_area_j_m2 (FAA thresholds 11 ft·lbf and 34 ft·lbf/in²)",
        }


FAA_450 = RiskLimits()
"""FAA 14 CFR 450.101: E_c ≤ 1e-4, individual risk ≤ 1e-6."""


_OPTIONAL_LIMIT_KEYS = ("hazard_ke_j", "hazard_ke_per_area_j_m2")


def load_limits(spec: str | Path | RiskLimits | None) -> RiskLimits:
    """``None``/``"faa450"`` → :data:`FAA_450`; else a TOML/JSON file with ``ec_max``, ``individual_max``
    and optionally ``hazard_ke_j`` (J), ``hazard_ke_per_area_j_m2`` (J/m²), ``name``, ``source``."""
    if isinstance(spec, RiskLimits):
        return spec
    if spec is None or str(spec).lower() in ("faa450", "faa-450"):
        return FAA_450
    path = Path(spec)
    if not path.is_file():
        raise NotFoundError(f"limits {str(spec)!r} is neither 'faa450' nor an existing TOML/JSON file")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ParseError(str(exc), path=path, expected="ec_max = 1e-4 and individual_max = 1e-6") from None
    if not isinstance(data, dict):
        raise ParseError("a limits file must hold a table/object", path=path, expected="ec_max = 1e-4 …")
    missing = [k for k in ("ec_max", "individual_max") if k not in data]
    if missing:
        raise ParseError(
            f"missing {missing}", path=path, field=missing[0], expected="a positive number, e.g. 1e-4"
        )
    for k in ("ec_max", "individual_max", *_OPTIONAL_LIMIT_KEYS):
        if k in data and (isinstance(data[k], bool) or not isinstance(data[k], int | float)):
            raise ParseError(
                "not a number", path=path, field=k, expected="a positive number", got=repr(data[k])
            )
    optional = {k: float(data[k]) for k in _OPTIONAL_LIMIT_KEYS if k in data}
    try:
        return RiskLimits(
            name=str(data.get("name", path.stem)),
            ec_max=float(data["ec_max"]),
            individual_max=float(data["individual_max"]),
            source=str(data.get("source", str(path))),
            **optional,
        )
    except ValidationError as exc:
        raise ParseError(
            str(exc), path=path, expected="ec_max and individual_max > 0, thresholds ≥ 0"
        ) from None


def hazardous_mask(dispersion: Dispersion, limits: RiskLimits = FAA_450) -> np.ndarray:
    """Per sample: True when the piece is hazardous inert debris (impact KE ≥ ``hazard_ke_j`` or
    KE per impact area ≥ ``hazard_ke_per_area_j_m2``; see the module docstring)."""
    ke = np.nan_to_num(np.asarray(dispersion.kinetic_energy_j, dtype=np.float64), nan=np.inf)
    out = ke >= limits.hazard_ke_j
    area = dispersion.area_m2
    if area is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            out |= ke / np.asarray(area, dtype=np.float64) >= limits.hazard_ke_per_area_j_m2
    return np.asarray(out, dtype=bool)


@dataclass(frozen=True)
class RiskEstimate:
    """Risk of one termination (one Monte Carlo dispersion).

    Attributes:
        ec: expected casualties. ec_std_error: its Monte Carlo standard error.
        max_individual_risk: highest probability of casualty for a person where people live.
        max_individual_lat_deg, max_individual_lon_deg: where (NaN when nobody is exposed).
        n_samples: Monte Carlo samples. cell_m: individual-risk grid cell, m.
        sheltering_factor: fraction of risk kept after sheltering (1 = in the open).
        fraction_unpopulated: piece-weighted fraction of impacts at zero population density.
        hazardous_fraction: piece-weighted fraction of impacts that are hazardous debris (only
        those count in E_c and individual risk).
    """

    ec: float
    ec_std_error: float
    max_individual_risk: float
    max_individual_lat_deg: float
    max_individual_lon_deg: float
    n_samples: int
    cell_m: float
    sheltering_factor: float
    fraction_unpopulated: float
    hazardous_fraction: float = 1.0

    def within(self, limits: RiskLimits) -> bool:
        """True when both limits hold."""
        return self.ec <= limits.ec_max and self.max_individual_risk <= limits.individual_max


def assess_risk(
    dispersion: Dispersion,
    population: PopulationModel,
    *,
    sheltering_factor: float = 1.0,
    cell_m: float = 1000.0,
    limits: RiskLimits | None = None,
) -> RiskEstimate:
    """E_c (with standard error) and maximum individual risk of a dispersion over a population,
    counting only hazardous pieces (thresholds from ``limits``, default :data:`FAA_450`)."""
    return risk_parts(
        dispersion, population, sheltering_factor=sheltering_factor, cell_m=cell_m, limits=limits
    )[0]


def risk_parts(
    dispersion: Dispersion,
    population: PopulationModel,
    *,
    sheltering_factor: float = 1.0,
    cell_m: float = 1000.0,
    limits: RiskLimits | None = None,
) -> tuple[RiskEstimate, dict[str, Any]]:
    """:func:`assess_risk` and its intermediate arrays (per-sample ``hazardous`` and ``density``;
    per-cell ``inverse``, ``keys``, ``lat_c``, ``lon_c``, ``populated``, ``per_cell``), so the
    confidence bounds of :mod:`.resolve` need no second population lookup."""
    if not 0.0 <= sheltering_factor <= 1.0:
        raise ValidationError(f"sheltering_factor must lie in [0, 1]; got {sheltering_factor}")
    d = dispersion
    hazardous = hazardous_mask(d, limits or FAA_450)
    dens = np.nan_to_num(population.density_per_km2(d.lat_deg, d.lon_deg), nan=0.0)
    area_h = np.where(hazardous, d.casualty_area_m2, 0.0)  # non-hazardous pieces injure nobody
    contrib = dens * _PER_KM2_TO_PER_M2 * area_h * sheltering_factor  # per piece of the class
    ec = 0.0
    var = 0.0
    for i, frag in enumerate(d.payload.fragments):
        sel = d.fragment_index == i
        n_i = int(sel.sum())
        if n_i == 0:
            continue
        c = contrib[sel] * frag.count
        ec += float(c.mean())
        if n_i > 1:
            var += float(c.var(ddof=1)) / n_i
    # Individual risk: Σ pieces × A_c per m² of each grid cell, at cells where people live.
    ix = np.floor(d.x_m / cell_m).astype(np.int64)
    iy = np.floor(d.y_m / cell_m).astype(np.int64)
    keys, inverse = np.unique(np.column_stack([ix, iy]), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    per_cell = np.bincount(inverse, weights=d.weight * area_h) / cell_m**2 * sheltering_factor
    lat_c, lon_c = from_local(
        d.lat0_deg, d.lon0_deg, (keys[:, 0] + 0.5) * cell_m, (keys[:, 1] + 0.5) * cell_m
    )
    people = np.nan_to_num(population.density_per_km2(lat_c, lon_c), nan=0.0) > 0
    risk = np.where(people, per_cell, 0.0)
    j = int(np.argmax(risk))
    exposed = bool(risk[j] > 0)
    pieces = d.weight.sum()
    estimate = RiskEstimate(
        ec=ec,
        ec_std_error=math.sqrt(var),
        max_individual_risk=float(risk[j]),
        max_individual_lat_deg=float(lat_c[j]) if exposed else math.nan,
        max_individual_lon_deg=float(lon_c[j]) if exposed else math.nan,
        n_samples=d.n,
        cell_m=float(cell_m),
        sheltering_factor=sheltering_factor,
        fraction_unpopulated=float(d.weight[dens <= 0].sum() / pieces),
        hazardous_fraction=float(d.weight[hazardous].sum() / pieces),
    )
    parts = {
        "hazardous": hazardous,
        "density": dens,
        "keys": keys,
        "inverse": inverse,
        "lat_c": lat_c,
        "lon_c": lon_c,
        "populated": people,
        "per_cell": per_cell,
    }
    return estimate, parts
