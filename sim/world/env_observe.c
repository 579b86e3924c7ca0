/*
 * env_observe.c - what the simulator makes of core's telemetry
 * (xt_env observe): every XT_OBS_* observation of a running task feeds the
 * monitor (critical sections, adds, drops, lock requests and their
 * latency) and the statistics; when tracing, it becomes a timeline line.  Observations of a
 * tab that is gone, or outside any task, are ignored: nothing a closed
 * tab's unwinding code reports may reach the checks.
 */
#include <string.h>

#include "sim/world/env_parts.h"
#include "sim/stats/stats.h"

static const char *const obs_names[] = {"step", "lock", "retry", "acquired", "failed", "released",
                                        "cs-enter", "cs-exit", "added", "fallback", "sent", "unlock",
                                        "dropped", "kept", "random"};
/* One name per xt_obs_kind: a new kind must be named here. */
G_STATIC_ASSERT(G_N_ELEMENTS(obs_names) == XT_OBS_RANDOM + 1);

static void obs_line(sim_world *w, sim_task *t, const xt_obs *o)
{
    /* The "none" mutex takes no lock: its lock events would only be noise. */
    if (o->label && strcmp(o->label, "none") == 0 && o->kind >= XT_OBS_LOCK_REQUEST &&
        o->kind <= XT_OBS_LOCK_RELEASED)
        return;
    char value[32];
    const char *v = o->detail;
    if (!v && (o->kind == XT_OBS_LOCK_RETRY || o->kind == XT_OBS_LOCK_ACQUIRED)) {
        g_snprintf(value, sizeof value, "attempt %" G_GINT64_FORMAT, o->value);
        v = value;
    } else if (o->kind == XT_OBS_LOCK_FAILED) {
        v = xt_strerror((int)o->value);
    }
    sim_monitor_line(w->monitor, w->now_us, t->tab->index, t->id, obs_names[o->kind], NULL, NULL, v, o->label, NULL);
}

void sim_env_observe(void *ctx, const xt_obs *o)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    sim_task *t = w->current;
    if (sim_tab_gone(tab) || !t)
        return;
    sim_monitor *m = w->monitor;
    if (m->stats)
        sim_stats_observe(m->stats, w->now_us, tab->index, t->id, t->record.storage_ops, o);
    switch (o->kind) {
    case XT_OBS_STEP:
        t->label = o->label;
        if (w->digesting) /* hashed once here, not at every state while it stands */
            sim_digest_label(&t->label_dig, o->label);
        return;
    case XT_OBS_LOCK_REQUEST:
        t->record.lock_since_us = w->now_us;
        m->c.lock_requests++;
        break;
    case XT_OBS_LOCK_ACQUIRED:
    case XT_OBS_LOCK_FAILED:
        if (t->record.lock_since_us >= 0)
            sim_monitor_lock_done(m, w->now_us, tab->index, w->now_us - t->record.lock_since_us,
                                  o->kind == XT_OBS_LOCK_ACQUIRED);
        t->record.lock_since_us = -1;
        t->record.lock_held = o->kind == XT_OBS_LOCK_ACQUIRED;
        if (o->kind == XT_OBS_LOCK_ACQUIRED)
            m->c.lock_acquired++;
        else
            m->c.lock_failed++;
        break;
    case XT_OBS_LOCK_RELEASED:
        t->record.lock_held = FALSE;
        break;
    case XT_OBS_CS_ENTER:
        w->acc.w |= SIM_OBJ_CS;
        w->step_entered = TRUE;
        if (m->tracing)
            obs_line(w, t, o);
        sim_monitor_cs_enter(m, w->now_us, tab->index, t->id);
        return;
    case XT_OBS_CS_EXIT:
        w->acc.w |= SIM_OBJ_CS;
        sim_monitor_cs_exit(m, tab->index, t->id);
        break;
    case XT_OBS_EVENT_ADDED:
        sim_monitor_event_added(m, o->detail, tab->index);
        break;
    case XT_OBS_EVENT_DROPPED:
        sim_monitor_event_dropped(m, w->now_us, o->detail, tab->index, (int)o->value);
        break;
    case XT_OBS_EVENT_KEPT:
        sim_monitor_event_kept(m, o->detail, tab->index);
        break;
    case XT_OBS_FALLBACK:
        m->c.fallbacks++;
        break;
    case XT_OBS_SENT:
        return; /* env_send traces sends itself */
    case XT_OBS_UNLOCK:
        return; /* for statistics only: the release's steps are traced */
    case XT_OBS_RANDOM:
        tab->random_outcomes = o->value > 1 ? o->value : 0; /* for env_random_u64 */
        return;
    default:
        break;
    }
    if (m->tracing)
        obs_line(w, t, o);
}

