"""What a user sees for each class of bad input (issue #12): a clear error or an honest result.

One test per class; each says in its name what the user gets. Classes not listed here are
still open in issue #12.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import loyalty_research as lr
from loyalty_research._validate import collinear_columns


def survey_like(n=200, seed=0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"satisfaction": rng.normal(5, 1, n), "value": rng.normal(0, 1, n)})
    data["loyalty"] = 1 + 0.5 * data["satisfaction"] + 0.3 * data["value"] + rng.normal(0, 0.5, n)
    return data


# --------------------------------------------------------------- clusterwise model inputs
def test_text_outcome_in_a_formula_is_refused_naming_the_column():
    data = survey_like().assign(loyalty=lambda d: d["loyalty"].round(1).astype(str))
    with pytest.raises(ValueError, match=r"the outcome 'loyalty' holds .* not numbers"):
        lr.fit_clusterwise("loyalty ~ satisfaction + value", data, 2)


def test_perfectly_collinear_predictors_are_refused_naming_the_columns():
    data = survey_like().assign(satisfaction_100=lambda d: d["satisfaction"] * 100 + 3)
    with pytest.raises(
        ValueError, match="perfectly collinear: 'intercept', 'satisfaction', 'satisfaction_100'"
    ):
        lr.fit_clusterwise("loyalty ~ satisfaction + value + satisfaction_100", data, 2)
    with pytest.raises(ValueError, match="perfectly collinear: 'x0', 'x1', 'x2'"):
        X = data[["satisfaction", "value"]].to_numpy()
        lr.ClusterwiseRegression(2).fit(np.column_stack([X, X[:, 0] - X[:, 1]]), data["loyalty"])
    # nearly but not exactly collinear predictors are fitted
    noisy = data.assign(echo=data["satisfaction"] + np.random.default_rng(1).normal(0, 0.01, len(data)))
    lr.fit_clusterwise("loyalty ~ satisfaction + echo", noisy, 2, n_init=2, random_state=0)


def test_collinearity_within_a_segment_is_named_and_gets_no_standard_errors():
    """Among a segment's classified cases a predictor that does not vary is not identified."""
    design = np.column_stack([np.ones(6), [1.0, 2, 3, 4, 5, 6], [0.0, 0, 0, 0, 0, 0]])
    assert collinear_columns(design, ["intercept", "x", "d"]) == ["d"]
    design[:, 2] = 1.0
    assert collinear_columns(design, ["intercept", "x", "d"]) == ["intercept", "d"]
    design[:, 2] = design[:, 1] * 2
    assert collinear_columns(design, ["intercept", "x", "d"]) == ["x", "d"]
    design[:, 2] = [0.0, 1, 0, 1, 1, 0]
    assert collinear_columns(design, ["intercept", "x", "d"]) == []

    data = survey_like(300)
    with warnings.catch_warnings():
        # one regression for everybody: the second segment often empties
        warnings.simplefilter("ignore", lr.CollapsedStartsWarning)
        model = lr.ClusterwiseRegression(2, n_init=2, random_state=0).fit(
            data[["satisfaction", "value"]], data["loyalty"]
        )
    model.collinear_terms_ = [(2, "value")]  # as _collinear_terms reports it
    table = model.summary(data[["satisfaction", "value"]], data["loyalty"])
    flagged = table[(table["segment"] == 2) & (table["term"] == "value")].iloc[0]
    assert not flagged["identified"] and np.isnan(flagged["se"]) and np.isnan(flagged["p_val"])
    assert table["identified"].sum() == len(table) - 1


def test_too_many_segments_for_the_data_keeps_the_rows_already_fitted():
    data = survey_like(40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = lr.select_n_components(
            data[["satisfaction", "value"]],
            data["loyalty"],
            range(1, 20),
            n_init=2,
            random_state=0,
            progress=False,
        )
    assert list(table["n_components"]) == list(range(1, 11))  # 4 cases per segment at K = 10
    assert any("needs at least" in str(w.message) for w in caught)


# ------------------------------------------------------------------------------ codebooks
CODEBOOK_HEAD = "id_column: id\ncolumns:\n  id: {type: id}\n"


def read_codebook(tmp_path, text):
    path = tmp_path / "codebook.yaml"
    path.write_text(CODEBOOK_HEAD + text, encoding="utf-8")
    return lr.Codebook.from_yaml(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '  sat: {type: likert, min: 1, max: 7, reverse: "false"}',
            r"'reverse' must be true or false, got 'false' \(remove the quotes",
        ),
        ('  sat: {type: likert, min: "1", max: 7}', r"'min' must be a number, got '1' \(remove the quotes\)"),
        ("  sat: {type: likert, min: 1, max: 7, required: 1}", "'required' must be true or false"),
        (
            "  sat: {type: likert, min: 1, max: 7, categories: [1, [2]]}",
            "'categories' must hold single values",
        ),
        (
            "  income: {type: numeric, missing: -99}",
            r"'missing' must be a list of codes .*e\.g\. \[-99, 99\]",
        ),
        ("  sat: {type: 7}", "'type' must be text"),
    ],
)
def test_codebook_values_of_the_wrong_type_name_file_line_and_key(tmp_path, line, message):
    with pytest.raises(lr.CodebookError, match=message) as info:
        read_codebook(tmp_path, line + "\n")
    assert "codebook.yaml" in str(info.value) and "(line 4)" in str(info.value)


def test_a_reverse_keyed_item_without_a_range_is_named(tmp_path):
    with pytest.raises(
        lr.CodebookError, match=r"codebook\.yaml.*\n.*column 'sat': a likert item needs 'min' and 'max'"
    ):
        read_codebook(tmp_path, "  sat: {type: likert, reverse: true}\n")


def test_a_column_defined_twice_names_both_lines(tmp_path):
    with pytest.raises(lr.CodebookError, match=r"key 'sat' is defined twice \(lines 4 and 6\)"):
        read_codebook(
            tmp_path,
            "  sat: {type: likert, min: 1, max: 7}\n"
            "  other: {type: numeric}\n"
            "  sat: {type: likert, min: 1, max: 5}\n",
        )
    with pytest.raises(lr.CodebookError, match=r"key 'max' is defined twice \(lines 7 and 8\)"):
        read_codebook(tmp_path, "  sat:\n    type: likert\n    min: 1\n    max: 7\n    max: 5\n")


def test_broken_yaml_names_the_file(tmp_path):
    with pytest.raises(lr.CodebookError, match=r"codebook\.yaml is not valid YAML"):
        read_codebook(tmp_path, "  sat: {type: likert, min: 1, max: 7\n")


# -------------------------------------------------------------------------------- surveys
def test_a_category_coded_na_stays_a_category_and_declared_missing_codes_are_missing(tmp_path):
    codebook = read_codebook(
        tmp_path,
        "  region: {type: category, categories: [NA, EU, AS]}\n"
        "  income: {type: numeric, missing: [-99, 99]}\n"
        "  sat: {type: likert, min: 1, max: 7, required: false}\n",
    )
    path = tmp_path / "survey.csv"
    path.write_text(
        "id,region,income,sat\n1,NA,-99,5\n2,EU,30000,NA\n3,,99,\n4,AS,-99.0,n/a\n", encoding="utf-8"
    )
    survey = lr.read_survey(path, codebook)
    assert survey["region"].tolist()[:2] == ["NA", "EU"] and pd.isna(survey["region"].iloc[2])
    assert survey["income"].isna().tolist() == [True, False, True, True]
    assert survey["sat"].isna().tolist() == [False, True, True, True]  # the usual missing texts still are


def test_infinite_answers_are_refused_naming_the_column(tmp_path):
    codebook = read_codebook(tmp_path, "  income: {type: numeric}\n")
    data = pd.DataFrame({"id": [1, 2, 3], "income": [1.0, np.inf, -np.inf]})
    with pytest.raises(lr.SurveyDataError, match=r"column 'income': infinite answers .* \(rows: 2, 3\)"):
        lr.validate_survey(data, codebook)


# ------------------------------------------------------------------------- theory tests
@pytest.mark.parametrize("constant", ["loyalty", "value"])
def test_a_constant_column_in_the_theory_tests_is_named(constant):
    data = survey_like().assign(**{constant: 4.0})
    with pytest.raises(ValueError, match=f"column '{constant}' is constant in the 200 complete cases"):
        lr.compare_loyalty_theories(data, "loyalty", "satisfaction", "value")
    if constant == "loyalty":
        with pytest.raises(ValueError, match="column 'loyalty' is constant"):
            lr.satisfaction_loyalty(data, "loyalty", "satisfaction")


def test_too_few_complete_cases_in_the_theory_tests_are_refused():
    data = survey_like(10)
    data.loc[2:, "value"] = np.nan
    with pytest.raises(ValueError, match="only 2 of 10 cases have all of"):
        lr.compare_loyalty_theories(data, "loyalty", "satisfaction", "value")


# ---------------------------------------------------------------------------- measurement
def cfa_data(n=150, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    items = {f"a{i}": f[:, 0] + rng.normal(0, 0.6, n) for i in range(3)}
    items |= {f"b{i}": f[:, 1] + rng.normal(0, 0.6, n) for i in range(3)}
    items["single"] = f[:, 0] + rng.normal(0, 0.6, n)
    return pd.DataFrame(items)


def test_a_single_item_construct_in_a_cfa_is_refused_naming_it():
    data = cfa_data()
    constructs = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"], "one": ["single"]}
    with pytest.raises(ValueError, match="construct 'one' has a single item"):
        lr.confirmatory_factor_analysis(data, constructs)


def test_an_item_without_variance_in_a_cfa_is_named():
    data = cfa_data().assign(b2=3.0)
    with pytest.raises(ValueError, match=r"item 'b2' has the same answer \(3\) from all 150"):
        lr.confirmatory_factor_analysis(data, {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"]})


def test_htmt_with_too_few_respondents_or_a_constant_item_says_so():
    data = cfa_data()
    constructs = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"]}
    with pytest.raises(ValueError, match="2 respondents answered every item: correlations need at least 3"):
        lr.htmt(data.iloc[:2], constructs)
    with pytest.raises(ValueError, match="item 'a1' has the same answer"):
        lr.htmt(data.assign(a1=5.0), constructs)


# ------------------------------------------------------------------- clusterwise inputs 2
@pytest.mark.parametrize(
    ("fit", "message"),
    [
        (
            lambda: lr.ClusterwiseRegression(2).fit(
                pd.DataFrame({"brand": ["x", "y"] * 50, "b": np.arange(100.0)}), np.arange(100.0)
            ),
            r"X column 'brand' holds .* values, not numbers",
        ),
        (lambda: lr.ClusterwiseRegression(2).fit(np.empty((0, 2)), np.empty(0)), "X has no cases"),
        (
            lambda: lr.ClusterwiseRegression(2).fit(np.arange(100.0)[:, None], ["a"] * 100),
            "y must hold numbers",
        ),
        (
            lambda: lr.fit_clusterwise("y ~ x", pd.DataFrame({"y": [np.nan] * 30, "x": np.arange(30.0)}), 2),
            r"none of the 30 cases has all of \['y', 'x'\] \(missing per variable: \{'y': 30\}\)",
        ),
        (lambda: lr.fit_clusterwise("y ~ x", pd.DataFrame({"y": [], "x": []}), 2), "the data have no rows"),
    ],
)
def test_unusable_model_inputs_get_an_error_naming_what_is_wrong(fit, message):
    with pytest.raises(ValueError, match=message):
        fit()


# ------------------------------------------------------------------------------ survey files
SMALL_CODEBOOK = "  sat: {type: likert, min: 1, max: 7}\n  city: {type: category, categories: [北京, 上海]}\n"


def survey_file(tmp_path, text, encoding="utf-8"):
    """The small codebook and a survey file holding ``text``."""
    path = tmp_path / "survey.csv"
    path.write_bytes(text.encode(encoding))
    return read_codebook(tmp_path, SMALL_CODEBOOK), path


def test_survey_files_that_cannot_be_read_say_why_and_what_to_do(tmp_path):
    codebook = read_codebook(tmp_path, SMALL_CODEBOOK)
    with pytest.raises(ValueError, match="is a folder, not a survey file"):
        lr.read_survey(tmp_path, codebook)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"empty\.csv is empty"):
        lr.read_survey(empty, codebook)
    header = tmp_path / "header.csv"
    header.write_text("id,sat,city\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"header\.csv has a header but no respondents"):
        lr.read_survey(header, codebook)


def test_a_semicolon_file_or_a_title_row_is_recognised(tmp_path):
    codebook, path = survey_file(tmp_path, "id;sat;city\n1;5;北京\n2;3;上海\n")
    with pytest.raises(ValueError, match=r"looks semicolon-separated .* pass sep=';'"):
        lr.read_survey(path, codebook)
    assert lr.read_survey(path, codebook, sep=";").shape == (2, 3)
    path.write_text("Golf survey 2026, wave 1\nid,sat,city\n1,5,北京\n2,3,上海\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"seems to be on line 2, not line 1 .* pass skiprows=1"):
        lr.read_survey(path, codebook)
    assert lr.read_survey(path, codebook, skiprows=1)["sat"].tolist() == [5.0, 3.0]


def test_a_gb18030_survey_is_read_with_a_warning_or_as_told(tmp_path):
    codebook, path = survey_file(tmp_path, "id,sat,city\n1,5,北京\n2,3,上海\n", "gb18030")
    with pytest.warns(UserWarning, match="is not UTF-8; read as GB18030"):
        survey = lr.read_survey(path, codebook)
    assert survey["city"].tolist() == ["北京", "上海"]
    assert lr.read_survey(path, codebook, encoding="gbk")["city"].tolist() == ["北京", "上海"]
    with pytest.raises(ValueError, match=r"cannot read .*survey\.csv as utf-8"):
        lr.read_survey(path, codebook, encoding="utf-8")


def test_a_column_twice_in_the_header_and_ids_differing_by_spaces_are_named(tmp_path):
    codebook, path = survey_file(tmp_path, "id,sat,city,sat\n1,5,北京,4\n2,3,上海,2\n")
    with pytest.raises(ValueError, match=r"column 'sat' appears 2 times in the header .* \(columns 2, 4\)"):
        lr.read_survey(path, codebook)
    path.write_text("id,sat,city\n17,5,北京\n 17,3,上海\n", encoding="utf-8")
    with pytest.raises(lr.SurveyDataError, match=r"duplicate respondent ids ' 17', 17"):
        lr.read_survey(path, codebook)


# ------------------------------------------------------------------------- analyze and CLI
@pytest.fixture
def golf_files(tmp_path):
    """A golf survey of ``n`` respondents as CSV, with the bundled codebook."""

    def write(n):
        path = tmp_path / f"golf_{n}.csv"
        lr.load_golf_survey().iloc[:n].to_csv(path, index=False)
        codebook = tmp_path / "codebook.yaml"
        lr.load_codebook().to_yaml(codebook)
        return path, codebook

    return write


def run_cli(*args):
    from loyalty_research.cli import main

    return main(["analyze", *map(str, args)])


def test_analyze_with_unusable_paths_ends_with_one_line_and_code_2(golf_files, tmp_path, capsys):
    survey, codebook = golf_files(40)
    cases = [
        (tmp_path / "nowhere.csv", tmp_path / "out1", "survey file not found"),
        (survey, survey, "is a file, not a folder"),
    ]
    for data, out, message in cases:
        assert run_cli("--data", data, "--codebook", codebook, "--out", out) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out1").exists()


def test_analyze_never_touches_a_folder_of_yours(golf_files, tmp_path, capsys):
    survey, codebook = golf_files(40)
    mine = tmp_path / "mine"
    (mine / "paper" / "figures").mkdir(parents=True)
    (mine / "paper" / "figures" / "02_my_chart.png").write_bytes(b"mine")
    assert run_cli("--data", survey, "--codebook", codebook, "--out", mine) == 2
    assert "already holds files that are not a loyalty-research report" in capsys.readouterr().err
    assert (mine / "paper" / "figures" / "02_my_chart.png").read_bytes() == b"mine"


def test_analyze_on_a_survey_too_small_writes_nothing(golf_files, tmp_path, capsys):
    survey, codebook = golf_files(20)
    out = tmp_path / "report"
    assert run_cli("--data", survey, "--codebook", codebook, "--out", out) == 2
    assert (
        "only 20 of 20 respondents have loyalty, satisfaction and delivered_value scores"
        in capsys.readouterr().err
    )
    assert not out.exists() and not list(tmp_path.glob(".report-*"))


def test_numbers_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    from loyalty_research import reporting

    reporting.start("05_example", tmp_path)
    reporting.save_number("first", 1.0)
    before = (tmp_path / "numbers.json").read_text(encoding="utf-8")

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(reporting.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        reporting.save_number("second", 2.0)
    assert (tmp_path / "numbers.json").read_text(encoding="utf-8") == before


def test_an_earlier_report_may_be_replaced_but_nothing_else(tmp_path):
    from loyalty_research.pipeline import REPORT_MARKER, _check_report_folder

    report = tmp_path / "report"
    report.mkdir()
    (report / "index.html").write_text("old report", encoding="utf-8")
    (report / REPORT_MARKER).write_text("", encoding="utf-8")
    _check_report_folder(report)  # an earlier report: accepted, to be replaced whole
    _check_report_folder(tmp_path / "new" / "deeper")  # a new folder: accepted
    (report / REPORT_MARKER).unlink()
    with pytest.raises(ValueError, match="already holds files"):
        _check_report_folder(report)


# ------------------------------------------------------------------ no library errors leak
values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10), st.floats(allow_nan=True), st.text(max_size=4),
    st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=2)), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip
column_descriptions = st.dictionaries(
    st.sampled_from(
        ["type", "min", "max", "reverse", "required", "categories", "construct", "missing", "label_en"]
    ),
    st.one_of(values, st.sampled_from(["likert", "numeric", "category", "binary", "integer", "id", "text"])),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=5), st.one_of(column_descriptions, values), min_size=1, max_size=4
    )
)
def test_random_codebooks_give_a_codebook_or_a_codebook_error(columns):
    try:
        lr.Codebook.from_dict({"id_column": "id", "columns": {"id": {"type": "id"}, **columns}})
    except lr.CodebookError:
        pass


SURVEY_CODEBOOK = lr.Codebook.from_dict(
    {
        "id_column": "id",
        "columns": {
            "id": {"type": "id"},
            "sat": {"type": "likert", "min": 1, "max": 7},
            "spend": {"type": "numeric", "missing": [-99]},
            "member": {"type": "binary"},
            "region": {"type": "category", "categories": ["NA", "EU"]},
        },
    }
)
cells = st.one_of(
    st.none(), st.integers(-100, 100), st.floats(), st.text(max_size=3), st.sampled_from(["NA", "", " 7"])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(cells, cells, cells, cells, cells), min_size=1, max_size=6))
def test_random_surveys_give_a_survey_or_a_survey_data_error(rows):
    data = pd.DataFrame(rows, columns=["id", "sat", "spend", "member", "region"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lr.validate_survey(data, SURVEY_CODEBOOK)
    except lr.SurveyDataError:
        pass


def test_rows_are_named_by_respondent_id_else_by_file_line(tmp_path):
    codebook, path = survey_file(tmp_path, "id,sat,city\n17,5,北京\n18,9,上海\n17,3,上海\n")
    with pytest.raises(lr.SurveyDataError) as info:
        lr.read_survey(path, codebook)
    text = str(info.value)
    assert "duplicate respondent ids 17 (rows: line 2, line 4)" in text
    assert "answers above the maximum 7: 9 (rows: line 3)" in text  # ids not usable: file lines
    codebook, path = survey_file(tmp_path, "id,sat,city\n17,5,北京\n18,9,上海\n")
    with pytest.raises(lr.SurveyDataError, match=r"above the maximum 7: 9 \(rows: 18\)"):
        lr.read_survey(path, codebook)  # usable ids: the respondent's id


def test_a_column_twice_in_an_excel_header_is_named(tmp_path):
    codebook = read_codebook(tmp_path, SMALL_CODEBOOK)
    path = tmp_path / "survey.xlsx"
    pd.DataFrame([[1, 5, "北京", 4]], columns=["id", "sat", "city", "sat"]).to_excel(path, index=False)
    with pytest.raises(ValueError, match=r"column 'sat' appears 2 times in the header .* \(columns 2, 4\)"):
        lr.read_survey(path, codebook)
    pd.DataFrame([[1, 5, "北京"]], columns=["id", "sat", "city"]).to_excel(path, index=False)
    assert lr.read_survey(path, codebook).shape == (1, 3)


def test_perfectly_collinear_columns_in_the_theory_tests_are_named():
    data = survey_like().assign(value=lambda d: 2 * d["satisfaction"] - 1)
    with pytest.raises(ValueError, match=r"columns \['satisfaction', 'value'\] are perfectly collinear"):
        lr.compare_loyalty_theories(data, "loyalty", "satisfaction", "value")
    with pytest.raises(ValueError, match=r"columns \['satisfaction', 'sat_x3'\] are perfectly collinear"):
        lr.satisfaction_loyalty(
            data.assign(sat_x3=data["satisfaction"] * 3), "loyalty", "satisfaction", covariates=["sat_x3"]
        )
