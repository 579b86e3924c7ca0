/*
 * check.h - what `tabsim check` and `tabsim merge` know about one scenario's
 * outcome, and the pieces that produce, print and store it.
 *
 * A check_outcome is the whole story of one scenario in one command: what
 * was asked (file, mode, time model, runs, shard), what was found (verdict,
 * counterexample with its token, replay command and timeline), what it cost
 * (statistics, elapsed time) and how it is judged (expected, unexpected,
 * incomplete, bad input).  The text report, the JSON report and the JUnit
 * report are all printed from it, and `merge` reads it back from JSON, so
 * the three can never tell different stories.
 *
 * Invariants: an outcome is printed only from its own fields (no wall clock
 * is read while printing; elapsed times are printed only when the caller
 * asks for timing), so two commands that reach the same outcomes print the
 * same bytes, whatever the number of threads.
 */
#ifndef TABSIM_CHECK_H
#define TABSIM_CHECK_H

#include "cli.h"
#include "sim/explore/explore.h"
#include "sim/explore/explore_live.h"

typedef enum check_status {
    CHECK_EXPECTED,   /* the verdict is what [expect] says */
    CHECK_UNEXPECTED, /* it is not */
    CHECK_INCOMPLETE, /* a budget ran out (or Ctrl-C) before a verdict */
    CHECK_BAD_INPUT   /* the scenario could not be loaded */
} check_status;

/* What check found for one invariant. */
typedef enum check_inv_status {
    CHECK_INV_NOT_JUDGED, /* the program does not claim it, or the search did not get to a verdict */
    CHECK_INV_HELD,       /* every run made (exhaustive: every execution) holds it */
    CHECK_INV_VIOLATED    /* a run violated it: see its counterexample */
} check_inv_status;

/* One invariant's counterexample, as printed and stored. */
typedef struct check_cex {
    gint64 run;              /* 0-based run index (random mode); -1 unknown */
    guint64 seed;
    char *token;
    char *replay;            /* the tabsim replay command line */
    char *shrink_text;       /* "shrunk from N to M steps, ..." or NULL */
    char *mermaid;           /* the counterexample as a sequenceDiagram, or NULL */
    char *violation_text;    /* "violation   ...\n            message\n" */
    GPtrArray *timeline;     /* char*: the timeline lines, as printed */
    char *erased_event;      /* lost event: the erased id, or NULL */
    guint64 erased_step;
    gint64 erased_index;
} check_cex;

/* Which exhaustive search made an outcome: shards of different ones do not
 * merge (sim/cli/cmd_merge.c). */
typedef enum { CHECK_SEARCH_STATELESS, CHECK_SEARCH_STATEFUL, CHECK_SEARCH_BITSTATE } check_search;

typedef struct check_outcome {
    char *file;              /* as given on the command line */
    char *name;              /* the scenario's name; the file for bad input */
    char *error;             /* bad input: the loader's message */
    char *algorithm;         /* the [mutex] algorithm's name, or NULL (bad input, an older report) */
    char *algorithm_summary; /* its one-line summary, or NULL */
    check_status status;
    sim_mode mode;
    sim_time_model time;     /* resolved: TIMED or UNTIMED */
    uint32_t scenario_hash;
    gint64 runs_requested;   /* random/pct: runs of the whole check (all shards) */
    guint64 seed_base;
    int shard_index, shard_count;
    gint64 shard_items;      /* exhaustive shards: work items of the whole search (every shard's alike); 0 = none */
    gint64 shard_items_owned;/* this shard's (merged: every shard's) */
    /* judgement */
    sim_verdict verdict;
    guint violated;          /* invariants violated by the counterexample */
    guint expect_violations; /* the scenario's [expect], to re-judge merged reports */
    gboolean expect_any;
    gboolean ignore_expect;
    char *expectation;       /* "every invariant holds", ... */
    gboolean first;          /* --first: stopped at the first violation; [expect] means "one of" */
    guint claimed;           /* the invariants the scenario's program claims */
    /* per invariant, by bit index (sim_invariant) */
    check_inv_status inv_status[SIM_INV_COUNT];
    check_cex *inv_cex[SIM_INV_COUNT]; /* VIOLATED: its counterexample (NULL when not read back) */
    /* counterexample (verdict == VIOLATION) */
    gint64 cex_run;          /* 0-based run index (random mode); -1 unknown */
    guint64 cex_seed;
    char *token;
    char *replay;            /* the tabsim replay command line */
    char *shrink_text;       /* "shrunk from N to M steps, ..." or NULL */
    char *mermaid;           /* the counterexample as a sequenceDiagram, or NULL */
    char *violation_text;    /* "violation   ...\n            message\n" */
    GPtrArray *timeline;     /* char*: the timeline lines, as printed */
    /* lost event: the write that erased it (its line marked "!!") */
    char *erased_event;      /* the lost event's id, or NULL: no such write */
    guint64 erased_step;     /* its line in the run's whole timeline, 1-based */
    gint64 erased_index;     /* its index in timeline; -1 when not shown */
    /* statistics */
    gint64 runs, pruned, bound_hits;
    guint64 steps, storage_ops;
    /* Over the runs, what the invariants had to judge: lock requests (for
     * mutual-exclusion and progress), the locks granted (for
     * mutual-exclusion) and adds started (for lost-event and duplicate);
     * -1: not known (a report written before they were kept). */
    gint64 lock_requests, lock_acquired, events_tracked;
    /* the bounds that cut runs, each named in the verdict (check_cuts_text) */
    gint64 cut_steps, cut_time, cut_faults, cut_preemptions;
    gint64 quota_runs;       /* runs in which a set failed with XT_EQUOTA */
    gint64 warn_runs;        /* runs in which the code logged a warning */
    char warn_first[SIM_WARN_TEXT_MAX]; /* the first of them, "tabN: text"; "" if none */
    gint64 steps_max, time_limit_ms, preemptions_max; /* in force; -1 = no preemption bound */
    gboolean reduction;      /* exhaustive with source-DPOR: assumes the quota is never reached */
    check_search search;     /* exhaustive: which search */
    gboolean symmetry;       /* stateful or bitstate: --symmetry or [explore] symmetry asked for */
    gboolean symmetry_applied; /* ... and applied to the end (the bounds say why not) */
    gint64 states;           /* stateful or bitstate: states stored (merged: summed over the shards' own sets) */
    gint64 state_memory_mb;  /* stateful or bitstate: the visited set's memory (--state-memory); 0 otherwise */
    gint64 pct_depth;        /* pct: d in force; 0 otherwise */
    char *bounds;            /* "within ..." (verified), or NULL */
    char *incomplete_reason; /* NULL unless incomplete */
    char *resume;            /* a command that covers what is left, or NULL */
    double elapsed_s;
    /* the starvation check ([workload] forever; check_live.c) */
    gboolean live;
    gboolean expect_starvation;
    guint64 live_states, live_edges, live_expanded;
    int live_tab;            /* the starving tab (verdict violation) */
} check_outcome;

/* What the user asked; shared read-only by the worker threads. */
const char *check_search_name(check_search search);

typedef struct check_request {
    sim_explore_options explore; /* mode, time, bounds, shard, stop, ... */
    gint64 runs;                 /* 0 = each scenario's [check] runs */
    gint64 seed;                 /* -1 = each scenario's [check] seed */
    gint context;                /* timeline lines before a violation */
    gboolean ignore_expect;
    gboolean first;              /* --first: stop at the first violation (also in explore) */
    gboolean timing;             /* print elapsed times (not with --no-timing) */
    double deadline_s;           /* monotonic seconds; 0 = no time budget */
} check_request;

check_outcome *check_outcome_new(const char *file);
check_cex *check_cex_new(void);
/* Copies c into the outcome's top-level counterexample fields (the first
 * violation found; what reports of schema 1 carry). */
void check_outcome_set_primary(check_outcome *o, const check_cex *c);
void check_cex_free(check_cex *c);
const char *check_inv_status_name(check_inv_status status);
void check_outcome_free(check_outcome *o);
const char *check_status_name(check_status status);
const char *check_mode_name(sim_mode mode);
const char *check_time_name(sim_time_model time);
/* The time model a mode uses when the user did not choose one. */
sim_time_model check_time_resolve(sim_mode mode, sim_time_model time);
/* "12 runs at [run] steps_max = 5, ..." naming every bound that cut a run,
 * or NULL when none did.  Caller frees. */
char *check_cuts_text(const check_outcome *o);
/* A verdict of verified or passed that the runs do not support becomes
 * incomplete, with the reason: no run made a storage call, every run was
 * cut by steps_max or time_limit_ms, or an exhaustive search with
 * reduction met the storage quota (the reduction assumes it never does). */
void check_outcome_honest(check_outcome *o);
/* "tab_close_max = 1, ..." the scenario's [faults] budgets that are on.  Caller frees. */
char *check_fault_budgets_text(const sim_scenario *s);
/* Names in o->bounds (when there are bounds) the bounds that cut some of
 * the runs: [run] time_limit_ms, the [faults] budgets (fault_budgets, or
 * the clause of one of the others' bounds texts, for merge), so that a
 * verdict never claims more than the runs covered. */
void check_bounds_cuts(check_outcome *o, const char *fault_budgets, const char *const *others, guint n_others);
/* Sets inv_status from the verdict, violated and the claimed invariants
 * (check_judge.c).  Call before check_outcome_honest. */
void check_outcome_statuses(check_outcome *o, guint claimed);
/* Judges inv_status against the stored expectation; sets status and
 * expectation. */
void check_outcome_judge(check_outcome *o);

/* Valid UTF-8 without the characters XML 1.0 forbids: control characters
 * become '?' (tab and newline stay), U+FFFE and U+FFFF become U+FFFD;
 * reports pass every text through it.  Caller frees. */
char *report_text_clean(const char *text);

/* check_outcome.c: fills a loaded scenario's outcome from explorer results
 * (one per chunk of runs, in run order), replaying the counterexample with
 * a trace. */
void check_outcome_fill(check_outcome *o, const sim_scenario *s, sim_stack_pool *pool,
                        const check_request *req, sim_explore_result *chunks, int n_chunks,
                        const gint64 *chunk_first_run);
/* What every outcome says of its scenario: its name, its algorithm and
 * summary, its hash (check_outcome.c). */
void check_outcome_name(check_outcome *o, const sim_scenario *s);
/* check_live.c: the outcome of the starvation check, judged; and its block
 * of text (check_outcome_print prints it for a live outcome). */
void check_live_fill(check_outcome *o, const sim_scenario *s, const check_request *req, const sim_live_result *r);
void check_live_print(GString *out, const check_outcome *o);
/* check_print.c: the block of text check prints for one scenario.  For bad
 * input it is one line that points to stderr, where the command prints the
 * error. */
void check_outcome_print(GString *out, const check_outcome *o);
/* The summary table and total line.  With timing, the total time is wall_s,
 * or the sum of the scenarios' times when wall_s < 0. */
void check_summary_print(GString *out, check_outcome *const *outcomes, guint n, gboolean timing, double wall_s,
                         int exit_code);
/* The exit code of a set of outcomes: 2 bad input > 1 unexpected > 3 incomplete > 0. */
int check_exit_code(check_outcome *const *outcomes, guint n);

/* report_json.c */
/* The JSON report's schema version (docs/ci.md): up on any incompatible change. */
#define CHECK_REPORT_SCHEMA 1
gboolean check_json_write(const char *path, const char *command, check_outcome *const *outcomes, guint n,
                          gboolean timing, int exit_code, GError **error);
/* report_json_read.c: reads a report written by check_json_write; appends check_outcome* to out. */
gboolean check_json_read(const char *path, GPtrArray *out, GError **error);
/* The same from text (path names it in errors); used by the fuzzer. */
gboolean check_json_read_data(const char *path, const char *data, gsize len, GPtrArray *out, GError **error);

/* report_junit.c */
gboolean check_junit_write(const char *path, check_outcome *const *outcomes, guint n, gboolean timing,
                           GError **error);

/* check_stop.c: installs the SIGINT/SIGTERM handler and, with a deadline
 * (monotonic seconds, 0 = none), the watchdog thread; returns the stop word
 * for sim_explore_options.stop.  check_stop_end undoes both. */
const volatile int *check_stop_begin(double deadline_s);
sim_stop check_stop_cause(void);
void check_stop_end(void);

int cli_merge(int argc, char **argv);

/* check_items.c: --list-items, the work items of each scenario's split
 * exhaustive search printed instead of explored; the exit code. */
int check_items_list(const check_request *req, GPtrArray *files, GPtrArray *errors);
/* check_refuse.c: what kinds of search the scenarios given make, for the
 * options that apply to one kind only (check_applies_add each scenario). */
typedef struct check_applies {
    gboolean exhaustive;     /* some scenario's search is exhaustive (not the starvation check) */
    gboolean states;         /* ... and keeps states (--stateful, --bitstate, [explore] stateful) */
    gboolean pct;            /* some scenario's search is PCT */
} check_applies;
void check_applies_add(check_applies *a, const sim_scenario *s, const check_request *req);
/* Why scenario s (from file) cannot be checked with the options of req (a
 * message for exit 2, caller frees), or NULL; a: the kinds of search of
 * all the scenarios given. */
char *check_options_refused(const char *file, const sim_scenario *s, const check_request *req,
                            const check_applies *a);

/* check_options.c: the command line of `tabsim check`, parsed, checked and
 * resolved into a request (exit 2 with a message naming the option). */
typedef struct check_cli {
    cli_args args;
    check_request req;
    char *mode, *time, *shard, *json, *junit, *mermaid;
    gint64 steps, preemptions, depth, executions, state_memory;
    double time_budget_s;
    gint jobs;
    gboolean no_reduction, no_shrink, no_timing, progress, stateful, bitstate, symmetry, list_items;
} check_cli;
/* CLI_EXIT_EXPECTED, or the exit code of a usage error (printed). */
int check_cli_parse(check_cli *c, int argc, char **argv);
void check_cli_clear(check_cli *c);

/* check_split.c: one exhaustive scenario across --jobs threads.  Whether
 * the scenario is split (resolved options), the options of part k of n,
 * and the parts' results combined as one search's (the parts' counter-
 * examples move to out; out is the caller's to clear). */
gboolean check_split_wanted(const sim_explore_options *resolved, int jobs);
void check_split_options(sim_explore_options *options, int part, int parts);
void check_split_combine(sim_explore_result *parts, int n, const sim_explore_options *options,
                         sim_explore_result *out);

#endif
