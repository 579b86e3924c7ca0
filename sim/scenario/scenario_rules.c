/*
 * scenario_rules.c - keys mean one thing: the checks that refuse a key the
 * scenario sets but does not use.
 *
 * A key silently ignored makes a scenario test something other than its
 * author believes.  So a group of settings of an algorithm the scenario
 * does not run (other than its fall-back's) is refused, and so is a key
 * that tunes a storage model or fault the scenario does not enable (a
 * delivery delay on linearizable storage, a freeze length without
 * freezes, a flush count without flushes), each naming what would enable
 * it.  Only keys written in the file are judged: defaults never are.
 */
#include <stddef.h>
#include <string.h>

#include "sim/browser/storage_model.h"
#include "sim/error.h"
#include "sim/js/js_mutex.h"
#include "sim/js/js_store.h"
#include "sim/programs/algorithms.h"
#include "sim/programs/program.h"
#include "sim/scenario/scenario_keys.h"

#define OFF(field) offsetof(sim_scenario, field)

/* A group of settings of an algorithm the scenario does not run is an
 * error: its author believes they apply. */
gboolean sim_scenario_groups_used(const sim_scenario *s, const char *const *groups, GError **error)
{
    const xt_mutex_algorithm *alg = sim_scenario_algorithm(s);
    for (int i = 0; groups[i]; i++) {
        for (int a = 0; sim_algorithms[a]; a++) {
            const xt_mutex_algorithm *other = sim_algorithms[a];
            if (strcmp(groups[i], other->name) != 0 || other == alg || other == alg->fallback)
                continue;
            g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                        "%s: [%s]: settings of algorithm %s, but [mutex] algorithm = %s, which does not use "
                        "them; allowed: [%s]%s%s%s, or set [mutex] algorithm = %s",
                        s->path, groups[i], other->name, alg->name, alg->name,
                        alg->fallback ? " and its fall-back's [" : "", alg->fallback ? alg->fallback->name : "",
                        alg->fallback ? "]" : "", other->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* Keys that only mean something when another key enables what they tune. */
typedef struct key_need {
    const char *group, *key;
    size_t field;       /* int64_t field that must be > 0 */
    const char *needs;  /* what the message says must be set */
} key_need;

static const key_need needs[] = {
    {"faults", "tab_close_pct", OFF(tab_close_max), "[faults] tab_close_max > 0"},
    {"faults", "tab_freeze_pct", OFF(tab_freeze_max), "[faults] tab_freeze_max > 0"},
    {"faults", "freeze_ms_min", OFF(tab_freeze_max), "[faults] tab_freeze_max > 0"},
    {"faults", "freeze_ms_max", OFF(tab_freeze_max), "[faults] tab_freeze_max > 0"},
    {"faults", "tab_stall_pct", OFF(tab_stall_max), "[faults] tab_stall_max > 0"},
    {"faults", "stall_ms_min", OFF(tab_stall_max), "[faults] tab_stall_max > 0"},
    {"faults", "stall_ms_max", OFF(tab_stall_max), "[faults] tab_stall_max > 0"},
    {"faults", "background_timer_ms_min", OFF(background_tabs), "[faults] background_tabs > 0"},
    {"faults", "tab_reload_pct", OFF(tab_reload_max), "[faults] tab_reload_max > 0"},
    {"faults", "reload_ms_min", OFF(tab_reload_max), "[faults] tab_reload_max > 0"},
    {"faults", "reload_ms_max", OFF(tab_reload_max), "[faults] tab_reload_max > 0"},
    {"faults", "server_fault_pct", OFF(server_fault_max), "[faults] server_fault_max > 0"},
    {"faults", "server_slow_ms", OFF(server_fault_max), "[faults] server_fault_max > 0"},
};

/* Whether a program's key list has group.key (or group.*). */
static gboolean program_has(const sim_program_ops *p, const char *group, const char *key)
{
    for (int i = 0; p->keys && p->keys[i]; i++) {
        const char *dot = strchr(p->keys[i], '.');
        size_t n = (size_t)(dot - p->keys[i]);
        if (strlen(group) == n && strncmp(p->keys[i], group, n) == 0 &&
            (strcmp(dot + 1, "*") == 0 || strcmp(dot + 1, key) == 0))
            return TRUE;
    }
    return FALSE;
}

/* A key that only another program uses ([flush] under mode = lock). */
static gboolean keys_of_program_used(const sim_scenario *s, GKeyFile *kf, GError **error)
{
    const sim_program_ops *mine = sim_programs[s->workload_mode];
    gsize n_groups = 0;
    char **groups = g_key_file_get_groups(kf, &n_groups);
    gboolean ok = TRUE;
    for (gsize g = 0; ok && g < n_groups; g++) {
        char **keys = g_key_file_get_keys(kf, groups[g], NULL, NULL);
        for (int k = 0; ok && keys && keys[k]; k++) {
            if (program_has(mine, groups[g], keys[k]))
                continue;
            for (int p = 0; ok && sim_programs[p]; p++) {
                if (!program_has(sim_programs[p], groups[g], keys[k]))
                    continue;
                g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                            "%s: [%s] %s: used only by [workload] mode = %s, but this scenario's mode is %s; "
                            "allowed: remove it, or set [workload] mode = %s",
                            s->path, groups[g], keys[k], sim_programs[p]->name, mine->name, sim_programs[p]->name);
                ok = FALSE;
            }
        }
        g_strfreev(keys);
    }
    g_strfreev(groups);
    return ok;
}

/* [js] module: required by [mutex] algorithm = js, and a regular file.
 * (Under another algorithm, sim_scenario_groups_used refuses a [js] group
 * as it refuses any other algorithm's group.) */
static gboolean js_module_checked(const sim_scenario *s, GError **error)
{
    if (sim_programs[s->workload_mode] == &sim_program_js_store) {
        if (sim_scenario_algorithm(s) != &sim_js_algorithm) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                        "%s: [mutex] algorithm: %s, but [workload] mode = js-events runs the event store of a "
                        "JavaScript adapter; allowed: [mutex] algorithm = js with [js] module",
                        s->path, sim_scenario_algorithm(s)->name);
            return FALSE;
        }
        if (!s->js_events_key || !*s->js_events_key) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                        "%s: [js] events_key: missing; [workload] mode = js-events needs the storage key under "
                        "which the adapter's store keeps its events (the checks read them there)",
                        s->path);
            return FALSE;
        }
    }
    if (sim_scenario_algorithm(s) != &sim_js_algorithm)
        return TRUE;
    char *file = sim_js_module_path(s);
    if (!file) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [js] module: missing; [mutex] algorithm = js needs it; allowed: the path of an adapter "
                    "file (CommonJS or an ES module), relative to the scenario file (docs/javascript.md)",
                    s->path);
        return FALSE;
    }
    gboolean ok = g_file_test(file, G_FILE_TEST_IS_REGULAR);
    if (!ok)
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "%s: [js] module: %s: %s (looked for %s); allowed: the path of an adapter file (CommonJS or "
                    "an ES module), relative to the scenario file",
                    s->path, s->js_module, g_file_test(file, G_FILE_TEST_IS_DIR) ? "a directory, not a file" : "no such file",
                    file);
    g_free(file);
    return ok;
}

/* A key the scenario sets for a model or fault it does not use is an
 * error naming what would enable it; so is throttling more tabs than
 * there are. */
/* [storage] delivery_us_min and _max: only under a model whose writes
 * travel (sim_storage_model_ops.delivers). */
static gboolean delivery_keys_used(const sim_scenario *s, GKeyFile *kf, GError **error)
{
    static const char *const keys[] = {"delivery_us_min", "delivery_us_max"};
    if (sim_storage_models[s->storage_model]->delivers)
        return TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (!g_key_file_has_key(kf, "storage", keys[i], NULL))
            continue;
        GString *models = g_string_new(NULL);
        for (int m = 0; sim_storage_models[m]; m++)
            if (sim_storage_models[m]->delivers)
                g_string_append_printf(models, "%s%s", models->len ? " or " : "", sim_storage_models[m]->name);
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [storage] %s: has no effect in this scenario; allowed: only with [storage] model = %s",
                    s->path, keys[i], models->str);
        g_string_free(models, TRUE);
        return FALSE;
    }
    return TRUE;
}

gboolean sim_scenario_keys_used(const sim_scenario *s, GKeyFile *kf, GError **error)
{
    if (!delivery_keys_used(s, kf, error))
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(needs); i++) {
        if (!g_key_file_has_key(kf, needs[i].group, needs[i].key, NULL))
            continue;
        if (*(const int64_t *)((const char *)s + needs[i].field) > 0)
            continue;
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [%s] %s: has no effect in this scenario; allowed: only with %s", s->path,
                    needs[i].group, needs[i].key, needs[i].needs);
        return FALSE;
    }
    if (!keys_of_program_used(s, kf, error) || !js_module_checked(s, error))
        return FALSE;
    if (g_key_file_has_key(kf, "explore", "states_max", NULL) && !s->forever) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [explore] states_max: has no effect in this scenario (it bounds the starvation check's "
                    "graph); allowed: only with [workload] forever = true (the stateful search's bound is "
                    "--state-memory)",
                    s->path);
        return FALSE;
    }
    if (g_key_file_has_key(kf, "flush", "count", NULL) && !s->flush_enabled) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [flush] count: has no effect in this scenario; allowed: only with [flush] enabled = true",
                    s->path);
        return FALSE;
    }
    if (s->background_tabs > s->tabs) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [faults] background_tabs: %" G_GINT64_FORMAT " is more than the %" G_GINT64_FORMAT
                    " tabs; allowed: 0 to [scenario] tabs",
                    s->path, s->background_tabs, s->tabs);
        return FALSE;
    }
    return TRUE;
}

char *sim_scenario_seeds_refused(uint64_t base, int64_t runs, const char *given, const char *per)
{
    if (runs < 1 || base <= (uint64_t)(G_MAXINT64 - (runs - 1)))
        return NULL;
    return g_strdup_printf("%s %" G_GUINT64_FORMAT " with %" G_GINT64_FORMAT " %s: the last run's seed would be past %"
                           G_GINT64_FORMAT ", which --seed does not take back; allowed: a seed of at most %"
                           G_GINT64_FORMAT " for these runs",
                           given, base, (gint64)runs, per, G_MAXINT64, (gint64)(G_MAXINT64 - (runs - 1)));
}
