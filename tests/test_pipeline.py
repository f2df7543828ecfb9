"""`loyalty-research analyze` on a survey it has never seen, and the reproduce pieces."""

import json

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
