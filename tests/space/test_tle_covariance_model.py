"""The default TLE covariance model against the published numbers it is built from.

* At epoch: T. Flohrer, H. Krag, H. Klinkrad, "Assessment and Categorization of TLE Orbit Errors
  for the US SSN Catalogue", AMOS Technical Conference 2008, Table 1 (1-σ by regime) and Table 2
  (1-σ by eccentricity, perigee height and inclination), radial U / along-track V / cross-track W
  in metres, used as printed.
* Growth: C. Levit, W. Marshall, "Improved orbit predictions using two-line elements",
  Advances in Space Research 47(7), 1107–1115 (2011), arXiv:1002.2277: SGP4 error grows a
  typical 1.5 km/day = 1500 m/day, put on the along-track axis.

The numbers below are typed here independently of the module's tables, so a slip in either
shows up as a failure.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from skywarden.errors import InputError, OptionError
from skywarden.space.catalog.elements import Elements
from skywarden.space.safety.covariance import (
    FLOHRER_2008_TABLE1,
    FLOHRER_2008_TABLE2,
    LEVIT_MARSHALL_2011_GROWTH_M_PER_DAY,
    TLE_SIGMA_MODEL,
    default_tle_covariance,
    flohrer_regime,
    tle_sigma_class,
    tle_sigma_class_for,
)

# Flohrer et al. 2008, Table 2, (σ_R, σ_T, σ_N) m; None where the paper has no entry.
# Rows: eccentricity band, perigee-height band; columns: i < 30°, 30–60°, ≥ 60°.
TABLE2 = {
    ("e<0.1", "hp<800"): [(67, 118, 75), (107, 308, 169), (115, 517, 137)],
    ("e<0.1", "hp800-25000"): [(191, 256, 203), (71, 228, 95), (91, 428, 114)],
    ("e<0.1", "hp>=25000"): [(357, 432, 83), None, None],
    ("e>=0.1", "hp<800"): [(2252, 4270, 1421), (629, 909, 2057), (494, 814, 1337)],
    ("e>=0.1", "hp800-25000"): [(1748, 3119, 971), (1832, 1878, 1454), (529, 817, 1570)],
    ("e>=0.1", "hp>=25000"): [(402, 418, 83), (4712, 6223, 1208), None],
}
INCLINATIONS = ("i<30", "i30-60", "i>=60")

# Flohrer et al. 2008, Table 1, (σ_R, σ_T, σ_N) m.
TABLE1 = {
    "LEO": (102, 471, 126),
    "MEO": (73, 131, 54),
    "GTO": (1960, 3897, 1808),
    "HEO": (824, 1367, 1059),
    "GEO": (359, 432, 86),
}

GROWTH_M_PER_DAY = 1500.0  # Levit & Marshall 2011: 1.5 km/day


def sigmas(cov: np.ndarray) -> np.ndarray:
    return np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))


@pytest.mark.parametrize(
    ("row", "column", "published"),
    [(row, INCLINATIONS[k], cells[k]) for row, cells in TABLE2.items() for k in range(3)],
)
def test_table2_cells_at_epoch(row, column, published):
    """Flohrer, Krag & Klinkrad (AMOS 2008), Table 2: every cell, at epoch, in metres."""
    key = (*row, column)
    if published is None:
        assert key not in FLOHRER_2008_TABLE2
        assert ",".join(key) not in TLE_SIGMA_MODEL
        return
    assert FLOHRER_2008_TABLE2[key] == published
    np.testing.assert_array_equal(sigmas(default_tle_covariance(0.0, ",".join(key))), published)


@pytest.mark.parametrize(("regime", "published"), TABLE1.items())
def test_table1_regimes_at_epoch(regime, published):
    """Flohrer, Krag & Klinkrad (AMOS 2008), Table 1: every regime, at epoch, in metres."""
    assert FLOHRER_2008_TABLE1[regime] == published
    np.testing.assert_array_equal(sigmas(default_tle_covariance(0.0, regime)), published)


def test_every_class_is_from_the_tables():
    """Nothing in the model besides Flohrer's two tables and Levit & Marshall's growth."""
    assert set(TLE_SIGMA_MODEL) == set(TABLE1) | {
        f"{e},{hp},{INCLINATIONS[k]}" for (e, hp), cells in TABLE2.items() for k in range(3) if cells[k]
    }
    assert LEVIT_MARSHALL_2011_GROWTH_M_PER_DAY == GROWTH_M_PER_DAY
    for _, rate in TLE_SIGMA_MODEL.values():
        assert rate == (0.0, GROWTH_M_PER_DAY, 0.0)


@pytest.mark.parametrize(
    ("what", "hp", "ha", "e", "inc", "published"),
    [
        ("ISS", 416, 426, 0.0007, 51.6, (107, 308, 169)),  # Table 2, e<0.1, hp<800, 30–60°
        ("sun-synchronous, 620 km", 620, 622, 0.0001, 97.9, (115, 517, 137)),  # Table 2, ≥ 60°
        ("GPS", 19870, 20495, 0.012, 54.8, (71, 228, 95)),  # Table 2, 800–25000 km, 30–60°
        ("geostationary", 35780, 35792, 0.0002, 0.02, (357, 432, 83)),  # Table 2, ≥ 25000 km, < 30°
        ("Molniya", 600, 39750, 0.72, 63.4, (494, 814, 1337)),  # Table 2, e≥0.1, hp<800, ≥ 60°
        ("GTO", 250, 35786, 0.73, 28.0, (2252, 4270, 1421)),  # Table 2, e≥0.1, hp<800, < 30°
        ("circular 30000 km, 45°", 30000, 30100, 0.001, 45.0, (73, 131, 54)),  # empty cell → Table 1 MEO
        ("geostationary, 70°", 35780, 35792, 0.0002, 70.0, (359, 432, 86)),  # empty cell → Table 1 GEO
    ],
)
def test_class_choice(what, hp, ha, e, inc, published):
    """Table 2's cell by eccentricity, perigee height and inclination; Table 1's regime where it is empty."""
    cls = tle_sigma_class(hp, ha, e, inc)
    np.testing.assert_array_equal(sigmas(default_tle_covariance(0.0, cls)), published, err_msg=what)


def test_regimes_of_table1():
    """Flohrer et al. (2008) regimes: LEO apogee < 2000 km; GEO radius 42164 ± 2000 km; MEO, GTO, HEO."""
    assert flohrer_regime(500, 1500) == "LEO"
    assert flohrer_regime(35780, 35792) == "GEO"
    assert flohrer_regime(19870, 20495) == "MEO"
    assert flohrer_regime(250, 35786) == "GTO"
    assert (
        flohrer_regime(600, 39750) == "GTO"
    )  # Molniya: perigee < 2000 km, apogee beyond the GEO band's floor
    assert flohrer_regime(5000, 60000) == "HEO"
    with pytest.raises(InputError):
        flohrer_regime(float("nan"), 500)
    with pytest.raises(InputError):
        tle_sigma_class(400, 420, float("nan"), 51.6)


def test_class_of_an_element_set():
    """An ISS element set falls in Table 2's e < 0.1, h_p < 800 km, 30–60° cell: 107 / 308 / 169 m."""
    iss = Elements(
        norad_id=25544,
        epoch=datetime(2024, 1, 1, tzinfo=UTC),
        mean_motion_rev_day=15.5,
        eccentricity=0.0005,
        inclination_deg=51.64,
        raan_deg=0.0,
        arg_perigee_deg=0.0,
        mean_anomaly_deg=0.0,
    )
    assert 300 < iss.perigee_km < 500
    assert tle_sigma_class_for(iss) == "e<0.1,hp<800,i30-60"


def test_sigma_grows_with_age():
    """Levit & Marshall (2011): 1.5 km/day along-track, either side of the epoch; R and N stay at epoch.

    ISS-like cell: at 2 days σ = (107, 308 + 2 × 1500, 169) = (107, 3308, 169) m.
    """
    cls = "e<0.1,hp<800,i30-60"
    np.testing.assert_allclose(sigmas(default_tle_covariance(2.0, cls)), (107, 3308, 169))
    np.testing.assert_allclose(sigmas(default_tle_covariance(-2.0, cls)), (107, 3308, 169))
    ages = np.array([0.0, 0.5, 1.0, 3.0, 7.0, 14.0])
    for cls in TLE_SIGMA_MODEL:
        s = sigmas(default_tle_covariance(ages, cls))
        assert np.all(np.diff(s[:, 1]) > 0), cls  # along-track strictly grows
        assert np.all(np.diff(s, axis=0) >= 0), cls  # no axis shrinks
        np.testing.assert_allclose(s[:, 1] - s[0, 1], GROWTH_M_PER_DAY * ages)


def test_skywarden_orbit_classes_still_accepted():
    """The classes conjunction screening passes today (``Elements.orbit_class``) are Table 1 regimes."""
    for cls in ("LEO", "MEO", "HEO", "GEO"):
        assert default_tle_covariance(1.0, cls).shape == (3, 3)
    with pytest.raises(OptionError):
        default_tle_covariance(1.0, "LUNAR")
