"""Cluster-wise stability of a segmentation: Hennig's bootstrap Jaccard, as R fpc's ``clusterboot``.

A segmentation can hold a firm segment beside one the data barely support. Refitting the model
on bootstrap samples and asking, for each original segment, how well the most similar refitted
segment reproduces it (Jaccard similarity of the two sets of customers) tells them apart.

References
----------
Hennig, C. (2007). Cluster-wise assessment of cluster stability. Computational Statistics & Data
Analysis, 52(1), 258-271. https://doi.org/10.1016/j.csda.2006.11.025

Hennig, C. (2008). Dissolution point and isolation robustness: Robustness criteria for general
cluster analysis methods. Journal of Multivariate Analysis, 99(6), 1154-1176.
https://doi.org/10.1016/j.jmva.2007.07.002
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from ._validate import check_count

__all__ = ["bootstrap_jaccard"]

#: fpc ``clusterboot``'s defaults: a draw with Jaccard <= ``DISSOLVED`` dissolves the segment,
#: one with Jaccard > ``RECOVERED`` recovers it (``dissolution = 0.5``, ``recover = 0.75``).
DISSOLVED = 0.5
RECOVERED = 0.75
#: Hennig's guidance on the mean Jaccard (fpc's ``?clusterboot``, "Details").
STABLE = 0.75
DOUBTFUL = 0.6


def bootstrap_jaccard(
    labels: np.ndarray,
    refit: Callable[[np.ndarray, np.random.Generator], np.ndarray],
    *,
    n_boot: int = 100,
    random_state: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    r"""Bootstrap stability of each segment: mean Jaccard with its best match after refitting.

    For every bootstrap draw of the cases, the segmentation is refitted on the drawn cases and
    each original segment is compared with the refitted segment that resembles it most
    (Hennig, 2007; R ``fpc::clusterboot`` with ``bootmethod = "boot"``).

    Parameters
    ----------
    labels : array of int, shape (n,)
        Segment of each case in the original fit, 0-based; every segment 0, ..., K-1 must
        have a case.
    refit : callable ``refit(rows, rng) -> labels``
        Refits the segmentation on the cases ``rows`` (indices into the data, with repeats, as
        a bootstrap sample has them) and returns the segment of each entry of ``rows``: an
        integer array of the same length, in any numbering (segments are matched by
        similarity, not by number). ``rng`` is the draw's own generator; use it for any
        randomness (starting values) so that the result depends on ``random_state`` only.
    n_boot : int, default 100
        Number of bootstrap draws, at least 2 (fpc's ``B``; its help recommends 100).
    random_state : int, numpy.random.Generator or None
        Seed. Draw ``b`` uses the ``b``-th child of ``numpy.random.SeedSequence(random_state)``
        (for a Generator: of a seed sequence made from two numbers drawn from it, which
        advances it), so the table does not depend on ``n_jobs`` or the order draws finish.
    n_jobs : int or None
        Draws in parallel through joblib (``None``: one at a time, or joblib's context).
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per original segment:

        - ``segment``: the segment, 1-based (``labels + 1``);
        - ``n_cases``: its number of cases in the original fit;
        - ``jaccard_mean``: mean over draws of the segment's Jaccard (fpc's ``bootmean``);
        - ``jaccard_median``: median over draws;
        - ``share_dissolved``: share of draws with Jaccard <= 0.5 (fpc's ``bootbrd`` / ``B``);
        - ``share_recovered``: share of draws with Jaccard > 0.75 (fpc's ``bootrecover`` / ``B``);
        - ``verdict``: ``"stable"`` (mean >= 0.75), ``"doubtful"`` (0.6 <= mean < 0.75) or
          ``"unstable"`` (mean < 0.6).

        ``.attrs["draws"]`` holds the n_boot x K array of Jaccards, draw by segment.

    Raises
    ------
    ValueError
        If ``labels`` is not a 1-D array of non-negative integers using every segment from 0
        up, if ``n_boot`` is not an integer of at least 2, or if ``refit`` returns other than
        one non-negative integer label per entry of ``rows``.
    TypeError
        If ``refit`` is not callable or ``random_state`` is not an int, Generator or None.

    Notes
    -----
    Draw :math:`b` takes ``rows = rng.integers(0, n, n)``; let :math:`X_b` be the set of
    distinct cases drawn and :math:`D_{b1}, \dots, D_{bM}` the refitted segments, each a set of
    distinct cases (a case drawn several times counts once, with the segment ``refit`` gave its
    first draw). Segment :math:`C_k` of the original fit scores

    .. math::

        \gamma_{kb} = \max_{m} \frac{|C_k \cap X_b \cap D_{bm}|}{|(C_k \cap X_b) \cup D_{bm}|},

    with every ratio taken as 0 when :math:`C_k \cap X_b` is empty, so a segment none of whose
    cases was drawn scores 0 for that draw (it was not recovered). ``jaccard_mean`` is
    :math:`\bar\gamma_k = \frac{1}{B}\sum_b \gamma_{kb}`.

    This is R ``fpc::clusterboot``'s nonparametric bootstrap (fpc 2.2-10, source
    ``R/clusterboot.R``, unchanged to 2.2-13): ``clujaccard(c1$clusterlist[[j]][bsamp],
    bc1$clusterlist[[k]], zerobyzero = 0)`` maximised over ``k`` from ``maxgamma <- 0``, so a
    segment absent from a draw gets 0, not NA, and counts as dissolved; ``bootbrd`` counts
    Jaccard ``<= dissolution`` (0.5) and ``bootrecover`` counts ``> recover`` (0.75), here
    divided by ``n_boot``. Checked against ``clusterboot`` itself (``tests/reference/
    fpc_jaccard.R``): the same drawn cases and refitted segments give its ``bootresult``,
    ``bootmean``, ``bootbrd`` and ``bootrecover`` to 1e-12.

    Repeated cases. By default (``multipleboot = FALSE``) fpc drops repeats before clustering
    and compares sets of distinct cases. Here ``refit`` sees the repeats (a mixture-of-
    regressions refit is then an ordinary case-resampling bootstrap); the comparison still uses
    distinct cases, which is what fpc documents for ``multipleboot = TRUE, bscompare = FALSE``
    ("multiple points are ignored"). fpc's code for that option is broken (``if (m <= n)``
    where a loop was meant, so only the first one or two drawn cases are compared); we follow
    its documentation. To reproduce fpc's default exactly, let ``refit`` fit on
    ``np.unique(rows)`` and label every entry of ``rows``.

    Reading the mean, in the words of fpc's help (``?clusterboot``, after Hennig 2007, 2008):
    "a valid, stable cluster should yield a mean Jaccard similarity value of 0.75 or more.
    Between 0.6 and 0.75, clusters may be considered as indicating patterns in the data, but
    which points exactly should belong to these clusters is highly doubtful. Below average
    Jaccard values of 0.6, clusters should not be trusted." "Highly stable" clusters reach
    0.85; a Jaccard <= 0.5 marks a "dissolved cluster" (Hennig, 2008). Stability is not
    validity: an inflexible method can reproduce a meaningless segment every time.

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. Computational Statistics
    & Data Analysis, 52(1), 258-271. https://doi.org/10.1016/j.csda.2006.11.025

    Hennig, C. (2008). Dissolution point and isolation robustness: Robustness criteria for
    general cluster analysis methods. Journal of Multivariate Analysis, 99(6), 1154-1176.
    https://doi.org/10.1016/j.jmva.2007.07.002

    Examples
    --------
    Three well-separated blobs, k-means refitted on each bootstrap sample:

    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> from loyalty_research.stability import bootstrap_jaccard
    >>> rng = np.random.default_rng(1)
    >>> centres = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    >>> X = np.repeat(centres, 30, axis=0) + rng.normal(size=(90, 2))
    >>> labels = KMeans(3, n_init=1, random_state=0).fit_predict(X)
    >>> def refit(rows, rng):
    ...     seed = int(rng.integers(2**31))
    ...     return KMeans(3, n_init=1, random_state=seed).fit_predict(X[rows])
    >>> table = bootstrap_jaccard(labels, refit, n_boot=20, random_state=0, progress=False)
    >>> table[["segment", "n_cases", "jaccard_mean", "share_dissolved", "verdict"]]
       segment  n_cases  jaccard_mean  share_dissolved verdict
    0        1       30           1.0              0.0  stable
    1        2       30           1.0              0.0  stable
    2        3       30           1.0              0.0  stable
    >>> table.attrs["draws"].shape
    (20, 3)
    """
    labels = _integer_labels(labels, "labels")
    n_boot = check_count("n_boot", n_boot, minimum=2)
    if not callable(refit):
        raise TypeError(f"refit must be a function refit(rows, rng) -> labels, got {type(refit).__name__}")
    counts = np.bincount(labels)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise ValueError(
            f"labels has no case in segment(s) {empty.tolist()} (0-based) of 0..{counts.size - 1}; "
            "number the segments consecutively, e.g. np.unique(labels, return_inverse=True)[1]"
        )
    seeds = _seed_sequences(random_state, n_boot)
    jobs = (delayed(_one_draw)(labels, refit, seed, b) for b, seed in enumerate(seeds))
    draws = np.asarray(
        Parallel(n_jobs=n_jobs)(tqdm(jobs, total=n_boot, desc="stability", disable=not progress))
    )
    return _summarise(draws, counts)


def _jaccard_draw(labels: np.ndarray, rows: np.ndarray, boot_labels: np.ndarray) -> np.ndarray:
    """Each original segment's best Jaccard among the bootstrap segments, as fpc's clusterboot.

    ``labels``: 0-based original segments of all n cases (K = ``labels.max() + 1``); ``rows``:
    the drawn cases, with repeats; ``boot_labels``: the refitted segment of each entry of
    ``rows``. A case drawn several times counts once, with the segment of its first draw; a
    segment with no drawn case scores 0 (fpc: ``maxgamma <- 0``, ``zerobyzero = 0``).
    """
    cases, first = np.unique(rows, return_index=True)
    original = labels[cases]
    _, boot = np.unique(boot_labels[first], return_inverse=True)
    overlap = np.zeros((labels.max() + 1, boot.max() + 1))
    np.add.at(overlap, (original, boot), 1.0)
    union = overlap.sum(axis=1, keepdims=True) + overlap.sum(axis=0, keepdims=True) - overlap
    # every bootstrap segment has a case, so union > 0; an undrawn segment's row is 0 / |D| = 0
    return (overlap / union).max(axis=1)


def _one_draw(
    labels: np.ndarray,
    refit: Callable[[np.ndarray, np.random.Generator], np.ndarray],
    seed: np.random.SeedSequence,
    draw: int,
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = labels.size
    rows = rng.integers(0, n, n)
    boot_labels = _integer_labels(refit(rows, rng), f"refit's labels (draw {draw})")
    if boot_labels.size != n:
        raise ValueError(
            f"refit returned {boot_labels.size} labels for {n} rows in draw {draw}; it must return "
            "one segment per entry of rows, repeats included"
        )
    return _jaccard_draw(labels, rows, boot_labels)


def _summarise(draws: np.ndarray, n_cases: np.ndarray) -> pd.DataFrame:
    """The per-segment table from the n_boot x K Jaccards, with fpc's thresholds."""
    mean = draws.mean(axis=0)
    table = pd.DataFrame(
        {
            "segment": np.arange(1, draws.shape[1] + 1),
            "n_cases": np.asarray(n_cases, dtype=int),
            "jaccard_mean": mean,
            "jaccard_median": np.median(draws, axis=0),
            "share_dissolved": (draws <= DISSOLVED).mean(axis=0),
            "share_recovered": (draws > RECOVERED).mean(axis=0),
            "verdict": np.select([mean >= STABLE, mean >= DOUBTFUL], ["stable", "doubtful"], "unstable"),
        }
    )
    table.attrs["draws"] = draws
    return table


def _integer_labels(values: object, name: str) -> np.ndarray:
    """``values`` as a 1-D int64 array of non-negative segment numbers, else ValueError naming it."""
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of segment numbers, got shape {array.shape}")
    if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer segment numbers, got dtype {array.dtype}")
    if array.min() < 0:
        raise ValueError(f"{name} must be 0-based segment numbers, got {int(array.min())}")
    return array.astype(np.int64, copy=False)


def _seed_sequences(random_state: int | np.random.Generator | None, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child seeds: of ``SeedSequence(random_state)``, or seeded from a Generator."""
    if isinstance(random_state, np.random.Generator):
        entropy = random_state.integers(0, 2**63, size=2).tolist()
        return np.random.SeedSequence(entropy).spawn(n)
    if random_state is not None and (
        isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer))
    ):
        raise TypeError(f"random_state must be an int, a numpy Generator or None, got {random_state!r}")
    return np.random.SeedSequence(random_state).spawn(n)
