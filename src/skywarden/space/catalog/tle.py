"""Two-line element sets: read and write TLE (CelesTrak name lines), 2LE and 3LE (``0 NAME``).

Column template (python-sgp4 ``io.py`` / Space-Track "Basic description of the TLE format")::

    1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNN
    2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNN

Catalog numbers: five digits, leading zeros or spaces (``1     5U``); Alpha-5 for
100000–339999 (``A0000``–``Z9999``, letters I and O skipped: A=10 … H=17, J=18 … N=22,
P=23 … Z=33), which also covers the analyst objects ``T0000``… (270000+). Numbers above 339,999
exist only in OMM; writing them to a TLE raises :class:`~skywarden.errors.TLEError`.

Checksum: the last column of each line is the sum of its digits plus one per ``-``, mod 10.

Lossless text: parsing keeps every digit (epoch to 1e-8 day = 864 µs, which ``Elements.epoch``
holds exactly), so ``format_tle(parse_tle_lines(l1, l2))`` returns the same 69 characters. A
zero in the exponent fields (``n̈/6``, ``B*``) is written either ``00000-0`` or ``00000+0``; the
sign of the parsed float zero records which (``-0.0`` ↔ ``-0``), so both come back unchanged. An
explicit ``+`` sign character (a few hundred Space-Track records use ``+.00001234`` or
``+12345-3`` instead of a blank) cannot be kept in a float and is written back as a blank: the
value is identical and the line differs in that column only (``+`` counts 0 in the checksum, as
a blank does). Space-padded catalog
numbers (``1     5U``) are written zero-padded (same checksum).

Speed: :func:`read_tle_text` walks the lines once, then parses all well-formed pairs together
with numpy (:mod:`skywarden.space.catalog._tle_columns`); the per-record parser here handles the rest and
explains every rejected line (``_diagnose``: the first bad field, the template with a ``^^^``
marker under its columns, and the line as given).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ...batch import paused_gc
from ...errors import DataQualityWarning, OptionError, TLEError
from ._tle_columns import object_id_from_tle as _object_id
from ._tle_columns import parse_columns
from .elements import Elements
from .issues import RecordIssue

__all__ = [
    "LINE1_TEMPLATE",
    "LINE2_TEMPLATE",
    "MAX_TLE_NORAD_ID",
    "alpha5_decode",
    "alpha5_encode",
    "format_3le",
    "format_tle",
    "parse_tle_lines",
    "read_tle_text",
    "tle_checksum",
    "write_tle_text",
]

LINE1_TEMPLATE = "1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNN"
LINE2_TEMPLATE = "2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNN"
MAX_TLE_NORAD_ID = 339_999
"""Largest catalog number a TLE can hold (Alpha-5 ``Z9999``)."""

_ALPHA5_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # A=10 … Z=33, I and O skipped
_LETTER_VALUE = {c: i + 10 for i, c in enumerate(_ALPHA5_LETTERS)}
_CHECKSUM_MAP = bytes.maketrans(b"-", b"1")
_CHECKSUM_DELETE = bytes(c for c in range(256) if not (48 <= c <= 57 or c == 45))
_YEAR_START = {y: datetime(y, 1, 1, tzinfo=UTC) for y in range(1957, 2057)}
_START_BY_YY = [_YEAR_START[2000 + yy if yy < 57 else 1900 + yy] for yy in range(100)]  # pivot 57
_NEG_ZERO = -0.0
_DIGIT_OR_SPACE = frozenset("0123456789 ")
_US_PER_TLE_DAY_STEP = 864  # 1e-8 day in microseconds

_LINE1_RE = re.compile(
    r"1 [0-9A-HJ-NP-Z ][0-9 ]{4}[A-Z ] [ -~]{8} [0-9 ]{5}\.[0-9 ]{8} [ +-]\.[0-9 ]{8} "
    r"[ +-][0-9]{5}[+-][0-9] [ +-][0-9]{5}[+-][0-9] [0-9 ] [0-9 ]{4}[0-9]"
)
_LINE2_RE = re.compile(
    r"2 [0-9A-HJ-NP-Z ][0-9 ]{4} [0-9 ]{3}\.[0-9 ]{4} [0-9 ]{3}\.[0-9 ]{4} [0-9 ]{7} "
    r"[0-9 ]{3}\.[0-9 ]{4} [0-9 ]{3}\.[0-9 ]{4} [0-9 ]{2}\.[0-9 ]{8}[0-9 ]{5}[0-9]"
)

_CHECKSUM_MODES = ("raise", "warn", "ignore")


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns: digits count their value, ``-`` counts 1."""
    digits = line[:68].encode("ascii", "replace").translate(_CHECKSUM_MAP, _CHECKSUM_DELETE)
    return (sum(digits) - 48 * len(digits)) % 10


def alpha5_decode(field: str) -> int:
    """Catalog number from TLE columns 3–7: ``"00005"``, ``"    5"``, ``"A0000"`` → 100000.

    Raises ``ValueError`` for anything else (the TLE readers turn it into a TLEError).
    """
    text = field.strip()
    if not text:
        raise ValueError("blank catalog number")
    first = text[0]
    if first.isdigit():
        if not text.isdigit():
            raise ValueError(f"not a catalog number: {field!r}")
        return int(text)
    rest = text[1:]
    if first not in _LETTER_VALUE or len(rest) != 4 or not rest.isdigit():
        raise ValueError(f"not an Alpha-5 catalog number (A0000–Z9999, no I or O): {field!r}")
    return _LETTER_VALUE[first] * 10_000 + int(rest)


def alpha5_encode(norad_id: int) -> str:
    """Five-character TLE catalog field: zero-padded below 100000, Alpha-5 up to 339999."""
    if 0 <= norad_id < 100_000:
        return f"{norad_id:05d}"
    if 100_000 <= norad_id <= MAX_TLE_NORAD_ID:
        return f"{_ALPHA5_LETTERS[norad_id // 10_000 - 10]}{norad_id % 10_000:04d}"
    raise TLEError(
        f"catalog number {norad_id} cannot be written to a TLE",
        field="norad_id",
        expected="0 … 339999 (Alpha-5 'Z9999' is the largest); write OMM (XML, JSON, CSV, KVN) instead",
        got=str(norad_id),
    )


# --------------------------------------------------------------------------------------- parsing
def _exp_field(text: str) -> float:
    """``' 37082-3'`` → 0.37082e-3; a zero mantissa keeps the exponent sign in the zero's sign."""
    digits = text[1:6]
    if digits == "00000":
        return _NEG_ZERO if text[6] == "-" else 0.0
    return float(("-." if text[0] == "-" else ".") + digits + "e" + text[6:8])


def _epoch(text: str) -> datetime:
    """``'23282.54072583'`` (YYDDD.DDDDDDDD) → aware UTC datetime, exact to the 864 µs step."""
    day = int(text[2:5])
    if not 1 <= day <= 366:
        raise ValueError(f"day of year {day} outside 1-366")
    frac = text[6:14]
    if " " in frac:
        frac = frac.rstrip().ljust(8, "0")
    return _START_BY_YY[int(text[0:2])] + timedelta(
        microseconds=(day - 1) * 86_400_000_000 + int(frac) * _US_PER_TLE_DAY_STEP
    )


def _parse_fast(line1: str, line2: str, name: str, source: str) -> Elements:
    """Parse a pair already checked by the line regexes; any exception means a bad record."""
    catalog = line1[2:7]
    if line2[2:7] != catalog and alpha5_decode(line2[2:7]) != alpha5_decode(catalog):
        raise ValueError("catalog numbers of line 1 and line 2 differ")
    norad = int(catalog) if catalog[0] in _DIGIT_OR_SPACE else alpha5_decode(catalog)
    return Elements(
        norad_id=norad,
        epoch=_epoch(line1[18:32]),
        mean_motion_rev_day=float(line2[52:63]),
        eccentricity=float("0." + line2[26:33]),
        inclination_deg=float(line2[8:16]),
        raan_deg=float(line2[17:25]),
        arg_perigee_deg=float(line2[34:42]),
        mean_anomaly_deg=float(line2[43:51]),
        bstar_per_er=_exp_field(line1[53:61]),
        mean_motion_dot=float(line1[33:43]),
        mean_motion_ddot=_exp_field(line1[44:52]),
        name=name,
        object_id=_object_id(line1[9:17]),
        classification=line1[7],
        ephemeris_type=int(line1[62]) if line1[62] != " " else 0,
        element_set_no=int(line1[64:68]) if line1[64:68].strip() else 0,
        rev_at_epoch=int(line2[63:68]) if line2[63:68].strip() else 0,
        source=source,
        tle_lines=(line1.rstrip(), line2.rstrip()),
    )


# (line index 0/1, start, end, field, what is expected there)
_FIELDS = (
    (0, 0, 2, "line number", "'1 ' in columns 1-2"),
    (
        0,
        2,
        7,
        "norad_id",
        "catalog number in columns 3-7: 5 digits (leading zeros or spaces) or Alpha-5 A0000-Z9999",
    ),
    (0, 7, 8, "classification", "classification letter (U, C or S) in column 8"),
    (0, 18, 32, "epoch", "epoch YYDDD.DDDDDDDD (day of year 001-366) in columns 19-32"),
    (0, 33, 43, "mean_motion_dot", "first derivative ±.NNNNNNNN in columns 34-43"),
    (0, 44, 52, "mean_motion_ddot", "second derivative ±NNNNN±N (implied decimal point) in columns 45-52"),
    (0, 53, 61, "bstar_per_er", "B* ±NNNNN±N (implied decimal point) in columns 54-61"),
    (0, 62, 63, "ephemeris_type", "ephemeris type digit in column 63"),
    (0, 64, 68, "element_set_no", "element set number in columns 65-68"),
    (0, 68, 69, "checksum", "checksum digit in column 69"),
    (1, 0, 2, "line number", "'2 ' in columns 1-2"),
    (1, 2, 7, "norad_id", "catalog number in columns 3-7, the same as on line 1"),
    (1, 8, 16, "inclination_deg", "inclination NNN.NNNN degrees in columns 9-16"),
    (1, 17, 25, "raan_deg", "right ascension of the node NNN.NNNN degrees in columns 18-25"),
    (1, 26, 33, "eccentricity", "eccentricity NNNNNNN (implied leading decimal point) in columns 27-33"),
    (1, 34, 42, "arg_perigee_deg", "argument of perigee NNN.NNNN degrees in columns 35-42"),
    (1, 43, 51, "mean_anomaly_deg", "mean anomaly NNN.NNNN degrees in columns 44-51"),
    (1, 52, 63, "mean_motion_rev_day", "mean motion NN.NNNNNNNN rev/day in columns 53-63"),
    (1, 63, 68, "rev_at_epoch", "revolution number in columns 64-68"),
    (1, 68, 69, "checksum", "checksum digit in column 69"),
)
_FIELD_CHECKS = {
    "line number": lambda s, i: s == ("1 " if i == 0 else "2 "),
    "norad_id": lambda s, i: alpha5_decode(s) >= 0,
    "classification": lambda s, i: s.isalpha() or s == " ",
    "epoch": lambda s, i: re.fullmatch(r"[0-9 ]{5}\.[0-9 ]{8}", s) is not None and 1 <= int(s[2:5]) <= 366,
    "mean_motion_dot": lambda s, i: re.fullmatch(r"[ +-]\.[0-9 ]{8}", s) is not None,
    "mean_motion_ddot": lambda s, i: re.fullmatch(r"[ +-][0-9]{5}[+-][0-9]", s) is not None,
    "bstar_per_er": lambda s, i: re.fullmatch(r"[ +-][0-9]{5}[+-][0-9]", s) is not None,
    "ephemeris_type": lambda s, i: s.isdigit() or s == " ",
    "element_set_no": lambda s, i: re.fullmatch(r"[0-9 ]{4}", s) is not None,
    "checksum": lambda s, i: s.isdigit(),
    "inclination_deg": lambda s, i: re.fullmatch(r"[0-9 ]{3}\.[0-9 ]{4}", s) is not None,
    "raan_deg": lambda s, i: re.fullmatch(r"[0-9 ]{3}\.[0-9 ]{4}", s) is not None,
    "eccentricity": lambda s, i: re.fullmatch(r"[0-9 ]{7}", s) is not None,
    "arg_perigee_deg": lambda s, i: re.fullmatch(r"[0-9 ]{3}\.[0-9 ]{4}", s) is not None,
    "mean_anomaly_deg": lambda s, i: re.fullmatch(r"[0-9 ]{3}\.[0-9 ]{4}", s) is not None,
    "mean_motion_rev_day": lambda s, i: re.fullmatch(r"[0-9 ]{2}\.[0-9 ]{8}", s) is not None,
    "rev_at_epoch": lambda s, i: re.fullmatch(r"[0-9 ]{5}", s) is not None,
}


def _diagnose(line1: str, line2: str, path: str | None, line_no: int | None) -> TLEError:
    """The precise error for a pair the fast path rejected: first bad field, template beside line."""
    lines = (line1, line2)
    templates = (LINE1_TEMPLATE, LINE2_TEMPLATE)
    for idx in (0, 1):
        text = lines[idx]
        where = None if line_no is None else line_no + idx
        if not text.isascii() or not text.isprintable():
            return TLEError(
                "line has non-printable or non-ASCII characters",
                path=path,
                line=where,
                field=f"line {idx + 1}",
                expected=templates[idx],
                got=text,
            )
        if len(text) < 69:
            return TLEError(
                f"line {idx + 1} has {len(text)} characters; a TLE line has 69",
                path=path,
                line=where,
                field=f"line {idx + 1}",
                expected=templates[idx],
                got=text,
            )
    for idx, start, end, field, what in _FIELDS:
        text = lines[idx][start:end]
        try:
            ok = bool(_FIELD_CHECKS[field](text, idx))
        except (ValueError, IndexError):
            ok = False
        if not ok:
            pointer = " " * (len("  expected: ") + start) + "^" * (end - start)  # under the template
            return TLEError(
                f"expected {what}",
                path=path,
                line=None if line_no is None else line_no + idx,
                field=field,
                expected=f"{templates[idx]}\n{pointer}",
                got=lines[idx],
            )
    try:
        if alpha5_decode(line1[2:7]) != alpha5_decode(line2[2:7]):
            raise ValueError
    except ValueError:
        return TLEError(
            "catalog numbers on line 1 and line 2 differ",
            path=path,
            line=None if line_no is None else line_no + 1,
            field="norad_id",
            expected=LINE2_TEMPLATE,
            got=line2,
        )
    return TLEError(
        "line does not follow the TLE column template (spacing or separators)",
        path=path,
        line=line_no,
        field="line 1/2",
        expected=f"{LINE1_TEMPLATE}\n            {LINE2_TEMPLATE}",
        got=f"{line1} / {line2}",
    )


def _checksum_problem(line1: str, line2: str) -> str | None:
    for idx, text in ((1, line1), (2, line2)):
        want = tle_checksum(text)
        if text[68] != str(want):
            return f"line {idx} checksum is {text[68]!r}, computed {want}"
    return None


def parse_tle_lines(
    line1: str,
    line2: str,
    name: str = "",
    *,
    checksum: str = "warn",
    path: str | None = None,
    line_no: int | None = None,
) -> Elements:
    """Parse one element set. Raises :class:`TLEError` naming the field, with the template.

    ``checksum``: ``"warn"`` (a :class:`DataQualityWarning`), ``"raise"`` or ``"ignore"`` when
    a line's checksum digit is wrong. ``path``/``line_no`` only label messages.
    """
    if checksum not in _CHECKSUM_MODES:
        raise OptionError("checksum", checksum, _CHECKSUM_MODES)
    line1, line2 = line1.rstrip("\r\n"), line2.rstrip("\r\n")
    source = f"{path or '<string>'}:{line_no or 1}"
    if not (_LINE1_RE.match(line1) and _LINE2_RE.match(line2)):
        raise _diagnose(line1, line2, path, line_no)
    try:
        elements = _parse_fast(line1, line2, name.strip(), source)
    except (ValueError, KeyError, IndexError, OverflowError):
        raise _diagnose(line1, line2, path, line_no) from None
    problem = _checksum_problem(line1, line2) if checksum != "ignore" else None
    if problem is not None:
        if checksum == "raise":
            raise TLEError(
                problem,
                path=path,
                line=line_no,
                field="checksum",
                expected="sum of digits + 1 per '-', mod 10",
                got=line1 + " / " + line2,
            )
        warnings.warn(f"{source}: {problem}", DataQualityWarning, stacklevel=2)
    return elements


def read_tle_text(
    text: str, *, path: str = "<string>", strict: bool = False
) -> tuple[list[Elements], list[RecordIssue]]:
    """All element sets in TLE / 2LE / 3LE text, and the issues met (bad records, checksums).

    Never raises for one bad record unless ``strict`` (then the first bad record or wrong
    checksum raises :class:`TLEError`). Name lines are optional: ``0 NAME`` (3LE) or a free
    name line (CelesTrak TLE). Blank lines and ``#`` comment lines are ignored.

    Two passes: the first walks the lines (structure, names, the line regexes), the second
    parses all well-formed pairs at once (:mod:`skywarden.space.catalog._tle_columns`); pairs with
    anything unusual go through the per-record parser, which diagnoses bad ones.
    """
    lines = text.splitlines()
    errors: list[tuple[int, TLEError, int | None]] = []  # (line, error, norad_id guess)
    rows: list[int] = []  # line index of each line 1 that passed the regexes
    names: list[str] = []
    line1_re, line2_re = _LINE1_RE.match, _LINE2_RE.match
    name = ""
    name_line = 0
    i, n = 0, len(lines)
    while i < n:
        line1 = lines[i]
        if line1[:2] == "1 " and i + 1 < n and lines[i + 1][:2] == "2 ":
            if line1_re(line1) and line2_re(lines[i + 1]):
                rows.append(i)
                names.append(name)
            else:
                error = _diagnose(line1, lines[i + 1], path, i + 1)
                errors.append((error.line or i + 1, error, _guess_id(line1)))
            name, name_line = "", 0
            i += 2
            continue
        stripped = line1.strip()
        if not stripped or stripped[0] == "#":  # blank line or comment (as in Vallado's SGP4-VER.TLE)
            i += 1
            continue
        if line1[:2] in ("1 ", "2 ") and len(line1.rstrip()) >= 60:  # shorter: a name such as "1 HOP"
            error = TLEError(
                f"line {line1[0]} of an element set without its partner line {'2' if line1[0] == '1' else '1'}",
                path=path,
                line=i + 1,
                field="line number",
                expected=f"{LINE1_TEMPLATE}\n            {LINE2_TEMPLATE}",
                got=line1,
            )
            errors.append((i + 1, error, _guess_id(line1)))
            name, name_line = "", 0
            i += 1
            continue
        if name_line:
            errors.append((name_line, _orphan_name(path, name_line, lines[name_line - 1]), None))
        name = stripped[2:].strip() if stripped[:2] == "0 " or stripped == "0" else stripped
        name_line = i + 1
        i += 1
    if name_line:
        errors.append((name_line, _orphan_name(path, name_line, lines[name_line - 1]), None))

    lines1 = [lines[k] for k in rows]
    lines2 = [lines[k + 1] for k in rows]
    with paused_gc():  # tens of thousands of records and no cycles: no collector passes meanwhile
        parsed, checks = parse_columns(lines1, lines2, names, [f"{path}:{k + 1}" for k in rows])
    out: list[Elements] = []
    checksum_issues: list[tuple[int, TLEError, int]] = []
    for index, (row, elements) in enumerate(zip(rows, parsed, strict=True)):
        line1, line2 = lines1[index], lines2[index]
        if elements is None:
            try:
                elements = _parse_fast(line1, line2, names[index], f"{path}:{row + 1}")
            except (ValueError, KeyError, IndexError, OverflowError):
                error = _diagnose(line1, line2, path, row + 1)
                errors.append((error.line or row + 1, error, _guess_id(line1)))
                continue
            good = _checksum_problem(line1, line2) is None
        else:
            good = bool(checks[index])
        if not good:
            problem = _checksum_problem(line1, line2) or "checksum"
            checksum_issues.append(
                (
                    row + 1,
                    TLEError(
                        problem,
                        path=path,
                        line=row + 1,
                        field="checksum",
                        expected="sum of digits + 1 per '-', mod 10",
                        got=line1,
                    ),
                    elements.norad_id,
                )
            )
        out.append(elements)
    if strict and (errors or checksum_issues):
        raise min([*errors, *checksum_issues], key=lambda item: item[0])[1]
    issues = [RecordIssue("bad", path, line, _short(error), guess) for line, error, guess in errors]
    issues += [RecordIssue("checksum", path, line, error.reason, nid) for line, error, nid in checksum_issues]
    issues.sort(key=lambda issue: issue.line or 0)
    return out, issues


def _orphan_name(path: str, line: int, text: str) -> TLEError:
    return TLEError(
        "name line not followed by an element set",
        path=path,
        line=line,
        field="name",
        expected=f"name line, then {LINE1_TEMPLATE}",
        got=text,
    )


def _short(error: TLEError) -> str:
    field = f"field {error.field!r}: " if error.field else ""
    return f"{field}{error.reason}"


def _guess_id(line: str) -> int | None:
    try:
        return alpha5_decode(line[2:7])
    except ValueError:
        return None


# --------------------------------------------------------------------------------------- writing
def _fmt_exp(value: float, field: str) -> str:
    """0.37082e-3 → ``' 37082-3'``; rounds half up to a 5-digit mantissa (as CelesTrak)."""
    if value == 0.0:
        return " 00000-0" if math.copysign(1.0, value) < 0 else " 00000+0"
    if not math.isfinite(value):
        raise TLEError("value is not finite", field=field, expected="a finite number", got=repr(value))
    dec = Decimal(repr(abs(value)))
    exponent = dec.adjusted()
    mantissa = dec.scaleb(4 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if mantissa >= 100_000:
        mantissa = (mantissa / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        exponent += 1
    tle_exponent = exponent + 1
    if tle_exponent < -9:
        return " 00000-0" if value < 0 else " 00000+0"
    if tle_exponent > 9:
        raise TLEError(
            "value too large for the TLE exponent field",
            field=field,
            expected="|value| < 1e9",
            got=repr(value),
        )
    sign = "-" if value < 0 else " "
    return f"{sign}{int(mantissa):05d}{'-' if tle_exponent < 0 else '+'}{abs(tle_exponent)}"


def _fmt_ndot(value: float) -> str:
    sign = "-" if math.copysign(1.0, value) < 0 else " "
    body = f"{abs(value):.8f}"
    if not body.startswith("0."):
        raise TLEError(
            "first derivative of mean motion does not fit ±.NNNNNNNN",
            field="mean_motion_dot",
            expected="|value| < 1 rev/day²",
            got=repr(value),
        )
    return sign + body[1:]


def _fmt_angle(value: float, field: str, upper: float = 360.0) -> str:
    text = f"{value:8.4f}"
    if not (0.0 <= value <= upper) or len(text) != 8:
        raise TLEError(
            "angle out of range for a TLE", field=field, expected=f"0 … {upper:g} degrees", got=repr(value)
        )
    return text


def _fmt_epoch(epoch: datetime) -> str:
    moment = epoch.astimezone(UTC) if epoch.tzinfo else epoch.replace(tzinfo=UTC)
    year = moment.year
    if year not in _YEAR_START:
        raise TLEError(
            "epoch year outside 1957-2056 cannot be written with two digits",
            field="epoch",
            expected="1957 … 2056",
            got=moment.isoformat(),
        )
    delta = moment - _YEAR_START[year]
    day = delta.days
    frac_us = delta.seconds * 1_000_000 + delta.microseconds
    steps = (2 * frac_us + _US_PER_TLE_DAY_STEP) // (2 * _US_PER_TLE_DAY_STEP)  # round half up
    if steps >= 100_000_000:
        steps -= 100_000_000
        day += 1
        if _YEAR_START[year] + timedelta(days=day) >= datetime(year + 1, 1, 1, tzinfo=UTC):
            year, day = year + 1, 0
            if year not in _YEAR_START:
                raise TLEError(
                    "epoch year outside 1957-2056",
                    field="epoch",
                    expected="1957 … 2056",
                    got=moment.isoformat(),
                )
    return f"{year % 100:02d}{day + 1:03d}.{steps:08d}"


def _fmt_designator(object_id: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{3})([A-Z]{1,3})", object_id)
    if match:
        return f"{match.group(1)[2:]}{match.group(2)}{match.group(3):<3}"
    if len(object_id) > 8:
        raise TLEError(
            "international designator too long for columns 10-17",
            field="object_id",
            expected="YYYY-NNNP (e.g. 1998-067A) or up to 8 characters",
            got=object_id,
        )
    return f"{object_id:<8}"


def _fmt_eccentricity(value: float) -> str:
    scaled = value * 1e7
    nearest = round(scaled)
    digits = nearest if abs(scaled - nearest) < 1e-6 else math.floor(scaled)  # truncate, as CelesTrak
    if not (0 <= digits < 10_000_000) or not (0.0 <= value < 1.0):
        raise TLEError(
            "eccentricity out of range for a TLE", field="eccentricity", expected="0 ≤ e < 1", got=repr(value)
        )
    return f"{digits:07d}"


def _canonical(line: str) -> str:
    """An original TLE line with the harmless variants this writer does not produce undone:
    a space-padded catalog number (columns 3-7) and explicit ``+`` signs (columns 34, 45, 54)."""
    if len(line) < 69:
        return line
    chars = list(line[:2] + line[2:7].replace(" ", "0") + line[7:])
    if line[0] == "1":
        for col in (33, 44, 53):
            if chars[col] == "+":
                chars[col] = " "
    return "".join(chars)


def format_tle(elements: Elements) -> tuple[str, str]:
    """Lines 1 and 2 (69 characters each, checksums included) of one element set.

    A record read from TLE text keeps its original lines (``Elements.tle_lines``); they are
    returned unchanged when they encode exactly what this writer would write (up to a
    space-padded catalog number and explicit ``+`` signs, which carry no information and leave
    the checksum unchanged), so reading and writing a catalog reproduces it byte for byte."""
    line1, line2 = _format_tle(elements)
    original = elements.tle_lines
    if original is not None and _canonical(original[0]) == line1 and _canonical(original[1]) == line2:
        return original
    return line1, line2


def _format_tle(elements: Elements) -> tuple[str, str]:
    catalog = alpha5_encode(elements.norad_id)
    n = elements.mean_motion_rev_day
    n_text = f"{n:11.8f}"
    if not (0.0 < n < 100.0) or len(n_text) != 11:
        raise TLEError(
            "mean motion does not fit NN.NNNNNNNN",
            field="mean_motion_rev_day",
            expected="0 < n < 100 rev/day",
            got=repr(n),
        )
    if not 0 <= elements.element_set_no <= 9999:
        raise TLEError(
            "element set number does not fit 4 columns",
            field="element_set_no",
            expected="0 … 9999",
            got=str(elements.element_set_no),
        )
    if not 0 <= elements.ephemeris_type <= 9:
        raise TLEError(
            "ephemeris type must be one digit",
            field="ephemeris_type",
            expected="0 … 9",
            got=str(elements.ephemeris_type),
        )
    classification = (elements.classification or "U")[:1]
    body1 = (
        f"1 {catalog}{classification} {_fmt_designator(elements.object_id)} {_fmt_epoch(elements.epoch)} "
        f"{_fmt_ndot(elements.mean_motion_dot)} {_fmt_exp(elements.mean_motion_ddot, 'mean_motion_ddot')} "
        f"{_fmt_exp(elements.bstar_per_er, 'bstar_per_er')} {elements.ephemeris_type} "
        f"{elements.element_set_no:4d}"
    )
    body2 = (
        f"2 {catalog} {_fmt_angle(elements.inclination_deg, 'inclination_deg', 180.0)} "
        f"{_fmt_angle(elements.raan_deg, 'raan_deg')} {_fmt_eccentricity(elements.eccentricity)} "
        f"{_fmt_angle(elements.arg_perigee_deg, 'arg_perigee_deg')} "
        f"{_fmt_angle(elements.mean_anomaly_deg, 'mean_anomaly_deg')} {n_text}"
        f"{elements.rev_at_epoch % 100_000:5d}"
    )
    return body1 + str(tle_checksum(body1)), body2 + str(tle_checksum(body2))


def format_3le(elements: Elements) -> tuple[str, str, str]:
    """``0 NAME`` line and lines 1 and 2 (Space-Track 3LE)."""
    line1, line2 = format_tle(elements)
    return f"0 {elements.name}", line1, line2


def write_tle_text(elements: Iterable[Elements], *, style: str = "tle") -> str:
    """Text of many element sets. ``style``: ``"tle"`` (CelesTrak: 24-column name line when the
    name is known), ``"3le"`` (``0 NAME`` line) or ``"2le"`` (lines 1 and 2 only)."""
    styles = ("tle", "3le", "2le")
    if style not in styles:
        raise OptionError("style", style, styles)
    out: list[str] = []
    for item in elements:
        line1, line2 = format_tle(item)
        if style == "3le":
            out.append(f"0 {item.name}")
        elif style == "tle" and item.name:
            out.append(f"{item.name:<24}")
        out.extend((line1, line2))
    return "\n".join(out) + ("\n" if out else "")
