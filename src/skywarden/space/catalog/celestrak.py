"""Download current general-perturbations elements (OMM JSON) from CelesTrak, with a disk cache.

CelesTrak GP API (https://celestrak.org/NORAD/documentation/gp-data-formats.php)::

    https://celestrak.org/NORAD/elements/gp.php?GROUP=active&FORMAT=json
    https://celestrak.org/NORAD/elements/gp.php?CATNR=25544&FORMAT=json

CelesTrak asks clients not to fetch the same data more than once per update (about every two
hours), so a cached answer younger than ``max_age`` is used without any request. When a request
fails and an older cached copy exists, that copy is used with a :class:`SkywardenWarning`; with
no copy, :class:`DownloadError`. An unknown group or id gets the text ``No GP data found`` (HTTP
200) from CelesTrak, which becomes :class:`NotFoundError`. Data credit: CelesTrak; the elements
come from the 18th Space Defense Squadron.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import httpx
import platformdirs

from ...errors import DownloadError, NotFoundError, OMMError, OptionError, SkywardenWarning
from .catalog import Catalog, load_catalog
from .omm import read_omm_text

__all__ = ["CELESTRAK_GP_URL", "default_cache_dir", "fetch_gp", "fetch_gp_catalog"]

CELESTRAK_GP_URL = "https://celestrak.org/NORAD/elements/gp.php"
DEFAULT_MAX_AGE = timedelta(hours=2)
_GROUP_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def default_cache_dir() -> Path:
    """``<user cache dir>/skywarden/celestrak`` (platformdirs)."""
    return Path(platformdirs.user_cache_dir("skywarden")) / "celestrak"


def fetch_gp(
    *,
    group: str | None = None,
    ids: Sequence[int] | None = None,
    cache_dir: str | Path | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    client: httpx.Client | None = None,
    timeout_s: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Fetch one CelesTrak group or a list of catalog numbers as OMM JSON; return the cached file.

    Exactly one of ``group`` / ``ids``. Ids are fetched one request each (``CATNR=``) and
    stored together as one JSON array. ``progress(done, total)`` is called per request.
    """
    if (group is None) == (ids is None):
        raise OptionError("group/ids", (group, ids), ["group='active' (one group)", "ids=[25544, …]"])
    if group is not None and not _GROUP_RE.fullmatch(group):
        raise OptionError("group", group, ["a CelesTrak group name such as 'active', 'stations', 'starlink'"])
    id_list = [int(i) for i in ids] if ids is not None else []
    if ids is not None and (not id_list or any(not 0 < i <= 999_999_999 for i in id_list)):
        raise OptionError("ids", ids, ["one or more catalog numbers 1 … 999999999"])
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = (
        f"group-{group.lower()}" if group is not None else "catnr-" + "-".join(map(str, sorted(set(id_list))))
    )
    if len(key) > 120:
        key = f"catnr-{len(id_list)}-{abs(hash(tuple(sorted(id_list)))):x}"
    target = folder / f"gp-{key}.json"
    if target.is_file() and time.time() - target.stat().st_mtime < max_age.total_seconds():
        return target
    queries = (
        [{"GROUP": group, "FORMAT": "json"}]
        if group is not None
        else [{"CATNR": str(i), "FORMAT": "json"} for i in sorted(set(id_list))]
    )
    owns_client = client is None
    session = client or httpx.Client(
        timeout=timeout_s,
        follow_redirects=True,
        headers={"User-Agent": "skywarden (https://pypi.org/project/skywarden)"},
    )
    records: list[object] = []
    try:
        for done, params in enumerate(queries, start=1):
            records.extend(_get_records(session, params, target))
            if progress is not None:
                progress(done, len(queries))
    except DownloadError:
        if target.is_file():
            warnings.warn(
                f"CelesTrak could not be reached; using the cached copy {target} "
                f"({(time.time() - target.stat().st_mtime) / 3600:.1f} h old)",
                SkywardenWarning,
                stacklevel=2,
            )
            return target
        raise
    finally:
        if owns_client:
            session.close()
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_text(json.dumps(records), encoding="utf-8")
    partial.replace(target)
    return target


def _get_records(session: httpx.Client, params: dict[str, str], target: Path) -> list[object]:
    what = ", ".join(f"{k}={v}" for k, v in params.items())
    try:
        response = session.get(CELESTRAK_GP_URL, params=params)
    except httpx.HTTPError as exc:
        raise DownloadError(f"CelesTrak request ({what}) failed: {exc}") from None
    if response.status_code != 200:
        raise DownloadError(f"CelesTrak answered HTTP {response.status_code} for {what}")
    body = response.text.strip()
    if body.lower().startswith("no gp data found"):
        raise NotFoundError(f"CelesTrak has no GP data for {what}")
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        raise DownloadError(f"CelesTrak answer for {what} is not JSON: {body[:80]!r}") from None
    items = data if isinstance(data, list) else [data]
    try:
        read_omm_text(json.dumps(items), "omm-json", path=str(target), strict=True)
    except OMMError as exc:
        raise DownloadError(f"CelesTrak answer for {what} is not valid OMM JSON: {exc}") from None
    return items


def fetch_gp_catalog(
    *,
    group: str | None = None,
    ids: Sequence[int] | None = None,
    cache_dir: str | Path | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    client: httpx.Client | None = None,
) -> Catalog:
    """:func:`fetch_gp` then :func:`~skywarden.space.catalog.load_catalog` of the cached file."""
    path = fetch_gp(group=group, ids=ids, cache_dir=cache_dir, max_age=max_age, client=client)
    return load_catalog(path, format="omm-json")
