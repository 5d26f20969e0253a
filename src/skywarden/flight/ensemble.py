"""Ensemble statistics over member arrays: mean track, position contours, landing dispersion,
probability of entering a polygon.

All functions are plain numpy/shapely over a :class:`~skywarden.flight.predict.Prediction`.
Horizontal statistics are computed in a local azimuthal-equidistant plane (pyproj ``aeqd``)
around the ensemble mean, so they are in metres and unaffected by the antimeridian.

Position contours: the ``p`` contour at a time is the convex hull of the ⌈p·n⌉ members
closest to the ensemble mean in Mahalanobis distance (sample covariance) — a
distribution-free region that holds *at least* ``p`` of the members by construction (more when
⌈p·n⌉ > p·n, or when farther members happen to lie inside the hull).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import ValidationError
from ..geo import mean_position, unwrap_lon_deg, wrap_lon_deg
from ..timeutil import isoformat, to_datetime64
from .predict import Prediction

__all__ = [
    "arrival_dispersion",
    "core_indices",
    "core_rings",
    "landing_dispersion",
    "local_aeqd",
    "mean_track",
    "polygon_entry_probability",
    "position_contours",
    "positions_at",
]


def _mean_point(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float]:
    """Mean horizontal position through ECEF (antimeridian-safe); NaNs ignored
    (:func:`skywarden.geo.mean_position`, the one ensemble-mean definition)."""
    la, lo, _ = mean_position(lat, lon)
    return float(la), float(lo)


def mean_track(pred: Prediction) -> dict[str, np.ndarray]:
    """Ensemble-mean track on the recorded times: ``times, lat_deg, lon_deg, alt_m, n_members``
    (members that have ended are left out of later means)."""
    n_rec = pred.times.size
    lat = np.full(n_rec, np.nan)
    lon = np.full(n_rec, np.nan)
    alt = np.full(n_rec, np.nan)
    count = np.isfinite(pred.lat_deg).sum(axis=0)
    for j in range(n_rec):
        lat[j], lon[j] = _mean_point(pred.lat_deg[:, j], pred.lon_deg[:, j])
        if count[j]:
            alt[j] = float(np.nanmean(pred.alt_m[:, j]))
    return {"times": pred.times, "lat_deg": lat, "lon_deg": lon, "alt_m": alt, "n_members": count}


def positions_at(pred: Prediction, time: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Member positions ``(lat, lon, alt)`` at ``time`` (linear between recorded points; NaN for
    members that ended before it)."""
    t = np.asarray(to_datetime64(time)).astype("datetime64[ns]").astype(np.int64)
    rec = pred.times.astype(np.int64)
    sign = 1 if rec.size < 2 or rec[-1] >= rec[0] else -1
    x = sign * rec
    q = sign * int(t)
    if q < x[0] or q > x[-1]:
        raise ValidationError(
            f"time {isoformat(time)} is outside the prediction [{isoformat(pred.times[0])}, "
            f"{isoformat(pred.times[-1])}]"
        )
    j = int(np.clip(np.searchsorted(x, q, side="right") - 1, 0, max(x.size - 2, 0)))
    if x.size == 1:
        return pred.lat_deg[:, 0].copy(), pred.lon_deg[:, 0].copy(), pred.alt_m[:, 0].copy()
    f = (q - x[j]) / (x[j + 1] - x[j])
    lon_pair = unwrap_lon_deg(np.stack([pred.lon_deg[:, j], pred.lon_deg[:, j + 1]], axis=1))
    lat = pred.lat_deg[:, j] * (1 - f) + pred.lat_deg[:, j + 1] * f
    lon = np.asarray(wrap_lon_deg(lon_pair[:, 0] * (1 - f) + lon_pair[:, 1] * f))
    alt = pred.alt_m[:, j] * (1 - f) + pred.alt_m[:, j + 1] * f
    if f == 0.0:
        lat, lon, alt = pred.lat_deg[:, j].copy(), pred.lon_deg[:, j].copy(), pred.alt_m[:, j].copy()
    return lat, lon, alt


def local_aeqd(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, Transformer, float, float]:
    """Points in an azimuthal-equidistant plane (PROJ ``aeqd``, WGS84, metres) centred on their
    ECEF mean: ``(x_m, y_m, transformer, lat0_deg, lon0_deg)``."""
    lat0, lon0 = _mean_point(lat, lon)
    tr = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m", always_xy=True
    )
    x, y = tr.transform(lon, lat)
    return np.asarray(x), np.asarray(y), tr, lat0, lon0


def core_indices(x: np.ndarray, y: np.ndarray, level: float) -> np.ndarray:
    """Indices of the fraction ``level`` of points nearest the centre (Mahalanobis)."""
    pts = np.column_stack([x, y])
    centre = pts.mean(axis=0)
    d = pts - centre
    cov = np.cov(d.T) if len(pts) > 2 else np.eye(2)
    inv = np.linalg.pinv(cov)
    m2 = np.einsum("ij,jk,ik->i", d, inv, d)
    k = max(1, int(np.ceil(level * len(pts))))
    return np.argsort(m2)[:k]


def core_rings(
    lat: np.ndarray, lon: np.ndarray, levels: Sequence[float]
) -> list[tuple[list[tuple[float, float]], float]]:
    """For each level, the convex hull of the :func:`core_indices` points in the
    :func:`local_aeqd` plane (a point or segment hull is buffered by 1 m), as a ``(lon, lat)``
    ring in degrees and its area in km²: ``[(ring, area_km2), …]``. Shared by the ensemble's
    position contours and the backtrack's launch-region contours."""
    x, y, tr, _, _ = local_aeqd(lat, lon)
    out = []
    for level in levels:
        idx = core_indices(x, y, level)
        hull = MultiPoint(np.column_stack([x[idx], y[idx]])).convex_hull
        if not isinstance(hull, Polygon):
            hull = hull.buffer(1.0)
        hx, hy = hull.exterior.coords.xy
        hlon, hlat = tr.transform(np.asarray(hx), np.asarray(hy), direction="INVERSE")
        ring = [(float(wrap_lon_deg(a)), float(b)) for a, b in zip(hlon, hlat, strict=True)]
        out.append((ring, float(hull.area / 1e6)))
    return out


def position_contours(
    pred: Prediction, times: Sequence[Any], levels: Sequence[float] = (0.5, 0.9)
) -> list[dict[str, Any]]:
    """Probability contours of horizontal position at ``times`` for each level in ``levels``: each
    holds at least that fraction of the members (see the module docstring).

    Returns dicts ``{time, level, ring: [(lon, lat), …], n_members, area_km2}``.
    """
    levels = tuple(levels)
    out: list[dict[str, Any]] = []
    for time in times:
        lat, lon, _ = positions_at(pred, time)
        ok = np.isfinite(lat) & np.isfinite(lon)
        if ok.sum() < 3:
            continue
        for level in levels:
            if not 0 < level <= 1:
                raise ValidationError(f"contour level must be in (0, 1]; got {level}")
        for level, (ring, area_km2) in zip(levels, core_rings(lat[ok], lon[ok], levels), strict=True):
            out.append({
                "time": isoformat(time), "level": float(level), "ring": ring,
                "n_members": int(ok.sum()), "area_km2": area_km2,
            })  # fmt: skip
    return out


def _dispersion(lat: np.ndarray, lon: np.ndarray, n_total: int) -> dict[str, Any]:
    ok = np.isfinite(lat) & np.isfinite(lon)
    result: dict[str, Any] = {"n_members": int(ok.sum()), "of_members": n_total}
    if not ok.any():
        return result
    x, y, _, lat0, lon0 = local_aeqd(lat[ok], lon[ok])
    r = np.hypot(x - x.mean(), y - y.mean())
    result.update(mean_lat_deg=lat0, mean_lon_deg=lon0, cep50_m=float(np.quantile(r, 0.5)),
                  cep90_m=float(np.quantile(r, 0.9)), max_m=float(r.max()))  # fmt: skip
    if ok.sum() > 2:
        w, vec = np.linalg.eigh(np.cov(np.vstack([x, y])))
        result["ellipse_1sigma_m"] = [float(np.sqrt(max(w[1], 0))), float(np.sqrt(max(w[0], 0)))]
        result["ellipse_azimuth_deg"] = float(np.degrees(np.arctan2(vec[0, 1], vec[1, 1])) % 180.0)
    return result


def landing_dispersion(pred: Prediction, event: str = "landed") -> dict[str, Any]:
    """Dispersion of the members' ``event`` points (default landings): mean point, CEP50 and
    CEP90 radii (m, about the mean), 1σ ellipse semi-axes (m) and orientation (deg from north),
    and the range of event times."""
    ev = pred.events.get(event)
    if ev is None:
        raise ValidationError(f"no event {event!r} in this prediction; events: {sorted(pred.events)}")
    result = {"event": event, **_dispersion(ev["lat_deg"], ev["lon_deg"], pred.n_members)}
    times = ev["time"][~np.isnat(ev["time"])]
    if times.size:
        result["time_utc"] = [isoformat(times.min()), isoformat(times.max())]
    return result


def arrival_dispersion(pred: Prediction, time: Any) -> dict[str, Any]:
    """Dispersion (as :func:`landing_dispersion`) of the members still in flight at ``time``."""
    lat, lon, _ = positions_at(pred, time)
    return {"time": isoformat(time), **_dispersion(lat, lon, pred.n_members)}


def polygon_entry_probability(pred: Prediction, polygon: Any) -> dict[str, Any]:
    """Fraction of members whose horizontal path enters ``polygon`` (a shapely geometry or a ring
    of ``(lon_deg, lat_deg)`` pairs), with the earliest entry time of each entering member."""
    geom: BaseGeometry = polygon if isinstance(polygon, BaseGeometry) else Polygon(polygon)
    if geom.is_empty or not geom.is_valid:
        raise ValidationError("the polygon is empty or invalid (self-intersecting?)")
    shifted = [geom] + [_shift(geom, d) for d in (-360.0, 360.0)]
    entered = np.zeros(pred.n_members, dtype=bool)
    first = np.full(pred.n_members, np.datetime64("NaT"), dtype="datetime64[ns]")
    for m in range(pred.n_members):
        t, lat, lon, _ = pred.member_path(m)
        if t.size == 0:
            continue
        lon_u = unwrap_lon_deg(lon)
        if t.size == 1:
            continue
        line = LineString(np.column_stack([lon_u, lat]))
        if not any(line.intersects(g) for g in shifted):
            continue
        entered[m] = True
        for j in range(t.size - 1):
            seg = LineString([(lon_u[j], lat[j]), (lon_u[j + 1], lat[j + 1])])
            if any(seg.intersects(g) for g in shifted):
                # inside at the segment start → that time; else it enters within the segment
                # (resolution: the recorded output step)
                start_inside = any(g.intersects(Point(lon_u[j], lat[j])) for g in shifted)
                first[m] = t[j] if start_inside else t[j + 1]
                break
    return {
        "probability": float(entered.mean()) if pred.n_members else 0.0,
        "n_entering": int(entered.sum()),
        "n_members": pred.n_members,
        "entered": entered,
        "first_entry": first,
    }


def _shift(geom: BaseGeometry, dlon: float) -> BaseGeometry:
    from shapely import affinity

    return affinity.translate(geom, xoff=dlon)
