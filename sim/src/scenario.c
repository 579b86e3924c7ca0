/*
 * scenario.c - table-driven scenario loader; see sim/scenario.h.
 *
 * Strictness is the point: a misspelt key silently ignored would make a
 * scenario test something else than its author believes, and CI would trust
 * the verdict.  So every group and key must be in the table, every value is
 * parsed whole and range-checked, and pairs (min/max) must be ordered.  The
 * first error wins and names file, group, key, the value, and what is
 * allowed.
 */
#include "sim/scenario.h"

#include <stddef.h>
#include <string.h>

#include "sim/error.h"

GQuark sim_error_quark(void)
{
    return g_quark_from_static_string("tabsim-error");
}

typedef enum key_type { KEY_INT, KEY_BOOL, KEY_ENUM, KEY_STRING, KEY_INVSET } key_type;

typedef struct key_spec {
    const char *group;
    const char *key;
    key_type type;
    size_t offset;
    const char *def;
    int64_t min, max;            /* KEY_INT */
    const char *const *names;    /* KEY_ENUM: NULL-terminated */
    const char *doc;
    unsigned flags;              /* KEY_HASH_* */
} key_spec;

/* Keys added after replay tokens were published enter the scenario hash
 * only when set to something other than their default, so the tokens of
 * every scenario that does not use them stay valid. */
#define KEY_HASH_IF_SET 1u

static const char *const algorithm_names[] = {"none", "seed", "lamport", "web-locks", "bucketeer-branch", NULL};
static const char *const storage_model_names[] = {"linearizable", "cached", NULL};
static const char *const web_locks_request_names[] = {"wait", "if-available", "steal", NULL};
static const char *const lamport_omit_names[] = {"none", "b-wait", "y-recheck", NULL};
static const char *const safety_names[] = {"auto", "on", "off", NULL};
static const char *const backoff_names[] = {"exponential", "constant", NULL};
static const char *const unlock_names[] = {"clear-x", "clear-y", "clear-both", NULL};
static const char *const expired_y_names[] = {"free", "held", NULL};
static const char *const workload_names[] = {"events", "lock", NULL};
static const char *const mode_names[] = {"random", "exhaustive", "pct", NULL};
static const char *const time_names[] = {"default", "timed", "untimed", NULL};
static const char *const invariant_names[] = {"mutual-exclusion", "lost-event", "duplicate",
                                              "progress", NULL};

#define OFF(field) offsetof(sim_scenario, field)
#define DAY_MS 86400000
#define INT(g, k, f, d, lo, hi, doc) {g, k, KEY_INT, OFF(f), d, lo, hi, NULL, doc, 0}
#define ENUM(g, k, f, d, names, doc) {g, k, KEY_ENUM, OFF(f), d, 0, 0, names, doc, 0}
#define BOOL(g, k, f, d, doc) {g, k, KEY_BOOL, OFF(f), d, 0, 0, NULL, doc, 0}
/* The same for keys hashed only when set (KEY_HASH_IF_SET). */
#define INT_NEW(g, k, f, d, lo, hi, doc) {g, k, KEY_INT, OFF(f), d, lo, hi, NULL, doc, KEY_HASH_IF_SET}
#define ENUM_NEW(g, k, f, d, names, doc) {g, k, KEY_ENUM, OFF(f), d, 0, 0, names, doc, KEY_HASH_IF_SET}
#define BOOL_NEW(g, k, f, d, doc) {g, k, KEY_BOOL, OFF(f), d, 0, 0, NULL, doc, KEY_HASH_IF_SET}

static const key_spec keys[] = {
    {"scenario", "name", KEY_STRING, OFF(name), "", 0, 0, NULL,
     "Short name shown in reports; defaults to the file name.", 0},
    {"scenario", "description", KEY_STRING, OFF(description), "", 0, 0, NULL,
     "One line saying what the scenario shows.", 0},
    INT("scenario", "tabs", tabs, "3", 1, 64, "Number of tabs (SDK instances) sharing one localStorage."),

    ENUM("mutex", "algorithm", algorithm, "seed", algorithm_names,
         "Mutex guarding the event store: none (the root-cause baseline), seed (the seed document's CrossTabMutex), "
         "lamport (Lamport's 1987 fast mutex with b[i] flags), web-locks (navigator.locks, the seed's future "
         "enhancement; falls back to seed when web_locks_available is false) or bucketeer-branch (the SDK branch's "
         "CrossTabMutex: one JSON key {x, y, timestamp}, constant retry interval; the SDK wires timeout_ms = 3000, "
         "retries_max = 60)."),
    ENUM("mutex", "cross_tab_safety", cross_tab_safety, "auto", safety_names,
         "auto enables the mutex when storage is usable; on always; off never (unlocked methods everywhere)."),
    INT("mutex", "timeout_ms", timeout_ms, "5000", 1, DAY_MS, "Lock expiry: how long a written X or Y value stays valid."),
    INT("mutex", "lock_check_interval_ms", lock_check_interval_ms, "50", 0, DAY_MS,
        "First wait between attempts (then doubled under exponential backoff)."),
    INT("mutex", "backoff_max_ms", backoff_max_ms, "1000", 0, DAY_MS, "Cap of one exponential-backoff wait."),
    INT("mutex", "retries_max", retries_max, "100", 1, 1000000, "Attempts before lock() fails and the caller falls back."),
    ENUM("mutex", "backoff", backoff, "exponential", backoff_names,
         "exponential (seed: \"retries with exponential backoff\") or constant (the diagram's \"Wait 50ms\")."),
    ENUM("mutex", "unlock", unlock, "clear-x", unlock_names,
         "What unlock removes: clear-x (the diagram's \"Release lock (clear X)\"), clear-y (Lamport's y := 0), clear-both."),
    ENUM("mutex", "expired_y", expired_y, "free", expired_y_names,
         "Whether an expired Y counts as available in step 2: free (locks expire) or held (only an empty Y is)."),
    ENUM("mutex", "lamport_omit", lamport_omit, "none", lamport_omit_names,
         "lamport only: none (the full algorithm), or a statement left out to show why it is needed: b-wait "
         "(Algorithm 1 without its delay) or y-recheck (the final y != i check)."),
    ENUM_NEW("mutex", "web_locks_request", web_locks_request, "wait", web_locks_request_names,
             "web-locks only: how navigator.locks.request is called: wait (await the grant), if-available "
             "({ifAvailable: true}: fail at once when taken, then fall back) or steal ({steal: true})."),
    BOOL_NEW("mutex", "web_locks_available", web_locks_available, "true",
             "Whether the browser offers navigator.locks; when false, web-locks falls back to the seed mutex."),

    INT("storage", "latency_us_min", storage_latency_us_min, "10", 0, 10000000,
        "Least virtual time one storage call takes, in microseconds."),
    INT("storage", "latency_us_max", storage_latency_us_max, "100", 0, 10000000,
        "Most virtual time one storage call takes, in microseconds."),
    INT("storage", "quota_bytes", quota_bytes, "5242880", 0, INT64_C(1) << 40,
        "Per-origin quota: keys plus values, in bytes; 0 means none. setItem beyond it fails (QuotaExceededError)."),
    BOOL("storage", "unavailable", storage_unavailable, "false",
         "Every storage call fails as when localStorage is disabled."),
    ENUM_NEW("storage", "model", storage_model, "linearizable", storage_model_names,
             "linearizable: one shared map, every call atomic; cached: Chromium's multi-process model, a cache "
             "per tab that other tabs' writes reach later, in order (docs/browser-model.md)."),
    INT_NEW("storage", "delivery_us_min", delivery_us_min, "0", 0, INT64_C(3600000000),
            "cached, timed runs: least time before a write can reach another tab's cache, in microseconds."),
    INT_NEW("storage", "delivery_us_max", delivery_us_max, "5000", 0, INT64_C(3600000000),
            "cached, timed runs: by this time after it was made, a write has reached every other tab's cache "
            "(at that tab's next task), in microseconds."),

    ENUM("workload", "mode", workload_mode, "events", workload_names,
         "events: tabs add events and flush them; lock: tabs only take and release the lock."),
    INT("workload", "start_ms_max", start_ms_max, "100", 0, DAY_MS, "Each tab starts at a time in [0, start_ms_max]."),
    INT("workload", "events_per_tab", events_per_tab, "5", 0, 1000000, "Events each tab adds (mode events)."),
    INT("workload", "interval_ms_min", interval_ms_min, "0", 0, DAY_MS, "Least wait before each add or lock."),
    INT("workload", "interval_ms_max", interval_ms_max, "1000", 0, DAY_MS, "Most wait before each add or lock."),
    INT("workload", "locks_per_tab", locks_per_tab, "5", 0, 100000000, "Lock acquisitions each tab makes (mode lock)."),
    INT("workload", "hold_ms_min", hold_ms_min, "0", 0, DAY_MS, "Least time the lock is held (mode lock)."),
    INT("workload", "hold_ms_max", hold_ms_max, "0", 0, DAY_MS, "Most time the lock is held (mode lock)."),

    BOOL("flush", "enabled", flush_enabled, "true", "Whether each tab runs the periodic flush (mode events)."),
    INT("flush", "interval_ms", flush_interval_ms, "10000", 1, DAY_MS, "Time between flushes of one tab."),
    INT("flush", "batch_max", batch_max, "0", 0, 1000000, "Events per send; 0 sends all stored events."),
    BOOL("flush", "send_under_lock", send_under_lock, "true",
         "true: read, send and delete under one lock; false: send outside the lock (the SDK branch)."),

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
            "Tab freezes per run, at most: the tab stops for a drawn time, then resumes unaware; 0 = none."),
    INT_NEW("faults", "tab_freeze_pct", tab_freeze_pct, "1", 0, 100,
            "Random and pct modes: percent chance, at each scheduling point, that the tab freezes there (while "
            "tab_freeze_max allows). Exhaustive search explores both outcomes at every point."),
    INT_NEW("faults", "freeze_ms_min", freeze_ms_min, "1000", 0, DAY_MS, "Shortest freeze."),
    INT_NEW("faults", "freeze_ms_max", freeze_ms_max, "10000", 0, DAY_MS, "Longest freeze."),

    INT("run", "drain_ms", drain_ms, "30000", 0, DAY_MS,
        "After the workload ends, time the tabs keep flushing before the final checks."),
    INT("run", "time_limit_ms", time_limit_ms, "3600000", 1, INT64_C(365) * DAY_MS,
        "Virtual time after which a run stops (the workload is cut short)."),
    INT("run", "steps_max", steps_max, "10000000", 1, INT64_C(1) << 40, "Scheduling steps after which a run stops."),
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
         "Exhaustive: partial-order reduction (source-DPOR + sleep sets); false explores every interleaving."),
    INT("check", "runs", runs, "200", 1, INT64_C(1) << 40, "Random runs that tabsim check makes."),
    INT("check", "seed", seed, "1", 0, INT64_MAX, "Base seed of the runs; run i uses a seed derived from it and i."),

    {"expect", "violation", KEY_INVSET, 0, "none", 0, 0, invariant_names,
     "Expected outcome: none (every invariant holds), any, or a comma list of "
     "mutual-exclusion, lost-event, duplicate, progress (one of them is violated).", 0},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const groups[] = {"scenario", "mutex", "storage", "workload", "flush",
                                     "server", "faults", "run", "explore", "check", "expect", NULL};

const char *sim_algorithm_name(int64_t algorithm)
{
    if (algorithm < 0 || algorithm >= (int64_t)G_N_ELEMENTS(algorithm_names) - 1)
        return "?";
    return algorithm_names[algorithm];
}

const char *sim_invariant_name(sim_invariant inv)
{
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (inv == (1u << i))
            return invariant_names[i];
    return "?";
}

char *sim_invariant_set_text(guint set)
{
    if (set == 0)
        return g_strdup("none");
    GString *s = g_string_new(NULL);
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (set & (1u << i))
            g_string_append_printf(s, "%s%s", s->len ? "," : "", invariant_names[i]);
    return g_string_free(s, FALSE);
}

static char *allowed_text(const key_spec *k)
{
    switch (k->type) {
    case KEY_INT:
        return g_strdup_printf("an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, k->min, k->max);
    case KEY_BOOL:
        return g_strdup("true or false");
    case KEY_STRING:
        return g_strdup("any text");
    case KEY_ENUM:
    case KEY_INVSET: {
        char *joined = g_strjoinv(", ", (char **)k->names);
        char *s = g_strdup_printf(k->type == KEY_ENUM ? "one of %s"
                                                      : "none, any, or a comma list of %s", joined);
        g_free(joined);
        return s;
    }
    }
    return g_strdup("?");
}

static gboolean value_error(const char *path, const key_spec *k, const char *value,
                            const char *why, GError **error)
{
    char *allowed = allowed_text(k);
    g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: [%s] %s: \"%s\" %s; allowed: %s", path,
                k->group, k->key, value, why, allowed);
    g_free(allowed);
    return FALSE;
}

/* Parses into locals and assigns only on success: a refused value leaves
 * the previous expectation as it was. */
static gboolean parse_invset(sim_scenario *s, const char *path, const key_spec *k,
                             const char *value, GError **error)
{
    char *v = g_strstrip(g_strdup(value));
    gboolean any = FALSE;
    guint set = 0;
    gboolean ok = TRUE;
    if (strcmp(v, "none") == 0) {
        /* every invariant holds */
    } else if (strcmp(v, "any") == 0) {
        any = TRUE;
    } else {
        char **parts = g_strsplit(v, ",", -1);
        for (int i = 0; ok && parts[i]; i++) {
            char *p = g_strstrip(parts[i]);
            int found = -1;
            for (int j = 0; k->names[j]; j++)
                if (strcmp(p, k->names[j]) == 0)
                    found = j;
            if (found < 0)
                ok = value_error(path, k, value, *p ? "names an unknown invariant" : "has an empty item", error);
            else
                set |= 1u << found;
        }
        g_strfreev(parts);
    }
    g_free(v);
    if (ok) {
        s->expect_any = any;
        s->expect_violations = set;
    }
    return ok;
}

static gboolean key_apply(sim_scenario *s, const char *path, const key_spec *k, const char *raw,
                          GError **error)
{
    char *mem = (char *)s + k->offset;
    if (k->type == KEY_STRING) {
        g_free(*(char **)mem);
        *(char **)mem = g_strdup(raw);
        return TRUE;
    }
    if (k->type == KEY_INVSET)
        return parse_invset(s, path, k, raw, error);

    char *v = g_strstrip(g_strdup(raw));
    gboolean ok = TRUE;
    if (k->type == KEY_BOOL) {
        if (strcmp(v, "true") == 0)
            *(gboolean *)mem = TRUE;
        else if (strcmp(v, "false") == 0)
            *(gboolean *)mem = FALSE;
        else
            ok = value_error(path, k, raw, "is not a boolean", error);
    } else if (k->type == KEY_ENUM) {
        int found = -1;
        for (int j = 0; k->names[j]; j++)
            if (strcmp(v, k->names[j]) == 0)
                found = j;
        if (found < 0)
            ok = value_error(path, k, raw, "is not a known value", error);
        else
            *(int64_t *)mem = found;
    } else {
        gint64 n = 0;
        GError *perr = NULL;
        if (!g_ascii_string_to_signed(v, 10, G_MININT64, G_MAXINT64, &n, &perr)) {
            ok = value_error(path, k, raw, "is not an integer", error);
            g_clear_error(&perr);
        } else if (n < k->min || n > k->max) {
            ok = value_error(path, k, raw, "is out of range", error);
        } else {
            *(int64_t *)mem = n;
        }
    }
    g_free(v);
    return ok;
}

static const key_spec *key_find(const char *group, const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].key, key) == 0)
            return &keys[i];
    return NULL;
}

sim_scenario *sim_scenario_new_default(void)
{
    sim_scenario *s = g_new0(sim_scenario, 1);
    s->path = g_strdup("(defaults)");
    for (size_t i = 0; i < N_KEYS; i++) {
        gboolean ok = key_apply(s, s->path, &keys[i], keys[i].def, NULL);
        g_assert(ok);
    }
    s->hash = sim_scenario_hash(s);
    return s;
}

void sim_scenario_free(sim_scenario *s)
{
    if (!s)
        return;
    g_free(s->path);
    g_free(s->name);
    g_free(s->description);
    g_free(s);
}

gboolean sim_scenario_set(sim_scenario *s, const char *group, const char *key, const char *value,
                          GError **error)
{
    const key_spec *k = key_find(group, key);
    if (!k) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_KEY, "%s: [%s] %s: unknown key", s->path, group, key);
        return FALSE;
    }
    gboolean ok = key_apply(s, s->path, k, value, error);
    s->hash = sim_scenario_hash(s);
    return ok;
}

typedef struct range_pair {
    const char *group, *lo_key, *hi_key;
    size_t lo, hi;
} range_pair;

static const range_pair ranges[] = {
    {"storage", "latency_us_min", "latency_us_max", OFF(storage_latency_us_min), OFF(storage_latency_us_max)},
    {"workload", "interval_ms_min", "interval_ms_max", OFF(interval_ms_min), OFF(interval_ms_max)},
    {"workload", "hold_ms_min", "hold_ms_max", OFF(hold_ms_min), OFF(hold_ms_max)},
    {"server", "latency_ms_min", "latency_ms_max", OFF(server_latency_ms_min), OFF(server_latency_ms_max)},
    {"faults", "freeze_ms_min", "freeze_ms_max", OFF(freeze_ms_min), OFF(freeze_ms_max)},
    {"storage", "delivery_us_min", "delivery_us_max", OFF(delivery_us_min), OFF(delivery_us_max)},
};

static gboolean scenario_validate(sim_scenario *s, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ranges); i++) {
        int64_t lo = *(int64_t *)((char *)s + ranges[i].lo);
        int64_t hi = *(int64_t *)((char *)s + ranges[i].hi);
        if (lo > hi) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                        "%s: [%s] %s: %" G_GINT64_FORMAT " is greater than %s = %" G_GINT64_FORMAT
                        "; allowed: %s <= %s",
                        s->path, ranges[i].group, ranges[i].lo_key, lo, ranges[i].hi_key, hi,
                        ranges[i].lo_key, ranges[i].hi_key);
            return FALSE;
        }
    }
    if (s->server_error_pct + s->server_timeout_pct > 100) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [server] timeout_pct: error_pct + timeout_pct is %" G_GINT64_FORMAT
                    "; allowed: at most 100",
                    s->path, s->server_error_pct + s->server_timeout_pct);
        return FALSE;
    }
    if (!s->name || !*s->name) {
        g_free(s->name);
        char *base = g_path_get_basename(s->path);
        char *dot = strrchr(base, '.');
        if (dot && dot != base)
            *dot = '\0';
        s->name = base;
    }
    return TRUE;
}

static gboolean group_known(const char *group)
{
    for (int i = 0; groups[i]; i++)
        if (strcmp(groups[i], group) == 0)
            return TRUE;
    return FALSE;
}

static gboolean scenario_read(sim_scenario *s, GKeyFile *kf, GError **error)
{
    gsize n_groups = 0;
    char **gs = g_key_file_get_groups(kf, &n_groups);
    gboolean ok = TRUE;
    for (gsize i = 0; ok && i < n_groups; i++) {
        if (!group_known(gs[i])) {
            char *allowed = g_strjoinv(", ", (char **)groups);
            g_set_error(error, SIM_ERROR, SIM_ERROR_GROUP, "%s: [%s]: unknown group; allowed: %s",
                        s->path, gs[i], allowed);
            g_free(allowed);
            ok = FALSE;
            break;
        }
        char **ks = g_key_file_get_keys(kf, gs[i], NULL, NULL);
        for (int j = 0; ok && ks && ks[j]; j++) {
            const key_spec *k = key_find(gs[i], ks[j]);
            if (!k) {
                GString *allowed = g_string_new(NULL);
                for (size_t m = 0; m < N_KEYS; m++)
                    if (strcmp(keys[m].group, gs[i]) == 0)
                        g_string_append_printf(allowed, "%s%s", allowed->len ? ", " : "", keys[m].key);
                g_set_error(error, SIM_ERROR, SIM_ERROR_KEY, "%s: [%s] %s: unknown key; allowed: %s",
                            s->path, gs[i], ks[j], allowed->str);
                g_string_free(allowed, TRUE);
                ok = FALSE;
                break;
            }
            /* g_key_file_get_string unescapes; raw would keep \s etc. */
            char *v = g_key_file_get_string(kf, gs[i], ks[j], NULL);
            if (!v) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: [%s] %s: the value is not valid text",
                            s->path, gs[i], ks[j]);
                ok = FALSE;
                break;
            }
            ok = key_apply(s, s->path, k, v, error);
            g_free(v);
        }
        g_strfreev(ks);
    }
    g_strfreev(gs);
    s->hash = sim_scenario_hash(s);
    return ok && scenario_validate(s, error);
}

/* GKeyFile keeps the last of two equal keys without a word: a scenario that
 * sets a key twice would test something other than its author believes.
 * So a key given twice in one group (even across repeated [group] lines)
 * is an error naming both lines. */
static gboolean keys_unique(const char *path, const char *data, gsize len, GError **error)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL); /* id -> line */
    char *group = g_strdup("");
    gboolean ok = TRUE;
    guint line_no = 0;
    for (const char *p = data, *end = data + len; ok && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        char *line = g_strstrip(g_strndup(p, (gsize)(eol - p)));
        char *eq = strchr(line, '=');
        line_no++;
        if (line[0] == '[') {
            char *close = strchr(line, ']');
            g_free(group);
            group = g_strndup(line + 1, close ? (gsize)(close - line - 1) : 0);
        } else if (line[0] && line[0] != '#' && eq) {
            *eq = '\0';
            g_strchomp(line);
            char *id = g_strdup_printf("%s\n%s", group, line);
            guint first = GPOINTER_TO_UINT(g_hash_table_lookup(seen, id));
            if (first) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_KEY,
                            "%s: [%s] %s: given twice (lines %u and %u); allowed: each key once per group", path,
                            group, line, first, line_no);
                ok = FALSE;
                g_free(id);
            } else
                g_hash_table_insert(seen, id, GUINT_TO_POINTER(line_no));
        }
        g_free(line);
        p = eol + 1;
    }
    g_free(group);
    g_hash_table_destroy(seen);
    return ok;
}

sim_scenario *sim_scenario_load_data(const char *path, const char *data, gsize len, GError **error)
{
    /* GKeyFile would quote a binary "line" whole in its message. */
    if (memchr(data, '\0', len) || !g_utf8_validate(data, (gssize)len, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE,
                    "%s: not a scenario file (not UTF-8 text: binary data?); expected INI text: [group] lines "
                    "and key = value lines", path);
        return NULL;
    }
    GKeyFile *kf = g_key_file_new();
    GError *kerr = NULL;
    if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &kerr) || !keys_unique(path, data, len, error)) {
        if (!kerr) {
            g_key_file_free(kf);
            return NULL;
        }
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE,
                    "%s: not a scenario file (%s); expected INI text: [group] lines and key = value lines",
                    path, kerr->message);
        g_error_free(kerr);
        g_key_file_free(kf);
        return NULL;
    }
    sim_scenario *s = sim_scenario_new_default();
    g_free(s->path);
    s->path = g_strdup(path);
    if (!scenario_read(s, kf, error)) {
        sim_scenario_free(s);
        s = NULL;
    }
    g_key_file_free(kf);
    return s;
}

sim_scenario *sim_scenario_load(const char *path, GError **error)
{
    char *data = NULL;
    gsize len = 0;
    GError *ferr = NULL;
    if (!g_file_get_contents(path, &data, &len, &ferr)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: cannot read the scenario file: %s", path,
                    ferr->message);
        g_error_free(ferr);
        return NULL;
    }
    if (len == 0) {
        /* An empty file is almost always a mistake (a truncated copy); say so. */
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE,
                    "%s: the scenario file is empty; a minimal scenario is one [scenario] group "
                    "(every key has a default)", path);
        g_free(data);
        return NULL;
    }
    sim_scenario *s = sim_scenario_load_data(path, data, len, error);
    g_free(data);
    return s;
}

static char *key_value_text(const sim_scenario *s, const key_spec *k)
{
    const char *mem = (const char *)s + k->offset;
    switch (k->type) {
    case KEY_STRING:
        return g_strdup(*(char *const *)mem ? *(char *const *)mem : "");
    case KEY_BOOL:
        return g_strdup(*(const gboolean *)mem ? "true" : "false");
    case KEY_ENUM:
        return g_strdup(k->names[*(const int64_t *)mem]);
    case KEY_INT:
        return g_strdup_printf("%" G_GINT64_FORMAT, *(const int64_t *)mem);
    case KEY_INVSET:
        return s->expect_any ? g_strdup("any") : sim_invariant_set_text(s->expect_violations);
    }
    return g_strdup("");
}

char *sim_scenario_dump(const sim_scenario *s)
{
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < N_KEYS; i++) {
        char *v = key_value_text(s, &keys[i]);
        g_string_append_printf(out, "%s.%s = %s\n", keys[i].group, keys[i].key, v);
        g_free(v);
    }
    return g_string_free(out, FALSE);
}

uint32_t sim_scenario_hash(const sim_scenario *s)
{
    /* Only keys that change what a run does: not names, runs or the expectation. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_spec *k = &keys[i];
        if (strcmp(k->group, "expect") == 0 || strcmp(k->group, "check") == 0 || k->type == KEY_STRING)
            continue;
        char *v = key_value_text(s, k);
        if ((k->flags & KEY_HASH_IF_SET) && strcmp(v, k->def) == 0) {
            g_free(v);
            continue;
        }
        char *line = g_strdup_printf("%s.%s=%s;", k->group, k->key, v);
        for (const char *c = line; *c; c++) {
            h ^= (guint8)*c;
            h *= 16777619u;
        }
        g_free(line);
        g_free(v);
    }
    return h;
}

char *sim_scenario_reference_markdown(void)
{
    GString *out = g_string_new("# Scenario file reference\n\n"
                                "Generated by `tabsim help scenario` from the loader's own key table "
                                "(sim/src/scenario.c); do not edit by hand.\n");
    const char *group = "";
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_spec *k = &keys[i];
        if (strcmp(group, k->group) != 0) {
            group = k->group;
            g_string_append_printf(out, "\n## [%s]\n\n| key | type | default | allowed | meaning |\n"
                                        "|---|---|---|---|---|\n", group);
        }
        static const char *const type_names[] = {"integer", "boolean", "enum", "string", "invariant set"};
        char *allowed = allowed_text(k);
        g_string_append_printf(out, "| `%s` | %s | `%s` | %s | %s |\n", k->key, type_names[k->type],
                               *k->def ? k->def : "\"\"", allowed, k->doc);
        g_free(allowed);
    }
    return g_string_free(out, FALSE);
}

char *sim_scenario_get(const sim_scenario *s, const char *group, const char *key, GError **error)
{
    const key_spec *k = key_find(group, key);
    if (!k) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_KEY, "%s: [%s] %s: unknown key", s->path, group, key);
        return NULL;
    }
    return key_value_text(s, k);
}

gboolean sim_scenario_check(sim_scenario *s, GError **error)
{
    return scenario_validate(s, error);
}
