"""Space safety: conjunction screening, the default TLE covariance model, collision-probability
methods (:mod:`.pc`), CCSDS CDM reading/writing, bulk CDM tables, formation triage, event writers."""

from __future__ import annotations

from .cdm import (
    CDM,
    DEFAULT_HBR_M,
    CDMEntry,
    cdm_from_conjunction,
    cdm_from_states,
    read_cdm,
    write_cdm,
    write_conjunction_cdms,
)
from .cdm_table import CDMTable, pc_from_cdm, pc_from_cdms, read_cdm_table
from .conjunction import DEFAULT_SCREEN_HBR_M, Conjunction, colocated_groups, refine_tca, screen, screen_part
from .covariance import (
    DEFAULT_TLE_COVARIANCE_SOURCE,
    FLOHRER_2008_TABLE1,
    FLOHRER_2008_TABLE2,
    LEVIT_MARSHALL_2011_GROWTH_M_PER_DAY,
    TLE_SIGMA_MODEL,
    default_tle_covariance,
    flohrer_regime,
    inertial_to_rtn,
    repair_covariance,
    rtn_matrix,
    rtn_to_inertial,
    tle_sigma_class,
    tle_sigma_class_for,
)
from .formation import (
    FORMATION_MAX_RELATIVE_SPEED_M_S,
    FORMATION_MAX_SEPARATION_KM,
    ConjunctionTriage,
    PairMotion,
    headline_order,
    pair_motion,
    triage_conjunctions,
)
from .output import EVENT_COLUMNS, EVENT_SUFFIXES, conjunction_records, events_csv, write_conjunctions

__all__ = [
    "CDM",
    "DEFAULT_HBR_M",
    "DEFAULT_SCREEN_HBR_M",
    "DEFAULT_TLE_COVARIANCE_SOURCE",
    "EVENT_COLUMNS",
    "EVENT_SUFFIXES",
    "FLOHRER_2008_TABLE1",
    "FLOHRER_2008_TABLE2",
    "FORMATION_MAX_RELATIVE_SPEED_M_S",
    "FORMATION_MAX_SEPARATION_KM",
    "LEVIT_MARSHALL_2011_GROWTH_M_PER_DAY",
    "TLE_SIGMA_MODEL",
    "CDMEntry",
    "CDMTable",
    "Conjunction",
    "ConjunctionTriage",
    "PairMotion",
    "cdm_from_conjunction",
    "cdm_from_states",
    "colocated_groups",
    "conjunction_records",
    "default_tle_covariance",
    "events_csv",
    "flohrer_regime",
    "headline_order",
    "inertial_to_rtn",
    "pair_motion",
    "pc_from_cdm",
    "pc_from_cdms",
    "read_cdm",
    "read_cdm_table",
    "refine_tca",
    "repair_covariance",
    "rtn_matrix",
    "rtn_to_inertial",
    "screen",
    "screen_part",
    "tle_sigma_class",
    "tle_sigma_class_for",
    "triage_conjunctions",
    "write_cdm",
    "write_conjunction_cdms",
    "write_conjunctions",
]
