# Reference numbers for loyalty_research.mediation_analysis.mediation: Hayes' Tal_Or data (shipped with
# R's psych). Run from the repository root:  Rscript tests/reference/psych_mediation.R
# Paths of Hayes' PROCESS model 4 (and of its parallel-mediator form) are OLS coefficients, so
# they come from lm(); psych::mediate's a*b and its percentile bootstrap interval (5000 draws,
# seeded) are recorded as the published-software cross-check.
suppressPackageStartupMessages(library(psych))
out_fix <- "tests/reference/fixtures"
write.csv(Tal_Or, "tests/reference/data/tal_or.csv", row.names = FALSE)
total <- coef(lm(reaction ~ cond, data = Tal_Or))[["cond"]]
a_pmi <- coef(lm(pmi ~ cond, data = Tal_Or))[["cond"]]
a_import <- coef(lm(import ~ cond, data = Tal_Or))[["cond"]]
single <- coef(lm(reaction ~ cond + pmi, data = Tal_Or))
both <- coef(lm(reaction ~ cond + pmi + import, data = Tal_Or))
set.seed(20240604)
med <- mediate(reaction ~ cond + (pmi), data = Tal_Or, n.iter = 5000, plot = FALSE)
rows <- data.frame(
  model = c(rep("single", 5), rep("parallel", 6)),
  path = c("total", "direct", "a_pmi", "b_pmi", "indirect_pmi",
           "direct", "a_pmi", "a_import", "b_pmi", "b_import", "indirect_total"),
  coef = c(total, single[["cond"]], a_pmi, single[["pmi"]], as.numeric(med$ab),
           both[["cond"]], a_pmi, a_import, both[["pmi"]], both[["import"]], total - both[["cond"]])
)
ci <- data.frame(model = "single", path = "indirect_pmi_psych_boot", low = med$boot$ci.ab[1, 2],
                 high = med$boot$ci.ab[2, 2])
print(rows, digits = 10)
print(ci, digits = 10)
write.csv(rows, file.path(out_fix, "tal_or_mediation_paths.csv"), row.names = FALSE)
write.csv(ci, file.path(out_fix, "tal_or_mediation_psych_ci.csv"), row.names = FALSE)
