/*
 * sim/explore/explore_live_graph.h - the state graph of a scenario and its
 * starving cycles.
 *
 * The starvation check (explore_live.c) explores the finite state graph of
 * a scenario whose tabs take the lock forever: a node is a state (a world
 * digest), an edge is one step of one tab.  This file knows nothing of
 * worlds: it holds the graph and decides whether it has a fair starving
 * cycle, so that it can be tested on small synthetic graphs.
 *
 * Each node carries two masks (bit t-1 for tab t): the tabs enabled in it
 * (a tab whose task waits for a key or for the Web Lock is not) and the
 * tabs whose lock request is pending in it.  Each edge carries the tab
 * that stepped and whether that step acquired the lock.
 *
 * Starvation of tab i: an infinite run in which i's request is pending in
 * every state, another tab acquires infinitely often, and the run is
 * weakly fair: a tab enabled continuously from some point on steps
 * infinitely often.  The decision is the classic fair-SCC one (Emerson and
 * Lei; Lichtenstein and Pnueli): restrict the graph to the expanded states
 * where i is pending, compute its strongly connected components (Tarjan,
 * iterative), and accept a component with an edge inside that acquires for
 * another tab and in which every tab either steps on some edge inside or
 * is disabled in some state inside.  Such a component has a cycle through
 * all its states and edges, which is fair and starving; conversely the
 * states and edges of any fair starving cycle lie in one component that
 * passes the test.  Weak fairness needs no further decomposition (strong
 * fairness would).  So "no starvation" is a verdict over the whole graph.
 *
 * Only expanded nodes (whose every successor is known) take part: a graph
 * cut by a bound can still prove starvation, never its absence.
 */
#ifndef SIM_EXPLORE_LIVE_GRAPH_H
#define SIM_EXPLORE_LIVE_GRAPH_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_live_node {
    uint64_t enabled;  /* tabs that could step here (known once expanded) */
    uint64_t pending;  /* tabs whose lock request is pending here */
    gboolean expanded; /* every outgoing edge is in the graph */
} sim_live_node;

typedef struct sim_live_edge {
    uint32_t src, dst;
    int tab;           /* 1-based: the tab that stepped */
    gboolean acquire;  /* that step acquired the lock */
} sim_live_edge;

typedef struct sim_live_graph {
    int n_tabs;
    GArray *nodes; /* sim_live_node */
    GArray *edges; /* sim_live_edge */
} sim_live_graph;

/* A fair starving lasso: edge indices from the root to the cycle's first
 * state, then around the cycle back to it. */
typedef struct sim_live_lasso {
    int tab;           /* the starving tab, 1-based */
    GArray *prefix;    /* uint32 edge indices */
    GArray *cycle;     /* uint32 edge indices; non-empty */
    uint32_t component_states; /* states of the accepted component */
} sim_live_lasso;

sim_live_graph *sim_live_graph_new(int n_tabs);
void sim_live_graph_free(sim_live_graph *g);
uint32_t sim_live_graph_add_node(sim_live_graph *g, uint64_t pending);
/* The node's successors are all added: it takes part in the decision. */
void sim_live_graph_expanded(sim_live_graph *g, uint32_t node, uint64_t enabled);
uint32_t sim_live_graph_add_edge(sim_live_graph *g, uint32_t src, uint32_t dst, int tab, gboolean acquire);

/* Looks for a fair starving cycle reachable from root, tabs in order; the
 * first tab's component with the shortest prefix wins (deterministic).
 * TRUE and *out filled (free with sim_live_lasso_clear), or FALSE. */
gboolean sim_live_graph_starvation(const sim_live_graph *g, uint32_t root, sim_live_lasso *out);
void sim_live_lasso_clear(sim_live_lasso *lasso);

#endif
