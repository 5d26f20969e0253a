"""Watch rules and their evaluation, independent of HTTP and of the database.

A watch is ``{"kind": …, "params": {…}}``; the four kinds and their parameters:

``overflight``  ``{"site", "imager": {"kind", "max_gsd_m"}, "lead_h"}``: an imaging satellite
                whose sensor matches will be over site S within ``lead_h`` hours
                (:func:`skywarden.access_windows` on the newest catalog). One firing per pass.
``zone_entry``  ``{"track", "zone", "probability", "hours", "ensemble"}``: track T, predicted
                from its last fix (:func:`skywarden.flight.predict_from_track` with a wind
                ensemble) enters zone Z (:func:`skywarden.zone_entry_probability`) with a
                probability ≥ p. The prediction is redone when the track's reports or the winds
                change (its cache key holds both versions). One firing per (track, zone).
``new_object``  ``{"region"?}``: reports arrived that no existing track explains, i.e. a track
                whose first report came in a batch after the watch was made (``after_batch_id``)
                or that the tracker flagged ``new_object`` (optionally only inside a GeoJSON
                ``region``). One firing per track.
``conjunction`` ``{"norad_id", "pc_threshold", "hours", "threshold_km"}``: a screened event
                (:func:`skywarden.screen` with ``targets=[N]``) has Pc ≥ threshold. One firing per
                (pair, TCA to the minute).

:class:`WatchEvaluator` evaluates many watches against one :class:`Snapshot` of the inputs.
Expensive intermediate results (wind fields, predictions, access windows, screens) are cached
under keys that include the versions of their inputs, so evaluating 1,000 watches that share a
few tracks costs a few predictions plus 1,000 cheap checks (``bench/bench_watches.py``). A
:class:`Firing` carries an ``event_key``; the store keeps one alert per ``(watch, event_key)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "WATCH_PARAMS",
    "Firing",
    "Snapshot",
    "TrackInfo",
    "WatchEvaluator",
    "WatchRule",
    "validate_watch",
]

log = logging.getLogger(__name__)


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Imager(_Params):
    kind: Literal["optical", "sar", "ir", "all"] = "all"
    max_gsd_m: float | None = Field(default=None, gt=0)


class OverflightParams(_Params):
    site: int = Field(ge=1, le=2**31 - 1, description="A site id from POST /sites.")
    imager: Imager = Imager()
    lead_h: float = Field(default=24.0, gt=0, le=240)


class ZoneEntryParams(_Params):
    track: str | int = Field(description="A track id (the reports' object id).")
    winds: list[int] = Field(default=[], max_length=16, description="Wind ids; default the newest.")
    zone: str | int = Field(description="A zone id from GET /zones (built-in ADIZ ids too).")

    @field_validator("track", "zone")
    @classmethod
    def _short(cls, value: str | int) -> str | int:
        if len(str(value)) > 200:
            raise ValueError("at most 200 characters")
        return value

    @field_validator("winds")
    @classmethod
    def _ids(cls, value: list[int]) -> list[int]:
        if any(not 1 <= w <= 2**31 - 1 for w in value):
            raise ValueError("wind ids are positive integers")
        return value

    probability: float = Field(default=0.5, ge=0, le=1)
    hours: float = Field(default=48.0, gt=0, le=240)
    ensemble: int = Field(default=20, ge=1, le=500)
    wind_sigma_m_s: float = Field(default=2.0, ge=0, le=50)
    seed: int = 0


class NewObjectParams(_Params):
    region: dict[str, Any] | None = Field(default=None, description="GeoJSON polygon; default anywhere.")

    @field_validator("region")
    @classmethod
    def _polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        from shapely.geometry import shape

        geom = value.get("geometry", value) if value.get("type") == "Feature" else value
        try:
            g = shape(geom)
        except Exception as exc:
            raise ValueError(f"not a GeoJSON geometry ({exc})") from None
        if g.geom_type not in ("Polygon", "MultiPolygon") or not g.is_valid:
            raise ValueError(f"expected a valid GeoJSON Polygon or MultiPolygon, got {g.geom_type}")
        return value

    after_batch_id: int = Field(
        default=0,
        ge=0,
        description="Only tracks first seen after this report batch (default: set at creation).",
    )


class ConjunctionParams(_Params):
    norad_id: int = Field(ge=1, le=999_999_999)
    pc_threshold: float = Field(default=1e-4, ge=0, le=1)
    hours: float = Field(default=24.0, gt=0, le=168)
    threshold_km: float = Field(default=5.0, gt=0, le=100)


WATCH_PARAMS: dict[str, type[_Params]] = {
    "overflight": OverflightParams,
    "zone_entry": ZoneEntryParams,
    "new_object": NewObjectParams,
    "conjunction": ConjunctionParams,
}


def validate_watch(kind: str, params: dict[str, Any]) -> _Params:
    """Parse ``params`` for a watch ``kind`` (pydantic ValidationError; OptionError for the kind)."""
    from ..errors import OptionError

    if kind not in WATCH_PARAMS:
        raise OptionError("kind", kind, list(WATCH_PARAMS))
    return WATCH_PARAMS[kind].model_validate(params)


@dataclass
class WatchRule:
    id: int
    kind: str
    params: dict[str, Any]


@dataclass
class Firing:
    """One event a watch found; ``event_key`` is unique per watch (deduplication key)."""

    watch_id: int
    kind: str
    event_key: str
    summary: str
    details: dict[str, Any]


@dataclass
class TrackInfo:
    """A stored track: ``version`` changes whenever its reports change; ``track`` is a
    :class:`skywarden.Track` (or None when it cannot be rebuilt); ``new_object`` marks a track
    that the tracker opened because no existing track explained its reports."""

    id: str
    version: str
    track: Any
    new_object: bool = False
    first_batch_id: int = 0
    first_time: datetime | None = None
    last_lat_deg: float | None = None
    last_lon_deg: float | None = None


@dataclass
class Snapshot:
    """The inputs one evaluation round sees. Resolvers are called lazily, once per key."""

    now: datetime
    tracks: dict[str, TrackInfo] = field(default_factory=dict)
    winds_version: str | None = None
    wind_paths: list[str] = field(default_factory=list)
    catalog_version: str | None = None
    catalog_path: str | None = None
    zone: Callable[[str], Any] = lambda zone_id: None
    site: Callable[[str], Any] = lambda site_id: None


class WatchEvaluator:
    """Evaluate watch rules against snapshots, caching expensive intermediate results."""

    def __init__(self, *, max_cache: int = 256, max_small: int = 20_000) -> None:
        self.max_cache = max_cache  # large items (wind fields, predictions, catalogs, screens)
        self.max_small = max_small  # small items (entry statistics)
        self._caches: dict[str, dict[tuple[Any, ...], Any]] = {}
        self.computed: dict[str, int] = {"winds": 0, "prediction": 0, "access": 0, "screen": 0, "catalog": 0}
        self._fired: set[tuple[int, str]] = set()

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        cache = self._caches.setdefault(key[0], {})
        if key in cache:
            return cache[key]
        if len(cache) >= (self.max_small if key[0] in ("entry", "bound") else self.max_cache):
            cache.pop(next(iter(cache)))  # oldest first
        value = make()
        self.computed[key[0]] = self.computed.get(key[0], 0) + 1
        cache[key] = value
        return value

    def evaluate(
        self, rules: Iterable[WatchRule], snap: Snapshot, fired: set[tuple[int, str]] | None = None
    ) -> list[Firing]:
        """All firings of ``rules`` on ``snap``; a rule that cannot be evaluated (a missing
        input, bad data) is logged and skipped, never stops the others. ``fired``: the
        ``(watch id, event key)`` pairs already stored; a zone entry that has fired is not
        computed again (it could only be de-duplicated away)."""
        self._fired = fired or set()
        out: list[Firing] = []
        for rule in rules:
            try:
                params = validate_watch(rule.kind, rule.params)
                out.extend(getattr(self, f"_{rule.kind}")(rule, params, snap))
            except Exception as exc:
                log.warning("watch %s (%s) not evaluated: %s", rule.id, rule.kind, exc)
        return out

    # -- inputs -------------------------------------------------------------------------------
    def _winds(self, snap: Snapshot) -> Any:
        import skywarden as sw

        if not snap.wind_paths:
            return None
        return self._cached(("winds", snap.winds_version), lambda: sw.load_winds(list(snap.wind_paths)))

    def _catalog(self, snap: Snapshot) -> Any:
        import skywarden as sw

        path = snap.catalog_path
        if path is None:
            return None
        return self._cached(("catalog", snap.catalog_version), lambda: sw.load_catalog(path))

    # -- kinds --------------------------------------------------------------------------------
    def _zone_entry(self, rule: WatchRule, p: ZoneEntryParams, snap: Snapshot) -> list[Firing]:
        import skywarden as sw
        from skywarden.flight import predict_from_track

        info = snap.tracks.get(str(p.track))
        if info is None or (rule.id, f"track:{info.id}:zone:{p.zone}") in self._fired:
            return []
        zone = snap.zone(str(p.zone))
        winds = self._winds(snap)
        if info.track is None or zone is None or winds is None:
            return []
        settings = sw.EnsembleSettings(members=p.ensemble, wind_sigma_m_s=p.wind_sigma_m_s, seed=p.seed)
        key = (
            "prediction",
            info.id,
            info.version,
            snap.winds_version,
            p.hours,
            p.ensemble,
            p.wind_sigma_m_s,
            p.seed,
        )
        pred = self._cached(
            key,
            lambda: predict_from_track(winds, info.track, hours=p.hours, ensemble=settings, outside="stop"),
        )
        # upper bound first: the fraction of members whose horizontal path touches the zone
        bound = self._cached(("bound", key, str(p.zone)), lambda: _entry_bound(zone, pred))
        if bound < p.probability or bound == 0.0:
            return []
        stats = self._cached(("entry", key, str(p.zone)), lambda: _entry_stats(sw, zone, pred))
        if stats.probability < p.probability or stats.probability == 0.0:
            return []
        return [
            Firing(
                rule.id, rule.kind, f"track:{info.id}:zone:{p.zone}",
                f"track {info.id} enters {stats.zone_name} with probability {stats.probability:.2f}",
                {"track": info.id, "zone": str(p.zone), "track_version": info.version,
                 "winds_version": snap.winds_version, **stats.to_dict()},
            )
        ]  # fmt: skip

    def _new_object(self, rule: WatchRule, p: NewObjectParams, snap: Snapshot) -> list[Firing]:
        region = None
        if p.region is not None:
            from shapely.geometry import Point, shape

            geom = p.region.get("geometry", p.region) if p.region.get("type") == "Feature" else p.region
            region = shape(geom)
        out = []
        for info in snap.tracks.values():
            if not (info.new_object or info.first_batch_id > p.after_batch_id):
                continue
            if region is not None and (
                info.last_lat_deg is None
                or not region.intersects(Point(info.last_lon_deg, info.last_lat_deg))
            ):
                continue
            out.append(Firing(rule.id, rule.kind, f"track:{info.id}",
                              f"new object: reports no existing track explains (track {info.id})",
                              {"track": info.id, "first_time": info.first_time,
                               "lat_deg": info.last_lat_deg, "lon_deg": info.last_lon_deg}))  # fmt: skip
        return out

    def _overflight(self, rule: WatchRule, p: OverflightParams, snap: Snapshot) -> list[Firing]:
        import skywarden as sw

        site = snap.site(str(p.site))
        cat = self._catalog(snap)
        if site is None or cat is None:
            return []
        hour = snap.now.replace(minute=0, second=0, microsecond=0)
        key = ("access", snap.catalog_version, str(p.site), p.imager.kind, p.imager.max_gsd_m, p.lead_h, hour)
        windows = self._cached(
            key,
            lambda: sw.access_windows(
                cat, site, hour, f"{p.lead_h + 1}h", kind=p.imager.kind, max_gsd_m=p.imager.max_gsd_m
            ),
        )
        end = snap.now + timedelta(hours=p.lead_h)
        out = []
        for w in windows:
            start = _utc(w.start)
            if start < snap.now or start >= end:
                continue
            out.append(Firing(
                rule.id, rule.kind, f"{w.norad_id}:{start:%Y%m%dT%H%M}",
                f"{w.name or w.norad_id} ({w.kind}) over site {p.site} at {sw.isoformat(start)}",
                {"norad_id": w.norad_id, "name": w.name, "sensor_kind": w.kind, "site": str(p.site),
                 "start": w.start, "best": w.best, "end": w.end, "gsd_m": w.gsd_m,
                 "max_elevation_deg": w.max_elevation_deg},
            ))  # fmt: skip
        return out

    def _conjunction(self, rule: WatchRule, p: ConjunctionParams, snap: Snapshot) -> list[Firing]:
        import skywarden as sw

        cat = self._catalog(snap)
        if cat is None:
            return []
        hour = snap.now.replace(minute=0, second=0, microsecond=0)
        key = ("screen", snap.catalog_version, p.norad_id, p.hours, p.threshold_km, hour)
        events = self._cached(
            key, lambda: sw.screen(cat, hour, f"{p.hours}h", p.threshold_km, targets=[p.norad_id])
        )
        out = []
        for e in events:
            if not np.isfinite(e.pc) or e.pc < p.pc_threshold:
                continue
            tca = _utc(e.tca)
            pair = sorted((int(e.primary), int(e.secondary)))
            out.append(Firing(
                rule.id, rule.kind, f"{pair[0]}:{pair[1]}:{tca:%Y%m%dT%H%M}",
                f"conjunction {e.primary}–{e.secondary} at {sw.isoformat(tca)}: Pc {e.pc:.1e}",
                e.to_dict(),
            ))  # fmt: skip
        return out


def _entry_bound(zone: Any, pred: Any) -> float:
    """Upper bound of the entry probability: the fraction of members whose horizontal path
    (sample to sample, longitudes unwrapped and the zone tried at ±360°) intersects the zone's
    outline. Exact as a bound (a member that enters crosses the outline or starts inside); one
    vectorised shapely call per prediction and zone."""
    import shapely

    n = pred.n_members
    lines = []
    for m in range(n):
        ok = np.isfinite(pred.lat_deg[m]) & np.isfinite(pred.lon_deg[m])
        lon = np.degrees(np.unwrap(np.radians(pred.lon_deg[m][ok])))
        lat = pred.lat_deg[m][ok]
        if lon.size == 1:
            lon, lat = np.repeat(lon, 2), np.repeat(lat, 2)
        lines.append(
            shapely.linestrings(np.column_stack([lon, lat])) if lon.size else shapely.points(0.0, 91.0)
        )
    geoms = np.array(lines, dtype=object)
    hit = np.zeros(n, dtype=bool)
    for shift in (0.0, -360.0, 360.0):
        g = zone.geometry if shift == 0.0 else shapely.affinity.translate(zone.geometry, xoff=shift)
        hit |= shapely.intersects(geoms, g)
    return float(hit.mean()) if n else 0.0


def _entry_stats(sw: Any, zone: Any, pred: Any) -> Any:
    """Zone-entry statistics over the members of a prediction (shared time axis; NaN after a
    member ends)."""
    return sw.zone_entry_probability(zone, pred.times, pred.lat_deg, pred.lon_deg, pred.alt_m)


def _utc(value: Any) -> datetime:
    from datetime import UTC

    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[us]").item()
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise TypeError(f"not a time: {value!r}")
