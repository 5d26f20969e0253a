"""Sensor capability table and viewing geometry.

Outside numbers:
* WorldView-1 GSD off nadir: 0.50 m at nadir, 0.55 m at 20° off-nadir (NASA GCMD keyword record
  for the WV60 camera, reproducing the DigitalGlobe data sheet) and 0.59 m at 25° (DigitalGlobe
  WorldView-1 product guide v1.2, 2008, as quoted in the shared fact table), orbit 496 km.
* Spherical-Earth geometry is derived by hand below (law of sines / law of cosines) and
  compared with the module's functions.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.errors import InputError, OptionError, ValidationError
from skywarden.space.overflight.sensors import (
    DEFAULT_MIN_SUN_ELEVATION_DEG,
    DEFAULT_SAR_MAX_INCIDENCE_DEG,
    EARTH_RADIUS_M,
    central_angle_deg,
    gsd_off_nadir_m,
    incidence_from_off_nadir_deg,
    kind_from_purpose,
    load_sensors,
    slant_range_m,
)

ONE_METRE = 1.0  # m
ONE_CENTIMETRE = 0.01  # m
ONE_MILLIDEGREE = 1e-3  # deg
PUBLISHED_GSD_ROUNDING = 0.005  # m: the data sheet rounds GSD to 0.01 m


def test_hand_worked_field_of_regard_500km_30deg() -> None:
    """h = 500 km, off-nadir η = 30°, R = 6371.0088 km (IUGG mean radius).

    Law of sines in the triangle (Earth centre O, satellite S, ground point P): the angle at P
    is 180° − θ (θ = incidence), so R / sin η = (R + h) / sin θ:
        sin θ = 6871.0088 / 6371.0088 · 0.5 = 0.539240…  →  θ = 32.6319°
    Earth-central angle λ = θ − η = 2.6319°.
    Slant range by the quadratic (law of cosines at S): ρ = r cos η − sqrt(R² − r² sin² η)
        = 6871.0088·0.866025 − sqrt(6371.0088² − 6871.0088²·0.25) = 585.11 km;
    and again by the law of cosines at O: ρ² = R² + r² − 2 R r cos λ → 585.11 km.
    """
    h = 500e3
    theta = float(incidence_from_off_nadir_deg(30.0, h))
    assert abs(theta - 32.6319) < ONE_MILLIDEGREE
    assert abs(float(central_angle_deg(30.0, h)) - 2.6319) < ONE_MILLIDEGREE
    rho = float(slant_range_m(30.0, h))
    assert abs(rho - 585_110.5) < ONE_METRE
    r, big_r, lam = EARTH_RADIUS_M + h, EARTH_RADIUS_M, math.radians(2.6319345714)
    assert abs(rho - math.sqrt(big_r**2 + r**2 - 2 * big_r * r * math.cos(lam))) < ONE_METRE
    # Nadir: ρ = h, θ = 0.
    assert float(slant_range_m(0.0, h)) == h
    assert float(incidence_from_off_nadir_deg(0.0, h)) == 0.0
    # Beyond the horizon (sin θ > 1) there is no ground point.
    assert math.isnan(float(incidence_from_off_nadir_deg(80.0, h)))


def test_hand_worked_gsd_500km_30deg() -> None:
    """g0 = 1 m at h = 500 km viewed at η = 30° (ρ = 585.11 km, θ = 32.632°, cos θ = 0.84215):
    along-track g0·ρ/h = 1.1702 m, across (look) direction g0·ρ/(h cos θ) = 1.3896 m,
    geometric mean g0·(ρ/h)/sqrt(cos θ) = 1.2752 m. SAR keeps its nadir resolution."""
    gsd = float(gsd_off_nadir_m(1.0, 585_110.5, 500e3, 32.6319346, "optical"))
    assert abs(gsd - 1.2752) < 1e-4
    assert abs(gsd - math.sqrt(1.1702211 * 1.3895604)) < 1e-4
    assert float(gsd_off_nadir_m(1.0, 585_110.5, 500e3, 32.63, "sar")) == 1.0


@pytest.mark.parametrize(("off_nadir_deg", "published_m"), [(0.0, 0.50), (20.0, 0.55), (25.0, 0.59)])
def test_gsd_formula_reproduces_worldview1_data_sheet(off_nadir_deg: float, published_m: float) -> None:
    h = 496e3
    theta = incidence_from_off_nadir_deg(off_nadir_deg, h)
    rho = slant_range_m(off_nadir_deg, h)
    gsd = float(gsd_off_nadir_m(0.50, rho, h, theta))
    assert abs(gsd - published_m) <= PUBLISHED_GSD_ROUNDING


def test_vectorised_geometry_matches_scalar() -> None:
    eta = np.array([0.0, 10.0, 30.0, 45.0])
    vec = slant_range_m(eta, 617e3)
    assert np.allclose(vec, [float(slant_range_m(e, 617e3)) for e in eta])


def test_shipped_table_rows_all_have_sources_and_kinds() -> None:
    table = load_sensors()
    assert len(table) == 103
    for row in table:
        assert row.source.strip(), row.system
        assert row.kind in ("optical", "sar", "ir")
    wv3 = table.match(40115, "WORLDVIEW-3 (WV-3)")
    assert wv3 is not None and wv3.system == "WorldView-3"
    assert wv3.best_gsd_m == 0.31 and wv3.max_off_nadir_deg == 45.0
    # Name patterns work without ids, for CelesTrak and UCS spellings.
    assert table.match(1, "Worldview 3") is wv3
    assert table.match(1, "SENTINEL-2A").system == "Sentinel-2 (MSI)"  # type: ignore[union-attr]
    assert table.match(1, "ICEYE-X27").kind == "sar"  # type: ignore[union-attr]
    assert table.match(25544, "ISS (ZARYA)") is None


def test_shipped_table_matches_resource_catalog_as_documented(shared_data: Path) -> None:
    """The shared README: 121 of the 167 objects of the resource snapshot match a row."""
    from skywarden.space.catalog import load_catalog

    cat = load_catalog(shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle")
    table = load_sensors()
    matched = sum(table.match(e.norad_id, e.name) is not None for e in cat)
    assert matched == 121


def test_capability_defaults_are_marked_assumed() -> None:
    table = load_sensors()
    pleiades_neo = table.match(48268, "PLEIADES NEO 3")
    cap = pleiades_neo.capability(620.0)  # type: ignore[union-attr]
    assert cap.criterion == "off_nadir" and cap.limit_deg == 52.0
    assert cap.assumed == ("min_sun_elevation_deg",)
    assert cap.min_sun_elevation_deg == DEFAULT_MIN_SUN_ELEVATION_DEG
    s1 = table.match(39634, "SENTINEL-1A").capability(693.0)  # type: ignore[union-attr]
    assert s1.criterion == "elevation" and abs(s1.limit_deg - (90.0 - 46.8)) < 1e-9 and not s1.assumed
    cosmo2 = table.match(0, "CSG-2")
    if cosmo2 is not None:  # COSMO-SkyMed 2nd generation has no published window
        cap = cosmo2.capability(620.0)
        assert cap.limit_deg == 90.0 - DEFAULT_SAR_MAX_INCIDENCE_DEG and "max_incidence_deg" in cap.assumed
    # Wide-swath imager without a published limit: half field of view from the swath
    # (Sentinel-3 OLCI: 1270 km swath at 814 km → atan(635/814) = 37.96°).
    olci = table.match(41335, "SENTINEL-3A")
    cap = olci.capability(814.0)  # type: ignore[union-attr]
    assert abs(cap.limit_deg - math.degrees(math.atan(635.0 / 814.0))) < 1e-9
    assert "max_off_nadir_deg" in cap.assumed


def test_kind_from_ucs_purpose() -> None:
    assert kind_from_purpose("Earth Observation", "Radar Imaging") == "sar"
    assert kind_from_purpose("Earth Observation", "Optical Imaging") == "optical"
    assert kind_from_purpose("Earth Observation", "Infrared Imaging") == "ir"
    assert kind_from_purpose("Earth Observation", "Multispectral Imaging") == "optical"
    assert kind_from_purpose("Communications", "") is None
    assert kind_from_purpose("Earth Observation", "Electronic Intelligence") is None


def test_user_file_overrides_and_extends(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "system,sensor_type,best_gsd_m,max_off_nadir_deg,norad_ids,name_regex,source\n"
        "WorldView-3,optical,0.25,30,40115,,my notes\n"
        "Hypothetical,ir,5,20,99999,^HYPO,my notes\n",
        encoding="utf-8",
    )
    table = load_sensors(path)
    assert len(table) == 104
    assert table.match(40115, "").best_gsd_m == 0.25  # type: ignore[union-attr]
    assert table.match(1, "HYPOSAT 1").kind == "ir"  # type: ignore[union-attr]
    only = load_sensors(path, extend=False)
    assert len(only) == 2


def test_unknown_kind_lists_valid_kinds(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("system,sensor_type,best_gsd_m,source\nX,lidar,1,src\n", encoding="utf-8")
    with pytest.raises(OptionError) as info:
        load_sensors(path)
    assert "lidar" in str(info.value) and "'optical'" in str(info.value) and "'sar'" in str(info.value)


def test_bad_rows_name_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("system,sensor_type,best_gsd_m,source\nX,sar,abc,src\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_sensors(path)
    assert "bad.csv:2" in str(info.value) and "best_gsd_m" in str(info.value)
    path.write_text("system,sensor_type,best_gsd_m,source\nX,sar,1,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="source"):
        load_sensors(path)
    path.write_text("system,best_gsd_m\nX,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column"):
        load_sensors(path)


@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=400))
def test_fuzz_sensor_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("sensors") / "s.csv"
    path.write_bytes(b"system,sensor_type,best_gsd_m,source\n" + data)
    try:
        table = load_sensors(path)
    except InputError:
        return
    assert len(table) >= 103
