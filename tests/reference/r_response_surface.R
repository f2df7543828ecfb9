# Reference numbers for polynomial regression with response surface analysis: the ECSI
# mobile-phone data (mobi, 250 customers, 1-10 scales), satisfaction (mean of CUSA1-3) on
# perceived quality (mean of PERQ1-7) and expectation (mean of CUEX1-3), both centred at the
# scale midpoint 5.5. lm() with classical and HC3 (sandwich) covariances, the surface parameters
# a1-a5 as linear combinations with their standard errors, the Wald F test of the difference-score
# constraints (b1 + b2 = 0, b3 = b4 = b5 = 0), and the a1-a5 of R's RSA package (Schönbrodt &
# Humberg; on CRAN, installed from its source; version recorded) on the same centred data.
# Run from the repository root:  Rscript tests/reference/r_response_surface.R
# (the printed numbers: Rscript tests/reference/r_response_surface.R > tests/reference/fixtures/r_response_surface.Rout 2>&1)
suppressPackageStartupMessages({library(sandwich); library(RSA)})
options(width = 110)
out_fix <- "tests/reference/fixtures"

mobi <- read.csv("tests/reference/data/mobi.csv")
d <- data.frame(
  satisfaction = rowMeans(mobi[, paste0("CUSA", 1:3)]),
  quality = rowMeans(mobi[, paste0("PERQ", 1:7)]) - 5.5,
  expectation = rowMeans(mobi[, paste0("CUEX", 1:3)]) - 5.5
)
fit <- lm(satisfaction ~ quality + expectation + I(quality^2) + I(quality * expectation) +
            I(expectation^2), data = d)
weights <- rbind(a1 = c(1, 1, 0, 0, 0), a2 = c(0, 0, 1, 1, 1), a3 = c(1, -1, 0, 0, 0),
                 a4 = c(0, 0, 1, -1, 1), a5 = c(0, 0, 1, 0, -1))
constraints <- rbind(c(1, 1, 0, 0, 0), c(0, 0, 1, 0, 0), c(0, 0, 0, 1, 0), c(0, 0, 0, 0, 1))
b <- coef(fit)[-1]
rows <- list()
tests <- list()
for (type in c("classical", "hc3")) {
  V <- if (type == "classical") vcov(fit) else vcovHC(fit, type = "HC3")
  V <- V[-1, -1]
  rows[[type]] <- data.frame(se_type = type, parameter = c(names(coef(fit)), rownames(weights)),
                             coef = c(coef(fit), weights %*% b),
                             se = c(sqrt(diag(if (type == "classical") vcov(fit) else vcovHC(fit, type = "HC3"))),
                                    sqrt(diag(weights %*% V %*% t(weights)))))
  gap <- constraints %*% b
  statistic <- as.numeric(t(gap) %*% solve(constraints %*% V %*% t(constraints), gap)) / 4
  tests[[type]] <- data.frame(se_type = type, statistic = statistic, df_num = 4, df_den = fit$df.residual,
                              p_val = pf(statistic, 4, fit$df.residual, lower.tail = FALSE),
                              r2 = summary(fit)$r.squared,
                              r2_difference = summary(lm(satisfaction ~ I(quality - expectation), d))$r.squared)
}
surface <- do.call(rbind, rows)
cat("== r_response_surface.csv ==\n")
print(surface, digits = 10, row.names = FALSE)
write.csv(surface, file.path(out_fix, "r_response_surface.csv"), row.names = FALSE)
test <- do.call(rbind, tests)
print(test, digits = 10, row.names = FALSE)
write.csv(test, file.path(out_fix, "r_response_surface_difference.csv"), row.names = FALSE)

# RSA: the full polynomial model by lavaan (same point estimates as lm)
rsa <- RSA(satisfaction ~ quality * expectation, data = d, models = "full", center = "none",
           verbose = FALSE)
a <- getPar(rsa, "coef", model = "full")
a <- a[a$label %in% paste0("a", 1:5), c("label", "est")]
cat("\nRSA a1-a5:\n")
print(a, digits = 10, row.names = FALSE)
write.csv(a, file.path(out_fix, "r_response_surface_rsa.csv"), row.names = FALSE)
versions <- data.frame(package = c("R", "RSA", "sandwich"),
                       version = c(paste(R.version$major, R.version$minor, sep = "."),
                                   as.character(packageVersion("RSA")),
                                   as.character(packageVersion("sandwich"))))
write.csv(versions, file.path(out_fix, "r_response_surface_versions.csv"), row.names = FALSE)
