/*
 * sim/scenario/scenario.h - a scenario: what to simulate and what to expect.
 *
 * Scenarios are GKeyFile (.ini) files.  Every key lives in one table
 * (scenario_keys.c) with its type, default, range and meaning; the loader,
 * the validation errors, the canonical dump (hashed into replay tokens) and
 * the reference in docs/ all come from that table, so they cannot drift.
 * Every key has a default: a minimal scenario is a few lines.  Times are in
 * milliseconds unless the key says _us (microseconds of virtual time).
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <glib.h>
#include <stdint.h>

/* Mutex algorithms a scenario can name: the registry of
 * sim/programs/algorithms.c, at most this many. */
#define SIM_ALGS_MAX 16
#define SIM_SETTINGS_MAX 8 /* = XT_SETTINGS_MAX (xt/mutex_algorithm.h) */

/* Invariants, as bits, so [expect] can name a set. */
typedef enum sim_invariant {
    SIM_INV_MUTUAL_EXCLUSION = 1u << 0,
    SIM_INV_LOST_EVENT = 1u << 1,
    SIM_INV_DUPLICATE = 1u << 2,
    SIM_INV_PROGRESS = 1u << 3
} sim_invariant;
#define SIM_INV_COUNT 4

/* [run] steps_max when the scenario does not set it. */
#define SIM_STEPS_MAX_DEFAULT 10000000

typedef struct sim_scenario {
    char *path;           /* the file it came from */
    uint32_t hash;        /* sim_scenario_hash, kept current by load and set */
    char *name;
    char *description;
    int64_t tabs;

    /* [mutex] */
    int64_t algorithm;    /* index in sim_algorithms (sim/programs/algorithms.h) */
    int64_t cross_tab_safety; /* xt_cross_tab_safety */
    /* [<algorithm>]: each algorithm's settings, in its declaration order
     * (xt_mutex_algorithm.settings); every algorithm's are kept, so that a
     * sweep may vary [mutex] algorithm. */
    int64_t alg_values[SIM_ALGS_MAX][SIM_SETTINGS_MAX];

    /* [js] (algorithm js) */
    char *js_module;      /* the adapter, as written: relative to the file's folder */
    char *js_events_key;  /* [workload] mode = js-events: where the store keeps its events */

    /* [storage] */
    int64_t storage_latency_us_min, storage_latency_us_max;
    int64_t quota_bytes;
    gboolean storage_unavailable;
    int64_t storage_model;   /* index in sim_storage_models (sim/browser/storage_model.h) */
    int64_t delivery_us_min, delivery_us_max;

    /* [workload] */
    int64_t workload_mode; /* index in sim_programs (sim/programs/program.h) */
    int64_t start_ms_max;
    int64_t events_per_tab;
    int64_t interval_ms_min, interval_ms_max;
    int64_t locks_per_tab;
    gboolean forever;         /* mode lock: each tab takes the lock for ever (the starvation check) */
    int64_t hold_ms_min, hold_ms_max;

    /* [flush] */
    gboolean flush_enabled;
    int64_t flush_interval_ms;
    int64_t batch_max;
    gboolean send_under_lock;
    gboolean keep_unstored;
    int64_t flush_count;      /* flushes per tab; 0 = the periodic flush, for ever */

    /* [server] */
    int64_t server_latency_ms_min, server_latency_ms_max;
    int64_t server_error_pct;
    int64_t server_timeout_pct;

    /* [faults] (zero max = off: no choices at all) */
    int64_t tab_close_max, tab_close_pct;
    int64_t tab_freeze_max, tab_freeze_pct;
    int64_t freeze_ms_min, freeze_ms_max;
    int64_t tab_stall_max, tab_stall_pct;
    int64_t stall_ms_min, stall_ms_max;
    int64_t background_tabs;   /* the last this many tabs are in the background */
    int64_t background_timer_ms_min; /* their timers fire no sooner than this */
    int64_t tab_reload_max, tab_reload_pct;
    int64_t reload_ms_min, reload_ms_max;
    int64_t server_fault_max, server_fault_pct, server_slow_ms;

    /* [run] */
    int64_t drain_ms;
    int64_t time_limit_ms;
    int64_t steps_max;      /* [run] steps_max; SIM_STEPS_MAX_DEFAULT when not set */
    int64_t progress_bound_ms;

    /* [explore] */
    int64_t explore_mode;      /* sim_mode */
    int64_t explore_time;      /* sim_time_model */
    int64_t preemptions_max;   /* -1 = none */
    int64_t executions_max;    /* 0 = none */
    int64_t pct_depth;
    gboolean reduction;
    gboolean stateful;         /* [explore] stateful: exhaustive search with a visited-state set */
    gboolean symmetry;         /* [explore] symmetry: stateful, states equal up to renaming tabs are one */
    gboolean quiet_steps;      /* [explore] quiet_steps: the rule of quiet steps (world.h) */
    gboolean first;            /* [explore] first: stop at the first violation */
    int64_t states_max;        /* starvation check: states of the graph before it is cut */

    /* [check] */
    int64_t runs;
    int64_t seed;

    /* [expect] */
    guint expect_violations; /* sim_invariant bits; 0 = every invariant holds */
    gboolean expect_any;     /* "violation = any": any violation is expected */
    gboolean expect_starvation; /* "violation = starvation": the starvation check finds a starving tab */
} sim_scenario;

/* Load and validate; on error, a message naming the file, group and key,
 * what was wrong and what is allowed (SIM_ERROR domain). */
sim_scenario *sim_scenario_load(const char *path, GError **error);
/* The same from text (the path names it in errors). */
sim_scenario *sim_scenario_load_data(const char *path, const char *data, gsize len, GError **error);
sim_scenario *sim_scenario_new_default(void);
void sim_scenario_free(sim_scenario *scenario);

/* Set one key from text "group.key=value" style (used by sweeps and tests). */
gboolean sim_scenario_set(sim_scenario *scenario, const char *group, const char *key,
                          const char *value, GError **error);

/* The value of one key as text ("seed", "3"); NULL with SIM_ERROR_KEY when
 * the key is unknown.  Caller frees. */
char *sim_scenario_get(const sim_scenario *scenario, const char *group, const char *key, GError **error);
/* The checks across keys that loading makes (min <= max pairs, ...), for a
 * scenario changed by sim_scenario_set. */
gboolean sim_scenario_check(sim_scenario *scenario, GError **error);

/* Runs with seeds base .. base + runs - 1 print each seed for `tabsim run
 * --seed` and `check --seed` to take back, which take at most G_MAXINT64:
 * NULL when every one is such a seed, else why not and what is allowed
 * (scenario_rules.c; caller frees).  given: what set the base ("--seed",
 * "[check] seed"); per: how runs counts ("runs", "runs a point"). */
char *sim_scenario_seeds_refused(uint64_t base, int64_t runs, const char *given, const char *per);

/* "group.key = value" lines for every key, in table order. */
char *sim_scenario_dump(const sim_scenario *scenario);
/* FNV-1a of the keys that change what a run does: tokens carry it. */
uint32_t sim_scenario_hash(const sim_scenario *scenario);
static inline uint32_t sim_scenario_hash_cached(const sim_scenario *scenario) { return scenario->hash; }

const char *sim_invariant_name(sim_invariant inv);
/* The [mutex] algorithm value as written in scenarios ("web-locks"). */
const char *sim_algorithm_name(int64_t algorithm);
/* The value of setting key of the scenario's algorithm (or of its
 * fallback's), as text; NULL when it has none.  Caller frees. */
char *sim_scenario_setting_text(const sim_scenario *scenario, const char *key);
/* Whether the browser offers navigator.locks ([web-locks] available). */
gboolean sim_scenario_web_locks_available(const sim_scenario *scenario);
/* "mutual-exclusion,lost-event" or "none" for 0; caller frees. */
char *sim_invariant_set_text(guint set);

/* Markdown reference of every group and key (docs/scenario-reference.md). */
char *sim_scenario_reference_markdown(void);

#endif
