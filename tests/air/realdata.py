"""Real recordings for the air tests, read where they are installed or stored (never copied).

* ADS-B and glider flights: the sample flights shipped inside the ``traffic`` package (PyPI,
  MIT licence, X. Olive; ``traffic/data/samples/<group>/<name>.json.gz``: OpenSky Network ADS-B
  of calibration, survey, ambulance-helicopter, drawing, fire-fighting and military flights,
  and OGN/FLARM glider flights). Located through the installed distribution's file list
  (``importlib.metadata``), so importing ``traffic`` itself (heavy) is not needed. Columns:
  ``timestamp`` (UTC), ``icao24``, ``latitude``, ``longitude``, ``altitude`` (barometric, ft),
  ``groundspeed`` (kt), ``track`` (deg), ``vertical_rate`` (ft/min), ``callsign``.
* Balloons: ``../shared/data/flights`` (EOSS-323, EOSS-340, NBP3, EarthSHAB solar balloons).
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import numpy as np

from skywarden.air import Reports, read_reports

FT = 0.3048
KT = 1852.0 / 3600.0
FT_MIN = FT / 60.0

# groups of traffic samples that are single-object flights (collections hold whole scenes)
TRAFFIC_GROUPS = (
    "ambulances", "calibration", "featured", "firefighting", "gliders", "military", "noisy",
    "onground",
)  # fmt: skip
EXPECTED = {"gliders": "glider", "ambulances": "rotorcraft", "onground": "ground-vehicle"}
"""The true class of a sample group where it is not ``aircraft`` (the ambulances are the Rega
and SAMU helicopters; the ``onground`` sample is aircraft taxiing at Zurich, which move as
ground vehicles do)."""


def traffic_samples_dir() -> Path:
    """``traffic/data/samples`` of the installed ``traffic`` distribution."""
    dist = metadata.distribution("traffic")
    path = Path(str(dist.locate_file("traffic/data/samples")))
    if not path.is_dir():
        raise FileNotFoundError(f"traffic is installed but has no samples at {path}")
    return path


def traffic_flights(with_velocity: bool = False) -> list[tuple[str, str, Reports]]:
    """``(group, name, reports)`` per sample flight, one object id per aircraft (ICAO24).

    Positions and barometric altitude only (as a plain ``time,lat,lon,alt_m,id`` CSV of the
    flight would give) unless ``with_velocity``."""
    import pandas as pd

    out = []
    root = traffic_samples_dir()
    for group in TRAFFIC_GROUPS:
        for path in sorted((root / group).glob("*.json.gz")):
            df = pd.read_json(path, dtype={"icao24": str})
            if not {"latitude", "longitude", "altitude", "icao24"} <= set(df.columns):
                continue  # performance/fuelflow_a320: flight-data-recorder values, no positions
            df = df.dropna(subset=["latitude", "longitude", "altitude"])
            # OpenSky state vectors are sampled every second and repeat the last known position
            # until a new one arrives: a position repeated bit for bit is a stale copy, keep the
            # row where it first appeared (closest to the real fix time)
            df = df.sort_values("timestamp", kind="stable")
            prev = df.groupby("icao24")[["latitude", "longitude"]].shift()
            df = df[~((df["latitude"] == prev["latitude"]) & (df["longitude"] == prev["longitude"]))]
            if len(df) == 0:
                continue
            t = pd.to_datetime(df["timestamp"], utc=True).dt.tz_localize(None).to_numpy("datetime64[ns]")
            vel = None
            if with_velocity and {"groundspeed", "track"} <= set(df.columns):
                gs = df["groundspeed"].to_numpy(float) * KT
                trk = np.radians(df["track"].to_numpy(float))
                vz = df.get("vertical_rate", pd.Series(np.nan, index=df.index)).to_numpy(float) * FT_MIN
                vel = np.stack([gs * np.sin(trk), gs * np.cos(trk), vz], axis=1)
            rep = Reports.from_columns(
                t,
                df["latitude"].to_numpy(float),
                df["longitude"].to_numpy(float),
                df["altitude"].to_numpy(float) * FT,
                object_id=df["icao24"].astype(str).to_numpy(object),
                alt_datum="pressure",
                vel_enu_m_s=vel,
                source=f"traffic:{group}/{path.name}",
            )
            out.append((group, path.name.removesuffix(".json.gz"), rep.sorted()))
    return out


def balloon_flights(flights_dir: Path) -> list[tuple[str, Reports]]:
    """``(name, reports)`` of every real balloon recording in ``flights_dir``."""
    out = [
        (
            "eoss-323",
            read_reports(flights_dir / "eoss-323_2022-04-09_deertrail-co_1s.csv", date="2022-04-09"),
        ),
        (
            "eoss-340",
            read_reports(flights_dir / "eoss-340_2023-04-22_deertrail-co_1s.csv", date="2023-04-22"),
        ),
        ("nbp3", read_reports(flights_dir / "noexc-nbp3_ohio_13s.csv", date="2017-04-22", lon_sign="west")),
    ]
    for path in sorted((flights_dir / "earthshab").glob("SHAB*.csv")):
        out.append((path.stem, read_reports(path)))
    return out
