"""`loyalty-research analyze` on a survey it has never seen, and the reproduce pieces."""

import json

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research.cli import main
from loyalty_research.codebook import Codebook

KEEP = ["perceived_benefits", "perceived_costs", "satisfaction", "loyalty"]
RENAME_CONSTRUCT = {
    "satisfaction": "csat",
    "loyalty": "retention_intent",
    "perceived_benefits": "gains",
    "perceived_costs": "sacrifices",
}


@pytest.fixture(scope="module")
def own_survey(tmp_path_factory):
    """A small simulated survey in another layout: other id, item and construct names, other column
    order, fewer constructs (no trust, no quality scales, no importance ratings)."""
    folder = tmp_path_factory.mktemp("own")
    survey, _ = lr.simulate_golf_survey(240, random_state=11)
    golf = lr.golf_codebook().to_dict()
    columns, renamed = {}, {"respondent_id": "case"}
    for name, spec in golf["columns"].items():
        construct = spec.get("construct")
        if construct is not None and construct not in KEEP:
            continue
        if name.startswith("imp_"):
            continue
        if construct is not None:
            spec = dict(spec, construct=RENAME_CONSTRUCT[construct])
            renamed[name] = f"q{len(renamed):02d}_{RENAME_CONSTRUCT[construct]}"
        columns[renamed.get(name, name)] = spec
    order = list(reversed(list(columns)))  # a different column order too
    book = {
        "name": "other_club",
        "id_column": "case",
        "delivered_value": {"benefits": "gains", "costs": "sacrifices"},
        "columns": {name: columns[name] for name in order},
    }
    Codebook.from_dict(book).to_yaml(folder / "codebook.yaml")
    kept = [c for c in survey.columns if c in renamed or c in columns]
    survey[kept].rename(columns=renamed)[order].to_csv(folder / "survey.csv", index=False)
    return folder


OWN_NAMES = ["--loyalty", "retention_intent", "--satisfaction", "csat"]


def _analyze(data, codebook, out, *options):
    return main(["analyze", "--data", str(data), "--codebook", str(codebook), "--out", str(out), *options])


def test_analyze_runs_on_an_unseen_layout(own_survey, tmp_path):
    out = tmp_path / "report"
    code = _analyze(
        own_survey / "survey.csv", own_survey / "codebook.yaml", out, *OWN_NAMES, "--n-boot", "100"
    )
    assert code == 0
    index = (out / "index.html").read_text()
    for notebook in lr.pipeline.ANALYSIS_NOTEBOOKS:
        assert (out / f"{notebook}.html").is_file()
        assert f'href="{notebook}.html"' in index
    assert len(list((out / "paper" / "figures").glob("*.png"))) >= 4
    numbers = json.loads((out / "paper" / "numbers.json").read_text())
    assert 0 < numbers["03_r2_linear"]["value"] < 1
    assert numbers["05_n_segments"]["value"] >= 1


def test_analyze_stops_early_on_bad_data(own_survey, tmp_path, capsys):
    survey = pd.read_csv(own_survey / "survey.csv")
    item = next(c for c in survey.columns if c.endswith("_csat"))
    survey.loc[[3, 5], item] = 9  # a 1-7 item
    survey.to_csv(tmp_path / "bad.csv", index=False)
    code = _analyze(tmp_path / "bad.csv", own_survey / "codebook.yaml", tmp_path / "report", *OWN_NAMES)
    assert code == 2
    assert "'q11_csat': answers above the maximum 7: 9 (rows: G0004, G0006)" in capsys.readouterr().err
    assert not (tmp_path / "report" / "notebooks").exists()  # nothing ran


def test_analyze_names_a_missing_construct(own_survey, tmp_path, capsys):
    # the default 'loyalty' is not in this codebook
    code = _analyze(own_survey / "survey.csv", own_survey / "codebook.yaml", tmp_path / "r")
    assert code == 2
    assert "'loyalty'" in capsys.readouterr().err


def test_run_notebooks_rejects_unknown_names(tmp_path):
    with pytest.raises(ValueError, match="notebook not found"):
        lr.pipeline.run_notebooks(["99_nothing"], tmp_path)
    with pytest.raises(ValueError, match="not run"):
        lr.pipeline.run_notebooks(["02_measurement"], tmp_path, parameters={"03_satisfaction_loyalty": {}})


def test_build_paper_needs_the_numbers(tmp_path):
    (tmp_path / "paper.typ").write_text("= Title\n")
    with pytest.raises(ValueError, match=r"numbers\.json"):
        lr.pipeline.build_paper(tmp_path)


def test_reproduce_and_paper_explain_a_wrong_folder(tmp_path, capsys):
    assert main(["reproduce", "--root", str(tmp_path)]) == 2
    assert "not a loyalty-research checkout" in capsys.readouterr().err
    assert main(["paper", "--paper", str(tmp_path)]) == 2
    assert "no manuscript" in capsys.readouterr().err


@pytest.fixture(scope="module")
def value_survey(tmp_path_factory):
    """A hotel survey whose truth contradicts the golf story: one regression for everybody,
    loyalty ("stay_intent") driven by value only, other names throughout."""
    rng = np.random.default_rng(7)
    n = 300
    latent = pd.DataFrame({"contentment": rng.normal(0, 1, n), "gains": rng.normal(0, 1, n)})
    latent["sacrifices"] = -0.3 * latent["gains"] + rng.normal(0, 1, n)
    latent["contentment"] += 0.3 * (latent["gains"] - latent["sacrifices"])
    latent["stay_intent"] = 0.6 * (latent["gains"] - latent["sacrifices"]) + rng.normal(0, 0.6, n)
    columns = {"guest": {"type": "id"}}
    survey = {"guest": [f"H{i:04d}" for i in range(n)]}
    for construct in latent:
        for item in range(3):
            name = f"{construct}_{item + 1}"
            answers = np.rint(4 + 1.1 * latent[construct] + rng.normal(0, 0.6, n)).clip(1, 7)
            survey[name] = answers.astype(int)
            columns[name] = {"type": "likert", "construct": construct, "min": 1, "max": 7}
    folder = tmp_path_factory.mktemp("hotel")
    Codebook.from_dict(
        {
            "name": "harbour_hotel",
            "id_column": "guest",
            "delivered_value": {"benefits": "gains", "costs": "sacrifices"},
            "columns": columns,
        }
    ).to_yaml(folder / "codebook.yaml")
    pd.DataFrame(survey).to_csv(folder / "survey.csv", index=False)
    return folder


def test_findings_follow_a_survey_that_contradicts_the_golf_story(value_survey, tmp_path):
    out = tmp_path / "report"
    names = ["--loyalty", "stay_intent", "--satisfaction", "contentment", "--n-boot", "100"]
    assert _analyze(value_survey / "survey.csv", value_survey / "codebook.yaml", out, *names) == 0
    lines = (out / "findings.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Segments found: 1 ")
    assert lines[1].startswith("Strongest driver of loyalty: delivered_value ")
    assert lines[4].startswith("Value verdict: value-driven")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h2>Findings</h2>" in index and "Segments found: 1 " in index


def test_analyze_with_a_fixed_number_of_segments(value_survey, tmp_path):
    out = tmp_path / "fixed"
    names = ["--loyalty", "stay_intent", "--satisfaction", "contentment", "--n-boot", "50", "--segments", "2"]
    assert _analyze(value_survey / "survey.csv", value_survey / "codebook.yaml", out, *names) == 0
    page = (out / "05_golf_clusterwise_segmentation.html").read_text(encoding="utf-8")
    assert "we use the number you fixed: K = 2" in page
    assert (out / "findings.txt").read_text(encoding="utf-8").startswith("Segments found: 1 ")


@pytest.mark.parametrize(("text", "parsed"), [("4", 4), ("2-5", (2, 5)), ("1-1", (1, 1))])
def test_segments_option_parses_a_number_or_a_range(text, parsed):
    from loyalty_research.cli import _segments

    assert _segments(text) == parsed


@pytest.mark.parametrize("text", ["0", "5-2", "two", "1-2-3"])
def test_segments_option_refuses_anything_else(text):
    import argparse

    from loyalty_research.cli import _segments

    with pytest.raises(argparse.ArgumentTypeError, match="--segments must be"):
        _segments(text)
