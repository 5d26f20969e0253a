"""Concrete flight stages and the :class:`FlightProfile` chain, loadable from TOML/JSON.

Config format (TOML; JSON has the same keys)::

    name = "latex burst"
    [[stage]]
    type = "ascent"          # constant rate until target_alt_m (burst or float altitude)
    rate_m_s = 5.0
    target_alt_m = 30000.0
    [[stage]]
    type = "descent"         # parachute: v(h) = v0 sqrt(rho0 / rho(h)), US 1976 density
    sea_level_speed_m_s = 5.0
    [[stage]]
    type = "float"           # at alt_m or pressure_hpa, optional oscillation and leak
    alt_m = 18000.0
    duration_s = 86400.0

Ascent rates and burst altitudes can also come from balloon physics
(:meth:`Ascent.from_balloon`, the same relations as the CUSF burst calculator), parachute
speeds from mass and canopy (:meth:`Descent.from_parachute`).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import NotFoundError, OptionError, ParseError, ValidationError
from ..weather.atmosphere import (
    G0_M_S2,
    RHO0_KG_M3,
    altitude_from_density,
    altitude_from_pressure,
    standard_atmosphere,
)
from ._kernel import FLOAT, PARACHUTE, RATE
from .base import N_PARAMS, Stage

__all__ = ["STAGE_TYPES", "Ascent", "Descent", "FlightProfile", "Float", "profile_for_fix"]

_CLIMB_M_S = 1.0  # |vertical rate| above which a fix is climbing or sinking, m/s
_GAS_DENSITY_KG_M3 = {"helium": 0.1786, "hydrogen": 0.0899}  # at 0 °C, 101 325 Pa


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValidationError(f"{name} must be a positive number; got {value!r}")


@dataclass(frozen=True)
class Ascent(Stage):
    """Constant-rate ascent until ``target_alt_m`` (burst, or the float altitude).

    Attributes:
        rate_m_s: ascent rate, m/s (> 0).
        target_alt_m: altitude where the stage ends, m (None: the next float stage's altitude,
            else 30 km).
        rate_sigma_m_s: ensemble spread (1σ) of the rate, m/s.
        target_sigma_m: ensemble spread (1σ) of the target altitude, m.
        event: name of the end event (``burst`` or ``float_start``; chosen from the next stage
            when empty).
    """

    rate_m_s: float = 5.0
    target_alt_m: float | None = None
    rate_sigma_m_s: float = 0.0
    target_sigma_m: float = 0.0
    event: str = ""

    type_name: ClassVar[str] = "ascent"
    kind: ClassVar[int] = RATE

    def __post_init__(self) -> None:
        _positive("ascent rate_m_s", self.rate_m_s)

    @property
    def end_event(self) -> str:
        return self.event or "burst"

    def end_alt_m(self, start_alt_m: float) -> float:
        return float(self.target_alt_m if self.target_alt_m is not None else start_alt_m)

    def kernel_params(
        self, n_members: int, rng: np.random.Generator, *, start_alt_m: float, ground_alt_m: float
    ) -> np.ndarray:
        p = np.zeros((n_members, N_PARAMS))
        p[:, 0] = np.maximum(self.spread(self.rate_m_s, self.rate_sigma_m_s, n_members, rng), 0.1)
        p[:, 1] = self.spread(self.end_alt_m(start_alt_m), self.target_sigma_m, n_members, rng)
        return p

    @classmethod
    def from_balloon(
        cls,
        *,
        payload_mass_kg: float,
        balloon_mass_kg: float,
        neck_lift_kg: float,
        burst_diameter_m: float,
        drag_coefficient: float = 0.3,
        gas: str = "helium",
        launch_alt_m: float = 0.0,
    ) -> Ascent:
        """Rate and burst altitude from balloon physics (CUSF burst-calculator relations).

        Launch volume ``V = (neck_lift + balloon_mass) / (ρ_air − ρ_gas)``; free lift
        ``F = (neck_lift − payload)·g``; rate ``sqrt(2F / (ρ_air Cd πr²))``; burst where the
        air density has fallen to ``ρ_air·V / V_burst`` (isothermal gas, US 1976 density).
        """
        if gas not in _GAS_DENSITY_KG_M3:
            raise OptionError("gas", gas, tuple(_GAS_DENSITY_KG_M3))
        for name, value in (("payload_mass_kg", payload_mass_kg), ("balloon_mass_kg", balloon_mass_kg),
                            ("neck_lift_kg", neck_lift_kg), ("burst_diameter_m", burst_diameter_m)):  # fmt: skip
            _positive(name, value)
        if neck_lift_kg <= payload_mass_kg:
            raise ValidationError(
                f"neck_lift_kg ({neck_lift_kg}) must exceed payload_mass_kg ({payload_mass_kg}) to rise"
            )
        rho_air = standard_atmosphere(launch_alt_m).density_kg_m3
        volume = (neck_lift_kg + balloon_mass_kg) / (rho_air - _GAS_DENSITY_KG_M3[gas])
        radius = (3.0 * volume / (4.0 * math.pi)) ** (1.0 / 3.0)
        free_lift_n = (neck_lift_kg - payload_mass_kg) * G0_M_S2
        rate = math.sqrt(2.0 * free_lift_n / (rho_air * drag_coefficient * math.pi * radius**2))
        burst_volume = 4.0 / 3.0 * math.pi * (burst_diameter_m / 2.0) ** 3
        burst_alt = float(altitude_from_density(rho_air * volume / burst_volume))
        return cls(rate_m_s=rate, target_alt_m=burst_alt)


@dataclass(frozen=True)
class Descent(Stage):
    """Parachute descent: speed ``v0·sqrt(ρ0/ρ(h))`` (US 1976 density) down to the ground.

    Attributes:
        sea_level_speed_m_s: terminal descent speed at sea level ``v0``, m/s (> 0).
        ground_alt_m: altitude of the ground, m (None: the launch altitude).
        speed_sigma_m_s: ensemble spread (1σ) of ``v0``, m/s.
    """

    sea_level_speed_m_s: float = 5.0
    ground_alt_m: float | None = None
    speed_sigma_m_s: float = 0.0

    type_name: ClassVar[str] = "descent"
    kind: ClassVar[int] = PARACHUTE

    def __post_init__(self) -> None:
        _positive("descent sea_level_speed_m_s", self.sea_level_speed_m_s)

    @property
    def end_event(self) -> str:
        return "landed"

    def end_alt_m(self, start_alt_m: float) -> float:
        return 0.0 if self.ground_alt_m is None else float(self.ground_alt_m)

    def kernel_params(
        self, n_members: int, rng: np.random.Generator, *, start_alt_m: float, ground_alt_m: float
    ) -> np.ndarray:
        p = np.zeros((n_members, N_PARAMS))
        p[:, 0] = np.maximum(self.spread(self.sea_level_speed_m_s, self.speed_sigma_m_s, n_members, rng), 0.1)
        p[:, 1] = ground_alt_m if self.ground_alt_m is None else self.ground_alt_m
        return p

    @staticmethod
    def speed_at(alt_m: Any, sea_level_speed_m_s: float) -> Any:
        """Descent speed (m/s, positive down) at ``alt_m`` for sea-level speed ``v0``."""
        rho = standard_atmosphere(alt_m).density_kg_m3
        return sea_level_speed_m_s * np.sqrt(RHO0_KG_M3 / np.asarray(rho))

    @classmethod
    def from_parachute(cls, *, mass_kg: float, diameter_m: float, drag_coefficient: float = 1.5) -> Descent:
        """``v0 = sqrt(2 m g / (ρ0 Cd A))`` for a round canopy of ``diameter_m``."""
        _positive("mass_kg", mass_kg)
        _positive("diameter_m", diameter_m)
        area = math.pi * (diameter_m / 2.0) ** 2
        return cls(
            sea_level_speed_m_s=math.sqrt(2.0 * mass_kg * G0_M_S2 / (RHO0_KG_M3 * drag_coefficient * area))
        )

    @classmethod
    def from_observed(cls, alt_m: float, descent_speed_m_s: float) -> Descent:
        """The sea-level speed that gives ``descent_speed_m_s`` at ``alt_m`` (inverse law)."""
        _positive("descent_speed_m_s", descent_speed_m_s)
        rho = standard_atmosphere(alt_m).density_kg_m3
        return cls(sea_level_speed_m_s=descent_speed_m_s / math.sqrt(RHO0_KG_M3 / rho))


@dataclass(frozen=True)
class Float(Stage):
    """Float at an altitude or a pressure level, optionally oscillating and leaking.

    ``h(τ) = alt + amplitude_m·sin(2πτ/period_s) − leak_m_s·τ`` for ``τ`` in
    ``[0, duration_s)`` after the float starts; ends early if ``h`` falls to the ground.

    Attributes:
        alt_m: float altitude, m (None: the altitude where the float starts).
        pressure_hpa: float pressure level, hPa (→ US 1976 altitude); excludes ``alt_m``.
        amplitude_m, period_s: slow vertical oscillation (0 = none), m and s.
        leak_m_s: steady sink rate from a leak, m/s (≥ 0).
        duration_s: float duration, s (``inf``: until the time limit).
        alt_sigma_m: ensemble spread (1σ) of the float altitude, m.
    """

    alt_m: float | None = None
    pressure_hpa: float | None = None
    amplitude_m: float = 0.0
    period_s: float = 86_400.0
    leak_m_s: float = 0.0
    duration_s: float = math.inf
    alt_sigma_m: float = 0.0

    type_name: ClassVar[str] = "float"
    kind: ClassVar[int] = FLOAT

    def __post_init__(self) -> None:
        if self.alt_m is not None and self.pressure_hpa is not None:
            raise ValidationError("float: give alt_m or pressure_hpa, not both")
        if self.pressure_hpa is not None:
            _positive("float pressure_hpa", self.pressure_hpa)
        _positive("float period_s", self.period_s)
        if self.leak_m_s < 0 or self.amplitude_m < 0 or not self.duration_s > 0:
            raise ValidationError("float: leak_m_s and amplitude_m must be ≥ 0 and duration_s > 0")

    @property
    def end_event(self) -> str:
        return "float_end"

    def level_alt_m(self) -> float | None:
        if self.pressure_hpa is not None:
            return float(altitude_from_pressure(self.pressure_hpa * 100.0))
        return None if self.alt_m is None else float(self.alt_m)

    def end_alt_m(self, start_alt_m: float) -> float:
        level = self.level_alt_m()
        return start_alt_m if level is None else level

    def kernel_params(
        self, n_members: int, rng: np.random.Generator, *, start_alt_m: float, ground_alt_m: float
    ) -> np.ndarray:
        p = np.zeros((n_members, N_PARAMS))
        p[:, 0] = start_alt_m  # the kernel's float starts where the previous stage ended
        p[:, 1] = self.amplitude_m
        p[:, 2] = self.period_s
        p[:, 3] = self.leak_m_s
        p[:, 4] = self.duration_s
        p[:, 5] = ground_alt_m
        return p


STAGE_TYPES: dict[str, type[Stage]] = {cls.type_name: cls for cls in (Ascent, Descent, Float)}


@dataclass(frozen=True)
class FlightProfile:
    """A chain of stages; ``name`` labels it in outputs."""

    stages: tuple[Stage, ...]
    name: str = "custom"

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValidationError("a flight profile needs at least one stage")
        # An ascent without a target takes the following float's level.
        fixed = list(self.stages)
        for i, st in enumerate(fixed):
            nxt = fixed[i + 1] if i + 1 < len(fixed) else None
            if isinstance(st, Ascent):
                target = st.target_alt_m
                if target is None and isinstance(nxt, Float):
                    target = nxt.level_alt_m()
                if target is None:
                    target = 30_000.0
                event = st.event or ("float_start" if isinstance(nxt, Float) else "burst")
                fixed[i] = replace(st, target_alt_m=target, event=event)
        object.__setattr__(self, "stages", tuple(fixed))

    # -------------------------------------------------------------- presets
    @classmethod
    def burst(
        cls, *, ascent_rate_m_s: float = 5.0, burst_alt_m: float = 30_000.0, descent_speed_m_s: float = 5.0
    ) -> FlightProfile:
        """Latex sounding balloon: ascent, burst, parachute descent to the ground."""
        return cls(
            (Ascent(rate_m_s=ascent_rate_m_s, target_alt_m=burst_alt_m),
             Descent(sea_level_speed_m_s=descent_speed_m_s)),
            name="burst",
        )  # fmt: skip

    @classmethod
    def float_(
        cls, *, ascent_rate_m_s: float = 5.0, float_alt_m: float = 18_000.0, duration_s: float = math.inf
    ) -> FlightProfile:
        """Zero-pressure / super-pressure balloon: ascent to a float altitude, then float."""
        return cls(
            (Ascent(rate_m_s=ascent_rate_m_s, target_alt_m=None),
             Float(alt_m=float_alt_m, duration_s=duration_s)),
            name="float",
        )  # fmt: skip

    def with_spreads(
        self,
        *,
        ascent_rate_sigma_m_s: float | None = None,
        burst_alt_sigma_m: float | None = None,
        float_alt_sigma_m: float | None = None,
        descent_speed_sigma_m_s: float | None = None,
    ) -> FlightProfile:
        """A copy with ensemble spreads set on the matching stages (None leaves a value)."""
        out: list[Stage] = []
        for st in self.stages:
            if isinstance(st, Ascent):
                target_sigma = burst_alt_sigma_m if st.event == "burst" else float_alt_sigma_m
                st = replace(
                    st,
                    rate_sigma_m_s=st.rate_sigma_m_s
                    if ascent_rate_sigma_m_s is None
                    else ascent_rate_sigma_m_s,
                    target_sigma_m=st.target_sigma_m if target_sigma is None else target_sigma,
                )
            elif isinstance(st, Descent) and descent_speed_sigma_m_s is not None:
                st = replace(st, speed_sigma_m_s=descent_speed_sigma_m_s)
            elif isinstance(st, Float) and float_alt_sigma_m is not None:
                st = replace(st, alt_sigma_m=float_alt_sigma_m)
            out.append(st)
        return FlightProfile(tuple(out), name=self.name)

    def describe(self) -> list[dict[str, Any]]:
        return [st.describe() for st in self.stages]

    # -------------------------------------------------------------- config files
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str | None = None) -> FlightProfile:
        """Build from a parsed TOML/JSON mapping (keys ``name`` and ``stage``/``stages``)."""
        raw = data.get("stage", data.get("stages"))
        if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
            raise ParseError(
                "no stages", path=source, field="stage",
                expected='a list of tables, e.g. [[stage]] type = "ascent" rate_m_s = 5.0',
            )  # fmt: skip
        stages: list[Stage] = []
        for i, item in enumerate(raw):
            where = f"stage[{i}]"
            if not isinstance(item, Mapping):
                raise ParseError("stage is not a table", path=source, field=where, got=repr(item))
            kind = item.get("type")
            if kind not in STAGE_TYPES:
                raise OptionError(f"{where}.type", kind, tuple(STAGE_TYPES))
            klass = STAGE_TYPES[kind]
            allowed = {f.name for f in fields(klass)}  # type: ignore[arg-type]
            unknown = set(item) - allowed - {"type"}
            if unknown:
                raise ParseError(
                    f"unknown key(s) {sorted(unknown)}", path=source, field=where,
                    expected=f"keys of a {kind} stage: {sorted(allowed)}",
                )  # fmt: skip
            kwargs = {k: v for k, v in item.items() if k != "type"}
            for key, value in kwargs.items():
                if value is not None and not isinstance(value, int | float | str):
                    raise ParseError("not a number", path=source, field=f"{where}.{key}", got=repr(value))
            try:
                stages.append(klass(**kwargs))
            except TypeError as exc:
                raise ParseError(str(exc), path=source, field=where) from None
        return cls(tuple(stages), name=str(data.get("name", Path(source).stem if source else "custom")))

    @classmethod
    def load(cls, path: str | Path) -> FlightProfile:
        """Read a profile from a ``.toml`` or ``.json`` file."""
        p = Path(path)
        if not p.is_file():
            raise NotFoundError(f"profile file not found: {p} (or use a preset: burst, float)")
        text = p.read_bytes()
        try:
            if p.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                data = tomllib.loads(text.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(
                f"not valid {'JSON' if p.suffix.lower() == '.json' else 'TOML'}: {exc}", path=p,
                expected="a flight profile (see skywarden.flight.stages)",
            ) from None  # fmt: skip
        if not isinstance(data, Mapping):
            raise ParseError("top level is not a table", path=p)
        return cls.from_mapping(data, source=str(p))

    @classmethod
    def resolve(cls, spec: str | Path | FlightProfile) -> FlightProfile:
        """``"burst"``, ``"float"``, a path to a TOML/JSON file, or a profile."""
        if isinstance(spec, FlightProfile):
            return spec
        if str(spec) == "burst":
            return cls.burst()
        if str(spec) == "float":
            return cls.float_()
        return cls.load(spec)


def profile_for_fix(
    phase: str, alt_m: float, vertical_rate_m_s: float, base: FlightProfile | None = None
) -> FlightProfile:
    """Stages that continue a flight from a tracked fix (``phase`` from the tracker:
    ``pre-launch``, ``ascent``, ``float``, ``descent``, ``landed``; the measured vertical rate
    wins over an airborne phase label that contradicts it by more than 1 m/s).

    Ascent continues at the measured rate to the ``base`` profile's burst/float altitude (or
    30 km); float stays at the current altitude; descent uses the sea-level speed that matches
    the measured descent rate at this altitude (inverse of the density law).
    """
    base = base or FlightProfile.burst()
    descent = next((s for s in base.stages if isinstance(s, Descent)), Descent())
    floats = [s for s in base.stages if isinstance(s, Float)]
    ascent = next((s for s in base.stages if isinstance(s, Ascent)), None)
    if phase in ("pre-launch", "ground"):
        return base
    # The measured vertical rate overrides an airborne phase label that disagrees with it (a
    # track that ends mid-ascent can look like its peak to a phase detector).
    if phase in ("ascent", "float", "descent"):
        if vertical_rate_m_s > _CLIMB_M_S:
            phase = "ascent"
        elif vertical_rate_m_s < -_CLIMB_M_S:
            phase = "descent"
        elif phase != "float" and alt_m > 5_000.0:
            phase = "float"
    if phase == "ascent":
        target = ascent.target_alt_m if ascent is not None and ascent.target_alt_m else 30_000.0
        rate = vertical_rate_m_s if vertical_rate_m_s > 0.5 else (ascent.rate_m_s if ascent else 5.0)
        if target <= alt_m:
            target = alt_m + 1.0
        tail: list[Stage] = [floats[0]] if floats else [descent]
        return FlightProfile(
            (Ascent(rate_m_s=rate, target_alt_m=target), *tail), name=f"{base.name} from ascent"
        )
    if phase == "float":
        f = floats[0] if floats else Float()
        return FlightProfile((replace(f, alt_m=None, pressure_hpa=None),), name="float from fix")
    if phase == "descent":
        d = Descent.from_observed(alt_m, -vertical_rate_m_s) if vertical_rate_m_s < -0.5 else descent
        return FlightProfile((d,), name="descent from fix")
    if phase == "landed":
        raise ValidationError("the track's last fix is on the ground (phase 'landed'): nothing to predict")
    raise OptionError("phase", phase, ("pre-launch", "ascent", "float", "descent", "landed"))
