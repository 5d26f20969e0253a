"""Monte Carlo dispersion and footprint contours.

Reference: an isotropic bivariate normal with standard deviation σ has highest-density regions
that are discs with P(r ≤ R) = 1 − exp(−R² / 2σ²) (Rayleigh distribution), so the region holding
probability p has area 2πσ² ln(1 / (1 − p)).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywarden.export import geojson
from skywarden.hazard.dispersion import from_local, impact_dispersion, to_local
from skywarden.hazard.fall import WindColumn
from skywarden.hazard.fragments import FragmentClass, Payload
from skywarden.hazard.output import footprint_features

SIGMA_M = 1500.0


def _gaussian_payload() -> Payload:
    frag = FragmentClass("ball", mass_kg=1.0, area_m2=0.1, cd=1.0)
    return Payload("gauss", (frag,), release_horizontal_sigma_m=SIGMA_M)


def test_footprint_areas_match_rayleigh_closed_form():
    disp = impact_dispersion(_gaussian_payload(), 45.0, 7.0, 5_000.0, n=20_000, seed=11)
    levels = disp.footprint((0.5, 0.9, 0.99), cell_m=150.0)
    for c in levels:
        expected_km2 = 2 * math.pi * SIGMA_M**2 * math.log(1 / (1 - c["level"])) / 1e6
        # grid quantisation + kernel smoothing + sampling: within 5 % (measured: < 1 %)
        assert c["area_km2"] == pytest.approx(expected_km2, rel=0.05)
        if c["level"] < 0.95:  # the 99 % region's sparse edge may break into islands
            assert len(c["polygons"]) == 1
    assert levels[0]["shape"].within(levels[1]["shape"].buffer(1.0))


def test_local_frame_round_trip_is_exact_to_a_millimetre():
    lat = np.array([44.9, 45.3, 46.0])
    lon = np.array([6.5, 7.4, 179.9])
    x, y = to_local(45.0, 7.0, lat, lon)
    lat2, lon2 = from_local(45.0, 7.0, x, y)
    np.testing.assert_allclose(lat2, lat, atol=1e-8)
    np.testing.assert_allclose(((lon2 - lon + 180) % 360) - 180, 0.0, atol=1e-8)


def test_samples_weights_and_summary():
    disp = impact_dispersion(
        "heavy-gondola", 40.0, -100.0, 30_000.0, n=2000, wind=WindColumn.uniform(10.0, 0.0)
    )
    assert disp.n == 2000
    assert disp.weight.sum() == pytest.approx(disp.payload.n_pieces)
    assert set(np.unique(disp.fragment_index)) == {0, 1, 2, 3}
    s = disp.summary()
    names = [r["fragment"] for r in s["fragments"]]
    assert names[0] == "gondola on parachute"
    # everything drifts east with an eastward wind
    assert all(r["impact_lon_deg_median"] > -100.0 for r in s["fragments"])
    assert "calm" not in disp.assumptions["wind"]


def test_calm_air_is_stated():
    disp = impact_dispersion("radiosonde", 40.0, -100.0, 20_000.0, n=100)
    assert disp.assumptions["wind"].startswith("calm air")


def test_ensemble_release_states_are_sampled():
    lat = np.array([40.0, 41.0])
    lon = np.array([-100.0, -100.0])
    disp = impact_dispersion("radiosonde", lat, lon, [20_000.0, 20_000.0], n=1000, seed=2)
    north = disp.lat_deg > 40.5
    assert 0.35 < north.mean() < 0.65
    # the known value: each of the two equally likely states is drawn with p = 0.5, so the
    # fraction from the northern one is binomial (standard error √(p(1−p)/n)); within 4 of them
    assert abs(north.mean() - 0.5) < 4.0 * np.sqrt(0.25 / north.size)


def test_footprint_geojson_features_are_closed_polygons():
    disp = impact_dispersion(_gaussian_payload(), 45.0, 7.0, 5_000.0, n=3000)
    feats = footprint_features(disp)
    assert {f["properties"]["level"] for f in feats} == {0.5, 0.9, 0.99}
    for f in feats:
        ring = f["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 4
    assert geojson.feature_collection(feats)["type"] == "FeatureCollection"


def test_bad_arguments():
    from skywarden.errors import ValidationError

    with pytest.raises(ValidationError):
        impact_dispersion("radiosonde", 40.0, -100.0, 20_000.0, n=0)
    disp = impact_dispersion("radiosonde", 40.0, -100.0, 20_000.0, n=50)
    with pytest.raises(ValidationError):
        disp.footprint((1.5,))


def test_ring_shaped_footprint_keeps_its_hole():
    """Impacts uniform on an annulus 4–5 km from the centre: the 99 % region is the annulus
    (area π(5² − 4²) = 28.3 km²), with a hole, not the 78.5 km² disc."""
    from skywarden.hazard.dispersion import Dispersion

    rng = np.random.default_rng(5)
    n = 40_000
    r = np.sqrt(rng.uniform(16e6, 25e6, n))
    a = rng.uniform(0, 2 * np.pi, n)
    x, y = r * np.sin(a), r * np.cos(a)
    lat, lon = from_local(45.0, 7.0, x, y)
    ones = np.ones(n)
    disp = Dispersion(lat, lon, x, y, ones, ones, ones, ones, ones, np.zeros(n, dtype=int), ones / n,
                      np.array([n]), 45.0, 7.0, _gaussian_payload())  # fmt: skip
    (c,) = disp.footprint((0.99,), cell_m=100.0, smooth_cells=0.0)  # unsmoothed: sharp edges
    assert c["area_km2"] == pytest.approx(math.pi * 9.0, rel=0.15)
    from shapely.geometry import Polygon

    assert len(c["polygons"]) == 1 and len(c["polygons"][0]) >= 2  # exterior + the central hole
    biggest_hole_km2 = max(Polygon(r).area for r in c["shape"].interiors) / 1e6
    assert biggest_hole_km2 == pytest.approx(math.pi * 16.0, rel=0.1)  # the 4 km disc
    feat = footprint_features(disp, (0.99,))[0]
    assert len(feat["geometry"]["coordinates"]) >= 2
