/*
 * sim/browser/storage_model.h - the storage-model interface: what a
 * simulated localStorage consistency model implements.
 *
 * In the manner of SQLite's sqlite3_io_methods: one ops table per model,
 * and the environment (sim/world/env_sim.c) only dispatches to it and
 * traces.  The environment has already taken the call's turn (the
 * scheduling point) when an op runs; the op performs the call atomically,
 * for the tab that makes it, and records the call's DPOR footprint (what
 * shared objects it read and wrote, sim_access in sim/world/world.h)
 * through sim/world/env_model.h.  Results are xt_err codes.
 *
 * Three models are registered (storage_model.c): linearizable (one map,
 * every call atomic), cached (Chromium's per-tab caches) and snapshot
 * (Firefox's per-task snapshots).  A fourth is its own files plus one
 * registration line (docs/architecture.md, "How to add a storage model").
 *
 * Invariants every model keeps:
 *  - world->storage is what the browser would persist: at the end of a run
 *    (after settle) the checks read it and nothing else;
 *  - every decision a model makes (an arrival, a landing) is one chooser
 *    call, and is made only in the ops below, so a run stays a function of
 *    the scenario and the choices;
 *  - digest covers every piece of state the model keeps beyond
 *    world->storage, so two worlds with equal digests behave alike.
 */
#ifndef SIM_STORAGE_MODEL_H
#define SIM_STORAGE_MODEL_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_world sim_world;
typedef struct sim_tab sim_tab;
typedef struct sim_task sim_task;

/* A task's view of storage (sim_task.view). */
typedef struct sim_task_view {
    gboolean fresh;         /* no storage call since its last await: the next one begins a task */
    gboolean must_progress; /* untimed, a stuttering wait loop: its next view receives at least one write */
} sim_task_view;

typedef struct sim_storage_model_ops {
    const char *name; /* the [storage] model value */
    const char *doc;  /* one sentence for the scenario reference */
    /* State beyond the shared map world->storage (already built, with the
     * scenario's quota unless quota_in_model); NULL when it keeps none. */
    void *(*create)(sim_world *w);
    void (*destroy)(void *state);
    /* The shared map enforces the quota itself (FALSE: the model does, in
     * each tab's view, and the map takes every write). */
    gboolean quota_in_map;
    /* localStorage's five calls, made by tab. */
    int (*get)(sim_world *w, sim_tab *tab, const char *key, GString *value_out);
    int (*set)(sim_world *w, sim_tab *tab, const char *key, const char *value);
    int (*remove)(sim_world *w, sim_tab *tab, const char *key);
    int (*length)(sim_world *w, sim_tab *tab, size_t *length_out);
    int (*key)(sim_world *w, sim_tab *tab, size_t index, GString *key_out);
    /* Folds the model's own state into h (FNV-1a style); the shared map is
     * the world's to digest.  Required, even of a model that keeps no
     * state (it returns h): the stateful search and the starvation check
     * store states by their digest, and a model without one makes them
     * incomplete (sim_storage_model_undigested) rather than merge states
     * that differ in it. */
    uint64_t (*digest)(const sim_world *w, uint64_t h);
    /* Optional hooks (NULL: nothing to do). */
    /* Before a storage call of task t is performed (t->view.fresh: its
     * first since an await): deliveries that may have happened by now. */
    void (*call_begin)(sim_world *w, sim_tab *tab, sim_task *t);
    /* tab's JavaScript task is over (it gave its tab up). */
    void (*task_end)(sim_world *w, sim_tab *tab, int task_id);
    /* tab sends the browser another message (what: "lock request"). */
    void (*channel)(sim_world *w, sim_tab *tab, const char *what);
    /* End of run, before the checks read world->storage. */
    void (*settle)(sim_world *w);
    /* Whether writes of other tabs are still on their way to tab. */
    gboolean (*unseen)(const sim_world *w, int tab);
    /* Optional: key and value (NULL: a removal) of the first of them by
     * another tab, for the `storage` event a JavaScript tab gets for them
     * (js_event.c); FALSE: not known. */
    gboolean (*unseen_event)(const sim_world *w, int tab, const char **key, const char **value);
    /* Every call goes straight to the shared map, at once: a get returns
     * the map as it is now (no view, nothing on its way).  The stateful
     * search collapses a read that leads back to a wait only then
     * (env_eager.c). */
    gboolean direct;
    /* Writes travel to other tabs or to the datastore over a delivery
     * time: [storage] delivery_us_min and delivery_us_max apply (a file
     * that sets them for another model is refused). */
    gboolean delivers;
    /* The model keeps state of its own for each tab (a copy of the map,
     * writes on their way), which digest folds by tab index: a digest
     * under symmetry cannot rename it (sim_world_digest_asymmetric). */
    gboolean per_tab;
} sim_storage_model_ops;

/* The registered models, NULL-terminated, in [storage] model order. */
extern const sim_storage_model_ops *const sim_storage_models[];
/* Their names, NULL-terminated (for the scenario key table). */
const char *const *sim_storage_model_names(void);
/* NULL when the model gives a digest of its own state; else why a search
 * that stores states cannot run on it (g_free it). */
char *sim_storage_model_undigested(const sim_storage_model_ops *model);

#endif
