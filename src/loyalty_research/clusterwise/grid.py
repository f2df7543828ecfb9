"""The answer grid of a survey outcome: the step between the values a mean of Likert items can take."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def answer_grid(y, *, max_steps: int = 120) -> float | None:
    """Step of the grid an outcome's values lie on (e.g. 1/3 for means of three 1-7 items), or None.

    The values count as gridded when ties are common (fewer distinct values than half the
    cases) and every value lies, to 1e-9 of the range, on a grid of at most ``max_steps``
    equal steps from the smallest to the largest value; the step is the coarsest such grid
    (the greatest common divisor of the differences). Otherwise the outcome is continuous.

    Examples
    --------
    >>> answer_grid([1, 4 / 3, 5 / 3, 2, 7, 7, 7, 2, 1, 5 / 3])
    0.3333333333333333
    >>> answer_grid([0.1, 0.25, 0.7]) is None
    True
    """
    y = np.asarray(y, dtype=float).ravel()
    values = np.unique(y[np.isfinite(y)])
    if len(values) < 2 or len(values) > len(y) / 2:
        return None
    span = values[-1] - values[0]
    offsets = (values[1:] - values[0]) / span
    fractions = [Fraction(float(o)).limit_denominator(max_steps) for o in offsets]
    if any(abs(float(f) - o) > 1e-9 for f, o in zip(fractions, offsets, strict=True)):
        return None
    step = fractions[0]
    for f in fractions[1:]:
        step = _gcd(step, f)
    return float(float(step) * span)


def _gcd(a: Fraction, b: Fraction) -> Fraction:
    while b:
        a, b = b, a % b
    return a
