# Reference numbers for the claim tests of loyalty_research.claims, from base R and sandwich on
# the bundled golf survey (data/golf_survey.csv): Wilson intervals of both conditional shares
# (prop.test without continuity correction), the top-box repurchase ratio with Katz's interval and
# Fisher's exact test, and a moderation regression (lm, HC3 errors, simple slopes as linear
# combinations).
# Run from the repository root:  Rscript tests/reference/r_claims.R
# (the printed numbers: Rscript tests/reference/r_claims.R > tests/reference/fixtures/r_claims.Rout 2>&1)
suppressPackageStartupMessages(library(sandwich))
options(width = 110)
out_fix <- "tests/reference/fixtures"
golf <- read.csv("data/golf_survey.csv")

# conditional shares: satisfied = top two boxes of sat_overall, switched = did not come back
d <- data.frame(satisfied = as.integer(golf$sat_overall >= 6), switched = 1L - golf$repurchase)
d <- d[complete.cases(d), ]
wilson <- function(x, n) prop.test(x, n, correct = FALSE)$conf.int
cells <- list(
  c("P(switched | satisfied)", sum(d$satisfied & d$switched), sum(d$satisfied)),
  c("P(satisfied | switched)", sum(d$satisfied & d$switched), sum(d$switched)),
  c("P(switched)", sum(d$switched), nrow(d)),
  c("P(satisfied)", sum(d$satisfied), nrow(d)))
shares <- do.call(rbind, lapply(cells, function(cell) {
  x <- as.numeric(cell[2]); n <- as.numeric(cell[3]); ci <- wilson(x, n)
  data.frame(quantity = cell[1], share = x / n, successes = x, n = n, ci_low = ci[1], ci_high = ci[2])
}))
cat("== r_claims_shares.csv ==\n")
print(shares, digits = 10, row.names = FALSE)
write.csv(shares, file.path(out_fix, "r_claims_shares.csv"), row.names = FALSE)

# top-box ratio: repurchase at sat_overall 7 against 6 (respondents who gave both)
g <- golf[!is.na(golf$sat_overall) & !is.na(golf$repurchase), ]
a <- sum(g$repurchase[g$sat_overall == 7]); n1 <- sum(g$sat_overall == 7)
c <- sum(g$repurchase[g$sat_overall == 6]); n2 <- sum(g$sat_overall == 6)
ratio <- (a / n1) / (c / n2)
half <- qnorm(0.975) * sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
top <- data.frame(share_top = a / n1, n_top = n1, share_merely = c / n2, n_merely = n2, ratio = ratio,
                  ci_low = ratio * exp(-half), ci_high = ratio * exp(half),
                  p_val = fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE))$p.value)
cat("\n== r_claims_top_box.csv ==\n")
print(top, digits = 10, row.names = FALSE)
write.csv(top, file.path(out_fix, "r_claims_top_box.csv"), row.names = FALSE)

# moderation: stated loyalty (loyal_revisit) on sat_overall, moderated by membership (member = 1)
m <- data.frame(loyal = golf$loyal_revisit, sat = golf$sat_overall, member = as.integer(golf$membership == "member"))
m <- m[complete.cases(m), ]
m$sat_c <- m$sat - mean(m$sat)
m$member_c <- m$member - mean(m$member)
fit <- lm(loyal ~ sat_c + member_c + I(sat_c * member_c), data = m)
V <- vcovHC(fit, type = "HC3")
b <- coef(fit)
slopes <- lapply(c(0, 1), function(value) {
  w <- c(0, 1, 0, value - mean(m$member))
  est <- sum(w * b); se <- sqrt(as.numeric(t(w) %*% V %*% w))
  data.frame(term = paste0("slope at member = ", value), coef = est, se = se)
})
moderation <- rbind(data.frame(term = c("intercept", "sat", "member", "sat:member"), coef = b,
                               se = sqrt(diag(V))), do.call(rbind, slopes))
cat("\n== r_claims_moderation.csv ==\n")
print(moderation, digits = 10, row.names = FALSE)
write.csv(moderation, file.path(out_fix, "r_claims_moderation.csv"), row.names = FALSE)
