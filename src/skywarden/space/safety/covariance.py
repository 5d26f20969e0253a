"""Position/velocity covariances for conjunction work: RTN ↔ inertial, repair, a default TLE model.

Frames
------
The RTN (radial, transverse, normal) frame of an object with inertial position ``r`` and velocity
``v`` has unit axes ``R = r/|r|``, ``N = r×v/|r×v|``, ``T = N×R`` (CCSDS 508.0-B-1 §3.5.5 calls
it RTN; other texts call it RSW or RIC). :func:`rtn_matrix` returns the 3×3 matrix whose rows are
R, T, N, so ``x_rtn = M @ x_inertial`` and ``C_inertial = Mᵀ C_rtn M``. A 6×6 covariance is
rotated block by block with the same matrix (the frame's rotation rate is not applied to the
velocity block, the convention CARA's Pc tools use for CDM covariances; Pc needs only the 3×3
position block anyway).

Repair
------
Covariances from CDMs are often slightly non-positive-definite after rounding (CARA's
``RemediateCovariance2x2`` handles the same problem). :func:`repair_covariance` clips negative
eigenvalues to a small floor and emits ONE :class:`~skywarden.errors.DataQualityWarning` with
the number of repaired matrices.

Default TLE covariance model (``covariance_source = "default-tle-model"``)
--------------------------------------------------------------------------
TLEs carry no covariance. When only TLEs exist, :func:`default_tle_covariance` supplies a
diagonal RTN position covariance whose 1-σ values grow linearly with element age::

    σ_k(age) = σ_k,0 + σ̇_k · |age_days|      k ∈ {R, T, N}

with ``(σ_0, σ̇)`` per orbit class in :data:`TLE_SIGMA_MODEL`. Every number in it is published:

**At epoch, σ_0: Flohrer, Krag & Klinkrad (2008).** T. Flohrer, H. Krag, H. Klinkrad,
"Assessment and Categorization of TLE Orbit Errors for the US SSN Catalogue", AMOS Technical
Conference 2008 (amostech.com/TechnicalPapers/2008/Orbital_Debris/Flohrer.pdf). ESA/ESOC fitted
orbits to pseudo-observations made from the TLEs of the whole catalogue of 2008-01-01 and
tabulated the standard deviations of TLE minus fit at the TLE epoch, in metres, as U (radial),
V (along-track), W (cross-track). They are used as 1-σ in metres exactly as printed: no
conversion (no RMS→σ factor, no unit change).

*Table 2* (by eccentricity, perigee height h_p and inclination i), :data:`FLOHRER_2008_TABLE2`,
σ_R / σ_T / σ_N in m:

===========  =============  ==================  ==================  ==================
e            h_p            i < 30°             30° ≤ i < 60°       i ≥ 60°
===========  =============  ==================  ==================  ==================
e < 0.1      < 800 km       67 / 118 / 75       107 / 308 / 169     115 / 517 / 137
e < 0.1      800–25000 km   191 / 256 / 203     71 / 228 / 95       91 / 428 / 114
e < 0.1      ≥ 25000 km     357 / 432 / 83      (no entry)          (no entry)
e ≥ 0.1      < 800 km       2252 / 4270 / 1421  629 / 909 / 2057    494 / 814 / 1337
e ≥ 0.1      800–25000 km   1748 / 3119 / 971   1832 / 1878 / 1454  529 / 817 / 1570
e ≥ 0.1      ≥ 25000 km     402 / 418 / 83      4712 / 6223 / 1208  (no entry)
===========  =============  ==================  ==================  ==================

*Table 1* (averages by regime), :data:`FLOHRER_2008_TABLE1`, σ_R / σ_T / σ_N in m: LEO
102 / 471 / 126, MEO 73 / 131 / 54, GTO 1960 / 3897 / 1808, HEO 824 / 1367 / 1059,
GEO 359 / 432 / 86. Regimes by perigee and apogee height (:func:`flohrer_regime`): LEO apogee
< 2000 km; GEO perigee and apogee radius within 40164–44164 km (read as radii: the geostationary
radius 42164 km ± 2000 km); MEO perigee > 2000 km and apogee radius < 40164 km; GTO perigee
< 2000 km and apogee radius > 40164 km; HEO otherwise.

Provenance of the digits: the paper's PDF could not be opened when this model was written. The
values are those carried by two independent open-source implementations that cite these tables:
a TypeScript one (Tables 1 and 2, in m, with the regime bounds above) and a 2014 C++ one
(Table 2 only, in km, with a factor-of-ten slip on the four-digit entries, e.g. 0.2252 for
2252 m); their digits agree in all 14 Table 2 cells. A third summary gives Table 1's along-track
range as 0.1–0.5 km for LEO/MEO/GEO and 1.4–3.9 km for HEO/GTO, as here (131–471 m; 1367 and
3897 m). Check against the PDF when next editing. The band edges' inclusiveness is not known;
here every band includes its lower edge.

These are TLE-versus-fit consistency figures and read best as a lower bound: Levit & Marshall
(below) measured 0.8 ± 0.3 km range error at epoch against laser ranging, where the matching
Table 2 cells (e < 0.1, 800–25000 km) give a combined 3-D σ of √(71² + 228² + 95²) = 257 m to
√(91² + 428² + 114²) = 452 m.

**Growth, σ̇: Levit & Marshall (2011).** C. Levit, W. Marshall, "Improved orbit predictions
using two-line elements", Advances in Space Research 47(7), 1107–1115 (arXiv:1002.2277). Against
ILRS laser-ranging ephemerides of four satellites from 800 to 19 100 km, the SGP4 position error
from a TLE grows at a typical 1.5 km per day of propagation (the figure as quoted from the
paper's body by the TypeScript implementation above and by a second summary; the abstract,
read directly, gives the same order: the authors' fitted orbits grow 100 m/day, "approximately
a 10-fold improvement" over SGP4, i.e. ≈ 1 km/day). It is a range growth; it is put on the
along-track axis, the largest axis in every regime of Flohrer's Table 1:

    σ̇ = (0, 1500, 0) m/day        (1.5 km/day × 1000 m/km = 1500 m/day)

No published per-axis radial or cross-track growth was found, so σ_R and σ_N stay at their
epoch values. The same growth is used before and after the epoch (``|age_days|``) and for every
class, including GEO, HEO and GTO, which lie outside Levit & Marshall's sample (an
extrapolation). Example (ISS-like: e < 0.1, h_p < 800 km, i = 51.6°): at 2 days
σ = (107, 308 + 2 · 1500, 169) = (107, 3308, 169) m.

**Orbit classes.** :data:`TLE_SIGMA_MODEL` holds Table 1's five regimes under their names
(``"LEO"``, ``"MEO"``, ``"GTO"``, ``"HEO"``, ``"GEO"``; skywarden's own
:func:`~skywarden.space.catalog.elements.orbit_class` names map onto the first four, with its own
boundaries) and every Table 2 cell under a key such as ``"e<0.1,hp<800,i30-60"``.
:func:`tle_sigma_class` (or :func:`tle_sigma_class_for` on an
:class:`~skywarden.space.catalog.elements.Elements`) picks the Table 2 cell and falls back to the
Table 1 regime where the cell is empty.

Every result computed from this model is marked ``covariance_source="default-tle-model"``; treat
the resulting Pc as a screening indicator, never as an operational collision probability.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ...constants import WGS72_EARTH_RADIUS_KM
from ...errors import DataQualityWarning, InputError, OptionError

if TYPE_CHECKING:
    from ..catalog.elements import Elements

__all__ = [
    "DEFAULT_TLE_COVARIANCE_SOURCE",
    "FLOHRER_2008_TABLE1",
    "FLOHRER_2008_TABLE2",
    "LEVIT_MARSHALL_2011_GROWTH_M_PER_DAY",
    "TLE_SIGMA_MODEL",
    "default_tle_covariance",
    "flohrer_regime",
    "inertial_to_rtn",
    "repair_covariance",
    "rtn_matrix",
    "rtn_to_inertial",
    "tle_sigma_class",
    "tle_sigma_class_for",
]

DEFAULT_TLE_COVARIANCE_SOURCE = "default-tle-model"
"""The ``covariance_source`` flag on every output that used :func:`default_tle_covariance`."""

Sigma3 = tuple[float, float, float]
"""(σ_R, σ_T, σ_N): radial, along-track (transverse), cross-track (normal), metres or metres/day."""

FLOHRER_2008_TABLE1: dict[str, Sigma3] = {
    "LEO": (102.0, 471.0, 126.0),
    "MEO": (73.0, 131.0, 54.0),
    "GTO": (1960.0, 3897.0, 1808.0),
    "HEO": (824.0, 1367.0, 1059.0),
    "GEO": (359.0, 432.0, 86.0),
}
"""Flohrer, Krag & Klinkrad (AMOS 2008), Table 1: TLE 1-σ at epoch by regime, m (U, V, W)."""

_ECC_BANDS = ("e<0.1", "e>=0.1")
_HP_BANDS = ("hp<800", "hp800-25000", "hp>=25000")
_INC_BANDS = ("i<30", "i30-60", "i>=60")

FLOHRER_2008_TABLE2: dict[tuple[str, str, str], Sigma3] = {
    ("e<0.1", "hp<800", "i<30"): (67.0, 118.0, 75.0),
    ("e<0.1", "hp<800", "i30-60"): (107.0, 308.0, 169.0),
    ("e<0.1", "hp<800", "i>=60"): (115.0, 517.0, 137.0),
    ("e<0.1", "hp800-25000", "i<30"): (191.0, 256.0, 203.0),
    ("e<0.1", "hp800-25000", "i30-60"): (71.0, 228.0, 95.0),
    ("e<0.1", "hp800-25000", "i>=60"): (91.0, 428.0, 114.0),
    ("e<0.1", "hp>=25000", "i<30"): (357.0, 432.0, 83.0),
    ("e>=0.1", "hp<800", "i<30"): (2252.0, 4270.0, 1421.0),
    ("e>=0.1", "hp<800", "i30-60"): (629.0, 909.0, 2057.0),
    ("e>=0.1", "hp<800", "i>=60"): (494.0, 814.0, 1337.0),
    ("e>=0.1", "hp800-25000", "i<30"): (1748.0, 3119.0, 971.0),
    ("e>=0.1", "hp800-25000", "i30-60"): (1832.0, 1878.0, 1454.0),
    ("e>=0.1", "hp800-25000", "i>=60"): (529.0, 817.0, 1570.0),
    ("e>=0.1", "hp>=25000", "i<30"): (402.0, 418.0, 83.0),
    ("e>=0.1", "hp>=25000", "i30-60"): (4712.0, 6223.0, 1208.0),
}
"""Flohrer, Krag & Klinkrad (AMOS 2008), Table 2: TLE 1-σ at epoch, m (U, V, W), keyed by
(eccentricity, perigee height in km, inclination in degrees) band; the paper's empty cells are
absent (e < 0.1 with h_p ≥ 25000 km and i ≥ 30°; e ≥ 0.1 with h_p ≥ 25000 km and i ≥ 60°)."""

LEVIT_MARSHALL_2011_GROWTH_M_PER_DAY = 1500.0
"""Levit & Marshall (Adv. Space Res. 47, 2011): typical SGP4 error growth, 1.5 km/day = 1500 m/day."""

_GROWTH: Sigma3 = (0.0, LEVIT_MARSHALL_2011_GROWTH_M_PER_DAY, 0.0)  # along-track only

TLE_SIGMA_MODEL: dict[str, tuple[Sigma3, Sigma3]] = {
    **{regime: (sigma, _GROWTH) for regime, sigma in FLOHRER_2008_TABLE1.items()},
    **{",".join(cell): (sigma, _GROWTH) for cell, sigma in FLOHRER_2008_TABLE2.items()},
}
"""Orbit class -> ((σR0, σT0, σN0) m at epoch, (σ̇R, σ̇T, σ̇N) m/day of element age).

Table 1 regimes under their names, Table 2 cells as ``"e<0.1,hp<800,i30-60"`` (see the module
docstring for the sources)."""

_EARTH_RADIUS_KM = WGS72_EARTH_RADIUS_KM  # as Elements.perigee_km / apogee_km use
_GEO_RADIUS_BAND_KM = (40164.0, 44164.0)  # Flohrer et al. 2008 GEO bounds, geostationary radius ± 2000 km
_LEO_MEO_BOUND_KM = 2000.0  # Flohrer et al. 2008 regime bound, height


def flohrer_regime(perigee_km: float, apogee_km: float) -> str:
    """Flohrer et al. (2008) Table 1 regime for perigee/apogee heights above the equator, km.

    ``LEO`` apogee < 2000 km; ``GEO`` perigee and apogee radius within 40164–44164 km; ``MEO``
    perigee > 2000 km and apogee radius < 40164 km; ``GTO`` perigee < 2000 km and apogee radius
    > 40164 km; ``HEO`` otherwise.
    """
    hp, ha = float(perigee_km), float(apogee_km)
    if not (math.isfinite(hp) and math.isfinite(ha)):
        raise InputError(f"perigee and apogee heights must be finite; got {hp!r} km and {ha!r} km")
    geo_low = _GEO_RADIUS_BAND_KM[0] - _EARTH_RADIUS_KM
    geo_high = _GEO_RADIUS_BAND_KM[1] - _EARTH_RADIUS_KM
    if ha < _LEO_MEO_BOUND_KM:
        return "LEO"
    if hp > geo_low and ha < geo_high:
        return "GEO"
    if hp > _LEO_MEO_BOUND_KM and ha < geo_low:
        return "MEO"
    if hp < _LEO_MEO_BOUND_KM and ha > geo_low:
        return "GTO"
    return "HEO"


def tle_sigma_class(perigee_km: float, apogee_km: float, eccentricity: float, inclination_deg: float) -> str:
    """The :data:`TLE_SIGMA_MODEL` class of an orbit: its Flohrer Table 2 cell, else its Table 1 regime.

    Heights are above the equatorial radius, km. Bands include their lower edge (e < 0.1 is
    "circular"; h_p < 800, 800–25000, ≥ 25000 km; i < 30°, 30–60°, ≥ 60°).
    """
    hp, e, inc = float(perigee_km), float(eccentricity), float(inclination_deg)
    if not all(math.isfinite(x) for x in (hp, e, inc)):
        raise InputError(
            f"perigee height, eccentricity and inclination must be finite; got {hp!r} km, {e!r}, {inc!r}°"
        )
    cell = (
        _ECC_BANDS[0] if e < 0.1 else _ECC_BANDS[1],
        _HP_BANDS[0] if hp < 800.0 else _HP_BANDS[1] if hp < 25000.0 else _HP_BANDS[2],
        _INC_BANDS[0] if inc < 30.0 else _INC_BANDS[1] if inc < 60.0 else _INC_BANDS[2],
    )
    if cell in FLOHRER_2008_TABLE2:
        return ",".join(cell)
    return flohrer_regime(hp, apogee_km)


def tle_sigma_class_for(elements: Elements) -> str:
    """:func:`tle_sigma_class` of an :class:`~skywarden.space.catalog.elements.Elements` record."""
    return tle_sigma_class(
        elements.perigee_km, elements.apogee_km, elements.eccentricity, elements.inclination_deg
    )


_EIGEN_FLOOR_M2 = 1e-10  # m², smallest eigenvalue kept after repair


def rtn_matrix(r: Any, v: Any) -> np.ndarray:
    """Rotation matrix (rows R, T, N) for inertial ``r``, ``v`` of shape (..., 3); returns (..., 3, 3).

    ``x_rtn = M @ x_inertial``. Units of r and v do not matter.
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    if r.shape[-1] != 3 or v.shape[-1] != 3:
        raise InputError(f"r and v must end in a 3-vector axis; got shapes {r.shape} and {v.shape}")
    rhat = r / np.linalg.norm(r, axis=-1, keepdims=True)
    h = np.cross(r, v)
    nhat = h / np.linalg.norm(h, axis=-1, keepdims=True)
    that = np.cross(nhat, rhat)
    return np.stack([rhat, that, nhat], axis=-2)


def _rotate(cov: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``B C Bᵀ`` where B is block-diag(m, m) for 6×6 inputs, m for 3×3."""
    n = cov.shape[-1]
    if cov.shape[-2:] not in ((3, 3), (6, 6)):
        raise InputError(f"a covariance must be 3×3 or 6×6 (…, n, n); got shape {cov.shape}")
    if n == 6:
        b = np.zeros((*m.shape[:-2], 6, 6))
        b[..., :3, :3] = m
        b[..., 3:, 3:] = m
        m = b
    return m @ cov @ np.swapaxes(m, -1, -2)


def rtn_to_inertial(cov_rtn: Any, r: Any, v: Any) -> np.ndarray:
    """Rotate an RTN covariance (3×3 or 6×6, any units) of the object at ``r``, ``v`` to inertial."""
    m = rtn_matrix(r, v)
    return _rotate(np.asarray(cov_rtn, dtype=float), np.swapaxes(m, -1, -2))


def inertial_to_rtn(cov_inertial: Any, r: Any, v: Any) -> np.ndarray:
    """Rotate an inertial covariance (3×3 or 6×6) of the object at ``r``, ``v`` to its RTN frame."""
    return _rotate(np.asarray(cov_inertial, dtype=float), rtn_matrix(r, v))


def repair_covariance(
    cov: Any, *, floor: float = _EIGEN_FLOOR_M2, warn: bool = True
) -> tuple[np.ndarray, Any]:
    """Symmetrise and clip eigenvalues below ``floor`` (same units as ``cov``); (..., n, n) arrays.

    Returns ``(repaired, was_repaired)`` where ``was_repaired`` is a bool (array for stacks). Emits
    one :class:`DataQualityWarning` naming how many matrices were repaired when ``warn``.
    Matrices with non-finite entries are returned unchanged (callers turn them into NaN Pc).
    """
    c = np.asarray(cov, dtype=float)
    c = 0.5 * (c + np.swapaxes(c, -1, -2))
    finite = np.all(np.isfinite(c), axis=(-1, -2))
    safe = np.where(finite[..., None, None], c, np.eye(c.shape[-1]))
    w, q = np.linalg.eigh(safe)
    bad = finite & np.any(w < floor, axis=-1)
    if np.any(bad):
        clipped = (q * np.maximum(w, floor)[..., None, :]) @ np.swapaxes(q, -1, -2)
        c = np.where(bad[..., None, None], clipped, c)
        if warn:
            count = int(np.count_nonzero(bad))
            warnings.warn(
                f"{count} covariance matri{'x was' if count == 1 else 'ces were'} not positive definite; "
                f"negative eigenvalues were clipped to {floor:g} (eigenvalue clipping)",
                DataQualityWarning,
                stacklevel=2,
            )
    return c, (bool(bad) if np.ndim(bad) == 0 else bad)


def default_tle_covariance(age_days: Any, orbit_class: str = "LEO") -> np.ndarray:
    """Diagonal RTN position covariance, m², for TLEs of ``age_days`` (see the module docstring).

    ``orbit_class`` is a :data:`TLE_SIGMA_MODEL` key: a Flohrer Table 1 regime (``"LEO"``,
    ``"MEO"``, ``"GTO"``, ``"HEO"``, ``"GEO"``) or a Table 2 cell from :func:`tle_sigma_class`.
    ``age_days`` may be an array; returns shape (..., 3, 3).
    """
    if orbit_class not in TLE_SIGMA_MODEL:
        raise OptionError("orbit_class", orbit_class, TLE_SIGMA_MODEL)
    sigma0, rate = (np.asarray(x) for x in TLE_SIGMA_MODEL[orbit_class])
    age = np.abs(np.asarray(age_days, dtype=float))[..., None]
    sigma = sigma0 + rate * age
    out = np.zeros((*sigma.shape[:-1], 3, 3))
    idx = np.arange(3)
    out[..., idx, idx] = sigma**2
    return out
