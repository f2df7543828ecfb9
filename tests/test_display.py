"""Result objects render as HTML tables in JupyterLab."""

import numpy as np
import pandas as pd

import loyalty_research as lr


def test_results_render_their_tables_and_numbers():
    data = lr.load_study().data.dropna(subset=["loyalty", "satisfaction", "delivered_value"])
    results = [
        lr.satisfaction_loyalty(data, "loyalty", "satisfaction"),
        lr.compare_loyalty_theories(data, "loyalty", "satisfaction", "delivered_value"),
        lr.fit_corporate_reputation(),
    ]
    for result in results:
        html = result._repr_html_()
        assert html.startswith(f"<h3>{type(result).__name__}</h3>")
        for name, value in vars(result).items():
            if isinstance(value, pd.DataFrame):
                assert f"<h4>{name}</h4><table" in html, name
                assert all(str(c) in html for c in value.columns), name


def test_long_tables_are_cut_and_arrays_summarised():
    from loyalty_research._display import MAX_ROWS

    result = lr.PermutationTestResult(1.5, np.arange(99.0), 0.01, "r_squared", 2)
    html = result._repr_html_()
    assert "<b>null_distribution</b>: array of shape (99,)" in html and "<b>p_value</b>: 0.01" in html
    scores = lr.fit_corporate_reputation().scores
    assert len(scores) > MAX_ROWS and "..." in lr.fit_corporate_reputation()._repr_html_()


def test_a_study_says_what_it_holds():
    html = lr.load_study()._repr_html_()
    assert "golf_survey" in html and "800 respondents" in html and "the bundled simulated golf survey" in html
