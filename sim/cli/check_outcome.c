/*
 * check_outcome.c - one scenario's outcome in `tabsim check`: built from
 * the explorer's results and judged against [expect] (check_print.c
 * prints it).
 *
 * The explorer may have run a scenario's random runs in several chunks (to
 * spread them over threads).  Chunks cover consecutive ranges of run
 * indices, so combining them in run order gives exactly the outcome of one
 * sequential explorer: the first chunk (in run order) with a violation
 * holds the lowest-index violation, and the statistics are the sums over the
 * chunks up to and including it; chunks after it are discarded.  Nothing
 * here reads a clock, so the printed text depends only on the runs.
 */
#include "check.h"

#include <string.h>

#include "sim/input.h"
#include "sim/programs/algorithms.h"
#include "sim/programs/program.h"

char *report_text_clean(const char *text)
{
    char *valid = g_utf8_make_valid(text, -1);
    for (char *c = valid; *c; c++) {
        if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t')
            *c = '?';
        /* U+FFFE and U+FFFF (EF BF BE, EF BF BF), which XML 1.0 forbids
         * too, become U+FFFD, of the same length. */
        if ((unsigned char)c[0] == 0xef && (unsigned char)c[1] == 0xbf && ((unsigned char)c[2] & 0xfe) == 0xbe)
            c[2] = (char)0xbd;
    }
    return valid;
}

const char *check_status_name(check_status status)
{
    switch (status) {
    case CHECK_EXPECTED:
        return "expected";
    case CHECK_UNEXPECTED:
        return "unexpected";
    case CHECK_INCOMPLETE:
        return "incomplete";
    case CHECK_BAD_INPUT:
        return "bad-input";
    }
    return "?";
}

const char *check_search_name(check_search search)
{
    static const char *const names[] = {"stateless", "stateful", "bitstate"};
    return names[search];
}

const char *check_mode_name(sim_mode mode)
{
    switch (mode) {
    case SIM_MODE_RANDOM:
        return "random";
    case SIM_MODE_EXHAUSTIVE:
        return "exhaustive";
    case SIM_MODE_PCT:
        return "pct";
    }
    return "?";
}

const char *check_time_name(sim_time_model time)
{
    return time == SIM_TIME_UNTIMED ? "untimed" : "timed";
}

sim_time_model check_time_resolve(sim_mode mode, sim_time_model time)
{
    if (time != SIM_TIME_DEFAULT)
        return time;
    /* PCT schedules by priorities: the scheduler is the adversary, untimed. */
    return mode == SIM_MODE_RANDOM ? SIM_TIME_TIMED : SIM_TIME_UNTIMED;
}

/* Runs a FILE* printer into a string (the report.c printers take a FILE*). */
static void capture_begin(FILE **f, char **buf, size_t *len)
{
    *f = open_memstream(buf, len);
    if (!*f)
        g_error("tabsim: open_memstream failed");
}

static char *capture_end(FILE *f, char **buf)
{
    fclose(f); /* sets *buf */
    char *text = g_strdup(*buf ? *buf : "");
    free(*buf);
    *buf = NULL;
    return text;
}

/* The run's violation of inv, or its first violation when inv is 0. */
static const sim_violation *violation_of(const sim_run *run, guint inv)
{
    const GPtrArray *vs = run->monitor.violations;
    for (guint i = 0; i < vs->len; i++)
        if (!inv || (((const sim_violation *)vs->pdata[i])->invariant & inv))
            return vs->pdata[i];
    return report_first_violation(run);
}

/* A counterexample's seed, run, and shrinking line. */
static check_cex *cex_begin(const check_outcome *o, const sim_explore_cex *found, uint64_t shrink_work_max)
{
    check_cex *c = check_cex_new();
    c->seed = found->spec.seed;
    /* Run i of a random or PCT search has seed base + i (explore_pct.c). */
    if ((o->mode == SIM_MODE_RANDOM || o->mode == SIM_MODE_PCT) && found->spec.seed >= o->seed_base)
        c->run = (gint64)(found->spec.seed - o->seed_base);
    if (found->shrunk) {
        char *cut = found->shrink_cut ? g_strdup_printf(", stopped by its bound of %" G_GUINT64_FORMAT " work units",
                                                        shrink_work_max)
                                      : g_strdup("");
        c->shrink_text = g_strdup_printf("shrunk      from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                                         " steps, %" G_GINT64_FORMAT " preemptions (%" G_GINT64_FORMAT
                                         " shrinking runs%s)",
                                         found->shrink_from_steps, found->shrink_to_steps, found->preemptions,
                                         found->shrink_runs, cut);
        g_free(cut);
    }
    return c;
}

/* Its token (taken) and the replay command that shows it. */
static void cex_token_set(check_cex *c, const sim_scenario *s, char *token)
{
    c->token = token;
    char *quoted = sim_input_shell_quote(s->path);
    c->replay = g_strdup_printf("tabsim replay %s --token %s --trace", quoted, c->token);
    g_free(quoted);
}

/* A counterexample whose run could not be made again for its timeline (a
 * stop, or the history bound): its token, replay command and what it
 * violated, from what the search kept.  The violation is real (the search
 * judged that run); only the showing is missing, and the text says why. */
static check_cex *counterexample_unshown(const check_outcome *o, const sim_scenario *s, const sim_explore_cex *found,
                                         guint inv, const check_request *req, uint64_t shrink_work_max, sim_stop why)
{
    check_cex *c = cex_begin(o, found, shrink_work_max);
    cex_token_set(c, s, sim_spec_token(s->hash, &found->spec));
    char *cause = sim_explore_stop_text(why, &req->explore);
    char *stop = why == SIM_STOP_HISTORY
                     ? g_strdup_printf("%s, and so would its replay; --steps or a smaller workload fits under it", cause)
                     : g_strdup_printf("%s; the replay command below shows it", cause);
    g_free(cause);
    c->violation_text = g_strdup_printf("violation   %s, in the run %s (its timeline not made: %s)\n",
                                        sim_invariant_name(inv), found->shrunk ? "shrunk" : "as found, not shrunk",
                                        stop);
    g_free(stop);
    c->timeline = g_ptr_array_new_with_free_func(g_free);
    return c;
}

/* Replays one counterexample with a trace: violation text, timeline,
 * token; NULL with *stopped set when a stop or the history bound cut it. */
static check_cex *counterexample_fill(const check_outcome *o, const sim_scenario *s, sim_stack_pool *pool,
                                      const sim_explore_cex *found, guint inv, const check_request *req,
                                      uint64_t shrink_work_max, sim_stop *stopped)
{
    check_cex *c = cex_begin(o, found, shrink_work_max);
    sim_run_spec spec = found->spec;
    spec.trace = TRUE;
    spec.record = FALSE;
    spec.stop = req->explore.stop;
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    if (run.stopped) {
        *stopped = run.stopped;
        sim_run_clear(&run);
        check_cex_free(c);
        return NULL;
    }
    const sim_violation *v = violation_of(&run, inv);
    cex_token_set(c, s, sim_run_token(&run, &spec));
    c->timeline = g_ptr_array_new_with_free_func(g_free);
    if (!(inv ? run.monitor.violated & inv : run.monitor.violated)) {
        /* The search judged a run that its token does not make again: the
         * violation stands (that run broke it), its showing does not, and
         * the text says so instead of printing nothing. */
        c->violation_text = g_strdup_printf("violation   %s, found by the search, but the run its token makes does "
                                            "not show it (a defect of tabsim: please report this scenario); no "
                                            "timeline\n",
                                            inv ? sim_invariant_name(inv) : "an invariant");
        v = NULL;
    }
    if (v) {
        c->mermaid = mermaid_render(s, &run, v, (unsigned)req->context);
        FILE *f;
        char *buf = NULL;
        size_t len = 0;
        capture_begin(&f, &buf, &len);
        report_violation(f, v);
        c->violation_text = capture_end(f, &buf);
        capture_begin(&f, &buf, &len);
        report_timeline(f, &run, v, (unsigned)req->context);
        char *timeline = capture_end(f, &buf);
        char **lines = g_strsplit(timeline, "\n", -1);
        for (int i = 0; lines[i]; i++) {
            if (!lines[i][0])
                continue;
            if (v->erased_line && g_str_has_prefix(lines[i], REPORT_ERASED_MARK))
                c->erased_index = (gint64)c->timeline->len;
            g_ptr_array_add(c->timeline, g_strdup(lines[i]));
        }
        g_strfreev(lines);
        g_free(timeline);
        if (v->erased_line) {
            c->erased_event = g_strdup(v->erased_event);
            c->erased_step = v->erased_line;
        }
    }
    sim_run_clear(&run);
    return c;
}

void check_outcome_set_primary(check_outcome *o, const check_cex *c)
{
    o->cex_run = c->run;
    o->cex_seed = c->seed;
    o->token = g_strdup(c->token);
    o->replay = g_strdup(c->replay);
    o->shrink_text = g_strdup(c->shrink_text);
    o->mermaid = g_strdup(c->mermaid);
    o->violation_text = g_strdup(c->violation_text);
    o->timeline = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; c->timeline && i < c->timeline->len; i++)
        g_ptr_array_add(o->timeline, g_strdup(c->timeline->pdata[i]));
    o->erased_event = g_strdup(c->erased_event);
    o->erased_step = c->erased_step;
    o->erased_index = c->erased_index;
}

static void resume_fill(check_outcome *o, gint64 covered)
{
    if (o->mode != SIM_MODE_RANDOM || covered >= o->runs_requested)
        return;
    char *quoted = sim_input_shell_quote(o->file);
    GString *cmd = g_string_new(NULL);
    g_string_printf(cmd, "tabsim check %s --seed %" G_GUINT64_FORMAT " --runs %" G_GINT64_FORMAT, quoted,
                    o->seed_base + (guint64)covered, o->runs_requested - covered);
    if (o->shard_count > 1)
        g_string_append_printf(cmd, " --shard %d/%d", o->shard_index, o->shard_count);
    o->resume = g_string_free(cmd, FALSE);
    g_free(quoted);
}

/* The scenario is incomplete: why (the chunk r's reason), and in random
 * mode how far it got and how to resume. */
static void incomplete_fill(check_outcome *o, const sim_explore_result *r, const char *why, gint64 chunk_first_run)
{
    o->verdict = SIM_VERDICT_INCOMPLETE;
    gint64 covered = chunk_first_run + r->runs * o->shard_count;
    if (o->mode == SIM_MODE_RANDOM && o->runs == 0)
        o->incomplete_reason = g_strdup_printf("%s before any run of it was done", why);
    else if (o->mode == SIM_MODE_RANDOM)
        o->incomplete_reason = g_strdup_printf("%s; %" G_GINT64_FORMAT " runs made, every run%s before seed %"
                                               G_GUINT64_FORMAT " done",
                                               why, o->runs, o->shard_count > 1 ? " of this shard" : "",
                                               o->seed_base + (guint64)covered);
    else
        o->incomplete_reason = g_strdup(why);
    o->cex_run = -1;
    resume_fill(o, covered);
}

static void stats_add(check_outcome *o, const sim_explore_result *r)
{
    o->shard_items += r->shard_items;
    o->shard_items_owned += r->shard_items_owned;
    o->runs += r->runs;
    o->pruned += r->pruned;
    o->bound_hits += r->bound_hits;
    o->cut_steps += r->cut_steps;
    o->cut_time += r->cut_time;
    o->cut_faults += r->cut_faults;
    o->cut_preemptions += r->cut_preemptions;
    o->quota_runs += r->quota_runs;
    o->warn_runs += r->warn_runs;
    if (!o->warn_first[0])
        memcpy(o->warn_first, r->warn_first, sizeof o->warn_first); /* chunks come in order of their runs */
    o->steps += r->steps;
    o->storage_ops += r->storage_ops;
    o->lock_requests += (gint64)r->lock_requests;
    o->lock_acquired += (gint64)r->lock_acquired;
    o->events_tracked += (gint64)r->events_tracked;
    o->states += r->states;
}

void check_outcome_name(check_outcome *o, const sim_scenario *s)
{
    g_free(o->name);
    o->name = g_strdup(s->name);
    g_free(o->algorithm);
    g_free(o->algorithm_summary);
    o->algorithm = g_strdup(sim_scenario_algorithm(s)->name);
    o->algorithm_summary = g_strdup(sim_scenario_algorithm(s)->summary);
    o->scenario_hash = s->hash;
}

void check_outcome_fill(check_outcome *o, const sim_scenario *s, sim_stack_pool *pool, const check_request *req,
                        sim_explore_result *chunks, int n_chunks, const gint64 *chunk_first_run)
{
    sim_explore_options resolved;
    sim_explore_resolve(s, &req->explore, &resolved);
    const sim_explore_options *eo = &resolved;
    check_outcome_name(o, s);
    o->lock_requests = o->lock_acquired = o->events_tracked = 0; /* counted over the chunks (stats_add) */
    o->mode = eo->mode;
    o->time = check_time_resolve(eo->mode, eo->time);
    o->runs_requested = req->runs > 0 ? req->runs : s->runs;
    o->seed_base = req->seed >= 0 ? (guint64)req->seed : (guint64)s->seed;
    o->shard_index = eo->shard_index;
    o->shard_count = eo->shard_count;
    o->expect_violations = s->expect_violations;
    o->expect_any = s->expect_any;
    o->ignore_expect = req->ignore_expect;
    o->steps_max = eo->steps_max > 0 ? eo->steps_max : s->steps_max;
    o->time_limit_ms = s->time_limit_ms;
    o->preemptions_max = eo->mode == SIM_MODE_EXHAUSTIVE ? eo->preemptions_max : -1;
    /* The stateless search reduces by source-DPOR without a preemption
     * bound; the stateful one by sleep sets where it can, below. */
    o->reduction = eo->mode == SIM_MODE_EXHAUSTIVE && !eo->no_reduction && eo->preemptions_max < 0 &&
                   !eo->stateful && !eo->bitstate;
    o->pct_depth = eo->mode == SIM_MODE_PCT ? eo->pct_depth : 0;
    o->search = eo->mode != SIM_MODE_EXHAUSTIVE ? CHECK_SEARCH_STATELESS
                : eo->bitstate                  ? CHECK_SEARCH_BITSTATE
                : eo->stateful                  ? CHECK_SEARCH_STATEFUL
                                                : CHECK_SEARCH_STATELESS;
    o->symmetry = o->search != CHECK_SEARCH_STATELESS && eo->symmetry;
    if (o->search != CHECK_SEARCH_STATELESS) {
        /* As the search decides (explore_state.c), from the options: the
         * same in every shard, also one whose search never started. */
        o->reduction = sim_explore_stateful_reduces(eo, s);
        o->state_memory_mb = eo->state_memory_mb > 0 ? eo->state_memory_mb : SIM_STATE_MEMORY_MB_DEFAULT;
        o->symmetry_applied = o->symmetry && n_chunks > 0;
        for (int c = 0; c < n_chunks; c++)
            o->symmetry_applied = o->symmetry_applied && chunks[c].symmetry_applied;
    }

    o->first = eo->first;
    o->claimed = sim_program_claims(s);

    /* With --first, chunks after the first violation are discarded (a
     * sequential check stops there).  Otherwise every chunk counts, and
     * each invariant's counterexample comes from the first chunk (in run
     * order) that violated it, as one sequential explorer finds it. */
    int found = -1, incomplete = -1, inv_chunk[SIM_INV_COUNT];
    gboolean all_verified = n_chunks > 0;
    for (int i = 0; i < SIM_INV_COUNT; i++)
        inv_chunk[i] = -1;
    for (int c = 0; c < n_chunks; c++) {
        stats_add(o, &chunks[c]);
        if (chunks[c].verdict == SIM_VERDICT_VIOLATION) {
            if (found < 0)
                found = c;
            for (int i = 0; i < SIM_INV_COUNT; i++)
                if ((chunks[c].violated & (1u << i)) && inv_chunk[i] < 0)
                    inv_chunk[i] = c;
        }
        if ((chunks[c].verdict == SIM_VERDICT_INCOMPLETE || chunks[c].incomplete_reason) && incomplete < 0)
            incomplete = c;
        if (chunks[c].cex_unshrunk)
            break; /* a violation was found here: later chunks do not count */
        if (found >= 0 && eo->first)
            break;
        all_verified = all_verified && chunks[c].verdict == SIM_VERDICT_VERIFIED;
    }
    if (found >= 0) {
        sim_explore_result *r = &chunks[found];
        /* A chunked check (--jobs N) shrinks here, not in its chunks (no
         * shrinking run was made), bounded by the whole search's steps as
         * one explorer would be: the same counterexample, the same bound. */
        /* What the whole check found violated: a chunk's shrinking keeps
         * to it (explore_shrink.c). */
        guint violated = 0;
        for (int i = 0; i < SIM_INV_COUNT; i++)
            if (inv_chunk[i] >= 0)
                violated |= 1u << i;
        for (int i = 0; i < SIM_INV_COUNT; i++) {
            int c = inv_chunk[i];
            if (c >= 0 && eo->shrink && !chunks[c].cex_unshrunk && chunks[c].cex[i].shrink_runs == 0)
                sim_explore_shrink_found(s, pool, &req->explore, o->runs, o->steps, violated, &chunks[c]);
        }
        o->verdict = SIM_VERDICT_VIOLATION;
        /* Each invariant's counterexample, replayed for its timeline.  A
         * stop (or the history bound) during a replay, or one that cut its
         * shrinking, leaves it as the search kept it (counterexample_unshown):
         * the violations stay, judged as found; the rest are judged unless
         * the search itself was cut (then its reason says so, below). */
        /* A signal or the budget: no run from here on.  A search they cut
         * counts as one (the explorer reads the clock itself, and may stop
         * a moment before the stop word is set: its replays would then
         * depend on which came first). */
        sim_stop stopped = SIM_STOP_NONE;
        for (int c = 0; c < n_chunks; c++)
            if (chunks[c].stop_cause == SIM_STOP_SIGNAL || chunks[c].stop_cause == SIM_STOP_BUDGET)
                stopped = chunks[c].stop_cause;
        for (int i = 0; i < SIM_INV_COUNT; i++) {
            int c = inv_chunk[i];
            if (c < 0)
                continue;
            o->violated |= 1u << i;
            sim_stop why = stopped; /* the history bound is this run's alone */
            if (!stopped)
                o->inv_cex[i] = counterexample_fill(o, s, pool, &chunks[c].cex[i], 1u << i, req,
                                                    chunks[c].shrink_work_max, &why);
            if (!o->inv_cex[i])
                o->inv_cex[i] = counterexample_unshown(o, s, &chunks[c].cex[i], 1u << i, req,
                                                       chunks[c].shrink_work_max, why);
            if (why != SIM_STOP_HISTORY)
                stopped = why;
        }
        /* The primary counterexample: that of the first violation found. */
        for (int i = 0; i < SIM_INV_COUNT; i++)
            if ((r->primary & (1u << i)) && o->inv_cex[i])
                check_outcome_set_primary(o, o->inv_cex[i]);
    }
    if (incomplete >= 0 && found < 0) {
        const sim_explore_result *r = &chunks[incomplete];
        incomplete_fill(o, r, r->incomplete_reason ? r->incomplete_reason : "a budget ran out",
                        chunk_first_run[incomplete]);
    } else if (incomplete >= 0 && !eo->first) {
        /* A violation was found, but the budget left the rest unjudged. */
        const sim_explore_result *r = &chunks[incomplete];
        const char *why = r->incomplete_reason ? r->incomplete_reason : "a budget ran out";
        gint64 covered = chunk_first_run[incomplete] + r->runs * o->shard_count;
        if (o->mode == SIM_MODE_RANDOM)
            o->incomplete_reason = g_strdup_printf("%s; %" G_GINT64_FORMAT " runs made, every run%s before seed %"
                                                   G_GUINT64_FORMAT " done",
                                                   why, o->runs, o->shard_count > 1 ? " of this shard" : "",
                                                   o->seed_base + (guint64)covered);
        else
            o->incomplete_reason = g_strdup(why);
        resume_fill(o, covered);
    } else if (found < 0) {
        o->verdict = all_verified ? SIM_VERDICT_VERIFIED : SIM_VERDICT_PASSED;
    }
    for (int c = 0; c < n_chunks; c++)
        if (chunks[c].bounds_text && !o->bounds) {
            o->bounds = g_strdup(chunks[c].bounds_text);
            break;
        }
    char *budgets = check_fault_budgets_text(s);
    check_bounds_cuts(o, budgets, NULL, 0);
    g_free(budgets);
    check_outcome_statuses(o, o->claimed);
    check_outcome_honest(o);
    check_outcome_judge(o);
}
