/*
 * sim/explore/explore_live.h - the starvation check: the state graph of a
 * scenario whose tabs take the lock for ever, and a fair starving lasso.
 *
 * A scenario with [workload] forever = true has no end, so its runs
 * cannot be enumerated; its states can.  The check explores the graph
 * breadth-first from the initial state: a node is a state digest
 * (sim/world/world_digest.h) together with the set of tabs whose lock
 * request is pending, an edge one step of one tab with the values it
 * chose.  A state is reached by replaying its choices from the start (no
 * state is copied); expanding it replays them once per choice of the next
 * step.  Then explore_live_graph.c decides, over every expanded state,
 * whether some tab's request can stay pending for ever on a weakly fair
 * run while another tab keeps acquiring (untimed time, ranges at both
 * ends, as the exhaustive search).
 *
 * Honest verdicts: "no starvation" only when every reachable state was
 * expanded; a graph cut by [explore] states_max, a step or time bound
 * met while replaying, a state mark found incomplete (its check in
 * env_digest.c) or a stop gives incomplete.  A lasso is printed only after
 * it replayed: its prefix and its cycle unrolled twice, with the digest
 * after the prefix and after each unrolling equal; otherwise incomplete.
 */
#ifndef SIM_EXPLORE_LIVE_H
#define SIM_EXPLORE_LIVE_H

#include <glib.h>
#include <stdint.h>

#include "sim/scenario/scenario.h"
#include "sim/world/coro.h"
#include "sim/world/stop.h"

typedef enum sim_live_verdict {
    SIM_LIVE_NONE = 0,       /* no starving run: every state explored */
    SIM_LIVE_STARVATION = 1, /* a fair starving lasso, replayed */
    SIM_LIVE_INCOMPLETE = 2  /* neither: the reason says which bound or check */
} sim_live_verdict;

typedef struct sim_live_result {
    sim_live_verdict verdict;
    uint64_t states, edges;      /* of the graph explored */
    uint64_t expanded;           /* states whose every successor is known */
    uint64_t runs, steps;        /* replays made, and their steps */
    guint8 digest_assume;        /* what its digests assumed and no code broke (SIM_DIGEST_*) */
    char *incomplete_reason;     /* INCOMPLETE: which bound or check, and how far it got */
    /* STARVATION */
    int tab;                     /* the starving tab, 1-based */
    uint32_t component_states;   /* states of the fair component it starves in */
    uint64_t prefix_steps, cycle_steps;
    char *token;                 /* the prefix and the cycle twice */
    GPtrArray *timeline;         /* char*: the replay's lines with the cycle marked */
    double elapsed_s;
} sim_live_result;

typedef struct sim_live_options {
    int64_t states_max;          /* 0: the scenario's [explore] states_max */
    int64_t steps_max;           /* > 0: bounds every replay (--steps), over [run] steps_max */
    const volatile int *stop;    /* sim/world/stop.h; NULL = none */
    double (*clock_s)(void);     /* for elapsed_s only (never decides anything); NULL = none */
    /* Tests: filled with a g_malloc'ed sim_digest of each final state (a
     * state with no step left), for the differential test against the
     * plain search.  NULL = not collected. */
    GHashTable *final_digests;
    GHashTable *state_digests; /* the same for every state but the initial one */
} sim_live_options;

void sim_live_check(const sim_scenario *scenario, sim_stack_pool *pool, const sim_live_options *options,
                    sim_live_result *result);
void sim_live_result_clear(sim_live_result *result);

/* The marks of the timeline: the line before the cycle's first step, and
 * the one between the two unrollings. */
#define SIM_LIVE_CYCLE_MARK "  ~~~ cycle: the lines from here to the next ~~~ repeat for ever"
#define SIM_LIVE_AGAIN_MARK "  ~~~ cycle again: back in the state where it began (same digest)"
#define SIM_LIVE_END_MARK "  ~~~ and again: the same state once more, and so on for ever"

/* For `tabsim replay` of a scenario that never ends: a pick hook
 * (sim_sched_pick_fn) that abandons the run where its token's choices
 * run out. */
uint32_t sim_live_pick_end(void *ctx, uint32_t n, const int *cand_tabs);

#endif
