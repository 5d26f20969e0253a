"""``--live`` runs the same scenario on "today's" data through the cached downloaders (CelesTrak GP,
NOAA GFS via NOMADS), tested with local fixtures served by respx: never the network.

Fixtures: the packaged CelesTrak snapshot re-served as OMM JSON, and the real NCEP GRIB2 file in
shared/data cut to u/v/gh on 50–1000 hPa with its run and forecast step rewritten (eccodes) so
that each requested forecast hour has its own valid time. "Today" is 2026-05-30T20:00Z, the date of
the packaged elements.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

import skywarden as sw
from skywarden.scenario import ScenarioConfig, live_datasets, run_scenario, sample_datasets

NOW = datetime(2026, 5, 30, 20, 0, tzinfo=UTC)
LEVELS = (50, 70, 100, 150, 200, 250, 300, 500, 700, 850, 1000)


def _grib_for(grib: Path, run: datetime, step_h: int) -> bytes:
    """The fields of ``grib`` on LEVELS re-dated to ``run`` + ``step_h``. NCEP packs u and v in one
    multi-field message, so eccodes' multi-field support is on while reading."""
    import eccodes  # after pyproj (imported by skywarden): eccodes' bundled libraries must load second

    out = bytearray()
    eccodes.codes_grib_multi_support_on()
    try:
        with grib.open("rb") as f:
            while (gid := eccodes.codes_grib_new_from_file(f)) is not None:
                try:
                    if (
                        eccodes.codes_get(gid, "typeOfLevel") == "isobaricInhPa"
                        and eccodes.codes_get(gid, "level") in LEVELS
                        and eccodes.codes_get(gid, "shortName") in ("u", "v", "gh")
                    ):
                        eccodes.codes_set(gid, "dataDate", int(run.strftime("%Y%m%d")))
                        eccodes.codes_set(gid, "dataTime", run.hour * 100)
                        eccodes.codes_set(gid, "forecastTime", step_h)
                        out += eccodes.codes_get_message(gid)
                finally:
                    eccodes.codes_release(gid)
    finally:
        eccodes.codes_grib_multi_support_off()
    return bytes(out)


@pytest.fixture(scope="module")
def fixtures(shared_data: Path) -> tuple[Path, str]:
    catalog = sw.load_catalog(sample_datasets().catalog.path)
    return shared_data / "winds/gfs_2p5deg_global_2011011012_f120.grib2", sw.to_omm_json(catalog)


def test_live_scenario_uses_one_date_from_the_downloaders(fixtures: tuple[Path, str], tmp_path: Path) -> None:
    raw, omm = fixtures
    run = datetime(2026, 5, 30, 12, tzinfo=UTC)
    served: list[int] = []

    def gfs(request: httpx.Request) -> httpx.Response:
        fh = int(re.search(r"\.f(\d{3})", str(request.url)).group(1))  # type: ignore[union-attr]
        served.append(fh)
        return httpx.Response(200, content=_grib_for(raw, run, fh))

    cfg = ScenarioConfig.reduced()
    with respx.mock(assert_all_called=True) as mock:
        mock.get(url__startswith="https://celestrak.org/NORAD/elements/gp.php").mock(
            return_value=httpx.Response(200, text=omm)
        )
        mock.get(url__startswith="https://nomads.ncep.noaa.gov/").mock(side_effect=gfs)
        with httpx.Client() as client:
            ds = live_datasets(
                now=NOW, hours=cfg.hours, cache_dir=tmp_path / "cache", client=client, step_h=12
            )
    assert ds.live and ds.fix_time == "2026-05-31T18:00:00Z"  # the run 2026-05-30 12Z + 30 h
    assert served == [0, 12, 24, 36, 48, 60] and len(ds.wind_paths) == 6
    res = run_scenario(ds, cfg, work_dir=tmp_path / "work")
    for key in ("backtrack", "forecast", "zones", "termination"):
        assert "2026-05-30T12" in res.scene(key).date, key  # the GFS run, not 2011
    assert res.scene("track").numbers["fix_time"] == "2026-05-31T18:00:00Z"
    assert sw.isoformat(res.space_start).startswith("2026-05-30T18:00")  # same days for the satellites
    assert not any("two dates" in a.lower() or "own date" in a for s in res.scenes for a in s.assumptions)
    assert res.prediction.assumptions["winds"]["n_times"] == 6
