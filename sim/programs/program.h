/*
 * sim/programs/program.h - the program interface: what a tab runs.
 *
 * A program is one ops table.  Its main task body runs on the tab's first
 * task (sim/programs/tab.c calls it) and may spawn more tasks through the
 * environment; its instance lives in tab->program_state and is freed by
 * instance_free (at the end of a run, and when a reload replaces it).
 * Programs also say what the history means for them: which invariants
 * they claim (the monitor judges only those), which storage key holds
 * their events and how to read the event ids out of a stored value and out
 * of a request body, and how the timeline should show a value.  The world
 * and the monitor know no program: they go through these ops.
 *
 * Three are registered (program.c), selected by [workload] mode: the SDK
 * (events: the event store, the thread-safe store with its mutex and the
 * flush loop), lock (the mutex alone) and js-events (an event store
 * written in JavaScript, sim/js/js_store.c).  Adding one:
 * docs/architecture.md, "How to add a program".
 */
#ifndef SIM_PROGRAM_H
#define SIM_PROGRAM_H

#include <glib.h>

#include "xt/env.h"

typedef struct sim_world sim_world;
typedef struct sim_tab sim_tab;
struct sim_scenario;
struct xt_mutex;

typedef struct sim_program_ops {
    const char *name; /* the [workload] mode value */
    const char *doc;
    guint claims;     /* sim_invariant bits the monitor judges for it */
    /* The scenario keys only this kind of program uses, "group.key" or
     * "group.*", NULL-terminated: a key some program owns and the
     * scenario's program does not is refused (scenario_rules.c). */
    const char *const *keys;
    /* The tab's main task: build the instance, play the workload from
     * tab->work_done on (a reloaded tab goes on where it stopped). */
    void (*main)(sim_tab *tab);
    void (*instance_free)(sim_tab *tab);
    /* Optional, for state digests: fold what the instance's objects hold
     * that its tasks share (xt_describe_fn), so that each task can be
     * digested on its own (sim/world/env_digest.c, "Shared objects").
     * FALSE when it cannot say all of it, and NULL when it never can:
     * then the tab's tasks are digested as one running hash. */
    gboolean (*heap_describe)(const sim_tab *tab, xt_describe_fn fold, void *ctx);
    /* The storage key whose value holds the program's events, or NULL;
     * or, when events_key_of is set, the scenario's (NULL or "": none). */
    const char *events_key;
    const char *(*events_key_of)(const struct sim_scenario *s);
    /* Event ids in a value of events_key (a new array of char*, g_free'd),
     * or NULL when the value cannot be read. */
    GPtrArray *(*stored_ids)(const char *value);
    /* Event ids a request body to the server carries, or NULL. */
    GPtrArray *(*sent_ids)(const char *body);
    /* How the timeline shows a value of events_key (NULL: as it is). */
    char *(*value_summary)(const char *value);
    /* For symmetry reduction (--symmetry, sim/world/world_digest.c
     * "Symmetry"): NULL when the program's tabs in scenario s are
     * interchangeable, that is its code uses its tab's id only through
     * the world (which renames it), else why not.  NULL op: never. */
    const char *(*asymmetric)(const struct sim_scenario *s);
} sim_program_ops;

/* The key of p's events in scenario s (sim_program_ops.events_key). */
const char *sim_program_events_key(const sim_program_ops *p, const struct sim_scenario *s);

/* The invariants judged for scenario s: its program's claims, less mutual
 * exclusion under the mutex that claims none ([mutex] algorithm = none:
 * xt_mutex_with_lock reports no critical section for it, so a "held"
 * would be vacuous; its runs show what no lock does to the events). */
guint sim_program_claims(const struct sim_scenario *s);

/* NULL-terminated, in [workload] mode order; the first is the default. */
extern const sim_program_ops *const sim_programs[];
const char *const *sim_program_names(void);
/* For programs' value_summary: "events [a b c]" from a list of event ids
 * (NULL: NULL, the value could not be read); takes and frees ids. */
char *sim_program_ids_summary(GPtrArray *ids);

/* For programs: the scenario's mutex algorithm, built for this tab. */
struct xt_mutex *sim_tab_mutex_new(sim_tab *tab);
/* For programs: a drawn wait before the next add or lock ([workload] interval_ms_*). */
int64_t sim_tab_interval_ms(sim_tab *tab);

#endif
