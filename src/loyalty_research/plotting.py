"""One seaborn theme for every figure of the package."""

from __future__ import annotations

import seaborn as sns

__all__ = ["set_theme"]


def set_theme() -> None:
    """The shared look: white grid, colour-blind palette, readable labels."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette="colorblind",
        rc={"figure.dpi": 100, "axes.titlesize": 12, "axes.labelsize": 11},
    )
