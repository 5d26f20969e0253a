"""Maneuver detection against a passive-drift null model.

Synthetic tracks come from the real GFS field (``winds/gfs_2p5deg_global_2011011012_f120.grib2``,
NOAA GFS, see the folder README): a balloon is flown through it by the flight kernel
(:func:`skywarden.flight.predict`), GPS-like noise is added to one fix per minute (3 m
horizontal, 10 m vertical, 1σ — typical of u-blox receivers in flight; the tracker's
default stated accuracies are of the same order), and the fixes go through the air tracker
(:func:`skywarden.air.track_reports`) exactly as real telemetry would. A passive balloon must
raise (almost) no alarm; one that changes altitude to switch wind layers must be caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.air import Reports, track_reports
from skywarden.errors import DataQualityWarning, ValidationError
from skywarden.flight.maneuvers import detect_maneuvers
from skywarden.flight.predict import EnsembleSettings, predict
from skywarden.flight.stages import Ascent, FlightProfile, Float
from skywarden.weather.winds import load_winds

GPS_H_SIGMA_M = 3.0  # m, 1σ horizontal GPS noise
GPS_V_SIGMA_M = 10.0  # m, 1σ vertical GPS noise
WIND_SIGMA_M_S = 2.0  # m/s: the stated wind error 1σ used by the detector in these tests
# m/s: forecast error of the synthetic "truth" (GFS stratospheric vector wind errors of a few m/s
# at day 0-1, e.g. ECMWF/NCEP verification against radiosondes; taken equal to the stated sigma)
TRUTH_WIND_SIGMA_M_S = 2.0
ONE_MINUTE_S = 60.0  # s
N_PASSIVE = 12  # synthetic passive flights
MAX_FALSE_ALARM_FLIGHTS = 1  # of N_PASSIVE


@pytest.fixture(scope="module")
def gfs(shared_data):  # type: ignore[no-untyped-def]
    return load_winds(shared_data / "winds" / "gfs_2p5deg_global_2011011012_f120.grib2")


def fly(field, profile, lat, lon, hours, seed, truth_sigma_m_s=TRUTH_WIND_SIGMA_M_S):  # type: ignore[no-untyped-def]
    """Fly ``profile`` through the *true* wind — ``field`` plus a forecast error (an
    Ornstein–Uhlenbeck perturbation of ``truth_sigma_m_s`` per component, 6 h correlation, the
    flight kernel's stochastic members) — and return the tracked noisy per-minute track."""
    ens = EnsembleSettings(members=2, wind_sigma_m_s=truth_sigma_m_s, wind_tau_s=6 * 3600.0, ascent_rate_sigma_m_s=0.0,
                           burst_alt_sigma_m=0.0, float_alt_sigma_m=0.0, descent_speed_sigma_m_s=0.0, seed=seed)  # fmt: skip
    pred = predict(field, lat_deg=lat, lon_deg=lon, alt_m=0.0, time=field.times[0], profile=profile, ensemble=ens,
                   hours=hours, step_s=30.0, output_step_s=ONE_MINUTE_S, outside="hold", error_estimate=False)  # fmt: skip
    t, la, lo, al = pred.member_path(1)
    rng = np.random.default_rng(seed)
    n = t.size
    # metres → degrees for the noise (small offsets)
    dn = rng.normal(0, GPS_H_SIGMA_M, n) / 111_195.0
    de = rng.normal(0, GPS_H_SIGMA_M, n) / (111_195.0 * np.cos(np.radians(la)))
    rep = Reports.from_columns(t, la + dn, lo + de, al + rng.normal(0, GPS_V_SIGMA_M, n),
                               object_id="SYN", alt_datum="gps", h_acc_m=GPS_H_SIGMA_M, v_acc_m=GPS_V_SIGMA_M)  # fmt: skip
    return track_reports(rep)[0]


def test_passive_balloons_raise_few_false_alarms(gfs) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    alarms = 0
    for i in range(N_PASSIVE):
        lat, lon = rng.uniform(25, 60), rng.uniform(-130, -70)
        prof = FlightProfile(
            (Ascent(rate_m_s=5.0, target_alt_m=None), Float(alt_m=rng.uniform(16_000, 21_000)))
        )
        trk = fly(gfs, prof, lat, lon, 8.0, seed=i)
        res = detect_maneuvers(trk, gfs, wind_sigma_m_s=WIND_SIGMA_M_S)
        alarms += res.steered
    assert alarms <= MAX_FALSE_ALARM_FLIGHTS


def test_layer_switching_balloon_is_caught(gfs) -> None:  # type: ignore[no-untyped-def]
    # float at 16 km for 3 h, climb at 1 m/s to 20 km (a different wind layer), float again
    prof = FlightProfile((
        Ascent(rate_m_s=5.0, target_alt_m=16_000.0), Float(alt_m=16_000.0, duration_s=3 * 3600.0),
        Ascent(rate_m_s=1.0, target_alt_m=20_000.0), Float(alt_m=20_000.0),
    ))  # fmt: skip
    trk = fly(gfs, prof, 40.0, -100.0, 9.0, seed=1)
    res = detect_maneuvers(trk, gfs, wind_sigma_m_s=WIND_SIGMA_M_S)
    alt_events = [m for m in res.maneuvers if m.kind == "altitude"]
    assert len(alt_events) == 1
    ev = alt_events[0]
    assert "altitude change of +" in ev.reason and "stable" in ev.reason
    # the climb: 4 km at 1 m/s starts ~3 h 53 min after launch (16 km / 5 m/s + 3 h)
    climb_start = trk.time[0] + np.timedelta64(int((16_000 / 5.0 + 3 * 3600) * 1e9), "ns")
    assert abs((ev.start - climb_start) / np.timedelta64(1, "s")) < 15 * ONE_MINUTE_S
    assert 3_000.0 < ev.alt_end_m - ev.alt_start_m < 4_200.0
    # horizontal motion stays on the wind: a layer-switcher is not a sideways pusher
    assert not [m for m in res.maneuvers if m.kind == "drift"]


def test_drift_off_the_wind_is_caught_with_its_size(gfs) -> None:  # type: ignore[no-untyped-def]
    trk = fly(gfs, FlightProfile((Ascent(rate_m_s=5.0, target_alt_m=None), Float(alt_m=18_000.0))), 45.0, -95.0,
              6.0, seed=3)  # fmt: skip
    # a powered leg: add 9 m/s northward for 1 h in the middle of the float
    t_s = (trk.time - trk.time[0]) / np.timedelta64(1, "s")
    leg = (t_s > 3 * 3600) & (t_s < 4 * 3600)
    trk.vel_enu_m_s = trk.vel_enu_m_s.copy()
    trk.vel_enu_m_s[leg, 1] += 9.0
    res = detect_maneuvers(trk, gfs, wind_sigma_m_s=WIND_SIGMA_M_S)
    drift = [m for m in res.maneuvers if m.kind == "drift"]
    assert len(drift) == 1
    # 9 m/s push plus the truth's own forecast error (TRUTH_WIND_SIGMA_M_S per component)
    size = float(drift[0].reason.split()[1])
    assert abs(size - 9.0) < 1.5 * TRUTH_WIND_SIGMA_M_S
    assert abs(drift[0].max_residual_m_s - 9.0) < 1.5 * TRUTH_WIND_SIGMA_M_S
    start_s = (drift[0].start - trk.time[0]) / np.timedelta64(1, "s")
    end_s = (drift[0].end - trk.time[0]) / np.timedelta64(1, "s")
    assert start_s > 3 * 3600 - 15 * ONE_MINUTE_S and end_s < 4 * 3600 + 15 * ONE_MINUTE_S
    assert "at 18.0 km" in drift[0].reason


def test_ensemble_spread_sets_sigma(gfs) -> None:  # type: ignore[no-untyped-def]
    from skywarden.flight.reach import perturbed_members

    ens = perturbed_members(gfs, 8, 4.0, seed=2)
    trk = fly(gfs, FlightProfile((Ascent(rate_m_s=5.0, target_alt_m=None), Float(alt_m=18_000.0))), 45.0, -95.0,
              4.0, seed=4)  # fmt: skip
    res = detect_maneuvers(trk, ens)
    assert "ensemble spread of 8 members" in res.assumptions["wind_sigma"]
    ok = np.isfinite(res.sigma_m_s)
    assert 1.5 < float(np.median(res.sigma_m_s[ok])) < 8.0


def test_outside_field_samples_warn_once_and_score_nan(gfs) -> None:  # type: ignore[no-untyped-def]
    from skywarden.weather.winds import WindField

    sub = WindField(
        times=gfs.times, pressure_pa=gfs.pressure_pa, lat_deg=gfs.lat_deg[60:], lon_deg=gfs.lon_deg[0:40],
        u_m_s=gfs.u_m_s[:, :, :, 60:, 0:40].copy(), v_m_s=gfs.v_m_s[:, :, :, 60:, 0:40].copy(),
        alt_m=gfs.alt_m[:, :, :, 60:, 0:40].copy(), heights_source=gfs.heights_source,
    )  # fmt: skip
    trk = fly(gfs, FlightProfile((Ascent(rate_m_s=5.0, target_alt_m=None), Float(alt_m=18_000.0))), 40.0, -100.0,
              2.0, seed=5)  # fmt: skip
    with pytest.warns(DataQualityWarning, match="outside the wind field"):
        res = detect_maneuvers(trk, sub, wind_sigma_m_s=WIND_SIGMA_M_S)
    assert np.all(np.isnan(res.score))
    assert res.assumptions["samples_outside_field"] == len(trk)


@settings(max_examples=25, deadline=None)
@given(
    threshold=st.floats(allow_nan=True, allow_infinity=True),
    window=st.floats(allow_nan=True, allow_infinity=True),
)
def test_bad_settings_raise_validation_error(threshold: float, window: float) -> None:
    class _T:
        time = np.array(["2011-01-15T12:00", "2011-01-15T12:01", "2011-01-15T12:02"], dtype="datetime64[ns]")
        lat_deg = lon_deg = alt_m = np.zeros(3)
        vel_enu_m_s = np.zeros((3, 3))

    if threshold > 0 and window > 0:
        return
    with pytest.raises(ValidationError):
        detect_maneuvers(_T(), None, threshold=threshold, window_s=window)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(*[st.one_of(st.floats(min_value=-1e5, max_value=1e5), st.just(float("nan")))] * 7),
        min_size=3,
        max_size=40,
    ),
    phase=st.sampled_from(["float", "ascent", "landed"]),
)
def test_garbage_tracks_never_crash(gfs, data, phase) -> None:  # type: ignore[no-untyped-def]
    import warnings

    arr = np.array(data, dtype=np.float64)

    class _T:
        time = np.datetime64("2011-01-15T12:00", "ns") + np.arange(arr.shape[0]) * np.timedelta64(60, "s")
        lat_deg, lon_deg, alt_m = np.clip(arr[:, 0], -90, 90), arr[:, 1], arr[:, 2]
        vel_enu_m_s = arr[:, 3:6]

    _T.phase = np.full(arr.shape[0], phase, dtype=object)  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        res = detect_maneuvers(_T(), gfs, wind_sigma_m_s=WIND_SIGMA_M_S)
    assert res.score.shape == (arr.shape[0],)
    for m in res.maneuvers:
        assert m.start < m.end and m.reason
