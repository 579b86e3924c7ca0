/*
 * explore_live_graph.c - fair starving cycles of a state graph; see
 * sim/explore/explore_live_graph.h.
 *
 * Invariants:
 *  - nothing here recurses: Tarjan's algorithm and the searches keep their
 *    own stacks and queues, so a graph of millions of states needs no deep
 *    C stack (the explorer runs on the main thread, coroutines beside it);
 *  - every choice is made in node and edge order, so the lasso found is a
 *    function of the graph alone.
 */
#include "sim/explore/explore_live_graph.h"

#include <string.h>

#define UNSET UINT32_MAX

sim_live_graph *sim_live_graph_new(int n_tabs)
{
    g_assert(n_tabs >= 1 && n_tabs <= 64);
    sim_live_graph *g = g_new0(sim_live_graph, 1);
    g->n_tabs = n_tabs;
    g->nodes = g_array_new(FALSE, TRUE, sizeof(sim_live_node));
    g->edges = g_array_new(FALSE, TRUE, sizeof(sim_live_edge));
    return g;
}

void sim_live_graph_free(sim_live_graph *g)
{
    if (!g)
        return;
    g_array_free(g->nodes, TRUE);
    g_array_free(g->edges, TRUE);
    g_free(g);
}

uint32_t sim_live_graph_add_node(sim_live_graph *g, uint64_t pending)
{
    sim_live_node n = {.pending = pending};
    g_array_append_val(g->nodes, n);
    return g->nodes->len - 1;
}

void sim_live_graph_expanded(sim_live_graph *g, uint32_t node, uint64_t enabled)
{
    sim_live_node *n = &g_array_index(g->nodes, sim_live_node, node);
    n->enabled = enabled;
    n->expanded = TRUE;
}

uint32_t sim_live_graph_add_edge(sim_live_graph *g, uint32_t src, uint32_t dst, int tab, gboolean acquire)
{
    g_assert(src < g->nodes->len && dst < g->nodes->len && tab >= 1 && tab <= g->n_tabs);
    sim_live_edge e = {src, dst, tab, acquire};
    g_array_append_val(g->edges, e);
    return g->edges->len - 1;
}

void sim_live_lasso_clear(sim_live_lasso *lasso)
{
    if (lasso->prefix)
        g_array_free(lasso->prefix, TRUE);
    if (lasso->cycle)
        g_array_free(lasso->cycle, TRUE);
    memset(lasso, 0, sizeof *lasso);
}

/* The graph as seen for one tab: its edges by source (compressed rows),
 * and which nodes and edges belong to the restriction to "tab pending". */
typedef struct view {
    const sim_live_graph *g;
    uint32_t *start; /* nodes + 1 */
    uint32_t *adj;   /* edge indices, by source then index */
    uint64_t all;    /* every tab's bit */
    int tab;         /* the tab whose starvation is asked; 0 = the whole graph */
    uint32_t *comp;  /* component of each node in the restriction, UNSET outside */
} view;

static const sim_live_node *node_at(const view *v, uint32_t i)
{
    return &g_array_index(v->g->nodes, sim_live_node, i);
}

static const sim_live_edge *edge_at(const view *v, uint32_t i)
{
    return &g_array_index(v->g->edges, sim_live_edge, i);
}

static gboolean node_in(const view *v, uint32_t n)
{
    const sim_live_node *node = node_at(v, n);
    return node->expanded && (v->tab == 0 || (node->pending >> (v->tab - 1) & 1));
}

/* An edge of the restriction: both ends in it, and not the starving tab's
 * own acquisition (which ends its request). */
static gboolean edge_in(const view *v, uint32_t e)
{
    const sim_live_edge *edge = edge_at(v, e);
    if (v->tab != 0 && edge->acquire && edge->tab == v->tab)
        return FALSE;
    return node_in(v, edge->src) && node_in(v, edge->dst);
}

static void view_init(view *v, const sim_live_graph *g)
{
    memset(v, 0, sizeof *v);
    v->g = g;
    v->all = g->n_tabs == 64 ? UINT64_MAX : (UINT64_C(1) << g->n_tabs) - 1;
    uint32_t n = g->nodes->len, m = g->edges->len;
    v->start = g_new0(uint32_t, n + 1);
    v->adj = g_new(uint32_t, m > 0 ? m : 1);
    for (uint32_t e = 0; e < m; e++)
        v->start[edge_at(v, e)->src + 1]++;
    for (uint32_t i = 0; i < n; i++)
        v->start[i + 1] += v->start[i];
    uint32_t *fill = g_memdup2(v->start, (n + 1) * sizeof *fill);
    for (uint32_t e = 0; e < m; e++)
        v->adj[fill[edge_at(v, e)->src]++] = e;
    g_free(fill);
    v->comp = g_new(uint32_t, n > 0 ? n : 1);
}

static void view_clear(view *v)
{
    g_free(v->start);
    g_free(v->adj);
    g_free(v->comp);
}

/* Tarjan's strongly connected components of the restriction, iteratively;
 * fills v->comp and returns the number of components. */
static uint32_t tarjan(view *v)
{
    uint32_t n = v->g->nodes->len;
    uint32_t *index = g_new(uint32_t, n), *low = g_new(uint32_t, n), *pos = g_new(uint32_t, n);
    gboolean *on = g_new0(gboolean, n);
    GArray *stack = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *calls = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        index[i] = v->comp[i] = UNSET;
    uint32_t next = 0, comps = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (!node_in(v, root) || index[root] != UNSET)
            continue;
        index[root] = low[root] = next++;
        pos[root] = v->start[root];
        on[root] = TRUE;
        g_array_append_val(stack, root);
        g_array_append_val(calls, root);
        while (calls->len > 0) {
            uint32_t u = g_array_index(calls, uint32_t, calls->len - 1);
            if (pos[u] < v->start[u + 1]) {
                uint32_t e = v->adj[pos[u]++];
                if (!edge_in(v, e))
                    continue;
                uint32_t w = edge_at(v, e)->dst;
                if (index[w] == UNSET) {
                    index[w] = low[w] = next++;
                    pos[w] = v->start[w];
                    on[w] = TRUE;
                    g_array_append_val(stack, w);
                    g_array_append_val(calls, w);
                } else if (on[w] && index[w] < low[u]) {
                    low[u] = index[w];
                }
                continue;
            }
            g_array_set_size(calls, calls->len - 1);
            if (low[u] == index[u]) {
                uint32_t w;
                do {
                    w = g_array_index(stack, uint32_t, stack->len - 1);
                    g_array_set_size(stack, stack->len - 1);
                    on[w] = FALSE;
                    v->comp[w] = comps;
                } while (w != u);
                comps++;
            }
            if (calls->len > 0) {
                uint32_t parent = g_array_index(calls, uint32_t, calls->len - 1);
                if (low[u] < low[parent])
                    low[parent] = low[u];
            }
        }
    }
    g_array_free(stack, TRUE);
    g_array_free(calls, TRUE);
    g_free(index);
    g_free(low);
    g_free(pos);
    g_free(on);
    return comps;
}

static gboolean edge_internal(const view *v, uint32_t e)
{
    const sim_live_edge *edge = edge_at(v, e);
    return edge_in(v, e) && v->comp[edge->src] == v->comp[edge->dst];
}

/* What a search inside a component looks for. */
typedef struct target {
    int kind;       /* 0: node == node; 1: an acquisition by another tab; 2: tab steps or is disabled */
    uint32_t node;
    int tab;
} target;

static gboolean target_node(const view *v, const target *t, uint32_t n)
{
    if (t->kind == 0)
        return n == t->node;
    if (t->kind == 2)
        return !(node_at(v, n)->enabled >> (t->tab - 1) & 1);
    return FALSE;
}

static gboolean target_edge(const view *v, const target *t, uint32_t e)
{
    const sim_live_edge *edge = edge_at(v, e);
    if (t->kind == 1)
        return edge->acquire && edge->tab != v->tab;
    if (t->kind == 2)
        return edge->tab == t->tab;
    return FALSE;
}

/* Breadth-first from `from`, over internal edges (or, with v->tab == 0,
 * every edge), to the nearest node or edge the target names; appends the
 * edges taken to path and returns the node reached, or UNSET. */
static uint32_t bfs_to(const view *v, uint32_t from, const target *t, gboolean inside, GArray *path)
{
    uint32_t n = v->g->nodes->len;
    uint32_t *via = g_new(uint32_t, n); /* edge that reached each node; UNSET = not reached */
    gboolean *seen = g_new0(gboolean, n);
    GArray *queue = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_array_append_val(queue, from);
    seen[from] = TRUE;
    via[from] = UNSET;
    uint32_t reached = UNSET, last = UNSET;
    for (guint head = 0; head < queue->len && reached == UNSET; head++) {
        uint32_t u = g_array_index(queue, uint32_t, head);
        if (target_node(v, t, u)) {
            reached = u;
            break;
        }
        for (uint32_t p = v->start[u]; p < v->start[u + 1]; p++) {
            uint32_t e = v->adj[p];
            if (inside && !edge_internal(v, e))
                continue;
            uint32_t w = edge_at(v, e)->dst;
            if (target_edge(v, t, e)) {
                reached = w;
                last = e;
                break;
            }
            if (!seen[w]) {
                seen[w] = TRUE;
                via[w] = e;
                g_array_append_val(queue, w);
            }
        }
        if (last != UNSET) {
            /* The path is the one to u, then the target edge. */
            GArray *rev = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            g_array_append_val(rev, last);
            for (uint32_t x = u; x != from; x = edge_at(v, via[x])->src)
                g_array_append_val(rev, via[x]);
            for (guint i = rev->len; i > 0; i--)
                g_array_append_val(path, g_array_index(rev, uint32_t, i - 1));
            g_array_free(rev, TRUE);
            goto done;
        }
    }
    if (reached != UNSET) {
        GArray *rev = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        for (uint32_t x = reached; x != from; x = edge_at(v, via[x])->src)
            g_array_append_val(rev, via[x]);
        for (guint i = rev->len; i > 0; i--)
            g_array_append_val(path, g_array_index(rev, uint32_t, i - 1));
        g_array_free(rev, TRUE);
    }
done:
    g_array_free(queue, TRUE);
    g_free(via);
    g_free(seen);
    return reached;
}

/* Tabs a path covers for fairness: those that step on it or are disabled
 * in one of its states (from, and each edge's target). */
static uint64_t covered(const view *v, uint32_t from, const GArray *path, guint begin)
{
    uint64_t c = ~node_at(v, from)->enabled;
    for (guint i = begin; i < path->len; i++) {
        const sim_live_edge *e = edge_at(v, g_array_index(path, uint32_t, i));
        c |= UINT64_C(1) << (e->tab - 1);
        c |= ~node_at(v, e->dst)->enabled;
    }
    return c & v->all;
}

/* A fair cycle from s through component c: an acquisition by another tab,
 * then each tab not yet covered, then back to s. */
static void cycle_build(const view *v, uint32_t s, GArray *cycle)
{
    target acq = {.kind = 1};
    uint32_t cur = bfs_to(v, s, &acq, TRUE, cycle);
    g_assert(cur != UNSET);
    for (int k = 1; k <= v->g->n_tabs; k++) {
        if (covered(v, s, cycle, 0) >> (k - 1) & 1)
            continue;
        target t = {.kind = 2, .tab = k};
        cur = bfs_to(v, cur, &t, TRUE, cycle);
        g_assert(cur != UNSET);
    }
    target back = {.kind = 0, .node = s};
    if (cur != s)
        cur = bfs_to(v, cur, &back, TRUE, cycle);
    g_assert(cur == s && cycle->len > 0);
}

gboolean sim_live_graph_starvation(const sim_live_graph *g, uint32_t root, sim_live_lasso *out)
{
    memset(out, 0, sizeof *out);
    uint32_t n = g->nodes->len;
    if (root >= n)
        return FALSE;
    view v;
    view_init(&v, g);
    /* Distances from the root over the whole graph: the shortest prefix. */
    uint32_t *dist = g_new(uint32_t, n), *via = g_new(uint32_t, n);
    for (uint32_t i = 0; i < n; i++)
        dist[i] = via[i] = UNSET;
    GArray *queue = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_array_append_val(queue, root);
    dist[root] = 0;
    for (guint head = 0; head < queue->len; head++) {
        uint32_t u = g_array_index(queue, uint32_t, head);
        for (uint32_t p = v.start[u]; p < v.start[u + 1]; p++) {
            uint32_t w = edge_at(&v, v.adj[p])->dst;
            if (dist[w] == UNSET) {
                dist[w] = dist[u] + 1;
                via[w] = v.adj[p];
                g_array_append_val(queue, w);
            }
        }
    }
    g_array_free(queue, TRUE);
    gboolean found = FALSE;
    for (int tab = 1; tab <= g->n_tabs && !found; tab++) {
        v.tab = tab;
        uint32_t comps = tarjan(&v);
        if (comps == 0)
            continue;
        gboolean *acq = g_new0(gboolean, comps);
        uint64_t *fair = g_new0(uint64_t, comps);
        uint32_t *best = g_new(uint32_t, comps), *size = g_new0(uint32_t, comps);
        for (uint32_t c = 0; c < comps; c++)
            best[c] = UNSET;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t c = v.comp[i];
            if (c == UNSET)
                continue;
            size[c]++;
            fair[c] |= ~node_at(&v, i)->enabled & v.all;
            if (dist[i] != UNSET && (best[c] == UNSET || dist[i] < dist[best[c]]))
                best[c] = i;
        }
        for (uint32_t e = 0; e < g->edges->len; e++) {
            if (!edge_internal(&v, e))
                continue;
            const sim_live_edge *edge = edge_at(&v, e);
            uint32_t c = v.comp[edge->src];
            fair[c] |= UINT64_C(1) << (edge->tab - 1);
            if (edge->acquire && edge->tab != tab)
                acq[c] = TRUE;
        }
        uint32_t pick = UNSET;
        for (uint32_t c = 0; c < comps; c++) {
            if (!acq[c] || fair[c] != v.all || best[c] == UNSET)
                continue;
            if (pick == UNSET || dist[best[c]] < dist[best[pick]] ||
                (dist[best[c]] == dist[best[pick]] && best[c] < best[pick]))
                pick = c;
        }
        if (pick != UNSET) {
            found = TRUE;
            uint32_t s = best[pick];
            out->tab = tab;
            out->component_states = size[pick];
            out->prefix = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            out->cycle = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            for (uint32_t x = s; x != root; x = edge_at(&v, via[x])->src)
                g_array_prepend_val(out->prefix, via[x]);
            cycle_build(&v, s, out->cycle);
        }
        g_free(acq);
        g_free(fair);
        g_free(best);
        g_free(size);
    }
    g_free(dist);
    g_free(via);
    view_clear(&v);
    return found;
}
