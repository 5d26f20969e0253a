"""``load_catalog`` / ``Catalog`` / ``write_catalog`` and ``skywarden catalog …``.

Reference numbers: the README of shared/data/catalogs (object counts 26,140 / 14,710 / 167,
median epochs 2023-10-09 and 2026-03-19/20, 21,698 LEO objects in the 2023 file and 13,909 in
the 2026 active file, measured there by mean motion > 11.25 rev/day).
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.errors import DataQualityWarning, NotFoundError, OptionError, ParseError, TLEError
from skywarden.space.catalog import Catalog, StaleLimits, detect_format, load_catalog, write_catalog
from skywarden.space.catalog.tle import parse_tle_lines

ONE_MICROSECOND_DAYS = 1e-6 / 86400.0  # days
ISS_1 = "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927"
ISS_2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537"


@pytest.fixture(scope="module")
def catalogs(shared_data: Path) -> Path:
    return shared_data / "catalogs"


@pytest.fixture(scope="module")
def spacetrack(catalogs: Path) -> Catalog:
    return load_catalog(catalogs / "spacetrack-full-3le-2023-10.txt")


def test_counts_epochs_and_orbit_classes_match_the_readme(catalogs: Path, spacetrack: Catalog) -> None:
    assert len(spacetrack) == 26_140
    assert spacetrack.median_epoch.date() == datetime(2023, 10, 9).date()
    low, high = spacetrack.epoch_range
    assert (low.date(), high.date()) == (datetime(2023, 7, 12).date(), datetime(2023, 10, 18).date())
    assert int((spacetrack.orbit_classes == "LEO").sum()) == 21_698
    active = load_catalog(catalogs / "celestrak-active-2026-03-19.tle")
    assert len(active) == 14_710 and int((active.orbit_classes == "LEO").sum()) == 13_909
    assert active.median_epoch.date() in (datetime(2026, 3, 19).date(), datetime(2026, 3, 20).date())
    assert len(load_catalog(catalogs / "celestrak-resource-2026-05-30.tle")) == 167


def test_columns_and_lookups(spacetrack: Catalog, shared_data: Path) -> None:
    assert spacetrack.norad_ids.dtype == np.int64 and spacetrack.norad_ids[0] == 5
    assert spacetrack.epochs.dtype == np.dtype("datetime64[ns]")
    assert spacetrack.by_id(5).name == "VANGUARD 1" and spacetrack.names[0] == "VANGUARD 1"
    assert spacetrack.by_id(270_000).norad_id == 270_000  # analyst object T0000
    with pytest.raises(NotFoundError, match="NORAD 1 is not"):
        spacetrack.by_id(1)
    picked = spacetrack.select(ids=[11, 5, 1])
    assert list(picked.norad_ids) == [11, 5]
    with pytest.raises(NotFoundError):
        spacetrack.select(ids=[1], missing="raise")
    debris = spacetrack.select(predicate=lambda e: " DEB" in e.name)
    assert 10_000 < len(debris) < 12_000  # README: 11,535 debris objects (by name)
    # Exactly: the 3LE name lines of the file with " DEB" in the name, counted on the raw text
    # (11,534; the README's 11,535 also counts "DEBUT (ORIZURU)").
    raw = (shared_data / "catalogs" / "spacetrack-full-3le-2023-10.txt").read_text().splitlines()
    assert len(debris) == sum(1 for line in raw if line.startswith("0 ") and " DEB" in line[2:]) == 11_534
    assert isinstance(spacetrack[:3], Catalog) and len(spacetrack[:3]) == 3
    assert 5 in spacetrack and 1 not in spacetrack
    with pytest.raises(ValueError, match="read-only"):
        spacetrack.norad_ids[0] = 1  # cached columns cannot be changed behind the catalog's back


def test_ages_and_stale_mask(spacetrack: Catalog) -> None:
    at = datetime(2023, 10, 20, tzinfo=UTC)
    ages = spacetrack.ages_days(at)
    manual = np.array([(at - e.epoch) / timedelta(days=1) for e in spacetrack])
    np.testing.assert_allclose(ages, manual, rtol=0, atol=ONE_MICROSECOND_DAYS)
    leo = spacetrack.orbit_classes == "LEO"
    stale = spacetrack.stale_mask(at)
    np.testing.assert_array_equal(stale, np.where(leo, manual > 14, manual > 30))
    looser = spacetrack.stale_mask(at, StaleLimits(leo_days=60, other_days=90))
    assert looser.sum() < stale.sum()
    assert len(spacetrack.fresh(at)) == len(spacetrack) - int(stale.sum())


def test_stale_records_flagged_at_load_when_a_time_is_given(catalogs: Path) -> None:
    path = catalogs / "celestrak-resource-2026-05-30.tle"
    with pytest.warns(DataQualityWarning, match="stale"):
        catalog = load_catalog(path, at="2026-06-20T00:00:00Z")
    stale = [i for i in catalog.issues if i.kind == "stale"]
    assert len(stale) == 166  # all LEO objects (> 14 d); the one GEO is 21 d old (< 30 d)
    assert stale[0].path == str(path) and stale[0].line is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = load_catalog(path, at="2026-06-20T00:00:00Z", stale_days=StaleLimits(leo_days=30))
    assert not quiet.issues


def test_duplicates_keep_the_newest_epoch_and_are_reported(catalogs: Path) -> None:
    older, newer = (
        catalogs / "celestrak-active-2026-03-19.tle",
        catalogs / "celestrak-resource-2026-05-30.tle",
    )
    with pytest.warns(DataQualityWarning, match="165 duplicate"):
        merged = load_catalog([newer, older])
    assert len(merged) == 14_710 + 167 - 165
    dupes = [i for i in merged.issues if i.kind == "duplicate"]
    assert len(dupes) == 165 and all(i.path == str(older) for i in dupes)
    resource = load_catalog(newer)
    for element in resource:
        assert merged.by_id(element.norad_id) == element


def test_bad_records_become_issues_with_one_warning(tmp_path: Path) -> None:
    bad_checksum = ISS_1[:68] + str((int(ISS_1[68]) + 1) % 10)
    path = tmp_path / "mixed.tle"
    path.write_text(f"ISS\n{ISS_1}\n{ISS_2}\nBROKEN\n{ISS_1[:50]}\n{ISS_2}\nCHECK\n{bad_checksum}\n{ISS_2}\n")
    with pytest.warns(DataQualityWarning) as record:
        catalog = load_catalog(path)
    assert len(record) == 1 and "1 bad, 1 checksum, 1 duplicate" in str(record[0].message)
    assert len(catalog) == 1
    assert {(i.kind, i.line) for i in catalog.issues} >= {("bad", 5), ("checksum", 8)}
    with pytest.raises(TLEError) as info:
        load_catalog(path, strict=True)
    assert info.value.line == 5 and info.value.path == str(path)


def test_format_detection_and_override(tmp_path: Path, spacetrack: Catalog) -> None:
    sample = spacetrack.select(ids=[5, 11, 270_000])
    for suffix, fmt in (
        (".tle", "tle"),
        (".3le", "3le"),
        (".xml", "omm-xml"),
        (".json", "omm-json"),
        (".csv", "omm-csv"),
        (".kvn", "omm-kvn"),
    ):
        path = write_catalog(sample, tmp_path / f"sample{suffix}")
        detected = detect_format(path.read_text())
        assert detected == fmt
        assert load_catalog(path).elements == sample.elements
        assert load_catalog(path, format=fmt).elements == sample.elements
    with pytest.raises(OptionError, match="omm-json"):
        load_catalog(tmp_path / "sample.tle", format="yaml")
    with pytest.raises(OptionError, match=r"\.kvn"):
        write_catalog(sample, tmp_path / "sample.yaml")
    assert (
        load_catalog(write_catalog(sample, tmp_path / "named.txt", format="omm-csv")).elements
        == sample.elements
    )


def test_empty_binary_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.tle"
    empty.write_text("\n\n")
    with pytest.raises(ParseError, match="empty file") as info:
        load_catalog(empty)
    assert info.value.line == 1 and "OMM XML" in str(info.value)
    assert len(load_catalog(empty, format="tle")) == 0
    binary = tmp_path / "blob.tle"
    binary.write_bytes(b"1 25544U\n\x00\x01\x02")
    with pytest.raises(ParseError, match="binary") as info:
        load_catalog(binary)
    assert info.value.line == 2
    with pytest.raises(NotFoundError):
        load_catalog(tmp_path / "missing.tle")


def test_six_digit_ids_survive_omm_but_not_tle(tmp_path: Path) -> None:
    iss = parse_tle_lines(ISS_1, ISS_2, "ISS")
    fields = {f: getattr(iss, f) for f in iss.__dataclass_fields__}
    big = Catalog.from_elements([type(iss)(**{**fields, "norad_id": 400_000})])
    write_catalog(big, tmp_path / "big.json")
    assert load_catalog(tmp_path / "big.json").norad_ids.tolist() == [400_000]
    with pytest.raises(TLEError, match="339999"):
        write_catalog(big, tmp_path / "big.tle")


# ----------------------------------------------------------------------------------------- CLI


def test_progress_is_reported_per_file(catalogs: Path) -> None:
    calls: list[tuple[int, int]] = []
    paths = [catalogs / "celestrak-resource-2026-05-30.tle"] * 2
    with pytest.warns(DataQualityWarning, match="167 duplicate"):
        catalog = load_catalog(paths, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)] and len(catalog) == 167


@given(st.binary(max_size=400))
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_fuzz_load_catalog_on_arbitrary_files(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "fuzz.dat"
    path.write_bytes(blob)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            catalog = load_catalog(path)
        except ParseError as error:
            assert error.path == str(path) and error.line is not None and error.expected
        else:
            assert all(i.path == str(path) for i in catalog.issues)
