"""A golf-market customer survey with known truth.

No raw data of the golf-market study we reproduce (Zhou Huating, about 2010) are public, so
the package generates survey data of the same design from a documented, seeded model. Every
method in the package can then be judged by whether it recovers what was put in.

The story: golfers of a club / resort (members, corporate members, green-fee visitors and
package tourists) answer a 7-point questionnaire about their expectations, how the club turned
out against them (disconfirmation), the quality of the course, service and facilities (each
with an importance rating), the benefits and costs of playing there (Kotler's customer
delivered value), satisfaction, cognitive / affective / behavioural trust and loyalty, plus a
0-10 recommendation question, complaint history and what they did in the following year. Four
hidden segments link loyalty to satisfaction and value differently (DeSarbo & Cron's
clusterwise regression setting):

* ``satisfaction_driven`` regulars: loyalty rises with satisfaction (partly through trust);
* ``value_seeker``: loyalty rises with delivered value, less with satisfaction;
* ``locked_in`` members: loyal whatever their satisfaction or value (false loyalty);
* ``variety_seeker`` tourists: less loyal whatever their satisfaction or value.

The data are meant to be as hard as real survey data (``realism.py`` measures them against
published targets): loyalty depends on its drivers as loosely as in real surveys, so the
segments overlap; items differ in loading and difficulty; respondents acquiesce, use the scale
narrowly or widely, miss the negation of reverse-keyed items or straight-line; a minority
leaves most of the answers unanswered. ``separation`` and ``n_segments`` make the market easier
or harder for method studies.

Every number that shapes the data is a field of :class:`GolfSurveyParameters`; their defaults,
the items and the other columns are data, in ``resources/golf_market.yaml`` and
``resources/golf_items.csv``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib.resources import files
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.special import expit, logit, softmax

from ._defaults import DEFAULT_SEED
from ._validate import check_count
from .codebook import Codebook
from .complaints import OUTCOMES

__all__ = [
    "DEFAULT_SEED",
    "GOLF_ITEMS",
    "MEMBERSHIP_TYPES",
    "SEGMENTS",
    "GolfSurveyParameters",
    "simulate_golf_survey",
    "simulated_codebook",
    "true_segment_coefficients",
]

MEMBERSHIP_TYPES = ("member", "corporate", "green_fee", "package_tourist")
SEGMENTS = ("satisfaction_driven", "value_seeker", "locked_in", "variety_seeker")


def _frozen(mapping: dict[str, Any]) -> MappingProxyType:
    return MappingProxyType(mapping)


def _resource(name: str) -> str:
    return (files("loyalty_research") / "resources" / name).read_text(encoding="utf-8")


# The market's numbers are data, not code: resources/golf_market.yaml holds the default of every
# parameter and the survey's non-item columns, resources/golf_items.csv the questionnaire.
_MARKET: dict[str, Any] = yaml.safe_load(_resource("golf_market.yaml"))


def _tuples(value: Any) -> Any:
    """YAML's lists as tuples, at every depth, so that defaults cannot be changed in place."""
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


def _default(name: str) -> Any:
    """The default of a number or tuple field of :class:`GolfSurveyParameters`."""
    return _tuples(_MARKET["parameters"][name])


def _mapping(name: str) -> Callable[[], MappingProxyType]:
    """The default factory of a mapping field: a fresh frozen copy for every instance."""
    return lambda: _frozen(_tuples(_MARKET["parameters"][name]))


def _read_items() -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(_resource("golf_items.csv"))))
    for row in rows:
        if row["reverse"] not in ("true", "false"):
            raise ValueError(f"golf_items.csv: reverse of {row['column']!r} must be true or false")
    return rows


_ITEMS = _read_items()

# column, construct, reverse-keyed, English label, Chinese label, importance attribute ("English|
# Chinese", quality items only: what the matching importance rating asks about)
GOLF_ITEMS: tuple[tuple[str, str, bool, str, str, str | None], ...] = tuple(
    (
        row["column"],
        row["construct"],
        row["reverse"] == "true",
        row["label_en"],
        row["label_zh"],
        f"{row['importance_en']}|{row['importance_zh']}" if row["importance_en"] else None,
    )
    for row in _ITEMS
)
# standardised loading and difficulty of each item (see GolfSurveyParameters): loadings of about
# 0.7-0.9 (reverse-keyed items also carry the method factor and misresponse, so they end up lower),
# and harder items where agreeing costs the respondent something (paying more, prepaying)
_ITEM_LOADING = {row["column"]: float(row["loading"]) for row in _ITEMS}
_ITEM_DIFFICULTY = {row["column"]: float(row["difficulty"]) for row in _ITEMS}
_OTHER_COLUMNS: dict[str, dict[str, Any]] = _MARKET["profile_columns"]
_OUTCOME_COLUMNS: dict[str, dict[str, Any]] = _MARKET["outcome_columns"]


@dataclass(frozen=True)
class GolfSurveyParameters:
    """Every parameter of the golf-survey model, in one place.

    Latent constructs live on a standard-normal-like ("z") metric. An item's answer is the
    latent response ``loading * latent + sqrt(1 - loading**2) * noise`` cut at
    ``thresholds``, so answers pile up at the top of the scale as real satisfaction data do;
    a reverse-keyed item reports ``8 - answer``.

    Attributes
    ----------
    membership_shares : mapping
        Share of each membership type among respondents.
    female_share : mapping
        Share of women per membership type.
    age_mean, age_sd : mapping
        Age (years) per membership type, normal, clipped to 18-80.
    income_probs : mapping
        Probabilities of income bands 1-5 (monthly household income in CNY: <10k, 10-20k,
        20-50k, 50-100k, >100k) per membership type.
    years_playing_scale : mapping
        Mean years of playing golf per membership type (gamma with shape 2, capped at age - 12).
    handicap_base, handicap_per_year, handicap_sd :
        Handicap = base - per_year * years playing + normal noise, clipped to 0-36.
    rounds_mean : mapping
        Mean rounds played last year per membership type (negative binomial, dispersion
        ``rounds_dispersion``).
    segment_logit : mapping
        Multinomial logit of segment membership (reference: satisfaction_driven). Per segment:
        ``intercept``, one effect per membership type, ``income`` (per band above 3) and
        ``handicap`` (per 10 strokes above 18).
    loyalty_equation : mapping
        Per segment the structural loyalty equation
        ``L = intercept + satisfaction * S + trust * T_cog + value * V + error_sd * e``. The
        error SDs make loyalty depend on its drivers as loosely as in real surveys (within-
        segment R-squared about 0.3-0.6 where a segment has drivers), so segments overlap.
    separation : float
        How far apart the segments' loyalty equations are: each coefficient (intercept and
        slopes, not the error SD) becomes ``mean + separation * (coefficient - mean)``, the mean
        taken over the segments. 1 is the golf market as described; 0.5 a hard market whose
        segments differ half as much; 0 no segments at all.
    n_segments : int
        How many of the segments exist, taken in the order of ``SEGMENTS`` (2: satisfaction-
        driven and value seekers; 3: also locked-in; 4: the golf market; 1: one regression).
        Their membership logit is renormalised over the segments kept.
    quality_loading : float
        Loading of each quality dimension (course, service, facilities) on general quality.
    expectation_quality, expectation_member, expectation_income, expectation_noise :
        Expectation tracks the club's general quality (its reputation), is higher for
        (corporate) members and per income band, plus noise.
    disconfirmation_quality, disconfirmation_expectation, disconfirmation_noise :
        Disconfirmation (how the club turned out against what was expected, the seeds'
        "performance against expectation") = quality - expectation + noise.
    benefit_quality, benefit_income :
        Effects of general quality and income on perceived benefits.
    cost_intercept, cost_membership, cost_income : float, mapping, float
        Level of perceived costs (below the benefits: most customers do not find the club
        costly), its membership-type shift and effect per income band.
    satisfaction_quality, satisfaction_disconfirmation, satisfaction_benefit, satisfaction_noise :
        Satisfaction = quality + disconfirmation + benefits + complaint outcome + segment + noise.
    satisfaction_by_complaint : mapping
        Shift of satisfaction by complaint outcome.
    satisfaction_by_segment : mapping
        Shift of satisfaction by segment: who is in a segment shapes how satisfied they are
        (members who chose the club are more satisfied than tourists passing through). It
        creates a pooled satisfaction-loyalty association even in segments whose loyalty does
        not respond to satisfaction.
    trust_path : float
        Coefficient of each step of the trust chain satisfaction -> cognitive -> affective ->
        behavioural trust (each step has unit latent variance).
    problem_intercept, problem_quality :
        Logit of having had a problem, by general quality.
    complaint_rate, resolved_rate, quick_rate :
        P(complained | problem), P(resolved | complained), P(resolved quickly | resolved).
        TARP's "1 in 25 complain" describes whole markets; a golf club hears more, and cells
        must be large enough to estimate, so the default is 0.4.
    repurchase_base : mapping
        Repurchase probability at latent loyalty 0 for each complaint outcome: the TARP figures
        for losses over $100 (did not complain 9%, complained unresolved 19%, resolved 54%,
        resolved quickly 82%) and ``no_problem`` for customers who had no problem.
    repurchase_loyalty :
        Logit slope of repurchase on latent loyalty (standardised).
    rounds_next_loyalty :
        Log-rate effect of latent loyalty (standardised) on next year's rounds.
    recency_loyalty :
        Log-rate effect of latent loyalty (standardised) on the pace of visits behind
        ``days_since_last_round`` (the less loyal are drifting away).
    construct_level : mapping
        Where each construct's items sit on the answer scale: the mean of the latent agreement
        with a positively worded item, in SDs of the latent response. Positive levels give the
        positivity bias and left skew of real satisfaction answers (Peterson & Wilson 1992).
    item_loading : mapping
        Standardised loading of each item's latent response on its construct; items differ,
        and reverse-keyed items load lower.
    item_difficulty : mapping
        Shift of each item against the construct level: positive items are harder to agree
        with (``loyal_pay_more`` more than ``loyal_revisit``).
    thresholds : tuple
        Six cut points, symmetric about 0, of the latent agreement for the 7-point answers.
    reverse_method_loading : float
        Loading of every negatively worded item on a respondent-level method factor (the
        negative-wording factor of Weijters & Baumgartner 2012).
    acquiescence_sd : float
        SD of each respondent's tendency to agree with any statement (added to the latent
        agreement, so it lowers reverse-keyed items after reversal).
    scale_usage_sd : float
        SD of each respondent's log spread of the scale (Rossi, Gilula & Allenby 2001):
        positive values compress the thresholds (extreme responding), negative values widen
        them (midpoint responding).
    careless_share : float
        Share of respondents who miss the negation of reverse-keyed items and answer them as
        if positively worded (misresponse; Swain, Weathers & Niedrich 2008).
    straightliner_share : float
        Share of respondents who give the same answer to every construct item.
    nps_intercept, nps_slope, nps_acquiescence, nps_sd :
        0-10 recommendation = intercept + slope * L + acquiescence effect + noise, rounded and
        clipped (L standardised).
    skipper_intercept, skipper_tourist, skipper_older :
        Logit of being a "skipper", one of the minority of respondents who leave items
        unanswered: its intercept, package tourists' and over-60s' shifts.
    skipper_item_rate, item_missing_rate :
        Chance that a skipper, and anyone else, leaves an item unanswered.
    income_missing_intercept, income_missing_corporate, income_missing_age :
        Logit of not reporting income (per 10 years above 45).
    handicap_missing_tourist, handicap_missing_other :
        Share without a handicap (no official handicap).
    """

    membership_shares: MappingProxyType = field(default_factory=_mapping("membership_shares"))
    female_share: MappingProxyType = field(default_factory=_mapping("female_share"))
    age_mean: MappingProxyType = field(default_factory=_mapping("age_mean"))
    age_sd: MappingProxyType = field(default_factory=_mapping("age_sd"))
    income_probs: MappingProxyType = field(default_factory=_mapping("income_probs"))
    years_playing_scale: MappingProxyType = field(default_factory=_mapping("years_playing_scale"))
    handicap_base: float = _default("handicap_base")
    handicap_per_year: float = _default("handicap_per_year")
    handicap_sd: float = _default("handicap_sd")
    rounds_mean: MappingProxyType = field(default_factory=_mapping("rounds_mean"))
    rounds_dispersion: float = _default("rounds_dispersion")
    segment_logit: MappingProxyType = field(default_factory=_mapping("segment_logit"))
    loyalty_equation: MappingProxyType = field(default_factory=_mapping("loyalty_equation"))
    separation: float = _default("separation")
    n_segments: int = _default("n_segments")
    quality_loading: float = _default("quality_loading")
    expectation_quality: float = _default("expectation_quality")
    expectation_member: float = _default("expectation_member")
    expectation_income: float = _default("expectation_income")
    expectation_noise: float = _default("expectation_noise")
    disconfirmation_quality: float = _default("disconfirmation_quality")
    disconfirmation_expectation: float = _default("disconfirmation_expectation")
    disconfirmation_noise: float = _default("disconfirmation_noise")
    benefit_quality: float = _default("benefit_quality")
    benefit_income: float = _default("benefit_income")
    cost_membership: MappingProxyType = field(default_factory=_mapping("cost_membership"))
    cost_intercept: float = _default("cost_intercept")
    cost_income: float = _default("cost_income")
    satisfaction_quality: float = _default("satisfaction_quality")
    satisfaction_disconfirmation: float = _default("satisfaction_disconfirmation")
    satisfaction_benefit: float = _default("satisfaction_benefit")
    satisfaction_noise: float = _default("satisfaction_noise")
    satisfaction_by_complaint: MappingProxyType = field(default_factory=_mapping("satisfaction_by_complaint"))
    satisfaction_by_segment: MappingProxyType = field(default_factory=_mapping("satisfaction_by_segment"))
    trust_path: float = _default("trust_path")
    problem_intercept: float = _default("problem_intercept")
    problem_quality: float = _default("problem_quality")
    complaint_rate: float = _default("complaint_rate")
    resolved_rate: float = _default("resolved_rate")
    quick_rate: float = _default("quick_rate")
    repurchase_base: MappingProxyType = field(default_factory=_mapping("repurchase_base"))
    repurchase_loyalty: float = _default("repurchase_loyalty")
    rounds_next_loyalty: float = _default("rounds_next_loyalty")
    recency_loyalty: float = _default("recency_loyalty")
    construct_level: MappingProxyType = field(default_factory=_mapping("construct_level"))
    item_loading: MappingProxyType = field(default_factory=lambda: _frozen(dict(_ITEM_LOADING)))
    item_difficulty: MappingProxyType = field(default_factory=lambda: _frozen(dict(_ITEM_DIFFICULTY)))
    thresholds: tuple[float, ...] = _default("thresholds")
    reverse_method_loading: float = _default("reverse_method_loading")
    acquiescence_sd: float = _default("acquiescence_sd")
    scale_usage_sd: float = _default("scale_usage_sd")
    careless_share: float = _default("careless_share")
    straightliner_share: float = _default("straightliner_share")
    nps_intercept: float = _default("nps_intercept")
    nps_slope: float = _default("nps_slope")
    nps_acquiescence: float = _default("nps_acquiescence")
    nps_sd: float = _default("nps_sd")
    skipper_intercept: float = _default("skipper_intercept")
    skipper_tourist: float = _default("skipper_tourist")
    skipper_older: float = _default("skipper_older")
    skipper_item_rate: float = _default("skipper_item_rate")
    item_missing_rate: float = _default("item_missing_rate")
    income_missing_intercept: float = _default("income_missing_intercept")
    income_missing_corporate: float = _default("income_missing_corporate")
    income_missing_age: float = _default("income_missing_age")
    handicap_missing_tourist: float = _default("handicap_missing_tourist")
    handicap_missing_other: float = _default("handicap_missing_other")

    def without_response_styles(self) -> GolfSurveyParameters:
        """The same market answered without response styles, misresponse or straight-lining."""
        return replace(
            self,
            reverse_method_loading=0.0,
            acquiescence_sd=0.0,
            scale_usage_sd=0.0,
            careless_share=0.0,
            straightliner_share=0.0,
            nps_acquiescence=0.0,
        )

    def to_dict(self) -> dict[str, Any]:
        """Every parameter as plain Python values (mappings as dicts, tuples as lists)."""

        def plain(value: Any) -> Any:
            if isinstance(value, (MappingProxyType, dict)):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            return value

        return {name: plain(getattr(self, name)) for name in self.__dataclass_fields__}


def simulated_codebook() -> Codebook:
    """The codebook the simulator writes its survey with: the source of ``data/codebook.yaml``.

    To read a codebook, bundled or your own, use :func:`~loyalty_research.load_codebook`; this
    builds the bundled one from ``resources/`` for ``make data`` and the method studies.
    """
    columns: dict[str, dict[str, Any]] = dict(_OTHER_COLUMNS)
    for name, construct, reverse, label_en, label_zh, _ in GOLF_ITEMS:
        columns[name] = {
            "type": "likert",
            "construct": construct,
            "min": 1,
            "max": 7,
            "reverse": reverse,
            "label_en": label_en,
            "label_zh": label_zh,
        }
    for name, _, _, _, _, attribute in GOLF_ITEMS:
        if attribute is not None:
            attribute_en, attribute_zh = attribute.split("|")
            columns[f"imp_{name}"] = {
                "type": "likert",
                "min": 1,
                "max": 7,
                "importance_of": name,
                "label_en": f"Importance to you: {attribute_en}",
                "label_zh": f"对您的重要性：{attribute_zh}",
            }
    columns.update(_OUTCOME_COLUMNS)
    return Codebook.from_dict(
        {
            "name": "golf_survey",
            "id_column": "respondent_id",
            "delivered_value": {"benefits": "perceived_benefits", "costs": "perceived_costs"},
            "min_answered": 0.5,
            "columns": columns,
        }
    )


def true_segment_coefficients(params: GolfSurveyParameters | None = None) -> pd.DataFrame:
    """True loyalty equations per segment, structural and in reduced form.

    The equations are those of ``params.loyalty_equation`` moved towards their mean by
    ``params.separation``. The structural equation has loyalty on satisfaction, cognitive
    trust and value. Cognitive trust is ``trust_path * S + sqrt(1 - trust_path**2) * u`` with
    ``u`` independent of S and V, so the regression of loyalty on satisfaction and value alone
    (what a clusterwise regression estimates) has satisfaction slope
    ``satisfaction + trust * trust_path`` and error SD
    ``sqrt(error_sd**2 + trust**2 * (1 - trust_path**2))``.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``segment``, the structural ``intercept``, ``satisfaction``,
        ``trust``, ``value``, ``error_sd``, and the reduced-form ``coef_intercept``,
        ``coef_satisfaction``, ``coef_value``, ``reduced_error_sd``.

    Examples
    --------
    >>> flat = true_segment_coefficients(GolfSurveyParameters(separation=0.0))
    >>> flat["coef_value"].nunique()
    1
    """
    params = params or GolfSurveyParameters()
    if not (np.isfinite(params.separation) and params.separation >= 0):
        raise ValueError(f"separation must be a number >= 0, got {params.separation!r}")
    if params.n_segments not in range(1, len(SEGMENTS) + 1):
        raise ValueError(f"n_segments must be 1-{len(SEGMENTS)}, got {params.n_segments!r}")
    active = SEGMENTS[: params.n_segments]
    table = pd.DataFrame([params.loyalty_equation[s] for s in active], index=list(active))
    terms = ["intercept", "satisfaction", "trust", "value"]
    mean = table[terms].mean()
    table[terms] = mean + params.separation * (table[terms] - mean)
    table["coef_intercept"] = table["intercept"]
    table["coef_satisfaction"] = table["satisfaction"] + table["trust"] * params.trust_path
    table["coef_value"] = table["value"]
    table["reduced_error_sd"] = np.sqrt(
        table["error_sd"] ** 2 + table["trust"] ** 2 * (1 - params.trust_path**2)
    )
    return table.rename_axis("segment").reset_index()


def simulate_golf_survey(
    n_respondents: int = 800,
    random_state: int | np.random.Generator | None = DEFAULT_SEED,
    params: GolfSurveyParameters | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a golf-market customer survey with known segments and latent scores.

    Parameters
    ----------
    n_respondents : int, default 800
        Number of respondents.
    random_state : int, numpy Generator or None, default DEFAULT_SEED
        Seed of all randomness; the same seed gives identical data.
    params : GolfSurveyParameters, optional
        Model parameters; the documented defaults when omitted. For an easier or harder
        market change ``separation``; for answers without response styles use
        ``GolfSurveyParameters().without_response_styles()``.

    Returns
    -------
    survey : pandas.DataFrame
        One row per respondent, the columns of the bundled codebook in order: traits,
        7-point items (reverse-keyed items as answered), importance ratings, outcomes.
        Missing answers are NaN.
    truth : pandas.DataFrame
        One row per respondent: ``respondent_id``, ``segment``, the response behaviour
        (``straightliner``, ``careless``, ``skipper``, ``acquiescence``, ``scale_usage``), the
        latent scores (``latent_*``), the reduced-form loyalty coefficients of the respondent's
        segment (``coef_intercept``, ``coef_satisfaction``, ``coef_value``,
        ``reduced_error_sd``; see :func:`true_segment_coefficients`), the
        ``repurchase_probability`` and ``bayes_segment``: the segment a classifier that knows
        every true parameter and latent score would assign (the best any method can do).

    Notes
    -----
    Order of generation: traits; segment (multinomial logit of membership type, income and
    handicap); general quality and its three dimensions; expectation, disconfirmation,
    benefits and costs; problems and complaint handling; satisfaction (quality,
    disconfirmation, benefits, complaint outcome); the trust chain; loyalty from the segment's
    equation; response styles; outcomes (0-10 recommendation, repurchase by complaint outcome
    and loyalty, next year's rounds); items; straight-liners; non-response; days since the
    last round (club records, complete).

    Items are cut from each latent construct standardised in the sample, so the answer scale
    means the same whatever the construct's units.

    Examples
    --------
    >>> survey, truth = simulate_golf_survey(100, random_state=1)
    >>> survey.shape[0], truth["segment"].nunique()
    (100, 4)
    """
    check_count("n_respondents", n_respondents)
    params = params or GolfSurveyParameters()
    equations = true_segment_coefficients(params)
    rng = np.random.default_rng(random_state)
    n = int(n_respondents)

    traits = _simulate_traits(rng, n, params)
    prior = _segment_probabilities(traits, params)
    segment = (rng.random(n)[:, None] > np.cumsum(prior, axis=1)[:, :-1]).sum(axis=1)
    latent, complaints = _simulate_latent(rng, traits, segment, equations, params)
    standard = {name: _standardised(values) for name, values in latent.items()}
    styles = _simulate_styles(rng, n, params)
    outcomes = _simulate_outcomes(rng, traits, standard["loyalty"], complaints, styles, params)
    items, importance = _simulate_items(rng, standard, styles, params)
    straight_value = rng.choice([4, 5, 6, 7], size=n, p=[0.15, 0.25, 0.3, 0.3])
    liners = styles["straightliner"]
    items.loc[liners, :] = straight_value[liners, None]

    ids = [f"G{i:04d}" for i in range(1, n + 1)]
    survey = pd.concat([traits, items, importance, outcomes.drop(columns="repurchase_probability")], axis=1)
    survey.insert(0, "respondent_id", ids)
    skipper = _apply_nonresponse(
        rng, survey, traits, items.columns.tolist() + importance.columns.tolist() + ["nps_recommend"], params
    )
    # club records: rounds arrive at last year's pace, slower for the less loyal; days since the last one
    rounds = traits["rounds_last_year"].to_numpy()
    pace = (rounds + 0.5) / 365 * np.exp(params.recency_loyalty * standard["loyalty"])
    survey["days_since_last_round"] = np.clip(np.ceil(rng.exponential(1 / pace)), 1, 730)
    survey = survey[list(simulated_codebook().columns)]

    coefficients = equations.set_index("segment")
    seg_names = np.asarray(SEGMENTS)[segment]  # segment indexes the first n_segments of SEGMENTS
    truth = pd.DataFrame(
        {
            "respondent_id": ids,
            "segment": seg_names,
            "straightliner": liners,
            "careless": styles["careless"],
            "skipper": skipper,
            "acquiescence": styles["acquiescence"],
            "scale_usage": styles["scale_usage"],
        }
    )
    for name, values in latent.items():
        truth[f"latent_{name}"] = values
    for column in ("coef_intercept", "coef_satisfaction", "coef_value", "reduced_error_sd"):
        truth[column] = coefficients.loc[seg_names, column].to_numpy()
    truth["repurchase_probability"] = outcomes["repurchase_probability"].to_numpy()
    truth["bayes_segment"] = np.asarray(SEGMENTS)[_bayes_segments(prior, latent, equations)]
    return survey, truth


def _standardised(values: np.ndarray) -> np.ndarray:
    sd = values.std()
    return (values - values.mean()) / sd if sd > 0 else values - values.mean()


def _simulate_traits(rng: np.random.Generator, n: int, p: GolfSurveyParameters) -> pd.DataFrame:
    shares = np.array([p.membership_shares[m] for m in MEMBERSHIP_TYPES])
    membership = rng.choice(len(MEMBERSHIP_TYPES), size=n, p=shares / shares.sum())
    mtype = np.asarray(MEMBERSHIP_TYPES)[membership]
    female = rng.random(n) < np.array([p.female_share[m] for m in mtype])
    age = np.array([p.age_mean[m] for m in mtype]) + rng.standard_normal(n) * np.array(
        [p.age_sd[m] for m in mtype]
    )
    age = np.clip(np.rint(age), 18, 80)
    income_cum = np.cumsum(np.array([p.income_probs[m] for m in mtype]), axis=1)
    income = 1 + (rng.random(n)[:, None] > income_cum[:, :-1]).sum(axis=1)
    years = rng.gamma(2.0, np.array([p.years_playing_scale[m] for m in mtype]) / 2.0)
    years = np.minimum(np.rint(years), age - 12)
    handicap = p.handicap_base - p.handicap_per_year * years + p.handicap_sd * rng.standard_normal(n)
    handicap = np.round(np.clip(handicap, 0.0, 36.0), 1)
    mean_rounds = np.array([p.rounds_mean[m] for m in mtype])
    rounds = rng.negative_binomial(
        p.rounds_dispersion, p.rounds_dispersion / (p.rounds_dispersion + mean_rounds)
    )
    return pd.DataFrame(
        {
            "membership": pd.Categorical(mtype, categories=MEMBERSHIP_TYPES),
            "age": age.astype(float),
            "gender": pd.Categorical(np.where(female, "female", "male"), categories=["female", "male"]),
            "income_band": income.astype(float),
            "handicap": handicap,
            "years_playing": years.astype(float),
            "rounds_last_year": np.minimum(rounds, 400).astype(float),
        }
    )


def _segment_probabilities(traits: pd.DataFrame, p: GolfSurveyParameters) -> np.ndarray:
    mtype = traits["membership"].astype(str).to_numpy()
    income_c = traits["income_band"].to_numpy() - 3.0
    handicap_c = (traits["handicap"].to_numpy() - 18.0) / 10.0
    eta = np.column_stack(
        [
            np.full(len(traits), p.segment_logit[s]["intercept"])
            + np.array([p.segment_logit[s][m] for m in mtype])
            + p.segment_logit[s]["income"] * income_c
            + p.segment_logit[s]["handicap"] * handicap_c
            for s in SEGMENTS[: p.n_segments]
        ]
    )
    return softmax(eta, axis=1)


def _loyalty_means(latent: dict[str, np.ndarray], equations: pd.DataFrame) -> np.ndarray:
    """Expected latent loyalty of every respondent under every segment's equation (n, K)."""
    return (
        equations["intercept"].to_numpy()
        + np.outer(latent["satisfaction"], equations["satisfaction"])
        + np.outer(latent["trust_cognitive"], equations["trust"])
        + np.outer(latent["delivered_value"], equations["value"])
    )


def _bayes_segments(prior: np.ndarray, latent: dict[str, np.ndarray], equations: pd.DataFrame) -> np.ndarray:
    sd = equations["error_sd"].to_numpy()
    residual = latent["loyalty"][:, None] - _loyalty_means(latent, equations)
    log_post = np.log(prior) - np.log(sd) - 0.5 * (residual / sd) ** 2
    return log_post.argmax(axis=1)


def _simulate_latent(
    rng: np.random.Generator,
    traits: pd.DataFrame,
    segment: np.ndarray,
    equations: pd.DataFrame,
    p: GolfSurveyParameters,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    n = len(traits)
    mtype = traits["membership"].astype(str).to_numpy()
    income_c = traits["income_band"].to_numpy() - 3.0
    is_member = np.isin(mtype, ("member", "corporate")).astype(float)
    unique = np.sqrt(1 - p.quality_loading**2)

    general = rng.standard_normal(n)
    quality = {
        d: p.quality_loading * general + unique * rng.standard_normal(n)
        for d in ("quality_course", "quality_service", "quality_facilities")
    }
    quality_mean = np.mean(list(quality.values()), axis=0)
    expectation = (
        p.expectation_quality * general
        + p.expectation_member * is_member
        + p.expectation_income * income_c
        + p.expectation_noise * rng.standard_normal(n)
    )
    disconfirmation = (
        p.disconfirmation_quality * quality_mean
        - p.disconfirmation_expectation * expectation
        + p.disconfirmation_noise * rng.standard_normal(n)
    )
    benefits = p.benefit_quality * general + p.benefit_income * income_c + 0.75 * rng.standard_normal(n)
    costs = (
        p.cost_intercept
        + np.array([p.cost_membership[m] for m in mtype])
        + p.cost_income * income_c
        + 0.9 * rng.standard_normal(n)
    )

    # complaint handling: problem -> complained -> resolved -> quickly; coded 0..4
    had_problem = rng.random(n) < expit(p.problem_intercept + p.problem_quality * quality_mean)
    complained = had_problem & (rng.random(n) < p.complaint_rate)
    resolved = complained & (rng.random(n) < p.resolved_rate)
    quickly = resolved & (rng.random(n) < p.quick_rate)
    outcome = np.select([quickly, resolved, complained, had_problem], [4, 3, 2, 1], default=0)

    complaint_shift = np.array([p.satisfaction_by_complaint[k] for k in OUTCOMES])[outcome]
    satisfaction = (
        p.satisfaction_quality * quality_mean
        + p.satisfaction_disconfirmation * disconfirmation
        + p.satisfaction_benefit * benefits
        + complaint_shift
        + np.array([p.satisfaction_by_segment[k] for k in SEGMENTS])[segment]
        + p.satisfaction_noise * rng.standard_normal(n)
    )
    step_noise = np.sqrt(1 - p.trust_path**2)
    trust_cognitive = p.trust_path * satisfaction + step_noise * rng.standard_normal(n)
    trust_affective = p.trust_path * trust_cognitive + step_noise * rng.standard_normal(n)
    trust_behavioural = p.trust_path * trust_affective + step_noise * rng.standard_normal(n)
    value = benefits - costs

    latent = {
        "expectation": expectation,
        "disconfirmation": disconfirmation,
        **quality,
        "perceived_benefits": benefits,
        "perceived_costs": costs,
        "delivered_value": value,
        "satisfaction": satisfaction,
        "trust_cognitive": trust_cognitive,
        "trust_affective": trust_affective,
        "trust_behavioural": trust_behavioural,
    }
    mean = _loyalty_means(latent, equations)[np.arange(n), segment]
    latent["loyalty"] = mean + equations["error_sd"].to_numpy()[segment] * rng.standard_normal(n)
    return latent, outcome


def _simulate_styles(rng: np.random.Generator, n: int, p: GolfSurveyParameters) -> dict[str, np.ndarray]:
    return {
        "acquiescence": p.acquiescence_sd * rng.standard_normal(n),
        "scale_usage": p.scale_usage_sd * rng.standard_normal(n),
        "method": rng.standard_normal(n),
        "careless": rng.random(n) < p.careless_share,
        "straightliner": rng.random(n) < p.straightliner_share,
    }


def _simulate_outcomes(
    rng: np.random.Generator,
    traits: pd.DataFrame,
    loyalty: np.ndarray,
    outcome: np.ndarray,
    styles: dict[str, np.ndarray],
    p: GolfSurveyParameters,
) -> pd.DataFrame:
    n = len(traits)
    nps = np.clip(
        np.rint(
            p.nps_intercept
            + p.nps_slope * loyalty
            + p.nps_acquiescence * styles["acquiescence"]
            + p.nps_sd * rng.standard_normal(n)
        ),
        0,
        10,
    )
    base = np.array([p.repurchase_base[k] for k in OUTCOMES])[outcome]
    prob = expit(logit(base) + p.repurchase_loyalty * loyalty)
    repurchase = rng.random(n) < prob
    rate = (traits["rounds_last_year"].to_numpy() + 1.0) * np.exp(p.rounds_next_loyalty * loyalty)
    rounds_next = np.where(
        repurchase,
        rng.negative_binomial(p.rounds_dispersion, p.rounds_dispersion / (p.rounds_dispersion + rate)),
        0,
    )
    had_problem = outcome >= 1
    complained = np.where(had_problem, (outcome >= 2).astype(float), np.nan)
    resolved = np.where(outcome >= 2, (outcome >= 3).astype(float), np.nan)
    quickly = np.where(outcome >= 3, (outcome == 4).astype(float), np.nan)
    return pd.DataFrame(
        {
            "nps_recommend": nps,
            "had_problem": had_problem.astype(float),
            "complained": complained,
            "complaint_resolved": resolved,
            "resolved_quickly": quickly,
            "repurchase": repurchase.astype(float),
            "rounds_next_year": np.minimum(rounds_next, 400).astype(float),
            "repurchase_probability": prob,
        }
    )


def _answer(agreement: np.ndarray, styles: dict[str, np.ndarray], p: GolfSurveyParameters) -> np.ndarray:
    """7-point answers to latent agreement, through each respondent's response styles."""
    agreement = agreement + styles["acquiescence"]
    cuts = np.asarray(p.thresholds)[None, :] * np.exp(-styles["scale_usage"])[:, None]
    return 1.0 + (agreement[:, None] > cuts).sum(axis=1)


def _simulate_items(
    rng: np.random.Generator,
    standard: dict[str, np.ndarray],
    styles: dict[str, np.ndarray],
    p: GolfSurveyParameters,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(styles["acquiescence"])
    items = {}
    for name, construct, reverse, *_ in GOLF_ITEMS:
        loading = p.item_loading[name]
        method = p.reverse_method_loading if reverse else 0.0
        unique = np.sqrt(1 - loading**2 - method**2)
        # agreement with the item read as positively worded, in the construct's direction
        direct = (
            p.construct_level[construct]
            - p.item_difficulty[name]
            + loading * standard[construct]
            + unique * rng.standard_normal(n)
        )
        if reverse:
            # a negatively worded statement: agreeing means being low on the construct, plus the
            # negative-wording method factor; careless respondents miss the negation
            agreement = np.where(styles["careless"], direct, -direct + method * styles["method"])
        else:
            agreement = direct
        items[name] = _answer(agreement, styles, p)
    # importance ratings: a general tendency to rate things important plus attribute-specific
    # importance (course condition matters most to golfers, the clubhouse least)
    tendency = rng.standard_normal(n)
    importance = {}
    quality_items = [name for name, _, _, _, _, attribute in GOLF_ITEMS if attribute is not None]
    for position, name in enumerate(quality_items):
        level = 1.0 - 0.08 * position
        importance[f"imp_{name}"] = _answer(level + 0.6 * tendency + 0.8 * rng.standard_normal(n), styles, p)
    return pd.DataFrame(items), pd.DataFrame(importance)


def _apply_nonresponse(
    rng: np.random.Generator,
    survey: pd.DataFrame,
    traits: pd.DataFrame,
    item_columns: list[str],
    p: GolfSurveyParameters,
) -> np.ndarray:
    """Blank answers in place; returns who is a skipper."""
    n = len(survey)
    mtype = traits["membership"].astype(str).to_numpy()
    age = traits["age"].to_numpy()
    skipper = rng.random(n) < expit(
        p.skipper_intercept + p.skipper_tourist * (mtype == "package_tourist") + p.skipper_older * (age > 60)
    )
    rate = np.where(skipper, p.skipper_item_rate, p.item_missing_rate)
    missing = rng.random((n, len(item_columns))) < rate[:, None]
    values = survey[item_columns].to_numpy(copy=True)
    values[missing] = np.nan
    survey[item_columns] = values
    income_missing = rng.random(n) < expit(
        p.income_missing_intercept
        + p.income_missing_corporate * (mtype == "corporate")
        + p.income_missing_age * (age - 45) / 10
    )
    survey.loc[income_missing, "income_band"] = np.nan
    handicap_missing = rng.random(n) < np.where(
        mtype == "package_tourist", p.handicap_missing_tourist, p.handicap_missing_other
    )
    survey.loc[handicap_missing, "handicap"] = np.nan
    return skipper
