"""Speed of ClusterwiseRegression against R flexmix on the same data in the same run.

Three segments, four predictors, n = 10^3, 10^4, 10^5, 10^6 (``--sizes``). Both fit K = 3 with
the same number of starts (flexmix: ``stepFlexmix(..., k = 3, nrep = N_INIT)``, its default
control; ours: ``n_init = N_INIT`` usable starts). Each time is the median of ``--repeats``
runs with the same seed (one above 10^5 cases), after untimed warm-up runs on both sides (three
of ours, one of flexmix; none above 10^5 cases). The script prints both times, their ratio
and both log-likelihoods. flexmix is run up to ``--flexmix-max-n`` cases (it takes minutes at
10^6); R comes from Debian's packages: ``apt-get install r-base-core r-cran-flexmix``.

``--golf`` also times ``select_n_components(range(1, 7), n_boot=99)`` on the bundled golf
survey (loyalty on satisfaction and delivered value): six fits and five bootstrap
likelihood-ratio tests of 99 samples each, on ``--n-jobs`` workers. ``--golf-search`` counts
how often 16 seeds reach the best maximum found on the golf survey with K = 4 to 6 and 10, 20 or
40 starts, and prints the range flexmix reaches with ``nrep = 10`` over 8 seeds.

Run from the repository root:  .venv/bin/python benchmarks/clusterwise_vs_flexmix.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import loyalty_research as lr
from loyalty_research.clusterwise import ClusterwiseRegression

COEFS = np.array([[1.0, 1.0, 0.0, 0.0, 0.5], [3.0, 0.0, 1.0, -1.0, 0.0], [-2.0, 0.5, 0.5, 0.5, -1.0]])
SIGMAS = np.array([0.5, 0.7, 0.4])
# untimed fits before the timed ones, on both sides: the first fits of a process run about 1.5
# times slower (the allocator is still handing out fresh pages), and R's first run loads code
WARMUP = 3
WEIGHTS = np.array([0.5, 0.3, 0.2])

R_SCRIPT = """
suppressPackageStartupMessages(library(flexmix))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1])
elapsed <- numeric(0)
set.seed(as.integer(args[3]))
# one untimed warm-up run
fit <- stepFlexmix(y ~ x1 + x2 + x3 + x4, data = data, k = 3, nrep = as.integer(args[2]), verbose = FALSE)
for (repeat_ in seq_len(as.integer(args[4]))) {
  set.seed(as.integer(args[3]))
  elapsed <- c(elapsed, system.time(
    fit <- stepFlexmix(y ~ x1 + x2 + x3 + x4, data = data, k = 3, nrep = as.integer(args[2]), verbose = FALSE)
  )[["elapsed"]])
}
cat(sprintf("%.3f %.10f\\n", median(elapsed), as.numeric(logLik(fit))))
"""


def simulate(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    segment = rng.choice(3, size=n, p=WEIGHTS)
    y = (
        np.einsum("ij,ij->i", np.column_stack([np.ones(n), X]), COEFS[segment])
        + rng.normal(size=n) * SIGMAS[segment]
    )
    return pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2], "x4": X[:, 3], "y": y})


def run_flexmix(path: Path, n_init: int, seed: int, repeats: int) -> tuple[float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as script:
        script.write(R_SCRIPT)
    out = subprocess.run(
        ["Rscript", script.name, str(path), str(n_init), str(seed), str(repeats)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed, loglik = out.stdout.split()
    return float(elapsed), float(loglik)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--n-init", type=int, default=10)
    parser.add_argument("--flexmix-max-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--golf", action="store_true", help="also time the bootstrap LRT on the golf survey")
    parser.add_argument(
        "--golf-search",
        action="store_true",
        help="also count how often the search reaches the best maximum on the golf survey (K = 4 to 6)",
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--null", default="auto", help="null of the golf LRT (see bootstrap_lrt)")
    parser.add_argument("--repeats", type=int, default=3, help="median of this many fits (one above 10^5)")
    args = parser.parse_args()
    ClusterwiseRegression(2, n_init=1).fit(np.arange(20.0)[:, None], np.sin(np.arange(20.0)))  # compile once
    has_r = shutil.which("Rscript") is not None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = simulate(n, args.seed)
            path = Path(tmp) / f"bench_{n}.csv"
            data.to_csv(path, index=False)
            data = pd.read_csv(path)  # both programs fit exactly the numbers in the file
            repeats = args.repeats if n <= 100_000 else 1
            times = []
            for _ in range(WARMUP if n <= 100_000 else 0):  # untimed, as flexmix's first run
                ClusterwiseRegression(3, n_init=args.n_init, random_state=args.seed).fit(
                    data[["x1", "x2", "x3", "x4"]], data["y"]
                )
            for _ in range(repeats):
                start = time.perf_counter()
                model = ClusterwiseRegression(3, n_init=args.n_init, random_state=args.seed)
                model.fit(data[["x1", "x2", "x3", "x4"]], data["y"])
                times.append(time.perf_counter() - start)
            ours = float(np.median(times))
            row = {"n": n, "ours_s": ours, "ours_loglik": model.log_likelihood_}
            if has_r and n <= args.flexmix_max_n:
                row["flexmix_s"], row["flexmix_loglik"] = run_flexmix(path, args.n_init, args.seed, repeats)
                row["speedup"] = row["flexmix_s"] / ours
                row["loglik_diff"] = row["ours_loglik"] - row["flexmix_loglik"]
            rows.append(row)
            print(pd.DataFrame([row]).to_string(index=False, float_format=lambda v: f"{v:.4f}"), flush=True)
    print("\nsummary (speedup = flexmix seconds / ours; loglik_diff = ours - flexmix):")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if not has_r:
        print("Rscript not found: flexmix was not run (apt-get install r-base-core r-cran-flexmix)")
    if args.golf:
        time_golf_lrt(args.n_jobs, args.seed, args.null)
    if args.golf_search:
        golf_search(has_r)


GOLF_FLEXMIX = """
suppressPackageStartupMessages(library(flexmix))
data <- read.csv(commandArgs(trailingOnly = TRUE)[1])
for (k in 4:6) for (seed in 1:8) {
  set.seed(seed)
  fit <- stepFlexmix(loyalty ~ satisfaction + delivered_value, data = data, k = k, nrep = 10, verbose = FALSE)
  cat(k, seed, if (fit@k == k) sprintf("%.4f", logLik(fit)) else "NA", "\\n")
}
"""


def golf_scores() -> pd.DataFrame:
    data = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook())
    return data.dropna(subset=["loyalty", "satisfaction", "delivered_value"])


def golf_search(has_r: bool) -> None:
    """How often 16 seeds reach the best maximum found, with 10, 20 and 40 starts; flexmix's."""
    import warnings

    data = golf_scores()
    X, y = data[["satisfaction", "delivered_value"]], data["loyalty"]
    rows = []
    for k in (4, 5, 6):
        for n_init in (10, 20, 40):
            for seed in range(16):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = ClusterwiseRegression(k, n_init=n_init, random_state=seed).fit(X, y)
                rows.append({"k": k, "n_init": n_init, "seed": seed, "loglik": model.log_likelihood_})
    runs = pd.DataFrame(rows)
    runs["best"] = runs.groupby("k")["loglik"].transform("max")
    runs["hit"] = runs["loglik"] > runs["best"] - 0.01
    table = runs.groupby(["k", "n_init"]).agg(
        hits=("hit", "sum"), lowest=("loglik", "min"), highest=("loglik", "max")
    )
    print("\ngolf survey: seeds (of 16) that reach the best maximum found, by K and n_init")
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))
    if has_r:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "golf.csv"
            data[["loyalty", "satisfaction", "delivered_value"]].to_csv(path, index=False)
            script = Path(tmp) / "golf.R"
            script.write_text(GOLF_FLEXMIX)
            command = ["Rscript", str(script), str(path)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
        flexmix = pd.DataFrame(
            [line.split() for line in out.stdout.strip().splitlines()], columns=["k", "seed", "loglik"]
        )
        flexmix["loglik"] = pd.to_numeric(flexmix["loglik"], errors="coerce")
        print("\nflexmix stepFlexmix(nrep = 10), 8 seeds: log-likelihood range by K")
        print(flexmix.groupby("k")["loglik"].agg(["min", "max"]).to_string(float_format=lambda v: f"{v:.2f}"))


def time_golf_lrt(n_jobs: int, seed: int, null: str) -> None:
    data = golf_scores()
    start = time.perf_counter()
    table = lr.select_n_components(
        data[["satisfaction", "delivered_value"]],
        data["loyalty"],
        range(1, 7),
        n_boot=99,
        null=null,
        random_state=seed,
        n_jobs=n_jobs,
        progress=False,
    )
    elapsed = time.perf_counter() - start
    print(
        f"\ngolf survey, n = {len(data)}: select_n_components(range(1, 7), n_boot=99, null={null!r}) "
        f"on {n_jobs} workers"
    )
    print(table[["n_components", "log_likelihood", "bic", "lrt_p_val"]].to_string(index=False))
    print(f"{elapsed:.1f} s")


if __name__ == "__main__":
    main()
