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

from . import pipeline, readings, reporting
from .clusterwise import (
    BootstrapLRTResult,
    ClusterwiseRegression,
    ClusterwiseResults,
    CollapsedStartsWarning,
    CollinearityWarning,
    DegenerateSolutionWarning,
    PermutationTestResult,
    SeparationWarning,
    align_segments,
    answer_grid,
    bootstrap_coefficients,
    bootstrap_lrt,
    fit_clusterwise,
    permutation_test,
    segment_recovery,
    segment_stability,
    select_n_components,
)
from .codebook import Codebook, CodebookError, ColumnSpec
from .complaints import TARP_REPURCHASE, complaint_outcome, recovery_paradox, repurchase_by_complaint
from .datasets import (
    load_codebook,
    load_corp_rep,
    load_ecsi_mobi,
    load_golf_survey,
    load_golf_truth,
)
from .importance import QUADRANTS, importance_performance
from .measurement import (
    FactorModel,
    confirmatory_factor_analysis,
    fornell_larcker,
    harman_single_factor,
    htmt,
    item_statistics,
    scale_reliability,
)
from .plotting import DRIVER_COLOURS, SEGMENT_COLOURS, set_theme
from .realism import realism_table, true_parameter_ari
from .retention import (
    customer_lifetime_value,
    defection_sensitivity,
    leaky_bucket,
    rfm_scores,
    value_based_types,
)
from .simulate import (
    DEFAULT_SEED,
    GolfSurveyParameters,
    golf_codebook,
    segment_coefficients,
    simulate_golf_survey,
)
from .structural import (
    ECSI_MEASUREMENT,
    ECSI_STRUCTURAL,
    PLSResult,
    fit_corporate_reputation,
    fit_ecsi,
    fit_pls,
)
from .survey import (
    StraightLiningWarning,
    SurveyDataError,
    flag_straightliners,
    missing_summary,
    read_survey,
    score_constructs,
    validate_survey,
)
from .theories import (
    SatisfactionLoyaltyResult,
    TheoryComparison,
    compare_loyalty_theories,
    mediation,
    relative_importance,
    restricted_cubic_spline,
    satisfaction_loyalty,
    trust_hierarchy,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_SEED",
    "DRIVER_COLOURS",
    "ECSI_MEASUREMENT",
    "ECSI_STRUCTURAL",
    "QUADRANTS",
    "SEGMENT_COLOURS",
    "TARP_REPURCHASE",
    "BootstrapLRTResult",
    "ClusterwiseRegression",
    "ClusterwiseResults",
    "Codebook",
    "CodebookError",
    "CollapsedStartsWarning",
    "CollinearityWarning",
    "ColumnSpec",
    "DegenerateSolutionWarning",
    "FactorModel",
    "GolfSurveyParameters",
    "PLSResult",
    "PermutationTestResult",
    "SatisfactionLoyaltyResult",
    "SeparationWarning",
    "StraightLiningWarning",
    "SurveyDataError",
    "TheoryComparison",
    "align_segments",
    "answer_grid",
    "bootstrap_coefficients",
    "bootstrap_lrt",
    "compare_loyalty_theories",
    "complaint_outcome",
    "confirmatory_factor_analysis",
    "customer_lifetime_value",
    "defection_sensitivity",
    "fit_clusterwise",
    "fit_corporate_reputation",
    "fit_ecsi",
    "fit_pls",
    "flag_straightliners",
    "fornell_larcker",
    "golf_codebook",
    "harman_single_factor",
    "htmt",
    "importance_performance",
    "item_statistics",
    "leaky_bucket",
    "load_codebook",
    "load_corp_rep",
    "load_ecsi_mobi",
    "load_golf_survey",
    "load_golf_truth",
    "mediation",
    "missing_summary",
    "permutation_test",
    "pipeline",
    "read_survey",
    "readings",
    "realism_table",
    "recovery_paradox",
    "relative_importance",
    "reporting",
    "repurchase_by_complaint",
    "restricted_cubic_spline",
    "rfm_scores",
    "satisfaction_loyalty",
    "scale_reliability",
    "score_constructs",
    "segment_coefficients",
    "segment_recovery",
    "segment_stability",
    "select_n_components",
    "set_theme",
    "simulate_golf_survey",
    "true_parameter_ari",
    "trust_hierarchy",
    "validate_survey",
    "value_based_types",
]
