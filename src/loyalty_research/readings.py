"""Sentences that read a result, generated from its numbers with every branch written out.

A notebook's interpretation must follow the numbers of the run, not what the author saw once.
Each function here takes a result table and returns plain sentences (Markdown emphasis only where
noted): significant or not, curved or straight, one driver or several, measured well or not.
They name no data set, so they read a user's survey as they read the bundled one; a notebook adds
data-specific commentary only where it knows the data.

* :func:`p_text`: a p value as a reader expects it; :func:`excludes_zero`: whether an interval
  excludes zero.
* :func:`reliability_reading`: which scales are reliable by the usual cut-offs, and the weakest
  item of each that is not.
* :func:`paths_reading`, :func:`r_squared_reading`, :func:`added_path_reading`: a path model's
  drivers of one construct, its explained variance, and what one added path changes.
* :func:`mediation_reading`: the indirect and direct effect, typed as Zhao, Lynch & Chen (2010) do.
* :func:`shape_reading`, :func:`asymmetry_reading`, :func:`jones_sasser_reading`: the
  satisfaction-loyalty tests of :func:`~loyalty_research.satisfaction_loyalty`.
* :func:`criteria_reading`: what the information criteria and the bootstrap test say about the
  number of segments.
* :func:`competing_models_reading`: the satisfaction, value and combined structural models
  compared by fit; :func:`group_paths_reading`: groups' paths compared after invariance;
  :func:`invariance_reading`: what measurement invariance allows to compare.
* :func:`complaint_share_reading`, :func:`repurchase_ordering_reading`,
  :func:`recovery_paradox_reading`: complaints against the TARP figures, and the
  service-recovery paradox.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import pandas as pd
from scipy.stats import norm

from ._tables import binomial_interval
from .satisfaction import SatisfactionLoyaltyResult

__all__ = [
    "TARP_COMPLAINT_SHARE",
    "added_path_reading",
    "asymmetry_reading",
    "competing_models_reading",
    "complaint_share_reading",
    "excludes_zero",
    "group_paths_reading",
    "invariance_reading",
    "jones_sasser_reading",
    "mediation_reading",
    "p_text",
    "paths_reading",
    "r_squared_reading",
    "recovery_paradox_reading",
    "reliability_reading",
    "repurchase_ordering_reading",
    "seed_severity_reading",
    "shape_reading",
]

# fewer respondents than this in the low group and the penalty-reward contrast cannot be tested
MIN_GROUP_FOR_ASYMMETRY = 10


def p_text(p: float) -> str:
    """``"p < 0.001"`` or ``"p = 0.012"``; ``"p not available"`` for NaN.

    Examples
    --------
    >>> p_text(0.0004), p_text(0.0456), p_text(float("nan"))
    ('p < 0.001', 'p = 0.046', 'p not available')
    """
    if p is None or math.isnan(p):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def criteria_reading(choice: dict[str, int], supported: int, chosen: int, n_boot: int, how: str) -> str:
    """What the information criteria and the bootstrap test say about the number of segments.

    Parameters
    ----------
    choice : dict
        Segments each criterion chooses, by criterion name (``{"aic": 5, "bic": 2, ...}``).
    supported : int
        Segments the sequential bootstrap likelihood-ratio test supports.
    chosen : int
        The number of segments used from here on.
    n_boot : int
        Bootstrap samples per test (the smallest attainable p value is ``1 / (n_boot + 1)``).
    how : str
        How ``chosen`` was chosen, e.g. ``"BIC's choice"``.

    Examples
    --------
    >>> choice = {"aic": 3, "aic3": 2, "bic": 2, "caic": 2, "icl": 2}
    >>> text = criteria_reading(choice, 2, 2, 19, "BIC's choice")
    >>> text.split(". ")[0]
    'The information criteria disagree: AIC chooses 3; AIC3, BIC, CAIC and ICL choose 2'
    >>> text.endswith("with 19 bootstrap samples), which agrees with BIC's choice of 2.")
    True
    """
    by_k: dict[int, list[str]] = {}
    for criterion, k in choice.items():
        by_k.setdefault(k, []).append(criterion.upper())
    if len(by_k) == 1:
        words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
        count = words.get(len(choice), len(choice))
        text = f"All {count} information criteria choose {chosen} segment{'s' if chosen != 1 else ''}."
    else:
        parts = [
            f"{_join(names)} {'choose' if len(names) > 1 else 'chooses'} {k}"
            for k, names in sorted(by_k.items(), key=lambda item: -item[0])
        ]
        text = "The information criteria disagree: " + "; ".join(parts) + "."
    agree = "agrees with" if supported == chosen else "differs from"
    return text + (
        f" The bootstrap test supports {supported} segment{'s' if supported != 1 else ''} "
        f"(smallest attainable p value {1 / (n_boot + 1):.2f} with {n_boot} bootstrap samples), "
        f"which {agree} {how} of {chosen}."
    )


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _interval(row: pd.Series) -> str:
    return f"{row['coef']:.2f} (95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f})"


def _named(row: pd.Series) -> str:
    return f"{row['source']} ({row['coef']:.2f}, 95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f})"


def excludes_zero(row: pd.Series) -> bool | None:
    """Whether a row's interval (``ci_low``, ``ci_high``) excludes zero; None without an interval.

    Examples
    --------
    >>> excludes_zero(pd.Series({"ci_low": 0.07, "ci_high": 0.30}))
    True
    """
    if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
        return None
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)


# ---------------------------------------------------------------------------- measurement
def reliability_reading(
    reliability: pd.DataFrame,
    loadings: pd.DataFrame | None = None,
    data: pd.DataFrame | None = None,
    *,
    alpha_at: float = 0.7,
    rho_c_at: float = 0.7,
    ave_at: float = 0.5,
) -> str:
    """Which scales meet the usual reliability cut-offs, and the weakest item of those that do not.

    Parameters
    ----------
    reliability : pandas.DataFrame
        One row per construct: ``construct``, ``alpha``, ``rho_c``, ``ave`` (as
        :class:`~loyalty_research.PLSResult.reliability`).
    loadings : pandas.DataFrame, optional
        One row per item: ``construct``, ``item``, ``loading``. Gives the number of items (a
        single-item construct has no reliability to judge) and the weakest item of a weak scale.
    data : pandas.DataFrame, optional
        The item answers: adds the weakest item's mean correlation with the other items of its scale.
    alpha_at, rho_c_at, ave_at : float
        Cut-offs: alpha and composite reliability at least 0.7, AVE at least 0.5 (Fornell &
        Larcker, 1981; Hair et al., 2022).

    Returns
    -------
    str

    Examples
    --------
    >>> table = pd.DataFrame({"construct": ["A", "B"], "alpha": [0.85, 0.45], "rho_c": [0.9, 0.7],
    ...                       "ave": [0.6, 0.45]})
    >>> items = pd.DataFrame({"construct": ["A", "A", "B", "B", "B"], "item": ["a1", "a2", "b1", "b2", "b3"],
    ...                       "loading": [0.8, 0.75, 0.8, 0.2, 0.7]})
    >>> print(reliability_reading(table, items))  # doctest: +NORMALIZE_WHITESPACE
    A meets the usual cut-offs (alpha 0.85, composite reliability 0.90, AVE 0.60). B falls short: alpha
    0.45, AVE 0.45; its weakest item is b2 (loading 0.20).
    """
    counts = loadings.groupby("construct")["item"].size() if loadings is not None else pd.Series(dtype=int)
    good, borderline, weak, single = [], [], [], []
    for _, row in reliability.iterrows():
        name = row["construct"]
        if counts.get(name, 2) < 2:
            single.append(name)
            continue
        short = []
        if row["alpha"] < alpha_at:
            short.append(f"alpha {row['alpha']:.2f}")
        if row["rho_c"] < rho_c_at:
            short.append(f"composite reliability {row['rho_c']:.2f}")
        if row["ave"] < ave_at:
            short.append(f"AVE {row['ave']:.2f}")
        if not short:
            good.append(row)
        elif row["alpha"] >= alpha_at and row["rho_c"] >= rho_c_at:
            borderline.append((row, short))
        else:
            weak.append((row, short))
    sentences = []
    if good:
        verb = "meets" if len(good) == 1 else "meet"
        low = {k: min(r[k] for r in good) for k in ("alpha", "rho_c", "ave")}
        high = {k: max(r[k] for r in good) for k in ("alpha", "rho_c", "ave")}

        def span(key: str) -> str:
            return (
                f"{low[key]:.2f}"
                if round(low[key], 2) == round(high[key], 2)
                else f"{low[key]:.2f}-{high[key]:.2f}"
            )

        sentences.append(
            f"{_join([r['construct'] for r in good])} {verb} the usual cut-offs (alpha {span('alpha')}, "
            f"composite reliability {span('rho_c')}, AVE {span('ave')})."
        )
    for row, short in borderline:
        sentences.append(
            f"{row['construct']} is reliable (alpha {row['alpha']:.2f}, composite reliability "
            f"{row['rho_c']:.2f}) "
            f"but its items share less than half their variance with it ({', '.join(short)})."
        )
    for row, short in weak:
        text = f"{row['construct']} falls short: {', '.join(short)}"
        if loadings is not None:
            items = loadings[loadings["construct"] == row["construct"]]
            if len(items):
                worst = items.loc[items["loading"].abs().idxmin()]
                text += f"; its weakest item is {worst['item']} (loading {worst['loading']:.2f}"
                others = [i for i in items["item"] if i != worst["item"]]
                if data is not None and others and all(i in data for i in items["item"]):
                    r = data[others].corrwith(data[worst["item"]]).mean()
                    text += f", mean correlation {r:.2f} with the other items"
                text += ")"
        sentences.append(text + ".")
    if single:
        sentences.append(
            f"{_join(single)} {'is' if len(single) == 1 else 'are'} measured by one item, so "
            "{} reliability cannot be estimated.".format("its" if len(single) == 1 else "their")
        )
    if not sentences:
        return "No construct to judge."
    return " ".join(sentences)


# ------------------------------------------------------------------------------ path models
def paths_reading(paths: pd.DataFrame, target: str) -> str:
    """What drives ``target`` in a path model: the paths whose interval excludes zero, largest first.

    Parameters
    ----------
    paths : pandas.DataFrame
        ``source``, ``target``, ``coef``, ``ci_low``, ``ci_high`` (as
        :class:`~loyalty_research.PLSResult.paths`).
    target : str

    Returns
    -------
    str

    Examples
    --------
    >>> paths = pd.DataFrame({"source": ["Q", "V", "E"], "target": "S", "coef": [0.51, 0.19, 0.06],
    ...                       "ci_low": [0.37, 0.08, -0.04], "ci_high": [0.63, 0.31, 0.16]})
    >>> print(paths_reading(paths, "S"))  # doctest: +NORMALIZE_WHITESPACE
    Into S, the paths whose 95% interval excludes zero are Q (0.51, 95% CI 0.37 to 0.63) and V (0.19,
    95% CI 0.08 to 0.31), largest first; E (0.06, 95% CI -0.04 to 0.16) cannot be told from zero.
    """
    rows = paths[paths["target"] == target]
    if rows.empty:
        raise ValueError(f"no path leads into {target!r}; targets are {sorted(paths['target'].unique())}")
    rows = rows.reindex(rows["coef"].abs().sort_values(ascending=False).index)
    verdicts = [excludes_zero(r) for _, r in rows.iterrows()]
    if any(v is None for v in verdicts):
        listed = _join([f"{r['source']} ({r['coef']:.2f})" for _, r in rows.iterrows()])
        return f"Paths into {target}, largest first: {listed}. Without bootstrap intervals none is tested."
    clear = [_named(r) for (_, r), v in zip(rows.iterrows(), verdicts, strict=True) if v]
    unclear = [_named(r) for (_, r), v in zip(rows.iterrows(), verdicts, strict=True) if not v]
    if not clear:
        return f"No path into {target} has a 95% interval that excludes zero: {_join(unclear)}."
    if len(clear) == 1:
        text = f"Into {target}, only the path from {clear[0]} has a 95% interval that excludes zero"
    else:
        text = f"Into {target}, the paths whose 95% interval excludes zero are {_join(clear)}, largest first"
    if unclear:
        text += f"; {_join(unclear)} cannot be told from zero"
    return text + "."


def r_squared_reading(r_squared: pd.DataFrame, constructs: Sequence[str]) -> str:
    """The explained variance of ``constructs``, named by Chin's (1998) rule of thumb.

    Chin (1998) calls an R-squared of 0.67 substantial, 0.33 moderate and 0.19 weak.

    Examples
    --------
    >>> table = pd.DataFrame({"construct": ["S", "L"], "r2": [0.68, 0.46]})
    >>> print(r_squared_reading(table, ["S", "L"]))
    R-squared is 0.68 for S (substantial by Chin's rule of thumb) and 0.46 for L (moderate).
    """
    values = r_squared.set_index("construct")["r2"]
    missing = [c for c in constructs if c not in values.index]
    if missing:
        raise ValueError(f"no R-squared for {missing}; the table has {list(values.index)}")

    def label(r2: float) -> str:
        if r2 >= 0.67:
            return "substantial"
        if r2 >= 0.33:
            return "moderate"
        if r2 >= 0.19:
            return "weak"
        return "below what Chin calls weak"

    parts = [f"{values[c]:.2f} for {c} ({label(values[c])})" for c in constructs]
    parts[0] = parts[0].replace(")", " by Chin's rule of thumb)", 1)
    return f"R-squared is {_join(parts)}."


def added_path_reading(
    before: pd.DataFrame,
    after: pd.DataFrame,
    source: str,
    target: str,
    *,
    r2_before: float,
    r2_after: float,
) -> str:
    """What adding the path ``source -> target`` to a path model shows and changes.

    Parameters
    ----------
    before, after : pandas.DataFrame
        The paths table without and with the added path.
    source, target : str
    r2_before, r2_after : float
        ``target``'s R-squared in the two models.

    Examples
    --------
    >>> before = pd.DataFrame({"source": ["S"], "target": "L", "coef": [0.49], "ci_low": [0.32],
    ...                        "ci_high": [0.64]})
    >>> after = pd.DataFrame({"source": ["S", "V"], "target": "L", "coef": [0.40, 0.18],
    ...                       "ci_low": [0.17, -0.05], "ci_high": [0.61, 0.39]})
    >>> reading = added_path_reading(before, after, "V", "L", r2_before=0.457, r2_after=0.475)
    >>> print(reading)  # doctest: +NORMALIZE_WHITESPACE
    With a direct path, V's coefficient on L is 0.18 (95% CI -0.05 to 0.39), an interval that includes
    zero: no direct effect can be shown. S's path goes from 0.49 to 0.40 and its interval still excludes
    zero. L's R-squared rises by 0.018 (from 0.457 to 0.475).
    """
    new = after[(after["source"] == source) & (after["target"] == target)]
    if new.empty:
        raise ValueError(f"the second model has no path {source} -> {target}")
    new = new.iloc[0]
    verdict = excludes_zero(new)
    if verdict is None:
        verdict_text = "(no bootstrap interval, so not tested)"
    elif verdict:
        direction = "positive" if new["coef"] > 0 else "negative"
        verdict_text = f"an interval that excludes zero: a {direction} direct effect beyond the other drivers"
    else:
        verdict_text = "an interval that includes zero: no direct effect can be shown"
    text = [
        f"With a direct path, {_possessive(source)} coefficient on {target} is {_interval(new)}, "
        f"{verdict_text}."
    ]
    old = before[before["target"] == target].set_index("source")
    for _, row in after[(after["target"] == target) & (after["source"] != source)].iterrows():
        if row["source"] not in old.index:
            continue
        was = old.loc[row["source"]]
        now_clear, was_clear = excludes_zero(row), excludes_zero(was)
        if now_clear is None or was_clear is None:
            status = ""
        elif now_clear and was_clear:
            status = " and its interval still excludes zero"
        elif was_clear:
            status = " and its interval now includes zero"
        elif now_clear:
            status = " and its interval now excludes zero"
        else:
            status = " and its interval still includes zero"
        if round(was["coef"], 2) != round(row["coef"], 2):
            text.append(
                f"{_possessive(row['source'])} path goes from {was['coef']:.2f} to {row['coef']:.2f}{status}."
            )
    change = r2_after - r2_before
    verb = "rises" if change > 0 else "falls" if change < 0 else "stays"
    text.append(
        f"{_possessive(target)} R-squared {verb} by {abs(change):.3f} (from {r2_before:.3f} to "
        f"{r2_after:.3f})."
        if verb != "stays"
        else f"{_possessive(target)} R-squared stays at {r2_after:.3f}."
    )
    return " ".join(text)


# -------------------------------------------------------------------------------- mediation
def mediation_reading(chain: pd.DataFrame, x: str, mediator: str, y: str) -> str:
    """The indirect effect of ``x`` on ``y`` through ``mediator`` and the direct effect, as a type.

    Zhao, Lynch & Chen (2010) type a mediation by which effects are distinguishable from zero:
    complementary (indirect and direct, same sign), competitive (opposite signs), indirect-only,
    direct-only or no effect.

    Parameters
    ----------
    chain : pandas.DataFrame
        :func:`~loyalty_research.mediation`'s table with one mediator.

    References
    ----------
    Zhao, X., Lynch, J. G., & Chen, Q. (2010). Reconsidering Baron and Kenny: Myths and truths
    about mediation analysis. Journal of Consumer Research, 37(2), 197-206.

    Examples
    --------
    >>> chain = pd.DataFrame({"path": ["indirect total", "direct"], "coef": [0.15, 0.18],
    ...                       "ci_low": [0.06, 0.07], "ci_high": [0.27, 0.30]})
    >>> print(mediation_reading(chain, "V", "S", "L"))  # doctest: +NORMALIZE_WHITESPACE
    The indirect effect of V on L through S is 0.15 (95% CI 0.06 to 0.27) and the direct effect 0.18
    (95% CI 0.07 to 0.30); both intervals exclude zero and the effects have the same sign: complementary
    mediation (Zhao, Lynch & Chen, 2010), V works through S and beside it.
    """
    table = chain.set_index("path")
    for needed in ("indirect total", "direct"):
        if needed not in table.index:
            raise ValueError(f"the mediation table has no {needed!r} row; rows are {list(table.index)}")
    indirect, direct = table.loc["indirect total"], table.loc["direct"]
    via, beside = excludes_zero(indirect), excludes_zero(direct)
    text = (
        f"The indirect effect of {x} on {y} through {mediator} is {_interval(indirect)} and the direct "
        "effect "
        f"{_interval(direct)}; "
    )
    if via and beside:
        if (indirect["coef"] > 0) == (direct["coef"] > 0):
            return text + (
                "both intervals exclude zero and the effects have the same sign: complementary mediation "
                f"(Zhao, Lynch & Chen, 2010), {x} works through {mediator} and beside it."
            )
        return text + (
            "both intervals exclude zero but the effects have opposite signs: competitive mediation "
            f"(Zhao, Lynch & Chen, 2010), the route through {mediator} and the direct one pull apart."
        )
    if via:
        return text + (
            "only the indirect interval excludes zero: indirect-only mediation (Zhao, Lynch & Chen, 2010), "
            f"{x} works through {mediator}."
        )
    if beside:
        return text + (
            "only the direct interval excludes zero: a direct-only effect (Zhao, Lynch & Chen, 2010), "
            f"no route through {mediator} can be shown."
        )
    return text + f"neither interval excludes zero: no effect of {x} on {y} can be shown."


# ------------------------------------------------------------------ satisfaction and loyalty
def _linear_beta(result: SatisfactionLoyaltyResult) -> float:
    linear = result.coefficients[
        (result.coefficients["model"] == "linear") & result.coefficients["std_coef"].notna()
    ]
    return float(linear.loc[linear["term"] != "intercept", "std_coef"].iloc[0])


def shape_reading(
    result: SatisfactionLoyaltyResult, *, predictor: str = "satisfaction", outcome: str = "loyalty"
) -> str:
    """Strength (standardised beta, R-squared) and shape (quadratic and spline tests) of the link.

    ``predictor`` and ``outcome`` are the words used in the sentence. The standardised beta of the
    first predictor of the linear model is read (``satisfaction_loyalty`` puts satisfaction first).
    """
    models = result.models.set_index("model")
    beta = _linear_beta(result)
    r2 = models.loc["linear", "r2"]
    strength = "strong" if abs(beta) >= 0.5 else "moderate" if abs(beta) >= 0.3 else "weak"
    direction = "" if beta >= 0 else " negative"
    text = (
        f"{predictor.capitalize()} explains {r2:.0%} of the variance in {outcome} (n = "
        f"{int(models.loc['linear', 'n'])}, "
        f"standardised beta {beta:.2f}, a {strength}{direction} link"
        + (" that is far from deterministic). " if r2 < 0.8 else "). ")
    )
    curved = [m for m in ("quadratic", "spline") if models.loc[m, "p_nonlinear"] < 0.05]
    if curved:
        gain = models.loc[curved, "r2"].max() - r2
        plural = len(curved) > 1
        text += (
            f"The {' and '.join(curved)} term{'s' if plural else ''} improve{'' if plural else 's'} the fit "
            f"significantly ({', '.join(p_text(models.loc[m, 'p_nonlinear']) for m in curved)})"
        )
        text += (
            f", though by only {gain:.3f} in R-squared: the link is curved, but mostly a line."
            if gain < 0.02
            else f", by {gain:.3f} in R-squared: the link is curved."
        )
    else:
        text += (
            "Neither the quadratic nor the spline term improves the fit significantly "
            f"({p_text(models.loc['quadratic', 'p_nonlinear'])} and "
            f"{p_text(models.loc['spline', 'p_nonlinear'])}): "
            "on average the link is a straight line."
        )
    return text


def asymmetry_reading(result: SatisfactionLoyaltyResult) -> str:
    """The penalty-reward contrast: does dissatisfaction cost more loyalty than satisfaction earns?"""
    effects = result.asymmetry.set_index("term")
    penalty, reward, diff = effects.loc["penalty"], effects.loc["reward"], effects.loc["asymmetry"]
    n_low = int(penalty["n_low"])
    if n_low < MIN_GROUP_FOR_ASYMMETRY:
        return (
            f"Only {n_low} respondent{'s are' if n_low != 1 else ' is'} in the low-satisfaction group, so "
            "these data "
            f"cannot test the asymmetry: the penalty ({penalty['coef']:.2f} points) rests on too few to "
            "be "
            "trusted, whatever its p value."
        )
    if diff["p_val"] < 0.05 and diff["coef"] > 0:
        text = (
            f"Dissatisfaction costs more loyalty ({penalty['coef']:.2f} points) than satisfaction earns "
            f"({reward['coef']:.2f}; for the difference {p_text(diff['p_val'])}): the asymmetry "
            "prospect theory "
            "and Mittal et al. expect."
        )
    elif diff["p_val"] < 0.05:
        text = (
            f"Satisfaction earns more loyalty ({reward['coef']:.2f} points) than dissatisfaction costs "
            f"({penalty['coef']:.2f}; for the difference {p_text(diff['p_val'])}): the opposite of the "
            "asymmetry "
            "prospect theory expects."
        )
    else:
        text = (
            f"The penalty ({penalty['coef']:.2f} points) and the reward ({reward['coef']:.2f}) do "
            "not differ "
            f"significantly ({p_text(diff['p_val'])}): no evidence that dissatisfaction weighs more than "
            "satisfaction."
        )
    if n_low < 50:
        text += f" Only {n_low} respondents are in the low group, so the penalty is imprecise."
    return text


def jones_sasser_reading(result: SatisfactionLoyaltyResult) -> str:
    """The top of the Jones-Sasser curve and the share of satisfied respondents who are not loyal.

    Plain text (no Markdown), so the paper can quote it.
    """
    levels = result.curve.set_index("satisfaction_level")
    snl = result.satisfied_not_loyal.iloc[0]
    if len(levels) < 2:
        text = "Everybody answered at one satisfaction level, so there is no curve to read."
    else:
        top, second = levels.iloc[-1], levels.iloc[-2]
        separated = top["ci_low"] > second["ci_high"]
        ratio = (
            f" ({top['share_loyal'] / second['share_loyal']:.1f} times the share; Jones & Sasser's totally "
            "satisfied Xerox customers were six times as likely to buy again as the merely satisfied)"
            if second["share_loyal"] > 0
            else ""
        )
        text = (
            f"{top['share_loyal']:.0%} of respondents at the top satisfaction level ({levels.index[-1]:g}) "
            "are loyal, "
            f"against {second['share_loyal']:.0%} one level below{ratio}"
            + (
                ", and the intervals do not overlap: the Jones-Sasser pattern, in which only the completely "
                "satisfied are reliably loyal."
                if separated
                else "; the intervals overlap, so these data do not show the jump at the top that "
                "Jones & Sasser "
                "describe."
            )
        )
    if snl["n_satisfied"] == 0:
        return (
            text
            + " Nobody reaches the satisfied threshold, so the share of satisfied but not loyal is undefined."
        )
    guarantee = (
        ": satisfaction does not guarantee loyalty, Oliver's point."
        if snl["ci_low"] > 0.1
        else ", so in these data satisfied respondents are nearly always loyal."
        if snl["ci_high"] < 0.1
        else "."
    )
    return text + (
        f" {snl['share']:.0%} of satisfied respondents are not loyal (95% CI {snl['ci_low']:.0%} to "
        f"{snl['ci_high']:.0%}){guarantee}"
    )


# ------------------------------------------------------------------------- complaints (TARP)
TARP_COMPLAINT_SHARE = 1 / 25
"""TARP's "one in 25 dissatisfied customers complains", as the seed documents quote it."""

_OUTCOME_WORDS = {
    "no_problem": "no problem",
    "not_complained": "a problem they kept to themselves",
    "unresolved": "an unresolved complaint",
    "resolved": "a slowly resolved complaint",
    "resolved_quickly": "a quickly resolved complaint",
}


def complaint_share_reading(n_complained: int, n_problem: int) -> str:
    """How many respondents with a problem complained, against TARP's one in 25.

    Examples
    --------
    >>> print(complaint_share_reading(92, 215))  # doctest: +NORMALIZE_WHITESPACE
    92 of 215 respondents with a problem complained (43%, 95% CI 36% to 49%), far more than TARP's one
    in 25. Every customer with a problem who stays silent is one the firm cannot try to win back.
    """
    if n_problem == 0:
        return "Nobody reported a problem, so there is no complaint share to read."
    share = n_complained / n_problem
    low, high = binomial_interval(n_complained, n_problem)
    if low > TARP_COMPLAINT_SHARE:
        compared = "far more than" if low > 2 * TARP_COMPLAINT_SHARE else "more than"
    elif high < TARP_COMPLAINT_SHARE:
        compared = "fewer than"
    else:
        compared = "in line with"
    return (
        f"{n_complained} of {n_problem} respondents with a problem complained ({share:.0%}, 95% CI "
        f"{low:.0%} to "
        f"{high:.0%}), {compared} TARP's one in 25. Every customer with a problem who stays silent is one "
        "the firm "
        "cannot try to win back."
    )


def repurchase_ordering_reading(table: pd.DataFrame) -> str:
    """Whether repurchase by complaint outcome follows TARP's order, and where TARP's figures fall.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~loyalty_research.repurchase_by_complaint`'s table.

    Examples
    --------
    >>> table = pd.DataFrame({"outcome": ["not_complained", "unresolved", "resolved", "resolved_quickly"],
    ...                       "n": [123, 37, 23, 32], "share": [0.07, 0.19, 0.43, 0.72],
    ...                       "ci_low": [0.04, 0.09, 0.26, 0.55], "ci_high": [0.13, 0.34, 0.63, 0.84],
    ...                       "tarp_loss_over_100": [0.09, 0.19, 0.54, 0.82]})
    >>> print(repurchase_ordering_reading(table))  # doctest: +NORMALIZE_WHITESPACE
    The order is TARP's: respondents with a problem they kept to themselves (7%) came back least, then
    those with an unresolved complaint (19%), a slowly resolved complaint (43%) and a quickly resolved
    complaint (72%). TARP's figures for losses over $100 lie inside the 95% interval of all 4 outcomes.
    The smallest group has 23 respondents, so the intervals are wide.
    """
    order = ["not_complained", "unresolved", "resolved", "resolved_quickly"]
    rows = table.set_index("outcome").reindex(order)
    present = rows[rows["n"].fillna(0) > 0]
    missing = [o for o in order if o not in present.index]
    text = []
    if len(present) < 2:
        return "Fewer than two complaint outcomes have respondents, so there is no order to read."
    shares = present["share"].to_numpy()
    words = [f"{_OUTCOME_WORDS[o]} ({present.loc[o, 'share']:.0%})" for o in present.index]
    if all(a < b for a, b in itertools.pairwise(shares)):
        text.append(
            f"The order is TARP's: respondents with {words[0]} came back least, then those with "
            f"{_join(words[1:])}."
        )
    else:
        ranked = present.sort_values("share")
        listed = _join([f"{_OUTCOME_WORDS[o]} ({ranked.loc[o, 'share']:.0%})" for o in ranked.index])
        text.append(f"The order is not TARP's: from least to most repurchase, respondents with {listed}.")
    if missing:
        text.append(f"Nobody had {_join([_OUTCOME_WORDS[o] for o in missing])}.")
    if "tarp_loss_over_100" in present:
        inside = (present["ci_low"] <= present["tarp_loss_over_100"]) & (
            present["tarp_loss_over_100"] <= present["ci_high"]
        )
        if inside.all():
            text.append(
                f"TARP's figures for losses over $100 lie inside the 95% interval of all {len(present)} "
                "outcomes."
            )
        else:
            outside = [
                f"{_OUTCOME_WORDS[o]} ({present.loc[o, 'share']:.0%}, 95% CI {present.loc[o, 'ci_low']:.0%} "
                "to "
                f"{present.loc[o, 'ci_high']:.0%}, against TARP's {present.loc[o, 'tarp_loss_over_100']:.0%})"
                for o in present.index[~inside]
            ]
            text.append(
                f"TARP's figures for losses over $100 lie inside the 95% interval of {int(inside.sum())} of "
                f"{len(present)} outcomes; outside for {_join(outside)}."
            )
    smallest = int(present["n"].min())
    if smallest < 50:
        text.append(f"The smallest group has {smallest} respondents, so the intervals are wide.")
    return " ".join(text)


def seed_severity_reading(table: pd.DataFrame, seed: pd.DataFrame) -> str:
    """The seed's repurchase figures by problem severity against a survey's quickly resolved
    complainers (only that range can be compared: surveys rarely record severity).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~loyalty_research.repurchase_by_complaint`'s table.
    seed : pandas.DataFrame
        :func:`~loyalty_research.seed_repurchase`.

    Examples
    --------
    >>> table = pd.DataFrame({"outcome": ["resolved_quickly"], "n": [40], "share": [0.7],
    ...                       "ci_low": [0.55], "ci_high": [0.82]})
    >>> seed_repurchase_table = pd.DataFrame({"severity": ["major", "minor", "any"],
    ...     "outcome": ["resolved", "complained", "resolved_quickly"],
    ...     "share_low": [0.04, 0.53, 0.52], "share_high": [0.04, 0.53, 0.95]})
    >>> seed_severity_reading(table, seed_repurchase_table).split(";")[0]
    "Quickly resolved complainers came back at 70% (95% CI 55% to 82%), inside the seed's 52%-95%"
    """
    quick = seed.set_index("outcome").loc["resolved_quickly"]
    band = f"the seed's {quick['share_low']:.0%}-{quick['share_high']:.0%}"
    rows = table.set_index("outcome")
    severity = (
        "The seed's other figures (4% of major-problem complainers after resolution, up to 53% of "
        "minor-problem ones) need problem severity, which the survey does not record."
    )
    if "resolved_quickly" not in rows.index or not rows.loc["resolved_quickly", "n"] > 0:
        return f"Nobody's complaint was resolved quickly, so not even {band} can be compared. {severity}"
    row = rows.loc["resolved_quickly"]
    interval = f"95% CI {row['ci_low']:.0%} to {row['ci_high']:.0%}"
    text = f"Quickly resolved complainers came back at {row['share']:.0%} ({interval}), "
    if row["ci_high"] < quick["share_low"]:
        text += f"below {band}, wide as that range is."
    elif row["ci_low"] > quick["share_high"]:
        text += f"above {band}, wide as that range is."
    else:
        text += f"inside {band}; a range that wide is hard to miss."
    return f"{text} {severity}"


def _detectable_difference(n_group: int, n_reference: int, share: float, power: float = 0.8) -> float:
    """The smallest difference of proportions a two-sided 5% test detects with ``power`` (normal "
    "approximation)."""
    return float(
        (norm.ppf(0.975) + norm.ppf(power)) * math.sqrt(share * (1 - share) * (1 / n_group + 1 / n_reference))
    )


def recovery_paradox_reading(
    repurchase: pd.DataFrame, loyalty: pd.DataFrame | None = None, *, alpha: float = 0.05
) -> str:
    """What recovering a complaint is worth, and whether the service-recovery paradox shows.

    Parameters
    ----------
    repurchase : pandas.DataFrame
        :func:`~loyalty_research.recovery_paradox` on the 0/1 repurchase column.
    loyalty : pandas.DataFrame, optional
        The same on the loyalty score.
    alpha : float, default 0.05

    Examples
    --------
    >>> comparisons = ["resolved_quickly vs no_problem", "resolved_quickly vs resolved"]
    >>> repurchase = pd.DataFrame({"comparison": comparisons,
    ...     "n_group": [32, 32], "n_reference": [585, 23], "mean_group": [0.72, 0.72],
    ...     "mean_reference": [0.72, 0.43], "p_val": [0.96, 0.03]})
    >>> print(recovery_paradox_reading(repurchase))  # doctest: +NORMALIZE_WHITESPACE
    Respondents whose complaint was resolved quickly came back more often than those whose complaint was
    resolved slowly (72% against 43%, p = 0.030). Against respondents without a problem they do not
    differ significantly (72% against 72%, p = 0.960): no evidence of a service-recovery paradox in
    repurchase. With 32 quickly resolved respondents the test has 80% power only for a difference of
    about 23 percentage points or more, so "no evidence" is weak evidence of absence.
    """
    rows = repurchase.set_index("comparison")
    text = []
    speed = rows.loc["resolved_quickly vs resolved"] if "resolved_quickly vs resolved" in rows.index else None
    if speed is not None and not pd.isna(speed["p_val"]):
        figures = f"{speed['mean_group']:.0%} against {speed['mean_reference']:.0%}, {p_text(speed['p_val'])}"
        if speed["p_val"] < alpha:
            more = "more" if speed["mean_group"] > speed["mean_reference"] else "less"
            text.append(
                f"Respondents whose complaint was resolved quickly came back {more} often than those whose "
                "complaint "
                f"was resolved slowly ({figures})."
            )
        else:
            text.append(
                "Respondents whose complaint was resolved quickly and slowly do not differ significantly "
                "in coming "
                f"back ({figures})."
            )
    paradox = rows.loc["resolved_quickly vs no_problem"]
    if pd.isna(paradox["p_val"]):
        return " ".join([*text, "Too few respondents had a quickly resolved complaint to test the paradox."])
    figures = (
        f"{paradox['mean_group']:.0%} against {paradox['mean_reference']:.0%}, {p_text(paradox['p_val'])}"
    )
    if paradox["p_val"] < alpha and paradox["mean_group"] > paradox["mean_reference"]:
        text.append(
            f"They came back more often than respondents without a problem ({figures}): the service-recovery "
            "paradox holds for repurchase in these data."
        )
    elif paradox["p_val"] < alpha:
        text.append(
            f"They came back less often than respondents without a problem ({figures}): the opposite of a "
            "service-recovery paradox."
        )
    else:
        text.append(
            f"Against respondents without a problem they do not differ significantly ({figures}): no "
            "evidence of a "
            "service-recovery paradox in repurchase."
        )
        n_group, n_reference = int(paradox["n_group"]), int(paradox["n_reference"])
        detectable = _detectable_difference(n_group, n_reference, float(paradox["mean_reference"]))
        text.append(
            f"With {n_group} quickly resolved respondents the test has 80% power only for a difference of "
            "about "
            f"{100 * detectable:.0f} percentage points or more"
            + (', so "no evidence" is weak evidence of absence.' if detectable > 0.1 else ".")
        )
    if loyalty is not None:
        score = loyalty.set_index("comparison").loc["resolved_quickly vs no_problem"]
        if not pd.isna(score["p_val"]):
            figures = (
                f"{score['mean_group']:.2f} against {score['mean_reference']:.2f}, {p_text(score['p_val'])}"
            )
            if score["p_val"] < alpha:
                higher = score["mean_group"] > score["mean_reference"]
                text.append(
                    f"Their loyalty scores are significantly {'higher' if higher else 'lower'} ({figures})"
                    + (": the paradox shows in loyalty too." if higher else ": no paradox in loyalty.")
                )
            else:
                text.append(f"Their loyalty scores do not differ significantly ({figures}).")
    return " ".join(text)


def competing_models_reading(table: pd.DataFrame, *, alpha: float = 0.05) -> str:
    """What the three competing loyalty models of
    :func:`~loyalty_research.competing_loyalty_models` say about the two theories.

    Examples
    --------
    >>> table = pd.DataFrame({"model": ["satisfaction", "value", "combined"],
    ...     "p_val_diff": [0.40, 0.001, float("nan")], "chisq_diff": [0.7, 12.0, float("nan")],
    ...     "df_diff": [1.0, 1.0, float("nan")], "cfi": [0.97, 0.95, 0.97],
    ...     "best_bic": [True, False, False]})
    >>> competing_models_reading(table).split(":")[0]
    'The data favour the satisfaction-loyalty theory'
    """
    rows = table.set_index("model")
    sat, val, both = rows.loc["satisfaction"], rows.loc["value"], rows.loc["combined"]
    paths = "paths" if sat.get("df_diff", 1) > 1 else "path"  # benefits and costs: two paths
    without_direct = f"dropping value's direct {paths} to loyalty ({p_text(sat['p_val_diff'])})"
    without_satisfaction = f"dropping satisfaction's path to loyalty ({p_text(val['p_val_diff'])})"
    sat_worse, val_worse = sat["p_val_diff"] < alpha, val["p_val_diff"] < alpha
    if sat_worse and val_worse:
        text = (
            "Both paths are needed: the combined model fits best, as "
            f"{without_direct} and {without_satisfaction} both cost fit. Value acts on loyalty "
            "directly and through satisfaction, Cronin, Brady & Hult's (2000) finding."
        )
    elif val_worse:
        text = (
            "The data favour the satisfaction-loyalty theory: "
            f"{without_direct} costs no fit, {without_satisfaction} does. Value reaches loyalty "
            "through satisfaction."
        )
    elif sat_worse:
        text = (
            "The data favour the value-driven theory: "
            f"{without_satisfaction} costs no fit, {without_direct} does. Value reaches loyalty "
            "directly, not through satisfaction."
        )
    else:
        text = (
            f"The models cannot be told apart: neither {without_direct} nor "
            f"{without_satisfaction} costs fit significantly."
        )
    best = [name for name, row in rows.iterrows() if row["best_bic"]]
    text += f" BIC prefers the {_join(best)} model."
    if both["cfi"] < 0.90:
        text += (
            f" Even the combined model fits poorly (CFI {both['cfi']:.2f}): compare the models, but do "
            "not read their paths as a good description of the data."
        )
    return text


def group_paths_reading(result, group: str, *, alpha: float = 0.05) -> str:
    """What :func:`~loyalty_research.compare_group_paths` found: invariance first, then the
    paths in which the groups differ, with each group's estimate.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> result = SimpleNamespace(
    ...     invariance=pd.DataFrame({"level": ["configural", "metric"], "holds": [True, True],
    ...                              "delta_cfi": [float("nan"), -0.002]}),
    ...     tests=pd.DataFrame({"lhs": ["L"], "rhs": ["S"], "p_val_diff": [0.0001]}),
    ...     paths=pd.DataFrame({"group": ["a", "b"], "lhs": ["L", "L"], "rhs": ["S", "S"],
    ...                         "coef": [0.6, 0.1]}))
    >>> group_paths_reading(result, "club").split(". ")[1]
    'The groups differ in L ~ S (p < 0.001): a 0.60, b 0.10.'
    """
    metric = result.invariance.set_index("level").loc["metric"]
    if metric["holds"]:
        text = (
            f"Metric invariance holds across {group} (change in CFI {metric['delta_cfi']:+.3f}), so the "
            "groups' paths can be compared."
        )
    else:
        text = (
            f"Metric invariance does not hold across {group} (change in CFI {metric['delta_cfi']:+.3f}): "
            "differences in the paths below may come from scales that measure differently."
        )
    differing = result.tests[result.tests["p_val_diff"] < alpha]
    if differing.empty:
        return text + " No path differs significantly between the groups: one structure describes them all."
    parts = []
    for row in differing.itertuples():
        own = result.paths[(result.paths["lhs"] == row.lhs) & (result.paths["rhs"] == row.rhs)]
        own = own.sort_values("coef", ascending=False)
        estimates = ", ".join(f"{g} {c:.2f}" for g, c in zip(own["group"], own["coef"], strict=True))
        parts.append(f"{row.lhs} ~ {row.rhs} ({p_text(row.p_val_diff)}): {estimates}")
    same = len(result.tests) - len(differing)
    if same == 0:
        rest = ""
    elif same == 1:
        rest = " The other path does not differ."
    else:
        rest = f" The other {same} paths do not differ."
    return text + " The groups differ in " + "; in ".join(parts) + "." + rest


def invariance_reading(table: pd.DataFrame, groups: str) -> str:
    """What :func:`~loyalty_research.measurement_invariance` allows to compare across ``groups``.

    Examples
    --------
    >>> table = pd.DataFrame({"level": ["configural", "metric", "scalar"], "holds": [True, True, False],
    ...                       "delta_cfi": [float("nan"), -0.004, -0.03]})
    >>> invariance_reading(table, "the segments").split(":")[0]
    'Across the segments metric invariance holds (change in CFI -0.004) but scalar invariance fails (-0.030)'
    """
    rows = table.set_index("level")
    cfi = "robust CFI" if "cfi_robust" in table.columns else "CFI"  # estimator="mlr" compares those
    metric = rows.loc["metric"] if "metric" in rows.index else None
    scalar = rows.loc["scalar"] if "scalar" in rows.index else None
    if metric is None:
        return f"Only the configural model was fitted across {groups}: nothing can be compared yet."
    if not metric["holds"]:
        return (
            f"Across {groups} even metric invariance fails (change in {cfi} {metric['delta_cfi']:+.3f}): "
            "differences in slopes mix differences in loyalty with differences in how the scales work; "
            "read them with care."
        )
    if scalar is None:
        change = f"change in {cfi} {metric['delta_cfi']:+.3f}"
        return f"Across {groups} metric invariance holds ({change}): slopes can be compared."
    if scalar["holds"]:
        return (
            f"Across {groups} metric and scalar invariance hold (changes in {cfi} "
            f"{metric['delta_cfi']:+.3f} and {scalar['delta_cfi']:+.3f}): the scales measure the same "
            "everywhere, so both slopes and score levels can be compared."
        )
    return (
        f"Across {groups} metric invariance holds (change in {cfi} {metric['delta_cfi']:+.3f}) but scalar "
        f"invariance fails ({scalar['delta_cfi']:+.3f}): slopes can be compared, score levels only with care."
    )
