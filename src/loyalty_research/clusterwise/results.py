"""A fitted clusterwise regression with its data (the statsmodels pattern) and the formula route."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._validate import check_frame
from .estimator import ClusterwiseRegression


class ClusterwiseResults:
    """A fitted :class:`ClusterwiseRegression` together with the data it was fitted to.

    Returned by :func:`fit_clusterwise`. The estimator keeps no training data; this object
    does, so that tables and criteria need no arguments. Segments are numbered from 1 in
    everything it returns.

    Attributes
    ----------
    model : ClusterwiseRegression
        The fitted estimator (``model.weights_``, ``model.coef_``, ...).
    formula, concomitant_formula : str or None
        The formulas the matrices were built from.
    rows : pandas.Index
        Index labels of the cases used (cases with missing values are left out).
    X, y, concomitant : pandas.DataFrame, pandas.Series, pandas.DataFrame or None
        The model matrices (without the intercept columns).
    """

    def __init__(
        self,
        model: ClusterwiseRegression,
        X: pd.DataFrame,
        y: pd.Series,
        concomitant: pd.DataFrame | None = None,
        *,
        formula: str | None = None,
        concomitant_formula: str | None = None,
    ) -> None:
        self.model = model
        self.X, self.y, self.concomitant = X, y, concomitant
        self.formula, self.concomitant_formula = formula, concomitant_formula
        self.rows = y.index

    # ------------------------------------------------------------ fitted values
    @property
    def n_components(self) -> int:
        return self.model.n_components

    @property
    def log_likelihood(self) -> float:
        return self.model.log_likelihood_

    @property
    def converged(self) -> bool:
        return self.model.converged_

    @property
    def weights(self) -> pd.Series:
        """Segment sizes (mixing proportions), indexed by segment 1..K."""
        return pd.Series(self.model.weights_, index=self._segments(), name="weight")

    @property
    def posterior(self) -> pd.DataFrame:
        """Posterior segment probabilities of each case (rows as in the data, columns 1..K)."""
        post = self.model.posterior(self.X, self.y, self.concomitant)
        return pd.DataFrame(post, index=self.rows, columns=self._segments())

    @property
    def labels(self) -> pd.Series:
        """Most probable segment of each case, 1-based, indexed as the data."""
        return pd.Series(self.model.labels_ + 1, index=self.rows, name="segment")

    def _segments(self) -> pd.Index:
        return pd.Index(np.arange(1, self.n_components + 1), name="segment")

    # ------------------------------------------------------------------ tables
    def summary(self, **settings) -> pd.DataFrame:
        """Segment coefficients; see :meth:`ClusterwiseRegression.summary` for the settings."""
        return self.model.summary(self.X, self.y, self.concomitant, **settings)

    def concomitant_summary(self, *, alpha: float = 0.05) -> pd.DataFrame:
        """Prior logit coefficients; see :meth:`ClusterwiseRegression.concomitant_summary`."""
        if self.concomitant is None:
            raise ValueError("the model was fitted without concomitant variables")
        return self.model.concomitant_summary(self.X, self.y, self.concomitant, alpha=alpha)

    def criteria(self) -> pd.DataFrame:
        """One row: log-likelihood, parameters, AIC, AIC3, BIC, CAIC, ICL, entropy R-squared."""
        return pd.DataFrame([self.model.criteria(self.X, self.y, self.concomitant)])

    def segment_stability(self, **settings) -> pd.DataFrame:
        """Bootstrap Jaccard stability of each segment; see :func:`segment_stability`."""
        from .inference import segment_stability

        return segment_stability(self, **settings)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{w:.2f}" for w in self.model.weights_)
        what = self.formula or f"{self.X.shape[1]} predictors"
        return (
            f"<ClusterwiseResults: {what}, K = {self.n_components} (sizes {sizes}), n = {len(self.y)}, "
            f"log-likelihood {self.log_likelihood:.3f}>"
        )

    def _repr_html_(self) -> str:
        coefficients = self.summary()[["segment", "term", "coef", "se", "p_val"]]
        wide = coefficients.pivot(index="term", columns="segment", values="coef")
        wide.loc["size"] = self.model.weights_
        wide.loc["error SD"] = self.model.scale_
        return f"<p>{self!r}</p>" + wide.round(3).to_html()


def model_matrices(
    formula: str, data: pd.DataFrame, concomitant: str | None = None
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame | None]:
    """X, y and the concomitant matrix of a formula, without intercept columns, complete cases only.

    Warns (UserWarning) when cases with missing values are left out, naming the variables.
    """
    import formulaic

    check_frame(data)
    parsed = formulaic.Formula(formula)
    if not hasattr(parsed, "lhs"):
        raise ValueError(f"formula {formula!r} needs an outcome: 'outcome ~ predictors'")
    variables = set(parsed.required_variables)
    if concomitant is not None:
        concomitant_formula = formulaic.Formula(concomitant)
        if hasattr(concomitant_formula, "lhs"):
            raise ValueError(f"concomitant {concomitant!r} must be one-sided: '~ variables'")
        variables |= set(concomitant_formula.required_variables)
    unknown = sorted(v for v in variables if v not in data.columns)
    if unknown:
        raise ValueError(f"variables not in the data: {unknown}")
    outcomes = sorted(parsed.lhs.required_variables)
    text = [v for v in outcomes if not pd.api.types.is_numeric_dtype(data[v])]
    if text:
        raise ValueError(
            f"the outcome {text[0]!r} holds {data[text[0]].dtype} values, not numbers: a clusterwise "
            "regression needs a numeric outcome (convert it, e.g. with pd.to_numeric)"
        )
    used = sorted(variables, key=list(data.columns).index)
    missing = data[used].isna()
    if data.empty:
        raise ValueError("the data have no rows: there is nothing to fit")
    if missing.any(axis=1).all():
        counts = {c: int(n) for c, n in missing.sum().items() if n}
        raise ValueError(
            f"none of the {len(data)} cases has all of {used} (missing per variable: {counts}); "
            "check the columns, or drop the variable that is mostly missing"
        )
    if missing.any().any():
        counts = {c: int(n) for c, n in missing.sum().items() if n}
        warnings.warn(
            f"{int(missing.any(axis=1).sum())} of {len(data)} cases with missing values are left out "
            f"(missing per variable: {counts})",
            UserWarning,
            stacklevel=3,
        )
    complete = data.loc[~missing.any(axis=1)]
    matrices = formulaic.model_matrix(formula, complete, na_action="raise")
    X = pd.DataFrame(matrices.rhs).drop(columns="Intercept", errors="ignore")
    lhs = pd.DataFrame(matrices.lhs)
    if lhs.shape[1] != 1:
        raise ValueError(f"formula {formula!r} must have exactly one outcome, got {list(lhs.columns)}")
    y = lhs.iloc[:, 0]
    Z = None
    if concomitant is not None:
        Z = pd.DataFrame(formulaic.model_matrix(concomitant, complete, na_action="raise"))
        Z = Z.drop(columns="Intercept", errors="ignore")
    return X, y, Z


def fit_clusterwise(
    formula: str,
    data: pd.DataFrame,
    n_components: int = 2,
    *,
    concomitant: str | None = None,
    **settings,
) -> ClusterwiseResults:
    """Fit a clusterwise regression from a formula, with optional concomitant variables.

    Parameters
    ----------
    formula : str
        ``"outcome ~ predictors"`` in Wilkinson notation (formulaic): categorical predictors
        become dummy variables, ``C(x)`` forces a variable to be categorical. The outcome must
        be numeric.
    data : pandas.DataFrame
    n_components : int, default 2
    concomitant : str, optional
        A one-sided formula, e.g. ``"~ membership + income_band"``, for the segment priors.
    **settings
        Passed to :class:`ClusterwiseRegression` (``n_init``, ``random_state``, ...).

    Returns
    -------
    ClusterwiseResults
        The fitted estimator (``.model``), the formulas, the rows used and the model
        matrices, with ``summary()``, ``concomitant_summary()``, ``criteria()``,
        ``posterior``, ``labels`` (1-based) and ``segment_stability()``.

    Warns
    -----
    UserWarning
        When cases with missing values in the formula's variables are left out; the message
        names the variables and counts.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> data = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook())
    >>> data["membership"] = lr.load_golf_survey()["membership"]
    >>> result = fit_clusterwise("loyalty ~ satisfaction + delivered_value", data.dropna(), 2,
    ...                          concomitant="~ membership", n_init=3, random_state=0)
    >>> list(result.X.columns), result.model.concomitant_names_[1]
    (['satisfaction', 'delivered_value'], 'membership[T.corporate]')
    >>> sorted(result.labels.unique().tolist())  # segments numbered from 1
    [1, 2]
    """
    X, y, Z = model_matrices(formula, data, concomitant)
    model = ClusterwiseRegression(n_components, **settings).fit(X, y, Z)
    return ClusterwiseResults(model, X, y, Z, formula=formula, concomitant_formula=concomitant)
