"""Overflight and quiet-window requests as the CLI and the service make them: inputs as given by
a user (a catalog file or object, sites, an optional start, a duration text, filter lists, an
optional UCS table), the windows found, and the JSON-able records ``skywarden overflight --json``
and ``skywarden quiet --json`` print (the same fields the service answers with).

The physics is in :func:`~skywarden.space.overflight.access_windows` and
:func:`~skywarden.space.overflight.quiet_windows`; this module only resolves the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ...errors import InputError, OptionError
from ...timeutil import parse_duration, parse_time, utc_now
from .access import AccessWindow, QuietWindow, Threat, access_windows, quiet_windows
from .sensors import KINDS, SensorTable, load_sensors

__all__ = [
    "KIND_CHOICES",
    "OverflightSearch",
    "QuietSearch",
    "overflight_records",
    "parse_threats",
    "quiet_records",
    "search_overflights",
    "search_quiet",
]

KIND_CHOICES: tuple[str, ...] = (*KINDS, "all")
"""Valid ``kind`` filters: the sensor kinds of :data:`skywarden.space.overflight.sensors.KINDS` and ``all``."""


@dataclass
class OverflightSearch:
    """A resolved overflight request and its access windows (sorted by start)."""

    catalog: Any
    sites: list[Any]
    start: datetime
    end: datetime
    windows: list[AccessWindow] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """The JSON-able records ``skywarden overflight --json`` prints, one per window."""
        return [w.to_dict() for w in self.windows]


@dataclass
class QuietSearch:
    """A resolved quiet-window request: the threat rules, the threat-candidate search, the result."""

    threats: list[Threat]
    overflight: OverflightSearch
    quiet: list[QuietWindow] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """The JSON-able records ``skywarden quiet --json`` prints, one per quiet window."""
        return [q.to_dict() for q in self.quiet]


def _as_list(values: str | Iterable[str] | None) -> list[str]:
    """``"a,b"`` / ``["a", "b,c"]`` → ``["a", "b", "c"]`` (blank parts dropped)."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [p.strip() for v in items for p in str(v).split(",") if p.strip()]


def _kinds(kind: str | Iterable[str] | None) -> list[str]:
    kinds = _as_list(kind) or ["all"]
    for k in kinds:
        if k not in KIND_CHOICES:
            raise OptionError("--kind", k, KIND_CHOICES)
    return kinds


def _norad_ids(ids: str | Iterable[Any] | None) -> list[int] | None:
    if ids is None:
        return None
    items = _as_list([str(i) for i in ([ids] if isinstance(ids, str | int) else ids)])
    if not items:
        return None
    try:
        return [int(i) for i in items]
    except ValueError:
        raise OptionError("--ids", ids, ["comma-separated NORAD numbers, e.g. 40115,25544"]) from None


def _metadata(ucs: Any) -> Mapping[int, Mapping[str, Any]] | None:
    if ucs is None or isinstance(ucs, Mapping):
        return ucs
    from ..catalog.metadata import ucs_metadata

    return ucs_metadata(ucs)


def search_overflights(
    catalog: Any,
    sites: Any,
    start: Any = None,
    duration: Any = "24h",
    *,
    kind: str | Iterable[str] | None = None,
    max_gsd_m: float | None = None,
    min_elevation_deg: float | None = None,
    norad_ids: str | Iterable[Any] | None = None,
    countries: str | Iterable[str] | None = None,
    operators: str | Iterable[str] | None = None,
    sensors: str | Path | SensorTable | None = None,
    ucs: Any = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    access: Callable[..., Any] | None = None,
) -> OverflightSearch:
    """Access windows for a user request (the ``skywarden overflight`` inputs).

    ``catalog`` is a path (TLE/3LE/OMM, :func:`~skywarden.space.catalog.load_catalog`) or a
    loaded catalog; ``sites`` one :class:`~skywarden.sites.Site` or several (at least one);
    ``start`` None means now (whole seconds); ``kind``, ``norad_ids``, ``countries`` and
    ``operators`` take lists or comma-separated text; ``sensors`` a CSV path or table (default the
    shipped one); ``ucs`` the UCS database (path, :func:`~skywarden.space.catalog.metadata.load_ucs`
    table or ``{norad_id: {...}}``). Bad choices raise :class:`~skywarden.errors.OptionError`
    listing the valid ones. Warnings (stale elements, SGP4 failures) are emitted, not printed.
    ``access`` replaces :func:`access_windows` by a function with its signature (the ``--dask``
    option passes :func:`skywarden.scale.access_windows` bound to a cluster).
    """
    from ..catalog.catalog import load_catalog

    site_list = [sites] if not isinstance(sites, Sequence) else list(sites)
    if not site_list:
        raise InputError("give at least one site: --site LAT,LON[,ALT_M] or --sites FILE")
    t0 = parse_time(start) if start is not None else utc_now().replace(microsecond=0)
    span = parse_duration(duration)
    kinds = _kinds(kind)
    ids = _norad_ids(norad_ids)
    metadata = _metadata(ucs)
    cat = load_catalog(catalog) if isinstance(catalog, str | Path) else catalog
    table = (
        sensors
        if isinstance(sensors, SensorTable)
        else (load_sensors(sensors) if sensors else load_sensors())
    )
    windows = (access or access_windows)(
        cat, site_list, t0, span, sensors=table, kind=kinds, max_gsd_m=max_gsd_m,
        min_elevation_deg=min_elevation_deg, norad_ids=ids, countries=_as_list(countries) or None,
        operators=_as_list(operators) or None, metadata=metadata, force=force, progress=progress,
    )  # fmt: skip
    return OverflightSearch(cat, site_list, t0, t0 + span, windows)


def overflight_records(
    catalog: Any, sites: Any, start: Any = None, duration: Any = "24h", **options: Any
) -> list[dict[str, Any]]:
    """The records ``skywarden overflight --json`` prints for this request (see :func:`search_overflights`)."""
    return search_overflights(catalog, sites, start, duration, **options).records()


def parse_threats(
    specs: str | Iterable[str] | None = None,
    *,
    kind: str | Iterable[str] | None = None,
    max_gsd_m: float | None = None,
    any_light: bool = False,
) -> list[Threat]:
    """Threat rules from ``KIND[:MAX_GSD_M]`` texts (``"optical:1.0"``, ``"sar"``).

    Without specs, one rule per ``kind`` (default ``all``) with ``max_gsd_m``. Optical rules
    count only in daylight unless ``any_light``.
    """
    rules = []
    for spec in _as_list(specs):
        k, _, g = spec.partition(":")
        try:
            rules.append(
                Threat(kind=k.strip(), max_gsd_m=float(g) if g else None, daylight_only=not any_light)
            )
        except ValueError:
            raise OptionError("--threat", spec, ["KIND[:MAX_GSD_M], e.g. optical:1.0 or sar"]) from None
    if not rules:
        rules = [
            Threat(kind=k, max_gsd_m=max_gsd_m, daylight_only=not any_light)
            for k in (_as_list(kind) or ["all"])
        ]
    return rules


def search_quiet(
    catalog: Any,
    sites: Any,
    start: Any = None,
    duration: Any = "24h",
    threats: str | Iterable[str] | Sequence[Threat] | None = None,
    *,
    kind: str | Iterable[str] | None = None,
    max_gsd_m: float | None = None,
    any_light: bool = False,
    min_duration: Any = "0s",
    **options: Any,
) -> QuietSearch:
    """Quiet windows for a user request (the ``skywarden quiet`` inputs).

    ``threats`` are :class:`~skywarden.space.overflight.Threat` rules or their texts
    (:func:`parse_threats`; default from ``kind``/``max_gsd_m``). The candidate windows are
    searched for every kind the rules name (no GSD filter: each rule applies its own);
    ``options`` go to :func:`search_overflights` (ids, countries, operators, sensors, ucs, force,
    progress).
    """
    items: list[Any] = [threats] if isinstance(threats, str | Threat) else list(threats or [])
    rules: list[Threat] = [t for t in items if isinstance(t, Threat)]
    if not items or len(rules) < len(items):
        rules = parse_threats([str(t) for t in items], kind=kind, max_gsd_m=max_gsd_m, any_light=any_light)
    kinds = sorted({r.kind for r in rules})
    search = search_overflights(catalog, sites, start, duration, kind=kinds, **options)
    quiet = quiet_windows(
        search.windows, search.sites, search.start, search.end, rules, min_duration=min_duration
    )
    return QuietSearch(rules, search, quiet)


def quiet_records(
    catalog: Any, sites: Any, start: Any = None, duration: Any = "24h", **options: Any
) -> list[dict[str, Any]]:
    """The records ``skywarden quiet --json`` prints for this request (see :func:`search_quiet`)."""
    return search_quiet(catalog, sites, start, duration, **options).records()
