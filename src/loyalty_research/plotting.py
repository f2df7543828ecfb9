"""One seaborn theme for every figure of the package, and fixed colours for the segments."""

from __future__ import annotations

import seaborn as sns

__all__ = ["DRIVER_COLOURS", "SEGMENT_COLOURS", "set_theme"]

#: One colour per simulated segment, the same in every figure (colour-blind safe).
SEGMENT_COLOURS = {
    "satisfaction_driven": "#0072B2",
    "value_seeker": "#E69F00",
    "locked_in": "#009E73",
    "variety_seeker": "#CC79A7",
}

#: The same colours for the segment kinds named by ``segmentation.driver_labels``.
DRIVER_COLOURS = {
    "satisfaction-driven": SEGMENT_COLOURS["satisfaction_driven"],
    "value-driven": SEGMENT_COLOURS["value_seeker"],
    "insensitive, high loyalty (false loyalty)": SEGMENT_COLOURS["locked_in"],
    "insensitive, low loyalty (variety seeking)": SEGMENT_COLOURS["variety_seeker"],
    "satisfaction- and value-driven": "#56B4E9",
}


def set_theme() -> None:
    """The shared look: white grid, colour-blind palette, readable labels."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette="colorblind",
        rc={"figure.dpi": 100, "axes.titlesize": 11, "axes.labelsize": 11},
    )
