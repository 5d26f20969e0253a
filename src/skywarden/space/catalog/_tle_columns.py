"""Vectorised parsing of many TLE pairs at once: numpy over the fixed columns.

:func:`skywarden.space.catalog.tle.read_tle_text` hands every pair that passed the line regexes to
:func:`parse_columns`. The values are bit-for-bit those of the per-record parser: a decimal field
is its digits read as one integer divided by a power of ten, and since both are exact doubles
the IEEE division returns the correctly rounded value of the decimal text, which is what
``float(text)`` returns too. Rows with anything unusual (Alpha-5 numbers, blanks inside or after
a number, a day of year outside 1–366) are marked for the per-record parser instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from .elements import Elements

__all__ = ["checksum_ok", "object_id_from_tle", "parse_columns"]

_UNIX0 = datetime(1970, 1, 1, tzinfo=UTC)
_US_PER_DAY = 86_400_000_000
_YEAR_START_US = np.array(
    [
        (datetime(2000 + yy if yy < 57 else 1900 + yy, 1, 1, tzinfo=UTC) - _UNIX0)
        // timedelta(microseconds=1)
        for yy in range(100)
    ],
    dtype=np.int64,
)
_SPACE, _MINUS, _ZERO = 32, 45, 48
_CENTURY = {f"{yy:02d}": "20" if yy < 57 else "19" for yy in range(100)}


def object_id_from_tle(text: str) -> str:
    """TLE international designator ``'58002B  '`` → OMM ``'1958-002B'``; blank → ``''``."""
    piece = text[5:8].rstrip()
    head = text[0:5]
    if head.isdigit() and piece.isalpha():
        return f"{_CENTURY[head[0:2]]}{head[0:2]}-{head[2:5]}{piece}"
    return text.rstrip() if text.strip() else ""


def _block(lines: Sequence[str]) -> np.ndarray:
    """(n, 69) int16 array of the first 69 columns (lines already checked to be ASCII)."""
    joined = "".join(line[:69] for line in lines).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(lines), 69).astype(np.int16)


def _digits(field: np.ndarray, *, leading_blanks: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer value of each row's digits, whether the row is clean, whether it has any digit."""
    digit = (field >= _ZERO) & (field <= _ZERO + 9)
    if leading_blanks:
        seen = np.cumsum(digit, axis=1) > 0
        clean = np.all(digit | ((field == _SPACE) & ~seen), axis=1)
    else:
        clean = np.all(digit, axis=1)
    weights = 10 ** np.arange(field.shape[1] - 1, -1, -1, dtype=np.int64)
    return np.where(digit, field - _ZERO, 0) @ weights, np.asarray(clean), np.asarray(digit.any(axis=1))


def _decimal(block: np.ndarray, start: int, dot: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """``[ ]NN.NNNN``-style field: blanks allowed only before the integer digits."""
    whole, clean_whole, _ = _digits(block[:, start:dot], leading_blanks=True)
    frac, clean_frac, _ = _digits(block[:, dot + 1 : end], leading_blanks=False)
    scale = 10 ** (end - dot - 1)
    return (whole * scale + frac) / float(scale), clean_whole & clean_frac


def _signed_fraction(block: np.ndarray, sign: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """``±.NNNNNNNN`` (first derivative of mean motion); ``-.00000000`` gives -0.0 like float()."""
    frac, clean, _ = _digits(block[:, sign + 2 : end], leading_blanks=False)
    value = frac / float(10 ** (end - sign - 2))
    return np.where(block[:, sign] == _MINUS, -value, value), clean


def _exponent(block: np.ndarray, start: int) -> np.ndarray:
    """``±NNNNN±N`` (implied leading decimal point); a zero keeps the exponent sign as its sign."""
    mantissa, _, _ = _digits(block[:, start + 1 : start + 6], leading_blanks=False)
    power = np.where(block[:, start + 6] == _MINUS, -1, 1) * (block[:, start + 7] - _ZERO) - 5
    value = np.where(power < 0, mantissa / 10.0 ** np.abs(power), mantissa * 10.0 ** np.maximum(power, 0))
    value = np.where(block[:, start] == _MINUS, -value, value)
    zero_sign = np.where(block[:, start + 6] == _MINUS, -0.0, 0.0)
    return np.where(mantissa == 0, zero_sign, value)


def checksum_ok(block: np.ndarray) -> np.ndarray:
    """Column 69 equals the sum of the digits of columns 1–68 plus one per ``-``, mod 10."""
    body = block[:, :68]
    digit = (body >= _ZERO) & (body <= _ZERO + 9)
    total = np.where(digit, body - _ZERO, 0).sum(axis=1) + (body == _MINUS).sum(axis=1)
    return (total % 10) == (block[:, 68] - _ZERO)


def parse_columns(
    lines1: Sequence[str], lines2: Sequence[str], names: Sequence[str], sources: Sequence[str]
) -> tuple[list[Elements | None], np.ndarray]:
    """Elements for the clean rows (None where the per-record parser must decide), and the
    per-row checksum verdict (both lines right)."""
    n = len(lines1)
    if n == 0:
        return [], np.zeros(0, dtype=bool)
    b1, b2 = _block(lines1), _block(lines2)
    norad, clean, has_digit = _digits(b1[:, 2:7], leading_blanks=True)
    clean &= has_digit & np.all(b1[:, 2:7] == b2[:, 2:7], axis=1)
    yy, ok_yy, _ = _digits(b1[:, 18:20], leading_blanks=False)
    day, ok_day, _ = _digits(b1[:, 20:23], leading_blanks=False)
    frac, ok_frac, _ = _digits(b1[:, 24:32], leading_blanks=False)
    clean &= ok_yy & ok_day & ok_frac & (day >= 1) & (day <= 366)
    epoch_us = _YEAR_START_US[yy % 100] + (day - 1) * _US_PER_DAY + frac * 864
    ndot, ok = _signed_fraction(b1, 33, 43)
    clean &= ok
    ddot, bstar = _exponent(b1, 44), _exponent(b1, 53)
    eph_digit = (b1[:, 62] >= _ZERO) & (b1[:, 62] <= _ZERO + 9)
    ephemeris = np.where(eph_digit, b1[:, 62] - _ZERO, 0)
    element_set, ok, _ = _digits(b1[:, 64:68], leading_blanks=True)
    clean &= ok
    inclination, ok_i = _decimal(b2, 8, 11, 16)
    raan, ok_r = _decimal(b2, 17, 20, 25)
    ecc_digits, ok_e, _ = _digits(b2[:, 26:33], leading_blanks=False)
    arg_perigee, ok_w = _decimal(b2, 34, 37, 42)
    mean_anomaly, ok_m = _decimal(b2, 43, 46, 51)
    mean_motion, ok_n = _decimal(b2, 52, 54, 63)
    rev, ok_rev, _ = _digits(b2[:, 63:68], leading_blanks=True)
    clean &= ok_i & ok_r & ok_e & ok_w & ok_m & ok_n & ok_rev
    eccentricity = ecc_digits / 1e7
    checks = checksum_ok(b1) & checksum_ok(b2)

    columns = zip(
        clean.tolist(),
        norad.tolist(),
        epoch_us.tolist(),
        mean_motion.tolist(),
        eccentricity.tolist(),
        inclination.tolist(),
        raan.tolist(),
        arg_perigee.tolist(),
        mean_anomaly.tolist(),
        bstar.tolist(),
        ndot.tolist(),
        ddot.tolist(),
        ephemeris.tolist(),
        element_set.tolist(),
        rev.tolist(),
        strict=True,
    )
    out: list[Elements | None] = []
    for k, (ok_row, nid, us, n_rev, e, i, node, w, m, bs, nd, ndd, eph, eset, rv) in enumerate(columns):
        if not ok_row:
            out.append(None)
            continue
        line1 = lines1[k]
        out.append(
            Elements(
                norad_id=nid,
                epoch=_UNIX0 + timedelta(microseconds=us),
                mean_motion_rev_day=n_rev,
                eccentricity=e,
                inclination_deg=i,
                raan_deg=node,
                arg_perigee_deg=w,
                mean_anomaly_deg=m,
                bstar_per_er=bs,
                mean_motion_dot=nd,
                mean_motion_ddot=ndd,
                name=names[k],
                object_id=object_id_from_tle(line1[9:17]),
                classification=line1[7],
                ephemeris_type=eph,
                element_set_no=eset,
                rev_at_epoch=rv,
                source=sources[k],
                tle_lines=(line1.rstrip(), lines2[k].rstrip()),
            )
        )
    return out, checks
