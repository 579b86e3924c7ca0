/*
 * check_items.c - `tabsim check --shard K/N --list-items`: the work items
 * of a split exhaustive search, printed instead of explored.
 *
 * A work item (sim/explore/split.h) is a choice prefix and the sleep set
 * its root is reached with; this prints each of the shard's items as a
 * replay token of that prefix (`tabsim replay FILE --token T` makes the
 * item's first run) with the tabs asleep at its root, so that a slow or
 * failing shard can be looked into item by item.  Every shard computes the
 * same list (docs/ci.md), so the items of all shards are those of shard
 * 0/N .. N-1/N together.  Output is deterministic; nothing is judged.
 */
#include <string.h>

#include "check.h"
#include "sim/explore/token.h"

static char *asleep_text(uint64_t asleep)
{
    if (!asleep)
        return g_strdup("none");
    GString *g = g_string_new(NULL);
    for (int t = 0; t < 64; t++)
        if (asleep >> t & 1)
            g_string_append_printf(g, "%stab%d", g->len ? ", " : "", t + 1);
    return g_string_free(g, FALSE);
}

/* One scenario's items; FALSE (the error on stderr) when it has none to
 * list: not an exhaustive search. */
static gboolean scenario_items(const char *file, const sim_scenario *s, const check_request *req, GString *out)
{
    sim_explore_options o;
    sim_explore_resolve(s, &req->explore, &o);
    if (s->forever) { /* its tabs never stop: the search of runs would not end */
        cli_usage_error("%s: --list-items: the starvation check ([workload] forever) is not split into work items "
                        "(every shard checks it whole); allowed: --list-items on the other scenarios",
                        file);
        return FALSE;
    }
    if (o.mode != SIM_MODE_EXHAUSTIVE) {
        cli_usage_error("%s: --list-items: only an exhaustive search has work items; allowed: --mode exhaustive, "
                        "or [explore] mode = exhaustive",
                        file);
        return FALSE;
    }
    GPtrArray *items = g_ptr_array_new_with_free_func(sim_explore_item_free);
    o.items_out = items;
    o.shrink = FALSE;
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_result r;
    memset(&r, 0, sizeof r);
    sim_explore(s, pool, &o, &r);
    sim_stack_pool_free(pool);
    guint owned = 0;
    for (guint i = 0; i < items->len; i++)
        owned += ((const sim_explore_item *)items->pdata[i])->shard == o.shard_index;
    g_string_append_printf(out, "items       %s (%s): exhaustive search%s, shard %d/%d: %u of %u work items",
                           s->name, file, o.stateful || o.bitstate ? " (stateful)" : "", o.shard_index,
                           o.shard_count, owned, items->len);
    if (r.stop_cause)
        g_string_append_printf(out, "; stopped before the list was complete: %s",
                               r.incomplete_reason ? r.incomplete_reason : "a stop");
    g_string_append_c(out, '\n');
    for (guint i = 0; i < items->len; i++) {
        const sim_explore_item *it = items->pdata[i];
        if (it->shard != o.shard_index)
            continue;
        sim_token token = {s->hash, 0, SIM_TAIL_ZERO, o.time != SIM_TIME_TIMED, TRUE, it->prefix};
        char *text = sim_token_encode(&token);
        g_string_append_printf(out, "item %-6" G_GINT64_FORMAT " %s", it->index, text);
        g_free(text);
        if (it->bound >= 0)
            g_string_append_printf(out, "  preemption bound %" G_GINT64_FORMAT, it->bound);
        if (it->run) {
            g_string_append(out, "  (a run that ends above the split)\n");
        } else {
            char *asleep = asleep_text(it->asleep);
            g_string_append_printf(out, "  asleep: %s\n", asleep);
            g_free(asleep);
        }
    }
    sim_explore_result_clear(&r);
    g_ptr_array_free(items, TRUE);
    return TRUE;
}

int check_items_list(const check_request *req, GPtrArray *files, GPtrArray *errors)
{
    int rc = CLI_EXIT_EXPECTED;
    for (guint i = 0; i < files->len; i++) {
        const char *file = files->pdata[i];
        if (errors->pdata[i]) {
            cli_usage_error("%s", (const char *)errors->pdata[i]);
            rc = CLI_EXIT_USAGE;
            continue;
        }
        GError *error = NULL;
        sim_scenario *s = sim_scenario_load(file, &error);
        if (!s) {
            cli_usage_error("%s", error->message);
            g_error_free(error);
            rc = CLI_EXIT_USAGE;
            continue;
        }
        GString *out = g_string_new(NULL);
        if (!scenario_items(file, s, req, out))
            rc = CLI_EXIT_USAGE;
        fputs(out->str, stdout);
        fflush(stdout);
        g_string_free(out, TRUE);
        sim_scenario_free(s);
    }
    return rc;
}
