"""The watch-floor scene as one CZML document: what is overhead and what is drifting in.

:func:`scene_czml` composes the library's results into the packets the web map loads
(``GET /czml/scene``), all on one clock ``[start, start + hours]``:

* satellites: positions every ``step_s`` (120 s; the map interpolates them with degree-5 Lagrange
  polynomials in Earth-fixed Cartesian coordinates, within ~100 m in LEO — tested against
  skyfield) from :func:`~skywarden.space.orbit.propagate.propagate`, drawn with half an orbit of
  path ahead and behind, coloured by sensor kind from the sensor table (optical / SAR / other);
  per access window (:func:`~skywarden.space.overflight.access_windows`) the sensor's field of
  regard on the ground (an ellipse following the satellite while the window is open) and a line
  from the satellite to the site; the window itself as an interval packet
  (``properties.layer = "access_window"``, the fields of ``overflight --json``);
* sites, zones (built-in ADIZ and user polygons, floor to ceiling) and quiet windows
  (:func:`~skywarden.space.overflight.quiet_windows`; interval packets the page draws on the timeline);
* air tracks (:class:`~skywarden.Track` objects or the service's track records): raw fixes as
  points, the smoothed track as a path (``properties`` = the ``track --json`` summary);
* job results, from their GeoJSON rendering (:func:`result_packets`): prediction members' paths (the
  ensemble spread), events and landing-probability hulls, position-probability contours on the
  clock, backtrack launch-probability cells, hazard footprints and the recommended termination point;
* conjunctions (``Conjunction.to_dict()`` records): both objects ±``conjunction_span_s`` around TCA
  and a point at TCA.

Field of regard (ground radius of what a sensor can see): spherical Earth, Earth central angle
λ = 90° − ε − η with sin η = R cos ε / (R + h) for an elevation limit ε, or λ = asin((R + h) sin η / R) − η
for an off-nadir limit η (Wertz & Larson, *Space Mission Analysis and Design*, 3rd ed., §5.2).

Inputs are results, not files: the service reads them from its store, the CLI from files; every
calculation is one library call, this module only arranges packets (:mod:`skywarden.export.czml`,
:mod:`skywarden.export.scene`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import numpy as np
from shapely.geometry import MultiPoint, Polygon

from ..export import czml
from ..export import scene as sc
from ..export.jsonable import to_jsonable
from ..sites import Site
from ..space.orbit.propagate import propagate
from ..space.overflight.access import access_windows, quiet_windows
from ..space.overflight.sensors import SensorTable, load_sensors
from ..timeutil import isoformat, parse_time
from .airspace import Zone

__all__ = ["field_of_regard_m", "result_packets", "scene_czml"]

_R_M = 6_371_008.8  # mean Earth radius (IUGG), m: spherical field-of-regard geometry
_MU_M3_S2 = 3.986004418e14
_MAX_WINDOWS = 2000
_MAX_FIXES = 400
_MAX_MEMBERS = 200


def field_of_regard_m(alt_m: float, criterion: str, limit_deg: float) -> float:
    """Ground radius (m, arc on a sphere) within which a sensor at ``alt_m`` meets its limit.

    ``criterion`` ``"elevation"`` (minimum elevation at the ground, deg) or ``"off_nadir"``
    (maximum off-nadir angle at the satellite, deg); see the module docstring.
    """
    if not (math.isfinite(alt_m) and math.isfinite(limit_deg)) or alt_m <= 0:
        return 0.0
    ratio = _R_M / (_R_M + alt_m)
    if criterion.startswith("elev"):
        eps = math.radians(limit_deg)
        eta = math.asin(min(1.0, ratio * math.cos(eps)))
        lam = math.pi / 2 - eps - eta
    else:
        eta = math.radians(limit_deg)
        # beyond the limb (sin η ≥ R/(R+h)) the footprint is the horizon circle, λ = acos(R/(R+h))
        lam = math.acos(ratio) if math.sin(eta) >= ratio else math.asin(math.sin(eta) / ratio) - eta
    return max(lam, 0.0) * _R_M


def _html(props: Mapping[str, Any]) -> str:
    """An info-box table of ``props`` (values as JSON text, HTML-escaped)."""
    from html import escape

    rows = []
    for k, v in to_jsonable(dict(props)).items():
        text = v if isinstance(v, str) else json.dumps(v)
        rows.append(f"<tr><th>{escape(str(k))}</th><td>{escape(text)}</td></tr>")
    return '<table class="cesium-infoBox-defaultTable">' + "".join(rows) + "</table>"


def _kind_class(kind: str | None) -> str:
    return kind if kind in ("optical", "sar") else "other"


def _satellites(
    catalog: Any, times: np.ndarray, sensors: SensorTable, packets: list[dict[str, Any]], max_satellites: int
) -> dict[int, tuple[str, np.ndarray]]:
    """Satellite packets; returns NORAD id → (packet id, positions (n_times, 3) lat, lon, alt_km).

    At most ``max_satellites``: objects in the sensor table (imagers) first, then catalog order.
    """
    elements = list(getattr(catalog, "elements", catalog))
    rows = [sensors.match(el.norad_id, el.name) for el in elements]
    order = sorted(range(len(elements)), key=lambda i: (rows[i] is None, i))[: max(0, max_satellites)]
    order.sort()
    if not order:
        return {}
    chosen = [elements[i] for i in order]
    eph = propagate(chosen, times, frame="geodetic")
    out: dict[int, tuple[str, np.ndarray]] = {}
    for j, i in enumerate(order):
        el, row = elements[i], rows[i]
        pos = eph.positions[j]
        if not np.isfinite(pos[:, 0]).any():
            continue
        kind = row.kind if row is not None else "other"
        props = {"layer": "satellite", "norad_id": el.norad_id, "name": el.name, "sensor_kind": kind,
                 "kind_class": _kind_class(kind), "system": row.system if row is not None else "",
                 "epoch": el.epoch}  # fmt: skip
        pid = f"sat-{el.norad_id}"
        p = czml.path_packet(
            pid, el.name, times, pos[:, 0], pos[:, 1], pos[:, 2] * 1000.0, color=sc.KIND_COLORS[_kind_class(kind)],
            width_px=1.0, properties=props, description=_html(props),
        )  # fmt: skip
        a_m = _R_M + float(np.nanmean(pos[:, 2])) * 1000.0
        half_period_s = math.pi * math.sqrt(a_m**3 / _MU_M3_S2)
        p["position"]["interpolationDegree"] = 5  # smooth between samples (Cesium interpolates in ECEF)
        packets.append(sc.set_path_window(p, half_period_s, half_period_s))
        out[el.norad_id] = (pid, pos)
    return out


def _windows(
    windows: Sequence[Any], sats: Mapping[int, tuple[str, np.ndarray]], times: np.ndarray,
    site_ids: Mapping[str, str], packets: list[dict[str, Any]],
) -> None:  # fmt: skip
    for i, w in enumerate(windows[:_MAX_WINDOWS]):
        props = {"layer": "access_window", **w.to_dict()}
        pid = f"window-{i}"
        span = (w.start, w.end)
        packets.append(sc.interval_packet(pid, f"{w.name} over {w.site}", *span, properties=props))
        sat = sats.get(w.norad_id)
        site_pid = site_ids.get(w.site)
        if sat is None:
            continue
        sat_pid, pos = sat
        t0 = np.datetime64(parse_time(w.start).replace(tzinfo=None), "ns")
        t1 = np.datetime64(parse_time(w.end).replace(tzinfo=None), "ns")
        step = times[1] - times[0] if times.size > 1 else np.timedelta64(60, "s")
        sel = (times >= t0 - step) & (times <= t1 + step)
        radius = field_of_regard_m(float(np.nanmean(pos[sel, 2])) * 1000.0 if sel.any() else math.nan,
                                   str(w.criterion), float(w.limit_deg))  # fmt: skip
        color = (*sc.KIND_COLORS[_kind_class(w.kind)][:3], 60)
        packets.append(sc.ellipse_packet(
            f"footprint-{i}", f"{w.name} field of regard", times[sel], pos[sel, 0], pos[sel, 1], radius,
            color=color, availability=span, properties={"layer": "footprint", "window": pid, "radius_m": radius},
        ))  # fmt: skip
        if site_pid is not None:
            packets.append(sc.line_packet(
                f"access-{i}", f"{w.name} → {w.site}", sat_pid, site_pid, availability=span,
                color=sc.KIND_COLORS[_kind_class(w.kind)], properties={"layer": "access_line", "window": pid},
            ))  # fmt: skip


def _zone_packets(zone: Zone, packets: list[dict[str, Any]]) -> None:
    props = {"layer": "zone", "zone_kind": zone.kind, "country": zone.country, "floor_m": zone.floor_m,
             "ceiling_m": zone.ceiling_m if math.isfinite(zone.ceiling_m) else None, **zone.provenance()}  # fmt: skip
    ceiling = zone.ceiling_m if math.isfinite(zone.ceiling_m) else None
    for k, poly in enumerate(getattr(zone.geometry, "geoms", [zone.geometry])):
        p = czml.polygon_packet(
            f"zone-{zone.id}-{k}", zone.name, list(poly.exterior.coords), floor_m=zone.floor_m, ceiling_m=ceiling,
            color=(255, 90, 90, 50), description=_html(props),
        )  # fmt: skip
        p["properties"] = to_jsonable(props)
        packets.append(p)


def _track_arrays(
    track: Any,
) -> tuple[str, dict[str, Any], tuple[np.ndarray, ...], tuple[np.ndarray, ...] | None]:
    """(id, summary, smoothed (t, lat, lon, alt), raw (t, lat, lon, alt) or None) of a
    :class:`~skywarden.Track` or of a track record (the ``GET /tracks/{id}`` JSON: the summary plus
    ``fixes`` ``[{time, lat, lon, alt_m}]``, optionally ``raw`` ``{time, lat, lon, alt_m}`` lists)."""
    if hasattr(track, "summary"):
        rep = track.reports
        raw_t = (rep.time, rep.lat_deg, rep.lon_deg, rep.alt_m) if hasattr(rep, "time") else None
        return str(track.id), track.summary(), (track.time, track.lat_deg, track.lon_deg, track.alt_m), raw_t
    rec = dict(track)
    fixes = rec.pop("fixes", []) or []
    raw_rec = rec.pop("raw", None)
    t = np.array([np.datetime64(str(f["time"]).rstrip("Z"), "ns") for f in fixes], dtype="datetime64[ns]")
    smooth = (t, *(np.array([float(f[k]) for f in fixes]) for k in ("lat", "lon", "alt_m")))
    raw: tuple[np.ndarray, ...] | None = None
    if raw_rec:
        rt = np.array(
            [np.datetime64(str(x).rstrip("Z"), "ns") for x in raw_rec["time"]], dtype="datetime64[ns]"
        )
        raw = (rt, *(np.asarray(raw_rec[k], dtype=np.float64) for k in ("lat", "lon", "alt_m")))
    return str(rec.get("id", "")), rec, smooth, raw


def _track_packets(track: Any, packets: list[dict[str, Any]], end: Any) -> None:
    tid, summary, smooth, raw = _track_arrays(track)
    t, lat, lon, alt = smooth
    props = {"layer": "track", **summary}
    packets.append(czml.path_packet(
        f"track-{tid}", f"track {tid}", t, lat, lon, alt,
        color=(0, 255, 120, 255), width_px=2.5, properties=props, description=_html(props),
    ))  # fmt: skip
    if raw is None:
        return
    rt, rlat, rlon, ralt = raw
    n = len(rt)
    idx = np.unique(np.linspace(0, n - 1, min(n, _MAX_FIXES)).astype(int)) if n else np.zeros(0, int)
    for j in idx:
        la, lo = float(rlat[j]), float(rlon[j])
        al = float(ralt[j]) if np.isfinite(ralt[j]) else 0.0
        if not (math.isfinite(la) and math.isfinite(lo)) or np.isnat(rt[j]):
            continue
        p = czml.point_packet(f"fix-{tid}-{j}", f"report {isoformat(rt[j])}", la, lo, al,
                              color=(255, 255, 255, 200), availability=(rt[j], end), label=False)  # fmt: skip
        p["point"]["pixelSize"] = 4
        p["properties"] = {"layer": "raw_fix", "track": tid, "time": isoformat(rt[j])}
        packets.append(p)


def _hull(lat: np.ndarray, lon: np.ndarray, level: float) -> list[tuple[float, float]] | None:
    """Convex hull (lon, lat) of the fraction ``level`` of points nearest their mean (small areas)."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 3:
        return None
    la, lo = lat[ok], lon[ok]
    x = (lo - lo.mean()) * math.cos(math.radians(la.mean()))
    y = la - la.mean()
    keep = np.argsort(np.hypot(x, y))[: max(3, math.ceil(level * la.size))]
    hull = MultiPoint(np.column_stack([lo[keep], la[keep]])).convex_hull
    return list(hull.exterior.coords) if isinstance(hull, Polygon) else None


def _times_of(props: Mapping[str, Any], n: int) -> np.ndarray | None:
    times = props.get("times")
    if not isinstance(times, list) or len(times) != n:
        return None
    return np.array(
        [np.datetime64("NaT") if t is None else np.datetime64(str(t).rstrip("Z"), "ns") for t in times]
    )


def _ring(geometry: Mapping[str, Any]) -> list[tuple[float, float]]:
    coords = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]
    return sc.ring_lonlat(coords)


def result_packets(result_id: str, fc: Mapping[str, Any], end: Any) -> list[dict[str, Any]]:
    """Packets for a job's GeoJSON rendering (``predict``/``backtrack``/``hazard``; the library's writers
    :func:`~skywarden.flight.output.prediction_geojson` and ``hazard.output.write_plan``).

    Member tracks → paths on the clock (the ensemble spread), events → points, landing points →
    landing-probability hulls (50 % / 90 % of members nearest the mean), probability contours →
    polygons from their time to the next contour time, launch cells → rectangles coloured by
    probability, hazard footprints → polygons, the recommended release → the termination point.
    """
    feats = list(fc.get("features", []))
    out: list[dict[str, Any]] = []
    n_members = sum(1 for f in feats if f["properties"].get("kind") == "member_track")
    alpha = 255 if n_members <= 1 else max(40, int(255 / math.sqrt(n_members)))
    contour_times = sorted(
        {
            str(f["properties"]["time"])
            for f in feats
            if f["properties"].get("kind") == "probability_contour" and f["properties"].get("time")
        }
    )
    cells = [f for f in feats if f["properties"].get("kind") == "launch_probability_cell"]
    top = max((float(f["properties"]["probability"]) for f in cells), default=1.0) or 1.0
    landed: list[tuple[float, float]] = []
    base = {"result": result_id, **({"summary": fc["summary"]} if "summary" in fc else {})}
    for k, f in enumerate(feats):
        props = dict(f["properties"])
        kind = str(props.get("kind", ""))
        geom = f["geometry"]
        pid = f"job-{result_id}-{k}"
        info = {"layer": kind, **base, **{a: b for a, b in props.items() if a != "times"}}
        if geom["type"] == "LineString":
            xyz = np.asarray(geom["coordinates"], dtype=np.float64).reshape(-1, 3)
            t = _times_of(props, xyz.shape[0])
            if t is not None:
                lat_m, lon_m, alt_m = xyz[:, 1], xyz[:, 0], xyz[:, 2]
                color = (255, 215, 0, alpha) if kind == "member_track" else (255, 255, 255, 255)
                p = czml.path_packet(pid, f"{result_id} {kind} {props.get('member', '')}".strip(), t, lat_m,
                                     lon_m, alt_m, color=color, width_px=1.0 if kind == "member_track" else 2.5,
                                     show_point=n_members <= 1 or kind != "member_track", properties=info)  # fmt: skip
            else:
                flat = [float(v) for v in xyz.ravel()]
                p = {"id": pid, "name": f"{result_id} {kind}", "properties": to_jsonable(info),
                     "polyline": {"positions": {"cartographicDegrees": flat}, "width": 1.5,
                                  "material": {"solidColor": {"color": {"rgba": [200, 200, 255, 160]}}}}}  # fmt: skip
        elif geom["type"] == "Point":
            lon, lat = float(geom["coordinates"][0]), float(geom["coordinates"][1])
            alt = float(geom["coordinates"][2]) if len(geom["coordinates"]) > 2 else 0.0
            if props.get("event") == "landed":
                landed.append((lon, lat))
            main = kind in ("recommended_release", "recommended_mean_impact")
            color = (255, 0, 0, 255) if main else (255, 140, 0, 220)
            if kind == "candidate":
                color = (0, 200, 0, 255) if props.get("within_limits") else (220, 0, 0, 255)
            name = (
                "recommended termination"
                if kind == "recommended_release"
                else f"{kind} {props.get('event', '')}"
            )
            p = czml.point_packet(
                pid, name.strip(), lat, lon, alt, color=color, label=main, description=_html(info)
            )
            p["point"]["pixelSize"] = 10 if main else 5
            p["properties"] = to_jsonable(info)
        elif geom["type"] in ("Polygon", "MultiPolygon"):
            if kind == "launch_probability_cell":
                xs, ys = zip(*_ring(geom), strict=True)
                p = sc.rectangle_packet(pid, f"launch cell p={float(props['probability']):.3f}", min(xs), min(ys),
                                        max(xs), max(ys), color=sc.ramp_color(float(props["probability"]) / top),
                                        properties=info, description=_html(info))  # fmt: skip
            else:
                level = float(props.get("level", 0.5))
                span = None
                if props.get("time"):
                    i = contour_times.index(str(props["time"]))
                    span = (props["time"], contour_times[i + 1] if i + 1 < len(contour_times) else end)
                p = czml.polygon_packet(pid, f"{result_id} {kind} {level:.0%}", _ring(geom),
                                        color=sc.ramp_color(level, alpha_max=130), availability=span,
                                        description=_html(info))  # fmt: skip
                p["properties"] = to_jsonable(info)
        else:
            continue
        out.append(p)
    if len(landed) >= 3:
        lon_a, lat_a = np.array(landed).T
        for level in (0.5, 0.9):
            ring = _hull(lat_a, lon_a, level)
            if ring is not None:
                p = czml.polygon_packet(f"job-{result_id}-landing-{level:g}", f"landing {level:.0%}", ring,
                                        color=sc.ramp_color(level, alpha_max=140))  # fmt: skip
                p["properties"] = {"layer": "landing_contour", "result": result_id, "level": level}
                out.append(p)
    return _flatten(out)


def _flatten(packets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for p in packets:
        if "properties" in p:
            p["properties"] = sc.cesium_properties(p["properties"])
    return packets


def _conjunction_packets(
    conjunctions: Sequence[Mapping[str, Any]], catalog: Any, span_s: float, packets: list[dict[str, Any]]
) -> None:
    by_id = {el.norad_id: el for el in getattr(catalog, "elements", catalog)} if catalog is not None else {}
    for k, c in enumerate(conjunctions):
        tca = np.datetime64(parse_time(c["tca"]).replace(tzinfo=None), "ns")
        times = tca + (np.arange(-span_s, span_s + 1.0, 10.0) * 1e9).astype("timedelta64[ns]")
        props = {"layer": "conjunction", **c}
        els = [by_id.get(int(c["primary"])), by_id.get(int(c["secondary"]))]
        for role, el in zip(("primary", "secondary"), els, strict=True):
            if el is None:
                continue
            pos = propagate([el], times, frame="geodetic").positions[0]
            packets.append(czml.path_packet(
                f"conj-{k}-{role}", f"{el.name} ({role})", times, pos[:, 0], pos[:, 1], pos[:, 2] * 1000.0,
                color=(255, 60, 60, 255) if role == "primary" else (255, 255, 255, 255), properties=props,
                description=_html(props),
            ))  # fmt: skip
        if els[0] is not None:
            pos = propagate([els[0]], np.array([tca]), frame="geodetic").positions[0, 0]
            p = czml.point_packet(f"conj-{k}-tca", f"TCA {c.get('primary_name', '')} × {c.get('secondary_name', '')}", pos[0], pos[1],
                                  pos[2] * 1000.0, color=(255, 0, 0, 255), availability=(times[0], times[-1]),
                                  description=_html(props))  # fmt: skip
            p["properties"] = to_jsonable(props)
            packets.append(p)


def scene_czml(
    start: Any,
    hours: float = 6.0,
    *,
    step_s: float = 120.0,
    catalog: Any = None,
    sites: Sequence[Site] = (),
    site_ids: Sequence[str] | None = None,
    zones: Sequence[Zone] = (),
    tracks: Sequence[Any] = (),
    results: Mapping[str, Mapping[str, Any]] | None = None,
    conjunctions: Sequence[Mapping[str, Any]] = (),
    sensors: SensorTable | None = None,
    kind: str = "all",
    max_gsd_m: float | None = None,
    conjunction_span_s: float = 600.0,
    max_satellites: int = 300,
    name: str = "skywarden watch floor",
) -> list[dict[str, Any]]:
    """The CZML document (list of packets) for the map; see the module docstring for the layers.

    ``site_ids`` are the packet ids' suffixes for ``sites`` (the service's ids; default 0, 1, …).
    Access and quiet windows are computed over the clock for every site (``kind``, ``max_gsd_m``
    filter the windows as in ``overflight``). At most ``max_satellites`` satellites are drawn
    (imagers first); windows of satellites not drawn keep their interval packet only.
    """
    t0 = parse_time(start)
    t1 = t0 + timedelta(hours=float(hours))
    n = max(2, round(float(hours) * 3600.0 / step_s) + 1)
    times = np.datetime64(t0.replace(tzinfo=None), "ns") + (np.arange(n) * step_s * 1e9).astype(
        "timedelta64[ns]"
    )
    doc = czml.document(name, t0, t1, multiplier=60.0)
    doc["clock"]["range"] = "CLAMPED"
    packets: list[dict[str, Any]] = [doc]
    ids = list(site_ids) if site_ids is not None else [str(i) for i in range(len(sites))]
    site_pids: dict[str, str] = {}
    for sid, s in zip(ids, sites, strict=True):
        props = {"layer": "site", "id": sid, "name": s.name, "lat": s.lat_deg, "lon": s.lon_deg, "alt_m": s.alt_m,
                 "radius_km": s.radius_m / 1000.0}  # fmt: skip
        p = czml.point_packet(f"site-{sid}", s.name, s.lat_deg, s.lon_deg, s.alt_m, color=(255, 255, 255, 255),
                              description=_html(props))  # fmt: skip
        p["properties"] = to_jsonable(props)
        packets.append(p)
        site_pids[s.name] = f"site-{sid}"
        if s.polygon_lonlat_deg is not None:
            ring = czml.polygon_packet(f"site-{sid}-area", f"{s.name} area", s.polygon_lonlat_deg,
                                       color=(255, 255, 255, 60))  # fmt: skip
            ring["properties"] = {"layer": "site_area", "site": sid}
            packets.append(ring)
    for z in zones:
        _zone_packets(z, packets)
    if catalog is not None:
        table = sensors if sensors is not None else load_sensors()
        sats = _satellites(catalog, times, table, packets, max_satellites)
        if sites:
            wins = access_windows(catalog, list(sites), t0, t1 - t0, sensors=table, kind=kind, max_gsd_m=max_gsd_m,
                                  force=True)  # fmt: skip
            wins = sorted(wins, key=lambda w: (w.start, w.norad_id))
            _windows(wins, sats, times, site_pids, packets)
            for j, q in enumerate(quiet_windows(wins, list(sites), t0, t1, sensors=table)):
                packets.append(sc.interval_packet(f"quiet-{j}", f"quiet over {q.site}", q.start, q.end,
                                                  properties={"layer": "quiet_window", **q.to_dict()}))  # fmt: skip
    for trk in tracks:
        _track_packets(trk, packets, t1)
    for rid, fc in (results or {}).items():
        packets.extend(result_packets(rid, fc, t1))
    if conjunctions:
        _conjunction_packets(conjunctions, catalog, conjunction_span_s, packets)
    return _flatten(packets)
