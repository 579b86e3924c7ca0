/*
 * sim/stats/bootstrap.h - how far a point's p50 and p99 could move with
 * other runs: a percentile bootstrap over runs.
 *
 * A sweep point is N runs, so its p50 and p99 are one draw among many; a
 * chart that joins such points zigzags with noise.  To show how much, the
 * runs are resampled: N runs drawn with replacement (whole runs, not single
 * samples, because the samples of one run share its contention and are not
 * independent), the statistic recomputed on their pooled samples, and that
 * SIM_BOOTSTRAP_RESAMPLES times.  The interval is the 2.5th to 97.5th
 * percentile (nearest rank) of the recomputed values: a 95% interval.
 *
 * Invariants: the draws come from a splitmix64 generator of its own with a
 * fixed seed, never from the chooser (they decide nothing in a run) nor the
 * wall clock, so an interval is a pure function of the samples, and two
 * sweeps with the same options write the same bytes.  With one run every
 * resample is that run, and the interval is the point itself.
 */
#ifndef SIM_BOOTSTRAP_H
#define SIM_BOOTSTRAP_H

#include "sim/stats/stats.h"

#define SIM_BOOTSTRAP_RESAMPLES 200
#define SIM_BOOTSTRAP_SEED UINT64_C(0x7ab5b0075eed)

typedef struct sim_stat_interval {
    guint resamples;          /* resamples that had a value; 0: no interval */
    double p50_lo, p50_hi;    /* 95% interval of p50 */
    double p99_lo, p99_hi;    /* 95% interval of p99 */
} sim_stat_interval;

/* The 95% bootstrap intervals of statistic id over the runs of st. */
void sim_stats_bootstrap(const sim_stats *st, sim_stat_id id, sim_stat_interval *out);

#endif
