"""Reading, checking and scoring surveys: every bad input gets an error naming column and rows."""

import warnings

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import loyalty_research as lr
from loyalty_research import Codebook, StraightLiningWarning, SurveyDataError


@pytest.fixture
def codebook():
    likert = {"type": "likert", "min": 1, "max": 7}
    return Codebook.from_dict(
        {
            "id_column": "id",
            "delivered_value": {"benefits": "benefit", "costs": "cost"},
            "columns": {
                "id": {"type": "id"},
                "group": {"type": "category", "categories": ["a", "b"]},
                "renewed": {"type": "binary"},
                "rounds": {"type": "integer", "min": 0, "max": 400},
                "b1": {**likert, "construct": "benefit"},
                "b2": {**likert, "construct": "benefit"},
                "b3_r": {**likert, "construct": "benefit", "reverse": True},
                "c1": {**likert, "construct": "cost"},
                "c2": {**likert, "construct": "cost"},
                "c3_r": {**likert, "construct": "cost", "reverse": True},
            },
        }
    )


@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "id": ["r1", "r2", "r3", "r4"],
            "group": ["a", "b", "a", None],
            "renewed": [1, 0, np.nan, 1],
            "rounds": [10, 0, 25, 3],
            "b1": [7, 4, 2, np.nan],
            "b2": [6, 4, np.nan, np.nan],
            "b3_r": [1, 5, 6, 3],
            "c1": [2, 3, 7, 1],
            "c2": [1, 3, 6, 2],
            "c3_r": [7, 4, 1, 6],
        }
    )


def problem_text(error):
    return str(error.value)


def test_valid_survey_gets_codebook_types(survey, codebook):
    out = lr.validate_survey(survey, codebook)
    assert isinstance(out["group"].dtype, pd.CategoricalDtype)
    assert list(out["group"].cat.categories) == ["a", "b"]
    assert out["b1"].dtype == float
    assert list(out.columns) == list(survey.columns)
    assert not isinstance(survey["group"].dtype, pd.CategoricalDtype)  # input untouched


@pytest.mark.parametrize(
    ("column", "value", "row", "message"),
    [
        ("b1", 8, 1, "column 'b1': answers above the maximum 7: 8 (rows: r2)"),
        ("c2", 0, 2, "column 'c2': answers below the minimum 1: 0 (rows: r3)"),
        ("b2", 4.5, 0, "column 'b2': answers that are not whole numbers: 4.5 (rows: r1)"),
        ("b2", "often", 1, "column 'b2': non-numeric answers: often (rows: r2)"),
        ("renewed", 2, 3, "column 'renewed': answers other than 0 and 1: 2 (rows: r4)"),
        ("rounds", -1, 0, "column 'rounds': answers below the minimum 0: -1 (rows: r1)"),
        ("group", "c", 2, "column 'group': values not among the categories ['a', 'b']: c (rows: r3)"),
    ],
)
def test_bad_answers_name_column_and_row(survey, codebook, column, value, row, message):
    bad = survey.astype(object)
    bad.loc[row, column] = value
    with pytest.raises(SurveyDataError) as info:
        lr.validate_survey(bad, codebook)
    assert message in problem_text(info)
    assert info.value.problems[0]["column"] == column


def test_missing_columns_and_duplicate_ids(survey, codebook):
    bad = survey.drop(columns=["c2", "group"])
    bad.loc[3, "id"] = "r1"
    with pytest.raises(SurveyDataError) as info:
        lr.validate_survey(bad, codebook)
    text = problem_text(info)
    assert "column 'c2': required column is missing" in text
    assert "column 'group': required column is missing" in text
    assert "column 'id': duplicate respondent ids r1 (rows: row 1, row 4)" in text


def test_missing_id_is_an_error(survey, codebook):
    bad = survey.copy()
    bad.loc[2, "id"] = None
    with pytest.raises(SurveyDataError, match="column 'id': respondent id is missing"):
        lr.validate_survey(bad, codebook)


def test_all_problems_in_one_error(survey, codebook):
    bad = survey.astype(object)
    bad.loc[0, "b1"] = 9
    bad.loc[1, "c1"] = "x"
    bad.loc[2, "renewed"] = 5
    with pytest.raises(SurveyDataError) as info:
        lr.validate_survey(bad, codebook)
    assert {p["column"] for p in info.value.problems} == {"b1", "c1", "renewed"}
    assert "3 problem(s)" in problem_text(info)
    assert isinstance(info.value, ValueError)


def test_many_bad_rows_are_summarised(codebook):
    n = 30
    data = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "group": "a",
            "renewed": 1,
            "rounds": 1,
            **{c: 4 for c in ("b1", "b2", "b3_r", "c1", "c2", "c3_r")},
        }
    )
    data["b1"] = 99
    with pytest.raises(SurveyDataError, match=r"and 20 more\)"):
        lr.validate_survey(data, codebook)


def test_unknown_columns_warn_and_are_kept(survey, codebook):
    with pytest.warns(UserWarning, match="extra"):
        out = lr.validate_survey(survey.assign(extra=1), codebook)
    assert "extra" in out.columns


def test_straightliners_are_warned_about_and_kept(survey, codebook):
    data = survey.copy()
    data.loc[1, ["b1", "b2", "b3_r", "c1", "c2", "c3_r"]] = 5
    with pytest.warns(StraightLiningWarning, match="r2"):
        out = lr.validate_survey(data, codebook)
    assert len(out) == len(data)
    flags = lr.flag_straightliners(data, codebook, min_items=6)
    assert flags.tolist() == [False, True, False, False]
    assert flags.name == "straightliner"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav"])
def test_read_csv_excel_and_spss_alike(tmp_path, survey, codebook, suffix):
    path = tmp_path / f"survey{suffix}"
    if suffix == ".csv":
        survey.to_csv(path, index=False)
    elif suffix == ".xlsx":
        survey.to_excel(path, index=False)
    else:
        pyreadstat.write_sav(survey, str(path))
    codebook_path = tmp_path / "codebook.yaml"
    codebook.to_yaml(codebook_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read = lr.read_survey(path, codebook_path)
    expected = lr.validate_survey(survey, codebook)
    pd.testing.assert_frame_equal(read.drop(columns=["id", "group"]), expected.drop(columns=["id", "group"]))
    assert read["id"].astype(str).tolist() == survey["id"].tolist()
    assert read["group"].astype(object).where(read["group"].notna(), None).tolist() == ["a", "b", "a", None]


def test_read_errors(tmp_path, codebook):
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        lr.read_survey(tmp_path / "nope.csv", codebook)
    odd = tmp_path / "survey.json"
    odd.write_text("{}")
    with pytest.raises(ValueError, match=r"unknown extension '\.json'"):
        lr.read_survey(odd, codebook)


def test_read_survey_reports_bad_file_contents(tmp_path, survey, codebook):
    path = tmp_path / "survey.csv"
    survey.assign(b1=["7", "4", "seven", ""]).to_csv(path, index=False)
    with pytest.raises(SurveyDataError, match=r"column 'b1': non-numeric answers: seven \(rows: r3\)"):
        lr.read_survey(path, codebook)


def test_scores_reverse_keyed_items_and_delivered_value(survey, codebook):
    scores = lr.score_constructs(survey, codebook)
    # r1: benefit (7 + 6 + (8 - 1)) / 3 = 6.667; cost (2 + 1 + (8 - 7)) / 3 = 1.333
    assert scores.loc[0, "benefit"] == pytest.approx(20 / 3)
    assert scores.loc[0, "cost"] == pytest.approx(4 / 3)
    assert scores.loc[0, "delivered_value"] == pytest.approx(16 / 3)
    # r3 answered 2 of 3 benefit items: (2 + (8 - 6)) / 2
    assert scores.loc[2, "benefit"] == pytest.approx(2.0)
    # r4 answered 1 of 3 benefit items: below the 50% rule, no score
    assert np.isnan(scores.loc[3, "benefit"])
    assert np.isnan(scores.loc[3, "delivered_value"])
    assert list(scores.columns) == ["benefit", "cost", "delivered_value"]


def test_min_answered_rule(survey, codebook):
    lenient = lr.score_constructs(survey, codebook, min_answered=0.3)
    assert lenient.loc[3, "benefit"] == pytest.approx(8 - 3)
    strict = lr.score_constructs(survey, codebook, min_answered=1.0)
    assert np.isnan(strict.loc[2, "benefit"])
    with pytest.raises(ValueError, match="min_answered"):
        lr.score_constructs(survey, codebook, min_answered=0)


def test_scoring_needs_the_items(survey, codebook):
    with pytest.raises(SurveyDataError, match="column 'c3_r': item column is missing"):
        lr.score_constructs(survey.drop(columns="c3_r"), codebook)


def test_nothing_is_modified(survey, codebook):
    before = survey.copy()
    lr.validate_survey(survey, codebook)
    lr.score_constructs(survey, codebook)
    lr.flag_straightliners(survey, codebook)
    lr.missing_summary(survey, codebook)
    pd.testing.assert_frame_equal(survey, before)


def test_missing_summary(survey, codebook):
    table = lr.missing_summary(survey, codebook)
    assert list(table.columns) == ["column", "construct", "n_missing", "pct_missing"]
    assert table.iloc[0].to_dict() == {
        "column": "b2",
        "construct": "benefit",
        "n_missing": 2,
        "pct_missing": 50.0,
    }
    assert len(table) == len(codebook.columns)


def test_bundled_survey_passes_and_its_straightliners_are_found():
    codebook = lr.load_codebook()
    with pytest.warns(StraightLiningWarning):
        lr.validate_survey(lr.load_golf_survey(), codebook)
    flags = lr.flag_straightliners(lr.load_golf_survey(), codebook)
    assert (flags.to_numpy() == lr.load_golf_truth()["straightliner"].to_numpy()).all()
