# Reference numbers for loyalty_research.measurement's factor-model checks, from lavaan and
# semTools: a five-factor CFA of psych's bfi (fit indices, standardised loadings, factor
# correlations, AVE), the Fornell-Larcker matrix built from them, and Harman's single-factor
# check (share of variance of the first unrotated component, psych::principal).
# Run from the repository root:  Rscript tests/reference/lavaan_cfa.R
suppressPackageStartupMessages({library(lavaan); library(semTools); library(psych)})
out_fix <- "tests/reference/fixtures"
items <- read.csv("tests/reference/data/bfi_complete.csv")
# psych's documented keys, reversed on the 1-6 scale as in psych_reliability.R
for (col in c("A1", "C4", "C5", "E1", "E2", "O2", "O5")) items[[col]] <- 7 - items[[col]]
model <- "
agreeableness =~ A1 + A2 + A3 + A4 + A5
conscientiousness =~ C1 + C2 + C3 + C4 + C5
extraversion =~ E1 + E2 + E3 + E4 + E5
neuroticism =~ N1 + N2 + N3 + N4 + N5
openness =~ O1 + O2 + O3 + O4 + O5
"
fit <- cfa(model, data = items, std.lv = TRUE, estimator = "ML")
measures <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                               "rmsea.ci.upper", "srmr"))
print(measures)
write.csv(data.frame(measure = names(measures), value = as.numeric(measures)),
          file.path(out_fix, "lavaan_bfi_cfa_fit.csv"), row.names = FALSE)
std <- standardizedSolution(fit)
loadings <- std[std$op == "=~", c("lhs", "rhs", "est.std")]
names(loadings) <- c("construct", "item", "loading")
write.csv(loadings, file.path(out_fix, "lavaan_bfi_cfa_loadings.csv"), row.names = FALSE)
# AVE as Hair et al. and scale_reliability define it: the mean squared standardised loading.
# semTools::AVE divides summed unstandardised squared loadings by summed item variances (a
# ratio of sums, observed variances by default); printed for comparison, not used.
ave <- tapply(loadings$loading^2, loadings$construct, mean)
print(ave)
print(AVE(fit))
print(AVE(fit, obs.var = FALSE))
correlations <- lavInspect(fit, "cor.lv")
fornell_larcker <- correlations
diag(fornell_larcker) <- sqrt(ave[rownames(correlations)])
print(round(fornell_larcker, 4))
write.csv(fornell_larcker, file.path(out_fix, "lavaan_bfi_fornell_larcker.csv"))
# Harman's single-factor check: all 25 items, one unrotated principal component
pc <- principal(items, nfactors = 1, rotate = "none")
eigenvalues <- eigen(cor(items))$values
harman <- data.frame(n_items = ncol(items), first_factor_share = pc$Vaccounted["Proportion Var", 1],
                     n_eigen_above_1 = sum(eigenvalues > 1))
print(harman)
write.csv(harman, file.path(out_fix, "psych_bfi_harman.csv"), row.names = FALSE)
# the one-factor CFA as the confirmatory version of the same check
one <- cfa(paste("common =~", paste(names(items), collapse = " + ")), data = items, std.lv = TRUE)
one_measures <- fitMeasures(one, c("chisq", "df", "cfi", "tli", "rmsea", "srmr"))
print(one_measures)
write.csv(data.frame(measure = names(one_measures), value = as.numeric(one_measures)),
          file.path(out_fix, "lavaan_bfi_one_factor_fit.csv"), row.names = FALSE)
versions <- data.frame(package = c("R", "lavaan", "semTools", "psych"),
                       version = c(paste(R.version$major, R.version$minor, sep = "."),
                                   as.character(packageVersion("lavaan")),
                                   as.character(packageVersion("semTools")),
                                   as.character(packageVersion("psych"))))
write.csv(versions, file.path(out_fix, "lavaan_versions.csv"), row.names = FALSE)
