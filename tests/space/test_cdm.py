"""CCSDS 508.0-B-1 CDM reading/writing: the standard's own samples, real NASA CARA CDMs, fuzzing.

Fixtures and their provenance: tests/data/cdm/README.md. Pc reference values are the
COLLISION_PROBABILITY that NASA CARA wrote into its CDMs (FOSTER-1992, 4 significant digits;
CARA also shifts the states to the unrounded TCA, hence the 1 % tolerance).
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.errors import InputError, ParseError
from skywarden.space.safety.cdm import CDM, DEFAULT_HBR_M, cdm_from_states, pc_from_cdm, read_cdm, write_cdm

DATA = Path(__file__).resolve().parents[1] / "data" / "cdm"
KVN_SAMPLE = DATA / "ccsds_508_annex_sample.kvn"
XML_SAMPLE = DATA / "ccsds_508_annex_sample.xml"
TERRA = DATA / "cara_000025994_conj_000026132.cdm"
ICESAT = DATA / "cara_000043613_conj_000049557.cdm"
ALL = [KVN_SAMPLE, XML_SAMPLE, TERRA, ICESAT]
CDM_REL_TOL = 1e-2
ONE_MILLIMETRE = 1e-3  # m


def test_blue_book_kvn_sample_values():
    cdm = read_cdm(KVN_SAMPLE)
    assert cdm.tca.isoformat() == "2010-03-13T22:37:52.618000+00:00"
    assert cdm.miss_distance_m == 715.0
    assert cdm.relative_speed_m_s == 14762.0
    assert cdm.collision_probability == pytest.approx(4.835e-05)
    assert cdm.collision_probability_method == "FOSTER-1992"
    assert cdm.object_designator(1) == "12345"
    assert cdm.object_name(2) == "FENGYUN 1C DEB"
    r, v = cdm.state_m(1)
    np.testing.assert_allclose(r, [2570097.065, 2244654.904, 6281497.978])
    np.testing.assert_allclose(v, [4418.769571, 4833.547743, -3526.774282])
    cov = cdm.covariance_rtn(2)
    assert cov[0, 0] == 1.337e03 and cov[1, 0] == cov[0, 1] == -4.806e04 and cov[5, 5] == 5.178e-05
    assert cdm.get("TRACKS_USED", 1) == "119"  # the book's "TRACKS USED" keyword, normalised
    assert cdm.get("START_SCREEN_PERIOD") == "2010-03-12T18:29:32:212"  # kept verbatim
    # no HBR keyword or comment: the two AREA_PC values give equal-area radii
    assert cdm.hbr_m == pytest.approx(math.sqrt(5.2 / math.pi) + math.sqrt(0.9 / math.pi))


def test_blue_book_xml_sample_matches_kvn_sample_where_they_agree():
    kvn, xml = read_cdm(KVN_SAMPLE), read_cdm(XML_SAMPLE)
    assert xml.tca == kvn.tca
    for which in (1, 2):
        np.testing.assert_array_equal(xml.state_m(which)[0], kvn.state_m(which)[0])
        np.testing.assert_array_equal(xml.covariance_rtn(which), kvn.covariance_rtn(which))
    assert xml.header[0].key == "CCSDS_CDM_VERS" and xml.header[0].value == "1.0"
    assert xml.header[1].key == "COMMENT" and xml.header[1].value == "Sample CDM - XML version"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_lossless_round_trips(path, tmp_path):
    """read → write → read is the identity in both formats, and KVN ↔ XML loses nothing."""
    cdm = read_cdm(path)
    from_kvn = CDM.from_kvn(cdm.to_kvn())
    from_xml = CDM.from_xml(cdm.to_xml())
    assert from_kvn == cdm
    assert from_xml == cdm
    assert CDM.from_kvn(from_xml.to_kvn()).to_kvn() == cdm.to_kvn()
    for suffix in (".cdm", ".xml"):
        out = write_cdm(cdm, tmp_path / f"copy{suffix}")
        assert read_cdm(out) == cdm
        assert out.read_text(encoding="utf-8").lstrip().startswith("<") == (suffix == ".xml")


@pytest.mark.parametrize(
    ("path", "cara_pc"), [(TERRA, 1.213e-03), (ICESAT, 2.177e-08)], ids=["terra", "icesat2"]
)
def test_recomputed_pc_matches_cara(path, cara_pc):
    cdm = read_cdm(path)
    assert cdm.collision_probability == cara_pc
    res = pc_from_cdm(cdm)
    assert res.pc == pytest.approx(cara_pc, rel=CDM_REL_TOL)
    assert res.extra["hbr_source"] == "cdm"
    assert res.short_term
    # the states reproduce the CDM's own miss distance (given to the metre) and relative speed
    assert res.miss_distance_m == pytest.approx(cdm.miss_distance_m, abs=1.0)
    assert res.relative_speed_m_s == pytest.approx(cdm.relative_speed_m_s, abs=1.0)


def test_hbr_precedence():
    cdm = read_cdm(TERRA)
    assert cdm.hbr_m == 15.0  # "COMMENT HBR = 15 [m]"
    assert pc_from_cdm(cdm, hbr_m=5.0).hbr_m == 5.0

    def strip(entries):
        return [e for e in entries if e.key != "COMMENT"]

    bare = CDM(cdm.header, strip(cdm.relative), (strip(cdm.objects[0]), strip(cdm.objects[1])))
    res = pc_from_cdm(bare)
    assert res.hbr_m == DEFAULT_HBR_M and res.extra["hbr_source"] == "default"


def test_unicode_minus_and_missing_units():
    text = KVN_SAMPLE.read_text().replace("Z_DOT = -3.526774282 [km/s]", "Z_DOT = \u22123.526774282")
    cdm = CDM.from_kvn(text)
    assert cdm.state_m(1)[1][2] == pytest.approx(-3526.774282)


def test_cdm_from_states_round_trip():
    cdm = read_cdm(TERRA)
    r1, v1 = cdm.state_m(1)
    r2, v2 = cdm.state_m(2)
    built = cdm_from_states(
        tca=cdm.tca,
        objects=[
            {"designator": 25994, "name": "TERRA", "r_m": r1, "v_m_s": v1, "cov_rtn": cdm.covariance_rtn(1)},
            {"designator": 26132, "name": "CZ-4 DEB", "r_m": r2, "v_m_s": v2, "cov_rtn": cdm.covariance_rtn(2)},
        ],
        miss_distance_m=25.0, relative_speed_m_s=4489.0, relative_position_rtn_m=[24.4, -2.5, -1.4],
        relative_velocity_rtn_m_s=[-69.7, -1306.8, 4294.3], comments=["HBR = 15 [m]"],
    )  # fmt: skip
    again = CDM.from_xml(built.to_xml())
    assert again == built
    np.testing.assert_allclose(again.state_m(2)[0], r2, atol=ONE_MILLIMETRE)
    assert pc_from_cdm(again).pc == pytest.approx(pc_from_cdm(cdm).pc, rel=1e-5)


def test_errors_name_file_line_and_field(tmp_path):
    lines = KVN_SAMPLE.read_text().splitlines()
    bad = tmp_path / "bad.cdm"
    bad.write_text("\n".join([*lines[:7], "MISS_DISTANCE 715 [m]", *lines[8:]]))
    with pytest.raises(ParseError) as err:
        read_cdm(bad)
    assert err.value.path == str(bad) and err.value.line == 8 and "KEYWORD = value" in str(err.value)

    bad.write_text(KVN_SAMPLE.read_text().replace("X = 2570.097065 [km]", "X = 25x0.097065 [km]"))
    with pytest.raises(ParseError) as err:
        read_cdm(bad).state_m(1)
    assert err.value.field == "X" and err.value.line is not None and "25x0.097065" in str(err.value)

    one_object = "\n".join(lines[: lines.index("OBJECT = OBJECT2")])
    with pytest.raises(ParseError, match="exactly two OBJECT sections"):
        CDM.from_kvn(one_object)
    with pytest.raises(ParseError, match="CCSDS_CDM_VERS"):
        CDM.from_kvn("\n".join(lines[1:]))
    with pytest.raises(ParseError) as err:
        CDM.from_xml(XML_SAMPLE.read_text().replace("</header>", "</head>"), source="x.xml")
    assert err.value.line is not None
    with pytest.raises(InputError):
        read_cdm(Path(tmp_path / "missing.cdm"))
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ParseError, match="UTF-8"):
        read_cdm(bad)


_ALLOWED = (ParseError,)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_fuzz_garbage_text(text):
    with contextlib.suppress(*_ALLOWED):
        CDM.from_kvn(text)
    with contextlib.suppress(*_ALLOWED):
        CDM.from_xml(text)


@settings(max_examples=120, deadline=None)
@given(st.integers(min_value=0, max_value=len(TERRA.read_text())), st.booleans())
def test_fuzz_truncated_real_messages(cut, xml):
    source = read_cdm(TERRA)
    text = source.to_xml() if xml else source.to_kvn()
    try:
        cdm = CDM.from_xml(text[:cut]) if xml else CDM.from_kvn(text[:cut])
    except _ALLOWED:
        return
    # a truncation that still parses must give a usable message or a clear error downstream
    with contextlib.suppress(*_ALLOWED):
        pc_from_cdm(cdm)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_binary_files(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("fuzz") / "blob.cdm"
    path.write_bytes(blob)
    with contextlib.suppress(*_ALLOWED):
        read_cdm(path)


def test_read_cdm_accepts_paths_strings_and_text(tmp_path):
    text = TERRA.read_text()
    assert read_cdm(str(TERRA)) == read_cdm(TERRA) == read_cdm(text)
    assert read_cdm(XML_SAMPLE.read_text()) == read_cdm(XML_SAMPLE)
    with pytest.raises(InputError, match="no such CDM file"):
        read_cdm(str(tmp_path / "nothere.cdm"))
    with pytest.raises(InputError, match="cannot read"):
        read_cdm(tmp_path)
