"""Every table of estimates and every table of tests has the package's columns, in order.

The schema is written down in ``loyalty_research._tables``; a table that drifts from it (an
``estimate`` column, a ``t`` instead of ``statistic``, degrees of freedom as a string) fails here.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research._tables import ESTIMATE_COLUMNS, TEST_COLUMNS


def _survey(n=300, seed=0):
    rng = np.random.default_rng(seed)
    value = rng.normal(0, 1, n)
    satisfaction = 0.6 * value + rng.normal(0, 1, n)
    loyalty = 0.5 * satisfaction + 0.3 * value + rng.normal(0, 1, n)
    return pd.DataFrame(
        {
            "value": value,
            "satisfaction": satisfaction,
            "loyalty": loyalty,
            "segment": rng.choice(["a", "b"], n),
            "age": rng.normal(40, 10, n),
            "member": rng.choice(["yes", "no"], n),
        }
    )


def _estimate_columns_in_order(table: pd.DataFrame) -> bool:
    columns = list(table.columns)
    start = columns.index("coef")
    return tuple(columns[start : start + len(ESTIMATE_COLUMNS)]) == ESTIMATE_COLUMNS


def _estimate_tables():
    data = _survey()
    likert = data.assign(
        satisfaction=np.clip(np.round(4 + data["satisfaction"]), 1, 7),
        loyalty=np.clip(np.round(4 + data["loyalty"]), 1, 7),
    )
    shape = lr.satisfaction_loyalty(likert, "loyalty", "satisfaction")
    with warnings.catch_warnings():  # one pooled regression: most starts collapse, as they should
        warnings.simplefilter("ignore", lr.CollapsedStartsWarning)
        model = lr.fit_clusterwise("loyalty ~ satisfaction + value", data, 2, n_init=3, random_state=0)
    yield "satisfaction_loyalty().coefficients", shape.coefficients
    yield "satisfaction_loyalty().asymmetry", shape.asymmetry
    yield "ClusterwiseResults.summary()", model.summary()
    yield "mediation", lr.mediation(data, "value", "satisfaction", "loyalty", n_boot=50, progress=False)
    yield (
        "within_cluster_regressions",
        lr.within_cluster_regressions("loyalty ~ satisfaction", data, "segment"),
    )
    yield "fit_corporate_reputation().paths", lr.fit_corporate_reputation(n_boot=20, random_state=0).paths


@pytest.mark.parametrize(
    ("name", "table"), list(_estimate_tables()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_tables_of_estimates_share_the_schema(name, table):
    assert _estimate_columns_in_order(table), f"{name}: {list(table.columns)}"
    assert not {"estimate", "t", "z", "dof", "p_value", "pval"} & set(table.columns), name
    assert table["df"].map(lambda v: isinstance(v, float)).all(), f"{name}: df must be numeric"


def test_tables_of_tests_share_the_schema():
    data = _survey()
    comparison = lr.compare_loyalty_theories(data, "loyalty", "satisfaction", "value").table
    profiles = lr.segment_profiles(data, "segment", numeric=["age"], categorical=["member"])
    for name, table in [("compare_loyalty_theories", comparison), ("segment_profiles", profiles)]:
        columns = list(table.columns)
        start = columns.index("statistic")
        assert tuple(columns[start : start + len(TEST_COLUMNS)]) == TEST_COLUMNS, f"{name}: {columns}"
    # each test fills the degrees of freedom its distribution has, and only those
    f_test, j_test = comparison.iloc[0], comparison.iloc[2]
    assert np.isnan(f_test["df"]) and f_test["df1"] == 1 and f_test["df2"] == 297
    assert j_test["df"] == 297 and np.isnan(j_test[["df1", "df2"]].astype(float)).all()


def test_normal_and_t_references_give_the_textbook_intervals():
    from loyalty_research._tables import wald_table

    labels = pd.DataFrame({"term": ["a"]})
    z = wald_table(labels, np.array([1.0]), np.array([0.5]), 0.05).iloc[0]
    t = wald_table(labels, np.array([1.0]), np.array([0.5]), 0.05, df=10).iloc[0]
    assert z["statistic"] == t["statistic"] == 2.0 and np.isinf(z["df"]) and t["df"] == 10
    assert z["ci_high"] == pytest.approx(1 + 1.959964 * 0.5, abs=1e-6)
    assert t["ci_high"] == pytest.approx(1 + 2.228139 * 0.5, abs=1e-6)  # qt(0.975, 10) in R
    assert t["p_val"] == pytest.approx(0.07338803, abs=1e-8)  # 2 * pt(-2, 10) in R
