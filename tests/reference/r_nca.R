# Reference numbers for necessary condition analysis, from R's NCA package (Dul 2016; the package
# is on CRAN, not in Debian: installed here from its CRAN source, version recorded below).
# Three data sets: NCA's own example (28 countries, Individualism and Risk taking as conditions
# of Innovation performance; Dul 2016's worked example), a Likert-like survey with ties written
# by this script (set.seed), and a tiny hand-checkable set. For each: the ceiling-envelopment
# (CE-FDH) and ceiling-regression (CR-FDH) lines, effect size, ceiling zone, scope, accuracy,
# fit, the bottleneck table (outcome in percent of its range, condition in actual values) and the
# approximate permutation test (10000 permutations: a Monte Carlo p value, compared within its
# sampling error).
# Run from the repository root:  Rscript tests/reference/r_nca.R
# (the printed numbers: Rscript tests/reference/r_nca.R > tests/reference/fixtures/r_nca.Rout 2>&1)
suppressPackageStartupMessages(library(NCA))
options(width = 110)
out_data <- "tests/reference/data"
out_fix <- "tests/reference/fixtures"

data(nca.example)
example <- data.frame(country = rownames(nca.example), nca.example, check.names = FALSE)
names(example) <- c("country", "individualism", "risk_taking", "innovation_performance")
write.csv(example, file.path(out_data, "nca_example.csv"), row.names = FALSE)

set.seed(20261124)
n <- 300
satisfaction <- sample(1:7, n, replace = TRUE, prob = c(0.04, 0.06, 0.10, 0.18, 0.24, 0.22, 0.16))
# loyalty needs satisfaction (never above satisfaction + 1), but satisfaction does not guarantee it
loyalty <- pmin(7, pmax(1, round(runif(n, 1, satisfaction + 1.49))))
likert <- data.frame(satisfaction = satisfaction, loyalty = loyalty)
write.csv(likert, file.path(out_data, "nca_likert.csv"), row.names = FALSE)

tiny <- data.frame(x = c(1, 2, 2, 3, 4, 5, 5), y = c(1, 3, 2, 2, 4, 3, 6))
write.csv(tiny, file.path(out_data, "nca_tiny.csv"), row.names = FALSE)

analyse <- function(data, x, y, name) {
  model <- nca_analysis(data, x, y, ceilings = c("ce_fdh", "cr_fdh"), test.rep = 10000,
                        bottleneck.x = "actual", bottleneck.y = "percentage.range", steps = 10)
  rows <- list()
  bottlenecks <- list()
  for (condition in names(model$summaries)) {
    summary <- model$summaries[[condition]]
    params <- summary$params
    global <- summary$global
    for (ceiling in c("ce_fdh", "cr_fdh")) {
      value <- function(label) as.numeric(params[label, ceiling])
      rows[[length(rows) + 1]] <- data.frame(
        data = name, condition = condition, ceiling = ceiling,
        n = global["Number of observations", 1], scope = global["Scope", 1],
        ceiling_zone = value("Ceiling zone"), effect_size = value("Effect size"),
        above = value("# above"), slope = value("Slope"), intercept = value("Intercept"),
        accuracy = value("Ceiling accuracy"), fit = value("Fit"), p_val = value("p-value"))
    }
  }
  table <- do.call(rbind, rows)
  for (ceiling in c("ce_fdh", "cr_fdh")) {
    b <- as.data.frame(model$bottlenecks[[ceiling]], check.names = FALSE)
    b <- data.frame(data = name, ceiling = ceiling, b, check.names = FALSE)
    names(b)[3] <- "outcome_level"
    bottlenecks[[ceiling]] <- b
  }
  list(table = table, bottlenecks = bottlenecks)
}

example_result <- analyse(example, c("individualism", "risk_taking"), "innovation_performance", "example")
likert_result <- analyse(likert, "satisfaction", "loyalty", "likert")
tiny_result <- analyse(tiny, "x", "y", "tiny")

table <- rbind(example_result$table, likert_result$table, tiny_result$table)
cat("== r_nca.csv ==\n")
print(table, digits = 10, row.names = FALSE)
write.csv(table, file.path(out_fix, "r_nca.csv"), row.names = FALSE)

long <- function(result) {
  do.call(rbind, lapply(result$bottlenecks, function(b) {
    conditions <- setdiff(names(b), c("data", "ceiling", "outcome_level"))
    do.call(rbind, lapply(conditions, function(condition) {
      data.frame(data = b$data, ceiling = b$ceiling, outcome_level = b$outcome_level,
                 condition = condition, required = as.character(b[[condition]]))
    }))
  }))
}
bottleneck <- rbind(long(example_result), long(likert_result), long(tiny_result))
cat("\n== r_nca_bottleneck.csv ==\n")
print(bottleneck, row.names = FALSE)
write.csv(bottleneck, file.path(out_fix, "r_nca_bottleneck.csv"), row.names = FALSE)

versions <- data.frame(package = c("R", "NCA"),
                       version = c(paste(R.version$major, R.version$minor, sep = "."),
                                   as.character(packageVersion("NCA"))))
write.csv(versions, file.path(out_fix, "r_nca_versions.csv"), row.names = FALSE)
