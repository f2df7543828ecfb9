"""The codebook: what every column of a survey means and which values it may take.

A codebook is a YAML file with a mapping of column name to column description::

    name: golf_survey
    id_column: respondent_id
    delivered_value: {benefits: perceived_benefits, costs: perceived_costs}
    min_answered: 0.5
    columns:
      respondent_id: {type: id, label_en: Respondent id, label_zh: 受访者编号}
      sat_overall:
        type: likert
        construct: satisfaction
        min: 1
        max: 7
        reverse: false
        label_en: Overall, I am satisfied with this club
        label_zh: 总体而言，我对这家球会感到满意

Column types are ``id`` (unique respondent key), ``likert`` (an integer rating item
between ``min`` and ``max``), ``integer``, ``numeric``, ``binary`` (0/1) and
``category`` (one of ``categories``). Items of a multi-item scale share a ``construct``
name; ``reverse: true`` marks a reverse-keyed item. ``required: false`` marks a column
that a survey may leave out. ``importance_of`` names the quality item an importance
rating belongs to. ``delivered_value`` names the two constructs whose difference is
Kotler's customer delivered value; ``min_answered`` is the share of a scale's items a
respondent must have answered to get a scale score. ``missing: [-99, 99]`` declares codes that
mean "no answer" in any column; they become missing values when a survey is read.

Every key is checked for its type (``reverse: "false"`` in quotes is text, not false, and is
refused), a key defined twice in the YAML is an error naming both lines, and errors from a
file name the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["COLUMN_TYPES", "Codebook", "CodebookError", "ColumnSpec"]

COLUMN_TYPES = ("id", "likert", "integer", "numeric", "binary", "category")
_NUMERIC_TYPES = ("likert", "integer", "numeric", "binary")


class CodebookError(ValueError):
    """A codebook that cannot describe a survey (unknown type, impossible range, ...)."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a survey as the codebook describes it."""

    name: str
    type: str
    label_en: str = ""
    label_zh: str = ""
    construct: str | None = None
    min: float | None = None
    max: float | None = None
    reverse: bool = False
    required: bool = True
    categories: tuple[str, ...] | None = None
    importance_of: str | None = None
    missing: tuple[float | str, ...] = ()

    @property
    def is_numeric(self) -> bool:
        return self.type in _NUMERIC_TYPES

    def to_dict(self) -> dict[str, Any]:
        """The YAML form: only the fields that differ from the defaults, label first."""
        out: dict[str, Any] = {"type": self.type}
        defaults = ColumnSpec(name=self.name, type=self.type)
        for key in (
            "construct",
            "min",
            "max",
            "reverse",
            "required",
            "categories",
            "importance_of",
            "missing",
            "label_en",
            "label_zh",
        ):
            value = getattr(self, key)
            if value != getattr(defaults, key):
                out[key] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Codebook:
    """A validated codebook.

    Attributes
    ----------
    columns : dict of str to ColumnSpec
        Every column, in survey order.
    id_column : str
        The unique respondent key.
    constructs : dict of str to list of str
        Construct name to its item columns, in codebook order.
    delivered_value : dict or None
        ``{"benefits": construct, "costs": construct}``, or None when the survey has
        no value scales.
    min_answered : float
        Share of a scale's items that must be answered for a scale score.
    """

    columns: dict[str, ColumnSpec]
    id_column: str
    name: str = "survey"
    delivered_value: dict[str, str] | None = None
    min_answered: float = 0.5
    constructs: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        constructs: dict[str, list[str]] = {}
        for spec in self.columns.values():
            if spec.construct is not None:
                constructs.setdefault(spec.construct, []).append(spec.name)
        object.__setattr__(self, "constructs", constructs)
        self._validate()

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, source: str | None = None) -> Codebook:
        """Build a codebook from the parsed YAML mapping.

        ``source`` names the file in error messages; mappings read by :meth:`from_yaml` also
        carry the line of every column.
        """
        where = _Where(source)
        if not isinstance(raw, Mapping) or "columns" not in raw:
            raise CodebookError(
                f"{where.file}a codebook needs a 'columns' mapping of column name to description"
            )
        if not isinstance(raw["columns"], Mapping) or not raw["columns"]:
            raise CodebookError(f"{where.file}the codebook's 'columns' must be a non-empty mapping")
        problems = _check_top_level(raw, where)
        known = set(ColumnSpec.__dataclass_fields__) - {"name"}
        columns: dict[str, ColumnSpec] = {}
        for name, desc in raw["columns"].items():
            at = where.column(raw["columns"], name)
            if not isinstance(desc, Mapping):
                problems.append(f"{at}: description must be a mapping, got {desc!r}")
                continue
            unknown = set(desc) - known
            if unknown:
                problems.append(
                    f"{at}: unknown keys {sorted(map(str, unknown))} (known: {', '.join(sorted(known))})"
                )
            if "type" not in desc:
                problems.append(f"{at}: 'type' is missing")
            bad = [_check_field(key, value) for key, value in desc.items() if key in known]
            problems += [f"{at}: {text}" for text in bad if text]
            if unknown or "type" not in desc or any(bad):
                continue
            desc = dict(desc)
            for key in ("categories", "missing"):
                if desc.get(key) is not None:
                    desc[key] = tuple(str(c) if key == "categories" else c for c in desc[key])
            if desc.get("missing") is None:
                desc.pop("missing", None)
            columns[str(name)] = ColumnSpec(name=str(name), **desc)
        if problems:
            raise CodebookError(f"invalid codebook{where.of}:\n  - " + "\n  - ".join(problems))
        id_column = raw.get("id_column")
        if id_column is None:
            ids = [c.name for c in columns.values() if c.type == "id"]
            if len(ids) != 1:
                raise CodebookError(
                    f"{where.file}name the respondent key with 'id_column' (or give exactly one column of "
                    "type 'id')"
                )
            id_column = ids[0]
        try:
            return cls(
                columns=columns,
                id_column=str(id_column),
                name=str(raw.get("name", "survey")),
                delivered_value=dict(raw["delivered_value"]) if raw.get("delivered_value") else None,
                min_answered=float(raw.get("min_answered", 0.5)),
            )
        except CodebookError as error:
            if source is None:
                raise
            raise CodebookError(
                str(error).replace("invalid codebook", f"invalid codebook{where.of}", 1)
            ) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> Codebook:
        """Read a codebook from a YAML file (duplicate keys are an error naming both lines)."""
        path = Path(path)
        if not path.is_file():
            raise CodebookError(f"codebook file not found: {path}")
        with path.open(encoding="utf-8") as handle:
            try:
                raw = yaml.load(handle, Loader=_CheckedLoader)  # a SafeLoader subclass
            except CodebookError as error:
                raise CodebookError(f"codebook {path}: {error}") from None
            except yaml.YAMLError as error:
                raise CodebookError(f"codebook {path} is not valid YAML: {error}") from None
        return cls.from_dict(raw, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "id_column": self.id_column}
        if self.delivered_value:
            out["delivered_value"] = dict(self.delivered_value)
        out["min_answered"] = self.min_answered
        out["columns"] = {name: spec.to_dict() for name, spec in self.columns.items()}
        return out

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The codebook as YAML text (written to ``path`` when given)."""
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # ----------------------------------------------------------------- queries
    def scale_range(self, construct: str) -> tuple[float, float]:
        """The (min, max) answer of a construct's items."""
        if construct not in self.constructs:
            raise KeyError(f"unknown construct {construct!r}; known: {sorted(self.constructs)}")
        spec = self.columns[self.constructs[construct][0]]
        return float(spec.min), float(spec.max)  # type: ignore[arg-type]

    def reverse_keyed(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.reverse]

    def items(self, construct: str | None = None) -> list[str]:
        """Item columns of one construct, or of every construct."""
        if construct is not None:
            return list(self.constructs[construct])
        return [item for items in self.constructs.values() for item in items]

    def table(self) -> Any:
        """The codebook as a tidy DataFrame, one row per column."""
        import pandas as pd

        rows = [
            {
                "column": s.name,
                "type": s.type,
                "construct": s.construct,
                "min": s.min,
                "max": s.max,
                "reverse": s.reverse,
                "required": s.required,
                "label_en": s.label_en,
                "label_zh": s.label_zh,
            }
            for s in self.columns.values()
        ]
        return pd.DataFrame(rows)

    # -------------------------------------------------------------- validation
    def _validate(self) -> None:
        problems: list[str] = []
        if self.id_column not in self.columns:
            problems.append(f"id_column {self.id_column!r} is not among the columns")
        elif self.columns[self.id_column].type != "id":
            problems.append(f"id_column {self.id_column!r} must have type 'id'")
        for spec in self.columns.values():
            where = f"column {spec.name!r}"
            if spec.type not in COLUMN_TYPES:
                problems.append(f"{where}: unknown type {spec.type!r} (use one of {', '.join(COLUMN_TYPES)})")
                continue
            if spec.type == "likert" and (spec.min is None or spec.max is None):
                problems.append(f"{where}: a likert item needs 'min' and 'max'")
            if spec.min is not None and spec.max is not None and spec.min >= spec.max:
                problems.append(f"{where}: min {spec.min} is not below max {spec.max}")
            if spec.reverse and spec.type != "likert":
                problems.append(f"{where}: only likert items can be reverse-keyed")
            if spec.construct is not None and spec.type != "likert":
                problems.append(f"{where}: only likert items can belong to a construct")
            if spec.type == "category" and not spec.categories:
                problems.append(f"{where}: a category column needs 'categories'")
            if spec.importance_of is not None and spec.importance_of not in self.columns:
                problems.append(f"{where}: importance_of names unknown column {spec.importance_of!r}")
        for construct, items in self.constructs.items():
            ranges = {(self.columns[i].min, self.columns[i].max) for i in items}
            if len(ranges) > 1:
                problems.append(f"construct {construct!r}: items have different scales {sorted(ranges)}")
        if self.delivered_value is not None:
            for role in ("benefits", "costs"):
                construct = self.delivered_value.get(role)
                if construct not in self.constructs:
                    problems.append(f"delivered_value: {role} construct {construct!r} is not in the codebook")
        if not 0 < self.min_answered <= 1:
            problems.append(f"min_answered must be in (0, 1], got {self.min_answered}")
        if problems:
            raise CodebookError("invalid codebook:\n  - " + "\n  - ".join(problems))


# ------------------------------------------------------------------ schema of the YAML
_NUMBER = (int, float)


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER) and not isinstance(value, bool)


def _check_field(key: str, value: Any) -> str | None:
    """Why ``value`` cannot be the column key ``key``, or None when it can."""
    if key in ("reverse", "required"):
        if isinstance(value, bool):
            return None
        quoted = " (remove the quotes: in YAML 'false' in quotes is text)" if isinstance(value, str) else ""
        return f"{key!r} must be true or false, got {value!r}{quoted}"
    if key in ("min", "max"):
        if value is None or _is_number(value):
            return None
        hint = " (remove the quotes)" if isinstance(value, str) and _looks_numeric(value) else ""
        return f"{key!r} must be a number, got {value!r}{hint}"
    if key in ("type", "label_en", "label_zh"):
        return None if isinstance(value, str) else f"{key!r} must be text, got {value!r}"
    if key in ("construct", "importance_of"):
        return (
            None
            if value is None or isinstance(value, str)
            else f"{key!r} must be a name (text), got {value!r}"
        )
    if key == "categories":
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            return f"'categories' must be a list of the allowed values, got {value!r}"
        if any(isinstance(c, (list, dict)) or c is None for c in value):
            return f"'categories' must hold single values, got {value!r}"
        return None
    if key == "missing":
        if value is None:
            return None
        if not isinstance(value, list) or any(not (_is_number(c) or isinstance(c, str)) for c in value):
            return f"'missing' must be a list of codes (numbers or text), e.g. [-99, 99], got {value!r}"
        return None
    return None


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_top_level(raw: Mapping[str, Any], where: _Where) -> list[str]:
    problems = []
    for key in ("name", "id_column"):
        if key in raw and not isinstance(raw[key], str):
            problems.append(f"{where.key(raw, key)}: {key!r} must be text, got {raw[key]!r}")
    if "min_answered" in raw and not _is_number(raw["min_answered"]):
        problems.append(
            f"{where.key(raw, 'min_answered')}: 'min_answered' must be a number, got {raw['min_answered']!r}"
        )
    value = raw.get("delivered_value")
    if value is not None and not (
        isinstance(value, Mapping)
        and set(value) == {"benefits", "costs"}
        and all(isinstance(v, str) for v in value.values())
    ):
        problems.append(
            f"{where.key(raw, 'delivered_value')}: 'delivered_value' must be {{benefits: <construct>, costs: "
            f"<construct>}}, got {value!r}"
        )
    return problems


class _Lined(dict):
    """A mapping read from YAML that knows the line of each key."""

    lines: dict[Any, int]


class _Where:
    """Where in the codebook a problem is: file and line when known."""

    def __init__(self, source: str | None) -> None:
        self.file = f"codebook {source}: " if source else ""
        self.of = f" {source}" if source else ""

    def key(self, mapping: Any, key: Any) -> str:
        line = getattr(mapping, "lines", {}).get(key)
        return f"line {line}" if line else f"key {key!r}"

    def column(self, columns: Any, name: Any) -> str:
        line = getattr(columns, "lines", {}).get(name)
        return f"column {name!r}" + (f" (line {line})" if line else "")


class _CheckedLoader(yaml.SafeLoader):
    """Safe YAML loading that refuses a key defined twice and remembers each key's line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Lined:
        mapping = _Lined()
        mapping.lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in mapping.lines:
                raise CodebookError(
                    f"key {key!r} is defined twice (lines {mapping.lines[key]} and {line}); a second "
                    "definition would silently replace the first, so keep one"
                )
            mapping.lines[key] = line
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


_CheckedLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _CheckedLoader.construct_mapping
)
