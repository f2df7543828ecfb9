"""Defaults that the package and its command line share, importable without NumPy."""

#: The seed that made the bundled ``data/golf_survey.csv`` (the year of the golf study).
DEFAULT_SEED = 2010
