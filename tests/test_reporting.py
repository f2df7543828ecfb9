"""The reporting module: names, places, byte-identical outputs, errors."""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from loyalty_research import reporting


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [2, 1, 3])
    ax.set(xlabel="x", ylabel="y")
    return fig


def test_outputs_are_named_after_the_notebook_and_byte_identical(tmp_path):
    reporting.start("05_clusterwise_segmentation", tmp_path)
    first = reporting.save_figure(_figure(), "criteria").read_bytes()
    table = reporting.save_table(
        pd.DataFrame({"a": [1.23456, -0.0001], "b": ["x", "y"], "p_val": [0.00004, 0.5]}), "coefficients"
    )
    assert reporting.save_number("n_segments", 4, "{:d}") == "4"
    assert reporting.save_number("share", 0.4567, "{:.0%}") == "46%"
    assert (tmp_path / "figures" / "05_criteria.png").is_file()
    # every decimal printed, no "-0.000", tiny p values as "< 0.001", not "0.0"
    assert table.read_text() == "a,b,p_val\n1.235,x,< 0.001\n0.000,y,0.500\n"
    numbers = json.loads((tmp_path / "numbers.json").read_text())
    assert numbers == {
        "05_n_segments": {"value": 4, "text": "4"},
        "05_share": {"value": 0.4567, "text": "46%"},
    }
    # same figure again: same bytes (no time stamp in the PNG)
    reporting.start("05_clusterwise_segmentation", tmp_path)
    assert reporting.save_figure(_figure(), "criteria").read_bytes() == first
    plt.close("all")


def test_start_clears_only_the_same_notebook(tmp_path):
    reporting.start("03_satisfaction_loyalty", tmp_path)
    reporting.save_number("r2", 0.2)
    reporting.save_table(pd.DataFrame({"a": [1]}), "old")
    reporting.start("04_value", tmp_path)
    reporting.save_number("r2", 0.3)
    reporting.start("03_satisfaction_loyalty", tmp_path)
    assert not (tmp_path / "tables" / "03_old.csv").exists()
    assert json.loads((tmp_path / "numbers.json").read_text()) == {"04_r2": {"value": 0.3, "text": "0.30"}}


def test_bad_input(tmp_path, monkeypatch):
    monkeypatch.setattr(reporting, "_current", None)
    with pytest.raises(reporting.ReportingError, match="start"):
        reporting.save_number("x", 1)
    with pytest.raises(reporting.ReportingError, match="notebook must be"):
        reporting.start("golf", tmp_path)
    reporting.start("05_x", tmp_path)
    with pytest.raises(reporting.ReportingError, match="lower-case"):
        reporting.save_number("Bad Name", 1)
    with pytest.raises(reporting.ReportingError, match="not finite"):
        reporting.save_number("x", float("nan"))
    with pytest.raises(reporting.ReportingError, match="format"):
        reporting.save_number("x", "text", "{:.2f}")
    with pytest.raises(reporting.ReportingError, match="DataFrame"):
        reporting.save_table([1, 2], "x")
    with pytest.raises(reporting.ReportingError, match="Figure"):
        reporting.save_figure("not a figure", "x")
