# Maximum-likelihood reference points for clusterwise regression from R's mixtools (regmixEM),
# flexmix's behaviour on tie-heavy data, likelihood-ratio statistics and mixtools' bootstrap test.
# Run from the repository root:
#   Rscript tests/reference/mixtools_reference.R > tests/reference/fixtures/mixtools_reference.Rout 2>&1
# Writes tests/reference/data/tonedata.csv and tests/reference/fixtures/{mixtools,flexmix_tonedata}_*.csv;
# the Python tests read only those files, so they need no R. Takes about 20 minutes.
suppressPackageStartupMessages({
  library(mixtools)
  library(flexmix)
})
out_data <- "tests/reference/data"
out_fix <- "tests/reference/fixtures"
dir.create(out_data, showWarnings = FALSE, recursive = TRUE)
dir.create(out_fix, showWarnings = FALSE, recursive = TRUE)
options(width = 120)

versions <- data.frame(
  software = c("R", "mixtools", "flexmix"),
  version = c(paste(R.version$major, R.version$minor, sep = "."), as.character(packageVersion("mixtools")),
              as.character(packageVersion("flexmix")))
)
write.csv(versions, file.path(out_fix, "mixtools_versions.csv"), row.names = FALSE)
print(versions)

# ---------------------------------------------------------------------------------------------
# Data. NPreg is already exported by flexmix_reference.R (data/npreg.csv); check it is the same.
data("NPreg", package = "flexmix")
data("tonedata", package = "mixtools")
npreg_csv <- read.csv(file.path(out_data, "npreg.csv"))
stopifnot(max(abs(npreg_csv$x - NPreg$x)) < 1e-12, max(abs(npreg_csv$yn - NPreg$yn)) < 1e-12)
tonedata <- tonedata[, c("stretchratio", "tuned")]
write.csv(tonedata, file.path(out_data, "tonedata.csv"), row.names = FALSE)
cat("\ntonedata: n =", nrow(tonedata), " distinct tuned =", length(unique(tonedata$tuned)),
    " duplicated (stretchratio, tuned) rows =", sum(duplicated(tonedata)), "\n")
cat("most frequent tuned values:\n")
print(head(sort(table(tonedata$tuned), decreasing = TRUE), 8))
cat("cases with |tuned - 2| < 0.05:", sum(abs(tonedata$tuned - 2) < 0.05), "\n")

cases <- list(
  npreg = list(y = NPreg$yn, X = cbind(x = NPreg$x, x2 = NPreg$x^2), terms = c("intercept", "x", "x2")),
  tonedata = list(y = tonedata$tuned, X = cbind(stretchratio = tonedata$stretchratio),
                  terms = c("intercept", "stretchratio"))
)

# ---------------------------------------------------------------------------------------------
# Helpers: mixture log-likelihood, one EM step with exactly regmixEM's updates (vectorised).
logsumexp_rows <- function(m) {
  mx <- apply(m, 1, max)
  mx + log(rowSums(exp(m - mx)))
}
mix_loglik <- function(y, Xd, lambda, beta, s) {
  lc <- sapply(seq_along(lambda), function(j) log(lambda[j]) + dnorm(y, drop(Xd %*% beta[, j]), s[j], log = TRUE))
  sum(logsumexp_rows(lc))
}
em_step <- function(y, Xd, lambda, beta, s) {
  K <- length(lambda)
  lc <- sapply(1:K, function(j) log(lambda[j]) + dnorm(y, drop(Xd %*% beta[, j]), s[j], log = TRUE))
  z <- exp(lc - logsumexp_rows(lc))
  lambda <- colMeans(z)
  beta <- sapply(1:K, function(j) lm.wfit(Xd, y, z[, j])$coefficients)
  s <- sqrt(sapply(1:K, function(j) sum(z[, j] * (y - Xd %*% beta[, j])^2) / sum(z[, j])))
  list(lambda = lambda, beta = matrix(beta, ncol = K), s = s)
}
# regmixEM stops when the log-likelihood rises by less than epsilon; with 1e-14 that means "by
# nothing at double precision", but the parameters can still be ~1e-8 (relative) from the fixed
# point. polish() continues the same EM updates until the parameters stop moving.
polish <- function(y, Xd, lambda, beta, s, max_iter = 200000, tol = 1e-15) {
  theta <- c(lambda, beta, s)
  steps <- numeric(0)
  ll0 <- mix_loglik(y, Xd, lambda, beta, s)
  for (it in 1:max_iter) {
    new <- em_step(y, Xd, lambda, beta, s)
    theta_new <- c(new$lambda, new$beta, new$s)
    step <- max(abs(theta_new - theta) / (1 + abs(theta)))
    lambda <- new$lambda; beta <- new$beta; s <- new$s; theta <- theta_new
    steps <- c(steps, step)
    if (step < tol) break
    if (it > 50 && step >= min(steps[(it - 50):(it - 1)])) break  # rounding noise reached
  }
  n_st <- length(steps)
  # EM's linear rate, from consecutive steps before rounding noise sets in
  mid <- which(steps[-1] > 1e-12 & steps[-n_st] < 1e-5)
  rate <- if (length(mid) > 2) median(steps[mid + 1] / steps[mid]) else NA
  list(lambda = lambda, beta = beta, s = s, iterations = it, last_step = steps[n_st],
       em_rate = rate, loglik_before = ll0, loglik = mix_loglik(y, Xd, lambda, beta, s))
}

# One regmixEM run from a given start. regmixEM replaces the current values by random ones
# ("Need new starting values due to singularity...") whenever a sigma falls below 1e-8, the
# log-likelihood is not finite, or it decreases. With epsilon = 1e-14, below the spacing of doubles
# near |loglik| ~ 100-700 (2.8e-14 to 1.1e-13), the EM only stops when an iteration changes the
# log-likelihood by exactly 0; if rounding makes it fall by one unit in the last place instead, the
# converged run is thrown away and restarted at random. The run is therefore made with verb = TRUE
# and its log read: a first restart after a converged stretch (last logged increase < 1e-6) is such
# a rounding restart, and the converged point is recovered by rerunning from the same start with
# maxit = the number of iterations before it (the path is deterministic given the start). A first
# restart after a stretch that had not converged is a real singularity (a sigma going to 0) from
# this start: the start is counted as degenerate and whatever regmixEM found after its random
# restart is not used.
run_regmixem <- function(y, X, K, start) {
  call_em <- function(maxit) {
    fit <- NULL
    printed <- capture.output(fit <- tryCatch(
      regmixEM(y, X, lambda = start$lambda, beta = start$beta, sigma = start$sigma, k = K,
               epsilon = 1e-14, maxit = maxit, verb = TRUE),
      error = function(e) e))
    list(fit = fit, printed = printed)
  }
  r <- call_em(100000)
  first_restart <- grep("^Need new starting values", r$printed)[1]
  if (is.na(first_restart)) {
    if (inherits(r$fit, "error")) return(list(fit = r$fit, kind = "error", before = NA, last_diff = NA))
    return(list(fit = r$fit, kind = "none", before = NA, last_diff = NA))
  }
  logged <- r$printed[seq_len(first_restart - 1)]
  logged <- logged[grepl("^iteration=", logged)]
  m <- length(logged)
  last_diff <- if (m > 0) as.numeric(sub("^iteration= [0-9]+ diff= (\\S+) .*$", "\\1", logged[m])) else NA
  if (m > 0 && is.finite(last_diff) && abs(last_diff) < 1e-6) {
    r2 <- call_em(m)
    stopifnot(!inherits(r2$fit, "error"), r2$fit$restarts == 0, length(r2$fit$all.loglik) == m + 1)
    # a rounding restart only if the point is a fixed point: one more EM step changes the
    # log-likelihood by < 1e-9 and sends no sigma or prior below regmixEM's 1e-8 (else a
    # component was slowly vanishing: a singularity after all)
    f2 <- r2$fit
    Xd <- cbind(1, X)
    nxt <- em_step(y, Xd, f2$lambda, f2$beta, f2$sigma)
    if (min(nxt$s) >= 1e-8 && min(nxt$lambda) >= 1e-8 &&
        abs(mix_loglik(y, Xd, nxt$lambda, nxt$beta, nxt$s) - f2$loglik) < 1e-9)
      return(list(fit = f2, kind = "rounding", before = m, last_diff = last_diff))
  }
  list(fit = NULL, kind = "singular", before = m, last_diff = last_diff)
}

# ---------------------------------------------------------------------------------------------
# flexmix runs used both as start values for regmixEM and (tonedata) as fixtures of their own.
flex_control <- list(tolerance = 1e-10, iter.max = 2000)
flex_start <- function(fit) {
  par <- parameters(fit)
  list(lambda = prior(fit), beta = unname(par[grep("^coef", rownames(par)), , drop = FALSE]),
       sigma = unname(par["sigma", ]))
}
flex_starts <- list(npreg = list(), tonedata = list())
for (K in 2:3) {
  set.seed(20240700 + K)
  f <- stepFlexmix(yn ~ x + I(x^2), data = NPreg, k = K, nrep = 20, verbose = FALSE, control = flex_control)
  cat(sprintf("\nflexmix NPreg k = %d: final k = %d, loglik = %.10f\n", K, f@k, as.numeric(logLik(f))))
  if (f@k == K) flex_starts$npreg[[length(flex_starts$npreg) + 1]] <- flex_start(f)
}

# flexmix on tonedata: stepFlexmix(tuned ~ stretchratio, k, nrep = 20) for five seeds. stepFlexmix
# calls flexmix() nrep times and uses no random numbers itself, so replaying the same seed with a
# loop of flexmix() calls reproduces its 20 runs and shows each run's final number of components
# (flexmix removes a component whose prior falls below minprior = 0.05).
flex_seeds <- c(11, 22, 33, 44, 55)
for (K in c(3, 2)) {
  rows <- list()
  for (seed in flex_seeds) {
    set.seed(seed)
    f <- stepFlexmix(tuned ~ stretchratio, data = tonedata, k = K, nrep = 20, verbose = FALSE,
                     control = flex_control)
    set.seed(seed)
    runs <- lapply(1:20, function(m) try(flexmix(tuned ~ stretchratio, data = tonedata, k = K,
                                                 control = flex_control), silent = TRUE))
    ok <- !sapply(runs, inherits, "try-error")
    run_k <- sapply(runs[ok], function(r) r@k)
    run_ll <- sapply(runs[ok], function(r) as.numeric(logLik(r)))
    stopifnot(abs(max(run_ll) - as.numeric(logLik(f))) < 1e-8)
    cat(sprintf("\nflexmix tonedata k = %d, seed %d: best loglik %.10f with %d components; runs failing: %d; ",
                K, seed, as.numeric(logLik(f)), f@k, sum(!ok)))
    cat("final k of the 20 runs:", paste(run_k, collapse = " "), "\n")
    cat("  distinct logliks of the runs:", paste(sprintf("%.4f", sort(unique(round(run_ll, 4)), decreasing = TRUE)),
                                                collapse = " "), "\n")
    ord <- order(-prior(f))
    par <- parameters(f)
    kf <- length(ord)
    rows[[length(rows) + 1]] <- data.frame(
      seed = seed, k_requested = K, k_final = kf, runs_with_dropped = sum(run_k < K), runs_failed = sum(!ok),
      loglik = as.numeric(logLik(f)), segment = 1:kf, prior = prior(f)[ord],
      intercept = par["coef.(Intercept)", ord], stretchratio = par["coef.stretchratio", ord],
      sigma = par["sigma", ord])
    if (kf == K) flex_starts$tonedata[[length(flex_starts$tonedata) + 1]] <- flex_start(f)
  }
  tab <- do.call(rbind, rows)
  print(tab, digits = 10)
  write.csv(tab, file.path(out_fix, sprintf("flexmix_tonedata_k%d.csv", K)), row.names = FALSE)
}

# ---------------------------------------------------------------------------------------------
# regmixEM maximum-likelihood points: many random starts (regmixEM's own regmix.init) plus
# flexmix's best solutions as starts; keep the highest log-likelihood among the admissible ones.
# Inadmissible: a component sigma < 1e-3 x the residual SD of the one-segment regression
# (sigma(lm)), or a component with fewer than p + 1 expected cases (sum of its posteriors).
# Starts on which regmixEM hit a singularity (see run_regmixem) are excluded as well.
write_ml <- function(name, f, start, source, y, Xd, terms) {
  pol <- polish(y, Xd, f$lambda, f$beta, f$sigma)
  cat(sprintf("%s: start %d (%s), regmixEM loglik %.12f, polished loglik %.12f after %d further EM steps; last relative step %.2e, EM rate %.4f\n",
              name, start, source, f$loglik, pol$loglik, pol$iterations, pol$last_step, pol$em_rate))
  stopifnot(pol$loglik >= f$loglik - 1e-9)
  cat("largest change of a parameter in polishing:",
      max(abs(c(pol$lambda - f$lambda, pol$beta - f$beta, pol$s - f$sigma))), "\n")
  ord <- order(-pol$lambda)
  ml[[name]] <<- list(loglik = pol$loglik)
  rows <- list()
  for (j in seq_along(ord)) {
    jj <- ord[j]
    rows[[j]] <- data.frame(case = name, segment = j, term = c(terms, "sigma", "prior"),
                            value = c(pol$beta[, jj], pol$s[jj], pol$lambda[jj]),
                            value_regmixem = c(f$beta[, jj], f$sigma[jj], f$lambda[jj]))
  }
  rows[[length(rows) + 1]] <- data.frame(case = name, segment = NA, term = "loglik", value = pol$loglik,
                                         value_regmixem = f$loglik)
  out <- do.call(rbind, rows)
  print(out, digits = 12, row.names = FALSE)
  write.csv(out, file.path(out_fix, sprintf("mixtools_regmixem_%s.csv", name)), row.names = FALSE)
}

n_random <- c(npreg_k2 = 50, npreg_k3 = 200, tonedata_k2 = 50, tonedata_k3 = 200)
if (nzchar(Sys.getenv("MIXTOOLS_REF_QUICK"))) n_random[] <- 4  # quick trial run only
seeds <- c(npreg_k2 = 501, npreg_k3 = 502, tonedata_k2 = 503, tonedata_k3 = 504)
ml <- list()
start_rows <- list()
par_rows <- list()
for (dname in names(cases)) {
  y <- cases[[dname]]$y
  X <- cases[[dname]]$X
  Xd <- cbind(1, X)
  p <- ncol(Xd)
  n <- length(y)
  s_ref <- sigma(lm(y ~ X))
  lm1 <- lm(y ~ X)
  ml[[paste0(dname, "_k1")]] <- list(loglik = sum(dnorm(y, fitted(lm1), sqrt(sum(residuals(lm1)^2) / n), log = TRUE)))
  stopifnot(abs(ml[[paste0(dname, "_k1")]]$loglik - as.numeric(logLik(lm1))) < 1e-9)
  for (K in 2:3) {
    case <- sprintf("%s_k%d", dname, K)
    set.seed(seeds[[case]])
    fstarts <- Filter(function(s) length(s$lambda) == K, flex_starts[[dname]])
    sources <- c(rep("flexmix", length(fstarts)), rep("random", n_random[[case]]))
    res <- vector("list", length(sources))
    for (i in seq_along(sources)) {
      # random starts are drawn exactly as regmixEM draws its own (mixtools' regmix.init)
      st <- if (sources[i] == "flexmix") fstarts[[i]] else {
        ini <- mixtools:::regmix.init(y = y, x = Xd, k = K)
        list(lambda = ini$lambda, beta = ini$beta, sigma = ini$s)
      }
      r <- run_regmixem(y, X, K, st)
      f <- r$fit
      row <- data.frame(case = case, start = i, source = sources[i], status = NA, loglik = NA, min_sigma = NA,
                        min_expected_n = NA, iterations = NA, regmixem_restart = r$kind,
                        iterations_before_restart = r$before, last_diff_before_restart = r$last_diff)
      if (r$kind %in% c("singular", "error")) {
        row$status <- if (r$kind == "singular") "excluded_singular" else "error"
        res[[i]] <- list(row = row)
        next
      }
      min_sigma <- min(f$sigma)
      min_n <- min(colSums(f$posterior))
      row$status <- if (min_sigma < 1e-3 * s_ref) "excluded_sigma" else if (min_n < p + 1) "excluded_size" else "ok"
      row$loglik <- f$loglik
      row$min_sigma <- min_sigma
      row$min_expected_n <- min_n
      row$iterations <- length(f$all.loglik) - 1
      res[[i]] <- list(fit = f, row = row)
    }
    tab <- do.call(rbind, lapply(res, `[[`, "row"))
    start_rows[[case]] <- tab
    cat(sprintf("\n==== regmixEM %s: %d starts (%d from flexmix); sigma(lm) = %.6f, p + 1 = %d\n", case, nrow(tab),
                length(fstarts), s_ref, p + 1))
    print(table(tab$status))
    cat("regmixEM's own restarts from these starts (none / rounding at convergence / singularity / error):\n")
    print(table(factor(tab$regmixem_restart, levels = c("none", "rounding", "singular", "error"))))
    okt <- tab[tab$status == "ok", ]
    modes <- as.data.frame(table(loglik = round(okt$loglik, 6)), responseName = "count")
    modes <- modes[order(-as.numeric(as.character(modes$loglik))), ]
    cat("admissible local maxima (loglik rounded to 1e-6, how often reached), best first:\n")
    print(head(modes, 15), row.names = FALSE)
    if (any(tab$status != "ok", na.rm = TRUE)) {
      cat("excluded solutions:\n")
      print(tab[tab$status != "ok", ], digits = 8, row.names = FALSE)
    }
    cat("flexmix-started runs:\n")
    print(tab[tab$source == "flexmix", ], digits = 12, row.names = FALSE)
    best <- which(tab$status == "ok")[which.max(okt$loglik)]
    write_ml(case, res[[best]]$fit, best, tab$source[best], y, Xd, cases[[dname]]$terms)
    # Stricter variant: every component with at least 5% of the cases (flexmix's default minprior).
    # Written only when it differs from the point above.
    big <- which(tab$status == "ok" & tab$min_expected_n >= 0.05 * n)
    best_big <- big[which.max(tab$loglik[big])]
    if (best_big != best) {
      cat(sprintf("\n-- %s: the best solution has a component with %.2f expected cases (prior %.4f); best with all priors >= 0.05:\n",
                  case, tab$min_expected_n[best], tab$min_expected_n[best] / n))
      write_ml(paste0(case, "_minprior"), res[[best_big]]$fit, best_big, tab$source[best_big], y, Xd,
               cases[[dname]]$terms)
    }
  }
}
starts <- do.call(rbind, start_rows)
write.csv(starts, file.path(out_fix, "mixtools_regmixem_starts.csv"), row.names = FALSE)

# ---------------------------------------------------------------------------------------------
# Likelihood-ratio statistics 2 (loglik_K - loglik_{K-1}) at the ML points above (K = 1: lm, ML sigma).
# variant "ml": the fixtures mixtools_regmixem_<case>.csv; "minprior": the alternative with all
# priors >= 0.05 where one was written (mixtools_regmixem_<case>_minprior.csv).
lrt_row <- function(dname, K, variant, alt) {
  l0 <- ml[[sprintf("%s_k%d", dname, K - 1)]]$loglik
  l1 <- ml[[alt]]$loglik
  data.frame(case = dname, k_null = K - 1, k_alt = K, variant = variant, loglik_null = l0, loglik_alt = l1,
             statistic = 2 * (l1 - l0))
}
lrt <- do.call(rbind, lapply(names(cases), function(dname) do.call(rbind, lapply(2:3, function(K) {
  alt <- sprintf("%s_k%d", dname, K)
  rbind(lrt_row(dname, K, "ml", alt),
        if (!is.null(ml[[paste0(alt, "_minprior")]])) lrt_row(dname, K, "minprior", paste0(alt, "_minprior")))
}))))
cat("\nLikelihood-ratio statistics at the ML points:\n")
print(lrt, digits = 12, row.names = FALSE)
write.csv(lrt, file.path(out_fix, "mixtools_lrt.csv"), row.names = FALSE)

# ---------------------------------------------------------------------------------------------
# mixtools' parametric bootstrap of the LR statistic (McLachlan 1987) on NPreg, yn ~ x + x^2.
# Its observed statistic comes from ONE regmixEM run per model (random start, epsilon = 1e-8),
# not from the ML points above; its p value is the share of the 99 bootstrap statistics at least
# as large, so it is approximate (Monte Carlo error, and other random numbers give other draws).
set.seed(20240710)
boot_printed <- capture.output(bc <- boot.comp(y = NPreg$yn, x = cbind(NPreg$x, NPreg$x^2), max.comp = 2, B = 99,
                                               mix.type = "regmix", hist = FALSE))
cat("\nboot.comp:", grep("Decision", boot_printed, value = TRUE), "\n")
cat("regmixEM singularity restarts inside boot.comp:", length(grep("singularity", boot_printed)), "\n")
print(bc$p.values)
print(bc$obs.log.lik)
print(lapply(bc$log.lik, summary))
# The same bootstrap draws against the LR statistic at the ML points (mixtools_lrt.csv, variant ml).
stat_ml <- sapply(seq_along(bc$p.values), function(i) lrt$statistic[lrt$case == "npreg" & lrt$k_null == i &
                                                                       lrt$variant == "ml"])
boot <- data.frame(case = "npreg", k_null = seq_along(bc$p.values), k_alt = seq_along(bc$p.values) + 1,
                   statistic_observed = bc$obs.log.lik, p_value = bc$p.values, B = 99,
                   boot_stat_median = sapply(bc$log.lik, median), boot_stat_max = sapply(bc$log.lik, max),
                   statistic_ml = stat_ml,
                   p_value_ml_statistic = sapply(seq_along(bc$p.values), function(i) mean(bc$log.lik[[i]] >= stat_ml[i])),
                   approximate = TRUE)
print(boot, digits = 12, row.names = FALSE)
write.csv(boot, file.path(out_fix, "mixtools_bootcomp_npreg.csv"), row.names = FALSE)
draws <- do.call(rbind, lapply(seq_along(bc$log.lik), function(i)
  data.frame(case = "npreg", k_null = i, k_alt = i + 1, draw = seq_along(bc$log.lik[[i]]), statistic = bc$log.lik[[i]])))
write.csv(draws, file.path(out_fix, "mixtools_bootcomp_npreg_draws.csv"), row.names = FALSE)
sessionInfo()
