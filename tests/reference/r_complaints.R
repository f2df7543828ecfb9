# Reference numbers for loyalty_research.complaints, base R only: complaint outcomes from the four
# 0/1 questions, Wilson intervals of repurchase by outcome, and the recovery comparisons
# (two-sample prop.test without continuity correction with its Wald interval, Newcombe's hybrid
# score interval from the Wilson intervals, fisher.test, Welch's t.test on the loyalty score) on
# the bundled golf survey's complaint columns.
# Run from the repository root:  Rscript tests/reference/r_complaints.R
out_fix <- "tests/reference/fixtures"
d <- read.csv("tests/reference/data/golf_complaints.csv")
# the outcome, worked out here from the raw answers (not taken from Python)
levels <- c("no_problem", "not_complained", "unresolved", "resolved", "resolved_quickly")
d$outcome <- with(d, ifelse(had_problem == 0, "no_problem",
                     ifelse(complained == 0, "not_complained",
                     ifelse(complaint_resolved == 0, "unresolved",
                     ifelse(resolved_quickly == 0, "resolved", "resolved_quickly")))))
print(table(factor(d$outcome, levels = levels), useNA = "ifany"))
rows <- list()
add <- function(case, term, n_group, n_reference = NA, count = NA, estimate, statistic = NA,
                df = NA, p = NA, ci = c(NA, NA), ci_newcombe = c(NA, NA), p_fisher = NA) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, term = term, n_group = n_group, n_reference = n_reference, count = count,
    estimate = estimate,
    statistic = statistic, df = df, p_val = p, ci_low = ci[1], ci_high = ci[2],
    ci_low_newcombe = ci_newcombe[1], ci_high_newcombe = ci_newcombe[2], p_fisher = p_fisher)
}
values <- function(column, level) {
  x <- d[[column]][!is.na(d$outcome) & d$outcome == level]
  x[!is.na(x)]
}
wilson <- function(x) prop.test(sum(x), length(x), correct = FALSE)$conf.int
for (level in levels) {
  x <- values("repurchase", level)
  add("repurchase", level, length(x), count = sum(x), estimate = mean(x), ci = wilson(x))
}
pairs <- list(c("resolved_quickly", "no_problem"), c("resolved_quickly", "resolved"),
              c("resolved", "unresolved"))
for (pair in pairs) {
  term <- paste(pair, collapse = " vs ")
  a <- values("repurchase", pair[1])
  b <- values("repurchase", pair[2])
  test <- suppressWarnings(prop.test(c(sum(a), sum(b)), c(length(a), length(b)), correct = FALSE))
  # Newcombe (1998), method 10: the hybrid score interval from the two Wilson intervals
  diff <- mean(a) - mean(b)
  wa <- wilson(a)
  wb <- wilson(b)
  newcombe <- c(diff - sqrt((mean(a) - wa[1])^2 + (wb[2] - mean(b))^2),
                diff + sqrt((wa[2] - mean(a))^2 + (mean(b) - wb[1])^2))
  counts <- matrix(c(sum(a), length(a) - sum(a), sum(b), length(b) - sum(b)), nrow = 2, byrow = TRUE)
  add("paradox_repurchase", term, length(a), length(b), estimate = diff, statistic = test$statistic,
      df = test$parameter, p = test$p.value, ci = test$conf.int, ci_newcombe = newcombe,
      p_fisher = fisher.test(counts)$p.value)
  a <- values("loyalty", pair[1])
  b <- values("loyalty", pair[2])
  test <- t.test(a, b)  # Welch, the default
  add("paradox_loyalty", term, length(a), length(b), estimate = mean(a) - mean(b),
      statistic = test$statistic, df = test$parameter, p = test$p.value, ci = test$conf.int)
}
out <- do.call(rbind, rows)
rownames(out) <- NULL
print(out, digits = 6)
write.csv(out, file.path(out_fix, "r_complaints_golf.csv"), row.names = FALSE)
cat(R.version.string, "\n")
