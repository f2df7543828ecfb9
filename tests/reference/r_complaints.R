# Reference numbers for loyalty_research.complaints: Wilson intervals of repurchase by complaint
# outcome, and the recovery comparisons (two-sample prop.test without continuity correction,
# fisher.test, Welch t.test) on the bundled golf survey's complaint columns.
# Run from the repository root:  Rscript tests/reference/r_complaints.R
d <- read.csv("tests/reference/data/golf_complaints.csv")
out_fix <- "tests/reference/fixtures"
rows <- list()
add <- function(case, term, estimate, statistic = NA, p = NA, ci = c(NA, NA), p_fisher = NA) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, term = term, estimate = estimate,
                                          statistic = statistic, p_val = p, ci_low = ci[1],
                                          ci_high = ci[2], p_fisher = p_fisher)
}
for (level in c("no_problem", "not_complained", "unresolved", "resolved", "resolved_quickly")) {
  x <- d$repurchase[d$outcome == level & !is.na(d$repurchase)]
  ci <- prop.test(sum(x), length(x), correct = FALSE)$conf.int
  add("repurchase", level, mean(x), ci = ci)
}
pairs <- list(c("resolved_quickly", "no_problem"), c("resolved_quickly", "resolved"),
              c("resolved", "unresolved"))
for (pair in pairs) {
  a <- d$repurchase[d$outcome == pair[1] & !is.na(d$repurchase)]
  b <- d$repurchase[d$outcome == pair[2] & !is.na(d$repurchase)]
  test <- prop.test(c(sum(a), sum(b)), c(length(a), length(b)), correct = FALSE)
  counts <- matrix(c(sum(a), length(a) - sum(a), sum(b), length(b) - sum(b)), nrow = 2, byrow = TRUE)
  add("paradox_repurchase", paste(pair, collapse = " vs "), mean(a) - mean(b), test$statistic,
      test$p.value, test$conf.int, fisher.test(counts)$p.value)
  a <- d$loyalty[d$outcome == pair[1] & !is.na(d$loyalty)]
  b <- d$loyalty[d$outcome == pair[2] & !is.na(d$loyalty)]
  test <- t.test(a, b)  # Welch
  add("paradox_loyalty", paste(pair, collapse = " vs "), mean(a) - mean(b), test$statistic,
      test$p.value, test$conf.int)
}
out <- do.call(rbind, rows)
print(out, digits = 6)
write.csv(out, file.path(out_fix, "r_complaints_golf.csv"), row.names = FALSE)
