"""The library functions the CLI and the service share (issue 14): CDMs from screening results,
event/window/ephemeris writers, overflight and quiet records, the UCS purpose filter.

Outside references: skyfield 1.5x ``sgp4lib.TEME_to_ITRF`` (Vallado's TEME → PEF → ITRF with
GMST 1982, polar motion zero) for the CDM's ITRF states; ``pyarrow`` reading back the ephemeris
files; python-sgp4 ``Satrec.sgp4`` for the ephemeris rows; and the CLI's own ``--json`` output,
which must be exactly the library records (the service answers with the same fields).
"""

from __future__ import annotations

import csv
import json
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import Satrec, jday
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.errors import OptionError
from skywarden.export.jsonable import to_jsonable
from skywarden.sites import Site
from skywarden.space.catalog import load_catalog
from skywarden.space.orbit.output import write_ephemeris_rows
from skywarden.space.orbit.propagate import iter_propagate
from skywarden.space.overflight import access_windows, quiet_windows
from skywarden.space.overflight.output import write_access_windows, write_quiet_windows
from skywarden.space.overflight.query import overflight_records, parse_threats, quiet_records, search_quiet
from skywarden.space.safety.cdm import cdm_from_conjunction, pc_from_cdm, read_cdm, write_conjunction_cdms
from skywarden.space.safety.conjunction import screen
from skywarden.space.safety.output import EVENT_COLUMNS, write_conjunctions

START = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)
ONE_MILLIMETRE_KM = 1e-6  # km
ONE_MM_S_KM_S = 1e-6  # km/s
SITE = Site("colorado-springs", 38.8, -104.7, 1900.0)


@pytest.fixture(scope="module")
def active_path(shared_data: Path) -> Path:
    return shared_data / "catalogs" / "celestrak-active-2026-03-19.tle"


@pytest.fixture(scope="module")
def resource_path(shared_data: Path) -> Path:
    return shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle"


@pytest.fixture(scope="module")
def events(active_path: Path):  # type: ignore[no-untyped-def]
    return screen(load_catalog(active_path), START, "10m", 2.0)


def test_cdm_from_conjunction_states_match_skyfield_itrf(events) -> None:  # type: ignore[no-untyped-def]
    from skyfield.sgp4lib import TEME_to_ITRF

    assert events
    ev = events[0]
    cdm = cdm_from_conjunction(ev)
    assert cdm.get("REF_FRAME", 1) == "ITRF" and cdm.tca == ev.tca.replace(
        microsecond=ev.tca.microsecond // 1000 * 1000
    )
    jd, fr = jday(*ev.tca.timetuple()[:5], ev.tca.second + ev.tca.microsecond * 1e-6)
    for k, (r_m, v_m_s) in enumerate(((ev.r1_m, ev.v1_m_s), (ev.r2_m, ev.v2_m_s)), start=1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            r_ref, v_ref = TEME_to_ITRF(
                jd, np.asarray(r_m) / 1e3, np.asarray(v_m_s) / 1e3 * 86400.0, fraction_ut1=fr
            )
        r, v = cdm.state_m(k)
        np.testing.assert_allclose(np.asarray(r) / 1e3, r_ref, atol=ONE_MILLIMETRE_KM)
        np.testing.assert_allclose(np.asarray(v) / 1e3, np.asarray(v_ref) / 86400.0, atol=ONE_MM_S_KM_S)
        cov = cdm.covariance_rtn(k)
        assert cov is not None
        cov_pos = ev.cov1_rtn_m2 if k == 1 else ev.cov2_rtn_m2
        np.testing.assert_allclose(cov[:3, :3], cov_pos, rtol=1e-6)
        n_rad_s = np.linalg.norm(v_m_s) / np.linalg.norm(r_m)
        np.testing.assert_allclose(np.diag(cov)[3:], np.diag(cov_pos) * n_rad_s**2, rtol=1e-6)
    assert cdm.hbr_m == pytest.approx(ev.hbr_m)
    assert cdm.collision_probability == pytest.approx(ev.pc, rel=1e-6, abs=1e-300)
    # Read back from the file: Pc recomputed from the written states equals the screening Pc.
    assert pc_from_cdm(cdm).pc == pytest.approx(ev.pc, rel=1e-4, abs=1e-300)


def test_write_conjunction_cdms_and_event_table(events, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = write_conjunction_cdms(events, tmp_path / "cdms")
    assert len(paths) == len(events)
    first = read_cdm(paths[0])
    assert first.object_designator(1) == str(events[0].primary)
    assert paths[0].name.startswith(f"{events[0].primary}_conj_{events[0].secondary}_")
    assert write_conjunctions(events, tmp_path / "e.csv") == len(events)
    rows = list(csv.DictReader((tmp_path / "e.csv").read_text().splitlines()))
    assert tuple(rows[0]) == EVENT_COLUMNS and int(rows[0]["primary"]) == events[0].primary
    assert rows[0]["tca"].endswith("Z") and len(rows[0]["tca"]) == len("2026-03-19T12:00:00.000Z")
    write_conjunctions(events, tmp_path / "e.json")
    assert json.loads((tmp_path / "e.json").read_text())[0]["miss_distance_m"] == pytest.approx(
        events[0].miss_distance_m
    )
    with pytest.raises(OptionError, match=r"\.txt"):
        write_conjunctions(events, tmp_path / "e.txt")


def test_overflight_records_are_the_cli_json(resource_path: Path) -> None:
    records = overflight_records(resource_path, [SITE], "2026-05-30T12:00:00Z", "24h", kind="sar")
    windows = access_windows(load_catalog(resource_path), SITE, "2026-05-30T12:00:00Z", "24h", kind="sar")
    assert records and to_jsonable(records) == to_jsonable([w.to_dict() for w in windows])  # NaN → null
    cli = CliRunner().invoke(app, ["overflight", "--catalog", str(resource_path), "--site",
                                   "colorado-springs=38.8,-104.7,1900", "--start", "2026-05-30T12:00:00Z",
                                   "--kind", "sar", "--json"])  # fmt: skip
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout) == to_jsonable(records)
    with pytest.raises(OptionError, match="'optical'"):
        overflight_records(resource_path, [SITE], "2026-05-30T12:00:00Z", kind="lidar")
    with pytest.raises(OptionError, match="NORAD"):
        overflight_records(resource_path, [SITE], "2026-05-30T12:00:00Z", norad_ids="ISS")


def test_quiet_records_match_quiet_windows(resource_path: Path, tmp_path: Path) -> None:
    threats = parse_threats(["optical:1.0", "sar"])
    assert [(t.kind, t.max_gsd_m, t.daylight_only) for t in threats] == [
        ("optical", 1.0, True),
        ("sar", None, True),
    ]
    result = search_quiet(resource_path, [SITE], "2026-05-30T12:00:00Z", "24h", ["optical:1.0", "sar"],
                          min_duration="20min")  # fmt: skip
    windows = access_windows(
        load_catalog(resource_path), SITE, "2026-05-30T12:00:00Z", "24h", kind=["optical", "sar"]
    )
    expected = quiet_windows(windows, [SITE], result.overflight.start, result.overflight.end, threats,
                             min_duration="20min")  # fmt: skip
    assert result.quiet == expected and all(q.duration_s >= 1200 for q in expected)
    assert quiet_records(resource_path, [SITE], "2026-05-30T12:00:00Z", "24h", threats=["optical:1.0", "sar"],
                         min_duration="20min") == [q.to_dict() for q in expected]  # fmt: skip
    write_quiet_windows(tmp_path / "q.csv", result.quiet)
    lines = (tmp_path / "q.csv").read_text().splitlines()
    assert lines[0] == "site,start,end,duration_s" and len(lines) == len(expected) + 1
    path = write_access_windows(tmp_path / "w.geojson", windows, load_catalog(resource_path), [SITE],
                                result.overflight.start, result.overflight.end)  # fmt: skip
    feats = json.loads(path.read_text())["features"]
    assert len(feats) == 1 + len(windows)
    with pytest.raises(OptionError):
        write_quiet_windows(tmp_path / "q.czml", result.quiet)
    with pytest.raises(OptionError, match="KIND"):
        parse_threats("optical:fine")


def test_write_ephemeris_rows_matches_python_sgp4(resource_path: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    cat = load_catalog(resource_path)
    elements = cat.elements[:3]
    times = np.array(["2026-05-30T12:00:00", "2026-05-30T12:01:00"], dtype="datetime64[ns]")
    rows = write_ephemeris_rows(
        iter_propagate(elements, times, "teme", velocities=True), tmp_path / "e.parquet"
    )
    assert rows == 6
    table = pq.read_table(tmp_path / "e.parquet").to_pydict()
    assert list(table)[:5] == ["norad_id", "time", "x_km", "y_km", "z_km"] and table["error_code"] == [0] * 6
    assert elements[0].tle_lines is not None
    line1, line2 = elements[0].tle_lines
    sat = Satrec.twoline2rv(line1, line2)
    jd, fr = jday(2026, 5, 30, 12, 1, 0.0)
    err, r, v = sat.sgp4(jd, fr)
    assert err == 0
    got = [table[k][1] for k in ("x_km", "y_km", "z_km", "vx_km_s", "vy_km_s", "vz_km_s")]
    np.testing.assert_allclose(got[:3], r, atol=ONE_MILLIMETRE_KM)
    np.testing.assert_allclose(got[3:], v, atol=ONE_MM_S_KM_S)
    n = write_ephemeris_rows(iter_propagate(elements, times, "geodetic"), tmp_path / "e.csv")
    header = (tmp_path / "e.csv").read_text().splitlines()[0]
    assert n == 6 and header.replace('"', "") == "norad_id,time,lat_deg,lon_deg,alt_km,error_code"
    with pytest.raises(OptionError):
        write_ephemeris_rows([], tmp_path / "e.txt")
