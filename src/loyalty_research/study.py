"""A survey ready to analyse: its codebook, the checked answers and the construct scores.

Every notebook starts the same way: read the codebook, read and check the survey against it (or
take the bundled golf survey), score the constructs. :func:`load_study` does those steps once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from html import escape
from pathlib import Path

import pandas as pd

from .codebook import Codebook
from .datasets import load_codebook, load_golf_survey
from .survey import read_survey, score_constructs

__all__ = ["Study", "load_study"]


@dataclass(frozen=True)
class Study:
    """A survey with its codebook and construct scores (made by :func:`load_study`).

    Attributes
    ----------
    codebook : Codebook
    survey : pandas.DataFrame
        The answers as read and checked, one row per respondent.
    scores : pandas.DataFrame
        One column per construct (and ``delivered_value`` when the codebook defines benefits
        and costs), index as ``survey``.
    bundled : bool
        True for the bundled simulated golf survey, the only data with a known truth.
    traits : list of str
        Columns that are neither items nor the respondent id: membership, age, behaviour,
        importance ratings, complaints.
    data : pandas.DataFrame
        ``scores`` beside the ``traits``: the frame the analyses take.
    """

    codebook: Codebook
    survey: pd.DataFrame
    scores: pd.DataFrame
    bundled: bool

    @property
    def name(self) -> str:
        """The codebook's name for the survey."""
        return self.codebook.name

    @cached_property
    def traits(self) -> list[str]:
        items = set(self.codebook.items())
        return [c for c in self.survey.columns if c not in items and c != self.codebook.id_column]

    @cached_property
    def data(self) -> pd.DataFrame:
        return pd.concat([self.scores, self.survey[self.traits]], axis=1)

    def _repr_html_(self) -> str:
        constructs = ", ".join(escape(c) for c in self.scores.columns)
        source = "the bundled simulated golf survey" if self.bundled else "your survey"
        return (
            f"<p><b>{escape(self.name)}</b> ({source}): {len(self.survey)} respondents, "
            f"{len(self.codebook.items())} items scored into {len(self.scores.columns)} constructs "
            f"({constructs}); {len(self.traits)} other columns.</p>"
        )


def load_study(data: str | Path | None = None, codebook: str | Path | Codebook | None = None) -> Study:
    """Read, check and score a survey: yours, or the bundled golf survey.

    Parameters
    ----------
    data : str or Path, optional
        A survey file (CSV, Excel or SPSS; see :func:`~loyalty_research.read_survey`). None:
        the bundled simulated golf survey.
    codebook : str, Path or Codebook, optional
        Its codebook. None: the bundled golf codebook.

    Returns
    -------
    Study

    Raises
    ------
    SurveyDataError
        When the survey does not match its codebook; the message names every bad column and
        row.

    Examples
    --------
    >>> study = load_study()
    >>> study.name, len(study.survey), study.bundled
    ('golf_survey', 800, True)
    >>> round(float(study.data["satisfaction"].mean()), 2)
    5.07
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    survey = load_golf_survey() if data is None else read_survey(data, book)
    return Study(codebook=book, survey=survey, scores=score_constructs(survey, book), bundled=data is None)
