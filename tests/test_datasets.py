"""Bundled and public datasets."""

import filecmp

import numpy as np
import pandas as pd

import loyalty_research as lr
from loyalty_research.cli import main
from loyalty_research.datasets import DATA_DIR, write_golf_data
from loyalty_research.simulate import simulated_codebook


def test_bundled_files_are_exactly_the_default_simulation(tmp_path):
    for path in write_golf_data(tmp_path):
        assert filecmp.cmp(path, DATA_DIR / path.name, shallow=False), path.name


def test_cli_check_passes_and_notices_a_change(tmp_path, capsys):
    assert main(["data", "--check"]) == 0
    write_golf_data(tmp_path)
    truth = tmp_path / "golf_survey_truth.csv"
    truth.write_text(truth.read_text().replace("locked_in", "locked_in ", 1))
    assert main(["data", "--check", "--out", str(tmp_path)]) == 1
    assert "golf_survey_truth.csv" in capsys.readouterr().err


def test_loaded_survey_equals_the_simulation():
    survey, truth = lr.simulate_golf_survey(800, random_state=lr.DEFAULT_SEED)
    loaded = lr.load_golf_survey()
    pd.testing.assert_frame_equal(loaded, survey, check_dtype=False, check_categorical=False)
    assert isinstance(loaded["membership"].dtype, pd.CategoricalDtype)
    loaded_truth = lr.load_golf_truth()
    np.testing.assert_allclose(loaded_truth["latent_loyalty"], truth["latent_loyalty"], atol=1e-6)
    assert (loaded_truth["segment"] == truth["segment"]).all()


def test_codebook_file_matches_the_simulator():
    assert lr.load_codebook().to_dict() == simulated_codebook().to_dict()
    codebook = lr.load_codebook()
    assert codebook.delivered_value == {"benefits": "perceived_benefits", "costs": "perceived_costs"}
    assert set(codebook.constructs) >= {"satisfaction", "loyalty", "trust_cognitive", "expectation"}
    importance = [c for c in codebook.columns.values() if c.importance_of]
    assert len(importance) == 12


def test_ecsi_mobi():
    mobi = lr.load_ecsi_mobi()
    assert mobi.shape == (250, 24)
    assert mobi.min().min() >= 1 and mobi.max().max() <= 10
    assert {"CUSA1", "CUSL3", "PERV2", "IMAG5"} <= set(mobi.columns)


def test_corp_rep_missing_codes():
    raw = lr.load_corporate_reputation(missing_as_nan=False)
    clean = lr.load_corporate_reputation()
    assert raw.shape[0] == clean.shape[0] == 344
    n_codes = int((raw == -99).sum().sum())
    assert n_codes > 0
    assert int(clean.isna().sum().sum()) == n_codes + int(raw.isna().sum().sum())
