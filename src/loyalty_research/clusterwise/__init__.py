"""Clusterwise regression: finite mixtures of linear regressions for market segmentation.

Segments customers by *how* an outcome (loyalty) responds to its drivers (satisfaction,
value): each segment has its own regression line.

* :class:`ClusterwiseRegression`: the estimator. ``method="em"`` is the maximum-likelihood
  mixture of Gaussian regressions of DeSarbo & Cron (1988), fitted by a batched EM from several
  starts with a guard against the degenerate exact fits that tied survey answers make
  possible; ``method="spath"`` is Spaeth's (1979) hard clusterwise regression.
* :func:`fit_clusterwise`: the formula route, returning :class:`ClusterwiseResults` (the
  estimator with its data: ``summary()``, ``concomitant_summary()``, ``criteria()``,
  ``posterior``, ``labels``).
* How many segments: :func:`bootstrap_lrt` (K against K - 1) and :func:`select_n_components`;
  how sure and how stable: :func:`bootstrap_coefficients`, :func:`segment_stability`;
  :func:`permutation_test` tests only whether there is any relation at all.

References
----------
DeSarbo, W. S., & Cron, W. L. (1988). A maximum likelihood methodology for clusterwise linear
regression. Journal of Classification, 5(2), 249-282. https://doi.org/10.1007/BF01897167

Spaeth, H. (1979). Algorithm 39: Clusterwise linear regression. Computing, 22(4), 367-373.
https://doi.org/10.1007/BF02265317

Leisch, F. (2004). FlexMix: A general framework for finite mixture models and latent class
regression in R. Journal of Statistical Software, 11(8). https://doi.org/10.18637/jss.v011.i08
"""

from .estimator import (
    ClusterwiseRegression,
    CollapsedStartsWarning,
    CollinearityWarning,
    DegenerateSolutionWarning,
    SeparationWarning,
)
from .grid import answer_grid
from .inference import (
    BootstrapLRTResult,
    PermutationTestResult,
    align_segments,
    bootstrap_coefficients,
    bootstrap_lrt,
    permutation_test,
    segment_recovery,
    segment_stability,
    select_n_components,
)
from .results import ClusterwiseResults, fit_clusterwise

__all__ = [
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
]
