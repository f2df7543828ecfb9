"""How result objects show themselves in JupyterLab: their tables as HTML, their numbers in a list.

A result class mixes in :class:`HTMLTables`; its dataclass fields are shown in order, data
frames and series as tables (the long ones cut to their first and last rows), numbers and
short text in one line each, everything else (a fitted R model, a long array) by its type.
"""

from __future__ import annotations

import dataclasses
from html import escape
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd

MAX_ROWS = 12
"""Rows of a table shown before it is cut (the object itself keeps every row)."""


def _html(name: str, value: Any) -> str | None:
    """One field as HTML, or None when it goes into the list of numbers."""
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        table = value.to_html(max_rows=MAX_ROWS, float_format=lambda v: f"{v:.4g}", border=0)
        return f"<h4>{escape(name)}</h4>{table}"
    return None


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 8:
            return escape(np.array2string(value, precision=4))
        return f"array of shape {value.shape}"
    if isinstance(value, (Number, str, bool)) or value is None:
        return escape(f"{value:.4g}" if isinstance(value, float) else repr(value))
    return escape(f"{type(value).__module__.split('.')[0]}.{type(value).__name__}")


class HTMLTables:
    """Mixin for dataclass results: ``_repr_html_`` shows every table and number."""

    def _repr_html_(self) -> str:
        assert dataclasses.is_dataclass(self)
        tables, numbers = [], []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            html = _html(field.name, value)
            if html is None:
                numbers.append(f"<li><b>{escape(field.name)}</b>: {_short(value)}</li>")
            else:
                tables.append(html)
        listed = f"<ul>{''.join(numbers)}</ul>" if numbers else ""
        return f"<h3>{escape(type(self).__name__)}</h3>{listed}{''.join(tables)}"
