"""Argument checks shared by the modules, with messages that name the argument."""

from __future__ import annotations

import numpy as np


def check_count(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int when it is a whole number of at least ``minimum``, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return int(value)


# a design whose smallest singular value (columns scaled to unit length) is below this share of
# the largest is rank deficient: an exact linear dependence up to round-off, or cases whose
# posterior weights leave a predictor without variation in a segment
COLLINEAR_RTOL = 1e-8


def collinear_columns(design: np.ndarray, names: list[str]) -> list[str]:
    """Names of the columns in an exact linear dependence, or an empty list.

    Only the dependence of the smallest singular value is named: the columns with weight in
    its singular vector. With several dependences fixing one shows the next.
    """
    norms = np.linalg.norm(design, axis=0)
    if np.any(norms == 0):
        return [n for n, norm in zip(names, norms, strict=True) if norm == 0]
    _, singular, vt = np.linalg.svd(design / norms, full_matrices=False)
    if singular[-1] > COLLINEAR_RTOL * singular[0]:
        return []
    weights = np.abs(vt[-1])
    return [n for n, w in zip(names, weights, strict=True) if w > 1e-6 * weights.max()]
