"""Readers on the real flight files (../shared/data/flights, see its README) and on published
example packets/messages; fuzzing of every reader."""

from __future__ import annotations

import contextlib
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.air import read_reports
from skywarden.air.formats import FORMATS
from skywarden.errors import DataQualityWarning, InputError, NotFoundError, ReportFormatError

FT = 0.3048  # m per international foot (exact)
ONE_CM = 0.01  # m
ONE_MICRODEG = 1e-6  # deg
EOSS340 = "flights/eoss-340_2023-04-22_deertrail-co_1s.csv"
EOSS323 = "flights/eoss-323_2022-04-09_deertrail-co_1s.csv"
NBP3 = "flights/noexc-nbp3_ohio_13s.csv"


def test_eoss_units_dates_and_bom(shared_data: Path) -> None:
    # README table: 7,490 and 12,800 rows; max 92,099 ft at 14:35:35 and 67,897 ft at 13:54:14.
    r340 = read_reports(shared_data / EOSS340, date="2023-04-22")
    r323 = read_reports(shared_data / EOSS323, date="2022-04-09")  # BOM + spaces in headers
    assert (len(r340), len(r323)) == (7490, 12800)
    assert not r340.rejected and not r323.rejected
    i = int(np.argmax(r340.alt_m))
    assert abs(r340.alt_m[i] - 92_099 * FT) < ONE_CM
    assert r340.time[i] == np.datetime64("2023-04-22T14:35:35")
    assert abs(r323.alt_m.max() - 67_897 * FT) < 1.0  # README rounds to whole feet
    assert r323.time[0] == np.datetime64("2022-04-09T12:48:37")
    assert (
        abs(r340.lat_deg[0] - 39.607872) < ONE_MICRODEG and abs(r340.lon_deg[0] + 104.041370) < ONE_MICRODEG
    )
    assert set(r340.alt_datum) == {"gps"}
    assert np.nanmedian(r323.h_acc_m) > 0
    # speed (mph) and heading become a velocity: row 2 of EOSS-340 is 0 mph
    assert np.all(np.isfinite(r340.vel_enu_m_s[:, :2]))


def test_missing_date_is_a_clear_error(shared_data: Path) -> None:
    with pytest.raises(ReportFormatError, match="--date") as err:
        read_reports(shared_data / EOSS340)
    assert "eoss-340" in str(err.value) and err.value.field == "time"


def test_nbp3_lon_sign_duplicates_and_bad_row(shared_data: Path) -> None:
    with pytest.warns(DataQualityWarning) as caught:
        rep = read_reports(shared_data / NBP3, date="2017-04-22")
    messages = " ".join(str(w.message) for w in caught)
    assert "west" in messages and "1 row(s)" in messages
    ohio = (rep.lon_deg < -80) & (rep.lon_deg > -84)
    # one corrupted copy (KG4SGP block, line 535: longitude "0.781") is kept: the tracker gates it
    assert list(rep.line[~ohio]) == [535]
    assert [r.line for r in rep.rejected] == [510]  # KG4SGP block: longitude 8110839.0
    dedup, dropped = rep.deduplicate()
    assert dropped > 900  # three receiver blocks repeat most packets
    assert 555 <= len(dedup) <= 565  # README: 557 packets (a few copies differ in a digit)
    assert rep.time[0] == np.datetime64("2017-04-22T16:09:09")


def test_nbp3_as_is_keeps_sign(shared_data: Path) -> None:
    with pytest.warns(DataQualityWarning, match="could not be read"):
        rep = read_reports(shared_data / NBP3, date="2017-04-22", lon_sign="as-is")
    assert np.all(rep.lon_deg > 0)


def test_plain_csv_needs_no_flags_and_counts_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "fixes.csv"
    path.write_text(
        "time,lat,lon,alt_m,id\n"
        "2026-01-01T00:00:02Z,45.0,7.0,1000,B1\n"
        "2026-01-01T00:00:00Z,45.0,7.0,900,B1\n"
        "not-a-time,45.0,7.0,950,B1\n"
        "2026-01-01T00:00:01Z,45.0,abc,950,B1\n"
        "2026-01-01T00:00:01Z,45.0,7.0,950,B2\n"
    )
    with pytest.warns(DataQualityWarning, match="2 row") as caught:
        rep = read_reports(path)
    assert len(caught) == 1
    assert [r.line for r in rep.rejected] == [4, 5]
    assert "field 'lon'" in rep.rejected[1].reason
    assert list(rep.alt_m) == [900.0, 950.0, 1000.0]  # time-sorted
    assert rep.ids == ["B1", "B2"]


def test_generic_csv_mapping_flags_and_toml(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "Call,UTC,Lat N,Lon E,Height ft\nX1,12:00:00,40.0,-105.0,1000\nX1,12:00:10,40.0,-105.0,2000\n"
    )
    cols = {"columns": {"id": "Call", "time": "UTC", "lat": "Lat N", "lon": "Lon E", "alt": "Height ft"}}
    cfg = tmp_path / "map.toml"
    cfg.write_text(
        'time = "time_of_day"\n[columns]\nid = "Call"\ntime = "UTC"\nlat = "Lat N"\nlon = "Lon E"\n'
        'alt = "Height ft"\n[units]\nalt = "ft"\n'
    )
    rep = read_reports(path, mapping=cfg, date="2026-05-01")
    assert np.allclose(rep.alt_m, [1000 * FT, 2000 * FT])
    assert rep.time[1] == np.datetime64("2026-05-01T12:00:10")
    with pytest.raises(ReportFormatError, match="no column"):
        read_reports(
            path, mapping={**cols, "columns": {**cols["columns"], "alt": "Alt"}, "time": "time_of_day"}
        )
    with pytest.raises(InputError, match="choose one of"):
        read_reports(path, mapping={**cols, "units": {"alt": "furlong"}})


def test_sondehub_and_geojson(tmp_path: Path) -> None:
    frames = [
        {"datetime": "2023-04-22T14:00:00.000Z", "lat": 39.5, "lon": -103.9, "alt": 20000.0,
         "serial": "S1234", "vel_h": 10.0, "heading": 90.0, "vel_v": 5.0},
        {"datetime": "2023-04-22T14:00:01Z", "lat": 39.5, "lon": -103.8999, "alt": 20005.0, "serial": "S1234"},
        {"datetime": "2023-04-22T14:00:02Z", "lat": "x", "lon": -103.8998, "alt": 20010.0, "serial": "S1234"},
    ]  # fmt: skip
    sh = tmp_path / "sondes.json"
    sh.write_text(json.dumps({"S1234": frames}))
    with pytest.warns(DataQualityWarning):
        rep = read_reports(sh)
    assert len(rep) == 2 and rep.rejected[0].line == 3
    assert np.allclose(rep.vel_enu_m_s[0], [10.0, 0.0, 5.0], atol=1e-9)
    # the telemetry API's {serial: {time: frame}} shape
    sh.write_text(json.dumps({"S1234": {f["datetime"]: f for f in frames[:2]}}))
    assert list(read_reports(sh).object_id) == ["S1234", "S1234"]
    gj = tmp_path / "path.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "L1", "times": ["2026-01-01T00:00:00Z", "2026-01-01T00:00:10Z"]},
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[7.0, 45.0, 100.0], [7.001, 45.0, 150.0]],
                        },
                    },
                    {
                        "type": "Feature",
                        "properties": {"name": "P1", "time": "2026-01-01T00:00:05Z", "alt_m": 300},
                        "geometry": {"type": "Point", "coordinates": [8.0, 46.0]},
                    },
                ],
            }
        )
    )
    rep = read_reports(gj)
    assert len(rep) == 3 and rep.ids == ["L1", "P1"] and rep.alt_m[1] == 300.0


def test_aprs_packets(tmp_path: Path) -> None:
    # APRS 1.0.1 spec (APRS101.pdf, ch. 8) example position 4903.50N/07201.75W = 49.058333 N,
    # 72.029167 W; "/A=092099" is 92,099 ft (the EOSS-340 burst altitude).
    path = tmp_path / "aprs.log"
    path.write_text(
        "# raw packets, receive time first (aprs.fi style)\n"
        "2023-04-22 14:35:35 UTC: KC0D-1>APRS,WIDE2-1:!4903.50N/07201.75WO090/036/A=092099\n"
        "KC0D-1>APRS:/143600h4903.60N/07201.70WO090/036/A=091000\n"
        "KC0D-1>APRS:>status text only\n"
    )
    with pytest.warns(DataQualityWarning, match="1 row"):
        rep = read_reports(path, date="2023-04-22")
    assert len(rep) == 2
    assert abs(rep.lat_deg[0] - (49 + 3.5 / 60)) < ONE_MICRODEG
    assert abs(rep.lon_deg[0] + (72 + 1.75 / 60)) < ONE_MICRODEG
    assert abs(rep.alt_m[0] - 92_099 * FT) < ONE_CM
    assert rep.time[1] == np.datetime64("2023-04-22T14:36:00")
    # course 090 at 36 kt → east 18.52 m/s
    assert abs(rep.vel_enu_m_s[0, 0] - 36 * 1852 / 3600) < 1e-6
    assert "not a position packet" in rep.rejected[0].reason
    # symbol table "/" and code "O": a balloon (APRS 1.0.1, appendix 2), identity evidence
    assert list(rep.category) == ["/O", "/O"]


def test_adsb_messages(tmp_path: Path) -> None:
    # "The 1090 MHz Riddle" (Sun, 2021), airborne position example: the odd frame
    # 8D40621D58C386435CC412692AD6 decodes to 52.26578 N, 3.93891 E, 38,000 ft (barometric).
    path = tmp_path / "adsb.txt"
    path.write_text(
        "1446332400,8D40621D58C382D690C8AC2863A7\n1446332405,8D40621D58C386435CC412692AD6\n1446332406,ZZZ\n"
    )
    with pytest.warns(DataQualityWarning):
        rep = read_reports(path)
    assert len(rep) >= 1
    i = -1
    assert rep.object_id[i] == "40621D" and rep.alt_datum[i] == "pressure"
    assert abs(rep.lat_deg[i] - 52.26578) < 1e-5 and abs(rep.lon_deg[i] - 3.93891) < 1e-5
    assert abs(rep.alt_m[i] - 38_000 * FT) < ONE_CM
    assert rep.time[i] == np.datetime64("2015-10-31T23:00:05")


def test_adsb_velocity_messages_give_the_reports_velocity(tmp_path: Path) -> None:
    """Airborne velocity over ground: "The 1090 MHz Riddle" (Sun, 2021) example
    8D485020994409940838175B284F decodes to 159 kt (159.20 in the book; pyModeS rounds), track
    182.88°, vertical rate −832 ft/min. Its payload is re-addressed here to the position example's
    aircraft 40621D (parity recomputed: 8D40621D994409940838174550B1) so both belong together."""
    path = tmp_path / "adsb.txt"
    path.write_text(
        "1446332400,8D40621D58C382D690C8AC2863A7\n"
        "1446332404,8D40621D994409940838174550B1\n"
        "1446332405,8D40621D58C386435CC412692AD6\n"
    )
    rep = read_reports(path)
    speed = 159 * 1852 / 3600
    track = np.radians(182.8803775528476)
    i = -1
    assert rep.object_id[i] == "40621D"
    np.testing.assert_allclose(
        rep.vel_enu_m_s[i], [speed * np.sin(track), speed * np.cos(track), -832 * FT / 60], atol=1e-9
    )
    # the same message's last field, the GNSS-minus-baro difference (+550 ft as pyModeS decodes
    # it: sign 0, value 23 → (23 - 1) × 25 ft), turns the barometric 38,000 ft geometric
    assert rep.alt_datum[i] == "gps" and abs(rep.alt_m[i] - (38_000 + 550) * FT) < ONE_CM
    far = tmp_path / "far.txt"  # the velocity 20 s away from every position: not attached
    far.write_text(
        "1446332400,8D40621D58C382D690C8AC2863A7\n"
        "1446332425,8D40621D994409940838174550B1\n"
        "1446332405,8D40621D58C386435CC412692AD6\n"
    )
    assert np.isnan(read_reports(far).vel_enu_m_s).all()


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_reports(tmp_path / "nope.csv")
    other = tmp_path / "x.txt"
    other.write_text("hello world\n")
    with pytest.raises(ReportFormatError, match="--format"):
        read_reports(other)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300)), fmt=st.sampled_from([None, *FORMATS]))
def test_fuzz_readers_never_crash(tmp_path: Path, data: bytes | str, fmt: str | None) -> None:
    path = tmp_path / "fuzz.dat"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            rep = read_reports(path, format=fmt, date="2026-01-01")
        except InputError:
            return
    assert len(rep.time) == len(rep.lat_deg)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=3000))
def test_truncated_eoss_file(tmp_path: Path, shared_data: Path, cut: int) -> None:
    text = (shared_data / EOSS340).read_bytes()[: 200 + cut]
    path = tmp_path / "trunc.csv"
    path.write_bytes(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            rep = read_reports(path, format="eoss", date="2023-04-22")
        except InputError:
            return
    assert len(rep) + len(rep.rejected) >= 1 or len(text) < 250


_json = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["type", "features", "geometry", "coordinates", "properties", "time", "times", "datetime",
         "lat", "lon", "alt", "serial", "vel_h", "heading", "vel_v", "Point", "LineString"]), inner, max_size=5),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_json, fmt=st.sampled_from(["sondehub", "geojson", None]))
def test_fuzz_json_structures(tmp_path: Path, doc: object, fmt: str | None) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(doc))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        with contextlib.suppress(InputError):
            read_reports(path, format=fmt)


_cell = st.one_of(st.text(max_size=12), st.floats().map(str), st.integers().map(str))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(_cell, min_size=0, max_size=6), max_size=5),
    fmt=st.sampled_from(["plain", "eoss", "nbp3"]),
)
def test_fuzz_csv_rows_behind_real_headers(tmp_path: Path, rows: list[list[str]], fmt: str) -> None:
    header = {
        "plain": "time,lat,lon,alt_m,id\n",
        "eoss": "Time,Fix,Sats,Flags,Baro_Pressure,Baro_altitude,GPS altitude,Speed (MPH),Heading,"
        "Horiz_accuracy,Vertical_accuracy,pDOP,Latitude,Longitude,Int_Temp F,battery_v\n",
        "nbp3": "Combined Log,,,,,,\nCallsign,Latitude,Longitude,Altitude,UTC Time,Voltage (Raw),CRC16\n",
    }[fmt]
    path = tmp_path / "rows.csv"
    path.write_text(
        header + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8", errors="surrogatepass"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            rep = read_reports(path, format=fmt, date="2026-01-01", lon_sign="as-is")
        except InputError:
            return
    n_lines = len(re.split(r"\r\n|\r|\n", path.read_text(encoding="utf-8", errors="surrogatepass")))
    assert len(rep) + len(rep.rejected) <= 3 * n_lines  # nbp3 reads up to 3 blocks per line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**15),  # microseconds after 2000-01-01
            st.floats(-90, 90),
            st.floats(-180, 179.999999),
            st.floats(-500, 50_000),
            st.text(alphabet="ABCDEFGHIJ0123456789-", max_size=8),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_plain_csv_round_trip(tmp_path: Path, rows: list[tuple[int, float, float, float, str]]) -> None:
    from skywarden.air import Reports

    base = np.datetime64("2000-01-01T00:00:00", "us")
    times = np.array([base + np.timedelta64(us, "us") for us, *_ in rows], dtype="datetime64[ns]")
    rep = Reports.from_columns(
        times,
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        object_id=[r[4] for r in rows],
    ).sorted()
    back = read_reports(rep.to_csv(tmp_path / "rt.csv"))
    assert np.array_equal(back.time, rep.time)
    assert np.array_equal(back.lat_deg, rep.lat_deg) and np.array_equal(back.alt_m, rep.alt_m)
    assert np.array_equal(back.lon_deg, rep.lon_deg)
    assert list(back.object_id) == list(rep.object_id)


def _aprs_line(k: int, call: str, comment: str, t0_min: int = 0) -> str:
    """A synthetic packet in the real APRS 1.0.1 uncompressed position format (ch. 8), with
    the aprs.fi receive-time prefix: a balloon (symbol ``/O``) rising 300 m a minute while
    drifting east 0.2' of longitude (~280 m) a minute from 40°03.20'N 104°45.10'W."""
    minute = t0_min + k
    lon_min = 45.10 - 0.2 * k
    alt_ft = round((1600.0 + 300.0 * k) / FT)
    return (
        f"2023-04-22 {14 + minute // 60:02d}:{minute % 60:02d}:00 UTC: "
        f"{call}>APRS,WIDE2-1:!4003.20N/104{lon_min:05.2f}WO090/010/A={alt_ft:06d} {comment}"
    )


def test_aprs_flight_named_in_the_comment_is_the_identity(tmp_path: Path) -> None:
    """Synthetic packets (written here, real APRS format): two trackers under different
    callsigns on one balloon name the flight ``EOSS-340`` (one in every other comment only);
    one callsign reused on two later flights names them ``Flight: NBP3`` / ``Flight: NBP4``;
    a tracker whose comment names no flight keeps its callsign."""
    from skywarden.air import track_reports
    from skywarden.air.formats.messages import flight_in_comment

    lines = []
    for k in range(8):
        lines.append(_aprs_line(k, "KC0D-1", "EOSS-340 9 sats" if k % 2 == 0 else "Vbat=3.9V T=-40C"))
        lines.append(_aprs_line(k, "KD0FNR-11", "EOSS-340 backup tracker").replace(":00 UTC", ":30 UTC"))
    lines += [_aprs_line(k, "W8NBP-11", "Flight: NBP3 hello", t0_min=120) for k in range(5)]
    lines += [_aprs_line(k, "W8NBP-11", "Flight: NBP4", t0_min=240) for k in range(5)]
    lines += [_aprs_line(k, "N0CALL-9", "Vbat=3.9V 9 sats", t0_min=360) for k in range(4)]
    path = tmp_path / "flights.aprs"
    path.write_text("\n".join(lines) + "\n")
    rep = read_reports(path)
    assert len(rep) == 30 and len(rep.rejected) == 0
    assert sorted(rep.ids) == ["EOSS-340", "N0CALL-9", "NBP3", "NBP4"]
    assert np.count_nonzero(rep.object_id == "EOSS-340") == 16  # both trackers, every packet
    res = track_reports(rep)
    assert sorted(t.id for t in res) == ["EOSS-340", "N0CALL-9", "NBP3", "NBP4"]
    assert len(res["EOSS-340"]) == 16
    # what counts as a flight name
    assert flight_in_comment("payload KC0D-11 Vbat 3.9V") == "KC0D-11"
    assert flight_in_comment("flight=shab12v") == "SHAB12V"
    assert flight_in_comment("GPS-3 fix, flight 2, WIDE2-1") is None
