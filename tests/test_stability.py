"""Bootstrap Jaccard stability: against R fpc's clusterboot, known truth, noise, seeds and bad input."""

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans

from loyalty_research.stability import _jaccard_draw, _summarise, bootstrap_jaccard

REFERENCE = Path(__file__).parent / "reference"
COLUMNS = [
    "segment",
    "n_cases",
    "jaccard_mean",
    "jaccard_median",
    "share_dissolved",
    "share_recovered",
    "verdict",
]


@pytest.fixture(scope="module")
def fpc():
    """tests/reference/fpc_jaccard.R: data, fpc's draws (cases with repeats, bootstrap clusters)."""
    data = pd.read_csv(REFERENCE / "data" / "fpc_jaccard_data.csv")
    samples = pd.read_csv(REFERENCE / "fixtures" / "fpc_jaccard_samples.csv")
    result = pd.read_csv(REFERENCE / "fixtures" / "fpc_jaccard_bootresult.csv")
    summary = pd.read_csv(REFERENCE / "fixtures" / "fpc_jaccard_summary.csv")
    draws = [
        (group["case"].to_numpy() - 1, group["boot_segment"].to_numpy())
        for _, group in samples.groupby("draw", sort=True)
    ]
    bootresult = result.pivot(index="draw", columns="segment", values="jaccard").to_numpy()
    return {
        "X": data[["x1", "x2"]].to_numpy(),
        "labels": data["segment"].to_numpy() - 1,
        "draws": draws,
        "bootresult": bootresult,
        "summary": summary,
    }


def blobs(n_per, seed, spread=10.0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [spread, 0.0], [0.0, spread]])
    return np.repeat(centres, n_per, axis=0) + rng.normal(size=(3 * n_per, 2))


def kmeans_refit(X, k):
    def refit(rows, rng):
        return KMeans(k, n_init=1, random_state=int(rng.integers(2**31))).fit_predict(X[rows])

    return refit


def random_refit(k):
    return lambda rows, rng: rng.integers(0, k, len(rows))


def test_draws_match_fpc_clusterboot_bootresult(fpc):
    """R: fpc::clusterboot(data, B = 30, clustermethod = average linkage, k = 4, seed = 3)$bootresult."""
    ours = np.array([_jaccard_draw(fpc["labels"], rows, boot) for rows, boot in fpc["draws"]])
    np.testing.assert_allclose(ours, fpc["bootresult"], rtol=0, atol=1e-12)


def test_segment_with_no_drawn_case_scores_zero_as_in_fpc(fpc):
    """fpc: maxgamma starts at 0 and clujaccard(zerobyzero = 0), so an undrawn cluster gets 0, not NA."""
    absent = [b for b, (rows, _) in enumerate(fpc["draws"]) if not np.any(fpc["labels"][rows] == 3)]
    assert absent == [7, 8, 12, 24, 27]  # R: draws 8 9 13 25 28 (fpc_jaccard.Rout)
    for b in absent:
        rows, boot = fpc["draws"][b]
        assert _jaccard_draw(fpc["labels"], rows, boot)[3] == 0.0
    labels = np.array([0, 0, 0, 1])
    np.testing.assert_array_equal(_jaccard_draw(labels, np.array([0, 1, 1, 2]), np.zeros(4, int)), [1, 0])


def test_repeated_cases_count_once_with_their_first_draws_segment(fpc):
    """fpc compares distinct cases (multipleboot = FALSE: unique(bsamp)); later repeats are ignored."""
    rng = np.random.default_rng(0)
    for rows, boot in fpc["draws"]:
        scrambled = boot.copy()
        _, first = np.unique(rows, return_index=True)
        repeat = np.setdiff1d(np.arange(len(rows)), first)
        assert repeat.size > 0
        scrambled[repeat] = rng.integers(0, 4, repeat.size)
        np.testing.assert_array_equal(
            _jaccard_draw(fpc["labels"], rows, scrambled), _jaccard_draw(fpc["labels"], rows, boot)
        )


def test_refit_on_distinct_rows_reproduces_fpc_default(fpc):
    """R: hclust(dist(x[unique(bsamp), ]), "average") cut at 4, as clusterboot clustered each draw.

    The recipe of the Notes (fit on ``np.unique(rows)``, label every entry of rows) with scipy's
    average linkage gives fpc's bootresult on fpc's own draws.
    """
    X, labels = fpc["X"], fpc["labels"]
    for (rows, _), expected in zip(fpc["draws"], fpc["bootresult"], strict=True):
        cases, position = np.unique(rows, return_inverse=True)
        boot = fcluster(linkage(X[cases], method="average"), 4, criterion="maxclust")[position]
        np.testing.assert_allclose(_jaccard_draw(labels, rows, boot), expected, rtol=0, atol=1e-12)


def test_summary_matches_fpc_bootmean_bootbrd_bootrecover(fpc):
    """R: clusterboot(...)$bootmean, $bootbrd (<= 0.5) and $bootrecover (> 0.75), counts / B."""
    reference = fpc["summary"]
    table = _summarise(fpc["bootresult"], reference["n_cases"].to_numpy())
    assert list(table.columns) == COLUMNS
    np.testing.assert_array_equal(table["segment"], reference["segment"])
    np.testing.assert_allclose(table["jaccard_mean"], reference["bootmean"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(table["share_dissolved"], reference["bootbrd"] / reference["B"])
    np.testing.assert_array_equal(table["share_recovered"], reference["bootrecover"] / reference["B"])
    np.testing.assert_allclose(table["jaccard_median"], np.median(fpc["bootresult"], axis=0))
    # means 0.550, 0.662, 0.932, 0.833: below 0.6, between 0.6 and 0.75, at least 0.75 twice
    assert table["verdict"].tolist() == ["unstable", "doubtful", "stable", "stable"]


def test_thresholds_are_fpcs_inclusive_dissolution_and_exclusive_recovery(fpc):
    """fpc: dissolved if Jaccard <= 0.5 (relation "se"), recovered if > 0.75 (relation "l")."""
    # the fixture holds Jaccards of exactly 0.5 and 0.75
    assert np.any(fpc["bootresult"] == 0.5)
    assert np.any(fpc["bootresult"] == 0.75)
    draws = np.array([[0.5, 0.75], [0.5000001, 0.7500001], [0.4, 0.9]])
    table = _summarise(draws, np.array([10, 10]))
    np.testing.assert_allclose(table["share_dissolved"], [2 / 3, 0])
    np.testing.assert_allclose(table["share_recovered"], [0, 2 / 3])
    verdicts = _summarise(np.array([[0.75, 0.7499, 0.6, 0.5999]] * 2), np.ones(4))["verdict"]
    assert verdicts.tolist() == ["stable", "doubtful", "doubtful", "unstable"]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(
            st.lists(st.integers(0, k - 1), min_size=k, max_size=25).filter(lambda x: len(set(x)) == k),
            st.randoms(use_true_random=False),
        )
    )
)
def test_jaccard_draw_equals_set_definition(case):
    """Oracle: the Jaccard of Python sets of distinct cases, max over bootstrap segments, 0 if undrawn."""
    labels, random = case
    labels = np.array(labels)
    n = len(labels)
    rows = np.array([random.randrange(n) for _ in range(n)])
    boot = np.array([random.randrange(3) * 5 + 2 for _ in range(n)])  # any numbering
    segment_of = {}
    for row, b in zip(rows, boot, strict=True):
        segment_of.setdefault(int(row), int(b))  # first draw of the case
    expected = []
    for k in range(labels.max() + 1):
        original = {i for i in segment_of if labels[i] == k}
        best = 0.0
        for m in set(segment_of.values()):
            refitted = {i for i, b in segment_of.items() if b == m}
            if original:
                best = max(best, len(original & refitted) / len(original | refitted))
        expected.append(best)
    np.testing.assert_allclose(_jaccard_draw(labels, rows, boot), expected, rtol=0, atol=1e-15)


def test_well_separated_segments_are_stable():
    """Truth: three blobs 10 sd apart; k-means refits find them again in every draw."""
    X = blobs(25, seed=1)
    labels = np.repeat([2, 0, 1], 25)  # the numbering of the original fit does not matter
    table = bootstrap_jaccard(labels, kmeans_refit(X, 3), n_boot=20, random_state=0, progress=False)
    assert list(table.columns) == COLUMNS
    assert table["segment"].tolist() == [1, 2, 3]
    assert table["n_cases"].tolist() == [25, 25, 25]
    assert (table["jaccard_mean"] > 0.95).all()
    assert (table["verdict"] == "stable").all()
    assert (table["share_dissolved"] == 0).all()
    assert table.attrs["draws"].shape == (20, 3)


def test_pure_noise_segments_are_unstable():
    """Truth: labels and refits that are random numbers share nothing beyond chance (about 0.2)."""
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, 150)
    table = bootstrap_jaccard(labels, random_refit(3), n_boot=30, random_state=1, progress=False)
    assert (table["jaccard_mean"] < 0.4).all()
    assert (table["verdict"] == "unstable").all()
    assert (table["share_dissolved"] == 1).all()
    assert (table["share_recovered"] == 0).all()


def test_public_function_draws_rows_from_spawned_seeds_and_summarises_them():
    """Draw b: rows = default_rng(SeedSequence(seed).spawn(n_boot)[b]).integers(0, n, n)."""
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, 40)
    seen = []

    def refit(rows, rng):
        seen.append(rows.copy())
        return rng.integers(0, 2, len(rows))

    table = bootstrap_jaccard(labels, refit, n_boot=5, random_state=11, progress=False)
    for child, rows in zip(np.random.SeedSequence(11).spawn(5), seen, strict=True):
        np.testing.assert_array_equal(rows, np.random.default_rng(child).integers(0, 40, 40))
    pd.testing.assert_frame_equal(table, _summarise(table.attrs["draws"], np.bincount(labels)))


def test_same_seed_gives_identical_table_and_parallel_changes_nothing():
    labels = np.random.default_rng(2).integers(0, 3, 60)

    def run(**kwargs):
        return bootstrap_jaccard(labels, random_refit(3), n_boot=10, progress=False, **kwargs)

    first, second = run(random_state=7), run(random_state=7)
    pd.testing.assert_frame_equal(first, second)
    np.testing.assert_array_equal(first.attrs["draws"], second.attrs["draws"])
    assert not np.array_equal(first.attrs["draws"], run(random_state=8).attrs["draws"])
    with joblib.parallel_config(backend="threading"):  # joblib's dispatch without process start-up
        parallel = run(random_state=7, n_jobs=2)
    np.testing.assert_array_equal(first.attrs["draws"], parallel.attrs["draws"])
    from_generator = run(random_state=np.random.default_rng(7))
    pd.testing.assert_frame_equal(from_generator, run(random_state=np.random.default_rng(7)))


def test_progress_bar_is_labelled(capsys):
    bootstrap_jaccard(np.array([0, 0, 1, 1]), random_refit(2), n_boot=2, random_state=0, progress=True)
    assert "stability" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("labels", "kwargs", "message"),
    [
        (np.zeros((3, 2), int), {}, "1-D"),
        (np.array([0.0, 1.5, 1.0]), {}, "integer"),
        (np.array(["a", "b"]), {}, "integer"),
        (np.array([0, -1, 1]), {}, "0-based"),
        (np.array([0, 2, 2]), {}, r"no case in segment\(s\) \[1\]"),
        (np.array([0, 1, 1]), {"n_boot": 1}, "n_boot must be an integer of at least 2"),
        (np.array([0, 1, 1]), {"n_boot": 2.5}, "n_boot"),
    ],
)
def test_bad_arguments_are_named(labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_jaccard(labels, random_refit(2), progress=False, **kwargs)


def test_refit_returning_wrong_labels_is_reported():
    labels = np.array([0, 0, 1, 1, 1])
    with pytest.raises(ValueError, match="refit returned 4 labels for 5 rows in draw 0"):
        bootstrap_jaccard(labels, lambda rows, rng: np.zeros(4, int), n_boot=2, progress=False)
    with pytest.raises(ValueError, match=r"refit's labels \(draw 0\) must hold integer"):
        bootstrap_jaccard(labels, lambda rows, rng: rows / 7, n_boot=2, progress=False)
    with pytest.raises(TypeError, match="refit must be a function"):
        bootstrap_jaccard(labels, "kmeans", n_boot=2, progress=False)
    with pytest.raises(TypeError, match="random_state"):
        bootstrap_jaccard(labels, random_refit(2), n_boot=2, random_state="seed", progress=False)


def test_float_labels_holding_whole_numbers_are_accepted():
    labels = np.array([0.0, 0.0, 1.0, 1.0])
    table = bootstrap_jaccard(labels, lambda rows, rng: (rows >= 2).astype(float), n_boot=3, progress=False)
    assert table["n_cases"].tolist() == [2, 2]
