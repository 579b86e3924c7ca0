/*
 * sim/explore/run.h - one run of a scenario, and how its outcome is judged.
 *
 * A run is a pure function of (scenario, chooser seed, tail, prefix): the
 * world is built fresh, runs, cancels its tasks and checks the invariants.
 * Only the coroutine stacks (a pool) are kept between runs.  A run that is
 * stopped (spec.stop set, or the history bound of sim/world/stop.h) ends
 * early with run.stopped set: its verdict is no verdict.
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "sim/explore/chooser.h"
#include "sim/world/coro.h"
#include "sim/world/stop.h"
#include "sim/check/monitor.h"
#include "sim/scenario/scenario.h"

struct sim_step_info;
struct sim_world;

typedef struct sim_run_spec {
    uint64_t seed;
    sim_tail tail;
    const uint32_t *prefix;
    size_t prefix_len;
    gboolean trace;
    gboolean trace_count;  /* with trace: only count the timeline's lines (no text) */
    gboolean record;       /* keep every choice (for shrinking and exploring) */
    sim_stats *stats;      /* borrowed: collect samples here; NULL = none */
    gboolean untimed;      /* the untimed adversary (sim/world/world.h) */
    gboolean discrete;     /* ranges yield only their ends */
    const volatile int *stop; /* stop word polled before every step (sim/world/stop.h); NULL = none */
    /* explorer hooks; NULL for plain runs */
    sim_sched_pick_fn sched_pick;
    sim_sched_pick_fn data_pick; /* sim_chooser.data_pick */
    void (*step_done)(void *ctx, const struct sim_step_info *step);
    void *hook_ctx;
    gboolean access_unused; /* sim_world.access_unused */
    /* State digests (sim/world/world_digest.h): keep the tasks' running
     * hashes, checking marks against marks_seen (NULL: unchecked), and
     * hand the world to world_ready before it runs (digests are taken at
     * the explorer's hooks, between steps). */
    gboolean digests;
    struct sim_digest_map *marks_seen;
    /* With digests and marks_seen, for the stateful safety search: a get
     * the marks say leads straight back to a wait for its key is done at
     * once (sim/world/env_eager.c, "Reads that lead back to a wait"). */
    gboolean collapse_reads;
    /* With collapse_reads: asked at each such get, returns whether to do
     * it: a search replays its earlier answer, or asks predict(arg) (the
     * marks' prediction, a digest and a lookup); NULL: the prediction.
     * ctx = hook_ctx; tab: the tab whose task would read. */
    gboolean (*collapse_decide)(void *ctx, gboolean (*predict)(void *arg), void *arg, int tab);
    gboolean marks_prefix_checked; /* sim_world.marks_prefix_checked */
    guint8 digest_assume;          /* sim_world.digest_assume */
    void (*world_ready)(void *ctx, struct sim_world *world);
} sim_run_spec;

typedef struct sim_run {
    sim_monitor monitor;
    sim_chooser chooser;
    uint32_t scenario_hash;
    sim_stop stopped;      /* the run ended early and was not judged (sim/world/stop.h) */
    const char *mark_conflict; /* digests: a state mark found incomplete (its label), or NULL */
    gboolean mark_conflict_wait; /* ... by a wait for a key its task had not read since */
    guint8 digest_broken;        /* sim_world.digest_broken at the run's end */
} sim_run;

/* Coroutine stack size: core/ code, json-glib and glib need little, but the
 * sanitizers multiply frame sizes. */
#define SIM_STACK_SIZE (256 * 1024)

void sim_run_exec(const sim_scenario *scenario, sim_stack_pool *pool, const sim_run_spec *spec,
                  sim_run *run);
/* sim_run_exec in parts: the world built and started (its tabs' main
 * tasks posted), then, once sim_world_steps has run it, the run's results
 * taken and the world freed (unless it lives in an arena). */
struct sim_world *sim_run_start(const sim_scenario *scenario, sim_stack_pool *pool, const sim_run_spec *spec,
                                sim_run *run);
void sim_run_end(sim_run *run, struct sim_world *world, const sim_run_spec *spec);
void sim_run_clear(sim_run *run);
/* The replay token of this run. */
char *sim_run_token(const sim_run *run, const sim_run_spec *spec);
/* The replay token of the run spec makes in the scenario of hash
 * scenario_hash, without making it (a counterexample a stop left unshown). */
char *sim_spec_token(uint32_t scenario_hash, const sim_run_spec *spec);

/* Is this set of violated invariants what the scenario's [expect] says?
 * With ignore_expect, only "no violation" is expected. */
gboolean sim_outcome_expected(const sim_scenario *scenario, guint violated, gboolean ignore_expect);
/* "every invariant holds", "a violation of lost-event", ...; caller frees. */
char *sim_expectation_text(const sim_scenario *scenario, gboolean ignore_expect);

#endif
