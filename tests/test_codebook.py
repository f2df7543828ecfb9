"""Codebook parsing and its errors."""

import pytest

import loyalty_research as lr
from loyalty_research import Codebook, CodebookError


def minimal(**columns):
    return {"id_column": "id", "columns": {"id": {"type": "id"}, **columns}}


def test_round_trip_through_yaml(tmp_path):
    codebook = lr.load_codebook()
    path = tmp_path / "codebook.yaml"
    codebook.to_yaml(path)
    assert Codebook.from_yaml(path) == codebook
    assert "总体而言我对这家球会感到满意" in path.read_text(encoding="utf-8")


def test_constructs_and_reverse_items():
    codebook = Codebook.from_dict(
        minimal(
            a1={"type": "likert", "construct": "a", "min": 1, "max": 5},
            a2={"type": "likert", "construct": "a", "min": 1, "max": 5, "reverse": True},
        )
    )
    assert codebook.constructs == {"a": ["a1", "a2"]}
    assert codebook.reverse_keyed() == ["a2"]
    assert codebook.scale_range("a") == (1.0, 5.0)
    assert list(codebook.table()["column"]) == ["id", "a1", "a2"]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"x": {"type": "text"}}, "column 'x': unknown type 'text'"),
        ({"x": {"type": "likert", "min": 1}}, "column 'x': a likert item needs 'min' and 'max'"),
        ({"x": {"type": "likert", "min": 7, "max": 1}}, "column 'x': min 7 is not below max 1"),
        ({"x": {"type": "numeric", "reverse": True}}, "column 'x': only likert items can be reverse-keyed"),
        ({"x": {"type": "category"}}, "column 'x': a category column needs 'categories'"),
        ({"x": {"type": "likert", "min": 1, "max": 7, "colour": "red"}}, "column 'x': unknown keys"),
        ({"x": {"min": 1}}, "column 'x': 'type' is missing"),
        (
            {
                "x": {"type": "likert", "construct": "c", "min": 1, "max": 7},
                "y": {"type": "likert", "construct": "c", "min": 1, "max": 5},
            },
            "construct 'c': items have different scales",
        ),
    ],
)
def test_bad_codebooks_name_the_column(columns, message):
    with pytest.raises(CodebookError, match=message.replace("(", r"\(")):
        Codebook.from_dict(minimal(**columns))


def test_all_problems_reported_together():
    with pytest.raises(CodebookError) as info:
        Codebook.from_dict(minimal(x={"type": "text"}, y={"type": "likert", "min": 3, "max": 1}))
    assert "'x'" in str(info.value) and "'y'" in str(info.value)


def test_missing_pieces():
    with pytest.raises(CodebookError, match="columns"):
        Codebook.from_dict({"id_column": "id"})
    with pytest.raises(CodebookError, match="id_column"):
        Codebook.from_dict({"columns": {"a": {"type": "numeric"}}})
    with pytest.raises(CodebookError, match="delivered_value"):
        Codebook.from_dict({**minimal(), "delivered_value": {"benefits": "b", "costs": "c"}})
    with pytest.raises(CodebookError, match="not found"):
        Codebook.from_yaml("no/such/codebook.yaml")
    assert issubclass(CodebookError, ValueError)
