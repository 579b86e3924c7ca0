/*
 * sim/stats/stats.h - latency and contention samples of simulated runs.
 *
 * What the lock costs, measured on the same runs that are checked.  A
 * sim_stats collects samples from one or many runs (a `run`, the runs of a
 * `check`, the points of a `sweep`): the run builds its monitor with
 * monitor.stats pointing here, env_sim.c reports the observations core/
 * emits, and sim_stats_run_end() closes each run.  With monitor.stats NULL
 * nothing is collected and the hot path of random checking pays one test
 * per observation.
 *
 * Samples, each taken in virtual time (never the wall clock):
 *   lock_request    one lock() call: latency from XT_OBS_LOCK_REQUEST to
 *                   ACQUIRED or FAILED (ms), retries (attempts - 1), the
 *                   storage calls the requesting task made in between,
 *                   outcome granted, failed (the caller falls back) or
 *                   pending (the run ended first; only timelines show it);
 *   lock_release    storage calls of one unlock: from XT_OBS_CS_EXIT (or
 *                   ACQUIRED for algorithms without a critical section) to
 *                   XT_OBS_LOCK_RELEASED, in ops;
 *   lock_hold       a critical section, CS_ENTER to CS_EXIT (ms);
 *   event_delivery  from an add returning (XT_OBS_EVENT_ADDED) to the first
 *                   delivery of that event to the server (ms); 0 when the
 *                   server had it before the add returned;
 *   fallback        one fall-back to the unlocked path (a point in time);
 *   run_throughput  events delivered per virtual second: distinct events the
 *                   server got / time of the last first delivery (runs that
 *                   added no event have none);
 *   run_fallbacks, run_lock_failed   per-run counts.
 *
 * Percentiles are nearest-rank on the sorted samples: the p-th percentile of
 * n samples is the value at 1-based rank ceil(p/100 * n); max is rank n.
 * Every figure is therefore one of the samples, and a statistic of one
 * sample is that sample at every percentile.
 *
 * Invariants: samples stay in the order they were taken (runs in order,
 * within a run in virtual-time order of their end), so every file and
 * summary written from them is a pure function of the runs.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

#include "xt/env.h"

typedef struct sim_monitor sim_monitor;

typedef enum sim_sample_kind {
    SIM_SAMPLE_LOCK_REQUEST,
    SIM_SAMPLE_LOCK_RELEASE,
    SIM_SAMPLE_LOCK_HOLD,
    SIM_SAMPLE_EVENT_DELIVERY,
    SIM_SAMPLE_FALLBACK,
    SIM_SAMPLE_RUN_THROUGHPUT,
    SIM_SAMPLE_RUN_FALLBACKS,
    SIM_SAMPLE_RUN_LOCK_FAILED,
    SIM_SAMPLE_KIND_COUNT
} sim_sample_kind;

typedef enum sim_lock_outcome {
    SIM_OUTCOME_NONE = 0, /* not a lock request */
    SIM_OUTCOME_GRANTED,
    SIM_OUTCOME_FAILED,
    SIM_OUTCOME_PENDING
} sim_lock_outcome;

typedef struct sim_sample {
    sim_sample_kind kind;
    uint32_t run;        /* 0-based index of the run in this collection */
    uint64_t seed;       /* the run's seed */
    int tab, task;       /* 1-based; 0 for per-run samples */
    int64_t start_us;    /* interval start (= end_us for points and runs) */
    int64_t end_us;
    double value;        /* in the kind's unit (sim_sample_unit) */
    int64_t retries;     /* lock_request */
    int64_t storage_ops; /* lock_request, lock_release */
    sim_lock_outcome outcome;
} sim_sample;

/* Per-task state of the run in progress, indexed by task id. */
typedef struct sim_stats_task {
    gboolean requesting;  /* a lock() call is in progress */
    gboolean inside;      /* in a critical section */
    gboolean releasing;   /* between CS_EXIT (or ACQUIRED) and RELEASED */
    int tab;
    int64_t request_us, cs_enter_us;
    uint64_t request_ops, release_ops; /* task storage_ops at those marks */
    int64_t attempts;     /* retries seen so far + 1 */
} sim_stats_task;

typedef struct sim_stats {
    GArray *samples;          /* sim_sample, in the order taken */
    uint32_t runs;            /* runs ended */
    /* the run in progress */
    uint64_t seed;
    GArray *tasks;            /* sim_stats_task by task id (0 unused) */
    GHashTable *added_us;     /* event id -> gint64* add time, until delivered */
    GHashTable *delivered_ids;/* ids the server has got in this run */
    uint64_t added;           /* adds that returned */
    uint64_t delivered;       /* distinct events delivered */
    int64_t last_delivery_us;
    uint64_t fallbacks, lock_failed;
} sim_stats;

sim_stats *sim_stats_new(void);
void sim_stats_free(sim_stats *st);

/* Bracket one run (sim_run_exec calls these when its spec has stats). */
void sim_stats_run_begin(sim_stats *st, uint64_t seed);
void sim_stats_run_end(sim_stats *st, int64_t end_us);

/* Hooks from env_sim.c.  task_ops is the task's storage_ops counter. */
void sim_stats_observe(sim_stats *st, int64_t now_us, int tab, int task, uint64_t task_ops,
                       const xt_obs *obs);
/* The server got these ids (a batch body parsed). */
void sim_stats_delivered(sim_stats *st, int64_t now_us, GPtrArray *ids);

const char *sim_sample_kind_name(sim_sample_kind kind);
const char *sim_sample_unit(sim_sample_kind kind);
const char *sim_lock_outcome_name(sim_lock_outcome outcome);

/* ---- statistics: named views of the samples -------------------------- */

typedef enum sim_stat_id {
    SIM_STAT_LOCK_LATENCY_MS,   /* granted requests: latency */
    SIM_STAT_LOCK_RETRIES,      /* granted and failed requests: retries */
    SIM_STAT_LOCK_ACQUIRE_OPS,  /* granted requests: storage calls */
    SIM_STAT_LOCK_RELEASE_OPS,
    SIM_STAT_LOCK_HOLD_MS,
    SIM_STAT_EVENT_LATENCY_MS,
    SIM_STAT_THROUGHPUT_EPS,
    SIM_STAT_FALLBACKS,         /* per run */
    SIM_STAT_LOCK_FAILED,       /* per run */
    SIM_STAT_COUNT
} sim_stat_id;

typedef struct sim_stat_summary {
    guint n;                    /* 0: the figures below are undefined */
    double p50, p90, p99, max, mean;
} sim_stat_summary;

const char *sim_stat_name(sim_stat_id id);
/* TRUE for counts (percentiles are printed without decimals). */
gboolean sim_stat_integral(sim_stat_id id);
/* One line of meaning with the unit, for docs and headers. */
const char *sim_stat_doc(sim_stat_id id);

/* Nearest-rank percentile of sorted[0..n-1]; p in (0, 100]; n >= 1. */
double sim_percentile(const double *sorted, guint n, double p);
/* Summary of values (sorted in place). */
void sim_stat_summarize(double *values, guint n, sim_stat_summary *out);
/* TRUE when sample s counts towards statistic id; *value is then its value. */
gboolean sim_stat_value(sim_stat_id id, const sim_sample *s, double *value);
/* Summary of one statistic over the samples from index `from` on. */
void sim_stats_summarize(const sim_stats *st, guint from, sim_stat_id id, sim_stat_summary *out);

/* "stats       lock_latency_ms   p50 ... n" lines for every statistic that
 * has samples (a header line first); nothing when there are none. */
void sim_stats_print_summary(FILE *out, const sim_stats *st);

/* Raw samples as CSV (docs/statistics.md): the header line when header,
 * then one row per sample with `point` (may be NULL) in its first column. */
char *sim_stats_csv(const sim_stats *st, const char *point, gboolean header);
/* The whole CSV, written atomically (sim_output_write). */
gboolean sim_stats_write_csv(const sim_stats *st, const char *path, GError **error);

/* Lock timeline of the last run (intervals and points, for the Gantt chart),
 * with the run's violations from the monitor; written atomically. */
char *sim_stats_timeline(const sim_stats *st, const sim_monitor *m, const char *title);

/* ---- uncontended cost ------------------------------------------------ */

typedef struct sim_cost {
    int acquire_ops, release_ops;
    const char *definition;     /* the accesses, as the algorithm defines them */
    const char *variant;        /* the setting the counts depend on ("unlock clear-x"), or NULL */
} sim_cost;

/* Expected storage calls of one contention-free acquisition and release of
 * the scenario's algorithm, as the algorithm declares them. */
struct sim_scenario;
void sim_cost_expected(const struct sim_scenario *scenario, sim_cost *out);

#endif
