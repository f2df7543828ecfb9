# Reference numbers for loyalty_research.measurement from R's psych.
# Run from the repository root:  Rscript tests/reference/psych_reliability.R
# omega_total: one-factor minres loadings (psych's fa default); composite reliability and AVE:
# one-factor maximum-likelihood loadings.
# Data: psych's bfi (2800 respondents, 6-point items), complete cases of the 25 personality items.
suppressPackageStartupMessages(library(psych))
out_data <- "tests/reference/data"
out_fix <- "tests/reference/fixtures"
items <- bfi[, 1:25]
items <- items[complete.cases(items), ]
write.csv(items, file.path(out_data, "bfi_complete.csv"), row.names = FALSE)
# psych's documented keys: reverse-keyed items carry a minus sign
keys <- list(agreeableness = c("-A1", "A2", "A3", "A4", "A5"),
             conscientiousness = c("C1", "C2", "C3", "-C4", "-C5"),
             extraversion = c("-E1", "-E2", "E3", "E4", "E5"),
             neuroticism = c("N1", "N2", "N3", "N4", "N5"),
             openness = c("O1", "-O2", "O3", "O4", "-O5"))
scales <- list()
item_rows <- list()
for (name in names(keys)) {
  key <- keys[[name]]
  cols <- sub("-", "", key)
  x <- items[, cols]
  reversed <- grepl("^-", key)
  x[, reversed] <- 7 - x[, reversed]  # 1-6 scale
  a <- alpha(x, check.keys = FALSE)
  f <- fa(x, nfactors = 1, fm = "minres")
  lambda <- as.numeric(f$loadings)
  omega_total <- sum(lambda)^2 / (sum(lambda)^2 + sum(1 - lambda^2))
  # composite reliability and AVE (Fornell & Larcker) from maximum-likelihood loadings
  ml <- as.numeric(fa(x, nfactors = 1, fm = "ml")$loadings)
  scales[[name]] <- data.frame(construct = name, n_items = length(cols),
                               alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
                               omega_total = omega_total,
                               # psych::omega's omega.tot divides by the observed total variance
                               omega_psych = suppressWarnings(suppressMessages(
                                 omega(x, nfactors = 1, plot = FALSE)))$omega.tot,
                               composite_reliability = sum(ml)^2 / (sum(ml)^2 + sum(1 - ml^2)),
                               ave = mean(ml^2))
  item_rows[[name]] <- data.frame(construct = name, item = cols, reverse = reversed, loading = lambda,
                                  loading_ml = ml,
                                  item_total_r = a$item.stats$r.drop,
                                  alpha_if_deleted = a$alpha.drop$raw_alpha)
}
scales <- do.call(rbind, scales)
item_rows <- do.call(rbind, item_rows)
print(scales)
print(item_rows)
write.csv(scales, file.path(out_fix, "psych_bfi_reliability.csv"), row.names = FALSE)
write.csv(item_rows, file.path(out_fix, "psych_bfi_items.csv"), row.names = FALSE)
write.csv(data.frame(software = c("R", "psych"), version = c(paste(R.version$major, R.version$minor, sep = "."),
                                                             as.character(packageVersion("psych")))),
          file.path(out_fix, "psych_versions.csv"), row.names = FALSE)
