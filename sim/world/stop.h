/*
 * sim/world/stop.h - ending a run before its end: a stop from outside, and
 * the bound on what one run may keep.
 *
 * A check must stop within a second of Ctrl-C, SIGTERM or the end of its
 * time budget, wherever it is: between runs, inside one run that would
 * take hours, inside the exhaustive explorer's race analysis, or while
 * shrinking.  So whoever runs the world hands it a stop word, an int that
 * some other party (a signal handler, a watchdog thread of the CLI) sets
 * to a sim_stop cause; the world reads it before every step (one load),
 * and the explorers between runs and inside their own long loops.  The
 * word is only read here: wall-clock time decides whether a run stops,
 * never what a run that was not stopped does, so a check that is not
 * stopped prints the same bytes as one with no stop word at all.
 *
 * A run that keeps a history (its chooser records every answer, for the
 * exhaustive and PCT explorers and for shrinking; its monitor keeps every
 * timeline line, for a counterexample and --trace; or it collects latency
 * samples, for `run`, `replay` and sweeps) costs memory for every step:
 * about 430 bytes a traced step, 500 a step of the exhaustive explorer.  Such a run stops at SIM_HISTORY_STEPS_MAX steps, with cause
 * SIM_STOP_HISTORY, instead of growing until allocation fails.  The bound
 * depends on the run alone, so where it strikes is deterministic.  It is
 * far above what the scenarios need (ci_baseline checks that none of
 * their verdicts changed) and keeps one run's history near 110 MiB.
 *
 * A stopped run is not judged (no end-of-run checks: a run cut short would
 * show events "lost" that it never had time to deliver); the explorer
 * that made it reports its scenario as incomplete, naming the cause.
 */
#ifndef SIM_STOP_H
#define SIM_STOP_H

#include <glib.h>
#include <stdint.h>

typedef enum sim_stop {
    SIM_STOP_NONE = 0,
    SIM_STOP_SIGNAL,  /* Ctrl-C or SIGTERM */
    SIM_STOP_BUDGET,  /* the time budget ran out */
    SIM_STOP_HISTORY, /* a run that keeps a history reached SIM_HISTORY_STEPS_MAX */
    SIM_STOP_BAD_INPUT /* the scenario's code cannot run (a JavaScript adapter that breaks its
                          contract, node missing): the check reports it as bad input */
} sim_stop;

/* Steps a run that records its choices or traces its timeline may take. */
#define SIM_HISTORY_STEPS_MAX (UINT64_C(1) << 18)

/* The cause set in a stop word (NULL: none), read once. */
static inline sim_stop sim_stop_read(const volatile int *stop)
{
    return stop ? (sim_stop)*stop : SIM_STOP_NONE;
}

/* Before each step of a run: stop from outside, or at the history bound. */
static inline sim_stop sim_stop_poll(const volatile int *stop, uint64_t steps, gboolean keeps_history)
{
    sim_stop cause = sim_stop_read(stop);
    if (cause == SIM_STOP_NONE && keeps_history && steps >= SIM_HISTORY_STEPS_MAX)
        cause = SIM_STOP_HISTORY;
    return cause;
}

#endif
