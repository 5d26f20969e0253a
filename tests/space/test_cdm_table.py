"""Many CDMs at once: the compiled KVN scan must give exactly what the full parser gives.

The reference route is :meth:`CDMTable.set_from_cdm` on :func:`read_cdm` (the lossless parser,
itself tested against the CCSDS blue-book samples and NASA CARA's CDMs in test_cdm.py); the fast
route is :func:`read_cdm_table`. Real messages and fuzzed mutations of them (blank lines, CRLF,
lower-case and spaced keywords, comments, HBR comments, missing and garbled values, other time
formats, other units) must give identical columns, or both an error.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import skywarden.space.safety.cdm_table as cdm_table
from skywarden.errors import DataQualityWarning, ParseError, SkywardenError
from skywarden.space.orbit.frames import itrs_to_teme
from skywarden.space.safety.cdm import DEFAULT_HBR_M, pc_from_cdm, read_cdm
from skywarden.space.safety.cdm_table import CDMTable, pc_from_cdms, read_cdm_table

DATA = Path(__file__).resolve().parents[1] / "data" / "cdm"
KVN = [DATA / "ccsds_508_annex_sample.kvn", DATA / "cara_000025994_conj_000026132.cdm",
       DATA / "cara_000043613_conj_000049557.cdm"]  # fmt: skip
XML = DATA / "ccsds_508_annex_sample.xml"
NUMERIC = ("tca", "r_m", "v_m_s", "itrf", "cov_rtn", "hbr_m", "stated_pc", "stated_miss_m")
TEXT = ("pc_method", "primary", "secondary", "message_id")
SAME_DOUBLE = 1e-12  # relative: batched and single linear algebra may differ in the last bits


def _reference(text: str) -> CDMTable | str:
    """The full parser's row for ``text``, or its error message."""
    table = CDMTable.empty(1)
    try:
        table.set_from_cdm(0, read_cdm(text, fmt="kvn"))
    except SkywardenError as exc:
        return str(exc)
    return table


def _assert_rows_equal(fast: CDMTable, k: int, ref: CDMTable) -> None:
    for name in NUMERIC:
        a, b = getattr(fast, name)[k], getattr(ref, name)[0]
        if name == "tca":
            assert a == b or (np.isnat(a) and np.isnat(b)), name
        else:
            assert np.array_equal(a, b, equal_nan=True), (name, a, b)
    for name in TEXT:
        assert getattr(fast, name)[k] == getattr(ref, name)[0], name


def _no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the full parser unavailable inside the table reader, to prove the fast route ran."""

    def refuse(*_a, **_k):
        raise AssertionError("the full parser was used")

    monkeypatch.setattr(cdm_table, "read_cdm", refuse)


@pytest.mark.parametrize("path", KVN, ids=lambda p: p.name)
def test_fast_route_reads_real_messages_exactly(path, monkeypatch):
    ref = _reference(path.read_text())
    assert isinstance(ref, CDMTable)
    _no_parser(monkeypatch)
    fast = read_cdm_table([path])
    assert fast.error == [None] and fast.source == [str(path)]
    _assert_rows_equal(fast, 0, ref)


def test_xml_and_parsed_messages_take_the_parser_route():
    table = read_cdm_table([XML, read_cdm(KVN[0])])
    ref = _reference(KVN[0].read_text())
    assert isinstance(ref, CDMTable)
    _assert_rows_equal(table, 1, ref)
    # the blue book's XML sample carries the KVN sample's values, but its MESSAGE_ID lost a digit
    assert table.message_id[0] == "20111371985"
    table.message_id[0] = ref.message_id[0]
    _assert_rows_equal(table, 0, ref)


# --- fuzzing: mutations of a real message -------------------------------------------------------
_BASE = KVN[1].read_text().splitlines()


def _mutate(lines: list[str], op: str, at: int, text: str) -> list[str]:
    out = list(lines)
    at %= len(out)
    key, eq, rest = out[at].partition("=")
    if op == "blank":
        out.insert(at, " " * (len(text) % 3))
    elif op == "delete":
        del out[at]
    elif op == "lower" and eq:
        out[at] = key.lower() + eq + rest
    elif op == "space_key" and eq and "_" in key:
        out[at] = key.replace("_", " ", 1) + eq + rest
    elif op == "value" and eq:
        out[at] = key + "= " + text + (" [km]" if len(text) % 2 else "")
    elif op == "unit" and eq:
        out[at] = key + "= " + rest.split("[")[0].strip() + f" [{text}]"
    elif op == "comment":
        out.insert(at, "COMMENT " + text)
    elif op == "hbr_comment":
        out.insert(at, "COMMENT HBR" + text)
    elif op == "duplicate":
        out.insert(at, out[at])
    elif op == "tca":
        for i, line in enumerate(out):
            if line.startswith("TCA"):
                out[i] = "TCA = " + text
                break
    elif op == "hbr_key":
        out.insert(at, "HBR = " + text + " [m]")
    return out


_OPS = st.sampled_from(
    ["blank", "delete", "lower", "space_key", "value", "unit", "comment", "hbr_comment", "duplicate", "tca",
     "hbr_key"]
)  # fmt: skip
_TEXT = st.one_of(
    st.text(alphabet=" 0123456789.eE+-=[]kmKMZz:T/*_abc", max_size=24),
    st.sampled_from(
        [
            "2022-02-24T10:03:07.749",
            "2022-02-24T10:03:07Z",
            "2022-055T10:03:07.749",
            "2022-02-30T10:03:07",
            "2022-2-24T10:03:07",
            "1.5e3",
            " = 12 [km]",
            " = 7",
            "m**2",
            "KM",
            "km**2/s",
            "nan",
            "1_000",
            "-0",
            "\u22121.0",
        ]
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_OPS, st.integers(0, 10_000), _TEXT), min_size=1, max_size=4), st.booleans())
@example([("value", 17, ".")], False)  # regression: "COMMENT HBR = . [km]" was a bare ValueError
@example([("hbr_comment", 0, " = 1e")], True)
def test_fuzzed_messages_fast_route_equals_parser(edits, crlf):
    lines = _BASE
    for op, at, text in edits:
        lines = _mutate(lines, op, at, text)
    message = ("\r\n" if crlf else "\n").join(lines) + "\n"
    ref = _reference(message)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always", DataQualityWarning)
        fast = read_cdm_table([message])
    if isinstance(ref, str):
        assert fast.error[0] is not None
        assert np.isnan(fast.r_m[0]).all()
    else:
        assert fast.error == [None]
        _assert_rows_equal(fast, 0, ref)


# --- batches ------------------------------------------------------------------------------------
def test_a_bad_message_becomes_a_nan_row_and_one_warning(tmp_path):
    bad = tmp_path / "bad.cdm"
    bad.write_text("CCSDS_CDM_VERS = 1.0\nthis is not KVN\n")
    missing = tmp_path / "missing.cdm"
    items = [KVN[1], bad, missing, KVN[2]]
    with pytest.warns(DataQualityWarning, match="2 of 4 CDMs could not be read"):
        results = pc_from_cdms(items)
    assert np.isnan(results[1].pc) and "bad.cdm:2: not a KVN line" in results[1].extra["error"]
    assert np.isnan(results[2].pc) and "missing.cdm" in results[2].extra["error"]
    for k in (0, 3):
        single = pc_from_cdm(read_cdm(items[k]))
        assert results[k].pc == pytest.approx(single.pc, rel=SAME_DOUBLE)
        assert results[k].extra["tca"] == single.extra["tca"]
        assert results[k].extra["hbr_source"] == single.extra["hbr_source"] == "cdm"


def test_batch_equals_single_for_every_method_and_hbr_choice():
    for method in ("foster", "alfano", "chan", "max"):
        for hbr in (None, 7.5):
            batch = pc_from_cdms([*KVN, XML], method=method, hbr_m=hbr)
            for item, res in zip([*KVN, XML], batch, strict=True):
                single = pc_from_cdm(read_cdm(item), method=method, hbr_m=hbr)
                assert res.pc == pytest.approx(single.pc, rel=SAME_DOUBLE, abs=1e-300), (method, item)
                assert res.hbr_m == single.hbr_m
                assert res.miss_distance_m == pytest.approx(single.miss_distance_m, rel=SAME_DOUBLE)


def test_missing_covariance_is_a_row_error_not_a_crash(tmp_path):
    text = "\n".join(line for line in KVN[1].read_text().splitlines() if not line.startswith("CT_T"))
    path = tmp_path / "nocov.cdm"
    path.write_text(text)
    res = pc_from_cdms([path, KVN[2]])
    assert "lacks a covariance" in res[0].extra["error"] and np.isnan(res[0].pc)
    assert res[1].pc > 0
    assert pc_from_cdms([path], method="max")[0].pc > 0  # max Pc needs no covariance
    with pytest.raises(ParseError, match="lacks a covariance"):
        pc_from_cdm(read_cdm(path))


def test_a_malformed_hbr_comment_number_is_a_parse_error_naming_line_keyword_and_format():
    # found by the fuzz test above: the HBR comment pattern admits "." and "1e", float() did not
    lines = KVN[1].read_text().splitlines()
    assert lines[17] == "COMMENT HBR = 15 [m]"
    lines[17] = "COMMENT HBR = . [m]"
    text = "\n".join(lines) + "\n"
    with pytest.raises(ParseError, match=r"line 18: field 'HBR': not a number") as info:
        _ = read_cdm(text, fmt="kvn").hbr_m
    assert info.value.line == 18 and info.value.field == "HBR"
    assert "COMMENT HBR = 15 [m]" in str(info.value.expected) and info.value.got == "COMMENT HBR = . [m]"
    # in bulk: a NaN row with the error and one warning; the good message beside it is unaffected
    with pytest.warns(DataQualityWarning, match="1 of 2 CDMs could not be read") as caught:
        results = pc_from_cdms([text, KVN[2]])
    assert len([w for w in caught if issubclass(w.category, DataQualityWarning)]) == 1
    assert np.isnan(results[0].pc) and "line 18: field 'HBR': not a number" in results[0].extra["error"]
    assert results[1].pc == pytest.approx(pc_from_cdm(read_cdm(KVN[2])).pc, rel=SAME_DOUBLE)


def test_default_hbr_when_the_message_has_none(tmp_path):
    text = "\n".join(line for line in KVN[1].read_text().splitlines() if "HBR" not in line)
    res = pc_from_cdms([text])[0]
    assert res.hbr_m == DEFAULT_HBR_M and res.extra["hbr_source"] == "default"


def test_itrs_to_teme_many_states_at_many_times_equals_one_by_one():
    rng = np.random.default_rng(3)
    r = rng.normal(size=(5, 3)) * 7000.0
    v = rng.normal(size=(5, 3)) * 7.0
    times = np.datetime64("2022-02-24T10:03:07") + np.arange(5) * np.timedelta64(37, "m")
    rb, vb = itrs_to_teme(r, v, times)
    for k in range(5):
        r1, v1 = itrs_to_teme(r[k], v[k], times[k])
        np.testing.assert_allclose(rb[k], r1, rtol=1e-15, atol=1e-12)
        np.testing.assert_allclose(vb[k], v1, rtol=1e-15, atol=1e-15)


def test_byte_order_mark_and_crlf_stay_on_the_fast_route(tmp_path, monkeypatch):
    windows_style = tmp_path / "bom.cdm"
    windows_style.write_bytes(b"\xef\xbb\xbf" + KVN[1].read_bytes().replace(b"\n", b"\r\n"))
    ref = _reference(KVN[1].read_text())
    assert isinstance(ref, CDMTable)
    _no_parser(monkeypatch)
    fast = read_cdm_table([windows_style])
    assert fast.error == [None]
    _assert_rows_equal(fast, 0, ref)
