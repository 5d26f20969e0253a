"""Writers for tracking results: tracks as GeoJSON, CZML or CSV, and the ``track --json`` summary.

GeoJSON: one LineString per track (properties: :meth:`Track.summary` plus the fix ``times``) and a
Point for each burst and landing. CZML: one path packet per track, labelled with its class.
CSV: one row per smoothed fix (``id, time, lat, lon, alt_m, vel_e_m_s, vel_n_m_s, vel_u_m_s,
phase, outlier, class``; times ISO 8601 with milliseconds). :func:`tracking_summary` is the
document ``skywarden track --json`` prints (and the service answers with).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import OptionError
from ..timeutil import isoformat

__all__ = ["TRACK_SUFFIXES", "tracking_summary", "write_tracks"]

TRACK_SUFFIXES = (".geojson", ".json", ".czml", ".csv")


def tracking_summary(reports: Any, result: Any) -> dict[str, Any]:
    """The ``skywarden track --json`` document: per-track summaries, report count, rejected rows,
    duplicates dropped and clutter reports."""
    return {
        "tracks": [t.summary() for t in result],
        "reports": len(reports),
        "rejected_rows": [str(r) for r in reports.rejected],
        "duplicates_dropped": result.duplicates_dropped,
        "clutter_reports": result.clutter_reports,
    }


def write_tracks(result: Iterable[Any], path: str | Path) -> Path:
    """Write tracks to ``path``: ``.geojson``/``.json`` (line per track + burst/landing points),
    ``.czml`` (one path packet per track) or ``.csv`` (one row per smoothed fix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    tracks = list(result)
    if suffix in (".geojson", ".json"):
        from ..export import geojson

        feats = []
        for trk in tracks:
            props = trk.summary()
            props["times"] = list(trk.time)
            feats.append(
                geojson.feature(geojson.line_string(trk.lon_deg, trk.lat_deg, trk.alt_m), props, id=trk.id)
            )
            for name, ev in (("burst", trk.burst), ("landing", trk.landing)):
                if ev is not None:
                    feats.append(
                        geojson.feature(
                            geojson.point(ev.lon_deg, ev.lat_deg, ev.alt_m),
                            {"track": trk.id, "event": name, "time": ev.time},
                        )
                    )
        geojson.write(path, geojson.feature_collection(feats))
    elif suffix == ".czml":
        from ..export import czml

        start = min(t.time[0] for t in tracks)
        end = max(t.time[-1] for t in tracks)
        packets = [czml.document("skywarden tracks", start, end)]
        for trk in tracks:
            packets.append(
                czml.path_packet(
                    trk.id,
                    f"{trk.id} ({trk.classification.label})",
                    trk.time,
                    trk.lat_deg,
                    trk.lon_deg,
                    trk.alt_m,
                    description="; ".join(trk.classification.reasons),
                )
            )
        czml.write(path, packets)
    elif suffix == ".csv":
        import pandas as pd

        frames = []
        for trk in tracks:
            frames.append(
                pd.DataFrame(
                    {
                        "id": trk.id,
                        "time": [isoformat(t, timespec="milliseconds") for t in trk.time],
                        "lat": trk.lat_deg,
                        "lon": trk.lon_deg,
                        "alt_m": trk.alt_m,
                        "vel_e_m_s": trk.vel_enu_m_s[:, 0],
                        "vel_n_m_s": trk.vel_enu_m_s[:, 1],
                        "vel_u_m_s": trk.vel_enu_m_s[:, 2],
                        "phase": trk.phase,
                        "outlier": ~trk.accepted,
                        "class": trk.classification.label,
                    }
                )
            )
        pd.concat(frames).to_csv(path, index=False, float_format="%.7f")
    else:
        raise OptionError("--output suffix", suffix, TRACK_SUFFIXES)
    return path
