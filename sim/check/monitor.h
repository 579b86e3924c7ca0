/*
 * sim/check/monitor.h - history, invariants and counters of one run.
 *
 * The world reports every step (storage call, await, observation from
 * core/) here.  The monitor keeps the invariant state cheaply on every run
 * (who is in a critical section, which events were added and delivered,
 * pending lock requests) and, only when tracing, formats the timeline.  A
 * random check runs untraced and, on a violation, replays the token with
 * tracing to show the steps: the run is a pure function of its token, so
 * the replayed timeline is the failing run's timeline.
 */
#ifndef SIM_MONITOR_H
#define SIM_MONITOR_H

#include <glib.h>
#include <stdint.h>

#include "sim/scenario/scenario.h"

typedef struct sim_stats sim_stats; /* sim/stats/stats.h */

typedef struct sim_violation {
    sim_invariant invariant;
    int64_t time_us;
    /* Judged when the run ended (an event neither stored nor delivered,
     * one stored twice, a lock request still pending): time_us is the
     * run's end, which can come long after the last step the timeline
     * shows (a lost event's timeline stops at the write that erased it). */
    gboolean at_end;
    uint64_t step;     /* trace lines up to and including the step that broke it */
    int tab_a, tab_b;  /* tabs involved (1-based; 0 = none) */
    char *message;
    /* Lost event, traced runs: the timeline line (1-based) of the write
     * that erased the event, and the event's id, so that every report can
     * mark that write; 0 and NULL when no traced write erased it. */
    uint64_t erased_line;
    char *erased_event;
} sim_violation;

/* One timeline entry, structured (for diagrams); parallel to the trace lines. */
typedef struct sim_trace_record {
    int64_t time_us;
    int tab, task;
    const char *op;  /* static */
    char *key;       /* or NULL */
    char *value;     /* as shown in the line, or NULL */
    char *result;    /* or NULL */
    const char *label; /* static step name, or NULL */
} sim_trace_record;

typedef struct sim_counters {
    uint64_t steps;
    uint64_t storage_ops;
    uint64_t storage_bytes;    /* value bytes read and written (what a step costs grows with it) */
    uint64_t events_tracked;   /* adds started */
    uint64_t events_added;     /* adds that returned success */
    uint64_t events_delivered; /* distinct events the server got */
    uint64_t deliveries;       /* including duplicates */
    uint64_t events_stored;    /* in storage at the end */
    uint64_t lock_requests;
    uint64_t lock_acquired;
    uint64_t lock_failed;
    uint64_t fallbacks;
    uint64_t sends, send_errors, send_timeouts;
    int64_t lock_wait_us_max;
    uint64_t preemptions;      /* untimed: switches away from a tab that could go on */
    int64_t end_time_us;
    gboolean truncated;        /* steps_max or time_limit stopped the run */
    guint cut;                 /* sim_cut bits: the bounds that cut this run */
    uint64_t quota_errors;     /* sets refused with XT_EQUOTA */
    uint64_t warnings;         /* warnings the tabs' code logged (sim_monitor_warning) */
} sim_counters;

/* The bounds that can cut a run short, or leave some of its branches or
 * faults unexplored; a verdict names each one that did (sim/explore). */
typedef enum sim_cut {
    SIM_CUT_STEPS = 1u << 0,  /* [run] steps_max / --steps stopped it */
    SIM_CUT_TIME = 1u << 1,   /* [run] time_limit_ms stopped it */
    SIM_CUT_FAULTS = 1u << 2  /* a [faults] *_max budget was used up in it */
} sim_cut;

typedef struct sim_monitor {
    const sim_scenario *scenario;
    sim_counters c;
    GPtrArray *violations;     /* sim_violation*, at most one per invariant */
    guint violated;            /* sim_invariant bits */
    /* mutual exclusion */
    int cs_task;               /* task id in the critical section, 0 = none */
    int cs_tab;
    /* events */
    GHashTable *added;         /* id -> tab (GINT_TO_POINTER) */
    GHashTable *delivered;     /* id -> count */
    GPtrArray *added_order;    /* ids in add order, for deterministic reports */
    GPtrArray *kept;           /* sim_kept_event*: refused by storage, kept in a tab's
                                  memory (created on first use) */
    /* tracing */
    gboolean tracing;
    gboolean counting;         /* tracing that only counts the lines (shrinking): no text is kept */
    uint64_t lines;            /* tracing: timeline lines so far */
    gboolean untimed;          /* time is the adversary's: no bound in ms applies */
    GPtrArray *trace;          /* char* lines */
    GArray *records;           /* sim_trace_record, one per trace line */
    GHashTable *stored_ids;    /* tracing: ids in the last events write */
    GHashTable *erased_at;     /* tracing: id -> trace length at the write that dropped it */
    /* statistics: borrowed from the run spec; NULL = not collecting */
    sim_stats *stats;
    char *warn_first;          /* the run's first warning, "tabN: text", or NULL */
} sim_monitor;

/* A task's part of the history (sim_task.record). */
typedef struct sim_task_record {
    int64_t lock_since_us;  /* pending lock request start, -1 = none */
    gboolean lock_held;     /* from its lock's acquisition to the end of its release */
    uint64_t storage_ops;   /* storage calls this task made (for sim/stats/stats.h) */
} sim_task_record;

void sim_monitor_init(sim_monitor *m, const sim_scenario *scenario, gboolean tracing);
void sim_monitor_clear(sim_monitor *m);

/* The code of tab logged a warning (xt_env_warn; in JavaScript
 * console.warn and console.error, and an error nothing caught): counted,
 * and the first kept, so that a check can say the code under test
 * complained even where every invariant held. */
void sim_monitor_warning(sim_monitor *m, int tab, const char *message);

void sim_monitor_violation(sim_monitor *m, sim_invariant inv, int64_t time_us, int tab_a, int tab_b,
                           const char *fmt, ...) G_GNUC_PRINTF(6, 7);
/* A trace line (formatted only when tracing).  shown, when not NULL,
 * replaces the quoted value with a readable summary of it. */
void sim_monitor_line(sim_monitor *m, int64_t time_us, int tab, int task, const char *op,
                      const char *key, const char *value, const char *result, const char *label,
                      const char *shown);

/* Tracing only: the program's events key was written; ids are the events
 * the new value holds (see erased_at). */
void sim_monitor_events_written(sim_monitor *m, const GPtrArray *ids);

void sim_monitor_cs_enter(sim_monitor *m, int64_t time_us, int tab, int task);
void sim_monitor_cs_exit(sim_monitor *m, int tab, int task);
void sim_monitor_event_added(sim_monitor *m, const char *id, int tab);
/* Storage refused an add: nothing kept the event (a lost event at once),
 * or the tab keeps it in memory (it must be delivered unless the tab is
 * closed first). */
void sim_monitor_event_dropped(sim_monitor *m, int64_t time_us, const char *id, int tab, int error);
void sim_monitor_event_kept(sim_monitor *m, const char *id, int tab);
/* The tab crashed: what it kept in memory is gone with it, excused. */
void sim_monitor_tab_closed(sim_monitor *m, int tab);
/* The server got these ids (a batch body parsed). */
void sim_monitor_delivered(sim_monitor *m, int64_t time_us, int tab, GPtrArray *ids);
void sim_monitor_lock_done(sim_monitor *m, int64_t time_us, int tab, int64_t waited_us, gboolean granted);

/* End of run: the ids of the events in storage (the program's reading of
 * its events key; NULL for none) and pending lock requests. */
void sim_monitor_finish(sim_monitor *m, int64_t time_us, const GPtrArray *stored_ids,
                        int pending_tab, int64_t pending_wait_us);

/* Folds what the invariants judge a continuation by into a state digest
 * (sim/world/world_digest.h): the violated set, who is in the critical
 * section (task_fold maps a task id to the world's task identity), the
 * events added, delivered (with counts) and kept, as sorted sets.  The
 * counters and the timeline are statistics, not state.  tab_rename: NULL,
 * or the index the tab in the critical section is folded as (entry
 * tab - 1), for a digest under symmetry (world_digest.c); events are
 * folded with the tabs that added them as they are, so a program with
 * events is not one whose tabs are interchangeable. */
struct sim_digest;
void sim_monitor_digest(const sim_monitor *m, struct sim_digest *h,
                        void (*task_fold)(struct sim_digest *h, int task_id, void *ctx), void *ctx,
                        const int *tab_rename);

#endif
