"""Formation pairs and co-located objects are told apart from real encounters.

Real pair: TerraSAR-X (NORAD 31698) and TanDEM-X (36605) in the packaged CelesTrak ``resource``
snapshot of 2026-05-30. DLR describes their helix close-formation flight at a few hundred metres
(TanDEM-X mission pages, dlr.de); the screen lists them once per orbit at ~150 m and ~0.5 m/s.
A chance LEO encounter is km/s (the same screen's other events: 5–15 km/s).
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pytest

import skywarden as sw
from skywarden.space.safety.conjunction import screen
from skywarden.space.safety.formation import headline_order, pair_motion, triage_conjunctions

TSX, TDX = 31698, 36605


@pytest.fixture(scope="module")
def sample() -> tuple[object, object, list]:
    path = Path(str(resources.files("skywarden").joinpath("data/samples/resource-2026-05-30.tle")))
    cat = sw.load_catalog(path)
    at = cat.median_epoch
    return cat, at, screen(cat, at, "24h", threshold_km=10.0)


def test_terrasar_tandem_is_a_formation(sample: tuple) -> None:
    cat, at, _ = sample
    (m,) = pair_motion(cat, [(TSX, TDX)], at, "24h")
    assert m.kind == "formation"
    assert m.min_separation_m > 50.0 and m.max_separation_m < 2_000.0  # "a few hundred metres"
    assert m.max_relative_speed_m_s < 5.0


def test_a_chance_encounter_is_not(sample: tuple) -> None:
    cat, at, events = sample
    fast = next(e for e in events if e.relative_speed_m_s > 1000.0)
    (m,) = pair_motion(cat, [(fast.primary, fast.secondary)], at, "24h")
    assert m.kind == "encounter" and m.max_relative_speed_m_s > 1000.0


def test_triage_sets_the_formation_aside_and_orders_the_headline(sample: tuple) -> None:
    cat, at, events = sample
    assert any({e.primary, e.secondary} == {TSX, TDX} for e in events)  # the screen does list them
    tri = triage_conjunctions(events, cat, at, "24h")
    assert all({e.primary, e.secondary} != {TSX, TDX} for e in tri.headline)
    (pair,) = [p for p in tri.pairs if {p.primary, p.secondary} == {TSX, TDX}]
    assert pair.kind == "formation" and pair.events == len(tri.set_aside) >= 10  # once per orbit
    assert len(tri.headline) + len(tri.set_aside) == len(events)
    assert all(e.relative_speed_m_s > 1000.0 for e in tri.headline)
    # Pc ≈ 0 everywhere in the headline here, so the order is by miss distance
    misses = [e.miss_distance_m for e in tri.headline]
    assert misses == sorted(misses)


def test_headline_order_puts_pc_first_then_fast_small_misses(sample: tuple) -> None:
    _, _, events = sample
    fast = [e for e in events if e.relative_speed_m_s > 1000.0]
    slow = next(e for e in events if e.relative_speed_m_s < 10.0)
    ordered = headline_order([*fast, slow])
    assert ordered[0] is slow  # its Pc (~1e-4) is the highest
    import dataclasses

    zero_pc_slow = dataclasses.replace(slow, pc=0.0)
    ordered = headline_order([zero_pc_slow, *fast])
    assert ordered[-1] is zero_pc_slow and not math.isnan(ordered[0].miss_distance_m)


def test_objects_sharing_one_element_set_are_co_located(sample: tuple) -> None:
    """A docked vehicle carries its host's elements (e.g. ISS modules); simulate one with a copy
    of TerraSAR-X's element set under another catalog number."""
    import dataclasses

    cat, at, _ = sample
    host = cat.by_id(TSX)
    docked = dataclasses.replace(host, norad_id=99_999, name="DOCKED")
    (m,) = pair_motion([host, docked], [(TSX, 99_999)], at, "2h")
    assert m.kind == "co-located" and m.max_separation_m == pytest.approx(0.0, abs=1e-3)
