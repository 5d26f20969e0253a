"""A track first seen while floating has no launch and no pre-launch phase.

The case came from the demo's scenario: reports of an unknown object that is already at 18 km
when first seen (no ascent in the data) were all labelled ``pre-launch``, as if it sat on a pad.
"""

from __future__ import annotations

import numpy as np

from skywarden.air.phases import GROUND_MAX_ALT_M, detect_phases


def _still(alt0_m: float, hours: float = 6.0) -> tuple[np.ndarray, ...]:
    t = np.arange(0.0, hours * 3600.0, 60.0)
    alt = alt0_m + 40.0 * np.sin(t / 2000.0)  # a gentle float oscillation, |vz| < 0.02 m/s
    vz = np.gradient(alt, t)
    ground = np.full_like(t, 12.0)  # drifting at 12 m/s
    return t, alt, vz, ground


def test_first_seen_floating_is_float_not_pre_launch():
    r = detect_phases(*_still(18_000.0))
    assert r.launch is None
    assert set(r.phase) == {"float"}
    assert r.float_spans == [(0, len(r.phase))]


def test_still_on_high_ground_is_still_pre_launch():
    # a payload waiting on a 4 km plateau is on the ground: nothing has launched yet
    r = detect_phases(*_still(4_000.0, hours=1.0))
    assert GROUND_MAX_ALT_M > 4_000.0
    assert set(r.phase) == {"pre-launch"}
