# Reference numbers for loyalty_research.clusterwise from R's flexmix.
# Run from the repository root:  Rscript tests/reference/flexmix_reference.R
# Writes tests/reference/data/*.csv and tests/reference/fixtures/flexmix_*.csv; the Python tests
# read only those files, so they need no R.
suppressPackageStartupMessages(library(flexmix))
out_data <- "tests/reference/data"
out_fix <- "tests/reference/fixtures"
dir.create(out_data, showWarnings = FALSE, recursive = TRUE)
dir.create(out_fix, showWarnings = FALSE, recursive = TRUE)

versions <- data.frame(
  software = c("R", "flexmix"),
  version = c(paste(R.version$major, R.version$minor, sep = "."), as.character(packageVersion("flexmix")))
)
write.csv(versions, file.path(out_fix, "flexmix_versions.csv"), row.names = FALSE)

# Components are sorted by decreasing prior (as loyalty_research does), ties impossible here.
record <- function(fit, name, terms) {
  ord <- order(-prior(fit))
  par <- parameters(fit)
  k <- length(ord)
  fit_rows <- data.frame(
    quantity = c("loglik", "df", "aic", "bic", "icl", "nobs", paste0("prior_", 1:k), paste0("sigma_", 1:k)),
    value = c(as.numeric(logLik(fit)), attr(logLik(fit), "df"), AIC(fit), BIC(fit), ICL(fit), nrow(posterior(fit)),
              prior(fit)[ord], par["sigma", ord])
  )
  write.csv(fit_rows, file.path(out_fix, paste0("flexmix_", name, "_fit.csv")), row.names = FALSE)
  coefs <- par[grep("^coef", rownames(par)), ord, drop = FALSE]
  ref <- refit(fit)
  rows <- list()
  for (j in seq_along(ord)) {
    tab <- summary(ref)@components[[1]][[ord[j]]]
    rows[[j]] <- data.frame(segment = j, term = terms, coef = coefs[, j], coef_refit = tab[, "Estimate"],
                            se = tab[, "Std. Error"],
                            z = tab[, "z value"], p_val = tab[, "Pr(>|z|)"])
  }
  write.csv(do.call(rbind, rows), file.path(out_fix, paste0("flexmix_", name, "_coefficients.csv")),
            row.names = FALSE)
  cl <- match(clusters(fit), ord)
  write.csv(data.frame(segment = cl), file.path(out_fix, paste0("flexmix_", name, "_clusters.csv")),
            row.names = FALSE)
  print(fit_rows)
  print(do.call(rbind, rows))
}

# 1. NPreg (flexmix's own example data): yn ~ x + x^2, two segments, best of 20 starts.
data("NPreg", package = "flexmix")
write.csv(NPreg[, c("x", "yn")], file.path(out_data, "npreg.csv"), row.names = FALSE)
set.seed(20240601)
npreg <- stepFlexmix(yn ~ x + I(x^2), data = NPreg, k = 2, nrep = 20, verbose = FALSE,
                     control = list(tolerance = 1e-10, iter.max = 2000))
record(npreg, "npreg_k2", c("intercept", "x", "x2"))

# 2. Three segments, two predictors, simulated here with a fixed seed.
set.seed(1988)
n <- 600
x1 <- runif(n, 1, 7)
x2 <- runif(n, -3, 3)
segment <- sample(1:3, n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
beta <- rbind(c(1, 0.8, 0.0), c(4, 0.0, 0.6), c(6.5, 0.0, 0.0))
sigma <- c(0.4, 0.6, 0.3)
y <- beta[segment, 1] + beta[segment, 2] * x1 + beta[segment, 3] * x2 + rnorm(n, 0, sigma[segment])
three <- data.frame(x1 = x1, x2 = x2, y = y, segment = segment)
write.csv(three, file.path(out_data, "three_segments.csv"), row.names = FALSE)
set.seed(20240602)
fit3 <- stepFlexmix(y ~ x1 + x2, data = three, k = 3, nrep = 20, verbose = FALSE,
                    control = list(tolerance = 1e-10, iter.max = 2000))
record(fit3, "three_k3", c("intercept", "x1", "x2"))

# 3. Concomitant variables: segment priors as a multinomial logit of z (FLXPmultinom).
set.seed(2004)
n <- 400
z <- rnorm(n)
x <- runif(n, 1, 7)
p2 <- plogis(-0.3 + 1.2 * z)
segment <- 1 + (runif(n) < p2)
y <- ifelse(segment == 1, 1 + 0.9 * x, 6 - 0.2 * x) + rnorm(n, 0, 0.5)
conc <- data.frame(x = x, z = z, y = y, segment = segment)
write.csv(conc, file.path(out_data, "concomitant.csv"), row.names = FALSE)
set.seed(20240603)
fitc <- stepFlexmix(y ~ x, data = conc, k = 2, nrep = 20, verbose = FALSE, concomitant = FLXPmultinom(~ z),
                    control = list(tolerance = 1e-10, iter.max = 2000))
record(fitc, "concomitant_k2", c("intercept", "x"))
ordc <- order(-prior(fitc))
gamma <- parameters(fitc, which = "concomitant")[, ordc, drop = FALSE]
gamma <- gamma - gamma[, 1]
refc <- summary(refit(fitc))@concomitant
print(refc)
# refit's concomitant table is for the segment that is not flexmix's first; its sign flips when
# the largest segment is not flexmix's first
sign <- if (ordc[1] == 1) 1 else -1
conc_rows <- data.frame(segment = 2, term = c("intercept", "z"), coef = gamma[, 2],
                        coef_refit = sign * refc[[1]][, "Estimate"], se = refc[[1]][, "Std. Error"])
print(conc_rows)
write.csv(conc_rows, file.path(out_fix, "flexmix_concomitant_k2_priors.csv"), row.names = FALSE)
