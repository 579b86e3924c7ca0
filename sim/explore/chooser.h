/*
 * sim/explore/chooser.h - the single source of nondeterminism.
 *
 * Every decision of a run that is not a function of what came before (which
 * of two simultaneous steps goes first, where in a range a latency falls,
 * whether the server fails) is one call to sim_choose().  Given the scenario
 * and the sequence of answers, a run is a pure function: that is what makes
 * replay, shrinking and exhaustive enumeration possible.
 *
 * A chooser answers first from an explicit prefix of recorded choices, then
 * from its tail: a seeded PRNG (random simulation) or always 0 (the
 * "smallest" continuation, used when shrinking).  A random run is therefore
 * reproduced by its seed alone, and a shrunk or enumerated run by a short
 * prefix; both fit in one replay token (sim/explore/token.h).  Choices with n == 1
 * are not choices and are neither consumed nor recorded.
 */
#ifndef SIM_CHOOSER_H
#define SIM_CHOOSER_H

#include <glib.h>
#include <stdint.h>

typedef enum sim_tail { SIM_TAIL_RANDOM = 0, SIM_TAIL_ZERO = 1 } sim_tail;

/* What a choice decides: which tab steps next, or a value (a latency, a
 * server answer).  Explorers treat the two differently. */
typedef enum sim_choice_kind { SIM_CHOICE_DATA = 0, SIM_CHOICE_SCHED = 1 } sim_choice_kind;

/* Beyond the prefix, an explorer may pick scheduling choices itself (sleep
 * sets, PCT priorities).  cand_tabs lists the candidate tabs in answer
 * order.  Returning n or more abandons the run (every candidate is
 * redundant): the world stops it and it is not judged. */
typedef uint32_t (*sim_sched_pick_fn)(void *ctx, uint32_t n, const int *cand_tabs);

typedef struct sim_chooser {
    uint64_t seed;
    uint64_t rng[4];        /* xoshiro256** state */
    sim_tail tail;
    const uint32_t *prefix; /* borrowed */
    size_t prefix_len;
    size_t pos;             /* choices made so far */
    GArray *record;         /* uint32 answers, or NULL when not recording */
    GArray *record_n;       /* uint32 arity of each answer */
    GArray *record_kind;    /* guint8 sim_choice_kind of each answer */
    gboolean prefix_overrun;/* a prefix answer was >= n: the token does not fit */
    gboolean discrete;      /* ranges yield only their two ends (exhaustive) */
    sim_sched_pick_fn sched_pick;
    /* Beyond the prefix, a value choice: the explorer answers (cand_tabs
     * NULL) or abandons the run by returning n or more.  NULL: the tail. */
    sim_sched_pick_fn data_pick;
    void *sched_ctx;
    gboolean abandoned;     /* sched_pick gave up on this run */
    /* The run is over and its tasks are being cancelled (world.c
     * world_cancel): what their code still draws is no choice of the run,
     * so a choice answers 0 without a position or a record.  Else an
     * exhaustive search would branch on values drawn after a run's cut,
     * which no replay of the run meets at that position. */
    gboolean closed;
    /* Told every value answer (DATA) once made: the state digests fold
     * it into the running task's hash (sim/world/env_digest.c).  NULL = none. */
    void (*drawn)(void *ctx, uint32_t answer);
    void *drawn_ctx;
} sim_chooser;

void sim_chooser_init(sim_chooser *chooser, uint64_t seed, sim_tail tail,
                      const uint32_t *prefix, size_t prefix_len, gboolean record);
void sim_chooser_clear(sim_chooser *chooser);

/* An answer in [0, n); n >= 1. */
uint32_t sim_choose(sim_chooser *chooser, uint32_t n);
/* Which of n candidate tabs steps next (answer order as in cand_tabs). */
uint32_t sim_choose_sched(sim_chooser *chooser, uint32_t n, const int *cand_tabs);
/* A value in [lo, hi] (inclusive), one choice when lo < hi; only lo or hi
 * when the chooser is discrete. */
int64_t sim_choose_range(sim_chooser *chooser, int64_t lo, int64_t hi);
/* TRUE with probability pct/100 (one choice of 100 when 0 < pct < 100). */
gboolean sim_choose_percent(sim_chooser *chooser, uint32_t pct);

/* splitmix64, for deriving seeds (run i of a check uses seed_for(base, i)). */
uint64_t sim_seed_mix(uint64_t x);

#endif
