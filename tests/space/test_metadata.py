"""UCS metadata join. Reference counts: README of shared/data/satellite-metadata (7,560 rows;
130 of the 167 objects of the 2026-05-30 ``resource`` group are in UCS; one ``LEo`` typo)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skywarden.errors import DataQualityWarning, NotFoundError, ParseError
from skywarden.space.catalog import load_catalog
from skywarden.space.catalog.metadata import UCS_COLUMNS, join_metadata, load_ucs

UCS = "satellite-metadata/UCS-Satellite-Database-5-1-2023.csv"


@pytest.fixture(scope="module")
def ucs(shared_data: Path) -> pd.DataFrame:
    with pytest.warns(DataQualityWarning, match="9 repeated NORAD"):
        return load_ucs(shared_data / UCS)


def test_load_ucs_handles_bom_typo_and_duplicates(ucs: pd.DataFrame) -> None:
    assert list(ucs.columns) == list(UCS_COLUMNS)
    assert len(ucs) == 7_560 - 9  # 7,560 rows, nine NORAD numbers listed twice (first kept)
    assert set(ucs["orbit_class"].dropna()) == {"LEO", "MEO", "GEO", "Elliptical"}  # 'LEo' fixed
    iss = ucs.loc[25544]
    assert iss["country"] == "Multinational" and iss["purpose"] == "Space Science"
    assert ucs.index.name == "norad_id" and ucs.index.is_unique


def test_join_resource_group(shared_data: Path, ucs: pd.DataFrame) -> None:
    catalog = load_catalog(shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle")
    joined = join_metadata(catalog, ucs)
    assert len(joined) == 167 and int(joined["in_ucs"].sum()) == 130
    assert list(joined["norad_id"]) == list(catalog.norad_ids)
    row = joined.set_index("norad_id").loc[25504]
    assert row["country"] == "Brazil" and row["operator"].startswith("Instituto Nacional")
    assert row["orbit_class"] == "LEO" and row["catalog_orbit_class"] == "LEO"
    absent = joined[~joined["in_ucs"]].iloc[0]
    assert absent["operator"] is None and absent["catalog_name"]


def test_bad_ucs_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_ucs(tmp_path / "none.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(ParseError, match="NORAD Number") as info:
        load_ucs(wrong)
    assert info.value.line == 1
