"""Argument checks shared by the modules, with messages that name the argument."""

from __future__ import annotations

import numpy as np


def check_count(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int when it is a whole number of at least ``minimum``, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return int(value)
