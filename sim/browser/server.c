/*
 * server.c - the simulated event collector: transport_send of every tab.
 *
 * A send is an await: the task gives its tab up for the send's latency,
 * then the server decides.  What it can answer:
 *  - delivered (XT_OK): the monitor records the batch's event ids, so a
 *    second delivery of one id is a duplicate;
 *  - rejected (XT_ESERVER): nothing delivered;
 *  - timeout after delivery (XT_ETIMEOUT): delivered, but the client hears
 *    a timeout and cannot tell it from a lost request: a retry duplicates;
 *  - timeout before delivery (XT_ETIMEOUT): lost in transit;
 *  - slow: delivered after [faults] server_slow_ms instead of the usual
 *    latency (a lock held across the send may expire meanwhile).
 * A request whose tab closes (crash, reload) before the answer may or may
 * not have reached the server: one choice (server_in_flight).
 * Two sources decide: [server] error_pct / timeout_pct, an unbounded
 * background weighted choice of 100 (the old behaviour), and the bounded
 * [faults] server_fault_max budget, one choice per send while it lasts,
 * explored like the tab faults (answer 0 = no fault, so shrinking drops
 * faults first).  With the budget 0 no choice is made: scenarios without
 * server faults keep their tokens.
 */
#include "sim/stats/stats.h"
#include "sim/world/faults.h"
#include "sim/world/world.h"

typedef enum server_fault {
    SERVER_FAULT_NONE,
    SERVER_FAULT_REJECT,
    SERVER_FAULT_TIMEOUT_DELIVERED,
    SERVER_FAULT_TIMEOUT_LOST,
    SERVER_FAULT_SLOW,
    SERVER_FAULT_KINDS
} server_fault;

static const char *const server_fault_text[] = {"", "server fault: rejected", "server fault: timeout after delivery",
                                                "server fault: timeout before delivery", "server fault: slow"};

/* The bounded fault of this send, decided when it is made. */
static server_fault server_fault_draw(sim_world *w)
{
    const sim_scenario *s = w->scenario;
    if (w->server_faults >= s->server_fault_max)
        return SERVER_FAULT_NONE;
    server_fault f;
    if (w->chooser->discrete)
        f = (server_fault)sim_choose(w->chooser, SERVER_FAULT_KINDS);
    else if (sim_world_fault_strikes(w, s->server_fault_pct))
        f = (server_fault)(1 + sim_choose(w->chooser, SERVER_FAULT_KINDS - 1));
    else
        f = SERVER_FAULT_NONE;
    if (f != SERVER_FAULT_NONE)
        w->server_faults++;
    return f;
}

/* The background answer of [server] error_pct and timeout_pct. */
static int server_background(sim_world *w)
{
    const sim_scenario *s = w->scenario;
    if (s->server_error_pct + s->server_timeout_pct == 0)
        return XT_OK;
    uint32_t r = sim_choose(w->chooser, 100);
    if (r < s->server_error_pct)
        return XT_ESERVER;
    if (r < s->server_error_pct + s->server_timeout_pct)
        return XT_ETIMEOUT;
    return XT_OK;
}

static void server_deliver(sim_tab *tab, const char *body)
{
    sim_world *w = tab->world;
    GPtrArray *ids = w->program->sent_ids ? w->program->sent_ids(body) : NULL;
    if (!ids)
        return;
    if (w->monitor->stats)
        sim_stats_delivered(w->monitor->stats, w->now_us, ids);
    sim_monitor_delivered(w->monitor, w->now_us, tab->index, ids);
    g_ptr_array_free(ids, TRUE);
}

/* The server decides on arrival. */
static int server_answer(sim_tab *tab, const char *body, server_fault fault)
{
    sim_world *w = tab->world;
    int rc = XT_OK;
    switch (fault) {
    case SERVER_FAULT_REJECT:
        rc = XT_ESERVER;
        break;
    case SERVER_FAULT_TIMEOUT_DELIVERED:
    case SERVER_FAULT_TIMEOUT_LOST:
        rc = XT_ETIMEOUT;
        break;
    default:
        rc = server_background(w);
        break;
    }
    w->monitor->c.sends++;
    w->acc.w |= SIM_OBJ_SERVER;
    if (rc == XT_ESERVER) {
        w->monitor->c.send_errors++;
        return rc;
    }
    if (rc == XT_ETIMEOUT)
        w->monitor->c.send_timeouts++;
    if (fault != SERVER_FAULT_TIMEOUT_LOST)
        server_deliver(tab, body);
    return rc;
}

/* The sender's tab closed (a crash, a reload) while its request was on its
 * way: the page never hears the answer, but the request may already have
 * reached the server, as a fetch cancelled by a navigation may have.  One
 * choice, answer 0 = it had not (shrinking drops the delivery first); a
 * request the drawn fault lost or rejects delivers nothing.  At the end of
 * a run (cancelling) nothing is decided: the run is over. */
static void server_in_flight(sim_tab *tab, sim_task *t, const char *body, server_fault fault)
{
    sim_world *w = tab->world;
    if (w->cancelling || fault == SERVER_FAULT_REJECT || fault == SERVER_FAULT_TIMEOUT_LOST)
        return;
    if (sim_choose(w->chooser, 2) == 0)
        return;
    w->monitor->c.sends++;
    w->acc.w |= SIM_OBJ_SERVER;
    server_deliver(tab, body);
    if (w->monitor->tracing)
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "sent", NULL, NULL, "delivered",
                         "reached the server; the tab is gone", NULL);
}

int sim_env_send(void *ctx, const char *body)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *t = w->current;
    const sim_scenario *s = w->scenario;
    server_fault fault = server_fault_draw(w);
    int64_t latency_ms = fault == SERVER_FAULT_SLOW
                             ? s->server_slow_ms
                             : sim_choose_range(w->chooser, s->server_latency_ms_min, s->server_latency_ms_max);
    if (w->monitor->tracing)
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "send", NULL, body, NULL, "send events", NULL);
    sim_world_post(w, t, latency_ms * 1000, TRUE);
    t->reply_due = TRUE;
    sim_task_yield(t, SIM_YIELD_AWAIT);
    t->reply_due = FALSE;
    t->view.fresh = TRUE;
    if (sim_tab_gone(tab)) {
        server_in_flight(tab, t, body, fault);
        return XT_ECANCELLED;
    }
    int rc = server_answer(tab, body, fault);
    if (w->monitor->tracing)
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "sent", NULL, NULL, sim_result_text(rc),
                         fault ? server_fault_text[fault] : NULL, NULL);
    return rc;
}
