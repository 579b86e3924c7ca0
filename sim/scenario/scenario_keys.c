/*
 * scenario_keys.c - the table of every scenario group and key.
 *
 * One row per key: group, name, type, where it lives in sim_scenario, its
 * default, its range or allowed names, and the sentence that documents it.
 * The loader, its error messages, the canonical hash of replay tokens and
 * docs/scenario-reference.md are all derived from this table, so adding a
 * key here is the whole of adding a key.
 */
#include "sim/scenario/scenario_keys.h"

#include "sim/scenario/scenario.h"
#include "sim/browser/storage_model.h"
#include "sim/programs/algorithms.h"
#include "sim/programs/program.h"

#include <string.h>


static const char *const safety_names[] = {"auto", "on", "off", NULL};
static const char *const mode_names[] = {"random", "exhaustive", "pct", NULL};
static const char *const time_names[] = {"default", "timed", "untimed", NULL};
const char *const sim_invariant_names[] = {"mutual-exclusion", "lost-event", "duplicate",
                                              "progress", NULL};

#define OFF(field) offsetof(sim_scenario, field)
#define DAY_MS 86400000
#define INT(g, k, f, d, lo, hi, doc) {g, k, KEY_INT, OFF(f), d, lo, hi, NULL, NULL, doc, 0}
#define ENUM(g, k, f, d, names, doc) {g, k, KEY_ENUM, OFF(f), d, 0, 0, names, NULL, doc, 0}
#define BOOL(g, k, f, d, doc) {g, k, KEY_BOOL, OFF(f), d, 0, 0, NULL, NULL, doc, 0}
/* The same for keys hashed only when set (KEY_HASH_IF_SET). */
#define INT_NEW(g, k, f, d, lo, hi, doc) {g, k, KEY_INT, OFF(f), d, lo, hi, NULL, NULL, doc, KEY_HASH_IF_SET}
#define ENUM_NEW(g, k, f, d, names, doc) {g, k, KEY_ENUM, OFF(f), d, 0, 0, names, NULL, doc, KEY_HASH_IF_SET}
/* An enum whose names come from a registry (storage models, ...). */
#define ENUM_REG(g, k, f, d, fn, doc) {g, k, KEY_ENUM, OFF(f), d, 0, 0, NULL, fn, doc, 0}
#define ENUM_REG_NEW(g, k, f, d, fn, doc) {g, k, KEY_ENUM, OFF(f), d, 0, 0, NULL, fn, doc, KEY_HASH_IF_SET}
#define BOOL_NEW(g, k, f, d, doc) {g, k, KEY_BOOL, OFF(f), d, 0, 0, NULL, NULL, doc, KEY_HASH_IF_SET}

static const key_spec static_keys[] = {
    {"scenario", "name", KEY_STRING, OFF(name), "", 0, 0, NULL, NULL,
     "Short name shown in reports; defaults to the file name.", 0},
    {"scenario", "description", KEY_STRING, OFF(description), "", 0, 0, NULL, NULL,
     "One line saying what the scenario shows.", 0},
    INT("scenario", "tabs", tabs, "3", 1, 64, "Number of tabs (SDK instances) sharing one localStorage."),

    ENUM_REG("mutex", "algorithm", algorithm, "seed", sim_algorithm_names,
             "Mutex guarding the event store (or, in mode lock, taken alone); each algorithm's settings live in "
             "the group named after it ([seed], [lamport], ...): see the groups below and docs/algorithms.md."),
    ENUM("mutex", "cross_tab_safety", cross_tab_safety, "auto", safety_names,
         "auto enables the mutex when storage is usable; on always; off never (unlocked methods everywhere)."),

    {"js", "module", KEY_STRING, OFF(js_module), "", 0, 0, NULL, NULL,
     "[mutex] algorithm = js: the adapter, a CommonJS file whose export is (tab) => ({ lock, unlock }); a path "
     "relative to the scenario file (docs/javascript.md).", KEY_HASH_IF_SET},
    {"js", "events_key", KEY_STRING, OFF(js_events_key), "", 0, 0, NULL, NULL,
     "[workload] mode = js-events: the storage key under which the adapter's store keeps its events, as JSON "
     "{\"events\": [{\"id\": ...}, ...]} (the checks read the ids there at the end).", KEY_HASH_IF_SET},

    INT("storage", "latency_us_min", storage_latency_us_min, "10", 0, 10000000,
        "Least virtual time one storage call takes, in microseconds."),
    INT("storage", "latency_us_max", storage_latency_us_max, "100", 0, 10000000,
        "Most virtual time one storage call takes, in microseconds."),
    INT("storage", "quota_bytes", quota_bytes, "5242880", 0, INT64_C(1) << 40,
        "Per-origin quota: keys plus values, in bytes; 0 means none. setItem beyond it fails (QuotaExceededError)."),
    BOOL("storage", "unavailable", storage_unavailable, "false",
         "Every storage call fails as when localStorage is disabled."),
    ENUM_REG_NEW("storage", "model", storage_model, "linearizable", sim_storage_model_names,
             "(made from the registered models' docs: registry_doc)"),
    INT_NEW("storage", "delivery_us_min", delivery_us_min, "0", 0, INT64_C(3600000000),
            "cached, timed runs: least time before a write can reach another tab's cache; snapshot: before a "
            "task's checkpoint can reach the datastore; in microseconds."),
    INT_NEW("storage", "delivery_us_max", delivery_us_max, "5000", 0, INT64_C(3600000000),
            "cached, timed runs: by this time after it was made, a write has reached every other tab's cache "
            "(at that tab's next task); snapshot: a checkpoint has reached the datastore (seen by every snapshot "
            "taken later); in microseconds."),

    ENUM_REG("workload", "mode", workload_mode, "events", sim_program_names,
         "(made from the registered programs' docs: registry_doc)"),
    INT("workload", "start_ms_max", start_ms_max, "100", 0, DAY_MS, "Each tab starts at a time in [0, start_ms_max]."),
    INT("workload", "events_per_tab", events_per_tab, "5", 0, 1000000, "Events each tab adds (modes events, js-events)."),
    INT("workload", "interval_ms_min", interval_ms_min, "0", 0, DAY_MS, "Least wait before each add or lock."),
    INT("workload", "interval_ms_max", interval_ms_max, "1000", 0, DAY_MS, "Most wait before each add or lock."),
    INT("workload", "locks_per_tab", locks_per_tab, "5", 0, 100000000, "Lock acquisitions each tab makes (mode lock)."),
    BOOL_NEW("workload", "forever", forever, "false",
             "Mode lock: each tab takes and releases the lock for ever (locks_per_tab does not apply). tabsim "
             "check then runs the starvation check, which explores the scenario's finite state graph and looks "
             "for a fair run in which a tab's request is never granted while others acquire "
             "(docs/model-checking.md#starvation)."),
    INT("workload", "hold_ms_min", hold_ms_min, "0", 0, DAY_MS, "Least time the lock is held (mode lock)."),
    INT("workload", "hold_ms_max", hold_ms_max, "0", 0, DAY_MS, "Most time the lock is held (mode lock)."),

    BOOL("flush", "enabled", flush_enabled, "true", "Whether each tab runs the periodic flush (mode events)."),
    INT("flush", "interval_ms", flush_interval_ms, "10000", 1, DAY_MS, "Time between flushes of one tab."),
    INT_NEW("flush", "count", flush_count, "0", 0, 1000000,
            "Flushes each tab makes, each after interval_ms, as part of the workload; 0 = the periodic flush, "
            "for ever. With a count the workload is bounded (events_per_tab adds and count flushes per tab): the "
            "run ends when every add and flush has finished, so an exhaustive search of adds and flushes is "
            "finite (docs/model-checking.md)."),
    INT("flush", "batch_max", batch_max, "0", 0, 1000000, "Events per send; 0 sends all stored events."),
    BOOL("flush", "send_under_lock", send_under_lock, "true",
         "true: read, send and delete under one lock; false: send outside the lock (the SDK branch)."),

    BOOL_NEW("flush", "keep_unstored", keep_unstored, "false",
             "What addEvent does with an event storage refuses (quota_bytes exceeded, storage unavailable): "
             "false drops it with a warning (the SDK as written: a lost event); true keeps it in the tab's "
             "memory and sends it with the next flush."),

    INT("server", "latency_ms_min", server_latency_ms_min, "50", 0, DAY_MS, "Least time a send takes."),
    INT("server", "latency_ms_max", server_latency_ms_max, "300", 0, DAY_MS, "Most time a send takes."),
    INT("server", "error_pct", server_error_pct, "0", 0, 100, "Percent of sends the server rejects (not delivered)."),
    INT("server", "timeout_pct", server_timeout_pct, "0", 0, 100,
        "Percent of sends that time out after delivery (the client cannot tell)."),

    INT_NEW("faults", "tab_close_max", tab_close_max, "0", 0, 64,
            "Tab crashes per run, at most: at any scheduling point a tab may be closed (its storage writes stay, "
            "its Web Locks are released, its unfinished adds do not count as added); 0 = none."),
    INT_NEW("faults", "tab_close_pct", tab_close_pct, "1", 0, 100,
            "Random and pct modes: percent chance, at each scheduling point, that the tab crashes there (while "
            "tab_close_max allows). Exhaustive search explores both outcomes at every point."),
    INT_NEW("faults", "tab_freeze_max", tab_freeze_max, "0", 0, 1000,
            "Tab freezes per run, at most: where the tab yields (an await, between tasks) it stops for a drawn "
            "time, then resumes unaware; 0 = none."),
    INT_NEW("faults", "tab_freeze_pct", tab_freeze_pct, "1", 0, 100,
            "Random and pct modes: percent chance, at each point where the tab yields, that it freezes there "
            "(while tab_freeze_max allows). Exhaustive search explores both outcomes at every point."),
    INT_NEW("faults", "freeze_ms_min", freeze_ms_min, "1000", 0, DAY_MS, "Shortest freeze."),
    INT_NEW("faults", "freeze_ms_max", freeze_ms_max, "10000", 0, DAY_MS, "Longest freeze."),
    INT_NEW("faults", "tab_stall_max", tab_stall_max, "0", 0, 1000,
            "Tab stalls per run, at most: in the middle of a task (at a storage call, between two statements of "
            "one synchronous run) the tab's renderer stops for a drawn time (an OS that deschedules it, a long "
            "garbage collection, a modal dialog), then the task goes on unaware, with the values it computed "
            "before; 0 = none."),
    INT_NEW("faults", "tab_stall_pct", tab_stall_pct, "1", 0, 100,
            "Random and pct modes: percent chance, at each storage call, that the tab stalls there (while "
            "tab_stall_max allows). Exhaustive search explores both outcomes at every call."),
    INT_NEW("faults", "stall_ms_min", stall_ms_min, "1000", 0, DAY_MS, "Shortest stall."),
    INT_NEW("faults", "stall_ms_max", stall_ms_max, "10000", 0, DAY_MS, "Longest stall."),
    INT_NEW("faults", "background_tabs", background_tabs, "0", 0, 64,
            "Background tabs (the highest-numbered ones): their timers are throttled; 0 = every tab in front."),
    INT_NEW("faults", "background_timer_ms_min", background_timer_ms_min, "1000", 0, DAY_MS,
            "Background throttling: a background tab's sleep lasts at least this long (browsers: about 1 s; "
            "Chrome's intensive throttling: 60 s)."),

    INT_NEW("faults", "tab_reload_max", tab_reload_max, "0", 0, 64,
            "Tab reloads per run, at most: where a tab yields (an await, between tasks) it may crash as with "
            "tab_close_max and then open again after reload_ms as a new instance (new client id, same storage) that goes on with "
            "the workload; 0 = none."),
    INT_NEW("faults", "tab_reload_pct", tab_reload_pct, "1", 0, 100,
            "Random and pct modes: percent chance, at each point where the tab yields, that it is reloaded there "
            "(while tab_reload_max allows). Exhaustive search explores both outcomes at every point."),
    INT_NEW("faults", "reload_ms_min", reload_ms_min, "100", 0, DAY_MS, "Shortest time a reloaded tab is away."),
    INT_NEW("faults", "reload_ms_max", reload_ms_max, "1000", 0, DAY_MS, "Longest time a reloaded tab is away."),
    INT_NEW("faults", "server_fault_max", server_fault_max, "0", 0, 1000,
            "Server faults per run, at most: a send is rejected (not delivered), times out after delivery (the "
            "client cannot tell), times out before delivery, or is slow (server_slow_ms); 0 = none. These come on "
            "top of [server] error_pct and timeout_pct."),
    INT_NEW("faults", "server_fault_pct", server_fault_pct, "5", 0, 100,
            "Random and pct modes: percent chance that a send is faulty (while server_fault_max allows). "
            "Exhaustive search explores every kind at every send."),
    INT_NEW("faults", "server_slow_ms", server_slow_ms, "10000", 0, DAY_MS, "How long a slow send takes."),

    INT("run", "drain_ms", drain_ms, "30000", 0, DAY_MS,
        "After the workload ends, time the tabs keep flushing before the final checks."),
    INT("run", "time_limit_ms", time_limit_ms, "3600000", 1, INT64_C(365) * DAY_MS,
        "Virtual time after which a run stops (the workload is cut short)."),
    INT("run", "steps_max", steps_max, G_STRINGIFY(SIM_STEPS_MAX_DEFAULT), 1, INT64_C(1) << 40, "Scheduling steps after which a run stops."),
    INT("run", "progress_bound_ms", progress_bound_ms, "120000", 1, INT64_C(365) * DAY_MS,
        "Progress invariant: a lock request must be granted or fail within this time."),

    ENUM("explore", "mode", explore_mode, "random", mode_names,
         "How tabsim check explores: random runs, exhaustive search (DPOR), or pct; --mode overrides."),
    ENUM("explore", "time", explore_time, "default", time_names,
         "Time semantics: default (untimed for exhaustive and pct, timed for random), timed or untimed; --time overrides."),
    INT("explore", "preemptions_max", preemptions_max, "-1", -1, 1000000,
        "Exhaustive: iterative context bounding up to this many preemptions; -1 = no bound."),
    INT("explore", "executions_max", executions_max, "0", 0, INT64_C(1) << 40,
        "Exhaustive: stop (verdict incomplete) after this many executions; 0 = no budget."),
    INT("explore", "pct_depth", pct_depth, "3", 1, 16, "PCT: bug depth d (d - 1 priority change points)."),
    BOOL("explore", "reduction", reduction, "true",
         "Exhaustive: partial-order reduction (source-DPOR + sleep sets; stateful: sleep sets); false explores "
         "every interleaving."),
    BOOL_NEW("explore", "stateful", stateful, "false",
         "Exhaustive: stateful search (--stateful): a visited set of 96-bit state digests prunes a state seen "
         "before, with sleep sets kept with the states (reduction; off with reduction = false), preemptions "
         "unbounded."),
    BOOL_NEW("explore", "symmetry", symmetry, "false",
         "Stateful: symmetry reduction (--symmetry): states equal up to a renaming of the tabs are one, where the "
         "tabs are interchangeable (mode lock with web-locks or none, linearizable storage, no background tabs; "
         "otherwise the verdict says why not); a write to storage gives it up at run time."),
    BOOL_NEW("explore", "quiet_steps", quiet_steps, "true",
             "Untimed: a step that has touched nothing yet (a task resuming from an await, running its own code) "
             "performs its first storage call at once instead of making it a step of its own (docs/"
             "model-checking.md, \"Quiet steps\"); false makes every storage call a step of its own, to compare."),
    BOOL("explore", "first", first, "false",
         "Stop at the first violation (as --first); [expect] violation = a, b then means one of them. Otherwise "
         "every claimed invariant is judged: exactly those are violated and the rest hold."),
    INT_NEW("explore", "states_max", states_max, "1000000", 1, INT64_C(1) << 31,
            "Starvation check ([workload] forever): states of the graph after which it is cut; a cut graph "
            "gives starvation or incomplete, never its absence."),
    INT("check", "runs", runs, "200", 1, INT64_C(1) << 40, "Random runs that tabsim check makes."),
    INT("check", "seed", seed, "1", 0, INT64_MAX, "Base seed of the runs; run i uses a seed derived from it and i."),

    {"expect", "violation", KEY_INVSET, 0, "none", 0, 0, sim_invariant_names, NULL,
     "Expected outcome: none (every invariant holds), any, or a comma list of "
     "mutual-exclusion, lost-event, duplicate, progress (one of them is violated); with [workload] forever = "
     "true, none or starvation (some tab's lock request is never granted on a fair infinite run).", 0},
};

/* The groups of the fixed keys, in order; each algorithm's group comes
 * right after [mutex]. */
static const char *const static_groups[] = {"scenario", "mutex", "js", "storage", "workload", "flush",
                                            "server", "faults", "run", "explore", "check", "expect", NULL};

static key_type setting_type(xt_setting_type t)
{
    return t == XT_SETTING_INT ? KEY_INT : t == XT_SETTING_BOOL ? KEY_BOOL : KEY_ENUM;
}

/* The fixed rows, with every registered algorithm's settings inserted
 * after the [mutex] rows as a group of its own. */
/* The meaning of a key whose values are a registry's ([storage] model,
 * [workload] mode): each entry's own sentence, so that a model or program
 * added to its registry is described where it is selected.  NULL for any
 * other key.  Made once, with the table, which lives as long as the
 * process. */
static const char *registry_doc(const key_spec *k)
{
    GString *d = g_string_new(NULL);
    if (strcmp(k->group, "storage") == 0 && strcmp(k->key, "model") == 0) {
        for (size_t i = 0; sim_storage_models[i]; i++)
            g_string_append_printf(d, "%s%s: %s", i ? "; " : "", sim_storage_models[i]->name, sim_storage_models[i]->doc);
        g_string_append(d, " (docs/browser-model.md).");
    } else if (strcmp(k->group, "workload") == 0 && strcmp(k->key, "mode") == 0) {
        for (size_t i = 0; sim_programs[i]; i++)
            g_string_append_printf(d, "%s%s: %s", i ? "; " : "", sim_programs[i]->name, sim_programs[i]->doc);
        g_string_append(d, ".");
    } else {
        g_string_free(d, TRUE);
        return NULL;
    }
    return g_string_free(d, FALSE);
}

static void table_build(key_table *t)
{
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(key_spec));
    GPtrArray *groups = g_ptr_array_new();
    size_t n_static = G_N_ELEMENTS(static_keys);
    for (size_t i = 0; i < n_static; i++) {
        key_spec row = static_keys[i];
        const char *doc = registry_doc(&row);
        if (doc)
            row.doc = doc;
        g_array_append_val(rows, row);
        gboolean last_mutex = strcmp(static_keys[i].group, "mutex") == 0 &&
                              (i + 1 == n_static || strcmp(static_keys[i + 1].group, "mutex") != 0);
        if (!last_mutex)
            continue;
        for (size_t a = 0; sim_algorithms[a]; a++) {
            const xt_mutex_algorithm *alg = sim_algorithms[a];
            for (size_t j = 0; alg->settings[j].key; j++) {
                const xt_setting *x = &alg->settings[j];
                g_assert(j < SIM_SETTINGS_MAX);
                key_spec k = {alg->name, x->key, setting_type(x->type),
                              OFF(alg_values) + (a * SIM_SETTINGS_MAX + j) * sizeof(int64_t), x->def, x->min, x->max,
                              x->names, NULL, x->doc, KEY_ALGORITHM};
                g_array_append_val(rows, k);
            }
        }
    }
    for (size_t i = 0; static_groups[i]; i++) {
        g_ptr_array_add(groups, (gpointer)static_groups[i]);
        if (strcmp(static_groups[i], "mutex") == 0)
            for (size_t a = 0; sim_algorithms[a]; a++)
                if (sim_algorithms[a]->settings[0].key)
                    g_ptr_array_add(groups, (gpointer)sim_algorithms[a]->name);
    }
    g_ptr_array_add(groups, NULL);
    t->n = rows->len;
    t->rows = (const key_spec *)g_array_free(rows, FALSE);
    t->groups = (const char *const *)g_ptr_array_free(groups, FALSE);
}

const key_table *sim_scenario_key_table(void)
{
    static key_table table;
    static gsize built = 0;
    if (g_once_init_enter(&built)) {
        table_build(&table);
        g_once_init_leave(&built, 1);
    }
    return &table;
}
