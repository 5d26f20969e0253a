"""Element sets and catalogs: TLE/3LE and OMM (KVN, XML, JSON, CSV) reading and writing, the
:class:`Elements` record, :class:`Catalog` loading and summaries, per-record issues, the CelesTrak
GP downloader and the UCS satellite metadata join."""

from __future__ import annotations

from .catalog import (
    CATALOG_FORMATS,
    Catalog,
    StaleLimits,
    detect_format,
    format_catalog,
    format_for_path,
    load_catalog,
    read_catalog_text,
    write_catalog,
)
from .celestrak import CELESTRAK_GP_URL, default_cache_dir, fetch_gp, fetch_gp_catalog
from .elements import Elements, orbit_class
from .issues import ISSUE_KINDS, RecordIssue, summarize_issues, warn_issues
from .metadata import UCS_COLUMNS, join_metadata, load_ucs, select_by_purpose, ucs_metadata
from .omm import (
    OMM_FIELDS,
    elements_to_omm,
    omm_to_elements,
    parse_omm_epoch,
    read_omm_text,
    to_omm_csv,
    to_omm_json,
    to_omm_kvn,
    to_omm_xml,
)
from .tle import (
    LINE1_TEMPLATE,
    LINE2_TEMPLATE,
    MAX_TLE_NORAD_ID,
    alpha5_decode,
    alpha5_encode,
    format_3le,
    format_tle,
    parse_tle_lines,
    read_tle_text,
    tle_checksum,
    write_tle_text,
)

__all__ = [
    "CATALOG_FORMATS",
    "CELESTRAK_GP_URL",
    "ISSUE_KINDS",
    "LINE1_TEMPLATE",
    "LINE2_TEMPLATE",
    "MAX_TLE_NORAD_ID",
    "OMM_FIELDS",
    "UCS_COLUMNS",
    "Catalog",
    "Elements",
    "RecordIssue",
    "StaleLimits",
    "alpha5_decode",
    "alpha5_encode",
    "default_cache_dir",
    "detect_format",
    "elements_to_omm",
    "fetch_gp",
    "fetch_gp_catalog",
    "format_3le",
    "format_catalog",
    "format_for_path",
    "format_tle",
    "join_metadata",
    "load_catalog",
    "load_ucs",
    "omm_to_elements",
    "orbit_class",
    "parse_omm_epoch",
    "parse_tle_lines",
    "read_catalog_text",
    "read_omm_text",
    "read_tle_text",
    "select_by_purpose",
    "summarize_issues",
    "tle_checksum",
    "to_omm_csv",
    "to_omm_json",
    "to_omm_kvn",
    "to_omm_xml",
    "ucs_metadata",
    "warn_issues",
    "write_catalog",
    "write_tle_text",
]
