/*
 * sim/explore/explore.h - exploring the runs of a scenario: the verdict of `check`.
 *
 * An explorer drives many runs of one scenario through the chooser and
 * stops at the first violation or when its budget runs out:
 *   random      run i uses seed base + i (random simulation);
 *   exhaustive  depth-first over the choice tree, stateless (every branch
 *               re-runs the code from the start), with reduction;
 *   pct         probabilistic concurrency testing (random priorities with
 *               d change points).
 * The result says exactly what was established: a violation with its
 * counterexample, "verified" (every run within the stated bounds explored,
 * none violated), "passed" (the random runs asked for, none violated: no
 * proof), or "incomplete" (a budget ran out first; which one and how far).
 * A stop (sim/world/stop.h: Ctrl-C, the time budget, the history bound)
 * strikes within a step wherever the explorer is, shrinking included; the
 * run it cut is not counted, and a violation whose shrinking it cut is
 * reported as incomplete (with where it was found), never half shrunk.
 *
 * Sharding: with shard_count N > 1 an explorer does a deterministic 1/N of
 * the work (random: runs i with i mod N == shard_index, so the union of N
 * shards is exactly the runs of one explorer; exhaustive: every shard
 * walks the same top of the choice tree, expanded fully, down to a split
 * depth, and explores completely the work items below it that it owns,
 * dealt round robin (explore_dfs.c).  The union of the shards makes
 * exactly the executions of one explorer: the shards' counts add up).
 */
#ifndef SIM_EXPLORE_H
#define SIM_EXPLORE_H

#include "sim/explore/run.h"
#include "sim/world/world_digest.h"

typedef enum sim_mode { SIM_MODE_RANDOM, SIM_MODE_EXHAUSTIVE, SIM_MODE_PCT } sim_mode;
typedef enum sim_time_model { SIM_TIME_DEFAULT, SIM_TIME_TIMED, SIM_TIME_UNTIMED } sim_time_model;

typedef enum sim_verdict {
    SIM_VERDICT_VIOLATION,  /* a run violated an invariant */
    SIM_VERDICT_VERIFIED,   /* exhaustive: all runs within the bounds hold */
    SIM_VERDICT_PASSED,     /* random/pct: every run made holds (no proof) */
    SIM_VERDICT_INCOMPLETE  /* a budget ran out before a verdict */
} sim_verdict;

typedef struct sim_explore_options {
    sim_mode mode;
    gboolean mode_set;        /* mode given on the command line (else the scenario's [explore] mode) */
    sim_time_model time;      /* DEFAULT: untimed for exhaustive, timed otherwise */
    gint64 steps_max;         /* 0 = the scenario's [run] steps_max */
    gint64 preemptions_max;   /* exhaustive: -1 = unbounded */
    gboolean preemptions_set; /* preemptions_max given (else the scenario's [explore] preemptions_max) */
    gint64 pct_depth;         /* pct: d, the number of priority change points + 1 */
    gboolean pct_depth_set;   /* pct_depth given (else the scenario's [explore] pct_depth) */
    gboolean no_reduction;    /* exhaustive: plain DFS, for comparing counts */
    gboolean shrink;          /* after a violation, search a shorter counterexample */
    gboolean first;           /* stop at the first violating run (--first); otherwise go on until
                                 every claimed invariant is violated or the search is done */
    gboolean count_traces;    /* exhaustive: count distinct Mazurkiewicz traces (costs time) */
    gint64 runs;              /* random/pct: runs to make; 0 = the scenario's */
    gint64 seed;              /* base seed; -1 = the scenario's */
    gint64 executions_max;    /* exhaustive: 0 = unbounded */
    gboolean executions_set;  /* executions_max given (else the scenario's [explore] executions_max) */
    double time_budget_s;     /* 0 = none; measured by the caller's clock, between runs */
    double (*clock_s)(void);  /* wall clock for budgets and rates; NULL = none */
    /* Stop word (sim/world/stop.h), set asynchronously to a sim_stop cause
     * (Ctrl-C, a watchdog at the deadline): polled before every step of
     * every run and inside the explorers' long loops.  NULL = none. */
    const volatile int *stop;
    int shard_index, shard_count;
    /* exhaustive, stateful (explore_state.c): a visited-state set prunes
     * revisited states; full expansion, no DPOR, preemptions unbounded. */
    gboolean stateful;
    gboolean stateful_set;    /* given on the command line (else the scenario's [explore] stateful) */
    gint64 state_memory_mb;   /* the visited set's memory; 0 = SIM_STATE_MEMORY_MB_DEFAULT */
    gboolean state_memory_set; /* given on the command line: refused for a scenario whose search keeps no states */
    gboolean bitstate;        /* a bit array with k hash functions instead (never "verified") */
    gboolean symmetry;        /* stateful: states equal up to a renaming of interchangeable tabs are one
                                 (sim/world/world_digest.c, "Symmetry"; --symmetry) */
    /* Both exhaustive searches: when not NULL, the digest of every
     * complete run's final state goes in (sim_digest* keys, for the
     * differential test of the stateful search). */
    GHashTable *final_digests;
    /* The stateless search's final digests under these assumptions
     * (SIM_DIGEST_*), as a stateful search's whose result says them. */
    guint8 final_digest_assume;
    /* Stateful: the digests assume nothing, as a shard's (for comparing
     * final states with shards). */
    gboolean digest_exact;
    /* With a split (shard_count > 1), exhaustive: when not NULL, the
     * search lists its work items here (sim_explore_item*) instead of
     * exploring them (--list-items). */
    GPtrArray *items_out;
    /* The shards are the --jobs threads of one exhaustive search
     * (sim/cli/cmd_check.c), not the user's --shard: the verdict's bounds
     * say nothing of them, and each counterexample records where in
     * depth-first order it was found (sim_explore_cex.order). */
    gboolean jobs_split;
    void (*progress)(void *ctx, const char *line); /* may be NULL */
    void *progress_ctx;
} sim_explore_options;

/* One invariant's counterexample: the first run (in exploration order)
 * that violated it, then shrunk for that invariant alone. */
typedef struct sim_explore_cex {
    sim_run_spec spec;        /* its prefix is owned by prefix */
    GArray *prefix;           /* uint32, or NULL (a random run: its seed says it all) */
    gboolean shrunk;
    uint64_t shrink_from_steps, shrink_to_steps;
    gint64 preemptions;       /* of the shrunk run (untimed) */
    gint64 shrink_runs;
    gboolean shrink_cut;      /* the work bound stopped its shrinking early */
    /* Exhaustive with jobs_split: where the search found it, in the
     * depth-first order of the whole search (preemption bound, then work
     * item), so that the threads' results combine as one search's;
     * meaningless otherwise. */
    gint64 order;
} sim_explore_cex;

/* A warning's text as results and reports keep it, with its end. */
#define SIM_WARN_TEXT_MAX 200

typedef struct sim_explore_result {
    sim_verdict verdict;
    guint violated;           /* invariants violated (with --first: by the counterexample) */
    guint primary;            /* the invariant of the first violation found (one bit) */
    sim_explore_cex cex[SIM_INV_COUNT]; /* by bit index: valid for the bits of violated */
    /* The primary counterexample (that of the first violation found), as
     * before per-invariant judging; a copy of cex[index of primary]. */
    sim_run_spec counterexample; /* valid when verdict == VIOLATION */
    GArray *cex_prefix;       /* uint32: owns counterexample.prefix */
    gint64 runs;              /* executions made */
    gint64 pruned;            /* exhaustive: branches pruned by reduction */
    gint64 bound_hits;        /* runs cut by a bound: steps or time (cut_steps + cut_time - both) */
    gint64 cut_steps;         /* runs stopped by [run] steps_max / --steps */
    gint64 cut_time;          /* runs stopped by [run] time_limit_ms */
    gint64 cut_faults;        /* runs that used up a [faults] budget */
    gint64 cut_preemptions;   /* exhaustive: branches beyond the preemption bound, not explored */
    gint64 quota_runs;        /* runs in which a set failed with XT_EQUOTA */
    gint64 warn_runs;         /* runs in which the code logged a warning (sim_monitor_warning) */
    char warn_first[SIM_WARN_TEXT_MAX]; /* the first run's first warning ("" if none), cut to fit */
    uint64_t steps, storage_ops;
    uint64_t lock_requests;   /* over the runs: what the invariants had to judge (check_outcome_honest) */
    uint64_t lock_acquired;   /* ... and of them, those granted */
    uint64_t events_tracked;  /* adds started, over the runs */
    double elapsed_s;
    char *incomplete_reason;  /* which budget, and how far it got */
    sim_stop stop_cause;      /* INCOMPLETE because of a stop (sim/world/stop.h); NONE: another bound */
    gboolean cex_unshrunk;    /* INCOMPLETE: a violation was found (violated, counterexample as
                                 found) but the stop struck while shrinking it */
    char *bounds_text;        /* "within ..." for verified */
    gint64 traces;            /* exhaustive with count_traces: distinct Mazurkiewicz traces */
    /* stateful (explore_state.c) */
    gint64 states;            /* distinct states stored */
    guint8 digest_assume;     /* what its digests assumed and no code broke (SIM_DIGEST_*) */
    gint64 revisits;          /* runs pruned at a state seen before */
    size_t state_bytes;       /* memory of the visited set */
    double bitstate_coverage; /* bitstate: estimated fraction of states not omitted */
    gboolean symmetry_applied; /* stateful with symmetry: applied to the end (not refused by the
                                  program, not given up at run time) */
    gint64 preemption_bound_reached; /* iterative context bounding: last bound searched */
    /* exhaustive with shards (summed over the preemption bounds searched) */
    gint64 shard_items;       /* work items of the whole search */
    gint64 shard_items_owned; /* this shard's */
    gint64 shard_split_depth; /* chooser position of the split (the last bound's) */
    gint64 shard_shared_runs; /* runs in the shared top: partial, not executions */
    /* shrinking (explore_shrink.c) */
    gboolean shrunk;
    uint64_t shrink_from_steps, shrink_to_steps;
    gint64 cex_preemptions;   /* of the shrunk counterexample (untimed) */
    gint64 shrink_runs;
    gboolean shrink_cut;      /* the bound stopped shrinking before its passes were done */
    uint64_t shrink_work_max; /* that bound, in work units (explore_shrink.c) */
    /* pct */
    double pct_bound;         /* guaranteed per-run probability 1/(n k^(d-1)) */
    gint64 pct_n, pct_k;
} sim_explore_result;

void sim_explore_options_init(sim_explore_options *options);
/* The options in force for one scenario: the command line's where given,
 * else the scenario's [explore] keys. */
void sim_explore_resolve(const sim_scenario *scenario, const sim_explore_options *in, sim_explore_options *out);
void sim_explore(const sim_scenario *scenario, sim_stack_pool *pool, const sim_explore_options *options,
                 sim_explore_result *result);
void sim_explore_result_clear(sim_explore_result *result);
/* A run violated invariants: records a counterexample for each of them
 * that has none yet (spec, and the run's recorded answers when keep_record)
 * and returns TRUE when the explorer should stop: with --first, or when
 * every invariant the program claims is violated and stop_when_all. */
gboolean sim_explore_found(sim_explore_result *result, const sim_explore_options *options,
                           const sim_scenario *scenario, const sim_run *run, const sim_run_spec *spec,
                           gboolean keep_record, gboolean stop_when_all);
/* Whether every invariant the scenario's program claims is violated in result. */
gboolean sim_explore_all_violated(const sim_scenario *scenario, const sim_explore_result *result);
/* Adds one run's counters (steps, storage calls, cuts, quota errors,
 * warnings and the first one's text) to result. */
void sim_explore_count_run(sim_explore_result *result, const sim_monitor *monitor);
/* text into dst (SIM_WARN_TEXT_MAX bytes), cut with "..." if longer. */
void sim_warn_text_keep(char *dst, const char *text);
/* The explorers (explore_dfs.c, explore_pct.c), called by sim_explore. */
/* Replaces each counterexample by a shorter one violating the same
 * invariant (with --first, only the primary one) and none outside
 * violated (the invariants the whole check found violated; result's own
 * are added), within a bound that grows with the search's runs and steps
 * (explore_shrink.c). */
void sim_explore_shrink(const sim_scenario *scenario, sim_stack_pool *pool, const sim_explore_options *options,
                        gint64 search_runs, uint64_t search_steps, guint violated, sim_explore_result *result);
/* The same for a counterexample found by sim_explore with shrink off (the
 * chunks of a check with --jobs N are shrunk once, by the caller, after
 * they are combined): applies the options (--steps) as sim_explore does. */
void sim_explore_shrink_found(const sim_scenario *scenario, sim_stack_pool *pool,
                              const sim_explore_options *options, gint64 search_runs, uint64_t search_steps,
                              guint violated, sim_explore_result *result);
void sim_explore_pct(const sim_scenario *scenario, sim_stack_pool *pool, const sim_explore_options *options,
                     sim_explore_result *result);
void sim_explore_exhaustive(const sim_scenario *scenario, sim_stack_pool *pool, const sim_explore_options *options,
                            sim_explore_result *result);
/* One work item of a split exhaustive search (--shard K/N --list-items). */
typedef struct sim_explore_item {
    gint64 index;     /* in depth-first order, from 0 */
    int shard;        /* the shard that explores it: index mod N */
    gint64 bound;     /* the preemption bound whose search has it; -1: none */
    GArray *prefix;   /* uint32: the choices down to its root (a run's: all of them) */
    uint64_t asleep;  /* tabs asleep at its root (bit t-1: tab t) */
    gboolean run;     /* a run that ended above the split, not a subtree */
} sim_explore_item;
void sim_explore_item_free(gpointer item);
/* A sharded exhaustive search is split at the first depth with at least
 * this many work items per shard (explore_dfs.c, explore_state.c).  With
 * sleep sets the items' sizes are very uneven (most subtrees of the fully
 * expanded top are blocked soon, a few hold most of the work), so a shard
 * needs many for its share to be fair.  Lamport 3 x 1 split 4 ways: with 8 per shard
 * the largest shard made 2.5 times the mean, with 64 1.51 times, with 128
 * 1.07 times (bench/bench_shards.sh). */
#define SIM_SHARD_ITEMS_MIN 128
/* The bounds text of a search split by --shard: bounds (freed) with "; shard
 * K/N: ..." (its items, or that it has none) added.  Caller frees. */
char *sim_explore_shard_bounds(const sim_explore_options *options, const sim_explore_result *result, char *bounds);
#define SIM_STATE_MEMORY_MB_DEFAULT 512
/* How the stateful search's bounds begin the clause that says some runs
 * never end (a cycle of states; explore_state_passes.c): merge looks for
 * it in every shard's. */
#define SIM_EXPLORE_CYCLE_CLAUSE "; some runs never end ("
/* Whether the stateful search of s under (resolved) options reduces by
 * sleep sets: not with --no-reduction or --bitstate, nor beyond eight tabs
 * (a byte a state in the visited set), where it expands every choice. */
gboolean sim_explore_stateful_reduces(const sim_explore_options *options, const sim_scenario *scenario);
void sim_explore_stateful(const sim_scenario *scenario, sim_stack_pool *pool, const sim_explore_options *options,
                          sim_explore_result *result);
/* The digest set of final_digests (sim_digest* keys, owned). */
GHashTable *sim_digest_set_new(void);
/* Adds a copy of d unless the set has it. */
void sim_digest_set_add(GHashTable *set, sim_digest d);
const char *sim_verdict_name(sim_verdict verdict);
/* Why a stop ended the exploration, in the user's terms: "interrupted by a
 * signal", "the time budget of 5 s ran out" (options->time_budget_s), or
 * the history bound.  Caller frees. */
char *sim_explore_stop_text(sim_stop cause, const sim_explore_options *options);
/* The exhaustive searches (explore_dfs.c, explore_state.c): r is incomplete
 * because of a stop, "<why> after N executions". */
void sim_explore_exhaustive_stopped(const sim_explore_options *options, sim_explore_result *result, sim_stop cause);
/* ... TRUE when a stop, the execution budget or the time budget (counted
 * from t0) ends the search; r then says which. */
gboolean sim_explore_exhaustive_budget(const sim_explore_options *options, sim_explore_result *result, double t0);
/* What a run's state mark conflict (run->mark_conflict set) was: a
 * sentence for an incomplete verdict, newly allocated. */
char *sim_explore_mark_conflict_text(const sim_run *run);

#endif
