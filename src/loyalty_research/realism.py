"""How a simulated survey compares with published realism targets for satisfaction surveys.

Each target has a range, a source and a verification status (``docs/research/realism_targets.md``
holds the full references and says which numbers were seen in the source and which were not).
:func:`realism_table` measures a survey and its truth against every target; the data card,
notebook 01 and the tests print or check it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal, stats
from sklearn.metrics import adjusted_rand_score

from ._ols import residuals
from .codebook import Codebook
from .measurement import item_statistics, scale_reliability
from .survey import score_constructs

__all__ = ["REALISM_TARGETS", "RealismTarget", "realism_table", "true_parameter_ari"]

#: Constructs whose positively worded items are evaluations of the club (positivity bias applies).
EVALUATIVE = (
    "disconfirmation",
    "quality_course",
    "quality_service",
    "quality_facilities",
    "perceived_benefits",
    "satisfaction",
    "trust_cognitive",
    "trust_affective",
    "trust_behavioural",
    "loyalty",
)


@dataclass(frozen=True)
class RealismTarget:
    """One published (or assumed) property of real survey data and where it comes from."""

    key: str
    target: str
    low: float
    high: float
    source: str
    verified: str


REALISM_TARGETS: tuple[RealismTarget, ...] = (
    RealismTarget(
        "item_mean",
        "mean of positively worded evaluative items (7-point)",
        5.0,
        5.5,
        "Peterson & Wilson 1992 (positivity bias); ACSI 77.8/100 = 5.7 on 1-7 (derived)",
        "range unverified",
    ),
    RealismTarget(
        "item_skew_max",
        "largest skewness of those items (all left-skewed)",
        -np.inf,
        0.0,
        "Peterson & Wilson 1992: satisfaction ratings are negatively skewed",
        "yes",
    ),
    RealismTarget(
        "item_sd", "median item SD", 1.1, 1.4, "project target; no published value found", "unverified"
    ),
    RealismTarget(
        "loading_median",
        "median standardised one-factor loading",
        0.6,
        0.85,
        "PLS/CFA rules of thumb (> 0.70, Hair et al.); 0.72-0.96 in one retail study",
        "partly",
    ),
    RealismTarget(
        "alpha_min",
        "lowest Cronbach's alpha of a construct",
        0.7,
        0.92,
        "Peterson 1994: mean alpha .70-.82",
        "yes",
    ),
    RealismTarget(
        "alpha_max",
        "highest Cronbach's alpha of a construct",
        0.7,
        0.92,
        "Peterson & Kim 2013: mean CR .86, alpha .84; do not aim above .95",
        "yes",
    ),
    RealismTarget(
        "r_satisfaction_loyalty",
        "latent correlation satisfaction-loyalty",
        0.45,
        0.65,
        "Curtis et al. 2011: r = .54; Nam et al. 2015: r = .554",
        "yes",
    ),
    RealismTarget(
        "r_expectation_satisfaction",
        "latent correlation expectation-satisfaction",
        0.2,
        0.4,
        "Schiebler, Lee & Brodbeck 2025: r = .29 [.24, .34]",
        "yes",
    ),
    RealismTarget(
        "r_quality_satisfaction",
        "latent correlation quality (mean of 3 dimensions)-satisfaction",
        0.55,
        0.8,
        "sport-organisation meta-analysis: r = .71 [.61, .78]",
        "yes (small, regional)",
    ),
    RealismTarget(
        "r_value_satisfaction",
        "latent correlation delivered value-satisfaction",
        np.nan,
        np.nan,
        "no target: no primary source checked",
        "unverified",
    ),
    RealismTarget(
        "r_value_loyalty",
        "latent correlation delivered value-loyalty",
        np.nan,
        np.nan,
        "no target: no primary source checked",
        "unverified",
    ),
    RealismTarget(
        "r_loyalty_repurchase",
        "correlation of the loyalty score with coming back next year (attitude-behaviour)",
        np.nan,
        np.nan,
        "no target: Curtis et al. 2011 report loyalty-repurchase r = .71, intentions and behaviour mixed",
        "partly",
    ),
    RealismTarget(
        "within_r2_min",
        "lowest within-segment R-squared (segments with a driver)",
        0.3,
        0.6,
        "assumption; Hair et al. 2011 call .50 moderate",
        "unverified",
    ),
    RealismTarget(
        "within_r2_max",
        "highest within-segment R-squared (segments with a driver)",
        0.3,
        0.6,
        "assumption; Hair et al. 2011 call .50 moderate",
        "unverified",
    ),
    RealismTarget(
        "loyalty_skew",
        "skewness of the loyalty scale score",
        -np.inf,
        0.0,
        "project target: loyalty unimodal and left-skewed",
        "design",
    ),
    RealismTarget(
        "loyalty_modes",
        "modes of the latent loyalty density",
        1.0,
        1.0,
        "project target: segments overlap, loyalty unimodal",
        "design",
    ),
    RealismTarget(
        "straightliners",
        "share of straight-liners",
        0.02,
        0.06,
        "5.4% in a 64-item survey (Sci Rep 2025); Cape & Lorch 2009",
        "interpolated",
    ),
    RealismTarget(
        "careless",
        "share misresponding to reverse-keyed items",
        0.05,
        0.12,
        "Meade & Craig 2012: 10-12% careless; Swain et al. 2008",
        "yes",
    ),
    RealismTarget(
        "any_missing",
        "share of respondents with a missing construct item",
        0.05,
        0.3,
        "most respondents answer everything (NLSY79 item non-response)",
        "pattern only",
    ),
    RealismTarget(
        "missing_top_decile",
        "share of missing answers from the 10% of respondents with most",
        0.5,
        1.0,
        "refusals concentrated in few respondents (NLSY79)",
        "pattern only",
    ),
    RealismTarget(
        "missing_ratio_tourist",
        "missing-answer rate of package tourists / others",
        1.5,
        np.inf,
        "design: missingness related to observed traits (MAR)",
        "design",
    ),
    RealismTarget(
        "nps",
        "net promoter score (0-10 item)",
        0.0,
        35.0,
        "Qualtrics XM 2021 US industry averages -0.1 to 33.3",
        "yes",
    ),
)


def _latent_r(truth: pd.DataFrame, a: str, b: str) -> float:
    return float(np.corrcoef(truth[a], truth[b])[0, 1])


def _within_r2(truth: pd.DataFrame) -> pd.Series:
    """R-squared of latent loyalty on latent satisfaction and value, in each segment with a driver."""
    out = {}
    for segment, rows in truth.groupby("segment"):
        if (rows["coef_satisfaction"].abs().max() == 0) and (rows["coef_value"].abs().max() == 0):
            continue
        X = np.column_stack([np.ones(len(rows)), rows["latent_satisfaction"], rows["latent_delivered_value"]])
        y = rows["latent_loyalty"].to_numpy()
        residual = residuals(X, y)
        out[segment] = 1 - residual.var() / y.var()
    return pd.Series(out, dtype=float)


def _n_modes(values: np.ndarray) -> int:
    """Peaks of a kernel density (Silverman's bandwidth) rising 5% of its maximum above their surroundings."""
    grid = np.linspace(values.min(), values.max(), 512)
    density = stats.gaussian_kde(values, bw_method="silverman")(grid)
    peaks, _ = signal.find_peaks(np.r_[0.0, density, 0.0], prominence=0.05 * density.max())
    return len(peaks)


def true_parameter_ari(truth: pd.DataFrame) -> float:
    """Adjusted Rand index of the classifier that knows every true parameter and latent score.

    The best segment recovery any method can reach on these data: read a method's ARI against it.
    """
    return float(adjusted_rand_score(truth["segment"], truth["bayes_segment"]))


def realism_table(survey: pd.DataFrame, truth: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Measure a simulated survey against every realism target.

    Parameters
    ----------
    survey : pandas.DataFrame
        The survey as simulated (straight-liners and missing answers included, as a researcher
        would receive it).
    truth : pandas.DataFrame
        Its truth (:func:`loyalty_research.simulate_golf_survey`'s second result).
    codebook : Codebook
        The survey's codebook.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``key``, ``target``, ``low``, ``high``, ``simulated``, ``met``
        (``pd.NA`` where there is no target), ``source``, ``verified``.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> survey, truth = lr.simulate_golf_survey(400, random_state=3)
    >>> table = realism_table(survey, truth, lr.load_codebook())
    >>> list(table.columns)
    ['key', 'target', 'low', 'high', 'simulated', 'met', 'source', 'verified']
    """
    constructs = codebook.constructs
    positive = [
        item
        for c in EVALUATIVE
        if c in constructs
        for item in constructs[c]
        if not codebook.columns[item].reverse
    ]
    answers = survey[positive]
    alphas = scale_reliability(survey, codebook)["alpha"]
    loadings = item_statistics(survey, codebook)["loading"].dropna()
    r2 = _within_r2(truth)
    scores = score_constructs(survey, codebook)
    construct_items = [item for items in constructs.values() for item in items]
    missing = survey[construct_items].isna()
    per_person = missing.sum(axis=1).sort_values(ascending=False)
    top = per_person.iloc[: max(1, len(per_person) // 10)].sum()
    tourist = (survey["membership"] == "package_tourist").to_numpy()
    nps = survey["nps_recommend"].dropna()
    quality = truth[["latent_quality_course", "latent_quality_service", "latent_quality_facilities"]].mean(
        axis=1
    )
    measured = {
        "item_mean": answers.mean().mean(),
        "item_skew_max": answers.skew().max(),
        "item_sd": answers.std().median(),
        "loading_median": loadings.median(),
        "alpha_min": alphas.min(),
        "alpha_max": alphas.max(),
        "r_satisfaction_loyalty": _latent_r(truth, "latent_satisfaction", "latent_loyalty"),
        "r_expectation_satisfaction": _latent_r(truth, "latent_expectation", "latent_satisfaction"),
        "r_quality_satisfaction": float(np.corrcoef(quality, truth["latent_satisfaction"])[0, 1]),
        "r_value_satisfaction": _latent_r(truth, "latent_delivered_value", "latent_satisfaction"),
        "r_value_loyalty": _latent_r(truth, "latent_delivered_value", "latent_loyalty"),
        "r_loyalty_repurchase": float(scores["loyalty"].corr(survey["repurchase"])),
        "within_r2_min": r2.min(),
        "within_r2_max": r2.max(),
        "loyalty_skew": float(scores["loyalty"].skew()),
        "loyalty_modes": float(_n_modes(truth["latent_loyalty"].to_numpy())),
        "straightliners": truth["straightliner"].mean(),
        "careless": truth["careless"].mean(),
        "any_missing": missing.any(axis=1).mean(),
        "missing_top_decile": top / per_person.sum() if per_person.sum() else np.nan,
        "missing_ratio_tourist": missing.to_numpy()[tourist].mean() / missing.to_numpy()[~tourist].mean(),
        "nps": 100 * ((nps >= 9).mean() - (nps <= 6).mean()),
    }
    rows = []
    for t in REALISM_TARGETS:
        value = float(measured[t.key])
        has_target = not (np.isnan(t.low) and np.isnan(t.high))
        met = bool(t.low - 1e-12 <= value <= t.high + 1e-12) if has_target else pd.NA
        rows.append(
            {
                "key": t.key,
                "target": t.target,
                "low": t.low,
                "high": t.high,
                "simulated": value,
                "met": met,
                "source": t.source,
                "verified": t.verified,
            }
        )
    return pd.DataFrame(rows)
