"""Payload files and presets: loading, overriding, teaching errors, fuzzing."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.errors import NotFoundError, ParseError, SkywardenError, ValidationError
from skywarden.hazard.fragments import FragmentClass, Payload, load_payload, payload_presets

TOML = """
name = "test box"
description = "one box on a chute"
[uncertainty]
release_alt_sigma_m = 50.0
wind_sigma_m_s = 1.0
[[fragment]]
name = "box"
count = 2
mass_kg = 2.0
area_m2 = 0.25
ballistic_coefficient_kg_m2 = 10.0
parachute_cd_area_m2 = 0.5
"""


def test_presets_are_shipped_and_documented():
    names = payload_presets()
    assert {"radiosonde", "heavy-gondola"} <= set(names)
    for name in names:
        p = load_payload(name)
        assert p.description
        assert p.n_pieces >= 1
        assert p.source == f"preset:{name}"


def test_toml_file_with_ballistic_coefficient(tmp_path):
    f = tmp_path / "box.toml"
    f.write_text(TOML)
    p = load_payload(f)
    frag = p.fragments[0]
    assert frag.count == 2
    assert frag.cd == pytest.approx(2.0 / (10.0 * 0.25))  # cd = m / (β A)
    assert frag.drag_area_m2 == pytest.approx(0.2 + 0.5)
    # casualty area (0.6 m + √0.25 m²)² = 1.21 m² per piece (RCC 321 form, hand calculation)
    assert frag.nominal_casualty_area_m2 == pytest.approx(1.21)
    assert p.total_casualty_area_m2 == pytest.approx(2.42)
    assert p.release_alt_sigma_m == 50.0


def test_json_file_is_equivalent(tmp_path):
    import tomllib

    f = tmp_path / "box.json"
    f.write_text(json.dumps(tomllib.loads(TOML)))
    assert load_payload(f).fragments == load_payload(_write(tmp_path, TOML)).fragments


def _write(tmp_path, text, name="p.toml"):
    f = tmp_path / name
    f.write_text(text)
    return f


def test_errors_name_file_field_and_expected_format(tmp_path):
    bad = _write(tmp_path, '[[fragment]]\nname = "x"\nmass_kg = "heavy"\narea_m2 = 1.0\n')
    with pytest.raises(ParseError) as err:
        load_payload(bad)
    msg = str(err.value)
    assert "p.toml" in msg and "fragment[0].mass_kg" in msg and "expected" in msg
    with pytest.raises(ParseError, match="missing area_m2"):
        load_payload(_write(tmp_path, "[[fragment]]\nmass_kg = 1.0\n"))
    with pytest.raises(ParseError, match="line"):
        load_payload(_write(tmp_path, "[[fragment]\nmass_kg = 1.0\n"))
    with pytest.raises(ValidationError, match="mass_kg must be a positive"):
        load_payload(_write(tmp_path, "[[fragment]]\nmass_kg = -1.0\narea_m2 = 1.0\n"))
    with pytest.raises(ParseError, match="unknown key"):
        load_payload(_write(tmp_path, "[[fragment]]\nmass_kg = 1.0\narea_m2 = 1.0\ncolour = 3\n"))
    with pytest.raises(NotFoundError, match="radiosonde"):
        load_payload("no-such-preset")


def test_sampling_is_lognormal_around_nominal():
    frag = FragmentClass("plate", mass_kg=2.0, area_m2=1.0, cd=1.2, mass_rel_sigma=0.1, cd_rel_sigma=0.2)
    s = frag.sample(20_000, np.random.default_rng(1))
    assert s["mass_kg"][0] == 2.0  # first draw nominal
    assert np.all(s["mass_kg"] > 0)
    # log-normal with mean 1 and relative std 0.1: sample mean within 4 standard errors
    assert s["mass_kg"].mean() == pytest.approx(2.0, abs=4 * 0.2 / math.sqrt(20_000))
    assert s["mass_kg"].std() / 2.0 == pytest.approx(0.1, rel=0.05)
    np.testing.assert_allclose(s["casualty_area_m2"], (0.6 + np.sqrt(s["area_m2"])) ** 2)


def test_payload_needs_fragments():
    with pytest.raises(ValidationError):
        Payload(name="empty", fragments=())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.integers(0, len(TOML)).map(lambda k: TOML.encode()[:k]),
    )
)
def test_fuzz_payload_files_only_raise_skywarden_errors(tmp_path, data):
    for suffix in (".toml", ".json"):
        f = tmp_path / f"fuzz{suffix}"
        f.write_bytes(data)
        try:
            p = load_payload(f)
        except SkywardenError:
            continue
        assert isinstance(p, Payload)
