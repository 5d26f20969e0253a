"""Many CDMs at once: the columns Pc needs, read straight from the files, and Pc for all of them.

Recomputing Pc for an archive of thousands of Conjunction Data Messages is dominated by reading
them: building a lossless :class:`~skywarden.space.safety.cdm.CDM` costs about half a millisecond per
message. :func:`read_cdm_table` instead scans the KVN bytes of all files in one compiled pass
(:func:`_scan`), records where each needed value sits, and converts the values column by column
with numpy (the same correctly-rounded decimal parsing as Python's ``float``). Any message the
scanner is not sure about — XML, non-ASCII bytes, lower-case or spaced keywords, a missing state
or covariance, an unusual time format, a value that is not a plain number — is read by the full
parser instead, through the same accessors as :func:`~skywarden.space.safety.cdm.pc_from_cdm`, so both
routes give identical columns (tests check this, fuzzed). A message that fails even there becomes
a row of NaN with its error text in :attr:`CDMTable.error` and one warning; it never stops the run.

:func:`pc_from_cdms` then rotates Earth-fixed states to TEME (GMST 1982, as
:func:`~skywarden.space.orbit.frames.itrs_to_teme`), turns the RTN covariances inertial and evaluates
all 2-D Pcs in one vectorised call.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit

from ...errors import DataQualityWarning, OptionError, ParseError, SkywardenError
from .cdm import (
    CDM,
    COV_6X6_INDEX,
    DEFAULT_HBR_M,
    HBR_COMMENT_RE,
    HEADER_KEYS,
    STATE_KEYS,
    UNIT_SCALE,
    read_cdm,
)

__all__ = ["CDMTable", "pc_from_cdm", "pc_from_cdms", "read_cdm_table"]

# --- the fields the scanner looks for -------------------------------------------------------
# Sections: 0 header, 1 relative metadata/data, 2 object 1, 3 object 2 (as in CDM).
_COV_KEYS = tuple(k for k, _, _ in COV_6X6_INDEX)
_FIELDS = (
    *HEADER_KEYS,
    "TCA", "MISS_DISTANCE", "RELATIVE_SPEED", "COLLISION_PROBABILITY", "COLLISION_PROBABILITY_METHOD",
    "HBR", "OBJECT", "OBJECT_DESIGNATOR", "REF_FRAME", "AREA_PC", *STATE_KEYS, *_COV_KEYS,
)  # fmt: skip
_F = {k: i for i, k in enumerate(_FIELDS)}
_N_HEADER = len(HEADER_KEYS)
_F_OBJECT = _F["OBJECT"]
_KEY_WIDTH = max(len(k) for k in _FIELDS)
_KEY_BYTES = np.zeros((len(_FIELDS), _KEY_WIDTH), np.uint8)
_KEY_LEN = np.zeros(len(_FIELDS), np.int64)
for _i, _k in enumerate(_FIELDS):
    _KEY_BYTES[_i, : len(_k)] = np.frombuffer(_k.encode(), np.uint8)
    _KEY_LEN[_i] = len(_k)
_UNITS = tuple(UNIT_SCALE)
_UNIT_WIDTH = max(len(u) for u in _UNITS)
_UNIT_BYTES = np.zeros((len(_UNITS), _UNIT_WIDTH), np.uint8)
_UNIT_LEN = np.array([len(u) for u in _UNITS], np.int64)
_UNIT_SCALE = np.array([UNIT_SCALE[u] for u in _UNITS], np.float64)
for _i, _u in enumerate(_UNITS):
    _UNIT_BYTES[_i, : len(_u)] = np.frombuffer(_u.encode(), np.uint8)
_NUMBER_WIDTH = 64  # longest value text the fast route converts
_TIME_WIDTH = 26  # YYYY-MM-DDThh:mm:ss.ffffff


@njit(cache=True)
def _is_blank(c: int) -> bool:
    return c == 32 or c == 9


@njit(cache=True)
def _scan(buf, starts, key_bytes, key_len, n_header, f_object, unit_bytes, unit_len, unit_scale):  # type: ignore[no-untyped-def]
    """Locate every wanted keyword's value in each message (first occurrence per section).

    Returns spans (N, 4, F, 2) of value bytes (-1 when absent), scale (N, 4, F) from the unit
    (NaN when there is no unit), hbr_comment (N, 3): span of the first ``COMMENT HBR…`` text and
    the number of such comments, and ok (N,): False where the full parser must decide.
    """
    n = starts.shape[0] - 1
    nf = key_len.shape[0]
    spans = np.full((n, 4, nf, 2), -1, np.int64)
    scale = np.full((n, 4, nf), np.nan)
    hbr_comment = np.full((n, 3), -1, np.int64)
    ok = np.ones(n, np.bool_)
    key = np.zeros(key_bytes.shape[1], np.uint8)
    for m in range(n):
        hbr_comment[m, 2] = 0
        section = 0
        objects = 0
        seen_entry = False
        i = starts[m]
        end = starts[m + 1]
        while i < end and ok[m]:
            e = i
            while e < end and buf[e] != 10:
                e += 1
            nxt = e + 1
            if e > i and buf[e - 1] == 13:  # CRLF
                e -= 1
            for p in range(i, e):
                c = buf[p]
                if (c < 32 and c != 9) or c > 126:
                    ok[m] = False
            a, b = i, e
            while a < b and _is_blank(buf[a]):
                a += 1
            while b > a and _is_blank(buf[b - 1]):
                b -= 1
            i = nxt
            if a == b or not ok[m]:
                continue
            is_comment = b - a >= 7
            if is_comment:
                for p, ch in enumerate((67, 79, 77, 77, 69, 78, 84)):  # COMMENT
                    if buf[a + p] != ch:
                        is_comment = False
                        break
            if is_comment:
                if not seen_entry or (b - a > 7 and not _is_blank(buf[a + 7])):
                    ok[m] = False
                    continue
                t = a + 7
                while t < b and _is_blank(buf[t]):
                    t += 1
                if b - t >= 3 and buf[t] == 72 and buf[t + 1] == 66 and buf[t + 2] == 82:  # HBR
                    if hbr_comment[m, 2] == 0:
                        hbr_comment[m, 0] = t
                        hbr_comment[m, 1] = b
                    hbr_comment[m, 2] += 1
                continue
            eq = a
            while eq < b and buf[eq] != 61:
                eq += 1
            ke = eq
            while ke > a and _is_blank(buf[ke - 1]):
                ke -= 1
            if eq == b or ke == a:
                ok[m] = False
                continue
            # keyword: letters, digits, underscores and inner blanks; normalised as the parser does
            # (upper case, each run of blanks one underscore)
            klen = 0
            gap = False
            for p in range(a, ke):
                c = buf[p]
                if _is_blank(c):
                    gap = True
                    continue
                if 97 <= c <= 122:
                    c -= 32
                elif not ((48 <= c <= 57) or (65 <= c <= 90) or c == 95):
                    ok[m] = False
                    break
                if gap:
                    if klen < key.shape[0]:
                        key[klen] = 95
                    klen += 1
                    gap = False
                if klen < key.shape[0]:
                    key[klen] = c
                klen += 1
            if not ok[m]:
                continue
            vs = eq + 1
            while vs < b and _is_blank(buf[vs]):
                vs += 1
            ve = b
            us, ue = -1, -1
            if ve > vs and buf[ve - 1] == 93:  # ']'
                cut = ve - 1
                while cut >= vs and buf[cut] != 91:  # '['
                    cut -= 1
                if cut >= vs:
                    us, ue = cut + 1, ve - 1
                    while us < ue and _is_blank(buf[us]):
                        us += 1
                    while ue > us and _is_blank(buf[ue - 1]):
                        ue -= 1
                    ve = cut
                    while ve > vs and _is_blank(buf[ve - 1]):
                        ve -= 1
            f = -1
            for k in range(nf):
                if key_len[k] != klen:
                    continue
                same = True
                for p in range(klen):
                    if key[p] != key_bytes[k, p]:
                        same = False
                        break
                if same:
                    f = k
                    break
            if not seen_entry:
                seen_entry = True
                if f != 0:  # a CDM starts with CCSDS_CDM_VERS
                    ok[m] = False
                    continue
            if f == f_object:
                objects += 1
                section = 1 + objects
                if objects > 2:
                    ok[m] = False
            elif section == 0 and not (0 <= f < n_header):
                section = 1
            if f < 0 or spans[m, section, f, 0] >= 0:
                continue
            spans[m, section, f, 0] = vs
            spans[m, section, f, 1] = ve
            if us >= 0:
                s = 1.0
                ulen = ue - us
                for u in range(unit_len.shape[0]):
                    if unit_len[u] != ulen:
                        continue
                    same = True
                    for p in range(ulen):
                        c = buf[us + p]
                        if 65 <= c <= 90:
                            c += 32
                        if c != unit_bytes[u, p]:
                            same = False
                            break
                    if same:
                        s = unit_scale[u]
                        break
                scale[m, section, f] = s
        if objects != 2 or not seen_entry:
            ok[m] = False
    return spans, scale, hbr_comment, ok


# --- the table --------------------------------------------------------------------------------
@dataclass
class CDMTable:
    """The columns of N CDMs that Pc needs (row k = message k; all arrays have leading length N).

    ``tca`` datetime64[us] UTC (NaT on error rows); ``r_m``/``v_m_s`` (N, 2, 3) states of objects
    1 and 2 in their ``REF_FRAME`` (m, m/s); ``itrf`` (N, 2) True where that frame is Earth-fixed
    (ITRF…); ``cov_rtn`` (N, 2, 6, 6) RTN covariances (m², m²/s, m²/s²; NaN when the CDM has none);
    ``hbr_m`` (N,) hard-body radius the CDM gives (NaN when none; see
    :attr:`~skywarden.space.safety.cdm.CDM.hbr_m`); ``stated_pc``, ``stated_miss_m`` (N,) the CDM's own
    values (NaN when absent); ``pc_method``, ``primary``, ``secondary``, ``message_id``: text per
    row; ``source``: file name or "" for text; ``error``: None, or why the row could not be read.
    """

    source: list[str]
    tca: np.ndarray
    r_m: np.ndarray
    v_m_s: np.ndarray
    itrf: np.ndarray
    cov_rtn: np.ndarray
    hbr_m: np.ndarray
    stated_pc: np.ndarray
    stated_miss_m: np.ndarray
    pc_method: list[str | None]
    primary: list[str]
    secondary: list[str]
    message_id: list[str | None]
    error: list[str | None]

    def __len__(self) -> int:
        return len(self.source)

    @classmethod
    def empty(cls, n: int) -> CDMTable:
        """N rows of NaN / NaT / None, to be filled."""
        return cls(
            source=[""] * n,
            tca=np.full(n, np.datetime64("NaT"), "datetime64[us]"),
            r_m=np.full((n, 2, 3), np.nan),
            v_m_s=np.full((n, 2, 3), np.nan),
            itrf=np.zeros((n, 2), bool),
            cov_rtn=np.full((n, 2, 6, 6), np.nan),
            hbr_m=np.full(n, np.nan),
            stated_pc=np.full(n, np.nan),
            stated_miss_m=np.full(n, np.nan),
            pc_method=[None] * n,
            primary=[""] * n,
            secondary=[""] * n,
            message_id=[None] * n,
            error=[None] * n,
        )

    def set_from_cdm(self, k: int, cdm: CDM) -> None:
        """Fill row ``k`` from a parsed :class:`~skywarden.space.safety.cdm.CDM` (the reference route)."""
        self.source[k] = cdm.source
        self.tca[k] = np.datetime64(cdm.tca.replace(tzinfo=None), "us")
        for j in (0, 1):
            self.r_m[k, j], self.v_m_s[k, j] = cdm.state_m(j + 1)
            self.itrf[k, j] = (cdm.get("REF_FRAME", j + 1) or "").upper().startswith("ITRF")
            cov = cdm.covariance_rtn(j + 1)
            if cov is not None:
                self.cov_rtn[k, j] = cov
        self.hbr_m[k] = _nan_if_none(cdm.hbr_m)
        self.stated_pc[k] = _nan_if_none(cdm.collision_probability)
        self.stated_miss_m[k] = _nan_if_none(cdm.miss_distance_m)
        self.pc_method[k] = cdm.collision_probability_method
        self.primary[k] = cdm.object_designator(1)
        self.secondary[k] = cdm.object_designator(2)
        self.message_id[k] = cdm.get("MESSAGE_ID", "header")


def _nan_if_none(x: float | None) -> float:
    return math.nan if x is None else float(x)


@njit(cache=True)
def _gather(buf, span, width):  # type: ignore[no-untyped-def]
    out = np.zeros((span.shape[0], width), np.uint8)
    for i in range(span.shape[0]):
        for p in range(min(span[i, 1] - span[i, 0], width)):
            out[i, p] = buf[span[i, 0] + p]
    return out


def _gather_text(blob: np.ndarray, span: np.ndarray, width: int) -> np.ndarray:
    """Value bytes at ``span`` (M, 2) as an ``S{width}`` array (NUL-padded; longer values cut)."""
    if span.shape[0] == 0:
        return np.zeros(0, f"S{width}")
    width = max(1, min(width, int((span[:, 1] - span[:, 0]).max())))
    return _gather(blob, np.ascontiguousarray(span), width).view(f"S{width}").ravel()


def _to_float(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse an ``S`` array as decimal numbers; returns (values, ok) — Python ``float`` semantics."""
    try:
        return text.astype(np.float64), np.ones(text.shape[0], bool)
    except ValueError:
        values = np.full(text.shape[0], np.nan)
        ok = np.ones(text.shape[0], bool)
        for i, t in enumerate(text):
            try:
                values[i] = float(t.decode("ascii"))
            except ValueError:
                ok[i] = False
        return values, ok


def _texts(blob: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Value bytes at ``span`` (M, 2) as a ``str`` array ("" where absent); ASCII guaranteed by the scan."""
    present = span[:, 0] >= 0
    return _gather_text(blob, np.where(present[:, None], span, 0), 1 << 16).astype(str)


def _fast_rows(data: bytes, starts: np.ndarray, table: CDMTable, rows: np.ndarray) -> np.ndarray:
    """Fill ``rows`` of ``table`` from the scan of ``data``; returns a bool mask of rows filled."""
    blob = np.frombuffer(data + b"\0", np.uint8)
    spans, scale, hbr_comment, ok = _scan(
        blob, starts, _KEY_BYTES, _KEY_LEN, _N_HEADER, _F_OBJECT, _UNIT_BYTES, _UNIT_LEN, _UNIT_SCALE
    )
    state = [_F[k] for k in STATE_KEYS]
    cov = [_F[k] for k in _COV_KEYS]
    required = np.concatenate([spans[:, 2:, state, 0], spans[:, 2:, cov, 0]], axis=2).reshape(len(ok), -1)
    ok &= (required >= 0).all(axis=1) & (spans[:, 1, _F["TCA"], 0] >= 0)
    numeric = [
        _F[k] for k in ("MISS_DISTANCE", "COLLISION_PROBABILITY", "HBR", "AREA_PC", *STATE_KEYS, *_COV_KEYS)
    ]
    flat = spans[:, :, numeric].reshape(-1, 2)
    present = flat[:, 0] >= 0
    width = flat[present, 1] - flat[present, 0]
    too_long = np.zeros(flat.shape[0], bool)
    too_long[present] = width > _NUMBER_WIDTH
    values = np.full(flat.shape[0], np.nan)
    parsed_ok = np.ones(flat.shape[0], bool)
    use = present & ~too_long
    values[use], parsed_ok[use] = _to_float(_gather_text(blob, flat[use], _NUMBER_WIDTH))
    bad = (~parsed_ok | too_long).reshape(len(ok), -1).any(axis=1)
    ok &= ~bad
    values = values.reshape(spans.shape[0], 4, len(numeric))
    col = {f: j for j, f in enumerate(numeric)}
    sc = scale[:, :, numeric]
    si = np.where(np.isnan(sc), 1.0, sc) * values

    # TCA: YYYY-MM-DDThh:mm:ss[.f{1,6}][Z] parses with numpy exactly as strptime would
    tspan = spans[:, 1, _F["TCA"]].copy()
    tlen = tspan[:, 1] - tspan[:, 0]
    last = np.where(tlen > 0, tspan[:, 1] - 1, 0)
    has_z = (tlen > 0) & ((blob[last] == ord("Z")) | (blob[last] == ord("z")))
    tspan[:, 1] -= has_z
    tlen = tspan[:, 1] - tspan[:, 0]
    shape_ok = (tlen == 19) | ((tlen >= 21) & (tlen <= _TIME_WIDTH))
    ok &= shape_ok
    ttext = _gather_text(blob, np.where(ok[:, None], tspan, 0), _TIME_WIDTH)
    width = ttext.dtype.itemsize
    digits = np.frombuffer(ttext.tobytes(), np.uint8).reshape(-1, width)
    pattern = np.frombuffer(b"dddd-dd-ddTdd:dd:dd." + b"d" * (_TIME_WIDTH - 20), np.uint8)[:width]
    isdigit = (digits >= 48) & (digits <= 57)
    pos = np.arange(width)
    expect_digit = pattern == ord("d")
    inside = pos[None, :] < tlen[:, None]
    good = np.where(expect_digit[None, :], isdigit, digits == pattern[None, :]) | ~inside
    ok &= good.all(axis=1)
    tca = np.full(len(ok), np.datetime64("NaT"), "datetime64[us]")
    sel = np.flatnonzero(ok)
    try:  # numpy validates the calendar and the clock exactly as strptime does
        tca[sel] = ttext[sel].astype("datetime64[us]")
    except ValueError:
        for k in sel:
            try:
                tca[k] = np.datetime64(ttext[k].decode("ascii"), "us")
            except ValueError:
                ok[k] = False

    # HBR: keyword (relative, 1, 2), else the first COMMENT HBR = …, else both AREA_PC
    n = len(ok)
    keyword = spans[:, 1:, _F["HBR"], 0] >= 0
    has_keyword = keyword.any(axis=1)
    hbr = np.where(has_keyword, si[np.arange(n), 1 + keyword.argmax(axis=1), col[_F["HBR"]]], np.nan)
    from_comment = np.zeros(n, bool)
    for k in np.flatnonzero(ok & ~has_keyword & (hbr_comment[:, 2] > 0)):
        match = HBR_COMMENT_RE.match(data[hbr_comment[k, 0] : hbr_comment[k, 1]].decode("ascii"))
        try:
            number = float(match.group(1)) if match else math.nan
        except ValueError:  # "COMMENT HBR = ." matches the pattern: the parser names the error
            ok[k] = False
            continue
        if match:
            unit = (match.group(2) or "m").lower()
            hbr[k] = number * (1e3 if unit == "km" else 1.0)
            from_comment[k] = True
        elif hbr_comment[k, 2] > 1:  # a later HBR comment may match: let the parser decide
            ok[k] = False
    areas = si[:, 2:, col[_F["AREA_PC"]]]
    with np.errstate(invalid="ignore"):
        from_area = ~has_keyword & ~from_comment & np.all(np.isfinite(areas) & (areas > 0), axis=1)
        hbr[from_area] = np.sqrt(areas[from_area] / math.pi).sum(axis=1)

    for j, s in ((0, 2), (1, 3)):
        pos_vel = np.stack([si[:, s, col[_F[k]]] for k in STATE_KEYS], axis=1)
        no_unit = np.stack([np.isnan(scale[:, s, _F[k]]) for k in STATE_KEYS], axis=1)
        pos_vel = np.where(no_unit, pos_vel * 1e3, pos_vel)  # the CDM's mandatory units are km, km/s
        sub = rows[ok]
        table.r_m[sub, j] = pos_vel[ok, :3]
        table.v_m_s[sub, j] = pos_vel[ok, 3:]
        c = np.zeros((len(ok), 6, 6))
        for key, r, q in COV_6X6_INDEX:
            c[:, r, q] = c[:, q, r] = si[:, s, col[_F[key]]]
        table.cov_rtn[sub, j] = c[ok]
    sub = rows[ok]
    table.tca[sub] = tca[ok]
    table.hbr_m[sub] = hbr[ok]
    table.stated_pc[sub] = values[ok, 1, col[_F["COLLISION_PROBABILITY"]]]
    table.stated_miss_m[sub] = si[ok, 1, col[_F["MISS_DISTANCE"]]]
    for j, s in ((0, 2), (1, 3)):
        frame = _texts(blob, spans[ok, s, _F["REF_FRAME"]])
        table.itrf[sub, j] = np.char.startswith(np.char.upper(frame), "ITRF")
    for name, s, f in (("pc_method", 1, "COLLISION_PROBABILITY_METHOD"), ("primary", 2, "OBJECT_DESIGNATOR"),
                       ("secondary", 3, "OBJECT_DESIGNATOR"), ("message_id", 0, "MESSAGE_ID")):  # fmt: skip
        span = spans[ok, s, _F[f]]
        texts = _texts(blob, span).tolist()
        column = getattr(table, name)
        missing = "" if name in ("primary", "secondary") else None
        for row, text, present in zip(sub.tolist(), texts, (span[:, 0] >= 0).tolist(), strict=True):
            column[row] = text if present else missing
    return ok


def read_cdm_table(items: Iterable[str | Path | CDM], *, progress: bool = False) -> CDMTable:
    """Read many CDMs (paths, KVN/XML text, or parsed :class:`CDM`) into one :class:`CDMTable`.

    KVN files go through the compiled scanner; everything else, and every message the scanner
    is unsure of, through :func:`~skywarden.space.safety.cdm.read_cdm`. A message that cannot be read
    becomes a NaN row with its error in ``error`` and a :class:`DataQualityWarning` naming the
    count; the others are unaffected.
    """
    items = list(items)
    table = CDMTable.empty(len(items))
    chunks: list[bytes] = []
    rows: list[int] = []
    slow: list[int] = []
    for k, item in enumerate(items):
        if isinstance(item, CDM):
            slow.append(k)
            continue
        is_text = isinstance(item, str) and ("\n" in item or "=" in item or item.lstrip().startswith("<"))
        table.source[k] = "" if is_text else str(item)
        try:
            data = item.encode("utf-8") if is_text else Path(item).read_bytes()  # type: ignore[union-attr]
        except OSError as exc:
            table.error[k] = f"cannot read {item}: {exc.strerror or exc}"
            continue
        if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as Windows tools write
            data = data[3:]
        if data.lstrip()[:1] == b"<":
            slow.append(k)
        else:
            chunks.append(data)
            rows.append(k)
    if chunks:
        data = b"".join(chunks)
        starts = np.zeros(len(chunks) + 1, np.int64)
        starts[1:] = np.cumsum([len(c) for c in chunks])
        filled = _fast_rows(data, starts, table, np.asarray(rows, np.int64))
        slow.extend(np.asarray(rows)[~filled].tolist())
    for k in _progress(sorted(slow), progress, "reading CDMs"):
        item = items[k]
        try:
            cdm = item if isinstance(item, CDM) else read_cdm(item)
            table.set_from_cdm(k, cdm)
        except SkywardenError as exc:
            table.error[k] = str(exc)
            _blank_row(table, k)
    failed = sum(e is not None for e in table.error)
    if failed:
        first = next(e for e in table.error if e is not None)
        warnings.warn(
            f"{failed} of {len(table)} CDMs could not be read and have NaN rows; the first: {first}",
            DataQualityWarning,
            stacklevel=2,
        )
    return table


def _blank_row(table: CDMTable, k: int) -> None:
    table.tca[k] = np.datetime64("NaT")
    for arr in (table.r_m, table.v_m_s, table.cov_rtn):
        arr[k] = np.nan
    table.hbr_m[k] = table.stated_pc[k] = table.stated_miss_m[k] = np.nan


def _progress(seq: Sequence[int], show: bool, label: str) -> Iterable[int]:
    if not show or len(seq) < 200:
        return seq
    from rich.console import Console
    from rich.progress import track

    return track(seq, description=label, transient=True, console=Console(stderr=True))


def pc_from_cdms(
    items: Iterable[str | Path | CDM] | CDMTable,
    *,
    hbr_m: float | None = None,
    method: str = "foster",
    n_samples: int = 100_000,
    progress: bool = False,
) -> list[Any]:
    """Recompute Pc for many CDMs; one :class:`~skywarden.space.safety.pc.PcResult` per message, in order.

    HBR per message: ``hbr_m`` when given, else the CDM's, else :data:`DEFAULT_HBR_M`
    (``extra["hbr_source"]`` says which). Each result's ``extra`` carries the CDM's own Pc and
    method, TCA, designators, message id and file. A message that could not be read, or lacks a
    covariance for a method that needs one, gets ``pc = NaN`` and ``extra["error"]``.
    """
    from ..orbit.frames import itrs_to_teme
    from .covariance import rtn_to_inertial
    from .pc import METHODS, PcResult, collision_probability

    if method not in METHODS:
        raise OptionError("method", method, METHODS)
    table = items if isinstance(items, CDMTable) else read_cdm_table(items, progress=progress)
    n = len(table)
    error = list(table.error)
    if method != "max":
        for k in range(n):
            if error[k] is None and np.isnan(table.cov_rtn[k]).any():
                error[k] = (
                    f"{table.source[k] or 'CDM'}: the CDM lacks a covariance (CR_R … CNDOT_NDOT); use --method max"
                )
    good = np.array([e is None for e in error], bool)
    if hbr_m is not None:
        hbr, hbr_source = np.full(n, float(hbr_m)), ["option"] * n
    else:
        from_cdm = np.isfinite(table.hbr_m)
        hbr = np.where(from_cdm, table.hbr_m, DEFAULT_HBR_M)
        hbr_source = ["cdm" if f else "default" for f in from_cdm]
    r = table.r_m.copy()
    v = table.v_m_s.copy()
    for j in (0, 1):
        rot = good & table.itrf[:, j]
        if rot.any():
            r[rot, j], v[rot, j] = itrs_to_teme(r[rot, j], v[rot, j], table.tca[rot])
    idx = np.flatnonzero(good)
    pc = np.full(n, np.nan)
    miss = np.full(n, np.nan)
    speed = np.full(n, np.nan)
    short_term = np.ones(n, bool)
    repaired = np.zeros(n, bool)
    extras: list[dict[str, Any]] = [{} for _ in range(n)]
    if idx.size:
        args = (r[idx, 0], v[idx, 0], r[idx, 1], v[idx, 1])
        covs: list[Any] = [None, None]
        if method != "max":
            covs = [rtn_to_inertial(table.cov_rtn[idx, j], args[2 * j], args[2 * j + 1]) for j in (0, 1)]
        if method == "max":  # the covariance's shape where the CDM has one (issue 19), else none
            has_cov = ~np.isnan(table.cov_rtn[idx]).reshape(idx.size, -1).any(axis=1)
            for with_cov in (True, False):
                sel = has_cov == with_cov
                if not sel.any():
                    continue
                sub, a = idx[sel], tuple(x[sel] for x in args)
                cv = [rtn_to_inertial(table.cov_rtn[sub, j], a[2 * j], a[2 * j + 1]) if with_cov else None
                      for j in (0, 1)]  # fmt: skip
                res = collision_probability(a[0], a[1], cv[0], a[2], a[3], cv[1], hbr[sub], method="max")
                pc[sub], miss[sub], speed[sub] = res.pc, res.miss_distance_m, res.relative_speed_m_s
                for pos, k in enumerate(sub.tolist()):
                    extras[k] = {
                        key: val[pos] if isinstance(val, np.ndarray) else val
                        for key, val in res.extra.items()
                    }
                    extras[k]["covariance_source"] = res.covariance_source
        elif method == "montecarlo":
            for pos, k in enumerate(_progress(idx.tolist(), progress, "Monte Carlo Pc")):
                res = collision_probability(
                    args[0][pos], args[1][pos], covs[0][pos], args[2][pos], args[3][pos], covs[1][pos], hbr[k],
                    method=method, n_samples=n_samples,
                )  # fmt: skip
                pc[k], miss[k], speed[k] = res.pc, res.miss_distance_m, res.relative_speed_m_s
                short_term[k], repaired[k] = res.short_term, res.repaired
                extras[k] = dict(res.extra)
        else:
            res = collision_probability(
                args[0], args[1], covs[0], args[2], args[3], covs[1], hbr[idx], method=method
            )
            pc[idx] = res.pc
            miss[idx], speed[idx] = res.miss_distance_m, res.relative_speed_m_s
            short_term[idx] = res.short_term
            repaired[idx] = res.repaired
    out = []
    tca = table.tca.astype("datetime64[us]").tolist()
    for k in range(n):
        extra = extras[k]
        extra.update(
            tca=None if tca[k] is None else tca[k].replace(tzinfo=UTC),
            cdm_pc=None if np.isnan(table.stated_pc[k]) else float(table.stated_pc[k]),
            cdm_pc_method=table.pc_method[k],
            cdm_miss_distance_m=None if np.isnan(table.stated_miss_m[k]) else float(table.stated_miss_m[k]),
            hbr_source=hbr_source[k],
            primary=table.primary[k],
            secondary=table.secondary[k],
            message_id=table.message_id[k],
            file=table.source[k],
        )
        if error[k] is not None:
            extra["error"] = error[k]
        out.append(
            PcResult(
                pc=float(pc[k]),
                method=method,
                miss_distance_m=float(miss[k]),
                relative_speed_m_s=float(speed[k]),
                hbr_m=float(hbr[k]),
                covariance_source=extra.pop("covariance_source", "none") if method == "max" else "provided",
                short_term=bool(short_term[k]),
                repaired=bool(repaired[k]),
                extra=extra,
            )
        )
    return out


def pc_from_cdm(
    cdm: CDM, *, hbr_m: float | None = None, method: str = "foster", n_samples: int = 100_000
) -> Any:
    """Recompute Pc from a CDM's states and RTN covariances; a :class:`~skywarden.space.safety.pc.PcResult`.

    HBR: ``hbr_m`` when given, else :attr:`CDM.hbr_m`, else :data:`DEFAULT_HBR_M` (the source is
    reported as ``hbr_source``). The result's ``extra`` carries the CDM's own Pc and method, TCA,
    both designators and the message id, so callers can print them side by side. Earth-fixed
    (ITRF) states are rotated to TEME at the TCA first. The same computation as
    :func:`~skywarden.space.safety.cdm_table.pc_from_cdms` for one message, which it uses.
    """
    if method != "max" and any(cdm.covariance_rtn(w) is None for w in (1, 2)):
        raise ParseError("the CDM lacks a covariance (CR_R … CNDOT_NDOT); use --method max",
                         path=cdm.source or None, field="CR_R", expected="CR_R = 4.142E+01 [m**2]")  # fmt: skip
    table = CDMTable.empty(1)
    table.set_from_cdm(0, cdm)  # the parser's own errors (file, line, field) propagate from here
    return pc_from_cdms(table, hbr_m=hbr_m, method=method, n_samples=n_samples)[0]
