"""Reading, checking and scoring a survey against its codebook.

Nothing here drops or changes an answer silently: bad data stop with one
:class:`SurveyDataError` that lists every problem with its column and rows, and suspicious
respondents (straight-liners) are flagged and warned about, never removed.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import numeric_columns
from .codebook import Codebook

__all__ = [
    "StraightLiningWarning",
    "SurveyDataError",
    "flag_straightliners",
    "missing_summary",
    "read_survey",
    "reverse_keyed",
    "score_constructs",
    "validate_survey",
]

_SHOWN_ROWS = 10


class SurveyDataError(ValueError):
    """Survey data that do not fit their codebook.

    Attributes
    ----------
    problems : list of dict
        One record per problem with keys ``column``, ``problem`` and ``rows``: respondent ids
        where the id column is usable; else, and always for id problems, the file line
        (``"line 5"``, header on line 1) of a survey read by :func:`read_survey`, or the
        1-based data row (``"row 4"``) of a DataFrame.
    """

    def __init__(self, problems: list[dict]):
        self.problems = problems
        lines = [f"column {p['column']!r}: {p['problem']}" + _rows_text(p["rows"]) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the survey data:\n  - " + "\n  - ".join(lines))


class StraightLiningWarning(UserWarning):
    """Respondents who gave the same answer to every item, reverse-keyed ones included."""


def _rows_text(rows: list) -> str:
    if not rows:
        return ""
    shown = ", ".join(str(r) for r in rows[:_SHOWN_ROWS])
    more = f" and {len(rows) - _SHOWN_ROWS} more" if len(rows) > _SHOWN_ROWS else ""
    return f" (rows: {shown}{more})"


def _as_codebook(codebook: Codebook | str | Path) -> Codebook:
    return codebook if isinstance(codebook, Codebook) else Codebook.from_yaml(codebook)


def read_survey(
    path: str | Path,
    codebook: Codebook | str | Path,
    *,
    sheet_name: str | int = 0,
    encoding: str | None = None,
    sep: str = ",",
    skiprows: int = 0,
) -> pd.DataFrame:
    """Read a survey from CSV, Excel or SPSS and check it against its codebook.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` / ``.xls`` (read with openpyxl / xlrd) or SPSS ``.sav`` file.
        SPSS value labels are not applied: the codes are checked against the codebook.
    codebook : Codebook, str or Path
        The codebook, or the path of its YAML file.
    sheet_name : str or int, default 0
        The Excel sheet.
    encoding : str, optional
        The text encoding of a CSV file. By default UTF-8 (with or without a byte-order mark),
        then GB18030 (which covers GBK and GB2312, common for Chinese headers) and Windows-1252
        are tried, and the one whose header matches the most codebook columns is used, with a
        warning when it is not UTF-8.
    sep : str, default ","
        The CSV field separator (e.g. ``";"`` for a European Excel export, ``"\t"``).
    skiprows : int, default 0
        Lines above the header (a title row, say) to skip.

    Returns
    -------
    pandas.DataFrame
        The validated survey (see :func:`validate_survey`).

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        A directory, an empty file, a header without respondents, an extension the reader does
        not know, a file that looks separated by another character or whose header seems to be
        on a later line, or an encoding that cannot be read: each names the file and says what
        to do.
    SurveyDataError
        The data do not fit the codebook; the message lists every problem.

    Examples
    --------
    >>> import loyalty_research as lr, tempfile, os
    >>> survey = lr.load_golf_survey().iloc[10:30]
    >>> path = os.path.join(tempfile.mkdtemp(), "golf.csv")
    >>> survey.to_csv(path, index=False)
    >>> lr.read_survey(path, lr.load_codebook()).shape
    (20, 72)
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a survey file: give the .csv, .xlsx or .sav file in it")
    if not path.is_file():
        raise FileNotFoundError(f"survey file not found: {path}")
    if path.stat().st_size == 0:
        raise ValueError(f"survey file {path} is empty")
    codebook = _as_codebook(codebook)
    suffix = path.suffix.lower()
    # only empty cells are missing on reading: "NA" may be a category (North America); the
    # usual missing-value texts are recognised per column by validate_survey
    if suffix == ".csv":
        data = _read_csv(path, codebook, encoding=encoding, sep=sep, skiprows=skiprows)
    elif suffix in (".xlsx", ".xls"):
        data = pd.read_excel(
            path,
            sheet_name=sheet_name,
            dtype=object,
            keep_default_na=False,
            na_values=[""],
            skiprows=skiprows,
        )
        _refuse_repeated_headers([str(c) for c in data.columns], path, renamed=True)
    elif suffix == ".sav":
        data = pd.read_spss(path, convert_categoricals=False)
    else:
        raise ValueError(
            f"cannot read {path.name!r}: unknown extension {suffix!r} (use .csv, .xlsx, .xls or .sav)"
        )
    if data.empty:
        raise ValueError(f"survey file {path} has a header but no respondents")
    if suffix != ".sav":  # messages name the file line of a respondent whose id cannot be used
        data.attrs["first_line"] = skiprows + 2
    return validate_survey(data, codebook)


_ENCODINGS = ("utf-8-sig", "gb18030", "cp1252")


def _refuse_repeated_headers(cells: list[str], path: Path, *, renamed: bool = False) -> None:
    """A column named twice would be read as ``name`` and ``name.1``: refuse it, naming both places.

    ``renamed``: the reader has already renamed copies (pandas' Excel reader does), so a
    ``name.1`` beside ``name`` is taken as a copy.
    """
    if renamed:
        cells = [re.sub(r"\.\d+$", "", c) if re.sub(r"\.\d+$", "", c) in cells else c for c in cells]
    repeated = sorted({c for c in cells if cells.count(c) > 1 and c})
    if repeated:
        places = [str(i + 1) for i, c in enumerate(cells) if c == repeated[0]]
        raise ValueError(
            f"column {repeated[0]!r} appears {len(places)} times in the header of survey file {path} "
            f"(columns {', '.join(places)}); rename or drop the copies (they would be read as "
            f"{repeated[0]}.1, ...)"
        )


def _read_csv(
    path: Path, codebook: Codebook, *, encoding: str | None, sep: str, skiprows: int
) -> pd.DataFrame:
    """A CSV survey as text, with the encoding, separator and header line checked."""
    raw = path.read_bytes()
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ValueError(f"cannot read {path} as {encoding}: {error}") from None
    else:
        text = _decode(raw, path, codebook, sep, skiprows)
    lines = text.splitlines()
    known = set(codebook.columns)

    def matches(line: str, separator: str) -> int:
        return len(known & set(_header_cells(line, separator)))

    header = lines[skiprows] if len(lines) > skiprows else ""
    _refuse_repeated_headers(_header_cells(header, sep), path)
    if matches(header, sep) == 0:
        for other, name in ((";", "semicolon"), ("\t", "tab"), (",", "comma"), ("|", "bar")):
            if other != sep and matches(header, other) > 0:
                raise ValueError(
                    f"survey file {path} looks {name}-separated (its header splits into codebook columns at "
                    f"{other!r}): pass sep={other!r}"
                )
        for later in range(skiprows + 1, min(len(lines), skiprows + 6)):
            if matches(lines[later], sep) > 0:
                raise ValueError(
                    f"the header of survey file {path} seems to be on line {later + 1}, not line "
                    f"{skiprows + 1} (a title row above it?): pass skiprows={later}"
                )
    return pd.read_csv(
        io.StringIO(text), dtype=object, keep_default_na=False, na_values=[""], sep=sep, skiprows=skiprows
    )


def _header_cells(line: str, sep: str) -> list[str]:
    """The column names a header line holds, unquoted."""
    return [cell.strip().strip('"') for cell in line.split(sep)]


def _decode(raw: bytes, path: Path, codebook: Codebook, sep: str, skiprows: int) -> str:
    """The text of the file in the encoding whose header names the most codebook columns."""
    known = set(codebook.columns)
    best = None
    for candidate in _ENCODINGS:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        lines = text.splitlines()[skiprows : skiprows + 6]
        score = max((len(known & set(_header_cells(line, sep))) for line in lines), default=0)
        if best is None or score > best[0]:
            best = (score, text, candidate)
        if candidate == "utf-8-sig" and score > 0:
            break
    if best is None:
        raise ValueError(
            f"cannot decode survey file {path} as UTF-8, GB18030 or Windows-1252: pass encoding= "
            "(e.g. 'big5')"
        )
    _, text, encoding = best
    if encoding != "utf-8-sig":
        warnings.warn(
            f"survey file {path} is not UTF-8; read as {encoding.upper()} (pass encoding= to choose)",
            UserWarning,
            stacklevel=4,
        )
    return text


def validate_survey(data: pd.DataFrame, codebook: Codebook | str | Path) -> pd.DataFrame:
    """Check a survey against its codebook and return it with codebook types.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey, one row per respondent. Not modified.
    codebook : Codebook, str or Path
        The codebook, or the path of its YAML file.

    Returns
    -------
    pandas.DataFrame
        A copy in the same column order: numeric columns (likert, integer, numeric, binary) as
        floats, category columns as pandas categoricals with the codebook's categories (an
        empty text cell counts as missing), the id column as given. Columns the codebook does
        not know are kept unchanged.

    Raises
    ------
    SurveyDataError
        Listing every problem: required columns missing; missing or duplicate respondent ids;
        non-numeric answers in numeric columns; answers out of range, likert or integer
        answers that are not whole numbers, binary answers other than 0/1; category values
        that the codebook does not list. Missing answers are allowed, except for the id.

    Warns
    -----
    UserWarning
        For columns the codebook does not know.
    StraightLiningWarning
        For straight-liners (see :func:`flag_straightliners`); they are kept.

    Examples
    --------
    >>> import pandas as pd, loyalty_research as lr
    >>> codebook = lr.Codebook.from_dict({"id_column": "id", "columns": {
    ...     "id": {"type": "id"}, "sat": {"type": "likert", "min": 1, "max": 7}}})
    >>> lr.validate_survey(pd.DataFrame({"id": [1, 2], "sat": [3, 9]}), codebook)
    Traceback (most recent call last):
    ...
    loyalty_research.survey.SurveyDataError: 1 problem(s) in the survey data:
      - column 'sat': answers above the maximum 7: 9 (rows: 2)
    """
    codebook = _as_codebook(codebook)
    out = data.copy()
    for name, spec in codebook.columns.items():
        if name in out.columns:
            out[name] = _blank_missing(out[name], spec)
    problems: list[dict] = []
    missing = [name for name, spec in codebook.columns.items() if spec.required and name not in out.columns]
    for name in missing:
        problems.append({"column": name, "problem": "required column is missing from the data", "rows": []})

    labels = _row_labels(out, codebook.id_column)
    if codebook.id_column in out.columns:
        ids = out[codebook.id_column]
        problems += _problem(codebook.id_column, "respondent id is missing", labels, ids.isna())
        # " 17" and "17" are one respondent typed twice, not two respondents
        duplicated = ids.astype(str).str.strip().duplicated(keep=False) & ids.notna()
        if duplicated.any():
            values = sorted({repr(v) if str(v) != str(v).strip() else str(v) for v in ids[duplicated]})
            problems.append(
                {
                    "column": codebook.id_column,
                    "problem": f"duplicate respondent ids {', '.join(values)}",
                    "rows": list(_positions(out)[duplicated.to_numpy()]),
                }
            )

    for name, spec in codebook.columns.items():
        if name not in out.columns or name == codebook.id_column:
            continue
        if spec.type == "category":
            problems += _check_category(out, name, spec.categories or (), labels)
        elif spec.is_numeric:
            problems += _check_numeric(out, spec, labels)

    if problems:
        raise SurveyDataError(problems)
    unknown = [c for c in out.columns if c not in codebook.columns]
    if unknown:
        warnings.warn(
            f"columns not in the codebook are kept unchecked: {', '.join(map(str, unknown))}",
            UserWarning,
            stacklevel=2,
        )
    _warn_straightliners(out, codebook, labels)
    return out


# pandas' default missing-value texts: missing in any column unless the codebook lists the text
# as a category (e.g. "NA" for North America)
MISSING_TEXTS = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
     "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
)  # fmt: skip


def _blank_missing(raw: pd.Series, spec) -> pd.Series:
    """Missing-value texts and the codebook's declared missing codes become NaN."""
    text = raw.astype(str).str.strip().where(raw.notna())
    missing = text.isin(MISSING_TEXTS) & ~text.isin(spec.categories or ())
    if spec.missing:
        missing |= text.isin([str(code) for code in spec.missing])
        codes = [float(code) for code in spec.missing if not isinstance(code, str)]
        if codes:
            missing |= pd.to_numeric(raw, errors="coerce").isin(codes)
    return raw.mask(missing) if missing.any() else raw


def _row_labels(data: pd.DataFrame, id_column: str) -> np.ndarray:
    """How messages point at respondents: their ids when the ids are usable, else positions."""
    if id_column in data.columns and data[id_column].notna().all() and data[id_column].is_unique:
        return data[id_column].astype(str).to_numpy()
    return _positions(data)


def _positions(data: pd.DataFrame) -> np.ndarray:
    """File line numbers ("line 5") for a survey read from a file, else 1-based data rows ("row 4")."""
    first = data.attrs.get("first_line")
    if first is not None:
        return np.array([f"line {first + i}" for i in range(len(data))])
    return np.array([f"row {i + 1}" for i in range(len(data))])


def _problem(column: str, text: str, labels: np.ndarray, mask: pd.Series | np.ndarray) -> list[dict]:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    return [{"column": column, "problem": text, "rows": list(labels[mask])}]


def _values_text(values: Iterable) -> str:
    unique = list(dict.fromkeys(f"{v:g}" if isinstance(v, (float, np.floating)) else str(v) for v in values))
    return ", ".join(unique[:_SHOWN_ROWS]) + (" ..." if len(unique) > _SHOWN_ROWS else "")


def _check_numeric(data: pd.DataFrame, spec, labels: np.ndarray) -> list[dict]:
    raw = data[spec.name]
    blank = raw.isna() | raw.astype(str).str.strip().eq("")
    numbers = pd.to_numeric(raw.where(~blank), errors="coerce")
    bad_text = numbers.isna() & ~blank
    problems = _problem(spec.name, f"non-numeric answers: {_values_text(raw[bad_text])}", labels, bad_text)
    infinite = np.isinf(numbers)
    problems += _problem(
        spec.name,
        "infinite answers (inf is never an answer; declare missing codes with 'missing')",
        labels,
        infinite,
    )
    numbers = numbers.mask(infinite)
    data[spec.name] = numbers.astype(float)
    answered = numbers.notna()
    if spec.type in ("likert", "integer"):
        fractional = answered & (numbers != np.round(numbers))
        problems += _problem(
            spec.name,
            f"answers that are not whole numbers: {_values_text(numbers[fractional])}",
            labels,
            fractional,
        )
    if spec.type == "binary":
        not_binary = answered & ~numbers.isin([0, 1])
        problems += _problem(
            spec.name, f"answers other than 0 and 1: {_values_text(numbers[not_binary])}", labels, not_binary
        )
    if spec.min is not None:
        low = answered & (numbers < spec.min)
        problems += _problem(
            spec.name, f"answers below the minimum {spec.min:g}: {_values_text(numbers[low])}", labels, low
        )
    if spec.max is not None:
        high = answered & (numbers > spec.max)
        problems += _problem(
            spec.name, f"answers above the maximum {spec.max:g}: {_values_text(numbers[high])}", labels, high
        )
    return problems


def _check_category(
    data: pd.DataFrame, name: str, categories: tuple[str, ...], labels: np.ndarray
) -> list[dict]:
    raw = data[name]
    text = raw.astype(object).where(raw.isna(), raw.astype(str))
    text = text.where(text.isna() | (text.str.strip() != ""), None)  # SPSS and Excel write missing text as ""
    unknown = text.notna() & ~text.isin(categories)
    if unknown.any():
        return _problem(
            name,
            f"values not among the categories {list(categories)}: {_values_text(text[unknown])}",
            labels,
            unknown,
        )
    data[name] = pd.Categorical(text, categories=list(categories))
    return []


def _warn_straightliners(data: pd.DataFrame, codebook: Codebook, labels: np.ndarray) -> None:
    if not all(item in data.columns for item in codebook.items()):
        return
    flagged = flag_straightliners(data, codebook).to_numpy()
    if flagged.any():
        warnings.warn(
            f"{int(flagged.sum())} straight-liner(s) gave the same answer to every item, reverse-keyed "
            f"ones included; they are kept (rows: {_values_text(labels[flagged])})",
            StraightLiningWarning,
            stacklevel=3,
        )


def _require_items(data: pd.DataFrame, items: list[str]) -> None:
    missing = [c for c in items if c not in data.columns]
    if missing:
        raise SurveyDataError(
            [{"column": c, "problem": "item column is missing from the data", "rows": []} for c in missing]
        )


def reverse_keyed(
    data: pd.DataFrame, codebook: Codebook | str | Path, items: Iterable[str] | None = None
) -> pd.DataFrame:
    """Item answers as floats with reverse-keyed items turned round, so that a high answer means
    more of its construct on every item.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey. Not modified.
    codebook : Codebook, str or Path
        Says which items are reverse-keyed, and the ends of their answer scales.
    items : list of str, optional
        The items to return; by default every construct item of the codebook.

    Returns
    -------
    pandas.DataFrame
        Index as ``data``, one column per item; missing answers stay missing.

    Notes
    -----
    A reverse-keyed answer :math:`x` on a scale from :math:`a` to :math:`b` becomes
    :math:`a + b - x`. Answers outside the scale are not checked here (:func:`validate_survey`
    does that).

    Examples
    --------
    >>> import pandas as pd, loyalty_research as lr
    >>> codebook = lr.Codebook.from_dict({"id_column": "id", "columns": {
    ...     "id": {"type": "id"},
    ...     "s1": {"type": "likert", "construct": "sat", "min": 1, "max": 7},
    ...     "s2_r": {"type": "likert", "construct": "sat", "min": 1, "max": 7, "reverse": True}}})
    >>> lr.reverse_keyed(pd.DataFrame({"id": [1, 2], "s1": [6, 7], "s2_r": [3, None]}), codebook)
        s1  s2_r
    0  6.0   5.0
    1  7.0   NaN
    """
    codebook = _as_codebook(codebook)
    items = codebook.items() if items is None else list(items)
    unknown = [item for item in items if item not in codebook.columns]
    if unknown:
        raise ValueError(f"items not in the codebook: {unknown}")
    values = numeric_columns(data, items)
    for item in items:
        spec = codebook.columns[item]
        if spec.reverse:
            values[item] = spec.min + spec.max - values[item]
    return values


def score_constructs(
    data: pd.DataFrame, codebook: Codebook | str | Path, *, min_answered: float | None = None
) -> pd.DataFrame:
    """One score per construct: the mean of its answered items, reverse-keyed items reversed.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey. Not modified.
    codebook : Codebook, str or Path
        Names the constructs, their items and which items are reverse-keyed.
    min_answered : float, optional
        Share of a construct's items a respondent must have answered to get a score;
        ``codebook.min_answered`` (default 0.5) when omitted.

    Returns
    -------
    pandas.DataFrame
        Index as ``data``; one column per construct (in codebook order) and, when the codebook
        names benefit and cost constructs, ``delivered_value`` = benefits - costs.

    Notes
    -----
    A reverse-keyed answer :math:`x` on a scale from :math:`a` to :math:`b` becomes
    :math:`a + b - x`. The score is the mean of the answered items when at least
    ``min_answered`` of them were answered, else missing. Delivered value follows Kotler:
    total customer value minus total customer cost.

    Examples
    --------
    >>> import pandas as pd, loyalty_research as lr
    >>> codebook = lr.Codebook.from_dict({"id_column": "id", "columns": {
    ...     "id": {"type": "id"},
    ...     "s1": {"type": "likert", "construct": "sat", "min": 1, "max": 7},
    ...     "s2_r": {"type": "likert", "construct": "sat", "min": 1, "max": 7, "reverse": True}}})
    >>> lr.score_constructs(pd.DataFrame({"id": [1, 2], "s1": [6, 7], "s2_r": [3, None]}), codebook)
       sat
    0  5.5
    1  7.0
    """
    codebook = _as_codebook(codebook)
    share = codebook.min_answered if min_answered is None else float(min_answered)
    if not 0 < share <= 1:
        raise ValueError(f"min_answered must be in (0, 1], got {min_answered!r}")
    _require_items(data, codebook.items())
    scores = {}
    for construct, items in codebook.constructs.items():
        values = reverse_keyed(data, codebook, items)
        enough = values.notna().mean(axis=1) >= share - 1e-12
        scores[construct] = values.mean(axis=1).where(enough)
    out = pd.DataFrame(scores, index=data.index)
    if codebook.delivered_value:
        out["delivered_value"] = (
            out[codebook.delivered_value["benefits"]] - out[codebook.delivered_value["costs"]]
        )
    return out


def flag_straightliners(
    data: pd.DataFrame, codebook: Codebook | str | Path, *, min_items: int | None = None
) -> pd.Series:
    """Flag respondents who gave one and the same raw answer to every construct item.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey. Not modified.
    codebook : Codebook, str or Path
        Names the construct items and the reverse-keyed ones.
    min_items : int, optional
        A respondent must have answered at least this many construct items to be judged;
        by default 10, or all construct items when there are fewer.

    Returns
    -------
    pandas.Series of bool
        Named ``straightliner``, indexed like ``data``.

    Notes
    -----
    A respondent is flagged when they answered at least ``min_items`` construct items, all
    answered items have the same raw value, and at least one answered item is reverse-keyed
    (so the identical answers contradict each other). Only the middle of a symmetric scale
    could be a consistent identical answer, and it is flagged too: answering every item
    "neither agree nor disagree" carries no information either.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> survey = lr.load_golf_survey()
    >>> int(lr.flag_straightliners(survey, lr.load_codebook()).sum())
    22
    """
    codebook = _as_codebook(codebook)
    items = codebook.items()
    _require_items(data, items)
    if min_items is None:
        min_items = min(10, len(items))
    elif min_items < 1:
        raise ValueError(f"min_items must be at least 1, got {min_items!r}")
    values = data[items].apply(pd.to_numeric, errors="coerce")
    answered = values.notna()
    reverse = [codebook.columns[i].reverse for i in items]
    flagged = (
        (answered.sum(axis=1) >= min_items)
        & (values.nunique(axis=1) == 1)
        & answered.loc[:, reverse].any(axis=1)
    )
    return flagged.rename("straightliner")


def missing_summary(data: pd.DataFrame, codebook: Codebook | str | Path) -> pd.DataFrame:
    """How many answers are missing, per codebook column present in the data.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``column``, ``construct`` (None outside constructs), ``n_missing``
        and ``pct_missing`` (0-100), most missing first.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> lr.missing_summary(lr.load_golf_survey(), lr.load_codebook()).iloc[0]["column"]
    'resolved_quickly'
    """
    codebook = _as_codebook(codebook)
    present = [c for c in codebook.columns if c in data.columns]
    n_missing = data[present].isna().sum()
    table = pd.DataFrame(
        {
            "column": present,
            "construct": [codebook.columns[c].construct for c in present],
            "n_missing": n_missing.to_numpy().astype(int),
            "pct_missing": (100 * n_missing / max(len(data), 1)).to_numpy().round(2),
        }
    )
    return table.sort_values(["pct_missing", "column"], ascending=[False, True], ignore_index=True)
