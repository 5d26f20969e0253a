"""Monte Carlo impact dispersion and footprint contours.

:func:`impact_dispersion` draws ``n`` falls: each sample is one piece of one fragment class
(samples are split between classes half evenly, half in proportion to their counts, and carry
the weight ``count / n_class`` so that weights add up to the number of pieces). Each draw varies
the piece's mass, area and drag coefficient (log-normal relative spreads from the payload), the
release altitude and position (normal), the wind (a normal error constant over one fall, each
horizontal axis) and, for an ensemble prediction, the member the release is taken from.

Footprints are highest-density regions of the piece-weighted impact distribution on a grid in a
local azimuthal-equidistant frame (geodesic distance and azimuth) centred on the release point
(or on the mean impact point for several release states): the smallest set of cells that
holds 50/90/99 % of the probability, traced into polygons (rasterio.features.shapes), unioned
with shapely and mapped back to WGS84.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataQualityWarning, ValidationError
from ..geo import geodesic_destination, geodesic_inverse
from .fall import Atmosphere, WindColumn, integrate_fall
from .fragments import Payload, impact_angle_area_m2, load_payload, slide_area_m2

__all__ = ["Dispersion", "from_local", "impact_dispersion", "to_local"]

DEFAULT_LEVELS = (0.5, 0.9, 0.99)


def to_local(lat0_deg: float, lon0_deg: float, lat_deg: Any, lon_deg: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 points → azimuthal-equidistant ``(x_m, y_m)`` (east, north) centred at (lat0, lon0):
    geodesic distance along the geodesic azimuth (the ellipsoidal aeqd projection)."""
    la = np.asarray(lat_deg, dtype=np.float64)
    az, _, dist = geodesic_inverse(np.full(la.shape, lat0_deg), np.full(la.shape, lon0_deg), la, lon_deg)
    a = np.radians(az)
    return dist * np.sin(a), dist * np.cos(a)


def from_local(lat0_deg: float, lon0_deg: float, x_m: Any, y_m: Any) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_local`: ``(lat_deg, lon_deg)``."""
    x, y = np.broadcast_arrays(np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64))
    lat, lon = geodesic_destination(np.full(x.shape, lat0_deg), np.full(x.shape, lon0_deg),
                                    np.degrees(np.arctan2(x, y)), np.hypot(x, y))  # fmt: skip
    return np.asarray(lat), np.asarray(lon)


@dataclass(frozen=True)
class Dispersion:
    """Impacts of ``n`` Monte Carlo samples (one piece each).

    Attributes:
        lat_deg, lon_deg: impact points, WGS84.
        x_m, y_m: impact points in the azimuthal-equidistant frame at (lat0_deg, lon0_deg), m.
        time_s: fall time, s. impact_speed_m_s: ground-relative impact speed, m/s.
        kinetic_energy_j: impact kinetic energy, J. mass_kg: sampled piece mass, kg.
        casualty_area_m2: casualty area of the sampled piece, m².
        fragment_index: index of the fragment class in ``payload.fragments``.
        weight: pieces each sample stands for (Σ weight = number of pieces).
        n_per_class: samples per fragment class.
        lat0_deg, lon0_deg: centre of the local frame (the release point, or the mean impact
            point when there are several release states).
        payload: the payload. assumptions: what drove the result.
        area_m2: sampled impact (reference) area of each piece, m² (None: not known), for the
            kinetic-energy-per-area hazard test.
        horizontal_speed_m_s, vertical_speed_m_s: ground-relative impact speeds, m/s (vertical
            downward positive); ``casualty_area_m2`` includes the impact-angle term built from them.
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    time_s: np.ndarray
    impact_speed_m_s: np.ndarray
    kinetic_energy_j: np.ndarray
    mass_kg: np.ndarray
    casualty_area_m2: np.ndarray
    fragment_index: np.ndarray
    weight: np.ndarray
    n_per_class: np.ndarray
    lat0_deg: float
    lon0_deg: float
    payload: Payload
    assumptions: dict[str, Any] = field(default_factory=dict)
    area_m2: np.ndarray | None = None
    horizontal_speed_m_s: np.ndarray | None = None
    vertical_speed_m_s: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.lat_deg.size)

    def merge(self, other: Dispersion) -> Dispersion:
        """The samples of both dispersions of the same payload (independent draws), in this one's
        local frame; weights are recomputed so Σ weight stays the number of pieces."""
        if len(other.payload.fragments) != len(self.payload.fragments):
            raise ValidationError("merge needs dispersions of the same payload")
        if (other.lat0_deg, other.lon0_deg) == (self.lat0_deg, self.lon0_deg):
            ox, oy = other.x_m, other.y_m
        else:
            ox, oy = to_local(self.lat0_deg, self.lon0_deg, other.lat_deg, other.lon_deg)

        def cat(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
            return None if a is None or b is None else np.concatenate([a, b])

        cls = np.concatenate([self.fragment_index, other.fragment_index])
        n_per = np.bincount(cls, minlength=len(self.payload.fragments))
        counts = np.array([f.count for f in self.payload.fragments], dtype=np.float64)
        return Dispersion(
            lat_deg=np.concatenate([self.lat_deg, other.lat_deg]),
            lon_deg=np.concatenate([self.lon_deg, other.lon_deg]),
            x_m=np.concatenate([self.x_m, ox]),
            y_m=np.concatenate([self.y_m, oy]),
            time_s=np.concatenate([self.time_s, other.time_s]),
            impact_speed_m_s=np.concatenate([self.impact_speed_m_s, other.impact_speed_m_s]),
            kinetic_energy_j=np.concatenate([self.kinetic_energy_j, other.kinetic_energy_j]),
            mass_kg=np.concatenate([self.mass_kg, other.mass_kg]),
            casualty_area_m2=np.concatenate([self.casualty_area_m2, other.casualty_area_m2]),
            fragment_index=cls,
            weight=counts[cls] / n_per[cls],
            n_per_class=n_per,
            lat0_deg=self.lat0_deg,
            lon0_deg=self.lon0_deg,
            payload=self.payload,
            assumptions={**self.assumptions, "n_samples": int(cls.size)},
            area_m2=cat(self.area_m2, other.area_m2),
            horizontal_speed_m_s=cat(self.horizontal_speed_m_s, other.horizontal_speed_m_s),
            vertical_speed_m_s=cat(self.vertical_speed_m_s, other.vertical_speed_m_s),
        )

    def mean_impact(self) -> tuple[float, float]:
        """Piece-weighted mean impact point ``(lat_deg, lon_deg)`` (through the local frame)."""
        w = self.weight / self.weight.sum()
        lat, lon = from_local(
            self.lat0_deg, self.lon0_deg, float(np.sum(w * self.x_m)), float(np.sum(w * self.y_m))
        )
        return float(lat), float(lon)

    def default_cell_m(self) -> float:
        """Grid cell for footprints: 1/50 of the 0.5–99.5 % spread, at least 25 m."""
        span = max(
            np.percentile(self.x_m, 99.5) - np.percentile(self.x_m, 0.5),
            np.percentile(self.y_m, 99.5) - np.percentile(self.y_m, 0.5),
        )
        return float(max(25.0, span / 50.0))

    def probability_grid(self, cell_m: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(x_edges_m, y_edges_m, p)``: probability that a random piece lands in each cell
        (``p[iy, ix]``, sums to 1), in the local frame."""
        cell = cell_m or self.default_cell_m()
        x0 = np.floor(self.x_m.min() / cell) * cell - cell
        y0 = np.floor(self.y_m.min() / cell) * cell - cell
        nx = int(np.ceil((self.x_m.max() - x0) / cell)) + 2
        ny = int(np.ceil((self.y_m.max() - y0) / cell)) + 2
        x_edges = x0 + cell * np.arange(nx + 1)
        y_edges = y0 + cell * np.arange(ny + 1)
        p, _, _ = np.histogram2d(self.y_m, self.x_m, bins=(y_edges, x_edges), weights=self.weight)
        return x_edges, y_edges, p / p.sum()

    def footprint(
        self, levels: Sequence[float] = DEFAULT_LEVELS, cell_m: float | None = None, smooth_cells: float = 1.0
    ) -> list[dict[str, Any]]:
        """Highest-density footprint contours: for each level, ``{"level", "polygons" (list of
        polygons, each a list of rings — exterior first, then holes — of (lon_deg, lat_deg)),
        "area_km2", "shape"}`` (``shape`` a shapely geometry in
        the local frame, m). The probability grid is smoothed with a Gaussian of
        ``smooth_cells`` cells (a kernel density estimate) before the regions are traced."""
        from rasterio.features import shapes
        from rasterio.transform import Affine
        from scipy.ndimage import gaussian_filter
        from shapely.geometry import shape as to_shape
        from shapely.ops import unary_union

        x_edges, y_edges, p = self.probability_grid(cell_m)
        cell = float(x_edges[1] - x_edges[0])
        p = np.pad(p, 3)
        x_edges = np.concatenate(
            [x_edges[0] - cell * np.arange(3, 0, -1), x_edges, x_edges[-1] + cell * np.arange(1, 4)]
        )
        y_edges = np.concatenate(
            [y_edges[0] - cell * np.arange(3, 0, -1), y_edges, y_edges[-1] + cell * np.arange(1, 4)]
        )
        p = gaussian_filter(p, smooth_cells, mode="constant") if smooth_cells > 0 else p
        flat = np.sort(p.ravel())[::-1]
        cum = np.cumsum(flat)
        transform = Affine(cell, 0.0, float(x_edges[0]), 0.0, cell, float(y_edges[0]))
        out = []
        for level in levels:
            if not 0.0 < level < 1.0:
                raise ValidationError(f"footprint levels must lie in (0, 1); got {level}")
            k = int(np.searchsorted(cum, level * cum[-1])) + 1
            threshold = flat[min(k, flat.size) - 1]
            mask = (p >= threshold) & (p > 0)
            geoms = [
                to_shape(g)
                for g, v in shapes(mask.astype(np.uint8), mask=mask, transform=transform)
                if v == 1
            ]
            merged = unary_union(geoms).simplify(cell * 0.25)
            polys = list(getattr(merged, "geoms", [merged]))
            parts = []
            for poly in polys:
                rings = []
                for ring in (poly.exterior, *poly.interiors):
                    xs, ys = np.asarray(ring.coords).T
                    lat, lon = from_local(self.lat0_deg, self.lon0_deg, xs, ys)
                    rings.append([(float(a), float(b)) for a, b in zip(lon, lat, strict=True)])
                parts.append(rings)
            out.append(
                {"level": float(level), "polygons": parts, "area_km2": merged.area / 1e6, "shape": merged}
            )
        return out

    def summary(self) -> dict[str, Any]:
        """Per fragment class: nominal-ish impact statistics (medians, 99th percentiles)."""
        rows = []
        for i, frag in enumerate(self.payload.fragments):
            sel = self.fragment_index == i
            if not sel.any():
                continue
            rows.append(
                {
                    "fragment": frag.name,
                    "count": frag.count,
                    "samples": int(sel.sum()),
                    "fall_time_s_median": float(np.nanmedian(self.time_s[sel])),
                    "impact_speed_m_s_median": float(np.nanmedian(self.impact_speed_m_s[sel])),
                    "kinetic_energy_j_median": float(np.nanmedian(self.kinetic_energy_j[sel])),
                    "kinetic_energy_j_p99": float(np.nanpercentile(self.kinetic_energy_j[sel], 99)),
                    "impact_lat_deg_median": float(np.nanmedian(self.lat_deg[sel])),
                    "impact_lon_deg_median": float(np.nanmedian(self.lon_deg[sel])),
                }
            )
        return {"n_samples": self.n, "fragments": rows}


def _allocate(payload: Payload, n: int) -> np.ndarray:
    counts = np.array([f.count for f in payload.fragments], dtype=np.float64)
    k = counts.size
    share = 0.5 / k + 0.5 * counts / counts.sum()
    alloc = np.maximum(1, np.floor(share * n)).astype(np.int64)
    alloc[np.argmax(share)] += max(0, n - int(alloc.sum()))
    return alloc


def impact_dispersion(
    payload: Payload | str,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    *,
    time: Any = None,
    velocity_enu_m_s: Any = (0.0, 0.0, 0.0),
    wind: WindColumn | Any = None,
    n: int = 10_000,
    seed: int | np.random.Generator | None = 0,
    atmosphere: Atmosphere | None = None,
    ground_alt_m: float = 0.0,
    wind_sigma_m_s: float | None = None,
    dt_max_s: float = 2.0,
    dz_max_m: float = 50.0,
    progress: Callable[[int, int], None] | None = None,
) -> Dispersion:
    """Monte Carlo impacts of ``payload`` released at (lat, lon, alt_m), UTC ``time``.

    The release arguments may be arrays of ``m`` equally likely release states (ensemble
    members); each sample picks one. ``velocity_enu_m_s`` is ``(3,)`` or ``(m, 3)`` (east, north,
    up). ``wind`` is None (calm air), a :class:`~skywarden.hazard.fall.WindColumn` (one profile,
    or one per release state) or a :class:`~skywarden.weather.winds.WindField` (profiles taken at
    each release state; ``time`` is then required). ``wind_sigma_m_s`` overrides the payload's.
    ``dt_max_s`` / ``dz_max_m`` bound the fall integration step (see :func:`~skywarden.hazard.fall.fall`).
    """
    pl = load_payload(payload)
    if n < 1:
        raise ValidationError(f"n must be ≥ 1; got {n}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    la, lo, z = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in (lat_deg, lon_deg, alt_m))
    )
    m = la.size
    vel = np.broadcast_to(np.asarray(velocity_enu_m_s, dtype=np.float64), (m, 3))
    if isinstance(wind, WindColumn) or wind is None:
        profile = wind or WindColumn.calm()
        if profile.n_profiles not in (1, m):
            raise ValidationError(f"the wind profile has {profile.n_profiles} rows; expected 1 or {m}")
    else:
        if time is None:
            raise ValidationError("a wind field needs the release time(s)")
        members = np.arange(m) % max(1, int(getattr(wind, "n_members", 1)))
        profile = WindColumn.from_field(wind, time, la, lo, float(np.nanmax(z)) + 1000.0, member=members)
    alloc = _allocate(pl, n)
    total = int(alloc.sum())
    cls = np.repeat(np.arange(alloc.size), alloc)
    mass = np.empty(total)
    cda = np.empty(total)
    ac = np.empty(total)
    area = np.empty(total)
    weight = np.empty(total)
    start = 0
    for i, frag in enumerate(pl.fragments):
        s = frag.sample(int(alloc[i]), rng)
        sl = slice(start, start + int(alloc[i]))
        mass[sl], cda[sl], ac[sl] = s["mass_kg"], s["cd_area_m2"], s["casualty_area_m2"]
        area[sl] = s["area_m2"]
        weight[sl] = frag.count / alloc[i]
        start += int(alloc[i])
    member = rng.integers(0, m, total) if m > 1 else np.zeros(total, dtype=np.int64)
    member[0] = 0
    z0 = z[member] + (rng.normal(0.0, pl.release_alt_sigma_m, total) if pl.release_alt_sigma_m > 0 else 0.0)
    z0 = np.maximum(z0, ground_alt_m + 1.0)
    sig_w = pl.wind_sigma_m_s if wind_sigma_m_s is None else float(wind_sigma_m_s)
    offset = rng.normal(0.0, sig_w, (total, 2)) if sig_w > 0 else np.zeros((total, 2))
    prof_idx = member if profile.n_profiles == m and m > 1 else np.zeros(total, dtype=np.int64)
    rows = np.empty((total, 6))
    chunk = 4096
    for a in range(0, total, chunk):
        b = min(total, a + chunk)
        rows[a:b] = integrate_fall(
            z0[a:b], vel[member[a:b]], cda[a:b] / (2.0 * mass[a:b]), wind=profile,
            profile_index=prof_idx[a:b], wind_offset_m_s=offset[a:b], atmosphere=atmosphere,
            ground_alt_m=ground_alt_m, dt_max_s=dt_max_s, dz_max_m=dz_max_m,
        )  # fmt: skip
        if progress is not None:
            progress(b, total)
    stuck = int(np.count_nonzero(~np.isfinite(rows[:, 0])))
    if stuck:
        warnings.warn(
            f"{stuck} of {total} sampled piece(s) had not landed after 6 h of fall; their last position is used",
            DataQualityWarning,
            stacklevel=2,
        )
    sig_h = pl.release_horizontal_sigma_m
    east = rows[:, 1] + (rng.normal(0.0, sig_h, total) if sig_h > 0 else 0.0)
    north = rows[:, 2] + (rng.normal(0.0, sig_h, total) if sig_h > 0 else 0.0)
    lat_i, lon_i = geodesic_destination(
        la[member], lo[member], np.degrees(np.arctan2(east, north)), np.hypot(east, north)
    )
    lat_i, lon_i = np.asarray(lat_i), np.asarray(lon_i)
    if m == 1:
        # one release state: the impacts were placed along geodesics from it, so (east, north)
        # already are azimuthal-equidistant coordinates centred on the release point
        lat0, lon0 = float(la[0]), float(lo[0])
        x, y = np.asarray(east, dtype=np.float64), np.asarray(north, dtype=np.float64)
    else:
        lat0 = float(np.mean(lat_i))
        lon0 = float(np.degrees(np.angle(np.mean(np.exp(1j * np.radians(lon_i))))))
        x, y = to_local(lat0, lon0, lat_i, lon_i)
    speed = np.linalg.norm(rows[:, 3:6], axis=1)
    v_h = np.hypot(rows[:, 3], rows[:, 4])
    v_v = -rows[:, 5]
    ac_vertical = ac
    ac = impact_angle_area_m2(ac, v_h, v_v)  # + √A_c·h_person·v_h/v_v (RCC 321 / AC 450.115-1)
    slides = [i for i, f in enumerate(pl.fragments) if f.impact_mode == "slide"]
    for i in slides:  # + √A_c·(e·v_h)²/(2μg): heavy pieces that slide on (RCC 323 supplement / RTI)
        f, sel = pl.fragments[i], cls == i
        ac[sel] += slide_area_m2(ac_vertical[sel], v_h[sel], f.friction_coefficient, f.restitution)
    assumptions = {
        "payload": pl.name,
        "wind": profile.source if not profile.is_calm else "calm air (no wind): fall computed without wind",
        "wind_sigma_m_s": sig_w,
        "atmosphere": "US Standard Atmosphere 1976" if atmosphere is None else "user atmosphere function",
        "ground_alt_m": ground_alt_m,
        "n_samples": total,
        "release_states": m,
        "seed": seed if isinstance(seed, int) else None,
        "wind_time_outside_file": profile.time_note,
        "casualty_area": "(0.6 m + √A)² + (0.6 m + √A)·1.8 m·v_h/v_v per sample (impact-angle term, "
        "RCC 321 / FAA AC 450.115-1 form; ground-relative impact velocity)"
        + (
            "; sliding pieces (" + ", ".join(pl.fragments[i].name for i in slides) + ") add "
            "(0.6 m + √A)·(e·v_h)²/(2μg) (slide area, RCC 323-99 supplement p. D-4 / RTI 1995)"
            if slides
            else ""
        ),
    }
    return Dispersion(
        lat_deg=lat_i, lon_deg=lon_i, x_m=np.asarray(x), y_m=np.asarray(y), time_s=rows[:, 0],
        impact_speed_m_s=speed, kinetic_energy_j=0.5 * mass * speed**2, mass_kg=mass,
        casualty_area_m2=ac, fragment_index=cls, weight=weight, n_per_class=alloc,
        lat0_deg=lat0, lon0_deg=lon0, payload=pl, assumptions=assumptions, area_m2=area,
        horizontal_speed_m_s=v_h, vertical_speed_m_s=v_v,
    )  # fmt: skip
