"""CelesTrak GP downloader, against local fixtures only (respx; no network).

Fixture ``tests/data/celestrak-gp-resource-sample.json``: five real CelesTrak ``resource``
records (2026-05-30 snapshot in shared/data) in CelesTrak's GP JSON layout. The "No GP data
found" answer text is CelesTrak's, as recorded in the gpconf corpus
(``recorded/celestrak-no-gp-data-found.txt``).
"""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import respx

from skywarden.errors import DownloadError, NotFoundError, OptionError, SkywardenWarning
from skywarden.space.catalog.celestrak import CELESTRAK_GP_URL, fetch_gp, fetch_gp_catalog

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "celestrak-gp-resource-sample.json"


@respx.mock
def test_group_fetch_is_cached(tmp_path: Path) -> None:
    route = respx.get(CELESTRAK_GP_URL, params={"GROUP": "resource", "FORMAT": "json"}).mock(
        return_value=httpx.Response(200, text=FIXTURE.read_text())
    )
    catalog = fetch_gp_catalog(group="resource", cache_dir=tmp_path)
    assert list(catalog.norad_ids) == [22490, 25397, 25504, 25757, 25994]
    again = fetch_gp(group="resource", cache_dir=tmp_path)
    assert route.call_count == 1 and again.parent == tmp_path
    old = time.time() - 3 * 3600
    os.utime(again, (old, old))
    fetch_gp(group="resource", cache_dir=tmp_path, max_age=timedelta(hours=2))
    assert route.call_count == 2


@respx.mock
def test_ids_fetch_one_request_each(tmp_path: Path) -> None:
    records = json.loads(FIXTURE.read_text())
    for record in records[:2]:
        respx.get(CELESTRAK_GP_URL, params={"CATNR": str(record["NORAD_CAT_ID"])}).mock(
            return_value=httpx.Response(200, json=[record])
        )
    calls: list[tuple[int, int]] = []
    path = fetch_gp(ids=[25397, 22490], cache_dir=tmp_path, progress=lambda d, t: calls.append((d, t)))
    assert [r["NORAD_CAT_ID"] for r in json.loads(path.read_text())] == [22490, 25397]
    assert calls == [(1, 2), (2, 2)]


@respx.mock
def test_unknown_group_and_failures(tmp_path: Path) -> None:
    respx.get(CELESTRAK_GP_URL, params={"GROUP": "nothing"}).mock(
        return_value=httpx.Response(200, text="No GP data found")
    )
    with pytest.raises(NotFoundError, match="GROUP=nothing"):
        fetch_gp(group="nothing", cache_dir=tmp_path)
    respx.get(CELESTRAK_GP_URL, params={"GROUP": "down"}).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(DownloadError, match="failed"):
        fetch_gp(group="down", cache_dir=tmp_path)
    respx.get(CELESTRAK_GP_URL, params={"GROUP": "html"}).mock(
        return_value=httpx.Response(200, text="<html>")
    )
    with pytest.raises(DownloadError, match="not JSON"):
        fetch_gp(group="html", cache_dir=tmp_path)
    with pytest.raises(OptionError):
        fetch_gp(group="a b", cache_dir=tmp_path)
    with pytest.raises(OptionError):
        fetch_gp(cache_dir=tmp_path)


@respx.mock
def test_stale_cache_used_when_offline(tmp_path: Path) -> None:
    cached = tmp_path / "gp-group-resource.json"
    cached.write_text(FIXTURE.read_text())
    old = time.time() - 10 * 3600
    os.utime(cached, (old, old))
    respx.get(CELESTRAK_GP_URL).mock(return_value=httpx.Response(503))
    with pytest.warns(SkywardenWarning, match="cached copy"):
        path = fetch_gp(group="resource", cache_dir=tmp_path)
    assert path == cached
