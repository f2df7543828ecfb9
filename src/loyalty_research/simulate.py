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

Every number that shapes the data is a field of :class:`GolfSurveyParameters`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit, softmax

from ._defaults import DEFAULT_SEED
from ._validate import check_count
from .codebook import Codebook

__all__ = [
    "DEFAULT_SEED",
    "GOLF_ITEMS",
    "MEMBERSHIP_TYPES",
    "SEGMENTS",
    "GolfSurveyParameters",
    "simulate_golf_survey",
    "true_segment_coefficients",
]

MEMBERSHIP_TYPES = ("member", "corporate", "green_fee", "package_tourist")
SEGMENTS = ("satisfaction_driven", "value_seeker", "locked_in", "variety_seeker")


def _frozen(mapping: dict[str, Any]) -> MappingProxyType:
    return MappingProxyType(mapping)


# Standardised loading and difficulty of each item (see GolfSurveyParameters): loadings of about
# 0.7-0.9 (reverse-keyed items also carry the method factor and misresponse, so they end up lower),
# and harder items where agreeing costs the respondent something (paying more, prepaying).
_ITEM_MEASUREMENT: dict[str, tuple[float, float]] = {
    "exp_quality": (0.85, 0.0),
    "exp_service": (0.79, 0.15),
    "exp_overall": (0.89, -0.1),
    "exp_modest_r": (0.77, 0.0),
    "disc_course": (0.85, 0.1),
    "disc_service": (0.81, 0.2),
    "disc_overall": (0.91, 0.0),
    "disc_short_r": (0.77, 0.0),
    "qcourse_greens": (0.89, -0.1),
    "qcourse_fairways": (0.85, -0.2),
    "qcourse_design": (0.75, 0.1),
    "qcourse_slow_r": (0.75, 0.2),
    "qservice_staff": (0.87, -0.3),
    "qservice_booking": (0.79, 0.0),
    "qservice_caddie": (0.83, 0.1),
    "qservice_indifferent_r": (0.77, 0.0),
    "qfacil_clubhouse": (0.85, -0.1),
    "qfacil_range": (0.77, 0.2),
    "qfacil_locker": (0.83, -0.2),
    "qfacil_dated_r": (0.75, 0.1),
    "benefit_product": (0.89, -0.1),
    "benefit_service": (0.83, 0.0),
    "benefit_personnel": (0.75, 0.3),
    "benefit_image_r": (0.71, 0.0),
    "cost_money_r": (0.79, 0.0),
    "cost_time": (0.81, 0.1),
    "cost_energy": (0.85, 0.2),
    "cost_psychic": (0.77, 0.0),
    "sat_overall": (0.92, -0.1),
    "sat_ideal": (0.9, 0.3),
    "sat_regret_r": (0.83, 0.0),
    "tcog_reliable": (0.92, 0.0),
    "tcog_competent": (0.89, -0.2),
    "tcog_doubt_r": (0.81, 0.0),
    "taff_cares": (0.89, 0.2),
    "taff_secure": (0.92, -0.1),
    "taff_indifferent_r": (0.79, 0.1),
    "tbeh_advice": (0.88, 0.0),
    "tbeh_commit": (0.9, 0.4),
    "tbeh_check_r": (0.8, 0.0),
    "loyal_revisit": (0.91, -0.3),
    "loyal_recommend": (0.92, 0.0),
    "loyal_pay_more": (0.81, 0.4),
    "loyal_switch_r": (0.79, 0.1),
}
_ITEM_LOADING = {item: loading for item, (loading, _) in _ITEM_MEASUREMENT.items()}
_ITEM_DIFFICULTY = {item: difficulty for item, (_, difficulty) in _ITEM_MEASUREMENT.items()}


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

    membership_shares: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"member": 0.35, "corporate": 0.15, "green_fee": 0.30, "package_tourist": 0.20}
        )
    )
    female_share: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"member": 0.18, "corporate": 0.12, "green_fee": 0.22, "package_tourist": 0.30}
        )
    )
    age_mean: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"member": 50.0, "corporate": 46.0, "green_fee": 42.0, "package_tourist": 38.0}
        )
    )
    age_sd: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"member": 10.0, "corporate": 8.0, "green_fee": 12.0, "package_tourist": 11.0}
        )
    )
    income_probs: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {
                "member": (0.05, 0.15, 0.30, 0.30, 0.20),
                "corporate": (0.02, 0.08, 0.25, 0.35, 0.30),
                "green_fee": (0.15, 0.30, 0.30, 0.15, 0.10),
                "package_tourist": (0.20, 0.30, 0.30, 0.15, 0.05),
            }
        )
    )
    years_playing_scale: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"member": 12.0, "corporate": 10.0, "green_fee": 7.0, "package_tourist": 3.0}
        )
    )
    handicap_base: float = 30.0
    handicap_per_year: float = 0.9
    handicap_sd: float = 6.0
    rounds_mean: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"member": 40.0, "corporate": 25.0, "green_fee": 12.0, "package_tourist": 4.0}
        )
    )
    rounds_dispersion: float = 3.0
    segment_logit: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {
                "satisfaction_driven": {
                    "intercept": 0.0,
                    "member": 0.0,
                    "corporate": 0.0,
                    "green_fee": 0.0,
                    "package_tourist": 0.0,
                    "income": 0.0,
                    "handicap": 0.0,
                },
                "value_seeker": {
                    "intercept": -0.3,
                    "member": -0.5,
                    "corporate": -1.0,
                    "green_fee": 1.0,
                    "package_tourist": 0.0,
                    "income": -0.6,
                    "handicap": 0.2,
                },
                "locked_in": {
                    "intercept": -0.8,
                    "member": 0.8,
                    "corporate": 2.0,
                    "green_fee": -1.5,
                    "package_tourist": -2.5,
                    "income": 0.4,
                    "handicap": 0.0,
                },
                "variety_seeker": {
                    "intercept": -0.6,
                    "member": -1.5,
                    "corporate": -1.0,
                    "green_fee": 0.5,
                    "package_tourist": 2.0,
                    "income": 0.0,
                    "handicap": 0.5,
                },
            }
        )
    )
    loyalty_equation: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {
                "satisfaction_driven": {
                    "intercept": 0.2,
                    "satisfaction": 0.8,
                    "trust": 0.1,
                    "value": 0.0,
                    "error_sd": 0.95,
                },
                "value_seeker": {
                    "intercept": -0.2,
                    "satisfaction": 0.3,
                    "trust": 0.0,
                    "value": 0.45,
                    "error_sd": 0.75,
                },
                "locked_in": {
                    "intercept": 0.5,
                    "satisfaction": 0.0,
                    "trust": 0.0,
                    "value": 0.0,
                    "error_sd": 0.6,
                },
                "variety_seeker": {
                    "intercept": -0.6,
                    "satisfaction": 0.0,
                    "trust": 0.0,
                    "value": 0.0,
                    "error_sd": 0.6,
                },
            }
        )
    )
    separation: float = 1.0
    n_segments: int = 4
    quality_loading: float = 0.8
    expectation_quality: float = 0.7
    expectation_member: float = 0.3
    expectation_income: float = 0.15
    expectation_noise: float = 0.85
    disconfirmation_quality: float = 0.8
    disconfirmation_expectation: float = 0.5
    disconfirmation_noise: float = 0.6
    benefit_quality: float = 0.5
    benefit_income: float = 0.15
    cost_membership: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"member": 0.5, "corporate": -0.5, "green_fee": 0.3, "package_tourist": 0.0}
        )
    )
    cost_intercept: float = -1.0
    cost_income: float = -0.25
    satisfaction_quality: float = 0.55
    satisfaction_disconfirmation: float = 0.4
    satisfaction_benefit: float = 0.15
    satisfaction_noise: float = 0.6
    satisfaction_by_complaint: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {
                "no_problem": 0.0,
                "not_complained": -0.5,
                "unresolved": -0.7,
                "resolved": -0.2,
                "resolved_quickly": 0.1,
            }
        )
    )
    satisfaction_by_segment: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {"satisfaction_driven": 0.0, "value_seeker": 0.1, "locked_in": 1.0, "variety_seeker": -1.0}
        )
    )
    trust_path: float = 0.6
    problem_intercept: float = -1.0
    problem_quality: float = -0.6
    complaint_rate: float = 0.4
    resolved_rate: float = 0.6
    quick_rate: float = 0.55
    repurchase_base: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {
                "no_problem": 0.75,
                "not_complained": 0.09,
                "unresolved": 0.19,
                "resolved": 0.54,
                "resolved_quickly": 0.82,
            }
        )
    )
    repurchase_loyalty: float = 1.0
    rounds_next_loyalty: float = 0.35
    recency_loyalty: float = 0.5
    construct_level: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {
                "expectation": 0.6,
                "disconfirmation": 0.4,
                "quality_course": 0.9,
                "quality_service": 0.9,
                "quality_facilities": 0.8,
                "perceived_benefits": 0.7,
                "perceived_costs": -0.4,
                "satisfaction": 0.9,
                "trust_cognitive": 0.8,
                "trust_affective": 0.6,
                "trust_behavioural": 0.4,
                "loyalty": 0.8,
            }
        )
    )
    item_loading: MappingProxyType = field(default_factory=lambda: _frozen(dict(_ITEM_LOADING)))
    item_difficulty: MappingProxyType = field(default_factory=lambda: _frozen(dict(_ITEM_DIFFICULTY)))
    thresholds: tuple[float, ...] = (-2.0, -1.3, -0.6, 0.2, 0.9, 1.7)
    reverse_method_loading: float = 0.3
    acquiescence_sd: float = 0.2
    scale_usage_sd: float = 0.3
    careless_share: float = 0.07
    straightliner_share: float = 0.03
    nps_intercept: float = 7.9
    nps_slope: float = 1.4
    nps_acquiescence: float = 1.0
    nps_sd: float = 1.3
    skipper_intercept: float = -2.6
    skipper_tourist: float = 1.2
    skipper_older: float = 0.7
    skipper_item_rate: float = 0.12
    item_missing_rate: float = 0.002
    income_missing_intercept: float = -2.4
    income_missing_corporate: float = 0.8
    income_missing_age: float = 0.3
    handicap_missing_tourist: float = 0.30
    handicap_missing_other: float = 0.03

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


# column, construct, reverse-keyed, English label, Chinese label, importance attribute (quality
# items only: what the matching importance rating asks about)
GOLF_ITEMS: tuple[tuple[str, str, bool, str, str, str | None], ...] = (
    (
        "exp_quality",
        "expectation",
        False,
        "Before coming I expected a high-quality course",
        "来之前我预期球场质量很高",
        None,
    ),
    (
        "exp_service",
        "expectation",
        False,
        "Before coming I expected excellent service",
        "来之前我预期服务一流",
        None,
    ),
    (
        "exp_overall",
        "expectation",
        False,
        "Overall my expectations of this club were high",
        "总体而言我对这家球会期望很高",
        None,
    ),
    (
        "exp_modest_r",
        "expectation",
        True,
        "I did not expect much from this club",
        "我对这家球会没有太高期望",
        None,
    ),
    (
        "disc_course",
        "disconfirmation",
        False,
        "The course turned out better than I had expected",
        "球场比我预期的更好",
        None,
    ),
    (
        "disc_service",
        "disconfirmation",
        False,
        "The service was better than I had expected",
        "服务比我预期的更好",
        None,
    ),
    (
        "disc_overall",
        "disconfirmation",
        False,
        "Overall this club exceeded my expectations",
        "总体而言这家球会超出了我的期望",
        None,
    ),
    (
        "disc_short_r",
        "disconfirmation",
        True,
        "In some ways this club fell short of what I expected",
        "这家球会在某些方面没有达到我的预期",
        None,
    ),
    (
        "qcourse_greens",
        "quality_course",
        False,
        "The greens are in excellent condition",
        "果岭状况极好",
        "Condition of the greens|果岭状况",
    ),
    (
        "qcourse_fairways",
        "quality_course",
        False,
        "The fairways are well kept",
        "球道维护良好",
        "Upkeep of the fairways|球道维护",
    ),
    (
        "qcourse_design",
        "quality_course",
        False,
        "The course design is challenging and fun",
        "球场设计有挑战性且有趣",
        "Course design|球场设计",
    ),
    (
        "qcourse_slow_r",
        "quality_course",
        True,
        "A round here takes far too long",
        "在这里打一轮球耗时太长",
        "Pace of play|打球节奏",
    ),
    (
        "qservice_staff",
        "quality_service",
        False,
        "The staff are friendly and helpful",
        "员工友好且乐于助人",
        "Friendly staff|员工友好",
    ),
    (
        "qservice_booking",
        "quality_service",
        False,
        "Booking a tee time is quick and easy",
        "预订开球时间快捷方便",
        "Easy booking|预订方便",
    ),
    (
        "qservice_caddie",
        "quality_service",
        False,
        "The caddies are professional",
        "球童很专业",
        "Professional caddies|球童专业",
    ),
    (
        "qservice_indifferent_r",
        "quality_service",
        True,
        "Staff are sometimes indifferent to guests",
        "员工有时对客人漠不关心",
        "Attentive staff|员工用心",
    ),
    (
        "qfacil_clubhouse",
        "quality_facilities",
        False,
        "The clubhouse is comfortable",
        "会所舒适",
        "Comfortable clubhouse|会所舒适",
    ),
    (
        "qfacil_range",
        "quality_facilities",
        False,
        "The practice range is well equipped",
        "练习场设施完善",
        "Practice range|练习场",
    ),
    (
        "qfacil_locker",
        "quality_facilities",
        False,
        "The locker rooms are clean",
        "更衣室干净",
        "Clean locker rooms|更衣室干净",
    ),
    (
        "qfacil_dated_r",
        "quality_facilities",
        True,
        "The facilities feel dated",
        "设施显得陈旧",
        "Up-to-date facilities|设施新颖",
    ),
    (
        "benefit_product",
        "perceived_benefits",
        False,
        "The course and facilities give me a great golf experience",
        "球场和设施给我带来很好的打球体验",
        None,
    ),
    (
        "benefit_service",
        "perceived_benefits",
        False,
        "The service adds real value to my visits",
        "服务让我的每次来访更有价值",
        None,
    ),
    (
        "benefit_personnel",
        "perceived_benefits",
        False,
        "The people here are a reason to come",
        "这里的人是我来的理由之一",
        None,
    ),
    (
        "benefit_image_r",
        "perceived_benefits",
        True,
        "Playing here does nothing for my image",
        "在这里打球对我的形象毫无帮助",
        None,
    ),
    (
        "cost_money_r",
        "perceived_costs",
        True,
        "The fees are reasonable for what I get",
        "收费与所得相比是合理的",
        None,
    ),
    (
        "cost_time",
        "perceived_costs",
        False,
        "Coming here takes too much of my time",
        "来这里打球花费我太多时间",
        None,
    ),
    (
        "cost_energy",
        "perceived_costs",
        False,
        "Booking and getting here is tiring",
        "预订和往返让我很累",
        None,
    ),
    (
        "cost_psychic",
        "perceived_costs",
        False,
        "I worry whether playing here is worth it",
        "我担心在这里打球是否值得",
        None,
    ),
    (
        "sat_overall",
        "satisfaction",
        False,
        "Overall I am satisfied with this club",
        "总体而言我对这家球会感到满意",
        None,
    ),
    (
        "sat_ideal",
        "satisfaction",
        False,
        "This club is close to my ideal golf club",
        "这家球会接近我理想中的球会",
        None,
    ),
    (
        "sat_regret_r",
        "satisfaction",
        True,
        "I sometimes regret choosing this club",
        "我有时后悔选择了这家球会",
        None,
    ),
    ("tcog_reliable", "trust_cognitive", False, "This club keeps its promises", "这家球会信守承诺", None),
    (
        "tcog_competent",
        "trust_cognitive",
        False,
        "This club is competent at running a course",
        "这家球会有能力经营好球场",
        None,
    ),
    (
        "tcog_doubt_r",
        "trust_cognitive",
        True,
        "I doubt what this club tells me",
        "我怀疑球会告诉我的话",
        None,
    ),
    (
        "taff_cares",
        "trust_affective",
        False,
        "This club cares about me as a person",
        "这家球会关心我这个人",
        None,
    ),
    (
        "taff_secure",
        "trust_affective",
        False,
        "I feel at ease dealing with this club",
        "与这家球会打交道我感到安心",
        None,
    ),
    (
        "taff_indifferent_r",
        "trust_affective",
        True,
        "This club would not care if I left",
        "即使我离开球会也不会在意",
        None,
    ),
    (
        "tbeh_advice",
        "trust_behavioural",
        False,
        "I follow the advice of the club's professionals",
        "我会听从球会专业人员的建议",
        None,
    ),
    (
        "tbeh_commit",
        "trust_behavioural",
        False,
        "I would prepay or sign a long contract with this club",
        "我愿意预付费用或与球会签长期合约",
        None,
    ),
    (
        "tbeh_check_r",
        "trust_behavioural",
        True,
        "I always check other clubs before booking here",
        "在这里预订前我总会先比较其他球会",
        None,
    ),
    ("loyal_revisit", "loyalty", False, "I will play here again", "我会再来这里打球", None),
    (
        "loyal_recommend",
        "loyalty",
        False,
        "I will recommend this club to others",
        "我会向别人推荐这家球会",
        None,
    ),
    (
        "loyal_pay_more",
        "loyalty",
        False,
        "I would keep coming even if prices rose",
        "即使涨价我也会继续来",
        None,
    ),
    (
        "loyal_switch_r",
        "loyalty",
        True,
        "I would switch clubs for a better offer",
        "如有更优惠的条件我会换球会",
        None,
    ),
)

_OTHER_COLUMNS: dict[str, dict[str, Any]] = {
    "respondent_id": {"type": "id", "label_en": "Respondent id", "label_zh": "受访者编号"},
    "membership": {
        "type": "category",
        "categories": list(MEMBERSHIP_TYPES),
        "label_en": "Membership type",
        "label_zh": "会员类型",
    },
    "age": {"type": "integer", "min": 18, "max": 90, "label_en": "Age in years", "label_zh": "年龄（岁）"},
    "gender": {
        "type": "category",
        "categories": ["female", "male"],
        "label_en": "Gender",
        "label_zh": "性别",
    },
    "income_band": {
        "type": "integer",
        "min": 1,
        "max": 5,
        "label_en": "Monthly household income, CNY (1 <10k, 2 10-20k, 3 20-50k, 4 50-100k, 5 >100k)",
        "label_zh": "家庭月收入（人民币）：1 一万以下，2 一至二万，3 二至五万，4 五至十万，5 十万以上",
    },
    "handicap": {
        "type": "numeric",
        "min": 0,
        "max": 54,
        "label_en": "Golf handicap index",
        "label_zh": "高尔夫差点",
    },
    "years_playing": {
        "type": "integer",
        "min": 0,
        "max": 80,
        "label_en": "Years playing golf",
        "label_zh": "球龄（年）",
    },
    "rounds_last_year": {
        "type": "integer",
        "min": 0,
        "max": 400,
        "label_en": "Rounds played here last year",
        "label_zh": "去年在本球会打球轮数",
    },
}

_OUTCOME_COLUMNS: dict[str, dict[str, Any]] = {
    "nps_recommend": {
        "type": "integer",
        "min": 0,
        "max": 10,
        "label_en": "How likely are you to recommend this club to a friend (0-10)?",
        "label_zh": "您向朋友推荐本球会的可能性有多大（0-10）？",
    },
    "had_problem": {
        "type": "binary",
        "label_en": "Had a problem with the club in the last year",
        "label_zh": "过去一年在球会遇到过问题",
    },
    "complained": {
        "type": "binary",
        "label_en": "Complained about the problem (empty: no problem)",
        "label_zh": "就问题进行了投诉（空白：未遇到问题）",
    },
    "complaint_resolved": {
        "type": "binary",
        "label_en": "The complaint was resolved (empty: did not complain)",
        "label_zh": "投诉得到解决（空白：未投诉）",
    },
    "resolved_quickly": {
        "type": "binary",
        "label_en": "The complaint was resolved quickly (empty: not resolved)",
        "label_zh": "投诉得到迅速解决（空白：未解决）",
    },
    "repurchase": {
        "type": "binary",
        "label_en": "Came back in the following year (renewed membership or played again)",
        "label_zh": "次年再次消费（续会或再次来打球）",
    },
    "rounds_next_year": {
        "type": "integer",
        "min": 0,
        "max": 400,
        "label_en": "Rounds played here the following year",
        "label_zh": "次年在本球会打球轮数",
    },
    "days_since_last_round": {
        "type": "integer",
        "min": 1,
        "max": 730,
        "label_en": "Days since the last round here on the survey date (club records)",
        "label_zh": "调查日距上次在本球会打球的天数（球会记录）",
    },
}


def _golf_codebook() -> Codebook:
    """The codebook of the simulated golf survey (the source of ``data/codebook.yaml``)."""
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
    survey = survey[list(_golf_codebook().columns)]

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

    complaint_shift = np.array([p.satisfaction_by_complaint[k] for k in _COMPLAINT_OUTCOMES])[outcome]
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


_COMPLAINT_OUTCOMES = ("no_problem", "not_complained", "unresolved", "resolved", "resolved_quickly")


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
    base = np.array([p.repurchase_base[k] for k in _COMPLAINT_OUTCOMES])[outcome]
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
