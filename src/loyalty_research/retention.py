"""Retention economics: lifetime value, the "5% fewer defections" claim, the leaky bucket,
customer types by value and recency-frequency-monetary (RFM) flags.

Every figure here follows from stated assumptions (margin, retention, discount rate); the
functions make those assumptions explicit instead of quoting the famous numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "customer_lifetime_value",
    "defection_sensitivity",
    "leaky_bucket",
    "rfm_scores",
    "value_based_types",
]


def _check_rates(retention: np.ndarray, discount: float, horizon: int | None) -> None:
    if np.any(~np.isfinite(retention)) or np.any(retention < 0) or np.any(retention > 1):
        raise ValueError(f"retention must lie between 0 and 1, got {retention}")
    if horizon is None and np.any(retention >= 1):
        raise ValueError("retention of 1 needs a finite horizon (the value would be infinite)")
    if not discount > -1:
        raise ValueError(f"discount must be larger than -1, got {discount}")
    if horizon is not None and (not isinstance(horizon, int | np.integer) or horizon < 1):
        raise ValueError(f"horizon must be a positive integer or None, got {horizon!r}")


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
        Margin per period while the customer stays.
    retention : float or array
        Probability of staying each period.
    discount : float, default 0.1
        Discount rate per period.
    horizon : int, optional
        Number of periods; None for an infinite horizon.
    acquisition_cost : float, default 0
        Subtracted once.

    Returns
    -------
    float or numpy.ndarray
        One value per retention rate.

    Notes
    -----
    The customer is acquired now; at the end of each period :math:`t = 1, 2, \dots` he is still
    a customer with probability :math:`r^t` and then pays margin :math:`m`:

    .. math::

        \mathrm{CLV} = \sum_{t=1}^{T} \frac{m\, r^t}{(1+d)^t} - c
        \;\xrightarrow{T\to\infty}\; \frac{m\, r}{1 + d - r} - c

    (Gupta & Lehmann, 2003). Other conventions pay the first margin at once (add :math:`m`).

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing,
    17(1), 9-24. https://doi.org/10.1002/dir.10045

    Examples
    --------
    >>> round(float(customer_lifetime_value(100, 0.8, discount=0.1)), 6)
    266.666667
    """
    rates = np.asarray(retention, dtype=float)
    _check_rates(rates, discount, horizon)
    ratio = rates / (1 + discount)
    if horizon is None:
        value = margin * rates / (1 + discount - rates)
    else:
        value = margin * np.where(
            np.isclose(ratio, 1),
            horizon,
            ratio * (1 - ratio**horizon) / np.where(np.isclose(ratio, 1), 1, 1 - ratio),
        )
    value = value - acquisition_cost
    return float(value) if np.ndim(value) == 0 else value


def _value_with_growth(
    margin: float, retention: float, discount: float, horizon: int, growth: float
) -> float:
    t = np.arange(1, horizon + 1)
    return float(np.sum(margin * (1 + growth) ** (t - 1) * (retention / (1 + discount)) ** t))


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
    """How much lifetime value rises when defections fall: Reichheld & Sasser's experiment.

    Parameters
    ----------
    margin : float
        Margin in the first period.
    retention : float or array
        Retention before the change.
    reduction : float, default 0.05
        Fall of the defection rate: in percentage points of customers (``relative=False``,
        Reichheld & Sasser's reading: retention 0.80 becomes 0.85) or as a share of the
        defection rate itself (``relative=True``: 0.80 becomes 0.81).
    relative : bool, default False
    discount : float, default 0.1
    horizon : int, optional
        Needed (finite) when ``margin_growth`` is not 0.
    margin_growth : float, default 0
        Growth of the margin per period of tenure.

    Returns
    -------
    pandas.DataFrame
        One row per retention rate: ``retention_before``, ``retention_after``,
        ``clv_before``, ``clv_after`` and ``change_pct``.

    Notes
    -----
    Assumptions: retention is the same every period and for every customer, margins are
    constant or grow at a constant rate with tenure, and future margins are discounted at a
    constant rate. The 25-85% profit increases Reichheld & Sasser (1990) report need margins
    that grow with tenure (older customers buy more, cost less to serve and refer others);
    with constant margins the change is smaller. Their figures are about profits, this is
    about a customer's value, so the two agree only in direction and rough size.

    References
    ----------
    Reichheld, F. F., & Sasser, W. E. (1990). Zero defections: quality comes to services.
    Harvard Business Review, 68(5), 105-111.

    Examples
    --------
    >>> table = defection_sensitivity(100, 0.8, discount=0.1)
    >>> round(float(table.loc[0, "change_pct"]), 1)  # 100*0.85/0.25 against 100*0.8/0.3
    27.5
    """
    before = np.atleast_1d(np.asarray(retention, dtype=float))
    if reduction < 0:
        raise ValueError(f"reduction must not be negative, got {reduction}")
    after = before + reduction * (1 - before) if relative else before + reduction
    if np.any(after > 1):
        raise ValueError(f"retention after the change exceeds 1: {after[after > 1]}")
    if margin_growth:
        if horizon is None:
            raise ValueError("growing margins need a finite horizon")
        _check_rates(after, discount, horizon)
        value_before = np.array(
            [_value_with_growth(margin, r, discount, horizon, margin_growth) for r in before]
        )
        value_after = np.array(
            [_value_with_growth(margin, r, discount, horizon, margin_growth) for r in after]
        )
    else:
        value_before = np.atleast_1d(
            customer_lifetime_value(margin, before, discount=discount, horizon=horizon)
        )
        value_after = np.atleast_1d(
            customer_lifetime_value(margin, after, discount=discount, horizon=horizon)
        )
    return pd.DataFrame(
        {
            "retention_before": before,
            "retention_after": after,
            "clv_before": value_before,
            "clv_after": value_after,
            "change_pct": 100 * (value_after / value_before - 1),
        }
    )


def leaky_bucket(
    initial_customers: float, retention: float, acquired_per_period: float, periods: int
) -> pd.DataFrame:
    """Customers over time when a firm keeps a share and wins new ones: the leaky bucket.

    Parameters
    ----------
    initial_customers : float
    retention : float
        Share kept each period.
    acquired_per_period : float
        New customers won each period.
    periods : int

    Returns
    -------
    pandas.DataFrame
        One row per period ``0 .. periods``: ``period``, ``start``, ``lost``, ``acquired``,
        ``end`` (``end`` of one period is ``start`` of the next).

    Notes
    -----
    The customer base approaches ``acquired_per_period / (1 - retention)`` whatever it starts
    from: acquisition alone cannot raise the ceiling, retention can.

    Examples
    --------
    >>> leaky_bucket(1000, 0.8, 200, 3)["end"].round().tolist()
    [1000.0, 1000.0, 1000.0, 1000.0]
    """
    if not 0 <= retention < 1:
        raise ValueError(f"retention must lie in [0, 1), got {retention}")
    if initial_customers < 0 or acquired_per_period < 0:
        raise ValueError("customer numbers must not be negative")
    if not isinstance(periods, int | np.integer) or periods < 0:
        raise ValueError(f"periods must be a non-negative integer, got {periods!r}")
    rows, current = [], float(initial_customers)
    for period in range(periods + 1):
        lost = current * (1 - retention)
        end = current - lost + acquired_per_period
        rows.append(
            {"period": period, "start": current, "lost": lost, "acquired": acquired_per_period, "end": end}
        )
        current = end
    return pd.DataFrame(rows)


def _score(values: pd.Series, n_bins: int, higher_is_better: bool) -> pd.Series:
    """Quantile score 1..n_bins from average ranks, so ties get one score and row order is irrelevant."""
    ranks = values.rank(method="average", ascending=higher_is_better, pct=True)
    return np.ceil(ranks * n_bins).clip(1, n_bins).astype(int)


def rfm_scores(
    data: pd.DataFrame, recency: str, frequency: str, monetary: str, *, n_bins: int = 5
) -> pd.DataFrame:
    """Recency, frequency and monetary scores, and flags for customers to keep or rescue.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    recency : str
        Time since the last purchase (smaller is better).
    frequency : str
        Number of purchases in the period.
    monetary : str
        Spend in the period.
    n_bins : int, default 5
        Scores run from 1 (worst) to ``n_bins`` (best), by quantiles.

    Returns
    -------
    pandas.DataFrame
        Same index: ``r_score``, ``f_score``, ``m_score``, ``rfm_cell`` (e.g. ``"545"``) and
        ``flag``: ``"champion"`` (every score at least ``n_bins - 1``), ``"drifting away"``
        (used to come often, ``f_score >= n_bins - 1``, but not lately, ``r_score <= 2``),
        ``"lost"`` (``r_score == 1`` and ``f_score <= 2``) or ``"regular"``.

    Notes
    -----
    Scores are ``ceil(n_bins * percentile rank)`` with average ranks for ties, so equal values
    get equal scores and shuffling the rows changes nothing. The seeds' customer-care systems
    keep exactly these records (days since the last visit, visits, spend) to find customers who
    are drifting away before they leave.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"days": [3, 200, 40, 7], "visits": [30, 25, 2, 1],
    ...                           "spend": [900, 800, 50, 20]})
    >>> rfm_scores(customers, "days", "visits", "spend", n_bins=4)["flag"].tolist()
    ['champion', 'drifting away', 'regular', 'regular']
    """
    if not isinstance(n_bins, int | np.integer) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer of at least 2, got {n_bins!r}")
    columns = {"recency": recency, "frequency": frequency, "monetary": monetary}
    for role, column in columns.items():
        if column not in data.columns:
            raise ValueError(f"{role} column {column!r} not in the data")
        values = pd.to_numeric(data[column], errors="coerce")
        if values.isna().any():
            rows = data.index[values.isna()][:5].tolist()
            raise ValueError(f"{role} column {column!r} has missing or non-numeric values (rows {rows})")
    out = pd.DataFrame(index=data.index)
    out["r_score"] = _score(data[recency].astype(float), n_bins, higher_is_better=False)
    out["f_score"] = _score(data[frequency].astype(float), n_bins, higher_is_better=True)
    out["m_score"] = _score(data[monetary].astype(float), n_bins, higher_is_better=True)
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
    """The seeds' four customer types by value to the firm.

    Parameters
    ----------
    data : pandas.DataFrame
    margin : str
        Margin per purchase (profitability of the customer's business).
    volume : str
        Amount bought (e.g. visits).
    tenure : str
        Length of the relationship.
    potential : str, optional
        Future or strategic value (e.g. influence, company size); its top quartile counts as
        strategic whatever the other columns say.

    Returns
    -------
    pandas.Series
        Named ``type``: ``"strategic"`` (margin and volume both above their medians, or top
        quartile of ``potential``), ``"profit"`` (margin above the median, volume not),
        ``"volume"`` (volume above the median, margin not), ``"relationship"`` (neither above
        the median but tenure above it) or ``"other"``.

    Notes
    -----
    Seed 002 names the four types; the median splits are this package's operational rule and
    should be adapted to a firm's own numbers. The 80/20 rule that usually accompanies them is
    a claim to check on the data, not an assumption.

    Examples
    --------
    >>> import pandas as pd
    >>> golfers = pd.DataFrame({"m": [10, 10, 1, 1, 1], "v": [9, 1, 9, 1, 1], "t": [1, 1, 1, 9, 1]})
    >>> value_based_types(golfers, "m", "v", "t").tolist()
    ['strategic', 'profit', 'volume', 'relationship', 'other']
    """
    used = [margin, volume, tenure, *([potential] if potential else [])]
    missing = [c for c in used if c not in data.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    values = data[used].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in used if values[c].isna().any()]
    if bad:
        raise ValueError(f"missing or non-numeric values in columns {bad}")
    high_margin = values[margin] > values[margin].median()
    high_volume = values[volume] > values[volume].median()
    long_tenure = values[tenure] > values[tenure].median()
    strategic = high_margin & high_volume
    if potential:
        strategic |= values[potential] > values[potential].quantile(0.75)
    types = np.select(
        [strategic, high_margin, high_volume, long_tenure],
        ["strategic", "profit", "volume", "relationship"],
        default="other",
    )
    return pd.Series(types, index=data.index, name="type")
