/*
 * scenario.c - table-driven scenario loader; see sim/scenario/scenario.h.
 *
 * Strictness is the point: a misspelt key silently ignored would make a
 * scenario test something else than its author believes, and CI would trust
 * the verdict.  So every group and key must be in the table, every value is
 * parsed whole and range-checked, and pairs (min/max) must be ordered.  The
 * first error wins and names file, group, key, the value, and what is
 * allowed.
 */
#include "sim/scenario/scenario.h"

#include <stddef.h>
#include <string.h>

#include "sim/error.h"
#include "sim/input.h"
#include "sim/programs/algorithms.h"
#include "sim/programs/program.h"
#include "sim/scenario/scenario_keys.h"

GQuark sim_error_quark(void)
{
    return g_quark_from_static_string("tabsim-error");
}

const char *sim_algorithm_name(int64_t algorithm)
{
    for (int64_t i = 0; algorithm >= 0 && sim_algorithms[i]; i++)
        if (i == algorithm)
            return sim_algorithms[i]->name;
    return "?";
}

const char *sim_invariant_name(sim_invariant inv)
{
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (inv == (1u << i))
            return sim_invariant_names[i];
    return "?";
}

char *sim_invariant_set_text(guint set)
{
    if (set == 0)
        return g_strdup("none");
    GString *s = g_string_new(NULL);
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (set & (1u << i))
            g_string_append_printf(s, "%s%s", s->len ? "," : "", sim_invariant_names[i]);
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
        char *joined = g_strjoinv(", ", (char **)key_names(k));
        char *s = g_strdup_printf(k->type == KEY_ENUM ? "one of %s"
                                                      : "none, any, starvation, or a comma list of %s", joined);
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
    gboolean any = FALSE, starvation = FALSE;
    guint set = 0;
    gboolean ok = TRUE;
    if (!*v) {
        /* not "none" by default: a value left out is a mistake to say */
        ok = value_error(path, k, value, "is empty (every invariant holds is written none)", error);
    } else if (strcmp(v, "none") == 0) {
        /* every invariant holds */
    } else if (strcmp(v, "starvation") == 0) {
        starvation = TRUE; /* judged alone, by the starvation check ([workload] forever) */
    } else if (strcmp(v, "any") == 0) {
        any = TRUE;
    } else {
        char **parts = g_strsplit(v, ",", -1);
        for (int i = 0; ok && parts[i]; i++) {
            char *p = g_strstrip(parts[i]);
            int found = -1;
            for (int j = 0; key_names(k)[j]; j++)
                if (strcmp(p, key_names(k)[j]) == 0)
                    found = j;
            if (found < 0)
                ok = value_error(path, k, value,
                                 strcmp(p, "starvation") == 0
                                     ? "lists starvation among safety invariants (a workload that never ends is "
                                       "judged for starvation alone, one that ends for these alone)"
                                 : *p ? "names an unknown invariant"
                                      : "has an empty item",
                                 error);
            else
                set |= 1u << found;
        }
        g_strfreev(parts);
    }
    g_free(v);
    if (ok) {
        s->expect_any = any;
        s->expect_violations = set;
        s->expect_starvation = starvation;
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
        /* An algorithm's settings are int64_t values, the fixed keys gboolean. */
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
            gboolean b = strcmp(v, "true") == 0;
            if (k->flags & KEY_ALGORITHM)
                *(int64_t *)mem = b;
            else
                *(gboolean *)mem = b;
        } else
            ok = value_error(path, k, raw, "is not a boolean", error);
    } else if (k->type == KEY_ENUM) {
        int found = -1;
        for (int j = 0; key_names(k)[j]; j++)
            if (strcmp(v, key_names(k)[j]) == 0)
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
    for (size_t i = 0; i < sim_scenario_keys_n; i++)
        if (strcmp(sim_scenario_keys[i].group, group) == 0 && strcmp(sim_scenario_keys[i].key, key) == 0)
            return &sim_scenario_keys[i];
    return NULL;
}

sim_scenario *sim_scenario_new_default(void)
{
    sim_scenario *s = g_new0(sim_scenario, 1);
    s->path = g_strdup("(defaults)");
    for (size_t i = 0; i < sim_scenario_keys_n; i++) {
        gboolean ok = key_apply(s, s->path, &sim_scenario_keys[i], sim_scenario_keys[i].def, NULL);
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
    g_free(s->js_module);
    g_free(s->js_events_key);
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

#define OFF(field) offsetof(sim_scenario, field)

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
    {"faults", "stall_ms_min", "stall_ms_max", OFF(stall_ms_min), OFF(stall_ms_max)},
    {"faults", "reload_ms_min", "reload_ms_max", OFF(reload_ms_min), OFF(reload_ms_max)},
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
    if (s->expect_starvation && !s->forever) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [expect] violation: starvation is judged only on a workload that never ends; allowed: "
                    "starvation with [workload] mode = lock and forever = true",
                    s->path);
        return FALSE;
    }
    if (s->forever && (s->expect_any || s->expect_violations)) {
        char *set = s->expect_any ? g_strdup("any") : sim_invariant_set_text(s->expect_violations);
        g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                    "%s: [expect] violation: expects %s, but with [workload] forever = true tabsim check judges "
                    "starvation only; allowed: none or starvation",
                    s->path, set);
        g_free(set);
        return FALSE;
    }
    guint unclaimed = s->expect_violations & ~sim_program_claims(s);
    if (unclaimed) {
        char *set = sim_invariant_set_text(unclaimed);
        char *claimed = sim_invariant_set_text(sim_program_claims(s));
        if (!(unclaimed & sim_programs[s->workload_mode]->claims))
            g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                        "%s: [expect] violation: expects %s, which [workload] mode = %s never judges; allowed: "
                        "none, any, or invariants it judges (%s)",
                        s->path, set, sim_programs[s->workload_mode]->name, claimed);
        else
            g_set_error(error, SIM_ERROR, SIM_ERROR_CONFLICT,
                        "%s: [expect] violation: expects %s, which [mutex] algorithm = none never judges (it "
                        "takes no lock, so there is no critical section to share); allowed: the other "
                        "invariants, or an algorithm that takes a lock",
                        s->path, set);
        g_free(set);
        g_free(claimed);
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
    for (int i = 0; sim_scenario_groups[i]; i++)
        if (strcmp(sim_scenario_groups[i], group) == 0)
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
            char *allowed = g_strjoinv(", ", (char **)sim_scenario_groups);
            g_set_error(error, SIM_ERROR, SIM_ERROR_GROUP, "%s: [%s]: unknown group; allowed: %s",
                        s->path, gs[i], allowed);
            g_free(allowed);
            ok = FALSE;
            break;
        }
        char **ks = g_key_file_get_keys(kf, gs[i], NULL, NULL);
        for (int j = 0; ok && ks && ks[j]; j++) {
            const key_spec *k = key_find(gs[i], ks[j]);
            char *moved = !k && strcmp(gs[i], "mutex") == 0 ? sim_scenario_moved_key(ks[j], NULL) : NULL;
            if (moved) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_KEY,
                            "%s: [mutex] %s: each algorithm's settings live in a group of their own now; "
                            "allowed: %s (under the group of the [mutex] algorithm in use)",
                            s->path, ks[j], moved);
                g_free(moved);
                ok = FALSE;
                break;
            }
            if (!k) {
                GString *allowed = g_string_new(NULL);
                for (size_t m = 0; m < sim_scenario_keys_n; m++)
                    if (strcmp(sim_scenario_keys[m].group, gs[i]) == 0)
                        g_string_append_printf(allowed, "%s%s", allowed->len ? ", " : "", sim_scenario_keys[m].key);
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
    ok = ok && sim_scenario_groups_used(s, (const char *const *)gs, error) && sim_scenario_keys_used(s, kf, error);
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

#define UTF8_BOM "\xEF\xBB\xBF"

/* Checks on the raw text that GKeyFile cannot make:
 *  - a localized key (GKeyFile's "key[locale] = value") is kept aside by
 *    GKeyFile and never listed among the group's keys, so it would be
 *    silently ignored; it is refused, naming the group and the key;
 *  - a file of only comments and blank lines is refused like an empty one
 *    (GKeyFile accepts both as a file without groups, which would run every
 *    default): either is almost always a mistake, and a minimal scenario is
 *    one line, [scenario];
 *  - a byte order mark past the start (two files joined) is named, where
 *    GKeyFile would quote the line with the mark invisible in it.  One at
 *    the start is skipped by the caller. */
static gboolean text_check(const char *path, const char *data, gsize len, GError **error)
{
    char *group = NULL;
    gboolean ok = TRUE, content = FALSE;
    guint line_no = 0;
    for (const char *p = data, *end = data + len; ok && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        char *line = g_strstrip(g_strndup(p, (gsize)(eol - p)));
        char *eq = strchr(line, '=');
        line_no++;
        content = content || (line[0] && line[0] != '#');
        if (strstr(line, UTF8_BOM)) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_FILE,
                        "%s: line %u: a byte order mark (BOM, U+FEFF) inside the file (two files joined?); "
                        "allowed: a BOM only at the very start of the file", path, line_no);
            ok = FALSE;
        } else if (line[0] == '[') {
            char *close = strchr(line, ']');
            g_free(group);
            group = g_strndup(line + 1, close ? (gsize)(close - line - 1) : 0);
        } else if (group && line[0] != '#' && eq) {
            *eq = '\0';
            g_strchomp(line);
            char *bracket = strchr(line, '[');
            if (bracket) {
                *bracket = '\0';
                g_set_error(error, SIM_ERROR, SIM_ERROR_KEY,
                            "%s: [%s] %s[%s: a localized key (key[locale] = value), which would be ignored; "
                            "allowed: %s = value, without a locale", path, group, line, bracket + 1, line);
                ok = FALSE;
            }
        }
        g_free(line);
        p = eol + 1;
    }
    g_free(group);
    if (ok && !content)
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE,
                    "%s: the scenario file %s; a minimal scenario is one [scenario] group (every key has a default)",
                    path, len ? "has only comments and blank lines" : "is empty");
    return ok && content;
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
    /* Windows editors start UTF-8 files with a byte order mark; GKeyFile
     * would take it for part of the first line.  Skipping it changes no
     * line number. */
    if (len >= 3 && memcmp(data, UTF8_BOM, 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (!text_check(path, data, len, error))
        return NULL;
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
    if (!sim_input_read(path, "scenario file", "a scenario .ini file (check also takes a directory of them)",
                        SIM_INPUT_SCENARIO_BYTES_MAX, &data, &len, error))
        return NULL;
    sim_scenario *s = sim_scenario_load_data(path, data, len, error);
    g_free(data);
    return s;
}

char *sim_scenario_key_text(const sim_scenario *s, const key_spec *k)
{
    const char *mem = (const char *)s + k->offset;
    switch (k->type) {
    case KEY_STRING:
        return g_strdup(*(char *const *)mem ? *(char *const *)mem : "");
    case KEY_BOOL:
        if (k->flags & KEY_ALGORITHM)
            return g_strdup(*(const int64_t *)mem ? "true" : "false");
        return g_strdup(*(const gboolean *)mem ? "true" : "false");
    case KEY_ENUM:
        return g_strdup(key_names(k)[*(const int64_t *)mem]);
    case KEY_INT:
        return g_strdup_printf("%" G_GINT64_FORMAT, *(const int64_t *)mem);
    case KEY_INVSET:
        if (s->expect_starvation)
            return g_strdup("starvation");
        return s->expect_any ? g_strdup("any") : sim_invariant_set_text(s->expect_violations);
    }
    return g_strdup("");
}

char *sim_scenario_dump(const sim_scenario *s)
{
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < sim_scenario_keys_n; i++) {
        char *v = sim_scenario_key_text(s, &sim_scenario_keys[i]);
        g_string_append_printf(out, "%s.%s = %s\n", sim_scenario_keys[i].group, sim_scenario_keys[i].key, v);
        g_free(v);
    }
    return g_string_free(out, FALSE);
}

char *sim_scenario_reference_markdown(void)
{
    GString *out = g_string_new("# Scenario file reference\n\n"
                                "Generated by `tabsim help scenario` from the loader's own key table "
                                "(sim/scenario/scenario.c); do not edit by hand.\n");
    const char *group = "";
    for (size_t i = 0; i < sim_scenario_keys_n; i++) {
        const key_spec *k = &sim_scenario_keys[i];
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

char *sim_scenario_setting_text(const sim_scenario *s, const char *key)
{
    const xt_mutex_algorithm *alg = sim_scenario_algorithm(s);
    const xt_mutex_algorithm *cands[2] = {alg, alg->fallback};
    for (int c = 0; c < 2 && cands[c]; c++) {
        const key_spec *k = key_find(cands[c]->name, key);
        if (k)
            return sim_scenario_key_text(s, k);
    }
    return NULL;
}

char *sim_scenario_get(const sim_scenario *s, const char *group, const char *key, GError **error)
{
    const key_spec *k = key_find(group, key);
    if (!k) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_KEY, "%s: [%s] %s: unknown key", s->path, group, key);
        return NULL;
    }
    return sim_scenario_key_text(s, k);
}

gboolean sim_scenario_check(sim_scenario *s, GError **error)
{
    return scenario_validate(s, error);
}
