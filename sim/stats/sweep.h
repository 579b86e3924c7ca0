/*
 * sim/stats/sweep.h - a grid of scenario variants, each run for N seeds, reduced
 * to one tidy data file for gnuplot; and the uncontended cost check.
 *
 * A sweep starts from a scenario file and a list of axes, each one key and
 * its values ("scenario.tabs=1,2,4,8").  The points are the cartesian
 * product of the axes, the first axis outermost, values in the order given.
 * Each point is the file with the point's values applied through
 * sim_scenario_set() (so every value is validated as the loader would) and
 * runs seeds seed .. seed + runs - 1.  Every point is built and checked
 * before the first run, so a bad value fails fast with exit 2.
 *
 * The data file (docs/statistics.md) has comment lines first, then one row
 * per statistic and point: the axes' values, the statistic's name, p50 p90
 * p99 max mean n ("-" where a statistic has no sample), the 95% bootstrap
 * intervals of p50 and p99 (sim/stats/bootstrap.h), and the point's runs
 * with a violation and the invariants they broke.  Rows are grouped by
 * statistic (blocks separated by two blank lines, gnuplot's data sets), and
 * within a block a blank line separates runs of the innermost axis, so a
 * filtered `plot ... with lines` draws one unbroken line per outer value.
 * Nothing in it depends on the wall clock or on hash order: the same sweep
 * writes the same bytes.
 *
 * Uncontended cost: for every distinct algorithm (and unlock option where it
 * matters) among the points, a one-tab, one-acquisition variant is run and
 * its storage calls compared with sim_cost_expected().
 */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H

#include "sim/world/coro.h"
#include "sim/scenario/scenario.h"
#include "sim/stats/stats.h"

#define SIM_SWEEP_POINTS_MAX 10000 /* a larger grid is a typo more often than a plan */

typedef struct sim_sweep_axis {
    char *group, *key;
    char **values; /* NULL-terminated */
    guint n;
} sim_sweep_axis;

typedef struct sim_sweep {
    char *path;         /* the scenario file */
    char *text;         /* its contents, read once */
    gsize text_len;
    GPtrArray *axes;    /* sim_sweep_axis* */
    gint64 runs;        /* per point, >= 1 */
    uint64_t seed;      /* first seed */
    char *command;      /* the command line shown in the data file's header */
} sim_sweep;

typedef struct sim_sweep_output {
    GString *dat;       /* the data file */
    GString *csv;       /* raw samples of every point, or NULL to skip */
    GString *report;    /* human summary (what `tabsim sweep` prints) */
    guint cost_mismatches; /* uncontended costs that differ from the table */
} sim_sweep_output;

/* Reads the scenario (runs <= 0: its [check] runs; seed < 0: its [check]
 * seed).  NULL with an error naming the file when it cannot be read or
 * does not load, or naming the seed when a run's (seed + i, i < runs)
 * would be past G_MAXINT64, which `tabsim run --seed` does not take. */
sim_sweep *sim_sweep_new(const char *path, gint64 runs, gint64 seed, GError **error);
void sim_sweep_free(sim_sweep *sweep);
/* Parses "group.key=V1,V2,..." and checks each value on the scenario. */
gboolean sim_sweep_add_axis(sim_sweep *sweep, const char *spec, GError **error);
guint sim_sweep_points(const sim_sweep *sweep);
/* Runs every point; fills out (its GStrings are created here). */
gboolean sim_sweep_run(sim_sweep *sweep, sim_stack_pool *pool, gboolean want_csv, sim_sweep_output *out,
                       GError **error);
void sim_sweep_output_clear(sim_sweep_output *out);

/* The uncontended cost of s: s is changed into its variant (one tab,
 * [workload] mode lock, one acquisition, no hold) and run once from seed. */
typedef struct sim_cost_measured {
    gboolean granted, released;
    int acquire_ops, release_ops;
} sim_cost_measured;
void sim_cost_measure(sim_scenario *s, sim_stack_pool *pool, uint64_t seed, sim_cost_measured *out);
/* "acquire 5 ops (expected 5), release 2 ops (expected 2)"; *matches says
 * whether both equal the table's counts (FALSE when not in the table). */
char *sim_cost_text(const sim_scenario *s, const sim_cost_measured *m, gboolean *matches);

#endif
