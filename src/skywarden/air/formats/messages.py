"""Radio message readers: raw APRS position packets (aprslib) and ADS-B / Mode S (pyModeS).

APRS: one TNC2 packet per line (``CALL>APRS,PATH:!4903.50N/07201.75W...``), optionally after a
receive time (``2023-04-22T14:35:35Z``, ``2023-04-22 14:35:35 UTC:`` as aprs.fi writes, or
Unix seconds). Without a receive time the packet's own ``HHMMSSh`` / ``DDHHMMz`` timestamp is
used on the ``date=`` day. Altitude comes from the ``/A=`` comment (feet, converted to metres
by aprslib; GNSS); course/speed become an East/North velocity; the symbol (table + code, e.g.
``/O`` balloon, ``/g`` glider, ``/X`` helicopter) goes to ``category``. Packets that are not positions
(status, messages, telemetry) are listed as rejected with the reason.

Identity: the object id is the sender's callsign, unless the comment names the flight
(:func:`flight_in_comment`: ``Flight: NBP3`` / ``flight=…``, a designation such as
``EOSS-340``, or another station's callsign-SSID such as ``KC0D-11``). Balloon flights often fly
two trackers under different callsigns that name the same flight, and one callsign is reused
flight after flight: the flight name is the object. A sender's packets that name no flight
(comments often alternate) take the flight its previous packet named (before the first, the
first one it names).

ADS-B: one message per line as ``time,hex`` (or ``time hex``), the time ISO 8601 or Unix
seconds. pyModeS's batch decoder pairs even/odd CPR frames per aircraft; each airborne
position becomes a report with the ICAO address as id. Altitude: type codes 20-22 carry GNSS
height (``gps``); the barometric altitude of type codes 9-18 is a pressure altitude, which is the
geometric altitude only in the ISA standard atmosphere. Where the same aircraft's
airborne-velocity messages (type code 19) carry the GNSS-minus-baro difference, the nearest one
within :data:`GEO_DIFF_MATCH_S` is added and the datum becomes ``gps``; otherwise the altitude
stays the pressure altitude with datum ``pressure`` (the ISA assumption, and a larger vertical
measurement error in the tracker). The emitter category of identification messages (type codes
1-4, e.g. ``A7`` rotorcraft, ``B2`` lighter-than-air, ``B1`` glider) goes to ``category`` for
every report of that aircraft. Airborne-velocity messages
over ground (type code 19, subtypes 1–2: ground speed, track, vertical rate) give the
``vel_enu_m_s`` of the same aircraft's position reports within :data:`VELOCITY_MATCH_S`.
CRC failures are rejected.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ReportFormatError
from ..table import Reports
from ._common import RowSink, day_start, epoch_to_datetime64, iso_to_datetime64, parse_date

__all__ = ["flight_in_comment", "read_adsb", "read_aprs"]

_FLIGHT_KEY = re.compile(
    r"\bflight\s*[:=#]?\s*(?P<id>(?=[\w-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9])", re.IGNORECASE
)
_CALL_SSID = re.compile(
    r"(?<![\w-])(?P<id>(?:[A-Z]{1,2}\d{1,2}|\d[A-Z]\d?)[A-Z]{1,4}-(?:1[0-5]|[1-9]))(?![\w-])"
)
_DESIGNATION = re.compile(r"(?<![\w-])(?P<id>[A-Z]{2,8}-\d{2,4}[A-Z]?)(?![\w-])")


def flight_in_comment(comment: str) -> str | None:
    """The flight an APRS comment names, or ``None``. Checked in order: a ``flight`` keyword
    followed by a name (``Flight: NBP3``, ``flight=SHAB12V``); an amateur callsign with SSID
    (ITU prefix, digit, suffix, ``-1`` … ``-15``: ``KC0D-11``); a hyphenated designation of
    capitals and at least two digits (``EOSS-340``, not ``GPS-3``). A keyword name needs a
    letter (``flight 2`` is a count). Names are returned upper-case."""
    for pat in (_FLIGHT_KEY, _CALL_SSID, _DESIGNATION):
        m = pat.search(comment)
        if m:
            return m.group("id").upper()
    return None


def _fill_flights(senders: list[str], named: list[str | None]) -> list[str]:
    """Object ids: the named flight, else the sender's previous (or first) named flight, else
    the sender's callsign."""
    first: dict[str, str] = {}
    for who, name in zip(senders, named, strict=True):
        if name is not None:
            first.setdefault(who, name)
    last: dict[str, str] = {}
    out = []
    for who, name in zip(senders, named, strict=True):
        if name is not None:
            last[who] = name
        out.append(name or last.get(who) or first.get(who) or who)
    return out


_PREFIX = re.compile(
    r"^(?P<t>\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?|\d{9,10}(?:\.\d+)?)"
    r"(?:\s*UTC)?\s*[:,]?\s+(?P<rest>.+)$"
)
_FT = 0.3048  # m per international foot


def _stamp(text: str) -> np.datetime64:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return epoch_to_datetime64(float(text))
    return iso_to_datetime64(text)


def _packet_time(raw_ts: str, date: Any) -> np.datetime64:
    """APRS ``HHMMSSh`` / ``DDHHMMz`` on the ``date`` day (or its month)."""
    if date is None:
        raise ValueError("packet has no receive time and --date was not given")
    day = day_start(parse_date(date))
    if raw_ts.endswith("h"):
        h, m, s = int(raw_ts[0:2]), int(raw_ts[2:4]), int(raw_ts[4:6])
        t = day + timedelta(hours=h, minutes=m, seconds=s)
    elif raw_ts.endswith("z"):
        d, h, m = int(raw_ts[0:2]), int(raw_ts[2:4]), int(raw_ts[4:6])
        t = day.replace(day=d) + timedelta(hours=h, minutes=m)
    else:
        raise ValueError(f"packet timestamp {raw_ts!r} is local time; give a receive time")
    return np.datetime64(t.replace(tzinfo=None), "ns")


def read_aprs(path: Path, text: str, *, date: Any = None, **_: Any) -> Reports:
    """Read raw APRS packets, one per line."""
    import aprslib

    sink = RowSink(path)
    times: list[np.datetime64] = []
    senders: list[str] = []
    named: list[str | None] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            m = _PREFIX.match(line)
            stamp = _stamp(m.group("t")) if m else None
            packet = m.group("rest") if m else line
            try:
                p = aprslib.parse(packet)
            except Exception as exc:  # aprslib raises ParseError / UnknownFormat
                raise ValueError(f"not an APRS packet ({type(exc).__name__}: {exc})") from None
            if "latitude" not in p or "longitude" not in p:
                raise ValueError(f"not a position packet (format {p.get('format', '?')!r})")
            if stamp is None:
                if "raw_timestamp" not in p:
                    raise ValueError("no receive time before the packet and no timestamp inside it")
                stamp = _packet_time(p["raw_timestamp"], date)
            alt = float(p.get("altitude", math.nan))
            vel = [math.nan, math.nan, math.nan]
            if "speed" in p and "course" in p:
                spd = float(p["speed"]) / 3.6  # aprslib gives km/h
                crs = math.radians(float(p["course"]))
                vel[0], vel[1] = spd * math.sin(crs), spd * math.cos(crs)
        except Exception as exc:
            sink.reject(lineno, str(exc))
            continue
        times.append(stamp)
        symbol = f"{p.get('symbol_table', '')}{p.get('symbol', '')}" if p.get("symbol") else ""
        senders.append(p["from"])
        named.append(flight_in_comment(str(p.get("comment", ""))))
        sink.add(
            lat=p["latitude"], lon=p["longitude"], alt=alt, vel=vel, id=p["from"], line=lineno, cat=symbol
        )
    return sink.build(
        np.array(times, dtype="datetime64[ns]"),
        object_id=np.array(_fill_flights(senders, named), dtype=object),
        alt_datum="gps",
        vel_enu_m_s=np.array(sink.rows.get("vel", []), dtype=np.float64).reshape(-1, 3),
        source=f"{path.name} (aprs)",
        category=np.array(sink.rows.get("cat", []), dtype=object),
    )


def read_adsb(path: Path, text: str, **_: Any) -> Reports:
    """Read timestamped ADS-B messages (``time,hex`` per line) and decode positions."""
    import pyModeS

    sink = RowSink(path)
    msgs: list[str] = []
    stamps: list[np.datetime64] = []
    lines: list[int] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"[,\s]+", line)
        if len(parts) != 2:
            sink.reject(lineno, "expected 'time,hexmessage'")
            continue
        try:
            t = _stamp(parts[0])
            hexmsg = parts[1].strip().upper()
            if not re.fullmatch(r"[0-9A-F]{14}|[0-9A-F]{28}", hexmsg):
                raise ValueError("message is not 14 or 28 hex digits")
        except Exception as exc:
            sink.reject(lineno, str(exc))
            continue
        msgs.append(hexmsg)
        stamps.append(t)
        lines.append(lineno)
    if not msgs and not sink.rejected:
        raise ReportFormatError("no messages", path=path, expected="time,hex per line", got=text[:60])
    epoch = np.array(stamps, dtype="datetime64[ns]").astype(np.int64) / 1e9
    decoded: list[Any]
    try:
        decoded = pyModeS.decode(msgs, timestamps=epoch.tolist()) if msgs else []
    except Exception:  # one undecodable message must not stop the file: fall back to one by one
        decoded = []
        for msg in msgs:
            try:
                decoded.append(pyModeS.decode(msg))
            except Exception as exc:
                decoded.append({"crc_valid": False, "error": str(exc)})
    times: list[np.datetime64] = []
    velocities: dict[str, list[tuple[float, float, float, float]]] = {}
    geo_diff: dict[str, list[tuple[float, float]]] = {}
    categories: dict[str, str] = {}
    for d, t, lineno in zip(decoded, stamps, lines, strict=True):
        if not d.get("crc_valid", False):
            sink.reject(lineno, "CRC check failed")
            continue
        key = str(d.get("icao", ""))
        tc = d.get("typecode") or 0
        if 1 <= tc <= 4 and d.get("category"):
            categories[key] = f"{'DCBA'[tc - 1]}{int(d['category'])}"  # DO-260B emitter category
        if tc == 19 and d.get("geo_minus_baro") is not None:
            t_s = float(t.astype("datetime64[ns]").astype(np.int64)) / 1e9
            geo_diff.setdefault(key, []).append((t_s, float(d["geo_minus_baro"]) * _FT))
        ground = _ground_velocity(d)
        if ground is not None:
            key = str(d.get("icao", ""))
            velocities.setdefault(key, []).append(
                (float(t.astype("datetime64[ns]").astype(np.int64)) / 1e9, *ground)
            )
            continue
        lat, lon = d.get("latitude"), d.get("longitude")
        if lat is None or lon is None:
            continue  # not a position, or a CPR frame still waiting for its pair
        tc = d.get("typecode") or 0
        alt_ft = d.get("altitude")
        times.append(t)
        sink.add(
            lat=float(lat),
            lon=float(lon),
            alt=float(alt_ft) * _FT if alt_ft is not None else math.nan,
            datum="gps" if 20 <= tc <= 22 else "pressure",
            id=str(d.get("icao", "")),
            line=lineno,
        )
    t64 = np.array(times, dtype="datetime64[ns]")
    ids = sink.rows.get("id", [])
    t_pos = t64.astype(np.int64) / 1e9
    datum = np.array(sink.rows.get("datum", []), dtype=object)
    if len(ids):
        alt = np.array(sink.rows["alt"], dtype=np.float64)
        diff = _match_geo_minus_baro(t_pos, ids, geo_diff)
        fix = (datum == "pressure") & np.isfinite(diff)
        alt[fix] += diff[fix]
        datum[fix] = "gps"
        sink.rows["alt"] = list(alt)
    return sink.build(
        t64,
        object_id=np.array(ids, dtype=object),
        alt_datum=datum,
        vel_enu_m_s=_match_velocities(t_pos, ids, velocities),
        source=f"{path.name} (adsb)",
        category=np.array([categories.get(i, "") for i in ids], dtype=object),
    )


GEO_DIFF_MATCH_S = 60.0
"""A barometric position takes the GNSS-minus-baro height difference of the same aircraft's
nearest airborne-velocity message within this many seconds, s (the difference changes slowly:
it is the departure of the real atmosphere from the ISA)."""


def _match_geo_minus_baro(
    t_s: np.ndarray, ids: list[str], diffs: dict[str, list[tuple[float, float]]]
) -> np.ndarray:
    """Per position report the GNSS - baro difference (m) to add, NaN where none is close."""
    out = np.full(t_s.size, np.nan)
    id_arr = np.array(ids, dtype=object)
    for icao, rows in diffs.items():
        v = np.array(sorted(rows))
        mine = np.flatnonzero(id_arr == icao)
        if mine.size == 0:
            continue
        j = np.clip(np.searchsorted(v[:, 0], t_s[mine]), 1, max(len(v) - 1, 1))
        lo = np.maximum(j - 1, 0)
        hi = np.minimum(j, len(v) - 1)
        pick = np.where(np.abs(v[lo, 0] - t_s[mine]) <= np.abs(v[hi, 0] - t_s[mine]), lo, hi)
        close = np.abs(v[pick, 0] - t_s[mine]) <= GEO_DIFF_MATCH_S
        out[mine[close]] = v[pick[close], 1]
    return out


VELOCITY_MATCH_S = 5.0
"""A position report takes the ground velocity of the same aircraft's nearest velocity message
(type code 19) within this many seconds, s; beyond it its velocity stays NaN."""
_KT = 1852.0 / 3600.0  # m/s per knot
_FT_MIN = _FT / 60.0  # m/s per ft/min


def _ground_velocity(d: dict[str, Any]) -> tuple[float, float, float] | None:
    """(east, north, up) m/s from a decoded airborne-velocity message over ground (subtypes 1–2).

    Subtypes 3–4 give airspeed and heading, not a ground velocity: they are not used."""
    if d.get("typecode") != 19 or d.get("groundspeed") is None or d.get("track") is None:
        return None
    speed = float(d["groundspeed"]) * _KT
    track = math.radians(float(d["track"]))
    vr = d.get("vertical_rate")
    up = float(vr) * _FT_MIN if vr is not None else math.nan
    return speed * math.sin(track), speed * math.cos(track), up


def _match_velocities(
    t_s: np.ndarray, ids: list[str], velocities: dict[str, list[tuple[float, float, float, float]]]
) -> np.ndarray:
    """(N, 3) ENU velocity per position report from the nearest same-aircraft velocity message."""
    out = np.full((t_s.size, 3), np.nan)
    for icao, rows in velocities.items():
        v = np.array(sorted(rows))
        mine = np.flatnonzero(np.array([i == icao for i in ids], dtype=bool)) if ids else np.zeros(0, int)
        if mine.size == 0:
            continue
        j = np.clip(np.searchsorted(v[:, 0], t_s[mine]), 1, max(len(v) - 1, 1))
        lo = np.maximum(j - 1, 0)
        hi = np.minimum(j, len(v) - 1)
        pick = np.where(np.abs(v[lo, 0] - t_s[mine]) <= np.abs(v[hi, 0] - t_s[mine]), lo, hi)
        close = np.abs(v[pick, 0] - t_s[mine]) <= VELOCITY_MATCH_S
        out[mine[close]] = v[pick[close], 1:]
    return out
