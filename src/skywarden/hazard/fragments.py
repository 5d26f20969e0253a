"""Payload and fragment model: what falls when a balloon flight is terminated.

A :class:`Payload` is a list of :class:`FragmentClass` entries (a named kind of piece with a
count) plus the uncertainties of the release state and the wind. Each fragment class is
described by mass, reference area and drag coefficient *or* ballistic coefficient, and may hang
under a parachute (which adds its own drag area). Relative 1σ uncertainties on mass, area and
drag coefficient drive the Monte Carlo dispersion (:mod:`skywarden.hazard.dispersion`).

Payload file format (TOML; JSON has the same keys)::

    name = "my payload"
    description = "what it is and where the numbers came from"
    [uncertainty]
    release_alt_sigma_m = 100.0        # 1σ of the release altitude, m
    release_horizontal_sigma_m = 200.0 # 1σ of the release position (east and north), m
    wind_sigma_m_s = 2.0               # 1σ of a wind error constant over the fall, m/s (each axis)
    [[fragment]]
    name = "instrument box"
    count = 1
    mass_kg = 2.0
    area_m2 = 0.06                     # reference (and impact) area, m²
    cd = 1.05                          # or: ballistic_coefficient_kg_m2 = 31.7
    mass_rel_sigma = 0.05
    area_rel_sigma = 0.10
    cd_rel_sigma = 0.10
    parachute_cd_area_m2 = 1.2         # Cd·A of an attached parachute, m² (0: none)
    casualty_area_m2 = 4.0             # optional override of (0.6 m + √A)²
    impact_mode = "slide"              # optional: "fall" (default) or "slide" (heavy pieces)
    friction_coefficient = 0.4         # μ of the slide on the ground (needed for "slide")
    restitution = 1.0                  # optional: e, the slide starts at e·v_h (default 1)

Presets ship with the package in ``skywarden/data/payloads/*.toml`` (``radiosonde``,
``heavy-gondola``) and are loaded by name; every value can be overridden by writing a file.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, ParseError, ValidationError

__all__ = ["IMPACT_MODES", "FragmentClass", "Payload", "load_payload", "payload_presets", "slide_area_m2"]

PERSON_SIDE_M = 0.6
"""Side of the square standing for a person in plan view (0.6 m × 0.6 m = 0.36 m², a person's
projected area; *not* a radius): the vertical casualty area is (0.6 m + √A)², the square of
side 0.6 m + √A swept by a square piece of area A (RCC 321 / NASA-STD-8719.14 form)."""
PERSON_RADIUS_M = PERSON_SIDE_M
"""Old name of :data:`PERSON_SIDE_M` (kept for callers; the value is a side, not a radius)."""
PERSON_HEIGHT_M = 1.8
"""Height of a standing person for the impact-angle term of the casualty area (≈ 6 ft, RCC 321)."""


def impact_angle_area_m2(
    vertical_area_m2: Any,
    v_horizontal_m_s: Any,
    v_vertical_m_s: Any,
    person_height_m: float = PERSON_HEIGHT_M,
) -> np.ndarray:
    """A_c,v + √A_c,v · h_p · v_h / v_v (see :mod:`skywarden.hazard.casualty`); ``v_vertical_m_s`` is the
    downward speed (floored at 0.1 m/s), ``v_horizontal_m_s`` the ground-relative horizontal speed."""
    av = np.asarray(vertical_area_m2, dtype=np.float64)
    vh = np.abs(np.asarray(v_horizontal_m_s, dtype=np.float64))
    vv = np.maximum(np.abs(np.asarray(v_vertical_m_s, dtype=np.float64)), 0.1)
    return np.asarray(av + np.sqrt(av) * person_height_m * vh / vv)


G0_M_S2 = 9.80665
"""Standard gravity, m/s² (CGPM 1901), for the slide distance."""
IMPACT_MODES = ("fall", "slide")
"""``fall``: the piece stops where it lands; ``slide``: it slides on after impact (see
:func:`slide_area_m2`)."""


def slide_area_m2(
    vertical_area_m2: Any, v_horizontal_m_s: Any, friction_coefficient: Any, restitution: Any = 1.0
) -> np.ndarray:
    """Extra casualty area of a piece that slides after impact: √A_c,v · (e·v_h)² / (2 μ g).

    The slide area is the swath width across the motion times the slide distance. Range
    Commanders Council, *Range Safety Criteria for Unmanned Air Vehicles — Rationale and
    Methodology Supplement* (supplement to RCC 323-99), p. D-4: width (W + 2 r_p), distance
    v_h² / (2 μ g) — a slide decelerated by Coulomb friction μ·g from the horizontal impact speed;
    Montgomery & Ward, *Casualty Areas from Impacting Inert Debris for People in the Open*,
    RTI/5180/60-31F (1995), p. 6: the same with the slide starting at e·v_h (coefficient of
    restitution e). The width is the square form's √A_c,v = 0.6 m + √A_f, as in the
    impact-angle term. Arrays broadcast.
    """
    av = np.asarray(vertical_area_m2, dtype=np.float64)
    v = np.asarray(restitution, dtype=np.float64) * np.abs(np.asarray(v_horizontal_m_s, dtype=np.float64))
    mu = np.asarray(friction_coefficient, dtype=np.float64)
    return np.asarray(np.sqrt(av) * v * v / (2.0 * mu * G0_M_S2))


_FRAGMENT_KEYS = {
    "name", "count", "mass_kg", "area_m2", "cd", "ballistic_coefficient_kg_m2", "mass_rel_sigma",
    "area_rel_sigma", "cd_rel_sigma", "parachute_cd_area_m2", "casualty_area_m2", "impact_mode",
    "friction_coefficient", "restitution",
}  # fmt: skip
_UNCERTAINTY_KEYS = {"release_alt_sigma_m", "release_horizontal_sigma_m", "wind_sigma_m_s"}


def _check(name: str, value: float, *, positive: bool = True) -> None:
    ok = math.isfinite(value) and (value > 0 if positive else value >= 0)
    if not ok:
        rule = "a positive number" if positive else "a number ≥ 0"
        raise ValidationError(f"{name} must be {rule}; got {value!r}")


@dataclass(frozen=True)
class FragmentClass:
    """One kind of falling piece.

    Attributes:
        name: label used in outputs.
        count: how many identical pieces of this class fall (≥ 1).
        mass_kg: mass of one piece, kg.
        area_m2: reference area of one piece, m² (drag reference and impact footprint).
        cd: drag coefficient of the piece (dimensionless).
        mass_rel_sigma, area_rel_sigma, cd_rel_sigma: relative 1σ spreads for the Monte Carlo.
        parachute_cd_area_m2: drag area Cd·A of a parachute carried by the piece, m² (0: none).
        casualty_area_m2: casualty area of one piece, m²; None → (0.6 m + √area_m2)².
        impact_mode: ``"fall"`` (default) or ``"slide"``: a heavy piece that slides on after
            impact adds :func:`slide_area_m2` per sample.
        friction_coefficient: μ of the slide (required for ``"slide"``; e.g. steel on soil 0.4,
            aluminium on concrete 0.4, glass fibre on grass 0.15 in the JARUS CasEx guidance table).
        restitution: e in (0, 1]: the slide starts at e·v_h (1: the RCC form).
    """

    name: str
    mass_kg: float
    area_m2: float
    cd: float = 1.0
    count: int = 1
    mass_rel_sigma: float = 0.0
    area_rel_sigma: float = 0.0
    cd_rel_sigma: float = 0.0
    parachute_cd_area_m2: float = 0.0
    casualty_area_m2: float | None = None
    impact_mode: str = "fall"
    friction_coefficient: float | None = None
    restitution: float = 1.0

    def __post_init__(self) -> None:
        if self.impact_mode not in IMPACT_MODES:
            raise ValidationError(
                f"fragment {self.name!r}: impact_mode must be one of {list(IMPACT_MODES)}; got {self.impact_mode!r}"
            )
        if self.impact_mode == "slide" and self.friction_coefficient is None:
            raise ValidationError(
                f"fragment {self.name!r}: impact_mode 'slide' needs friction_coefficient (μ, e.g. 0.4)"
            )
        if self.friction_coefficient is not None:
            _check(f"fragment {self.name!r}: friction_coefficient", self.friction_coefficient)
        if not (math.isfinite(self.restitution) and 0.0 < self.restitution <= 1.0):
            raise ValidationError(
                f"fragment {self.name!r}: restitution must lie in (0, 1]; got {self.restitution!r}"
            )
        _check(f"fragment {self.name!r}: mass_kg", self.mass_kg)
        _check(f"fragment {self.name!r}: area_m2", self.area_m2)
        _check(f"fragment {self.name!r}: cd", self.cd)
        if not (isinstance(self.count, int) and self.count >= 1):
            raise ValidationError(f"fragment {self.name!r}: count must be an integer ≥ 1; got {self.count!r}")
        for key in ("mass_rel_sigma", "area_rel_sigma", "cd_rel_sigma", "parachute_cd_area_m2"):
            _check(f"fragment {self.name!r}: {key}", float(getattr(self, key)), positive=False)
        if self.casualty_area_m2 is not None:
            _check(f"fragment {self.name!r}: casualty_area_m2", self.casualty_area_m2)

    @property
    def drag_area_m2(self) -> float:
        """Total nominal Cd·A of the piece and its parachute, m²."""
        return self.cd * self.area_m2 + self.parachute_cd_area_m2

    @property
    def ballistic_coefficient_kg_m2(self) -> float:
        """m / (Cd·A) of the piece with its parachute, kg/m²."""
        return self.mass_kg / self.drag_area_m2

    @property
    def nominal_casualty_area_m2(self) -> float:
        """Vertical-impact casualty area of one piece, m²: the override or (0.6 m + √A)² (the
        impact-angle term is added per sample by the dispersion, from the impact velocity)."""
        if self.casualty_area_m2 is not None:
            return self.casualty_area_m2
        return (PERSON_SIDE_M + math.sqrt(self.area_m2)) ** 2

    def terminal_speed_m_s(self, density_kg_m3: float, g_m_s2: float = 9.80665) -> float:
        """Terminal fall speed in still air of the given density, m/s: √(2 m g / (ρ Cd A))."""
        return math.sqrt(2.0 * self.mass_kg * g_m_s2 / (density_kg_m3 * self.drag_area_m2))

    def sample(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``n`` Monte Carlo draws: ``mass_kg``, ``area_m2``, ``cd_area_m2`` (with parachute) and
        ``casualty_area_m2``. Relative spreads are log-normal so values stay positive; the
        first draw is the nominal piece."""

        def draw(nominal: float, rel: float) -> np.ndarray:
            out = np.full(n, float(nominal))
            if rel > 0 and n > 1:
                s = math.sqrt(math.log1p(rel * rel))
                out[1:] *= np.exp(rng.normal(-0.5 * s * s, s, n - 1))
            return out

        mass = draw(self.mass_kg, self.mass_rel_sigma)
        area = draw(self.area_m2, self.area_rel_sigma)
        cd = draw(self.cd, self.cd_rel_sigma)
        chute = draw(self.parachute_cd_area_m2, self.cd_rel_sigma) if self.parachute_cd_area_m2 > 0 else 0.0
        if self.casualty_area_m2 is not None:
            casualty = np.full(n, self.casualty_area_m2)
        else:
            casualty = (PERSON_SIDE_M + np.sqrt(area)) ** 2
        return {
            "mass_kg": mass,
            "area_m2": area,
            "cd_area_m2": cd * area + chute,
            "casualty_area_m2": casualty,
        }


@dataclass(frozen=True)
class Payload:
    """Everything that falls, with the uncertainties of the release and the wind.

    Attributes:
        name: payload name (preset name or file stem).
        fragments: the fragment classes.
        description: free text (provenance of the numbers).
        release_alt_sigma_m: 1σ of the release altitude, m.
        release_horizontal_sigma_m: 1σ of the release position, each horizontal axis, m.
        wind_sigma_m_s: 1σ of a wind error, each horizontal axis, constant over one fall, m/s.
        source: file or preset the payload came from.
    """

    name: str
    fragments: tuple[FragmentClass, ...]
    description: str = ""
    release_alt_sigma_m: float = 0.0
    release_horizontal_sigma_m: float = 0.0
    wind_sigma_m_s: float = 0.0
    source: str = "in-memory"

    def __post_init__(self) -> None:
        if not self.fragments:
            raise ValidationError(f"payload {self.name!r} has no fragments")
        for key in ("release_alt_sigma_m", "release_horizontal_sigma_m", "wind_sigma_m_s"):
            _check(f"payload {self.name!r}: {key}", float(getattr(self, key)), positive=False)

    @property
    def n_pieces(self) -> int:
        """Total number of falling pieces."""
        return sum(f.count for f in self.fragments)

    @property
    def total_casualty_area_m2(self) -> float:
        """Σ count × casualty area, m² (the E_c per unit population density)."""
        return sum(f.count * f.nominal_casualty_area_m2 for f in self.fragments)

    def describe(self) -> dict[str, Any]:
        """The payload's settings for the assumptions block of every output."""
        return {
            "name": self.name,
            "source": self.source,
            "description": self.description,
            "pieces": self.n_pieces,
            "total_casualty_area_m2": round(self.total_casualty_area_m2, 3),
            "release_alt_sigma_m": self.release_alt_sigma_m,
            "release_horizontal_sigma_m": self.release_horizontal_sigma_m,
            "wind_sigma_m_s": self.wind_sigma_m_s,
            "fragments": [asdict(f) for f in self.fragments],
        }


# --------------------------------------------------------------------- loading
def payload_presets() -> list[str]:
    """Names of the payload presets shipped with the package."""
    folder = resources.files("skywarden") / "data" / "payloads"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _number(value: Any, path: str, field_name: str, line: int | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(
            "not a number",
            path=path,
            line=line,
            field=field_name,
            expected="a number, e.g. 1.5",
            got=repr(value),
        )
    return float(value)


def _fragment(raw: Any, path: str, index: int) -> FragmentClass:
    where = f"fragment[{index}]"
    if not isinstance(raw, Mapping):
        raise ParseError("each [[fragment]] must be a table", path=path, field=where, got=repr(raw))
    unknown = set(raw) - _FRAGMENT_KEYS
    if unknown:
        raise ParseError(
            f"unknown key(s) {sorted(unknown)}",
            path=path,
            field=where,
            expected=f"keys among {sorted(_FRAGMENT_KEYS)}",
        )
    for key in ("mass_kg", "area_m2"):
        if key not in raw:
            raise ParseError(
                f"missing {key}", path=path, field=f"{where}.{key}", expected="a positive number"
            )
    values: dict[str, Any] = {"name": str(raw.get("name", f"fragment {index + 1}"))}
    if "impact_mode" in raw:
        values["impact_mode"] = raw["impact_mode"]
    if "impact_mode" in raw:
        if raw["impact_mode"] not in IMPACT_MODES:
            raise ParseError(
                "unknown impact_mode", path=path, field=f"{where}.impact_mode",
                expected=" or ".join(repr(m) for m in IMPACT_MODES), got=repr(raw["impact_mode"]),
            )  # fmt: skip
        if raw["impact_mode"] == "slide" and "friction_coefficient" not in raw:
            raise ParseError(
                "impact_mode 'slide' needs friction_coefficient", path=path,
                field=f"{where}.friction_coefficient", expected="a positive number such as 0.4",
            )  # fmt: skip
    for key in _FRAGMENT_KEYS - {"name", "count", "ballistic_coefficient_kg_m2", "impact_mode"}:
        if key in raw:
            values[key] = _number(raw[key], path, f"{where}.{key}")
    count = raw.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int):
        raise ParseError("count must be an integer", path=path, field=f"{where}.count", got=repr(count))
    values["count"] = count
    if "ballistic_coefficient_kg_m2" in raw:
        if "cd" in raw:
            raise ParseError(
                "give cd or ballistic_coefficient_kg_m2, not both", path=path, field=f"{where}.cd"
            )
        beta = _number(raw["ballistic_coefficient_kg_m2"], path, f"{where}.ballistic_coefficient_kg_m2")
        _check(f"{where}.ballistic_coefficient_kg_m2", beta)
        values["cd"] = values["mass_kg"] / (beta * values["area_m2"])
    return FragmentClass(**values)


def payload_from_mapping(data: Mapping[str, Any], *, name: str, source: str) -> Payload:
    """Build a :class:`Payload` from the parsed TOML/JSON mapping (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise ParseError("a payload file must hold a table/object", path=source, got=type(data).__name__)
    raw_fragments = data.get("fragment", data.get("fragments"))
    if not isinstance(raw_fragments, list) or not raw_fragments:
        raise ParseError(
            "no fragments", path=source, field="fragment", expected="one or more [[fragment]] tables"
        )
    unc = data.get("uncertainty", {})
    if not isinstance(unc, Mapping) or set(unc) - _UNCERTAINTY_KEYS:
        raise ParseError(
            "bad [uncertainty] table",
            path=source,
            field="uncertainty",
            expected=f"keys among {sorted(_UNCERTAINTY_KEYS)}",
        )
    kwargs: dict[str, Any] = {k: _number(v, source, f"uncertainty.{k}") for k, v in unc.items()}
    try:
        return Payload(
            name=str(data.get("name", name)),
            description=str(data.get("description", "")),
            fragments=tuple(_fragment(f, source, i) for i, f in enumerate(raw_fragments)),
            source=source,
            **kwargs,
        )
    except ValidationError as exc:
        raise ValidationError(f"{source}: {exc}") from None


def _parse_text(text: str, source: str, is_json: bool) -> Any:
    try:
        return json.loads(text) if is_json else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, path=source, line=exc.lineno, expected="a JSON object (payload)") from None
    except tomllib.TOMLDecodeError as exc:
        line = None
        msg = str(exc)
        if "(at line " in msg:
            try:
                line = int(msg.rsplit("(at line ", 1)[1].split(",")[0])
            except ValueError:
                line = None
        raise ParseError(
            msg, path=source, line=line, expected="TOML payload (see skywarden.hazard.fragments)"
        ) from None


def load_payload(spec: str | Path | Payload) -> Payload:
    """A payload from a preset name (``radiosonde``, ``heavy-gondola``), a TOML/JSON file or a Payload."""
    if isinstance(spec, Payload):
        return spec
    text_spec = str(spec)
    if text_spec in payload_presets():
        res = resources.files("skywarden") / "data" / "payloads" / f"{text_spec}.toml"
        data = _parse_text(res.read_text(encoding="utf-8"), f"preset:{text_spec}", False)
        return payload_from_mapping(data, name=text_spec, source=f"preset:{text_spec}")
    path = Path(spec)
    if not path.is_file():
        raise NotFoundError(
            f"payload {text_spec!r} is neither a preset ({', '.join(payload_presets())}) nor an existing file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParseError("not a UTF-8 text file", path=path, expected="a TOML or JSON payload") from None
    data = _parse_text(text, str(path), path.suffix.lower() == ".json")
    return payload_from_mapping(data, name=path.stem, source=str(path))
