"""Retention economics: lifetime value, the "5% fewer defections" claim, the leaky bucket,
customer types by value to the firm and recency-frequency-monetary (RFM) flags.

Every figure here follows from stated assumptions (margin, retention, discount rate); the
functions make those assumptions explicit instead of quoting the famous numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import check_count, check_frame, numeric_columns, row_labels

__all__ = [
    "customer_lifetime_value",
    "defection_sensitivity",
    "leaky_bucket",
    "referral_value",
    "rfm_scores",
    "value_based_types",
]


def _number(name: str, value: object) -> float:
    """``value`` as a float when it is one finite number, else a ValueError naming ``name``."""
    if isinstance(value, bool) or np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single finite number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a single finite number, got {value!r}") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a single finite number, got {value!r}")
    return number


def _rates(retention: object, *, allow_one: bool) -> np.ndarray:
    """Retention rate(s) as a float array, each in [0, 1) (or [0, 1] when ``allow_one``)."""
    try:
        rates = np.asarray(retention, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"retention must be a number or an array of numbers, got {retention!r}") from None
    bad = ~np.isfinite(rates) | (rates < 0) | (rates > 1)
    if bad.any():
        raise ValueError(f"retention must lie between 0 and 1, got {rates[bad].tolist()}")
    if not allow_one and np.any(rates == 1):
        raise ValueError("retention 1 needs a finite horizon: the customer would pay for ever")
    return rates


def _discounted_margins(
    margin: float, rates: np.ndarray, discount: float, horizon: int | None, growth: float
) -> np.ndarray:
    """``sum_{t=1}^{horizon} margin (1 + growth)^(t-1) rates^t / (1 + discount)^t``, vectorised."""
    # a geometric series: first term margin * q with q = r / (1 + d), ratio q (1 + g) = 1 - shrink
    gap = 1 + discount - rates * (1 + growth)
    if horizon is None:
        if np.any(gap <= 0):
            raise ValueError(
                "the infinite sum diverges: retention * (1 + margin_growth) must stay below "
                f"1 + discount ({1 + discount}); give a finite horizon"
            )
        return margin * rates / gap
    shrink = gap / (1 + discount)
    # 1 - ratio^horizon without cancellation when the ratio is close to 1 (log1p(-1) = -inf is fine)
    with np.errstate(divide="ignore"):
        partial = -np.expm1(horizon * np.log1p(-shrink))
    factor = np.where(shrink == 0, float(horizon), partial / np.where(shrink == 0, 1.0, shrink))
    return margin * rates / (1 + discount) * factor


def customer_lifetime_value(
    margin: float,
    retention: float | np.ndarray,
    *,
    discount: float = 0.1,
    horizon: int | None = None,
    acquisition_cost: float = 0.0,
) -> float | np.ndarray:
    r"""Expected discounted margin of a customer under constant retention.

    Parameters
    ----------
    margin : float
        Margin per period while the customer stays (revenue minus the cost of serving them).
    retention : float or array-like
        Probability that a customer at the start of a period is still one at its end.
    discount : float, default 0.1
        Discount rate per period; must exceed -1.
    horizon : int, optional
        Number of periods counted; None (the default) for an infinite horizon.
    acquisition_cost : float, default 0
        Paid once, at acquisition (not discounted).

    Returns
    -------
    float or numpy.ndarray
        The lifetime value: a float for a single retention rate, an array of the same shape for
        an array of rates.

    Notes
    -----
    Timing: the customer is acquired at time 0. At the end of each period :math:`t = 1, 2,
    \dots` they are still a customer with probability :math:`r^t` and then pay margin
    :math:`m`, discounted by :math:`(1+d)^t`; so a customer can leave before paying anything.

    .. math::

        \mathrm{CLV} = \sum_{t=1}^{T} \frac{m\, r^t}{(1+d)^t} - c
        \;\xrightarrow{T\to\infty}\; \frac{m\, r}{1 + d - r} - c

    The infinite sum is Gupta & Lehmann's (2003) closed form; its "margin multiple"
    :math:`r / (1 + d - r)` is 2.67 at :math:`r = 0.8, d = 0.1`. With :math:`d = 0` it is the
    expected number of margins paid, :math:`r / (1 - r)`. Conventions that collect the first
    margin at acquisition add :math:`m` (giving :math:`m (1 + d) / (1 + d - r)`). A finite
    horizon sums the same terms up to :math:`T` (a geometric series, computed in closed form);
    it allows retention 1. Assumptions: retention, margin and discount rate are the same in
    every period and for every customer (:func:`defection_sensitivity` lists what that leaves
    out).

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing,
    17(1), 9-24. https://doi.org/10.1002/dir.10045

    Examples
    --------
    >>> round(customer_lifetime_value(100, 0.8, discount=0.1), 4)  # 100 * 0.8 / 0.3
    266.6667
    >>> customer_lifetime_value(100, [0.5, 0.9], discount=0.1).round(2)
    array([ 83.33, 450.  ])
    >>> round(customer_lifetime_value(100, 0.8, discount=0.1, horizon=2), 4)  # 80/1.1 + 64/1.21
    125.6198
    """
    margin = _number("margin", margin)
    discount = _number("discount", discount)
    acquisition_cost = _number("acquisition_cost", acquisition_cost)
    if discount <= -1:
        raise ValueError(f"discount must be larger than -1, got {discount}")
    if acquisition_cost < 0:
        raise ValueError(f"acquisition_cost must not be negative, got {acquisition_cost}")
    if horizon is not None:
        horizon = check_count("horizon", horizon)
    rates = _rates(retention, allow_one=horizon is not None)
    value = _discounted_margins(margin, rates, discount, horizon, 0.0) - acquisition_cost
    return float(value) if value.ndim == 0 else value


def referral_value(
    margin: float,
    retention: float,
    *,
    referrals: float,
    conversion: float,
    discount: float = 0.1,
    acquisition_cost: float = 0.0,
) -> float:
    r"""Expected discounted value of the customers one customer brings in by word of mouth.

    Parameters
    ----------
    margin, retention, discount : float
        As in :func:`customer_lifetime_value`; the referred customers are worth the same.
    referrals : float
        People the customer tells per period while still a customer.
    conversion : float
        Share of them who become customers *because* of the referral (those who would have come
        anyway add nothing).
    acquisition_cost : float, default 0
        What winning each referred customer would otherwise have cost: a referral saves it, so
        it is added to each referred customer's value.

    Returns
    -------
    float

    Notes
    -----
    At the end of each period :math:`t` the customer is still one with probability :math:`r^t`
    and then brings :math:`k c` new customers, each worth their own lifetime value (not
    counting the acquisition cost they spare) from then on:

    .. math::

        \mathrm{CRV} = \sum_{t \ge 1} \frac{k c\, r^t}{(1+d)^t}\,(\mathrm{CLV} + a)
        = \frac{k c\, r}{1 + d - r}\,(\mathrm{CLV} + a)

    Only the first generation counts (the referred customers' own referrals are theirs, as in
    Kumar, Petersen & Leone's customer referral value). Girard's "250 people behind every
    customer" is reach, not conversion: with :math:`k = 250` the value depends entirely on
    :math:`c`.

    References
    ----------
    Kumar, V., Petersen, J. A., & Leone, R. P. (2007). How valuable is word of mouth? Harvard
    Business Review, 85(10), 139-146.

    Examples
    --------
    >>> round(referral_value(100, 0.8, referrals=1, conversion=0.1), 4)  # 0.1 * 0.8 / 0.3 * 266.67
    71.1111
    """
    for name, value in (("referrals", referrals), ("conversion", conversion)):
        if _number(name, value) < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    if conversion > 1:
        raise ValueError(f"conversion is a share and must be at most 1, got {conversion}")
    acquisition_cost = _number("acquisition_cost", acquisition_cost)
    if acquisition_cost < 0:
        raise ValueError(f"acquisition_cost must not be negative, got {acquisition_cost}")
    clv = customer_lifetime_value(margin, retention, discount=discount)
    multiple = customer_lifetime_value(1.0, retention, discount=discount)  # r / (1 + d - r)
    return float(referrals * conversion * multiple * (clv + acquisition_cost))


def defection_sensitivity(
    margin: float,
    retention: float | np.ndarray,
    *,
    reduction: float = 0.05,
    relative: bool = False,
    discount: float = 0.1,
    horizon: int | None = None,
    margin_growth: float = 0.0,
) -> pd.DataFrame:
    """How much a customer's lifetime value rises when defections fall: Reichheld & Sasser's experiment.

    Parameters
    ----------
    margin : float
        Margin in a customer's first period.
    retention : float or array-like
        Retention rate(s) before the change.
    reduction : float, default 0.05
        How much the defection rate ``1 - retention`` falls. With ``relative=False`` (the
        default) in percentage points of customers, as a fraction: 0.05 is five points, so
        retention 0.80 becomes 0.85. With ``relative=True`` as a share of the defection rate
        itself: 0.05 cuts a defection rate of 0.20 by 5% of it, to 0.19 (retention 0.81).
    relative : bool, default False
        Which reading of ``reduction``; see above.
    discount : float, default 0.1
        Discount rate per period.
    horizon : int, optional
        Number of periods counted; None for an infinite horizon.
    margin_growth : float, default 0
        Growth of the margin per period of tenure: the margin in period ``t`` is
        ``margin * (1 + margin_growth) ** (t - 1)``. With an infinite horizon it must keep
        ``retention * (1 + margin_growth) < 1 + discount`` (else the value is infinite).

    Returns
    -------
    pandas.DataFrame
        One row per retention rate given: ``retention_before``, ``retention_after``,
        ``clv_before`` and ``clv_after`` (lifetime values as in
        :func:`customer_lifetime_value`, with growing margins when ``margin_growth`` is not 0,
        no acquisition cost) and ``change_pct`` (``100 * (clv_after / clv_before - 1)``; NaN
        when ``clv_before`` is 0).

    Notes
    -----
    Reichheld & Sasser (1990) report that five percent fewer defections raise profits by 25% to
    85%, depending on the industry. The phrase is ambiguous: five percentage points (the
    default here) or 5% of the defection rate (``relative=True``), which changes the answer by
    an order of magnitude.

    The calculation assumes:

    - constant retention: the same rate in every period and for every customer. Real customer
      bases are mixtures; the disloyal leave first, so retention rises with tenure;
    - margins that are constant, or grow at the constant rate ``margin_growth`` with tenure,
      paid at the end of each period in which the customer stays;
    - a constant discount rate per period;
    - nothing else changes: no acquisition cost, no referrals, and the cost of cutting
      defections is not subtracted (the result is the gross gain);
    - the value of one customer, not the profit of the firm, which also depends on how many
      customers it acquires (:func:`leaky_bucket`).

    With constant margins and a 10% discount rate, five points fewer defections raise a
    customer's value by 20% at 60% retention, 27.5% at 80% and 41% at 90%: the bottom of the
    25-85% range. The famous upper figures need margins that grow with tenure, Reichheld &
    Sasser's mechanism (longer-standing customers buy more, cost less to serve, pay higher
    prices and refer others): with margins growing 5% a year the rise at 90% retention is 60%,
    with 10% a year it is 111%.

    References
    ----------
    Reichheld, F. F., & Sasser, W. E. (1990). Zero defections: quality comes to services.
    Harvard Business Review, 68(5), 105-111.

    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing,
    17(1), 9-24. https://doi.org/10.1002/dir.10045

    Examples
    --------
    >>> table = defection_sensitivity(100, [0.8, 0.9], discount=0.1)
    >>> table["retention_after"].round(2).tolist()
    [0.85, 0.95]
    >>> table["change_pct"].round(1).tolist()  # 340 against 266.67; 633.33 against 450
    [27.5, 40.7]
    >>> round(float(defection_sensitivity(100, 0.8, relative=True).loc[0, "change_pct"]), 2)  # 81 / 0.29
    4.74
    """
    margin = _number("margin", margin)
    discount = _number("discount", discount)
    reduction = _number("reduction", reduction)
    margin_growth = _number("margin_growth", margin_growth)
    if discount <= -1:
        raise ValueError(f"discount must be larger than -1, got {discount}")
    if margin_growth <= -1:
        raise ValueError(f"margin_growth must be larger than -1, got {margin_growth}")
    if horizon is not None:
        horizon = check_count("horizon", horizon)
    if reduction < 0:
        raise ValueError(f"reduction must not be negative, got {reduction}")
    if relative and reduction > 1:
        raise ValueError(
            f"with relative=True, reduction is a share of the defection rate, at most 1; got {reduction}"
        )
    before = np.atleast_1d(_rates(retention, allow_one=True))
    if before.ndim != 1:
        raise ValueError(f"retention must be a number or a one-dimensional array, got shape {before.shape}")
    after = before + reduction * (1 - before) if relative else before + reduction
    too_high = after > 1 + 1e-12  # 0.95 + 0.05 may round above 1
    if too_high.any():
        raise ValueError(
            f"a cut of {reduction:g} ({100 * reduction:g} percentage points) is more than the defection "
            f"rate at retention {before[too_high].tolist()}: retention after the change would exceed 1"
        )
    after = np.minimum(after, 1.0)
    if horizon is None and np.any(after == 1):
        raise ValueError(
            f"retention reaches 1 after the change (from {before[after == 1].tolist()}): "
            "the customer would pay for ever; give a finite horizon"
        )
    value_before = _discounted_margins(margin, before, discount, horizon, margin_growth)
    value_after = _discounted_margins(margin, after, discount, horizon, margin_growth)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(value_before == 0, np.nan, 100 * (value_after / value_before - 1))
    return pd.DataFrame(
        {
            "retention_before": before,
            "retention_after": after,
            "clv_before": value_before,
            "clv_after": value_after,
            "change_pct": change,
        }
    )


def leaky_bucket(
    initial_customers: float, retention: float, acquired_per_period: float, periods: int
) -> pd.DataFrame:
    """Customers over time when a firm keeps a share of them and wins new ones: the leaky bucket.

    Parameters
    ----------
    initial_customers : float
        Customers at the start.
    retention : float
        Share of the customers at the start of a period who are still customers at its end.
    acquired_per_period : float
        New customers won in each period.
    periods : int
        Number of periods after the start.

    Returns
    -------
    pandas.DataFrame
        One row per period ``0 .. periods``: ``period``, ``start`` (customers at its start),
        ``lost`` (``start * (1 - retention)``), ``acquired``, ``end`` (``start - lost +
        acquired``; the ``start`` of the next period). Period 0 is the starting position
        (``start = end = initial_customers``, nothing lost or acquired). Numbers are expected
        values, so not whole.

    Notes
    -----
    New customers arrive during the period and start leaving in the next one. After ``t``
    periods the firm has ``initial_customers * r**t + acquired_per_period * (1 - r**t) / (1 - r)``
    customers, which approaches the steady state ``acquired_per_period / (1 - retention)``
    whatever it started from; the distance shrinks by the factor ``retention`` each period. The
    ceiling is set by retention: at 80% retention, 200 new customers a period can never sustain
    more than 1000 customers; 90% retention doubles that ceiling. With retention 1 the bucket
    does not leak and grows by ``acquired_per_period`` every period.

    Examples
    --------
    >>> leaky_bucket(0, 0.8, 200, 3)["end"].round(1).tolist()  # towards 200 / (1 - 0.8) = 1000
    [0.0, 200.0, 360.0, 488.0]
    >>> leaky_bucket(1000, 0.8, 200, 2)["end"].tolist()  # already at the steady state
    [1000.0, 1000.0, 1000.0]
    """
    initial_customers = _number("initial_customers", initial_customers)
    retention = _number("retention", retention)
    acquired_per_period = _number("acquired_per_period", acquired_per_period)
    periods = check_count("periods", periods, minimum=0)
    if not 0 <= retention <= 1:
        raise ValueError(f"retention must lie between 0 and 1, got {retention}")
    for name, value in [
        ("initial_customers", initial_customers),
        ("acquired_per_period", acquired_per_period),
    ]:
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    rows = [{"period": 0, "start": initial_customers, "lost": 0.0, "acquired": 0.0, "end": initial_customers}]
    for period in range(1, periods + 1):
        start = rows[-1]["end"]
        lost = start * (1 - retention)
        rows.append(
            {
                "period": period,
                "start": start,
                "lost": lost,
                "acquired": acquired_per_period,
                "end": start - lost + acquired_per_period,
            }
        )
    return pd.DataFrame(rows)


def _score(values: pd.Series, n_bins: int, higher_is_better: bool) -> pd.Series:
    """``ceil(n_bins * rank / n)`` with average ranks, in exact integer arithmetic."""
    doubled = (2 * values.rank(method="average", ascending=higher_is_better)).round().astype(np.int64)
    # average ranks are whole or halves: ceil(2 rank n_bins / 2n) with integers, so no rounding error
    return -((-doubled * n_bins) // (2 * len(values)))


def rfm_scores(
    data: pd.DataFrame, recency: str, frequency: str, monetary: str, *, n_bins: int = 5
) -> pd.DataFrame:
    """Recency, frequency and monetary scores, and flags for customers to keep or win back.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    recency : str
        Column of the time since the last purchase (smaller is better).
    frequency : str
        Column of the number of purchases in the period (larger is better).
    monetary : str
        Column of the spend in the period (larger is better).
    n_bins : int, default 5
        Scores run from 1 (worst) to ``n_bins`` (best), by quantiles; between 4 and 9.

    Returns
    -------
    pandas.DataFrame
        Same index as ``data``: ``r_score``, ``f_score``, ``m_score`` (integers 1 to
        ``n_bins``; recency reversed, so the most recent customers score highest),
        ``rfm_cell`` (the three scores as a string, e.g. ``"545"``) and ``flag``, the first
        of these rules that applies:

        - ``"champion"``: every score at least ``n_bins - 1`` (recent, frequent, big spenders);
        - ``"drifting away"``: ``f_score >= n_bins - 1`` but ``r_score <= 2``: used to come
          often, but not lately, the customers to call before they leave;
        - ``"lost"``: ``r_score == 1`` and ``f_score <= 2``: neither recent nor frequent;
        - ``"regular"``: everyone else.

    Notes
    -----
    A score is ``ceil(n_bins * rank / n)`` where ``rank`` is the customer's rank (1 = worst)
    among the ``n`` customers, with tied values given their average rank. Equal values always
    get equal scores, and the scores do not depend on the order of the rows (ranking with
    ``method="first"`` would break ties by row order). Without ties the bins hold equal
    numbers of customers; ties shift customers to a neighbouring bin, and a heavily tied
    column (e.g. many customers with one purchase) can leave some scores unused. With
    ``n_bins`` of at least 4 the top two and bottom two scores never overlap, so the flags
    are mutually exclusive, and ``rfm_cell`` has three digits as long as ``n_bins`` is at most
    9. The rules are a common rule of thumb, not a validated model: check on your own data
    whether the flags predict who leaves. Missing or non-numeric values raise a ValueError.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves
    for customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    https://doi.org/10.1509/jmkr.2005.42.4.415

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"days": [3, 200, 40, 7], "visits": [30, 25, 2, 1],
    ...                           "spend": [900, 800, 50, 20]})
    >>> rfm_scores(customers, "days", "visits", "spend", n_bins=4)
       r_score  f_score  m_score rfm_cell           flag
    0        4        4        4      444       champion
    1        1        3        3      133  drifting away
    2        2        2        2      222        regular
    3        3        1        1      311        regular
    """
    check_frame(data)
    n_bins = check_count("n_bins", n_bins, minimum=4)
    if n_bins > 9:
        raise ValueError(f"n_bins must be at most 9 (one digit per score in rfm_cell), got {n_bins}")
    if len(data) == 0:
        raise ValueError("data has no rows")
    values = {}
    for role, column in {"recency": recency, "frequency": frequency, "monetary": monetary}.items():
        numbers = numeric_columns(data, [column], context=f"{role} ")[column]
        if numbers.isna().any():
            raise ValueError(
                f"{role} column {column!r} has missing values ({row_labels(data.index, numbers.isna())}); "
                "drop or fill those rows"
            )
        values[role] = numbers
    out = pd.DataFrame(
        {
            "r_score": _score(values["recency"], n_bins, higher_is_better=False),
            "f_score": _score(values["frequency"], n_bins, higher_is_better=True),
            "m_score": _score(values["monetary"], n_bins, higher_is_better=True),
        },
        index=data.index,
    )
    out["rfm_cell"] = out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    top = n_bins - 1
    out["flag"] = np.select(
        [
            (out[["r_score", "f_score", "m_score"]] >= top).all(axis=1),
            (out["f_score"] >= top) & (out["r_score"] <= 2),
            (out["r_score"] == 1) & (out["f_score"] <= 2),
        ],
        ["champion", "drifting away", "lost"],
        default="regular",
    )
    return out


def value_based_types(
    data: pd.DataFrame, margin: str, volume: str, tenure: str, *, potential: str | None = None
) -> pd.Series:
    """The seed documents' four customer types by value to the firm.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    margin : str
        Column of the margin per purchase (how profitable the customer's business is).
    volume : str
        Column of the amount bought (e.g. rounds played).
    tenure : str
        Column of the length of the relationship (e.g. years).
    potential : str, optional
        Column of future or strategic value (e.g. influence, size of the customer's company).

    Returns
    -------
    pandas.Series
        Same index as ``data``, named ``type``, the first of these rules that applies
        ("above the median" is strictly above the median of all customers given):

        - ``"strategic"``: margin and volume both above their medians, or, when ``potential``
          is given, ``potential`` above its 75th percentile (the top quartile), whatever the
          other columns say;
        - ``"profit"``: margin above its median, volume at or below its median;
        - ``"volume"``: volume above its median, margin at or below its median;
        - ``"relationship"``: margin and volume both at or below their medians, but tenure
          above its median: customers worth keeping for the length of the relationship;
        - ``"other"``: none of these (short-standing, low-margin, low-volume customers).

    Notes
    -----
    The seed documents name the four types; the median and quartile splits are this package's
    operational rules, to be adapted to a firm's own numbers. Splits at the median make the
    types relative to the customers given: half of them are always above each median. The
    80/20 rule that usually accompanies the types (a fifth of the customers bring four fifths
    of the profit) is a claim to check on the data, not an assumption built in here. Missing
    or non-numeric values raise a ValueError.

    Examples
    --------
    >>> import pandas as pd
    >>> golfers = pd.DataFrame({"m": [10, 10, 1, 1, 1], "v": [9, 1, 9, 1, 1], "t": [1, 1, 1, 9, 1]})
    >>> value_based_types(golfers, "m", "v", "t").tolist()
    ['strategic', 'profit', 'volume', 'relationship', 'other']
    """
    check_frame(data)
    used = [margin, volume, tenure, *([potential] if potential is not None else [])]
    if len(set(used)) < len(used):
        raise ValueError(f"margin, volume, tenure and potential must be different columns, got {used}")
    values = numeric_columns(data, used)
    for column in used:
        if values[column].isna().any():
            raise ValueError(
                f"column {column!r} has missing values ({row_labels(data.index, values[column].isna())}): "
                "every customer needs all of margin, volume and tenure; drop or fill those rows"
            )
    high_margin = values[margin] > values[margin].median()
    high_volume = values[volume] > values[volume].median()
    long_tenure = values[tenure] > values[tenure].median()
    strategic = high_margin & high_volume
    if potential is not None:
        strategic |= values[potential] > values[potential].quantile(0.75)
    types = np.select(
        [strategic, high_margin, high_volume, long_tenure],
        ["strategic", "profit", "volume", "relationship"],
        default="other",
    )
    return pd.Series(types, index=data.index, name="type")
