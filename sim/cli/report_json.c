/*
 * report_json.c - the JSON report of `tabsim check` / `tabsim merge`; its
 * reader, with which merge reads shard reports back, is report_json_read.c.
 *
 * The schema is documented in docs/ci.md ("JSON report"); "schema" is its
 * version and goes up on any incompatible change.  Writing goes through
 * JsonBuilder and JsonGenerator and lands with sim_output_write, which
 * writes a temporary file beside the target and renames it over: a reader
 * sees the old report or the new one, never half of one (a device or a
 * FIFO is written in place, sim/output.h).
 */
#include <json-glib/json-glib.h>

#include "check.h"
#include "sim/output.h"

#ifndef TABSIM_VERSION
#define TABSIM_VERSION "0.0.0"
#endif

static void add_string(JsonBuilder *b, const char *member, const char *value)
{
    json_builder_set_member_name(b, member);
    if (value) {
        /* JSON text must be UTF-8; a file name or a message quoting a bad
         * scenario file may not be. */
        char *valid = g_utf8_make_valid(value, -1);
        json_builder_add_string_value(b, valid);
        g_free(valid);
    } else
        json_builder_add_null_value(b);
}

static void add_int(JsonBuilder *b, const char *member, gint64 value)
{
    json_builder_set_member_name(b, member);
    json_builder_add_int_value(b, value);
}

static void add_bool(JsonBuilder *b, const char *member, gboolean value)
{
    json_builder_set_member_name(b, member);
    json_builder_add_boolean_value(b, value);
}

static void add_invariants(JsonBuilder *b, const char *member, guint set)
{
    json_builder_set_member_name(b, member);
    json_builder_begin_array(b);
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (set & (1u << i))
            json_builder_add_string_value(b, sim_invariant_name(1u << i));
    json_builder_end_array(b);
}

static void add_cex(JsonBuilder *b, const check_cex *c)
{
    json_builder_begin_object(b);
    add_int(b, "run_index", c->run);
    add_int(b, "seed", (gint64)c->seed);
    add_string(b, "token", c->token);
    add_string(b, "replay", c->replay);
    add_string(b, "shrink", c->shrink_text);
    add_string(b, "violation", c->violation_text);
    json_builder_set_member_name(b, "timeline");
    json_builder_begin_array(b);
    for (guint i = 0; c->timeline && i < c->timeline->len; i++) {
        char *valid = g_utf8_make_valid(c->timeline->pdata[i], -1);
        json_builder_add_string_value(b, valid);
        g_free(valid);
    }
    json_builder_end_array(b);
    /* The write that erased a lost event: the line marked "!!". */
    json_builder_set_member_name(b, "erasing_write");
    if (c->erased_event) {
        json_builder_begin_object(b);
        add_string(b, "event", c->erased_event);
        add_int(b, "step", (gint64)c->erased_step);
        add_int(b, "timeline_index", c->erased_index);
        json_builder_end_object(b);
    } else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
}

/* The top-level counterexample (the first violation found), as in schema 1;
 * add_cex writes one counterexample object (check_cex). */
static void add_counterexample(JsonBuilder *b, const check_outcome *o)
{
    json_builder_set_member_name(b, "counterexample");
    if (o->verdict != SIM_VERDICT_VIOLATION) {
        json_builder_add_null_value(b);
        return;
    }
    check_cex top = {.run = o->cex_run, .seed = o->cex_seed, .token = o->token, .replay = o->replay,
                     .shrink_text = o->shrink_text, .violation_text = o->violation_text, .timeline = o->timeline,
                     .erased_event = o->erased_event, .erased_step = o->erased_step, .erased_index = o->erased_index};
    add_cex(b, &top);
}

/* Each invariant: {invariant, status, counterexample}; optional when reading. */
static void add_per_invariant(JsonBuilder *b, const check_outcome *o)
{
    json_builder_set_member_name(b, "invariants");
    json_builder_begin_array(b);
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        json_builder_begin_object(b);
        add_string(b, "invariant", sim_invariant_name(1u << i));
        add_string(b, "status", check_inv_status_name(o->inv_status[i]));
        add_bool(b, "claimed", (o->claimed & (1u << i)) != 0);
        json_builder_set_member_name(b, "counterexample");
        if (o->inv_cex[i])
            add_cex(b, o->inv_cex[i]);
        else
            json_builder_add_null_value(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static void add_outcome(JsonBuilder *b, const check_outcome *o, gboolean timing)
{
    json_builder_begin_object(b);
    add_string(b, "file", o->file);
    add_string(b, "name", o->name);
    add_string(b, "status", check_status_name(o->status));
    add_bool(b, "expected", o->status == CHECK_EXPECTED);
    add_string(b, "error", o->error);
    if (o->status != CHECK_BAD_INPUT) {
        char hash[16];
        g_snprintf(hash, sizeof hash, "%08x", o->scenario_hash);
        add_string(b, "scenario_hash", hash);
        add_string(b, "algorithm", o->algorithm);
        add_string(b, "algorithm_summary", o->algorithm_summary);
        add_string(b, "check", o->live ? "starvation" : "safety");
        add_string(b, "mode", check_mode_name(o->mode));
        add_string(b, "time_model", check_time_name(o->time));
        add_int(b, "runs_requested", o->runs_requested);
        add_int(b, "seed_base", (gint64)o->seed_base);
        json_builder_set_member_name(b, "shard");
        json_builder_begin_object(b);
        add_int(b, "index", o->shard_index);
        add_int(b, "count", o->shard_count);
        if (o->shard_items > 0) { /* exhaustive: the work items (docs/ci.md) */
            add_int(b, "items", o->shard_items);
            add_int(b, "items_owned", o->shard_items_owned);
        }
        json_builder_end_object(b);
        add_string(b, "verdict", sim_verdict_name(o->verdict));
        add_string(b, "expectation", o->expectation);
        json_builder_set_member_name(b, "expect");
        json_builder_begin_object(b);
        add_invariants(b, "violations", o->expect_violations);
        add_bool(b, "any", o->expect_any);
        add_bool(b, "ignored", o->ignore_expect);
        json_builder_end_object(b);
        add_invariants(b, "invariants_violated", o->verdict == SIM_VERDICT_VIOLATION ? o->violated : 0);
        add_counterexample(b, o);
        add_per_invariant(b, o);
        add_bool(b, "first", o->first);
        json_builder_set_member_name(b, "statistics");
        json_builder_begin_object(b);
        add_int(b, "runs", o->runs);
        add_int(b, "steps", (gint64)o->steps);
        add_int(b, "storage_ops", (gint64)o->storage_ops);
        if (o->lock_requests >= 0) /* optional when reading */
            add_int(b, "lock_requests", o->lock_requests);
        if (o->lock_acquired >= 0)
            add_int(b, "lock_acquired", o->lock_acquired);
        if (o->events_tracked >= 0)
            add_int(b, "events_tracked", o->events_tracked);
        add_int(b, "pruned", o->pruned);
        add_int(b, "bound_hits", o->bound_hits);
        if (o->search != CHECK_SEARCH_STATELESS)
            add_int(b, "states", o->states);
        /* Runs cut by each bound (check_cuts_text); optional when reading. */
        json_builder_set_member_name(b, "cuts");
        json_builder_begin_object(b);
        add_int(b, "steps_max", o->cut_steps);
        add_int(b, "time_limit_ms", o->cut_time);
        add_int(b, "fault_budgets", o->cut_faults);
        add_int(b, "preemptions", o->cut_preemptions);
        json_builder_end_object(b);
        add_int(b, "quota_runs", o->quota_runs);
        add_int(b, "warn_runs", o->warn_runs);
        if (o->warn_first[0]) {
            json_builder_set_member_name(b, "warning_first");
            json_builder_add_string_value(b, o->warn_first);
        }
        json_builder_end_object(b);
        /* The bounds in force; optional when reading. */
        json_builder_set_member_name(b, "limits");
        json_builder_begin_object(b);
        add_int(b, "steps_max", o->steps_max);
        add_int(b, "time_limit_ms", o->time_limit_ms);
        add_int(b, "preemptions_max", o->preemptions_max);
        add_bool(b, "reduction", o->reduction);
        if (o->mode == SIM_MODE_EXHAUSTIVE)
            add_string(b, "search", check_search_name(o->search));
        if (o->state_memory_mb > 0)
            add_int(b, "state_memory_mb", o->state_memory_mb);
        if (o->symmetry) {
            add_bool(b, "symmetry", TRUE);
            add_bool(b, "symmetry_applied", o->symmetry_applied); /* not applied or given up: bounds says why */
        }
        if (o->pct_depth > 0)
            add_int(b, "pct_depth", o->pct_depth);
        json_builder_end_object(b);
        if (o->live) { /* the starvation check (check_live.c): its own result; optional when reading */
            json_builder_set_member_name(b, "starvation");
            json_builder_begin_object(b);
            add_bool(b, "expected", o->expect_starvation);
            json_builder_set_member_name(b, "tab");
            if (o->verdict == SIM_VERDICT_VIOLATION)
                json_builder_add_int_value(b, o->live_tab);
            else
                json_builder_add_null_value(b);
            add_int(b, "states", (gint64)o->live_states);
            add_int(b, "edges", (gint64)o->live_edges);
            add_int(b, "expanded", (gint64)o->live_expanded);
            json_builder_end_object(b);
        }
        add_string(b, "bounds", o->bounds);
        add_string(b, "incomplete_reason", o->incomplete_reason);
        add_string(b, "resume", o->resume);
    }
    if (timing) {
        json_builder_set_member_name(b, "elapsed_s");
        json_builder_add_double_value(b, o->elapsed_s);
    }
    json_builder_end_object(b);
}

gboolean check_json_write(const char *path, const char *command, check_outcome *const *outcomes, guint n,
                          gboolean timing, int exit_code, GError **error)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    add_string(b, "tool", "tabsim");
    add_string(b, "version", TABSIM_VERSION);
    add_int(b, "schema", CHECK_REPORT_SCHEMA);
    add_string(b, "command", command);
    add_int(b, "exit_code", exit_code);
    guint count[4] = {0, 0, 0, 0};
    gint64 runs = 0;
    for (guint i = 0; i < n; i++) {
        count[outcomes[i]->status]++;
        runs += outcomes[i]->runs;
    }
    json_builder_set_member_name(b, "summary");
    json_builder_begin_object(b);
    add_int(b, "scenarios", n);
    add_int(b, "expected", count[CHECK_EXPECTED]);
    add_int(b, "unexpected", count[CHECK_UNEXPECTED]);
    add_int(b, "incomplete", count[CHECK_INCOMPLETE]);
    add_int(b, "bad_input", count[CHECK_BAD_INPUT]);
    add_int(b, "runs", runs);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "scenarios");
    json_builder_begin_array(b);
    for (guint i = 0; i < n; i++)
        add_outcome(b, outcomes[i], timing);
    json_builder_end_array(b);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    JsonGenerator *gen = json_generator_new();
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, 2);
    json_generator_set_root(gen, root);
    gsize len = 0;
    char *text = json_generator_to_data(gen, &len);
    GString *data = g_string_new_len(text, (gssize)len);
    g_string_append_c(data, '\n');
    gboolean ok = sim_output_write(path, data->str, (gssize)data->len, error);
    g_string_free(data, TRUE);
    g_free(text);
    g_object_unref(gen);
    json_node_unref(root);
    g_object_unref(b);
    return ok;
}
