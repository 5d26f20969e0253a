"""skywarden: air-and-space domain awareness from public data.

The public Python surface is exactly the names in ``__all__`` below (a test keeps this list
complete and free of private names). Submodules are implementation detail unless re-exported.
"""

from __future__ import annotations

from .air import Reports, Track, TrackingResult, read_reports, track_reports
from .air.output import tracking_summary, write_tracks
from .errors import (
    DataQualityWarning,
    DomainError,
    DownloadError,
    InputError,
    NotFoundError,
    OMMError,
    OptionError,
    ParseError,
    PropagationError,
    ReportFormatError,
    SkywardenError,
    SkywardenWarning,
    TimeFormatError,
    TLEError,
    ValidationError,
)
from .flight import Backtrack, EnsembleSettings, FlightProfile, Prediction, backtrack, predict
from .flight.maneuvers import Maneuver, ManeuverAnalysis, detect_maneuvers
from .flight.reach import Arrival, ReachResult, SteeringLimits, earliest_arrival, reachable_region
from .flight.summary import backtrack_summary, prediction_summary
from .geo import mean_position
from .hazard import (
    DefaultPopulation,
    Payload,
    RasterPopulation,
    RiskLimits,
    TerminationPlan,
    casualty_expectation,
    fall,
    impact_dispersion,
    load_payload,
    termination_windows,
)
from .sites import Site, load_sites, parse_site
from .space.catalog.catalog import Catalog, StaleLimits, load_catalog, write_catalog
from .space.catalog.elements import Elements, orbit_class
from .space.catalog.issues import RecordIssue
from .space.catalog.metadata import join_metadata, load_ucs, select_by_purpose, ucs_metadata
from .space.catalog.omm import to_omm_csv, to_omm_json, to_omm_kvn, to_omm_xml
from .space.catalog.tle import format_tle, parse_tle_lines
from .space.orbit.frames import gmst82_rad, itrs_to_geodetic, teme_to_geodetic, teme_to_itrs, topocentric
from .space.orbit.output import write_ephemeris_rows
from .space.orbit.propagate import Ephemeris, Propagator, iter_propagate, propagate
from .space.orbit.sun import subsolar_point, sun_elevation_deg, sun_position, sun_ra_dec
from .space.overflight.access import AccessWindow, QuietWindow, Threat, access_windows, quiet_windows
from .space.overflight.output import write_access_windows, write_quiet_windows
from .space.overflight.query import (
    OverflightSearch,
    QuietSearch,
    overflight_records,
    parse_threats,
    quiet_records,
    search_overflights,
    search_quiet,
)
from .space.overflight.sensors import SensorTable, load_sensors
from .space.safety.cdm import (
    CDM,
    cdm_from_conjunction,
    read_cdm,
    write_cdm,
    write_conjunction_cdms,
)
from .space.safety.cdm_table import CDMTable, pc_from_cdm, pc_from_cdms, read_cdm_table
from .space.safety.conjunction import Conjunction, screen
from .space.safety.output import conjunction_records, write_conjunctions
from .space.safety.pc import collision_probability, max_pc, pc_alfano, pc_chan, pc_foster, pc_monte_carlo
from .timeutil import isoformat, parse_duration, parse_time, time_grid
from .weather import WindField, load_winds, standard_atmosphere, us1976
from .zones.airspace import Zone, builtin_adiz, load_zones, read_openair, zones_to_geojson
from .zones.entry import ZoneCrossing, ZoneEntryStats, zone_crossings, zone_entry_probability
from .zones.exposure import SiteExposure, SitePass, site_exposure, site_passes
from .zones.links import (
    GroundLinkChance,
    LinkWindow,
    ground_link_probability,
    ground_link_windows,
    satellite_link_probability,
    satellite_link_windows,
)
from .zones.paths import Paths, read_prediction, read_track_files
from .zones.report import exposure_report, link_report, write_exposure, write_links

__version__ = "0.1.0"

__all__ = [
    "CDM",
    "AccessWindow",
    "Arrival",
    "Backtrack",
    "CDMTable",
    "Catalog",
    "Conjunction",
    "DataQualityWarning",
    "DefaultPopulation",
    "DomainError",
    "DownloadError",
    "Elements",
    "EnsembleSettings",
    "Ephemeris",
    "FlightProfile",
    "GroundLinkChance",
    "InputError",
    "LinkWindow",
    "Maneuver",
    "ManeuverAnalysis",
    "NotFoundError",
    "OMMError",
    "OptionError",
    "OverflightSearch",
    "ParseError",
    "Paths",
    "Payload",
    "Prediction",
    "PropagationError",
    "Propagator",
    "QuietSearch",
    "QuietWindow",
    "RasterPopulation",
    "ReachResult",
    "RecordIssue",
    "ReportFormatError",
    "Reports",
    "RiskLimits",
    "SensorTable",
    "Site",
    "SiteExposure",
    "SitePass",
    "SkywardenError",
    "SkywardenWarning",
    "StaleLimits",
    "SteeringLimits",
    "TLEError",
    "TerminationPlan",
    "Threat",
    "TimeFormatError",
    "Track",
    "TrackingResult",
    "ValidationError",
    "WindField",
    "Zone",
    "ZoneCrossing",
    "ZoneEntryStats",
    "__version__",
    "access_windows",
    "backtrack",
    "backtrack_summary",
    "builtin_adiz",
    "casualty_expectation",
    "cdm_from_conjunction",
    "collision_probability",
    "conjunction_records",
    "detect_maneuvers",
    "earliest_arrival",
    "exposure_report",
    "fall",
    "format_tle",
    "gmst82_rad",
    "ground_link_probability",
    "ground_link_windows",
    "impact_dispersion",
    "isoformat",
    "iter_propagate",
    "itrs_to_geodetic",
    "join_metadata",
    "link_report",
    "load_catalog",
    "load_payload",
    "load_sensors",
    "load_sites",
    "load_ucs",
    "load_winds",
    "load_zones",
    "max_pc",
    "mean_position",
    "orbit_class",
    "overflight_records",
    "parse_duration",
    "parse_site",
    "parse_threats",
    "parse_time",
    "parse_tle_lines",
    "pc_alfano",
    "pc_chan",
    "pc_foster",
    "pc_from_cdm",
    "pc_from_cdms",
    "pc_monte_carlo",
    "predict",
    "prediction_summary",
    "propagate",
    "quiet_records",
    "quiet_windows",
    "reachable_region",
    "read_cdm",
    "read_cdm_table",
    "read_openair",
    "read_prediction",
    "read_reports",
    "read_track_files",
    "satellite_link_probability",
    "satellite_link_windows",
    "screen",
    "search_overflights",
    "search_quiet",
    "select_by_purpose",
    "site_exposure",
    "site_passes",
    "standard_atmosphere",
    "subsolar_point",
    "sun_elevation_deg",
    "sun_position",
    "sun_ra_dec",
    "teme_to_geodetic",
    "teme_to_itrs",
    "termination_windows",
    "time_grid",
    "to_omm_csv",
    "to_omm_json",
    "to_omm_kvn",
    "to_omm_xml",
    "topocentric",
    "track_reports",
    "tracking_summary",
    "ucs_metadata",
    "us1976",
    "write_access_windows",
    "write_catalog",
    "write_cdm",
    "write_conjunction_cdms",
    "write_conjunctions",
    "write_ephemeris_rows",
    "write_exposure",
    "write_links",
    "write_quiet_windows",
    "write_tracks",
    "zone_crossings",
    "zone_entry_probability",
    "zones_to_geojson",
]
