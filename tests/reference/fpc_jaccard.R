# Reference numbers for loyalty_research.stability.bootstrap_jaccard: Hennig's (2007) cluster-wise
# bootstrap stability, computed by R fpc's own clusterboot (bootmethod = "boot", its defaults
# multipleboot = FALSE, dissolution = 0.5, recover = 0.75) on 38 simulated points: three
# overlapping groups of 12 and a far pair, clustered by average linkage cut at 4 clusters.
# A clustering method that records the cases of every bootstrap sample lets Python replay each
# draw with the same cases and the same bootstrap clustering.
# Run from the repository root:
#   Rscript tests/reference/fpc_jaccard.R > tests/reference/fixtures/fpc_jaccard.Rout 2>&1
suppressPackageStartupMessages(library(fpc))
out_data <- "tests/reference/data"
out_fix <- "tests/reference/fixtures"
B <- 30
K <- 4
SEED <- 3

# data: simulated here, written for Python (case = row number, 1-based)
set.seed(20240611)
centres <- rbind(c(0, 0), c(2.4, 0), c(1.2, 2.1))
group <- rep(1:3, each = 12)
x <- centres[group, ] + matrix(rnorm(72, sd = 0.75), ncol = 2)
x <- round(rbind(x, c(6.5, 6.5), c(6.9, 6.2)), 3)
n <- nrow(x)
data <- cbind(case = seq_len(n), x1 = x[, 1], x2 = x[, 2])

# A clusterboot interface function (see ?clusterboot, "Details"): average linkage on the data
# columns cut at k clusters. Column 1 carries the case number, so the function sees which cases
# clusterboot drew (bsamp) and logs them with the partition it returns.
log <- new.env()
log$calls <- list()
recording_hclust_cbi <- function(data, k) {
  partition <- cutree(hclust(dist(data[, -1, drop = FALSE]), method = "average"), k)
  log$calls[[length(log$calls) + 1]] <- list(cases = data[, 1], partition = partition)
  list(result = partition, nc = k, clusterlist = lapply(seq_len(k), function(j) partition == j),
       partition = partition, clustermethod = "average linkage (recording)")
}

cb <- clusterboot(data, B = B, bootmethod = "boot", clustermethod = recording_hclust_cbi, k = K,
                  seed = SEED, count = FALSE)
print(cb)
original <- cb$partition
stopifnot(length(log$calls) == B + 1, identical(log$calls[[1]]$cases, as.numeric(seq_len(n))))
draws <- log$calls[-1]

# The draws with their repeats. clusterboot calls set.seed(seed) and then, per run, only
# sample(n, n, replace = TRUE) (average linkage uses no random numbers), and with
# multipleboot = FALSE clusters unique(bsamp). Replaying the same calls gives the full samples.
set.seed(SEED)
bsamps <- lapply(seq_len(B), function(i) sample(n, n, replace = TRUE))
for (i in seq_len(B)) stopifnot(identical(as.numeric(unique(bsamps[[i]])), draws[[i]]$cases))

# Recompute bootresult with fpc:::clujaccard and the max-over-clusters step copied from
# clusterboot's source (fpc 2.2-10, R/clusterboot.R, the loop over j and k for bootmethod "boot";
# unchanged in 2.2-13): the original cluster is restricted to the drawn cases, each case counted
# once (its first draw), maxgamma starts at 0 and clujaccard(..., zerobyzero = 0), so a cluster
# with no drawn case scores 0, not NA.
jaccard_draw <- function(bsamp, boot_partition) {
  cases <- bsamp[!duplicated(bsamp)]  # = unique(bsamp), the cases boot_partition refers to
  gamma <- numeric(K)
  for (j in seq_len(K)) {
    maxgamma <- 0
    for (k in seq_len(K)) {  # bc1$nc = K clusters in every bootstrap clustering
      cg <- fpc:::clujaccard((original == j)[cases], boot_partition == k, zerobyzero = 0)
      if (cg > maxgamma) maxgamma <- cg
    }
    gamma[j] <- maxgamma
  }
  gamma
}
recomputed <- sapply(seq_len(B), function(i) jaccard_draw(bsamps[[i]], draws[[i]]$partition))
cat("max |recomputed - clusterboot bootresult|:", max(abs(recomputed - cb$bootresult)), "\n")
stopifnot(identical(recomputed, cb$bootresult))

absent <- sapply(bsamps, function(b) sum(!(which(original == 4) %in% b)))
cat("draws without any case of cluster 4:", which(absent == 2), "\n")
cat("their Jaccard for cluster 4:", cb$bootresult[4, absent == 2], "\n")

# fixtures
write.csv(data.frame(data, segment = original), file.path(out_data, "fpc_jaccard_data.csv"),
          row.names = FALSE)
samples <- do.call(rbind, lapply(seq_len(B), function(i) {
  b <- bsamps[[i]]
  # the bootstrap cluster of each drawn case (repeats get their case's cluster)
  boot <- draws[[i]]$partition[match(b, draws[[i]]$cases)]
  data.frame(draw = i, position = seq_len(n), case = b, boot_segment = boot)
}))
write.csv(samples, file.path(out_fix, "fpc_jaccard_samples.csv"), row.names = FALSE)
result <- data.frame(draw = rep(seq_len(B), each = K), segment = rep(seq_len(K), B),
                     jaccard = as.vector(cb$bootresult))
write.csv(result, file.path(out_fix, "fpc_jaccard_bootresult.csv"), row.names = FALSE)
summary <- data.frame(segment = seq_len(K), n_cases = as.vector(table(original)), B = B,
                      bootmean = cb$bootmean, bootbrd = cb$bootbrd, bootrecover = cb$bootrecover)
print(summary, digits = 15)
write.csv(summary, file.path(out_fix, "fpc_jaccard_summary.csv"), row.names = FALSE)

# Not used by the tests: with multipleboot = TRUE and bscompare = FALSE, fpc 2.2-10 (and 2.2-13)
# builds the "distinct cases" index with `if (m <= n)` where a loop was meant ("m <- 2 # for (m in
# 2:n)"), so it compares the clusters on the first one or two drawn cases only: every Jaccard is 0,
# 0.5 or 1. loyalty_research follows what the documentation says instead (each case once).
log$calls <- list()
broken <- clusterboot(data, B = B, bootmethod = "boot", multipleboot = TRUE, bscompare = FALSE,
                      clustermethod = recording_hclust_cbi, k = K, seed = SEED, count = FALSE)
cat("multipleboot = TRUE, bscompare = FALSE, distinct Jaccard values:",
    sort(unique(as.vector(broken$bootresult))), "\n")

versions <- data.frame(package = c("R", "fpc"),
                       version = c(paste(R.version$major, R.version$minor, sep = "."),
                                   packageDescription("fpc")$Version))
write.csv(versions, file.path(out_fix, "fpc_versions.csv"), row.names = FALSE)
print(versions)
