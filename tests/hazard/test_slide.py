"""Heavy pieces that slide after impact (issue 19): fragment key ``impact_mode = "slide"``.

Slide area = casualty-area width × slide distance, width (W + 2 r_p) and distance v_h²/(2 μ g)
(Range Commanders Council, supplement to RCC 323-99, p. D-4) or (e·v_h)²/(2 μ g) with restitution
e (Montgomery & Ward, RTI/5180/60-31F, 1995, p. 6); both as page-cited in JARUS's CasEx. The
numbers below are worked by hand from those forms.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywarden.errors import ParseError, ValidationError
from skywarden.hazard import (
    FragmentClass,
    Payload,
    casualty_area_m2,
    impact_dispersion,
    load_payload,
    slide_area_m2,
)

G0 = 9.80665


def test_gondola_slide_area_by_hand():
    # 2 t gondola, A_f = 4 m²: vertical area (0.6 + 2)² = 6.76 m², width 2.6 m
    # v_h = 10 m/s, μ = 0.4: slide 100 / (2 × 0.4 × 9.80665) = 12.7464 m → 2.6 × 12.7464 = 33.1407 m²
    assert float(slide_area_m2(6.76, 10.0, 0.4)) == pytest.approx(33.1407, abs=1e-4)
    # restitution 0.5: the slide starts at 5 m/s, a quarter of the distance
    assert float(slide_area_m2(6.76, 10.0, 0.4, 0.5)) == pytest.approx(33.1407 / 4, abs=1e-4)
    # with the impact-angle term (8 m/s down): 6.76 + 2.6 × 1.8 × 10/8 = 12.61 m²; total 45.7507 m²
    angle = casualty_area_m2(4.0, v_horizontal_m_s=10.0, v_vertical_m_s=8.0)
    assert angle == pytest.approx(12.61, abs=1e-9)
    assert angle + float(slide_area_m2(6.76, 10.0, 0.4)) == pytest.approx(45.7507, abs=1e-4)
    # no horizontal speed, no slide
    assert float(slide_area_m2(6.76, 0.0, 0.4)) == 0.0


def _gondola(mode: str) -> Payload:
    extra = {"impact_mode": "slide", "friction_coefficient": 0.4} if mode == "slide" else {}
    frag = FragmentClass("gondola", mass_kg=2000.0, area_m2=4.0, cd=1.0, parachute_cd_area_m2=600.0, **extra)
    return Payload(f"gondola {mode}", (frag,), wind_sigma_m_s=5.0)


def test_dispersion_adds_each_samples_own_slide_area():
    fall = impact_dispersion(_gondola("fall"), 40.0, -100.0, 3000.0, n=200, seed=7)
    slide = impact_dispersion(_gondola("slide"), 40.0, -100.0, 3000.0, n=200, seed=7)
    np.testing.assert_array_equal(slide.horizontal_speed_m_s, fall.horizontal_speed_m_s)  # same samples
    vh = slide.horizontal_speed_m_s
    assert np.median(vh) > 1.0  # the wind error gives every sample a horizontal speed
    expected = (0.6 + 2.0) * vh**2 / (2 * 0.4 * G0)
    np.testing.assert_allclose(slide.casualty_area_m2 - fall.casualty_area_m2, expected, rtol=1e-12)
    assert "sliding pieces (gondola)" in slide.assumptions["casualty_area"]
    assert "sliding" not in fall.assumptions["casualty_area"]


def test_slide_keys_in_payload_files(tmp_path):
    good = tmp_path / "g.toml"
    good.write_text(
        '[[fragment]]\nname = "gondola"\nmass_kg = 2000.0\narea_m2 = 4.0\n'
        'impact_mode = "slide"\nfriction_coefficient = 0.4\nrestitution = 0.8\n'
    )
    frag = load_payload(good).fragments[0]
    assert (frag.impact_mode, frag.friction_coefficient, frag.restitution) == ("slide", 0.4, 0.8)
    bad = tmp_path / "b.toml"
    bad.write_text('[[fragment]]\nmass_kg = 2000.0\narea_m2 = 4.0\nimpact_mode = "slide"\n')
    with pytest.raises(ParseError, match=r"fragment\[0\]\.friction_coefficient"):
        load_payload(bad)
    bad.write_text('[[fragment]]\nmass_kg = 2000.0\narea_m2 = 4.0\nimpact_mode = "bounce"\n')
    with pytest.raises(ParseError, match="impact_mode") as info:
        load_payload(bad)
    assert "'fall' or 'slide'" in str(info.value) and "'bounce'" in str(info.value)
    with pytest.raises(ValidationError, match="restitution"):
        FragmentClass("x", 1.0, 1.0, impact_mode="slide", friction_coefficient=0.4, restitution=1.5)
    assert math.isclose(load_payload("heavy-gondola").fragments[0].restitution, 1.0)  # presets: fall
