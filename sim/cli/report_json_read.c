/*
 * report_json_read.c - reading back a JSON report of `tabsim check`
 * (report_json.c), as `tabsim merge` does with shard reports.
 *
 * Reading is strict: a missing or mistyped member is an error naming the
 * file, the scenario and the member, because a merge of reports that do
 * not fit together would print a verdict nobody computed.  A report with
 * an "error" member (a check that ran out of memory, oom.c) is refused,
 * and so is one of another schema (CHECK_REPORT_SCHEMA).
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "check.h"
#include "sim/error.h"
#include "sim/input.h"

typedef struct reader {
    const char *path;
    const char *where; /* "scenario 3" */
    GError **error;
    gboolean failed;
} reader;

static void fail(reader *r, const char *member, const char *what)
{
    if (r->failed)
        return;
    r->failed = TRUE;
    g_set_error(r->error, SIM_ERROR, SIM_ERROR_FILE, "%s: %s, member \"%s\": %s; expected a report written by "
                                                     "tabsim check --json (schema %d, docs/ci.md)",
                r->path, r->where, member, what, CHECK_REPORT_SCHEMA);
}

static JsonNode *member(reader *r, JsonObject *obj, const char *name, JsonNodeType type, gboolean nullable)
{
    JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;
    if (!node) {
        fail(r, name, "missing");
        return NULL;
    }
    if (nullable && JSON_NODE_HOLDS_NULL(node))
        return NULL;
    if (json_node_get_node_type(node) != type) {
        fail(r, name, type == JSON_NODE_OBJECT  ? "not an object"
                      : type == JSON_NODE_ARRAY ? "not an array"
                                                : "not a plain value");
        return NULL;
    }
    return node;
}

/* A value member of type type, or NULL (absent and nullable, or the
 * failure recorded: what it is not). */
static JsonNode *typed(reader *r, JsonObject *obj, const char *name, GType type, const char *what, gboolean nullable)
{
    JsonNode *node = member(r, obj, name, JSON_NODE_VALUE, nullable);
    if (node && json_node_get_value_type(node) != type) {
        fail(r, name, what);
        return NULL;
    }
    return node;
}

static char *get_string(reader *r, JsonObject *obj, const char *name, gboolean nullable)
{
    JsonNode *node = typed(r, obj, name, G_TYPE_STRING, "not a string", nullable);
    return node ? g_strdup(json_node_get_string(node)) : NULL;
}

static gint64 get_int(reader *r, JsonObject *obj, const char *name, gint64 min, gint64 max)
{
    JsonNode *node = typed(r, obj, name, G_TYPE_INT64, "not an integer", FALSE);
    if (!node)
        return min;
    gint64 v = json_node_get_int(node);
    if (v < min || v > max) {
        fail(r, name, "out of range");
        return min;
    }
    return v;
}

static gboolean get_bool(reader *r, JsonObject *obj, const char *name)
{
    JsonNode *node = typed(r, obj, name, G_TYPE_BOOLEAN, "not true or false", FALSE);
    return node ? json_node_get_boolean(node) : FALSE;
}

static int name_index(reader *r, const char *member_name, const char *text, const char *(*name)(int), int n)
{
    for (int i = 0; text && i < n; i++)
        if (strcmp(text, name(i)) == 0)
            return i;
    if (text)
        fail(r, member_name, "not one of the names tabsim writes");
    return 0;
}

static const char *status_at(int i) { return check_status_name((check_status)i); }
static const char *mode_at(int i) { return check_mode_name((sim_mode)i); }
static const char *time_at(int i) { return check_time_name(i ? SIM_TIME_UNTIMED : SIM_TIME_TIMED); }
static const char *search_at(int i) { return check_search_name((check_search)i); }
static const char *verdict_at(int i) { return sim_verdict_name((sim_verdict)i); }
static const char *invariant_at(int i) { return sim_invariant_name(1u << i); }
static const char *inv_status_at(int i) { return check_inv_status_name((check_inv_status)i); }

static guint get_invariants(reader *r, JsonObject *obj, const char *name)
{
    JsonNode *node = member(r, obj, name, JSON_NODE_ARRAY, FALSE);
    if (!node)
        return 0;
    JsonArray *a = json_node_get_array(node);
    guint set = 0;
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonNode *e = json_array_get_element(a, i);
        if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING) {
            fail(r, name, "an element is not a string");
            return 0;
        }
        set |= 1u << name_index(r, name, json_node_get_string(e), invariant_at, SIM_INV_COUNT);
    }
    return set;
}

/* A counterexample object; NULL (and r failed) when malformed. */
static check_cex *read_cex(reader *r, JsonObject *c)
{
    check_cex *x = check_cex_new();
    x->run = get_int(r, c, "run_index", -1, G_MAXINT64);
    x->seed = (guint64)get_int(r, c, "seed", 0, G_MAXINT64);
    x->token = get_string(r, c, "token", TRUE);
    x->replay = get_string(r, c, "replay", TRUE);
    /* Optional: reports written before shrinking existed have no "shrink". */
    if (json_object_has_member(c, "shrink"))
        x->shrink_text = get_string(r, c, "shrink", TRUE);
    x->violation_text = get_string(r, c, "violation", TRUE);
    JsonNode *tl = member(r, c, "timeline", JSON_NODE_ARRAY, FALSE);
    x->timeline = g_ptr_array_new_with_free_func(g_free);
    JsonArray *a = tl ? json_node_get_array(tl) : NULL;
    for (guint i = 0; a && i < json_array_get_length(a); i++) {
        JsonNode *e = json_array_get_element(a, i);
        if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING) {
            fail(r, "timeline", "a line is not a string");
            return x;
        }
        g_ptr_array_add(x->timeline, g_strdup(json_node_get_string(e)));
    }
    /* Optional: reports written before it existed have no "erasing_write". */
    JsonNode *ew = json_object_has_member(c, "erasing_write") ? member(r, c, "erasing_write", JSON_NODE_OBJECT, TRUE)
                                                               : NULL;
    if (ew) {
        JsonObject *eo = json_node_get_object(ew);
        x->erased_event = get_string(r, eo, "event", FALSE);
        x->erased_step = (guint64)get_int(r, eo, "step", 1, G_MAXINT64);
        x->erased_index = get_int(r, eo, "timeline_index", -1, (gint64)x->timeline->len - 1);
    }
    return x;
}

static void read_counterexample(reader *r, JsonObject *obj, check_outcome *o)
{
    JsonNode *node = member(r, obj, "counterexample", JSON_NODE_OBJECT, TRUE);
    if (!node) {
        if (o->verdict == SIM_VERDICT_VIOLATION)
            fail(r, "counterexample", "missing for a violation");
        return;
    }
    check_cex *x = read_cex(r, json_node_get_object(node));
    check_outcome_set_primary(o, x);
    check_cex_free(x);
}

/* Per-invariant results; an older report without them is judged as with --first. */
static void read_per_invariant(reader *r, JsonObject *obj, check_outcome *o)
{
    o->first = json_object_has_member(obj, "first") && get_bool(r, obj, "first");
    if (!json_object_has_member(obj, "invariants")) {
        o->first = TRUE;
        o->claimed = (1u << SIM_INV_COUNT) - 1;
        check_outcome_statuses(o, o->claimed);
        return;
    }
    JsonNode *node = member(r, obj, "invariants", JSON_NODE_ARRAY, FALSE);
    JsonArray *a = node ? json_node_get_array(node) : NULL;
    if (a && json_array_get_length(a) != SIM_INV_COUNT) {
        fail(r, "invariants", "not one entry per invariant");
        return;
    }
    for (guint i = 0; a && i < SIM_INV_COUNT && !r->failed; i++) {
        JsonNode *e = json_array_get_element(a, i);
        if (!JSON_NODE_HOLDS_OBJECT(e)) {
            fail(r, "invariants", "an element is not an object");
            return;
        }
        JsonObject *io = json_node_get_object(e);
        char *name = get_string(r, io, "invariant", FALSE);
        if (name && strcmp(name, sim_invariant_name(1u << i)) != 0)
            fail(r, "invariant", "not in the order tabsim writes");
        g_free(name);
        char *status = get_string(r, io, "status", FALSE);
        o->inv_status[i] = (check_inv_status)name_index(r, "status", status, inv_status_at, 3);
        g_free(status);
        o->claimed |= get_bool(r, io, "claimed") ? 1u << i : 0;
        JsonNode *c = member(r, io, "counterexample", JSON_NODE_OBJECT, TRUE);
        if (c)
            o->inv_cex[i] = read_cex(r, json_node_get_object(c));
        if (!r->failed && ((o->violated & (1u << i)) && o->verdict == SIM_VERDICT_VIOLATION) !=
                              (o->inv_status[i] == CHECK_INV_VIOLATED))
            fail(r, "status", "does not agree with invariants_violated");
    }
}

static void read_body(reader *r, JsonObject *obj, check_outcome *o)
{
    char *text = get_string(r, obj, "scenario_hash", FALSE);
    guint64 hash = 0;
    if (text && !g_ascii_string_to_unsigned(text, 16, 0, G_MAXUINT32, &hash, NULL))
        fail(r, "scenario_hash", "not 8 hexadecimal digits");
    o->scenario_hash = (uint32_t)hash;
    g_free(text);
    text = get_string(r, obj, "mode", FALSE);
    o->mode = (sim_mode)name_index(r, "mode", text, mode_at, 3);
    g_free(text);
    text = get_string(r, obj, "time_model", FALSE);
    o->time = name_index(r, "time_model", text, time_at, 2) ? SIM_TIME_UNTIMED : SIM_TIME_TIMED;
    g_free(text);
    o->runs_requested = get_int(r, obj, "runs_requested", 0, G_MAXINT64);
    o->seed_base = (guint64)get_int(r, obj, "seed_base", 0, G_MAXINT64);
    JsonNode *shard = member(r, obj, "shard", JSON_NODE_OBJECT, FALSE);
    JsonObject *so = shard ? json_node_get_object(shard) : NULL;
    o->shard_count = (int)get_int(r, so, "count", 1, 1000000);
    o->shard_index = (int)get_int(r, so, "index", 0, o->shard_count - 1);
    if (so && json_object_has_member(so, "items")) {
        o->shard_items = get_int(r, so, "items", 0, G_MAXINT64);
        o->shard_items_owned = get_int(r, so, "items_owned", 0, o->shard_items);
    }
    text = get_string(r, obj, "verdict", FALSE);
    o->verdict = (sim_verdict)name_index(r, "verdict", text, verdict_at, 4);
    g_free(text);
    JsonNode *expect = member(r, obj, "expect", JSON_NODE_OBJECT, FALSE);
    JsonObject *eo = expect ? json_node_get_object(expect) : NULL;
    o->expect_violations = get_invariants(r, eo, "violations");
    o->expect_any = get_bool(r, eo, "any");
    o->ignore_expect = get_bool(r, eo, "ignored");
    o->violated = get_invariants(r, obj, "invariants_violated");
    read_counterexample(r, obj, o);
    JsonNode *stats = member(r, obj, "statistics", JSON_NODE_OBJECT, FALSE);
    JsonObject *st = stats ? json_node_get_object(stats) : NULL;
    o->runs = get_int(r, st, "runs", 0, G_MAXINT64);
    o->steps = (guint64)get_int(r, st, "steps", 0, G_MAXINT64);
    o->storage_ops = (guint64)get_int(r, st, "storage_ops", 0, G_MAXINT64);
    o->lock_requests = st && json_object_has_member(st, "lock_requests")
                           ? get_int(r, st, "lock_requests", 0, G_MAXINT64) : -1;
    o->lock_acquired = st && json_object_has_member(st, "lock_acquired")
                           ? get_int(r, st, "lock_acquired", 0, G_MAXINT64) : -1;
    o->events_tracked = st && json_object_has_member(st, "events_tracked")
                            ? get_int(r, st, "events_tracked", 0, G_MAXINT64) : -1;
    o->pruned = get_int(r, st, "pruned", 0, G_MAXINT64);
    o->bound_hits = get_int(r, st, "bound_hits", 0, G_MAXINT64);
    /* Optional: reports written before the cuts were named have none. */
    if (st && json_object_has_member(st, "cuts") && member(r, st, "cuts", JSON_NODE_OBJECT, FALSE)) {
        JsonObject *ct = json_object_get_object_member(st, "cuts");
        o->cut_steps = get_int(r, ct, "steps_max", 0, G_MAXINT64);
        o->cut_time = get_int(r, ct, "time_limit_ms", 0, G_MAXINT64);
        o->cut_faults = get_int(r, ct, "fault_budgets", 0, G_MAXINT64);
        o->cut_preemptions = get_int(r, ct, "preemptions", 0, G_MAXINT64);
    }
    if (st && json_object_has_member(st, "states"))
        o->states = get_int(r, st, "states", 0, G_MAXINT64);
    if (st && json_object_has_member(st, "quota_runs"))
        o->quota_runs = get_int(r, st, "quota_runs", 0, G_MAXINT64);
    if (st && json_object_has_member(st, "warn_runs"))
        o->warn_runs = get_int(r, st, "warn_runs", 0, G_MAXINT64);
    if (st && json_object_has_member(st, "warning_first")) {
        char *text = get_string(r, st, "warning_first", FALSE);
        if (text)
            sim_warn_text_keep(o->warn_first, text);
        g_free(text);
    }
    if (json_object_has_member(obj, "limits") && member(r, obj, "limits", JSON_NODE_OBJECT, FALSE)) {
        JsonObject *lt = json_object_get_object_member(obj, "limits");
        o->steps_max = get_int(r, lt, "steps_max", 0, G_MAXINT64);
        o->time_limit_ms = get_int(r, lt, "time_limit_ms", 0, G_MAXINT64);
        o->preemptions_max = get_int(r, lt, "preemptions_max", -1, G_MAXINT64);
        o->reduction = get_bool(r, lt, "reduction");
        if (json_object_has_member(lt, "symmetry"))
            o->symmetry = get_bool(r, lt, "symmetry");
        if (json_object_has_member(lt, "symmetry_applied"))
            o->symmetry_applied = get_bool(r, lt, "symmetry_applied");
        if (json_object_has_member(lt, "search")) {
            char *text = get_string(r, lt, "search", FALSE);
            o->search = (check_search)name_index(r, "search", text, search_at, 3);
            g_free(text);
        }
        if (json_object_has_member(lt, "pct_depth"))
            o->pct_depth = get_int(r, lt, "pct_depth", 1, G_MAXINT64);
        if (json_object_has_member(lt, "state_memory_mb"))
            o->state_memory_mb = get_int(r, lt, "state_memory_mb", 1, G_MAXINT64);
    }
    if (json_object_has_member(obj, "starvation") && member(r, obj, "starvation", JSON_NODE_OBJECT, FALSE)) {
        JsonObject *lv = json_object_get_object_member(obj, "starvation");
        o->live = TRUE;
        o->expect_starvation = get_bool(r, lv, "expected");
        JsonNode *tab = member(r, lv, "tab", JSON_NODE_VALUE, TRUE);
        if (tab)
            o->live_tab = (int)get_int(r, lv, "tab", 1, G_MAXINT);
        else if (o->verdict == SIM_VERDICT_VIOLATION)
            fail(r, "tab", "missing for a starvation found");
        o->live_states = (guint64)get_int(r, lv, "states", 0, G_MAXINT64);
        o->live_edges = (guint64)get_int(r, lv, "edges", 0, G_MAXINT64);
        o->live_expanded = (guint64)get_int(r, lv, "expanded", 0, G_MAXINT64);
    }
    o->bounds = get_string(r, obj, "bounds", TRUE);
    o->incomplete_reason = get_string(r, obj, "incomplete_reason", TRUE);
    o->resume = get_string(r, obj, "resume", TRUE);
    if (o->verdict == SIM_VERDICT_VIOLATION && o->violated == 0 && !o->live)
        fail(r, "invariants_violated", "empty for a violation");
    read_per_invariant(r, obj, o);
}

static check_outcome *read_outcome(reader *r, JsonNode *node)
{
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        fail(r, "scenarios", "an element is not an object");
        return NULL;
    }
    JsonObject *obj = json_node_get_object(node);
    char *file = get_string(r, obj, "file", FALSE);
    check_outcome *o = check_outcome_new(file ? file : "");
    g_free(file);
    g_free(o->name);
    o->name = get_string(r, obj, "name", FALSE);
    if (!o->name)
        o->name = g_strdup(o->file);
    char *status = get_string(r, obj, "status", FALSE);
    check_status st = (check_status)name_index(r, "status", status, status_at, 4);
    g_free(status);
    o->error = get_string(r, obj, "error", TRUE);
    /* Optional: reports written before check named the algorithm lack them. */
    if (json_object_has_member(obj, "algorithm"))
        o->algorithm = get_string(r, obj, "algorithm", TRUE);
    if (json_object_has_member(obj, "algorithm_summary"))
        o->algorithm_summary = get_string(r, obj, "algorithm_summary", TRUE);
    if (st == CHECK_BAD_INPUT && !o->error)
        fail(r, "error", "missing for bad input");
    if (st != CHECK_BAD_INPUT && !r->failed) {
        g_clear_pointer(&o->error, g_free);
        read_body(r, obj, o);
    }
    JsonNode *elapsed = json_object_get_member(obj, "elapsed_s");
    if (elapsed && JSON_NODE_HOLDS_VALUE(elapsed) && json_node_get_value_type(elapsed) == G_TYPE_DOUBLE)
        o->elapsed_s = json_node_get_double(elapsed);
    else if (elapsed && JSON_NODE_HOLDS_VALUE(elapsed) && json_node_get_value_type(elapsed) == G_TYPE_INT64)
        o->elapsed_s = (double)json_node_get_int(elapsed);
    if (!r->failed)
        check_outcome_judge(o);
    if (!r->failed && o->status != st)
        fail(r, "status", "does not follow from the verdict and the expectation");
    if (r->failed) {
        check_outcome_free(o);
        return NULL;
    }
    return o;
}

gboolean check_json_read_data(const char *path, const char *data, gsize len, GPtrArray *out, GError **error)
{
    JsonParser *parser = json_parser_new();
    GError *perr = NULL;
    reader r = {path, "top level", error, FALSE};
    if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, data, (gssize)len, &perr)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: not a JSON report (%s)", path,
                    perr ? perr->message : "too large");
        g_clear_error(&perr);
        g_object_unref(parser);
        return FALSE;
    }
    JsonNode *root = json_parser_get_root(parser);
    JsonObject *top = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    if (!top)
        fail(&r, "(root)", "not an object");
    char *tool = get_string(&r, top, "tool", FALSE);
    if (tool && strcmp(tool, "tabsim") != 0)
        fail(&r, "tool", "not \"tabsim\"");
    g_free(tool);
    if (!r.failed && get_int(&r, top, "schema", 0, G_MAXINT) != CHECK_REPORT_SCHEMA)
        fail(&r, "schema", "a schema this tabsim does not read");
    /* A check that ran out of memory leaves a report with an "error" and no
     * scenario (oom.c): nothing to merge, and no shard may pass for done. */
    if (!r.failed && top && json_object_has_member(top, "error")) {
        char *what = get_string(&r, top, "error", TRUE);
        if (!r.failed) {
            r.failed = TRUE;
            g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: the check that wrote this report stopped without "
                        "verdicts (%s); check it again",
                        path, what ? what : "no reason given");
        }
        g_free(what);
    }
    JsonNode *list = member(&r, top, "scenarios", JSON_NODE_ARRAY, FALSE);
    JsonArray *a = list ? json_node_get_array(list) : NULL;
    guint start = out->len;
    for (guint i = 0; !r.failed && a && i < json_array_get_length(a); i++) {
        char where[48];
        g_snprintf(where, sizeof where, "scenario %u", i + 1);
        r.where = where;
        check_outcome *o = read_outcome(&r, json_array_get_element(a, i));
        if (o)
            g_ptr_array_add(out, o);
    }
    if (r.failed)
        while (out->len > start)
            check_outcome_free(g_ptr_array_steal_index(out, out->len - 1));
    g_object_unref(parser);
    return !r.failed;
}

gboolean check_json_read(const char *path, GPtrArray *out, GError **error)
{
    char *data = NULL;
    gsize len = 0;
    if (!sim_input_read(path, "report", "a JSON report written by tabsim check --json", SIM_INPUT_REPORT_BYTES_MAX,
                        &data, &len, error))
        return FALSE;
    gboolean ok = check_json_read_data(path, data, len, out, error);
    g_free(data);
    return ok;
}
