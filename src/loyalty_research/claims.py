"""The seeds' claims as hypotheses: the register, and the statistics that test them.

The source documents quote figures about satisfaction and loyalty (Bain's switching satisfied
customers, Jones and Sasser's "completely satisfied", TARP's complainers, loyalty programmes as
bribery). The register (``resources/claims.yaml``, :func:`load_claims`) records for each the
seed's own sentence, the primary source, its testable form, the test and the data that can
test it, and whether the golf simulation builds it in (then a golf result is a recovery, not
evidence). The functions here are the tests the claims need beyond the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from ._display import HTMLTables
from ._ols import coefficient_table, fit_ols
from ._tables import binomial_interval
from ._validate import check_probability, numeric_columns

__all__ = [
    "CLAIM_FIELDS",
    "STATUSES",
    "ClaimCheck",
    "check_claim",
    "claim_data",
    "conditional_shares",
    "disconfirmation_verdict",
    "load_claims",
    "moderation",
    "moderation_verdict",
    "necessity_verdict",
    "range_verdict",
    "top_box_ratio",
    "top_box_verdict",
]

CLAIM_FIELDS = (
    "claim",
    "seed",
    "seed_line",
    "seed_text",
    "translation",
    "primary_source",
    "testable_form",
    "test",
    "data",
    "built_into_golf",
    "notebook",
)
"""The fields of every claim in the register, in this order."""


def load_claims() -> pd.DataFrame:
    """The claims register: one row per claim made in the seed documents, with how it is tested.

    Returns
    -------
    pandas.DataFrame
        Index ``claim`` (a short identifier), columns as :data:`CLAIM_FIELDS`: the seed file and
        line, the seed's sentence (Chinese) and its translation, the primary source the figure
        comes from, the testable form, the test (a function of the package, or why there is
        none), the data that can test it, whether the golf simulation builds it in, and the
        notebook section that runs the test.

    Examples
    --------
    >>> claims = load_claims()
    >>> "loyalty_needs_satisfaction" in claims.index
    True
    """
    text = resources.files("loyalty_research").joinpath("resources/claims.yaml").read_text(encoding="utf-8")
    records = yaml.safe_load(text)["claims"]
    table = pd.DataFrame(records)
    missing = [f for f in CLAIM_FIELDS if f not in table.columns]
    if missing:
        raise ValueError(f"resources/claims.yaml: every claim needs the fields {missing}")
    return table[list(CLAIM_FIELDS)].set_index("claim")


def _binary(data: pd.DataFrame, column: str) -> pd.Series:
    values = numeric_columns(data, [column])[column]
    answered = values.dropna()
    if not answered.isin([0, 1]).all():
        raise ValueError(f"{column!r} must be 0/1 (or True/False); it holds {sorted(answered.unique())[:5]}")
    return values


def conditional_shares(
    data: pd.DataFrame, condition: str, event: str, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Both conditional shares of two yes/no facts, so that the one is not read as the other.

    "Of satisfied customers, 65%-85% switch" and "of customers who switched, 65%-85% had said
    they were satisfied" are different statements: P(event | condition) and
    P(condition | event). They are linked by Bayes' rule through the base rates, and with most
    customers satisfied the second can be large while the first is small.

    Parameters
    ----------
    data : pandas.DataFrame
    condition : str
        A 0/1 column (e.g. satisfied: top-two boxes).
    event : str
        A 0/1 column (e.g. switched: did not buy again).
    confidence : float, default 0.95
        Coverage of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        Four rows, ``quantity``: ``P(event | condition)``, ``P(condition | event)``,
        ``P(event)``, ``P(condition)`` (the names substituted); columns ``share``, ``successes``,
        ``n``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> d = pd.DataFrame({"satisfied": [1] * 90 + [0] * 10,
    ...                   "switched": [1] * 18 + [0] * 72 + [1] * 6 + [0] * 4})
    >>> conditional_shares(d, "satisfied", "switched")["share"].round(2).tolist()
    [0.2, 0.75, 0.24, 0.9]
    """
    check_probability("confidence", confidence)
    frame = pd.DataFrame({"c": _binary(data, condition), "e": _binary(data, event)}).dropna()
    if frame.empty:
        raise ValueError(f"no respondent answered both {condition!r} and {event!r}")
    c, e = frame["c"].to_numpy() == 1, frame["e"].to_numpy() == 1
    counts = [
        (f"P({event} | {condition})", int((c & e).sum()), int(c.sum())),
        (f"P({condition} | {event})", int((c & e).sum()), int(e.sum())),
        (f"P({event})", int(e.sum()), len(frame)),
        (f"P({condition})", int(c.sum()), len(frame)),
    ]
    rows = []
    for quantity, successes, n in counts:
        low, high = binomial_interval(successes, n, confidence=confidence)
        rows.append(
            {
                "quantity": quantity,
                "share": successes / n if n else np.nan,
                "successes": successes,
                "n": n,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)


def top_box_ratio(
    data: pd.DataFrame,
    satisfaction: str,
    outcome: str,
    *,
    top: float | None = None,
    merely: float | list[float] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How much more often the completely satisfied buy again than the merely satisfied.

    Jones and Sasser (1995) report that Xerox's "totally satisfied" customers were six times
    as likely to repurchase as its "satisfied" ones. The ratio of the two repurchase shares is a
    risk ratio; its interval is Katz's (log scale).

    Parameters
    ----------
    data : pandas.DataFrame
    satisfaction : str
        The satisfaction answer (whole numbers).
    outcome : str
        A 0/1 column: bought again (behaviour) or says will (stated loyalty).
    top : float, optional
        The completely satisfied answer; default the highest answer given.
    merely : float or list of float, optional
        The merely satisfied answer(s); default the one just below ``top``.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row: ``top``, ``merely`` (as text), ``share_top``, ``n_top``, ``share_merely``,
        ``n_merely``, ``ratio``, ``ci_low``, ``ci_high``, ``p_val`` (Fisher's exact test of
        equal shares).

    Notes
    -----
    The interval is exp(log(ratio) +- z sqrt(1/a - 1/n1 + 1/c - 1/n2)) (Katz et al., 1978),
    checked against ``scipy.stats.contingency.relative_risk``; undefined (NaN) when either group
    has no repurchase.

    References
    ----------
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. Harvard Business
    Review, 73(6), 88-99.

    Katz, D., Baptista, J., Azen, S. P., & Pike, M. C. (1978). Obtaining confidence intervals
    for the risk ratio in cohort studies. Biometrics, 34(3), 469-474.

    Examples
    --------
    >>> d = pd.DataFrame({"sat": [7] * 50 + [6] * 50, "back": [1] * 45 + [0] * 5 + [1] * 30 + [0] * 20})
    >>> top_box_ratio(d, "sat", "back")[["share_top", "share_merely", "ratio"]].round(2).to_numpy().tolist()
    [[0.9, 0.6, 1.5]]
    """
    check_probability("confidence", confidence)
    frame = pd.DataFrame(
        {"s": numeric_columns(data, [satisfaction])[satisfaction], "y": _binary(data, outcome)}
    )
    frame = frame.dropna()
    levels = np.sort(frame["s"].unique())
    if len(levels) < 2:
        raise ValueError(f"{satisfaction!r} has {len(levels)} answer level(s): nothing to compare")
    top = float(levels[-1]) if top is None else float(top)
    below = levels[levels < top]
    if merely is None:
        merely_levels = [float(below[-1])] if len(below) else []
    else:
        merely_levels = [float(v) for v in np.atleast_1d(merely)]
    in_top, in_merely = frame["s"] == top, frame["s"].isin(merely_levels)
    for name, mask in (("top", in_top), ("merely", in_merely)):
        if not mask.any():
            raise ValueError(
                f"no respondent gave the {name} answer {top if name == 'top' else merely_levels}"
            )
    a, n1 = int(frame.loc[in_top, "y"].sum()), int(in_top.sum())
    c, n2 = int(frame.loc[in_merely, "y"].sum()), int(in_merely.sum())
    ratio = (a / n1) / (c / n2) if c else np.nan
    if a and c:
        z = stats.norm.ppf(0.5 + confidence / 2)
        half = z * np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        low, high = ratio * np.exp(-half), ratio * np.exp(half)
    else:
        low = high = np.nan
    p_val = float(stats.fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue)
    return pd.DataFrame(
        [
            {
                "top": top,
                "merely": ", ".join(f"{v:g}" for v in merely_levels),
                "share_top": a / n1,
                "n_top": n1,
                "share_merely": c / n2,
                "n_merely": n2,
                "ratio": ratio,
                "ci_low": low,
                "ci_high": high,
                "p_val": p_val,
            }
        ]
    )


def moderation(
    data: pd.DataFrame,
    outcome: str,
    x: str,
    moderator: str,
    *,
    covariates: list[str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Does ``moderator`` change the slope of ``outcome`` on ``x``? OLS with the interaction.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        E.g. attitudinal loyalty, or repurchase (a linear probability model).
    x : str
        E.g. satisfaction.
    moderator : str
        E.g. switching costs (a 0/1 group or a score).
    covariates : list of str, optional
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        The regression on mean-centred ``x`` and ``moderator`` (``term``: intercept, x,
        moderator, ``x:moderator``, covariates) and the simple slopes of ``x`` at the
        moderator's low and high values (mean -+ 1 SD, or 0 and 1 for a 0/1 moderator;
        ``term`` ``slope at <moderator> = value``), with HC3 standard errors and t tests.

    Notes
    -----
    Centring changes the main effects' meaning (slopes at the other variable's mean), not the
    interaction (Aiken & West, 1991). A satisfaction slope that is flatter where switching costs
    are high is "spurious" loyalty (Jones & Sasser, 1995): customers stay because leaving is
    costly, not because they are satisfied.

    References
    ----------
    Aiken, L. S., & West, S. G. (1991). Multiple regression: Testing and interpreting
    interactions. Sage.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"sat": rng.normal(size=4000), "cost": rng.integers(0, 2, 4000)})
    >>> d["loyal"] = d["sat"] * (1 - 0.5 * d["cost"]) + rng.normal(0, 0.5, 4000)
    >>> table = moderation(d, "loyal", "sat", "cost")
    >>> table.set_index("term").loc["sat:cost", "coef"].round(1)
    np.float64(-0.5)
    """
    check_probability("alpha", alpha)
    covariates = list(covariates or [])
    frame = numeric_columns(data, [outcome, x, moderator, *covariates]).dropna()
    if len(frame) < len(covariates) + 6:
        raise ValueError(f"{len(frame)} complete respondents: too few for the moderation model")
    binary = frame[moderator].isin([0, 1]).all()
    cx, cm = frame[x] - frame[x].mean(), frame[moderator] - frame[moderator].mean()
    design = pd.DataFrame({x: cx, moderator: cm, f"{x}:{moderator}": cx * cm}, index=frame.index)
    design = pd.concat([design, frame[covariates]], axis=1)
    fit = fit_ols(frame[outcome].to_numpy(float), design)
    table = coefficient_table(fit, alpha)
    spread = frame[moderator].std(ddof=1)
    values = [0.0, 1.0] if binary else [frame[moderator].mean() - spread, frame[moderator].mean() + spread]
    names = list(fit.params.index)
    slopes = []
    for value in values:
        weights = np.zeros(len(names))
        weights[names.index(x)] = 1.0
        weights[names.index(f"{x}:{moderator}")] = value - frame[moderator].mean()
        test = fit.t_test(weights)
        low, high = np.asarray(test.conf_int(alpha)).ravel()
        slopes.append(
            {
                "term": f"slope at {moderator} = {value:.3g}",
                "coef": float(np.asarray(test.effect).ravel()[0]),
                "se": float(np.asarray(test.sd).ravel()[0]),
                "statistic": float(np.asarray(test.tvalue).ravel()[0]),
                "df": float(fit.df_resid),
                "p_val": float(np.asarray(test.pvalue).ravel()[0]),
                "ci_low": float(low),
                "ci_high": float(high),
            }
        )
    return pd.concat([table, pd.DataFrame(slopes)], ignore_index=True)


STATUSES = ("holds", "does not hold", "untestable with these data")
"""What a claim's test can conclude (the summary table's ``status``)."""


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def necessity_verdict(
    table: pd.DataFrame, condition: str, outcome: str, alpha: float = 0.05
) -> tuple[str, str]:
    """Status and sentence for "``outcome`` needs ``condition``" from :func:`necessary_condition`
    (CE-FDH; Dul's d of at least 0.1 and a permutation p below ``alpha``)."""
    d, p = table.loc["ce_fdh", "effect_size"], table.loc["ce_fdh", "p_val"]
    size = "large" if d >= 0.3 else "medium" if d >= 0.1 else "small"
    if d >= 0.1 and p < alpha:
        return (
            "holds",
            f"{condition} is a necessary condition for {outcome} ({size} effect, d = {d:.2f}, {_p(p)})",
        )
    if d >= 0.1:
        return "does not hold", (
            f"the empty corner (d = {d:.2f}) is no larger than random pairings leave ({_p(p)}): "
            f"no evidence that {outcome} needs {condition}"
        )
    return "does not hold", f"d = {d:.2f}, below 0.1: high {outcome} occurs at low {condition} too"


def range_verdict(share: pd.Series, low: float, high: float, what: str) -> tuple[str, str]:
    """Status and sentence for a claimed range of a share, from a row of
    :func:`conditional_shares` (``share``, ``ci_low``, ``ci_high``): consistent when the
    interval reaches the range."""
    text = f"{what} is {share['share']:.0%} (95% interval {share['ci_low']:.0%}-{share['ci_high']:.0%})"
    if share["ci_high"] >= low and share["ci_low"] <= high:
        return "holds", f"{text}, within reach of the claimed {low:.0%}-{high:.0%}"
    side = "below" if share["ci_high"] < low else "above"
    return "does not hold", f"{text}, {side} the claimed {low:.0%}-{high:.0%}"


def top_box_verdict(row: pd.Series, claimed: float = 6.0) -> tuple[str, str]:
    """Status and sentence for "the completely satisfied buy again far more often" from a row of
    :func:`top_box_ratio`, and whether ``claimed`` (Jones & Sasser's six) is in the interval."""
    text = (
        f"{row['share_top']:.0%} of the completely satisfied against {row['share_merely']:.0%} of the merely "
        f"satisfied: a ratio of {row['ratio']:.2f} (95% interval {row['ci_low']:.2f}-{row['ci_high']:.2f})"
    )
    six = "includes" if row["ci_low"] <= claimed <= row["ci_high"] else "excludes"
    if row["ci_low"] > 1:
        return "holds", f"{text}; the interval {six} the claimed {claimed:g}"
    return (
        "does not hold",
        f"{text}: no reliable top-box advantage; the interval {six} the claimed {claimed:g}",
    )


def disconfirmation_verdict(fit, alpha: float = 0.05) -> tuple[str, str]:
    """Status and sentence for "satisfaction follows performance against expectation" from a
    :class:`~loyalty_research.congruence.ResponseSurface` (a3 positive), and whether the
    difference score could replace the two variables."""
    a3 = fit.surface.loc["a3"]
    test = fit.difference_test.iloc[0]
    shape = (
        f"the difference score alone would do (constraints {_p(test['p_val'])})"
        if test["p_val"] >= alpha
        else f"but not as a difference score: its constraints fail ({_p(test['p_val'])}; R-squared "
        f"{test['r2_difference']:.2f} for the difference against {test['r2']:.2f} for the surface)"
    )
    effect = f"a3 = {a3['coef']:.2f}, {_p(a3['p_val'])}"
    if a3["coef"] > 0 and a3["p_val"] < alpha:
        return "holds", f"performance above expectation raises the outcome ({effect}), {shape}"
    return "does not hold", f"no reliable effect of performance against expectation ({effect}); {shape}"


def moderation_verdict(table: pd.DataFrame, x: str, moderator: str, alpha: float = 0.05) -> tuple[str, str]:
    """Status and sentence for "where switching is costly, loyalty depends less on satisfaction"
    (spurious loyalty) from :func:`moderation`: a negative interaction."""
    rows = table.set_index("term")
    interaction = rows.loc[f"{x}:{moderator}"]
    slopes = rows[rows.index.str.startswith("slope at")]
    text = (
        f"the slope of {x} is {slopes['coef'].iloc[0]:.2f} at low and {slopes['coef'].iloc[1]:.2f} at high "
        f"{moderator} (interaction {interaction['coef']:+.3f}, {_p(interaction['p_val'])})"
    )
    if interaction["p_val"] < alpha and interaction["coef"] < 0:
        return "holds", f"{text}: where leaving is costly, loyalty leans less on satisfaction"
    if interaction["p_val"] < alpha:
        return "does not hold", f"{text}: the opposite of spurious loyalty, costs strengthen the link"
    return "does not hold", f"{text}: no reliable moderation"


@dataclass(frozen=True)
class ClaimCheck(HTMLTables):
    """One claim of the register tested on every data set that can test it (:func:`check_claim`).

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per data set: ``claim``, ``data``, ``result`` (the sentence), ``status`` (one of
        :data:`STATUSES`), ``evidence`` (``"real data"``, ``"simulation (built in: a
        recovery)"``, ``"simulation (not built in)"`` or ``"none"``).
    details : dict
        The tables behind each row, by data set.
    """

    summary: pd.DataFrame
    details: dict


def _top_two(values: pd.Series, top: float) -> pd.Series:
    """1 for the top two answers of a scale whose best answer is ``top``, NaN where unanswered."""
    return (values >= top - 1).astype(float).where(values.notna())


def claim_data() -> dict[str, pd.DataFrame]:
    """The data sets the claims are tested on (``"ECSI mobi"``, ``"corporate reputation"``,
    ``"golf survey"``), as the columns the tests use: ``satisfaction`` and ``loyalty`` scores
    (item means), their top-two-box flags (``satisfied``, ``loyal``), and what each set has
    besides (quality and expectation, switching costs, repurchase). The mobi items are in
    ``attrs["raw"]`` of its frame.

    Examples
    --------
    >>> sorted(claim_data())
    ['ECSI mobi', 'corporate reputation', 'golf survey']
    """
    from .datasets import load_corporate_reputation, load_ecsi_mobi
    from .study import load_study

    mobi = load_ecsi_mobi()
    golf = load_study(None, None)
    reputation = load_corporate_reputation()
    sets = {
        "ECSI mobi": pd.DataFrame(
            {
                "satisfaction": mobi[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1),
                "loyalty": mobi[["CUSL1", "CUSL2", "CUSL3"]].mean(axis=1),
                "satisfied": _top_two(mobi["CUSA1"], 10),
                "loyal": _top_two(mobi["CUSL1"], 10),
                "satisfaction_item": mobi["CUSA1"],
                "quality": mobi[[f"PERQ{i}" for i in range(1, 8)]].mean(axis=1),
                "expectation": mobi[["CUEX1", "CUEX2", "CUEX3"]].mean(axis=1),
            }
        ),
        "corporate reputation": pd.DataFrame(
            {
                "satisfaction": reputation["cusa"],
                "loyalty": reputation[["cusl_1", "cusl_2", "cusl_3"]].mean(axis=1),
                "satisfied": _top_two(reputation["cusa"], 7),
                "loyal": _top_two(reputation["cusl_1"], 7),
                "switching_costs": reputation[["switch_1", "switch_2", "switch_3", "switch_4"]].mean(axis=1),
            }
        ),
        "golf survey": pd.DataFrame(
            {
                "satisfaction": golf.scores["satisfaction"],
                "loyalty": golf.scores["loyalty"],
                "satisfied": _top_two(golf.survey["sat_overall"], 7),
                "loyal": _top_two(golf.survey["loyal_revisit"], 7),
                "satisfaction_item": golf.survey["sat_overall"],
                "repurchase": golf.survey["repurchase"],
                "switched": 1 - golf.survey["repurchase"],
                "quality": golf.scores[["quality_course", "quality_service", "quality_facilities"]].mean(
                    axis=1
                ),
                "expectation": golf.scores["expectation"],
            }
        ),
    }
    sets["ECSI mobi"].attrs["raw"] = mobi
    return sets


def check_claim(
    claim: str,
    *,
    data: dict[str, pd.DataFrame] | None = None,
    n_permutations: int = 2000,
    random_state: int = 0,
    alpha: float = 0.05,
) -> ClaimCheck:
    """Run one claim's test (see :func:`load_claims`) on every data set that can test it.

    Parameters
    ----------
    claim : str
        A claim of the register, e.g. ``"loyalty_needs_satisfaction"``.
    data : dict, optional
        :func:`claim_data`'s data sets, loaded once for many claims; None loads them.
    n_permutations : int, default 2000
        Permutations of the necessity test.
    random_state : int, default 0
    alpha : float, default 0.05

    Returns
    -------
    ClaimCheck

    Notes
    -----
    Scores are item means; "satisfied" and "loyal" are the top two answers of the overall
    satisfaction item and the first loyalty item (mobi: 9-10 of 10; corporate reputation and
    golf: 6-7 of 7). A claim the golf simulation builds in is marked as a recovery: it shows the
    method finds what was put in, not that the claim is true of customers.

    Examples
    --------
    >>> check = check_claim("programmes_ecological")
    >>> check.summary.loc[0, "status"]
    'untestable with these data'
    """
    register = load_claims()
    if claim not in register.index:
        raise ValueError(f"unknown claim {claim!r}; the register has {list(register.index)}")
    entry = register.loc[claim]
    built = str(entry["built_into_golf"]).startswith("yes")
    if data is None and not entry["test"].startswith("untestable"):
        data = claim_data()
    rows, details = [], {}

    def add(name: str, status: str, text: str, detail) -> None:
        evidence = (
            "real data"
            if name != "golf survey"
            else "simulation (built in: a recovery)"
            if built
            else "simulation (not built in)"
        )
        rows.append({"claim": claim, "data": name, "result": text, "status": status, "evidence": evidence})
        details[name] = detail

    if entry["test"].startswith("untestable"):
        reason = entry["test"].split(":", 1)[1].strip() if ":" in entry["test"] else entry["testable_form"]
        rows.append(
            {
                "claim": claim,
                "data": "none",
                "result": reason[0].upper() + reason[1:].rstrip(".") + ".",
                "status": "untestable with these data",
                "evidence": "none",
            }
        )
    elif claim in ("satisfied_switch", "defectors_were_satisfied"):
        shares = conditional_shares(data["golf survey"], "satisfied", "switched")
        row = shares.iloc[0 if claim == "satisfied_switch" else 1]
        what = (
            "the share of satisfied customers who did not come back"
            if claim == "satisfied_switch"
            else ("the share of customers who did not come back that had been satisfied")
        )
        add("golf survey", *range_verdict(row, 0.65, 0.85, what), shares)
    elif claim == "completely_satisfied_six_times":
        golf = top_box_ratio(data["golf survey"], "satisfaction_item", "repurchase")
        add("golf survey", *top_box_verdict(golf.iloc[0]), golf)
        mobi = data["ECSI mobi"]
        stated = top_box_ratio(mobi.assign(stays=mobi["loyal"]), "satisfaction_item", "stays")
        add("ECSI mobi", *top_box_verdict(stated.iloc[0]), stated)
    elif claim in ("loyalty_needs_satisfaction", "oliver_foundation"):
        from .necessity import necessary_condition

        names = ["ECSI mobi", "corporate reputation"] + (
            ["golf survey"] if claim != "oliver_foundation" else []
        )
        for name in names:
            table = necessary_condition(
                data[name],
                "satisfaction",
                "loyalty",
                n_permutations=n_permutations,
                random_state=random_state,
            )
            add(name, *necessity_verdict(table, "satisfaction", "loyalty", alpha), table)
    elif claim == "satisfaction_no_guarantee":
        for name in ("ECSI mobi", "corporate reputation", "golf survey"):
            frame = data[name].assign(not_loyal=1 - data[name]["loyal"])
            shares = conditional_shares(frame, "satisfied", "not_loyal")
            row = shares.iloc[0]
            text = (
                f"{row['share']:.0%} of satisfied customers are not loyal (95% interval {row['ci_low']:.0%}-"
            )
            text += f"{row['ci_high']:.0%})"
            if row["ci_low"] > 0.05:
                add(name, "holds", f"{text}: satisfaction does not guarantee loyalty", shares)
            else:
                add(name, "does not hold", f"{text}: nearly every satisfied customer is loyal", shares)
    elif claim == "oliver_same_construct":
        from .measurement import htmt, scale_reliability

        raw = data["ECSI mobi"].attrs["raw"]
        table = htmt(
            raw, {"satisfaction": ["CUSA1", "CUSA2", "CUSA3"], "loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
        )
        value = float(table.loc["satisfaction", "loyalty"])
        status = "holds" if value >= 0.85 else "does not hold"
        text = f"HTMT of satisfaction and loyalty is {value:.2f}: " + (
            "the two scales cannot be told apart" if value >= 0.85 else "below 0.85, two distinct constructs"
        )
        reliability = scale_reliability(raw, {"loyalty": ["CUSL1", "CUSL2", "CUSL3"]}).loc["loyalty", "alpha"]
        if reliability < 0.7:  # weak within-scale correlations inflate the ratio
            text += (
                f", though the loyalty items hang together poorly (Cronbach's alpha {reliability:.2f} "
                "on the raw answers), which raises HTMT"
            )
        add("ECSI mobi", status, text, table)
    elif claim == "oliver_core":
        for name in ("ECSI mobi", "corporate reputation"):
            frame = data[name][["satisfaction", "loyalty"]].dropna()
            r2 = float(np.corrcoef(frame["satisfaction"], frame["loyalty"])[0, 1] ** 2)
            status = "holds" if r2 >= 0.5 else "does not hold"
            text = f"satisfaction alone explains {r2:.0%} of the variance of loyalty" + (
                ": the core" if r2 >= 0.5 else ", less than half: much of loyalty lies elsewhere"
            )
            add(name, status, text, pd.DataFrame({"r2": [r2], "n": [len(frame)]}))
    elif claim == "disconfirmation":
        from .congruence import response_surface

        for name, center in (("ECSI mobi", 5.5), ("golf survey", 4.0)):
            fit = response_surface(
                data[name], "satisfaction", "quality", "expectation", center=center, alpha=alpha
            )
            add(name, *disconfirmation_verdict(fit, alpha), fit)
    elif claim == "programmes_buy_behaviour":
        table = moderation(
            data["corporate reputation"], "loyalty", "satisfaction", "switching_costs", alpha=alpha
        )
        add(
            "corporate reputation",
            *moderation_verdict(table, "satisfaction", "switching_costs", alpha),
            table,
        )
    elif claim == "value_not_satisfaction":
        from .readings import competing_models_reading
        from .structural import ECSI_COMPETING, compare_structural_models

        table = compare_structural_models(
            ECSI_COMPETING, data["ECSI mobi"].attrs["raw"], reference="combined"
        )
        rows_by_model = table.set_index("model")
        value_enough = rows_by_model.loc["value", "p_val_diff"] >= alpha
        satisfaction_needed = rows_by_model.loc["satisfaction", "p_val_diff"] < alpha
        status = "holds" if value_enough and satisfaction_needed else "does not hold"
        add("ECSI mobi", status, competing_models_reading(table, alpha=alpha), table)
    else:  # a claim added to the register without a test here
        raise ValueError(f"claim {claim!r} names the test {entry['test']!r}, which check_claim does not run")
    return ClaimCheck(summary=pd.DataFrame(rows), details=details)
