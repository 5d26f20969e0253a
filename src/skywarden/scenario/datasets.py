"""The datasets a scenario runs on, each with its source, licence and date (never a silent mix).

Offline (the default, what ``make demo`` runs): the packaged samples in
``skywarden/data/samples`` (see the README there for provenance and licences):

- the CelesTrak ``resource`` group, element epochs 2026-05-29 to 2026-05-30;
- a NOAA GFS 2.5° wind extract over the North Pacific, one valid time 2011-01-15T12:00Z.

No public wind field of 2026-05-30 is packaged, so the air scenes run on 2011-01-15 and the space
scenes on 2026-05-30; every scene states which. ``live`` data (:func:`live_datasets`) come from the
cached downloaders (:func:`skywarden.space.catalog.celestrak.fetch_gp_catalog`,
:func:`skywarden.weather.gfs.download_gfs`) for one coherent date: today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "NRL_UA_ATTRIBUTION",
    "SAMPLE_CATALOG",
    "SAMPLE_REAL_FLIGHT",
    "SAMPLE_WINDS",
    "Dataset",
    "Datasets",
    "live_datasets",
    "real_flight_dataset",
    "sample_datasets",
]

SAMPLE_CATALOG = "data/samples/resource-2026-05-30.tle"
SAMPLE_WINDS = "data/samples/gfs-2p5deg-npacific-2011011512.nc"
SAMPLE_REAL_FLIGHT = "data/samples/SHAB12V-APRS.csv"
NRL_UA_ATTRIBUTION = (
    "This product includes software written and developed by Code 5514 of the Naval Research Laboratory "
    "(NRL), and the University of Arizona."
)
"""The attribution paragraph the EarthSHAB licence asks to keep with the redistributed flight."""

LIVE_FIX_AFTER_RUN_H = 30
"""Live runs place the object's last report this many hours after the GFS run, so the backtrack
and the simulated reports before it stay inside the run's forecast."""

CELESTRAK_CREDIT = "Source: CelesTrak (celestrak.org); elements from the 18th Space Defense Squadron, USSF."
GFS_CREDIT = "NOAA NCEP Global Forecast System (public domain)."


@dataclass(frozen=True)
class Dataset:
    """One input: what it is, where it came from, its date and its licence or credit."""

    name: str
    path: Path
    source: str
    date: str
    licence: str
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "source": self.source,
            "date": self.date,
            "licence": self.licence,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Datasets:
    """The catalog and wind inputs of one scenario run, and whether they are live."""

    catalog: Dataset
    winds: list[Dataset]
    live: bool = False
    fix_time: str = "2011-01-15T12:00:00Z"
    extra: dict[str, Any] = field(default_factory=dict)
    real_flight: Dataset | None = None
    """A real flight the tracker is checked on (packaged; the same in live runs)."""

    @property
    def wind_paths(self) -> list[Path]:
        """Every wind file (a live run has one per forecast hour)."""
        files = self.extra.get("wind_files")
        return [Path(f) for f in files] if files else [w.path for w in self.winds]


def _packaged(rel: str) -> Path:
    return Path(str(resources.files("skywarden").joinpath(rel)))


def real_flight_dataset() -> Dataset:
    """The packaged real solar-balloon flight SHAB12V (2022-08-22, New Mexico) and its attribution."""
    return Dataset(
        name="SHAB12V solar hot-air balloon, APRS positions (real flight)",
        path=_packaged(SAMPLE_REAL_FLIGHT),
        source="University of Arizona / NRL, repository tkschuler/EarthSHAB (balloon_data/SHAB12V-APRS.csv, "
        "commit f85a3dbc)",
        date="2022-08-22 14:06 to 08-23 02:00 UTC, New Mexico",
        licence=NRL_UA_ATTRIBUTION,
    )


def sample_datasets() -> Datasets:
    """The packaged offline samples (the default scenario)."""
    catalog = Dataset(
        name="CelesTrak GP, GROUP=resource (167 Earth-resources / imaging satellites)",
        path=_packaged(SAMPLE_CATALOG),
        source="CelesTrak GP data fetched 2026-05-30T22:50Z by the public mirror astrion-tech/celestrak-mirror "
        "(tle/resource.tle, commit 8c4fbeb5)",
        date="element epochs 2026-05-29 to 2026-05-30",
        licence=CELESTRAK_CREDIT,
    )
    winds = Dataset(
        name="NOAA GFS 2.5° wind extract, North Pacific (u, v, geopotential height, 26 levels)",
        path=_packaged(SAMPLE_WINDS),
        source="GFS run 2011-01-10 12Z +120 h (pygrib sample data), cut by scripts/make_demo_winds.py",
        date="valid 2011-01-15T12:00Z (one time, held constant)",
        licence=GFS_CREDIT,
        notes="A single valid time: the air scenes hold it constant for every hour they cover; it "
        "illustrates the method, not a forecast.",
    )
    return Datasets(
        catalog=catalog,
        winds=[winds],
        live=False,
        fix_time="2011-01-15T12:00:00Z",
        real_flight=real_flight_dataset(),
    )


def latest_gfs_run(now: datetime | None = None, delay_h: float = 5.0) -> datetime:
    """The newest GFS cycle (00/06/12/18 UTC) expected on NOMADS ``delay_h`` hours after it."""
    now = (now or datetime.now(UTC)) - timedelta(hours=delay_h)
    return now.replace(hour=now.hour - now.hour % 6, minute=0, second=0, microsecond=0)


def live_datasets(
    *,
    now: datetime | None = None,
    hours: float = 36.0,
    cache_dir: str | Path | None = None,
    client: Any = None,
    bbox: tuple[float, float, float, float] = (30.0, 72.5, 140.0, 245.0),
    step_h: int = 3,
) -> Datasets:
    """Today's data through the cached downloaders: the CelesTrak ``resource`` group and the GFS
    run before ``now`` (1° grid over ``bbox`` = (lat_min, lat_max, lon_min, lon_max); forecast hours every
    ``step_h`` hours covering the scenario's backtrack and forecast: the object's last report is
    :data:`LIVE_FIX_AFTER_RUN_H` hours after the run, the forecast ``hours`` after that)."""
    from ..space import fetch_gp
    from ..weather import download_gfs

    run = latest_gfs_run(now)
    cat_path = fetch_gp(group="resource", cache_dir=cache_dir, client=client)
    steps = list(range(0, int(LIVE_FIX_AFTER_RUN_H + hours) + step_h, step_h))
    wind_paths = download_gfs(run, steps, bbox=bbox, cache_dir=cache_dir, client=client)
    fetched = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%MZ")
    catalog = Dataset(
        name="CelesTrak GP, GROUP=resource",
        path=Path(cat_path),
        source="CelesTrak GP API (cached for 2 h)",
        date=f"fetched {fetched}",
        licence=CELESTRAK_CREDIT,
    )
    winds = [
        Dataset(
            name=f"NOAA GFS 1° run {run:%Y-%m-%d %H}Z",
            path=Path(p),
            source="NOAA NOMADS grib filter",
            date=f"run {run:%Y-%m-%dT%H}Z, forecast hours {steps[0]}–{steps[-1]}",
            licence=GFS_CREDIT,
        )
        for p in wind_paths[:1]
    ]
    winds[0] = Dataset(**{**winds[0].__dict__, "notes": f"{len(wind_paths)} files"})
    fix_time = (run + timedelta(hours=LIVE_FIX_AFTER_RUN_H)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Datasets(
        catalog=catalog,
        winds=winds,
        live=True,
        fix_time=fix_time,
        extra={"wind_files": [str(p) for p in wind_paths], "gfs_run": run.isoformat()},
        real_flight=real_flight_dataset(),
    )
