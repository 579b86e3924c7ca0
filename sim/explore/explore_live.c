/*
 * explore_live.c - the starvation check; see sim/explore/explore_live.h.
 *
 * Invariants:
 *  - a node's choices are its tree parent's plus the edge that found it,
 *    so the choices of any state are rebuilt by walking up the tree, and
 *    every state is reached by the shortest path the breadth-first search
 *    found;
 *  - one run expands one edge: it replays the node's choices, answers the
 *    choices of the next step (the first beyond the script with 0, then
 *    the next combination, as an odometer), and is abandoned as soon as
 *    that step is done, where the successor's digest is taken;
 *  - a scheduling choice is stored as the tab chosen, never as the index
 *    of the answer: candidates are listed with the last tab to step first,
 *    which no digest holds (it orders the answers, not the set of them),
 *    so an edge taken from a state reached another way must name its tab.
 *    The hooks answer every choice (the chooser has no prefix) and map a
 *    tab to its index in the candidates of the moment; the replay token
 *    is made from the answers the lasso's run recorded;
 *  - a node's key is (digest, pending tabs): equal digests mean equal
 *    futures, and the pending set, which the decision reads, is part of it
 *    by construction rather than by trust;
 *  - nothing printed or deciding iterates a hash table: nodes are numbered
 *    in discovery order and expanded in that order.
 *
 * Why replay rather than copy: the code under test runs on coroutine
 * stacks that cannot be copied; replaying a state's choices costs its
 * depth in steps, and a breadth-first search keeps depths small.
 */
#include "sim/explore/explore_live.h"

#include <string.h>

#include "sim/browser/storage_model.h"
#include "sim/explore/explore_live_graph.h"
#include "sim/explore/explore.h"
#include "sim/explore/run.h"
#include "sim/world/world.h"

typedef struct node_key {
    sim_digest digest;
    uint64_t pending;
} node_key;

static guint key_hash(gconstpointer p)
{
    const node_key *k = p;
    return (guint)(k->digest.lo ^ k->pending);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    const node_key *x = a, *y = b;
    return sim_digest_equal(x->digest, y->digest) && x->pending == y->pending;
}

/* A scheduling choice in a script: the tab chosen, with this bit. */
#define SCHED_TAB UINT32_C(0x80000000)

/* A choice beyond the script: answered 0 first, then the next answers. */
typedef struct ext_choice {
    uint32_t answer, n;
    gboolean sched;
    int cand[SIM_TABS_MAX]; /* sched: the candidate tabs, in answer order */
} ext_choice;

/* What one replay saw. */
typedef struct live_ctx {
    const uint32_t *script; /* choices to make: data answers, or SCHED_TAB | tab */
    size_t script_len, pos;
    gboolean mismatch;     /* a script choice did not fit the run (another arity or no such tab) */
    uint64_t pos_reached;  /* chooser position when the target step was done */
    sim_world *world;
    uint64_t steps;        /* steps of this run so far */
    uint64_t target;       /* the step after which to look (the expanded node's depth + 1) */
    uint64_t acq_before;   /* locks acquired before that step */
    GArray *made;          /* ext_choice beyond the script; NULL: none may be made */
    gboolean reached;      /* the target step was done */
    int tab;               /* ... by this tab */
    uint64_t enabled;      /* ... with these tabs enabled before it */
    gboolean acquire;      /* ... and it acquired the lock */
    node_key key;          /* the state after it */
    /* validation: digests at these step counts (0 = none) */
    uint64_t checkpoints[3];
    node_key seen[3];
    guint lines[3];        /* timeline lines at each checkpoint */
    int n_seen;
    int64_t max_now_us;    /* the latest clock of its steps */
    int64_t key_now_us;    /* the clock of the state after the target step */
} live_ctx;

static uint64_t pending_tabs(const sim_world *w)
{
    uint64_t p = 0;
    for (GList *l = w->live.head; l; l = l->next) {
        const sim_task *t = l->data;
        if (t->record.lock_since_us >= 0)
            p |= UINT64_C(1) << (t->tab->index - 1);
    }
    return p;
}

static void world_key(const sim_world *w, node_key *k)
{
    memset(k, 0, sizeof *k);
    sim_world_digest(w, &k->digest);
    k->pending = pending_tabs(w);
}

static uint32_t live_pick(void *ctx, uint32_t n, const int *cand_tabs)
{
    live_ctx *c = ctx;
    if (c->reached)
        return n; /* after the step looked at: abandon */
    if (c->pos < c->script_len) {
        uint32_t v = c->script[c->pos++];
        if (cand_tabs && (v & SCHED_TAB)) {
            for (uint32_t i = 0; i < n; i++)
                if ((uint32_t)cand_tabs[i] == (v & ~SCHED_TAB))
                    return i;
        } else if (!cand_tabs && !(v & SCHED_TAB) && v < n) {
            return v;
        }
        c->mismatch = TRUE;
        return n;
    }
    if (!c->made) {
        c->mismatch = TRUE; /* the script ran out before its last step */
        return n;
    }
    ext_choice e = {.answer = 0, .n = n, .sched = cand_tabs != NULL};
    if (cand_tabs)
        memcpy(e.cand, cand_tabs, n * sizeof *cand_tabs);
    g_array_append_val(c->made, e);
    return 0;
}

uint32_t sim_live_pick_end(void *ctx, uint32_t n, const int *cand_tabs)
{
    (void)ctx;
    (void)cand_tabs;
    return n;
}

static void live_world_ready(void *ctx, sim_world *w)
{
    ((live_ctx *)ctx)->world = w;
}

static void live_step_done(void *ctx, const sim_step_info *info)
{
    live_ctx *c = ctx;
    sim_world *w = c->world;
    c->steps++;
    c->max_now_us = MAX(c->max_now_us, w->now_us);
    for (int i = 0; i < 3; i++)
        if (c->checkpoints[i] && c->steps == c->checkpoints[i]) {
            world_key(w, &c->seen[i]);
            c->lines[i] = w->monitor->trace ? w->monitor->trace->len : 0;
            c->n_seen = i + 1;
        }
    if (c->target == 0)
        return;
    if (c->steps + 1 == c->target)
        c->acq_before = w->monitor->c.lock_acquired;
    if (c->steps == c->target) {
        c->reached = TRUE;
        c->tab = info->tab;
        c->enabled = info->enabled;
        c->acquire = w->monitor->c.lock_acquired > c->acq_before;
        c->pos_reached = w->chooser->pos;
        c->key_now_us = w->now_us;
        world_key(w, &c->key);
        w->chooser->abandoned = TRUE; /* the world stops before its next step */
    }
}

typedef struct live_search {
    const sim_scenario *s;
    sim_stack_pool *pool;
    const sim_live_options *o;
    sim_live_result *r;
    sim_digest_map *marks_seen;
    sim_live_graph *g;
    GHashTable *index;     /* node_key -> node + 1 */
    GArray *tree_edge;     /* uint32 per node: the edge that found it (UINT32_MAX: the root) */
    GArray *keys;          /* node_key per node */
    GArray *edge_choices;  /* uint32 per edge: offset into choices; then its length */
    GArray *choices;       /* uint32: every edge's answers, back to back */
    char *problem;         /* why the graph is not complete, or NULL */
    guint8 assume;         /* what the digests assume of the code (SIM_DIGEST_*, world_digest.c, "Time") */
    guint8 broken;         /* ... and a run broke: the graph is void, the check starts over without it */
    int64_t max_now_us;    /* the latest clock of any replay */
    int64_t max_merged_us; /* the latest clock at which a replay reached a state known already */
} live_search;

/* One replay of a script (its choices, c->script); fills c.  FALSE (and
 * s->problem) when the run could not be trusted. */
static gboolean live_run(live_search *ls, gboolean trace, live_ctx *c, sim_run *run_out)
{
    sim_run_spec spec = {
        .tail = SIM_TAIL_ZERO, .trace = trace, .record = trace,
        .untimed = TRUE, .discrete = TRUE, .stop = ls->o->stop,
        .sched_pick = live_pick, .data_pick = live_pick, .step_done = live_step_done, .hook_ctx = c,
        .digests = TRUE, .marks_seen = ls->marks_seen, .world_ready = live_world_ready,
        .digest_assume = ls->assume,
    };
    sim_run local, *run = run_out ? run_out : &local;
    sim_run_exec(ls->s, ls->pool, &spec, run);
    ls->r->runs++;
    ls->max_now_us = MAX(ls->max_now_us, c->max_now_us);
    ls->r->steps += c->steps;
    gboolean ok = TRUE;
    if (run->digest_broken & ls->assume) {
        ls->broken = run->digest_broken & ls->assume;
        g_free(ls->problem);
        ls->problem = g_strdup("a digest's assumption failed"); /* not said: the check starts over */
        ok = FALSE;
    } else if (run->stopped) {
        g_free(ls->problem);
        ls->problem = g_strdup(run->stopped == SIM_STOP_HISTORY  ? "a replay reached the history bound"
                               : run->stopped == SIM_STOP_SIGNAL ? "interrupted"
                                                                 : "the time budget ran out");
        ok = FALSE;
    } else if (run->mark_conflict) {
        g_free(ls->problem);
        ls->problem = sim_explore_mark_conflict_text(run);
        ok = FALSE;
    } else if (c->mismatch) {
        g_free(ls->problem);
        ls->problem = g_strdup("a replay did not follow its choices (a state digest merged states that differ)");
        ok = FALSE;
    } else if (run->monitor.c.cut & (SIM_CUT_STEPS | SIM_CUT_TIME)) {
        g_free(ls->problem);
        ls->problem = g_strdup_printf("a replay was cut at %s",
                                      run->monitor.c.cut & SIM_CUT_STEPS ? "[run] steps_max"
                                                                         : "[run] time_limit_ms");
        ok = FALSE;
    }
    if (!run_out)
        sim_run_clear(run);
    return ok;
}

static void node_choices(const live_search *ls, uint32_t node, GArray *out)
{
    g_array_set_size(out, 0);
    GArray *rev = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t e = g_array_index(ls->tree_edge, uint32_t, node); e != UINT32_MAX;
         e = g_array_index(ls->tree_edge, uint32_t, g_array_index(ls->g->edges, sim_live_edge, e).src))
        g_array_append_val(rev, e);
    for (guint i = rev->len; i > 0; i--) {
        uint32_t e = g_array_index(rev, uint32_t, i - 1);
        uint32_t off = g_array_index(ls->edge_choices, uint32_t, 2 * e);
        uint32_t len = g_array_index(ls->edge_choices, uint32_t, 2 * e + 1);
        g_array_append_vals(out, &g_array_index(ls->choices, uint32_t, off), len);
    }
    g_array_free(rev, TRUE);
}

static uint32_t node_add(live_search *ls, const node_key *k, uint32_t tree_edge)
{
    uint32_t n = sim_live_graph_add_node(ls->g, k->pending);
    g_hash_table_insert(ls->index, g_memdup2(k, sizeof *k), GUINT_TO_POINTER(n + 1));
    g_array_append_val(ls->tree_edge, tree_edge);
    g_array_append_val(ls->keys, *k);
    if (ls->o->state_digests && n > 0 && !g_hash_table_contains(ls->o->state_digests, &k->digest))
        g_hash_table_add(ls->o->state_digests, g_memdup2(&k->digest, sizeof k->digest));
    return n;
}

/* Expands node u (at depth d): one run per combination of the choices of
 * its next step.  FALSE when a run could not be trusted. */
static gboolean node_expand(live_search *ls, uint32_t u, GArray *path, GArray *script, live_ctx *c)
{
    node_choices(ls, u, path);
    uint64_t depth = 0;
    for (uint32_t e = g_array_index(ls->tree_edge, uint32_t, u); e != UINT32_MAX;
         e = g_array_index(ls->tree_edge, uint32_t, g_array_index(ls->g->edges, sim_live_edge, e).src))
        depth++;
    GArray *ext = g_array_new(FALSE, FALSE, sizeof(ext_choice));
    uint64_t enabled = 0;
    gboolean first = TRUE;
    for (;;) {
        g_array_set_size(script, 0);
        g_array_append_vals(script, path->data, path->len);
        for (guint i = 0; i < ext->len; i++) {
            const ext_choice *e = &g_array_index(ext, ext_choice, i);
            uint32_t v = e->sched ? SCHED_TAB | (uint32_t)e->cand[e->answer] : e->answer;
            g_array_append_val(script, v);
        }
        memset(c, 0, sizeof *c);
        c->script = (const uint32_t *)script->data;
        c->script_len = script->len;
        c->made = ext; /* choices beyond the script are appended to it */
        c->target = depth + 1;
        if (!live_run(ls, FALSE, c, NULL)) {
            g_array_free(ext, TRUE);
            return FALSE;
        }
        if (!c->reached) {
            /* The run ended here: a final state (every task done or blocked). */
            g_assert(ext->len == 0);
            const node_key *k = &g_array_index(ls->keys, node_key, u);
            if (ls->o->final_digests && u > 0 && !g_hash_table_contains(ls->o->final_digests, &k->digest))
                g_hash_table_add(ls->o->final_digests, g_memdup2(&k->digest, sizeof k->digest));
            break;
        }
        if (!first && c->enabled != enabled) {
            g_free(ls->problem);
            ls->problem = g_strdup("one state showed two different sets of enabled tabs");
            g_array_free(ext, TRUE);
            return FALSE;
        }
        first = FALSE;
        enabled = c->enabled;
        gpointer found = g_hash_table_lookup(ls->index, &c->key);
        if (found)
            ls->max_merged_us = MAX(ls->max_merged_us, c->key_now_us);
        uint32_t e = ls->g->edges->len;
        uint32_t v = found ? GPOINTER_TO_UINT(found) - 1 : node_add(ls, &c->key, e);
        sim_live_graph_add_edge(ls->g, u, v, c->tab, c->acquire);
        uint32_t off = ls->choices->len, len = ext->len;
        g_array_append_vals(ls->choices, &g_array_index(script, uint32_t, path->len), script->len - path->len);
        for (guint i = script->len - path->len; i < ext->len; i++) {
            const ext_choice *x = &g_array_index(ext, ext_choice, i);
            uint32_t v = x->sched ? SCHED_TAB | (uint32_t)x->cand[x->answer] : x->answer;
            g_array_append_val(ls->choices, v);
        }
        g_array_append_val(ls->edge_choices, off);
        g_array_append_val(ls->edge_choices, len);
        /* The next combination: the last choice that has another answer. */
        guint i = ext->len;
        while (i > 0 && g_array_index(ext, ext_choice, i - 1).answer + 1 >= g_array_index(ext, ext_choice, i - 1).n)
            i--;
        if (i == 0)
            break;
        g_array_index(ext, ext_choice, i - 1).answer++;
        g_array_set_size(ext, i);
    }
    sim_live_graph_expanded(ls->g, u, enabled);
    g_array_free(ext, TRUE);
    return TRUE;
}

static void edges_choices(const live_search *ls, const GArray *edges, GArray *out)
{
    for (guint i = 0; i < edges->len; i++) {
        uint32_t e = g_array_index(edges, uint32_t, i);
        uint32_t off = g_array_index(ls->edge_choices, uint32_t, 2 * e);
        uint32_t len = g_array_index(ls->edge_choices, uint32_t, 2 * e + 1);
        g_array_append_vals(out, &g_array_index(ls->choices, uint32_t, off), len);
    }
}

/* Replays the lasso (prefix, cycle, cycle) with a trace; TRUE when the
 * state after the prefix and after each unrolling is the cycle's state. */
static gboolean lasso_replay(live_search *ls, const sim_live_lasso *lasso)
{
    sim_live_result *r = ls->r;
    GArray *choices = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    edges_choices(ls, lasso->prefix, choices);
    edges_choices(ls, lasso->cycle, choices);
    edges_choices(ls, lasso->cycle, choices);
    uint64_t p = lasso->prefix->len, cl = lasso->cycle->len;
    live_ctx c;
    memset(&c, 0, sizeof c);
    c.script = (const uint32_t *)choices->data;
    c.script_len = choices->len;
    c.target = p + 2 * cl;
    g_assert(p > 0); /* no edge leads back to the root (see sim_live_check) */
    c.checkpoints[0] = p;
    c.checkpoints[1] = p + cl;
    c.checkpoints[2] = p + 2 * cl;
    sim_run run;
    gboolean ok = live_run(ls, TRUE, &c, &run);
    uint32_t s = g_array_index(ls->g->edges, sim_live_edge, g_array_index(lasso->prefix, uint32_t, p - 1)).dst;
    node_key want = g_array_index(ls->keys, node_key, s);
    gboolean same = ok && c.reached && c.pos == c.script_len && c.n_seen == 3;
    for (int i = 0; same && i < 3; i++)
        same = key_equal(&c.seen[i], &want);
    if (same) {
        r->prefix_steps = p;
        r->cycle_steps = cl;
        /* The token holds the answers the run made, up to the lasso's end. */
        sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .prefix = (const uint32_t *)run.chooser.record->data,
                             .prefix_len = c.pos_reached, .untimed = TRUE, .discrete = TRUE};
        r->token = sim_run_token(&run, &spec);
        r->timeline = g_ptr_array_new_with_free_func(g_free);
        GPtrArray *t = run.monitor.trace;
        guint at_prefix = c.lines[0];
        for (guint i = 0; i < c.lines[2] && i < t->len; i++) {
            if (i == at_prefix)
                g_ptr_array_add(r->timeline, g_strdup(SIM_LIVE_CYCLE_MARK));
            if (i == c.lines[1])
                g_ptr_array_add(r->timeline, g_strdup(SIM_LIVE_AGAIN_MARK));
            g_ptr_array_add(r->timeline, g_strdup_printf("  %s", (const char *)t->pdata[i]));
        }
        g_ptr_array_add(r->timeline, g_strdup(SIM_LIVE_END_MARK));
    } else if (ok) {
        g_free(ls->problem);
        ls->problem = g_strdup("the starving cycle found did not replay to the state it began in");
    }
    sim_run_clear(&run);
    g_array_free(choices, TRUE);
    return same;
}

/* The check with the digests assuming `assume`; the assumptions some run
 * broke (0: none, r filled). */
static guint8 live_check_assuming(const sim_scenario *s, sim_stack_pool *pool, const sim_live_options *o,
                                  sim_live_result *r, guint8 assume)
{
    int64_t states_max = o->states_max > 0 ? o->states_max : s->states_max;
    live_search ls = {.s = s, .pool = pool, .o = o, .r = r, .assume = assume};
    ls.marks_seen = sim_marks_seen_new();
    ls.g = sim_live_graph_new((int)s->tabs);
    ls.index = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
    ls.tree_edge = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    ls.keys = g_array_new(FALSE, FALSE, sizeof(node_key));
    ls.edge_choices = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    ls.choices = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    /* The root, the state before the first step, has a key of its own that
     * no digest taken after a step gives: no edge leads back to it, so a
     * lasso always has a prefix of at least one step. */
    node_key root = {{0, 0}, 0};
    node_add(&ls, &root, UINT32_MAX);
    live_ctx c;
    GArray *path = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *script = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    gboolean cut = FALSE, found = FALSE;
    sim_live_lasso lasso;
    uint64_t next_look = 256; /* the decision runs as the graph doubles: a lasso ends the search early */
    for (uint32_t u = 0; u < ls.g->nodes->len; u++) {
        if (sim_stop_read(o->stop)) {
            g_free(ls.problem);
            ls.problem = g_strdup(sim_stop_read(o->stop) == SIM_STOP_SIGNAL ? "interrupted"
                                                                             : "the time budget ran out");
            break;
        }
        if ((int64_t)ls.g->nodes->len > states_max) {
            cut = TRUE;
            break;
        }
        if (!node_expand(&ls, u, path, script, &c))
            break;
        r->expanded++;
        if (r->expanded == next_look) {
            next_look *= 2;
            if ((found = sim_live_graph_starvation(ls.g, 0, &lasso)))
                break;
        }
    }
    r->states = ls.g->nodes->len;
    r->edges = ls.g->edges->len;
    /* A cut by [run] time_limit_ms that a merged state hides. */
    ls.broken |= sim_digest_time_limit_broken(assume, ls.max_now_us, ls.max_merged_us, s->time_limit_ms);
    if (ls.broken) {
        r->verdict = SIM_LIVE_INCOMPLETE; /* replaced by the check that starts over */
    } else if (found || sim_live_graph_starvation(ls.g, 0, &lasso)) {
        r->tab = lasso.tab;
        r->component_states = lasso.component_states;
        char *before = ls.problem;
        ls.problem = NULL;
        if (lasso_replay(&ls, &lasso)) {
            r->verdict = SIM_LIVE_STARVATION;
        } else {
            r->verdict = SIM_LIVE_INCOMPLETE;
            r->incomplete_reason = g_strdup_printf("a starving cycle of tab%d was found but %s", lasso.tab,
                                                   ls.problem ? ls.problem : "its replay failed");
        }
        g_free(before);
        sim_live_lasso_clear(&lasso);
    } else if (cut) {
        r->verdict = SIM_LIVE_INCOMPLETE;
        r->incomplete_reason = g_strdup_printf(
            "the graph was cut at [explore] states_max = %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT
            " states found, %" G_GUINT64_FORMAT " expanded, no starving cycle among them",
            states_max, r->states, r->expanded);
    } else if (ls.problem) {
        r->verdict = SIM_LIVE_INCOMPLETE;
        r->incomplete_reason = g_strdup_printf("%s, after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                               " states expanded",
                                               ls.problem, r->expanded, r->states);
    } else {
        r->verdict = SIM_LIVE_NONE;
    }
    g_free(ls.problem);
    g_array_free(path, TRUE);
    g_array_free(script, TRUE);
    g_array_free(ls.tree_edge, TRUE);
    g_array_free(ls.keys, TRUE);
    g_array_free(ls.edge_choices, TRUE);
    g_array_free(ls.choices, TRUE);
    g_hash_table_destroy(ls.index);
    sim_digest_map_free(ls.marks_seen);
    sim_live_graph_free(ls.g);
    return ls.broken;
}

/* Time as the stateful search has it (world_digest.c, "Time"): relative
 * to now while no code reads the clock, so that a run whose sleeps move
 * the clock can close a cycle; a run that breaks an assumption voids the
 * graph, and the check starts over without it (its replays count). */
void sim_live_check(const sim_scenario *scenario, sim_stack_pool *pool, const sim_live_options *o,
                    sim_live_result *r)
{
    memset(r, 0, sizeof *r);
    r->incomplete_reason = sim_storage_model_undigested(sim_storage_models[scenario->storage_model]);
    if (r->incomplete_reason) {
        r->verdict = SIM_LIVE_INCOMPLETE;
        return;
    }
    sim_scenario local = *scenario; /* read-only; its strings stay the original's (as sim_explore's) */
    if (o->steps_max > 0)
        local.steps_max = o->steps_max;
    const sim_scenario *s = &local;
    double t0 = o->clock_s ? o->clock_s() : 0;
    guint8 assume = g_getenv("TABSIM_DIGEST_EXACT") ? 0 : SIM_DIGEST_ASSUME_ALL;
    guint8 broken;
    uint64_t runs = 0, steps = 0;
    while ((broken = live_check_assuming(s, pool, o, r, assume)) != 0) {
        assume &= (guint8)~broken;
        runs += r->runs;
        steps += r->steps;
        sim_live_result_clear(r);
        if (o->final_digests)
            g_hash_table_remove_all(o->final_digests);
        if (o->state_digests)
            g_hash_table_remove_all(o->state_digests);
    }
    r->runs += runs;
    r->steps += steps;
    r->digest_assume = assume;
    r->elapsed_s = o->clock_s ? o->clock_s() - t0 : 0;
}

void sim_live_result_clear(sim_live_result *r)
{
    g_free(r->incomplete_reason);
    g_free(r->token);
    if (r->timeline)
        g_ptr_array_free(r->timeline, TRUE);
    memset(r, 0, sizeof *r);
}
