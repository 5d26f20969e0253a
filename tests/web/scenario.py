"""The known scenario of the web-map tests and benchmark, built from real data on one clock.

* Satellites: CelesTrak's resource group of 2026-05-30 (``../shared/data/catalogs``).
* Site: Deer Trail, Colorado (the EOSS launch site, 39.6079 N, 104.0414 W).
* Air tracks: real balloon telemetry (``../shared/data/flights``) whose files carry only a time of
  day; they are read with ``date=2026-05-30`` so they fly under the catalog's satellites.
* Prediction: an ensemble from the launch site in an analytic wind field (uniform 12 m/s from the
  west-south-west at every height, the closed-form case of ``tests/flight/test_closed_form.py``),
  rendered with the library's own GeoJSON writer (``prediction_geojson``) as a job would store it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import skywarden as sw
from skywarden.flight import position_contours
from skywarden.flight.output import prediction_geojson
from skywarden.weather import WindField

START = "2026-05-30T12:00:00Z"
HOURS = 6.0
SITE = {"name": "Deer Trail", "lat": 39.6079, "lon": -104.0414, "alt_m": 1600.0, "radius_km": 5.0}
CATALOG = "catalogs/celestrak-resource-2026-05-30.tle"
FLIGHTS = (
    "flights/eoss-340_2023-04-22_deertrail-co_1s.csv",
    "flights/eoss-323_2022-04-09_deertrail-co_1s.csv",
    "flights/noexc-nbp3_ohio_13s.csv",
)
DATE = "2026-05-30"


def uniform_winds(u_m_s: float = 10.0, v_m_s: float = 5.0) -> WindField:
    """A uniform wind field over North America at 2026-05-30 (closed-form trajectories)."""
    lat = np.arange(20.0, 60.01, 1.0)
    lon = np.arange(230.0, 300.01, 1.0)
    alt = np.array([0.0, 10_000.0, 20_000.0, 35_000.0])
    p = np.asarray(sw.standard_atmosphere(alt).pressure_pa)
    shape = (1, 1, alt.size, lat.size, lon.size)
    al = np.broadcast_to(alt[None, None, :, None, None], shape).astype(np.float32).copy()
    return WindField(
        times=np.array([np.datetime64("2026-05-30T12:00", "ns")]),
        pressure_pa=p + np.arange(alt.size)[::-1] * 1e-3,
        lat_deg=lat,
        lon_deg=lon,
        u_m_s=np.full(shape, u_m_s, dtype=np.float32),
        v_m_s=np.full(shape, v_m_s, dtype=np.float32),
        alt_m=al,
        heights_source="analytic",
        model="analytic",
    )


def prediction_fc(members: int, hours: float = 4.0) -> dict[str, Any]:
    """A burst-profile ensemble from the site at 12:30Z, as the GeoJSON a predict job stores."""
    pred = sw.predict(
        uniform_winds(), lat_deg=SITE["lat"], lon_deg=SITE["lon"], alt_m=SITE["alt_m"],
        time="2026-05-30T12:30:00Z", profile="burst", hours=hours, step_s=60.0,
        ensemble=sw.EnsembleSettings(members=members, seed=1), error_estimate=False,
    )  # fmt: skip
    times = [np.datetime64("2026-05-30T13:30", "ns"), np.datetime64("2026-05-30T14:30", "ns")]
    contours = position_contours(pred, times, (0.5, 0.9)) if members >= 3 else []
    return prediction_geojson(pred, contours=contours, summary={"members": members})


def flight_reports(shared: Path, which: int = 0, every: int = 30) -> list[dict[str, Any]]:
    """Reports of flight ``which`` (every ``every``-th row) as ``POST /reports`` JSON rows."""
    rep = sw.read_reports(shared / FLIGHTS[which], date=DATE)
    idx = np.arange(0, len(rep.time), every)
    return [
        {"time": sw.isoformat(rep.time[i]), "lat": float(rep.lat_deg[i]), "lon": float(rep.lon_deg[i]),
         "alt_m": float(rep.alt_m[i]), "id": f"balloon-{which + 1}"}
        for i in idx
        if np.isfinite(rep.alt_m[i])
    ]  # fmt: skip
