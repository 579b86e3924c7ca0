/*
 * cmd_merge.c - `tabsim merge REPORT.json...`: combine the JSON reports of
 * the shards of one check (`tabsim check --shard K/N --json ...` on N
 * machines) into the verdict one machine would have given, printed and
 * exited like check itself.
 *
 * Per scenario (matched by file and name), the shards must agree on what
 * was asked: scenario hash, mode, time model, runs, base seed, shard count
 * and expectation; a disagreement is bad input (exit 2), since no single
 * check corresponds to the union.  Then:
 *   - violation if any shard found one; the counterexample is the one with
 *     the lowest run index (random mode), else the lowest shard index, so
 *     the merge is deterministic whatever order the reports come in;
 *   - otherwise incomplete if a shard was incomplete or missing;
 *   - otherwise verified if every shard verified its part, else passed.
 * Statistics are sums over the shards.  With a violation they can exceed
 * one machine's figures: each shard stops at its own first violation.
 */
#include <string.h>

#include "check.h"

typedef struct merge_group {
    char *key;          /* "file\nname\nN": the N-th time a check named it (a file given twice) */
    GPtrArray *shards;  /* check_outcome*, borrowed */
} merge_group;

static int shard_compare(gconstpointer a, gconstpointer b)
{
    const check_outcome *x = *(check_outcome *const *)a, *y = *(check_outcome *const *)b;
    return (x->shard_index > y->shard_index) - (x->shard_index < y->shard_index);
}

/* Do two shards describe parts of one check?  Names the first difference. */
static const char *shards_disagree(const check_outcome *a, const check_outcome *b)
{
    if (a->scenario_hash != b->scenario_hash)
        return "scenario hash (the scenario file changed between shards)";
    if (a->mode != b->mode)
        return "mode";
    if (a->time != b->time)
        return "time model";
    if (a->runs_requested != b->runs_requested)
        return "number of runs (--runs)";
    if (a->seed_base != b->seed_base)
        return "base seed (--seed)";
    if (a->shard_count != b->shard_count)
        return "shard count (the N of --shard K/N)";
    if (a->expect_violations != b->expect_violations || a->expect_any != b->expect_any ||
        a->ignore_expect != b->ignore_expect)
        return "expectation ([expect] or --ignore-expect)";
    if (a->first != b->first)
        return "judging (--first)";
    if (a->steps_max != b->steps_max)
        return "step bound (--steps, or [run] steps_max)";
    if (a->time_limit_ms != b->time_limit_ms)
        return "time limit ([run] time_limit_ms)";
    if (a->preemptions_max != b->preemptions_max)
        return "preemption bound (--preemptions)";
    if (a->search != b->search)
        return "search (--stateful or --bitstate)";
    if (a->reduction != b->reduction)
        return "reduction (--no-reduction)";
    if (a->symmetry != b->symmetry)
        return "symmetry (--symmetry, or [explore] symmetry)";
    if (a->state_memory_mb != b->state_memory_mb)
        return "visited set's memory (--state-memory)";
    if (a->pct_depth != b->pct_depth)
        return "PCT depth (--depth)";
    /* Items are counted as they are met: only searches that ran to the end
     * met them all. */
    if (a->verdict == SIM_VERDICT_VERIFIED && b->verdict == SIM_VERDICT_VERIFIED && a->shard_items != b->shard_items)
        return "work items (every shard of one exhaustive check splits it alike: were they made by different "
               "tabsim versions?)";
    return NULL;
}

static const check_outcome *counterexample_pick(GPtrArray *shards)
{
    const check_outcome *best = NULL;
    for (guint i = 0; i < shards->len; i++) {
        const check_outcome *s = shards->pdata[i];
        if (s->verdict != SIM_VERDICT_VIOLATION)
            continue;
        gboolean lower = s->cex_run >= 0 && (best == NULL || best->cex_run < 0 || s->cex_run < best->cex_run);
        if (!best || lower)
            best = s;
    }
    return best;
}

static void copy_counterexample(check_outcome *m, const check_outcome *s)
{
    m->verdict = SIM_VERDICT_VIOLATION;
    m->violated = s->violated;
    m->cex_run = s->cex_run;
    m->cex_seed = s->cex_seed;
    m->token = g_strdup(s->token);
    m->replay = g_strdup(s->replay);
    m->shrink_text = g_strdup(s->shrink_text);
    m->violation_text = g_strdup(s->violation_text);
    m->timeline = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; s->timeline && i < s->timeline->len; i++)
        g_ptr_array_add(m->timeline, g_strdup(s->timeline->pdata[i]));
    m->erased_event = g_strdup(s->erased_event);
    m->erased_step = s->erased_step;
    m->erased_index = s->erased_index;
}

static check_cex *cex_copy(const check_cex *c)
{
    check_cex *x = check_cex_new();
    *x = *c;
    x->token = g_strdup(c->token);
    x->replay = g_strdup(c->replay);
    x->shrink_text = g_strdup(c->shrink_text);
    x->mermaid = g_strdup(c->mermaid);
    x->violation_text = g_strdup(c->violation_text);
    x->timeline = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; c->timeline && i < c->timeline->len; i++)
        g_ptr_array_add(x->timeline, g_strdup(c->timeline->pdata[i]));
    x->erased_event = g_strdup(c->erased_event);
    return x;
}

/* Each invariant's counterexample: the shards' one with the lowest run
 * index (random mode), else the lowest shard's, as for the primary one. */
static void per_invariant_merge(check_outcome *m, GPtrArray *shards)
{
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        const check_cex *best = NULL;
        for (guint k = 0; k < shards->len; k++) {
            const check_outcome *s = shards->pdata[k];
            const check_cex *c = s->verdict == SIM_VERDICT_VIOLATION ? s->inv_cex[i] : NULL;
            if (c && (!best || (c->run >= 0 && (best->run < 0 || c->run < best->run))))
                best = c;
        }
        if (best) {
            m->inv_cex[i] = cex_copy(best);
            m->violated |= 1u << i;
        }
    }
}

/* The bounds of the merged search: a shard's, without its own part
 * ("; shard K/N: ..."), with the number of shards merged; for a stateful
 * search, with the states of every shard's visited set (a state two
 * shards reached is counted twice). */
static char *merged_bounds(const check_outcome *first, guint shards, gint64 states)
{
    if (!first->bounds)
        return NULL;
    const char *text = first->bounds;
    char *lead = NULL;
    const char *close = strstr(text, ") ");
    if (first->search != CHECK_SEARCH_STATELESS && g_str_has_prefix(text, "(stateful, ") && close) {
        lead = g_strdup_printf("(stateful, %" G_GINT64_FORMAT " states in the shards' own visited sets) ", states);
        text = close + strlen(") ");
    }
    const char *own = strstr(text, "; shard ");
    gsize len = own ? (gsize)(own - text) : strlen(text);
    char *t = first->shard_items > 0 && first->verdict == SIM_VERDICT_VERIFIED
                  ? g_strdup_printf("%s%.*s; %u of %d shards merged, %" G_GINT64_FORMAT " work items",
                                    lead ? lead : "", (int)len, text, shards, first->shard_count, first->shard_items)
                  : g_strdup_printf("%s%.*s; %u of %d shards merged", lead ? lead : "", (int)len, text, shards,
                                    first->shard_count);
    g_free(lead);
    return t;
}

/* A starvation check is not split: every shard ran it whole, with the
 * same result (it is deterministic), so the merge is one shard's: the
 * lowest that finished, else the lowest; missing shards leave nothing
 * out. */
static check_outcome *live_merge(check_outcome *m, const check_outcome *s)
{
    m->scenario_hash = s->scenario_hash;
    m->mode = s->mode;
    m->time = s->time;
    m->search = s->search;
    m->ignore_expect = s->ignore_expect;
    m->steps_max = s->steps_max;
    m->time_limit_ms = s->time_limit_ms;
    m->preemptions_max = s->preemptions_max;
    m->live = TRUE;
    m->expect_starvation = s->expect_starvation;
    m->live_states = s->live_states;
    m->live_edges = s->live_edges;
    m->live_expanded = s->live_expanded;
    m->live_tab = s->live_tab;
    m->states = s->states;
    m->runs = s->runs;
    m->steps = s->steps;
    m->elapsed_s = s->elapsed_s;
    m->verdict = s->verdict;
    if (s->verdict == SIM_VERDICT_VIOLATION)
        copy_counterexample(m, s);
    m->bounds = g_strdup(s->bounds);
    m->incomplete_reason = g_strdup(s->incomplete_reason);
    check_outcome_judge(m);
    return m;
}

/* The merged outcome of one scenario's shards, or NULL with *error set. */
static check_outcome *group_merge(merge_group *g, char **error)
{
    g_ptr_array_sort(g->shards, shard_compare);
    const check_outcome *first = g->shards->pdata[0];
    check_outcome *m = check_outcome_new(first->file);
    g_free(m->name);
    m->name = g_strdup(first->name);
    m->algorithm = g_strdup(first->algorithm);
    m->algorithm_summary = g_strdup(first->algorithm_summary);
    for (guint i = 0; i < g->shards->len; i++) {
        const check_outcome *s = g->shards->pdata[i];
        if (s->status == CHECK_BAD_INPUT) {
            m->error = g_strdup(s->error);
            check_outcome_judge(m);
            return m;
        }
        const char *diff = i > 0 ? shards_disagree(first, s) : NULL;
        if (!diff && i > 0 && ((const check_outcome *)g->shards->pdata[i - 1])->shard_index == s->shard_index)
            diff = "shard index (the same shard given twice)";
        if (diff) {
            *error = g_strdup_printf("%s (%s): shards %d/%d and %d/%d differ in their %s; merge only the reports of "
                                     "one sharded check",
                                     first->name, first->file, first->shard_index, first->shard_count, s->shard_index,
                                     s->shard_count, diff);
            check_outcome_free(m);
            return NULL;
        }
    }
    if (first->live) { /* a shard that finished it, if one did */
        const check_outcome *best = first;
        for (guint i = 0; i < g->shards->len && best->verdict == SIM_VERDICT_INCOMPLETE; i++)
            best = g->shards->pdata[i];
        return live_merge(m, best);
    }
    m->scenario_hash = first->scenario_hash;
    m->mode = first->mode;
    m->time = first->time;
    m->runs_requested = first->runs_requested;
    m->seed_base = first->seed_base;
    m->expect_violations = first->expect_violations;
    m->expect_any = first->expect_any;
    m->ignore_expect = first->ignore_expect;
    m->shard_items = first->shard_items;
    m->pct_depth = first->pct_depth;
    m->steps_max = first->steps_max;
    m->time_limit_ms = first->time_limit_ms;
    m->preemptions_max = first->preemptions_max;
    m->reduction = first->reduction;
    m->search = first->search;
    m->symmetry = first->symmetry;
    m->state_memory_mb = first->state_memory_mb;
    m->symmetry_applied = first->symmetry;
    for (guint i = 0; i < g->shards->len; i++)
        m->symmetry_applied = m->symmetry_applied && ((const check_outcome *)g->shards->pdata[i])->symmetry_applied;
    GString *reasons = g_string_new(NULL), *resume = g_string_new(NULL);
    gboolean all_verified = TRUE, incomplete = FALSE;
    m->lock_requests = m->lock_acquired = m->events_tracked = 0; /* summed; -1 if a shard's report has none */
    for (guint i = 0; i < g->shards->len; i++) {
        const check_outcome *s = g->shards->pdata[i];
        m->runs += s->runs;
        m->states += s->states;
        m->shard_items_owned += s->shard_items_owned;
        m->steps += s->steps;
        m->storage_ops += s->storage_ops;
        m->lock_requests = m->lock_requests < 0 || s->lock_requests < 0 ? -1 : m->lock_requests + s->lock_requests;
        m->lock_acquired = m->lock_acquired < 0 || s->lock_acquired < 0 ? -1 : m->lock_acquired + s->lock_acquired;
        m->events_tracked = m->events_tracked < 0 || s->events_tracked < 0 ? -1 : m->events_tracked + s->events_tracked;
        m->pruned += s->pruned;
        m->bound_hits += s->bound_hits;
        m->cut_steps += s->cut_steps;
        m->cut_time += s->cut_time;
        m->cut_faults += s->cut_faults;
        m->cut_preemptions += s->cut_preemptions;
        m->quota_runs += s->quota_runs;
        m->warn_runs += s->warn_runs;
        if (!m->warn_first[0])
            memcpy(m->warn_first, s->warn_first, sizeof m->warn_first);
        m->elapsed_s += s->elapsed_s;
        all_verified = all_verified && s->verdict == SIM_VERDICT_VERIFIED;
        /* A violation with a reason: a stop cut the shard's search after
         * it found one, and the rest of it was not judged. */
        if (s->verdict == SIM_VERDICT_INCOMPLETE ||
            (s->verdict == SIM_VERDICT_VIOLATION && s->incomplete_reason && !s->first)) {
            incomplete = TRUE;
            g_string_append_printf(reasons, "%sshard %d/%d: %s", reasons->len ? "; " : "", s->shard_index,
                                   s->shard_count, s->incomplete_reason ? s->incomplete_reason : "incomplete");
            if (s->resume)
                g_string_append_printf(resume, "%s%s", resume->len ? " ; " : "", s->resume);
        }
    }
    m->bounds = merged_bounds(first, g->shards->len, m->states);
    {   /* the bounds that cut some shard's runs, named as a shard named them */
        const char **texts = g_new0(const char *, g->shards->len);
        for (guint i = 0; i < g->shards->len; i++)
            texts[i] = ((const check_outcome *)g->shards->pdata[i])->bounds;
        check_bounds_cuts(m, NULL, texts, g->shards->len);
        g_free(texts);
    }
    if (g->shards->len < (guint)first->shard_count) {
        incomplete = TRUE;
        g_string_append_printf(reasons, "%sonly %u of %d shards reported; missing:", reasons->len ? "; " : "",
                               g->shards->len, first->shard_count);
        for (int k = 0, j = 0; k < first->shard_count; k++) {
            if (j < (int)g->shards->len && ((check_outcome *)g->shards->pdata[j])->shard_index == k)
                j++;
            else
                g_string_append_printf(reasons, " %d/%d", k, first->shard_count);
        }
    }
    m->first = first->first;
    m->claimed = first->claimed;
    const check_outcome *cex = counterexample_pick(g->shards);
    if (cex) {
        copy_counterexample(m, cex);
        if (!m->first)
            per_invariant_merge(m, g->shards);
        else /* the one shown: its shard's, named by its invariant as check names it */
            for (int i = 0; i < SIM_INV_COUNT; i++)
                if ((m->violated & (1u << i)) && cex->inv_cex[i])
                    m->inv_cex[i] = cex_copy(cex->inv_cex[i]);
    }
    /* Without --first, violations found leave the rest unjudged when a
     * shard was incomplete; with --first the violation decides. */
    if (incomplete && !(cex && m->first)) {
        if (!cex)
            m->verdict = SIM_VERDICT_INCOMPLETE;
        m->incomplete_reason = g_strdup(reasons->str);
        if (resume->len)
            m->resume = g_strdup(resume->str);
    } else if (!cex)
        m->verdict = all_verified ? SIM_VERDICT_VERIFIED : SIM_VERDICT_PASSED;
    g_string_free(reasons, TRUE);
    g_string_free(resume, TRUE);
    check_outcome_statuses(m, m->claimed);
    check_outcome_honest(m);
    check_outcome_judge(m);
    return m;
}

/* Groups outcomes by scenario, in order of first appearance: a report's
 * outcomes begin at the indices in starts (ascending), and a scenario its
 * check was given twice (`check dir/ dir/a.ini`) is two: its first outcome
 * in each report goes with the others' first, its second with their
 * second. */
static GPtrArray *groups_make(GPtrArray *all, GArray *starts)
{
    GPtrArray *groups = g_ptr_array_new();
    GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal); /* lookups only: order comes from groups */
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL); /* this report's, by file\nname */
    guint next_start = 0;
    for (guint i = 0; i < all->len; i++) {
        check_outcome *o = all->pdata[i];
        if (next_start < starts->len && g_array_index(starts, guint, next_start) == i) {
            g_hash_table_remove_all(seen);
            next_start++;
        }
        char *name = g_strdup_printf("%s\n%s", o->file, o->name);
        guint nth = GPOINTER_TO_UINT(g_hash_table_lookup(seen, name));
        g_hash_table_replace(seen, name, GUINT_TO_POINTER(nth + 1));
        char *key = g_strdup_printf("%s\n%s\n%u", o->file, o->name, nth);
        merge_group *g = g_hash_table_lookup(index, key);
        if (!g) {
            g = g_new0(merge_group, 1);
            g->key = key;
            g->shards = g_ptr_array_new();
            g_hash_table_insert(index, g->key, g);
            g_ptr_array_add(groups, g);
        } else
            g_free(key);
        g_ptr_array_add(g->shards, o);
    }
    g_hash_table_destroy(seen);
    g_hash_table_destroy(index);
    return groups;
}

int cli_merge(int argc, char **argv)
{
    char *json = NULL, *junit = NULL;
    gboolean no_timing = FALSE;
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &json, "Write the merged JSON report to FILE", "FILE"},
        {"junit", 0, 0, G_OPTION_ARG_FILENAME, &junit, "Write the merged JUnit XML report to FILE", "FILE"},
        {"no-timing", 0, 0, G_OPTION_ARG_NONE, &no_timing, "Leave wall-clock times out of output and reports", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("REPORT.json... - combine the shard reports of one check");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "Exit codes as for check: 2 bad input, 1 unexpected, 3 incomplete, 0.\n");
    GError *error = NULL;
    cli_args args;
    gboolean ok = cli_args_parse(&args, ctx, entries, argc, argv, &error);
    g_option_context_free(ctx);
    argc = args.argc;
    argv = args.argv;
    int rc = CLI_EXIT_EXPECTED;
    if (!ok) {
        rc = cli_usage_error("%s (see tabsim merge --help)", error->message);
        g_clear_error(&error);
    } else if (argc < 2) {
        rc = cli_usage_error("merge needs at least one REPORT.json written by tabsim check --json");
    } else {
        const cli_output outputs[] = {{"--json", json}, {"--junit", junit}};
        rc = cli_outputs_check(outputs, G_N_ELEMENTS(outputs), (const char *const *)argv + 1, (guint)argc - 1);
    }
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)check_outcome_free);
    GArray *starts = g_array_new(FALSE, FALSE, sizeof(guint));
    for (int i = 1; rc == CLI_EXIT_EXPECTED && i < argc; i++) {
        guint before = all->len;
        g_array_append_val(starts, before);
        if (!check_json_read(argv[i], all, &error)) {
            rc = cli_usage_error("%s", error->message);
            g_clear_error(&error);
        } else if (all->len == before) {
            /* A check of nothing cannot stand for a shard of something. */
            rc = cli_usage_error("%s: the report has no scenarios; merge needs the reports of tabsim check --json "
                                 "--shard K/N, each with the scenarios of its check",
                                 argv[i]);
        }
    }
    GPtrArray *merged = g_ptr_array_new_with_free_func((GDestroyNotify)check_outcome_free);
    GPtrArray *groups = rc == CLI_EXIT_EXPECTED ? groups_make(all, starts) : g_ptr_array_new();
    g_array_free(starts, TRUE);
    for (guint i = 0; i < groups->len; i++) {
        merge_group *g = groups->pdata[i];
        char *why = NULL;
        check_outcome *m = rc == CLI_EXIT_EXPECTED ? group_merge(g, &why) : NULL;
        if (m)
            g_ptr_array_add(merged, m);
        else if (why) {
            rc = cli_usage_error("%s", why);
            g_free(why);
        }
        g_free(g->key);
        g_ptr_array_free(g->shards, TRUE);
        g_free(g);
    }
    g_ptr_array_free(groups, TRUE);
    if (rc == CLI_EXIT_EXPECTED) {
        check_outcome *const *list = (check_outcome *const *)merged->pdata;
        GString *text = g_string_new(NULL);
        for (guint i = 0; i < merged->len; i++) {
            if (i > 0)
                g_string_append_c(text, '\n');
            check_outcome_print(text, list[i]);
            if (list[i]->status == CHECK_BAD_INPUT) /* as check does: the error on stderr */
                cli_usage_error("%s", list[i]->error);
        }
        rc = check_exit_code(list, merged->len);
        g_string_append_c(text, '\n');
        check_summary_print(text, list, merged->len, !no_timing, -1, rc);
        fputs(text->str, stdout);
        g_string_free(text, TRUE);
        if (json && !check_json_write(json, "merge", list, merged->len, !no_timing, rc, &error)) {
            rc = cli_usage_error("--json %s: %s", json, error->message);
            g_clear_error(&error);
        }
        if (junit && !check_junit_write(junit, list, merged->len, !no_timing, &error)) {
            rc = cli_usage_error("--junit %s: %s", junit, error->message);
            g_clear_error(&error);
        }
    }
    g_ptr_array_free(merged, TRUE);
    g_ptr_array_free(all, TRUE);
    g_free(json);
    g_free(junit);
    cli_args_clear(&args);
    return rc;
}
