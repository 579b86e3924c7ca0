/*
 * scenario_hash.c - the scenario hash that replay tokens carry, and the
 * legacy names of the algorithms' settings.
 *
 * A token is refused on a scenario it was not made for, so the hash covers
 * every key that changes what a run does (not names, runs or the
 * expectation).  Published tokens must stay valid when keys move: until
 * issue 11 each algorithm's settings were flat [mutex] keys (timeout_ms,
 * unlock, lamport_peers, ...), hashed in table order whatever the
 * algorithm.  So the hash still folds those eleven legacy rows, at their
 * old place and under their old names, with the value the scenario's
 * algorithm (or its fallback) gives the setting that replaced each one, or
 * the old default when it has none.  Settings of algorithms added later
 * have no legacy row: they are hashed, after every other key, only when
 * set to something other than their default (as KEY_HASH_IF_SET keys).
 * The same table tells a user who writes a legacy key where it went.
 */
#include <string.h>

#include "sim/programs/algorithms.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_keys.h"

typedef struct legacy_row {
    const char *key;      /* the old [mutex] key */
    const char *def;      /* its old default */
    unsigned flags;       /* KEY_HASH_IF_SET as it had */
    const char *moved[4]; /* "algorithm.setting" it became, NULL-ended */
} legacy_row;

static const legacy_row legacy[] = {
    {"timeout_ms", "5000", 0, {"seed.timeout_ms", "bucketeer-branch.timeout_ms", "browser-tabs-lock.acquire_timeout_ms"}},
    {"lock_check_interval_ms", "50", 0,
     {"seed.lock_check_interval_ms", "lamport.lock_check_interval_ms", "bucketeer-branch.lock_check_interval_ms"}},
    {"backoff_max_ms", "1000", 0, {"seed.backoff_max_ms"}},
    {"retries_max", "100", 0, {"seed.retries_max", "lamport.retries_max", "bucketeer-branch.retries_max"}},
    {"backoff", "exponential", 0, {"seed.backoff"}},
    {"unlock", "clear-x", 0, {"seed.unlock"}},
    {"expired_y", "free", 0, {"seed.expired_y"}},
    {"lamport_omit", "none", 0, {"lamport.omit"}},
    {"lamport_peers", "fixed", KEY_HASH_IF_SET, {"lamport.peers"}},
    {"web_locks_request", "wait", KEY_HASH_IF_SET, {"web-locks.request"}},
    {"web_locks_available", "true", KEY_HASH_IF_SET, {"web-locks.available"}},
};

static const key_spec *row_find(const char *group, const char *key)
{
    for (size_t i = 0; i < sim_scenario_keys_n; i++)
        if (strcmp(sim_scenario_keys[i].group, group) == 0 && strcmp(sim_scenario_keys[i].key, key) == 0)
            return &sim_scenario_keys[i];
    return NULL;
}

/* "seed.timeout_ms" names group and key of (alg, key)? */
static gboolean moved_is(const char *moved, const char *alg, const char *key)
{
    size_t n = strlen(alg);
    return strncmp(moved, alg, n) == 0 && moved[n] == '.' && strcmp(moved + n + 1, key) == 0;
}

const char *sim_scenario_legacy_key(const char *algorithm, const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++)
        for (int j = 0; legacy[i].moved[j]; j++)
            if (moved_is(legacy[i].moved[j], algorithm, key))
                return legacy[i].key;
    return NULL;
}

char *sim_scenario_moved_key(const char *legacy_key, const char *algorithm)
{
    for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++) {
        if (strcmp(legacy[i].key, legacy_key) != 0)
            continue;
        /* The scenario's own algorithm first, then the others. */
        GString *mine = g_string_new(NULL), *others = g_string_new(NULL);
        for (int j = 0; legacy[i].moved[j]; j++) {
            const char *dot = strchr(legacy[i].moved[j], '.');
            gsize n = (gsize)(dot - legacy[i].moved[j]);
            gboolean own = algorithm && strlen(algorithm) == n && strncmp(algorithm, legacy[i].moved[j], n) == 0;
            GString *to = own ? mine : others;
            g_string_append_printf(to, "%s[%.*s] %s", to->len ? ", " : "", (int)n, legacy[i].moved[j], dot + 1);
        }
        if (mine->len && others->len)
            g_string_append(mine, ", ");
        g_string_append(mine, others->str);
        g_string_free(others, TRUE);
        return g_string_free(mine, FALSE);
    }
    return NULL;
}

/* The value of a legacy row for the scenario: its algorithm's setting,
 * then its fallback's, else the old default. */
static char *legacy_value(const sim_scenario *s, const legacy_row *r)
{
    const xt_mutex_algorithm *alg = sim_scenario_algorithm(s);
    const xt_mutex_algorithm *cands[2] = {alg, alg->fallback};
    for (int c = 0; c < 2 && cands[c]; c++)
        for (int j = 0; r->moved[j]; j++) {
            const char *dot = strchr(r->moved[j], '.');
            if (strncmp(r->moved[j], cands[c]->name, (size_t)(dot - r->moved[j])) != 0 ||
                cands[c]->name[dot - r->moved[j]] != '\0')
                continue;
            const key_spec *k = row_find(cands[c]->name, dot + 1);
            if (k)
                return sim_scenario_key_text(s, k);
        }
    return g_strdup(r->def);
}

static uint32_t fold(uint32_t h, const char *group, const char *key, const char *value)
{
    char *line = g_strdup_printf("%s.%s=%s;", group, key, value);
    for (const char *c = line; *c; c++) {
        h ^= (guint8)*c;
        h *= 16777619u;
    }
    g_free(line);
    return h;
}

uint32_t sim_scenario_hash(const sim_scenario *s)
{
    uint32_t h = 2166136261u;
    const xt_mutex_algorithm *alg = sim_scenario_algorithm(s);
    for (size_t i = 0; i < sim_scenario_keys_n; i++) {
        const key_spec *k = &sim_scenario_keys[i];
        /* [explore] first says when to stop exploring, not what a run does. */
        if (strcmp(k->group, "expect") == 0 || strcmp(k->group, "check") == 0 || k->type == KEY_STRING ||
            (k->flags & KEY_ALGORITHM) || (strcmp(k->group, "explore") == 0 && strcmp(k->key, "first") == 0))
            continue;
        char *v = sim_scenario_key_text(s, k);
        if (!(k->flags & KEY_HASH_IF_SET) || strcmp(v, k->def) != 0)
            h = fold(h, k->group, k->key, v);
        g_free(v);
        if (strcmp(k->group, "mutex") == 0 && strcmp(k->key, "cross_tab_safety") == 0)
            for (size_t r = 0; r < G_N_ELEMENTS(legacy); r++) {
                char *lv = legacy_value(s, &legacy[r]);
                if (!(legacy[r].flags & KEY_HASH_IF_SET) || strcmp(lv, legacy[r].def) != 0)
                    h = fold(h, "mutex", legacy[r].key, lv);
                g_free(lv);
            }
    }
    /* Settings without a legacy row, of the algorithm that runs (and of its
     * fallback), when set. */
    for (size_t i = 0; i < sim_scenario_keys_n; i++) {
        const key_spec *k = &sim_scenario_keys[i];
        if (!(k->flags & KEY_ALGORITHM) || sim_scenario_legacy_key(k->group, k->key) ||
            (strcmp(k->group, alg->name) != 0 && !(alg->fallback && strcmp(k->group, alg->fallback->name) == 0)))
            continue;
        char *v = sim_scenario_key_text(s, k);
        if (strcmp(v, k->def) != 0)
            h = fold(h, k->group, k->key, v);
        g_free(v);
    }
    /* A JavaScript lock's adapter, as written (the only text key that
     * changes what a run does; not the code it loads). */
    if (s->js_module && *s->js_module)
        h = fold(h, "js", "module", s->js_module);
    if (s->js_events_key && *s->js_events_key)
        h = fold(h, "js", "events_key", s->js_events_key);
    return h;
}

gboolean sim_scenario_web_locks_available(const sim_scenario *s)
{
    for (size_t r = 0; r < G_N_ELEMENTS(legacy); r++)
        if (strcmp(legacy[r].key, "web_locks_available") == 0) {
            char *v = legacy_value(s, &legacy[r]);
            gboolean yes = strcmp(v, "true") == 0;
            g_free(v);
            return yes;
        }
    return TRUE;
}
