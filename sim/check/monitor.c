/*
 * monitor.c - invariant checks and timeline; see sim/check/monitor.h.
 *
 * The four invariants and where each is checked:
 *  - mutual exclusion: at XT_OBS_CS_ENTER, no other task may be inside;
 *  - no duplicate: at every delivery (an id the server already has) and at
 *    the end (an id stored twice in the entity);
 *  - no lost event: at the end, after the drain, every id whose add
 *    returned success is stored or was delivered;
 *  - progress: every lock request ends (granted or failed) within
 *    [run] progress_bound_ms, and none is still pending past it at the end.
 * Only the first violation of each invariant is kept: later ones are
 * usually consequences of the first.
 */
#include "sim/check/monitor.h"
#include "sim/input.h"

#include "sim/world/world_digest.h"
#include "sim/programs/program.h"
#include "xt/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


void sim_monitor_init(sim_monitor *m, const sim_scenario *scenario, gboolean tracing)
{
    memset(m, 0, sizeof *m);
    m->scenario = scenario;
    m->violations = g_ptr_array_new();
    m->added = g_hash_table_new(g_str_hash, g_str_equal);
    m->delivered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    m->added_order = g_ptr_array_new_with_free_func(g_free);
    m->tracing = tracing;
    m->trace = tracing ? g_ptr_array_new_with_free_func(g_free) : NULL;
    m->records = tracing ? g_array_new(FALSE, TRUE, sizeof(sim_trace_record)) : NULL;
    if (tracing) {
        m->stored_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        m->erased_at = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
}

static void violation_free(gpointer p)
{
    sim_violation *v = p;
    g_free(v->message);
    g_free(v->erased_event);
    g_free(v);
}

void sim_monitor_clear(sim_monitor *m)
{
    g_ptr_array_set_free_func(m->violations, violation_free);
    g_ptr_array_free(m->violations, TRUE);
    g_hash_table_destroy(m->added);
    g_hash_table_destroy(m->delivered);
    g_ptr_array_free(m->added_order, TRUE);
    if (m->kept)
        g_ptr_array_free(m->kept, TRUE);
    if (m->trace)
        g_ptr_array_free(m->trace, TRUE);
    if (m->records) {
        for (guint i = 0; i < m->records->len; i++) {
            sim_trace_record *r = &g_array_index(m->records, sim_trace_record, i);
            g_free(r->key);
            g_free(r->value);
            g_free(r->result);
        }
        g_array_free(m->records, TRUE);
    }
    if (m->stored_ids) {
        g_hash_table_destroy(m->stored_ids);
        g_hash_table_destroy(m->erased_at);
    }
    g_free(m->warn_first);
    memset(m, 0, sizeof *m);
}

void sim_monitor_warning(sim_monitor *m, int tab, const char *message)
{
    if (m->c.warnings++ == 0)
        m->warn_first = g_strdup_printf("tab%d: %s", tab, message);
}

void sim_monitor_violation(sim_monitor *m, sim_invariant inv, int64_t time_us, int tab_a, int tab_b,
                           const char *fmt, ...)
{
    /* Only what the program claims is judged (sim/programs/program.h). */
    if ((m->violated & inv) || !(sim_program_claims(m->scenario) & inv))
        return;
    m->violated |= inv;
    sim_violation *v = g_new0(sim_violation, 1);
    v->invariant = inv;
    v->time_us = time_us;
    v->step = m->tracing ? m->lines : m->c.steps;
    v->tab_a = tab_a;
    v->tab_b = tab_b;
    va_list ap;
    va_start(ap, fmt);
    v->message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(m->violations, v);
}

void sim_monitor_events_written(sim_monitor *m, const GPtrArray *ids)
{
    if (!m->tracing)
        return;
    GHashTable *now = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < ids->len; i++)
        g_hash_table_add(now, g_strdup(ids->pdata[i]));
    GHashTableIter it;
    gpointer id;
    g_hash_table_iter_init(&it, m->stored_ids);
    while (g_hash_table_iter_next(&it, &id, NULL))
        if (!g_hash_table_contains(now, id))
            g_hash_table_insert(m->erased_at, g_strdup(id), GUINT_TO_POINTER(m->lines));
    g_hash_table_destroy(m->stored_ids);
    m->stored_ids = now;
}

/* Values in a timeline are cut to stay one readable line. */
static void append_value(GString *s, const char *value)
{
    size_t len = strlen(value);
    if (len <= 48) {
        g_string_append_printf(s, "\"%s\"", value);
        return;
    }
    /* Cut between characters: a value in UTF-8 stays readable. */
    g_string_append_printf(s, "\"%.*s...\" (%zu bytes)", (int)sim_input_cut(value, len, 40), value, len);
}

void sim_monitor_line(sim_monitor *m, int64_t time_us, int tab, int task, const char *op,
                      const char *key, const char *value, const char *result, const char *label,
                      const char *shown)
{
    if (!m->tracing)
        return;
    m->lines++;
    if (m->counting)
        return;
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%10.3f  tab%-2d #%-3d %-8s", time_us / 1000.0, tab, task, op);
    if (key)
        g_string_append_printf(s, " %s", key);
    if (value) {
        g_string_append(s, key ? " = " : " ");
        if (shown)
            g_string_append(s, shown);
        else
            append_value(s, value);
    }
    if (result)
        g_string_append_printf(s, " -> %s", result);
    if (label)
        g_string_append_printf(s, "   ; %s", label);
    g_ptr_array_add(m->trace, g_string_free(s, FALSE));
    GString *shown_value = NULL;
    if (value) {
        shown_value = g_string_new(NULL);
        if (shown)
            g_string_append(shown_value, shown);
        else
            append_value(shown_value, value);
    }
    sim_trace_record rec = {time_us, tab, task, op, g_strdup(key),
                            shown_value ? g_string_free(shown_value, FALSE) : NULL, g_strdup(result), label};
    g_array_append_val(m->records, rec);
}

void sim_monitor_cs_enter(sim_monitor *m, int64_t time_us, int tab, int task)
{
    if (m->cs_task != 0 && m->cs_tab == tab) {
        /* One tab's tasks share its client id: a lock keyed by it lets both in. */
        sim_monitor_violation(m, SIM_INV_MUTUAL_EXCLUSION, time_us, m->cs_tab, tab,
                              "task #%d of tab%d entered the critical section while task #%d of the same tab was "
                              "inside",
                              task, tab, m->cs_task);
        return;
    }
    if (m->cs_task != 0) {
        sim_monitor_violation(m, SIM_INV_MUTUAL_EXCLUSION, time_us, m->cs_tab, tab,
                              "tab%d (task #%d) entered the critical section while tab%d (task #%d) "
                              "was inside",
                              tab, task, m->cs_tab, m->cs_task);
        return; /* the first holder stays the one recorded */
    }
    m->cs_task = task;
    m->cs_tab = tab;
}

void sim_monitor_cs_exit(sim_monitor *m, int tab, int task)
{
    (void)tab;
    if (m->cs_task == task)
        m->cs_task = m->cs_tab = 0;
}

void sim_monitor_event_added(sim_monitor *m, const char *id, int tab)
{
    char *copy = g_strdup(id);
    g_ptr_array_add(m->added_order, copy);
    g_hash_table_insert(m->added, copy, GINT_TO_POINTER(tab));
    m->c.events_added++;
}

typedef struct sim_kept_event {
    char *id;
    int tab;
} sim_kept_event;

static void kept_event_free(gpointer p)
{
    sim_kept_event *k = p;
    g_free(k->id);
    g_free(k);
}

void sim_monitor_event_dropped(sim_monitor *m, int64_t time_us, const char *id, int tab, int error)
{
    sim_monitor_violation(m, SIM_INV_LOST_EVENT, time_us, tab, 0,
                          "event %s (added by tab%d) was dropped: storage refused it (%s) and the SDK kept it "
                          "nowhere",
                          id, tab, xt_strerror(error));
}

void sim_monitor_event_kept(sim_monitor *m, const char *id, int tab)
{
    if (!m->kept)
        m->kept = g_ptr_array_new_with_free_func(kept_event_free);
    sim_kept_event *k = g_new(sim_kept_event, 1);
    k->id = g_strdup(id);
    k->tab = tab;
    g_ptr_array_add(m->kept, k);
}

void sim_monitor_tab_closed(sim_monitor *m, int tab)
{
    for (guint i = m->kept ? m->kept->len : 0; i-- > 0;)
        if (((sim_kept_event *)m->kept->pdata[i])->tab == tab)
            g_ptr_array_remove_index(m->kept, i);
}

/* Kept in memory and never sent, while the tab lived on. */
static void check_kept(sim_monitor *m, int64_t time_us)
{
    for (guint i = 0; m->kept && i < m->kept->len; i++) {
        const sim_kept_event *k = m->kept->pdata[i];
        if (!g_hash_table_contains(m->delivered, k->id)) {
            sim_monitor_violation(m, SIM_INV_LOST_EVENT, time_us, k->tab, 0,
                                  "event %s (kept in memory by tab%d after storage refused it) was never "
                                  "delivered",
                                  k->id, k->tab);
            return;
        }
    }
}

void sim_monitor_delivered(sim_monitor *m, int64_t time_us, int tab, GPtrArray *ids)
{
    for (guint i = 0; i < ids->len; i++) {
        const char *id = ids->pdata[i];
        gpointer prev = NULL;
        m->c.deliveries++;
        if (g_hash_table_lookup_extended(m->delivered, id, NULL, &prev)) {
            g_hash_table_insert(m->delivered, g_strdup(id), GINT_TO_POINTER(GPOINTER_TO_INT(prev) + 1));
            sim_monitor_violation(m, SIM_INV_DUPLICATE, time_us, tab, 0,
                                  "event %s delivered to the server again, by tab%d", id, tab);
        } else {
            g_hash_table_insert(m->delivered, g_strdup(id), GINT_TO_POINTER(1));
            m->c.events_delivered++;
        }
    }
}

void sim_monitor_lock_done(sim_monitor *m, int64_t time_us, int tab, int64_t waited_us, gboolean granted)
{
    if (waited_us > m->c.lock_wait_us_max)
        m->c.lock_wait_us_max = waited_us;
    if (!m->untimed && waited_us > m->scenario->progress_bound_ms * 1000)
        sim_monitor_violation(m, SIM_INV_PROGRESS, time_us, tab, 0,
                              "tab%d's lock request took %.3f ms to be %s; the bound is %" G_GINT64_FORMAT " ms",
                              tab, waited_us / 1000.0, granted ? "granted" : "refused",
                              m->scenario->progress_bound_ms);
}

static void check_stored(sim_monitor *m, int64_t time_us, const GPtrArray *ids, GHashTable *stored)
{
    for (guint i = 0; i < ids->len; i++) {
        const char *id = ids->pdata[i];
        if (g_hash_table_contains(stored, id))
            sim_monitor_violation(m, SIM_INV_DUPLICATE, time_us, 0, 0, "event %s is stored twice", id);
        g_hash_table_add(stored, (gpointer)id);
    }
    m->c.events_stored = g_hash_table_size(stored);
}

void sim_monitor_finish(sim_monitor *m, int64_t time_us, const GPtrArray *stored_ids, int pending_tab,
                        int64_t pending_wait_us)
{
    m->c.end_time_us = time_us;
    guint judged_before = m->violations->len;
    GHashTable *stored = g_hash_table_new(g_str_hash, g_str_equal);
    if (stored_ids)
        check_stored(m, time_us, stored_ids, stored);
    for (guint i = 0; i < m->added_order->len; i++) {
        const char *id = m->added_order->pdata[i];
        if (!g_hash_table_contains(stored, id) && !g_hash_table_contains(m->delivered, id)) {
            int tab = GPOINTER_TO_INT(g_hash_table_lookup(m->added, id));
            sim_monitor_violation(m, SIM_INV_LOST_EVENT, time_us, tab, 0,
                                  "event %s (added by tab%d, add returned) is neither stored nor delivered",
                                  id, tab);
            /* Point at the write that erased it, when the timeline knows it:
             * the reports mark that line (sim/cli/report.c, mermaid.c). */
            gpointer at = m->erased_at ? g_hash_table_lookup(m->erased_at, id) : NULL;
            if (at && m->counting) {
                /* Only the line counts (shrinking): no records to quote. */
                sim_violation *v = m->violations->pdata[m->violations->len - 1];
                v->step = GPOINTER_TO_UINT(at);
            } else if (at) {
                sim_violation *v = m->violations->pdata[m->violations->len - 1];
                const sim_trace_record *w = &g_array_index(m->records, sim_trace_record, GPOINTER_TO_UINT(at) - 1);
                v->step = GPOINTER_TO_UINT(at);
                v->erased_line = GPOINTER_TO_UINT(at);
                v->erased_event = g_strdup(id);
                g_free(v->message);
                v->message = g_strdup_printf("event %s (added by tab%d, add returned) is neither stored nor "
                                             "delivered; tab%d's write at %.3f ms erased it (marked !! in the "
                                             "timeline)",
                                             id, tab, w->tab, w->time_us / 1000.0);
            }
            break;
        }
    }
    check_kept(m, time_us);
    if (!m->untimed && pending_tab > 0 && pending_wait_us > m->scenario->progress_bound_ms * 1000)
        sim_monitor_violation(m, SIM_INV_PROGRESS, time_us, pending_tab, 0,
                              "tab%d's lock request was still pending after %.3f ms when the run ended",
                              pending_tab, pending_wait_us / 1000.0);
    for (guint i = judged_before; i < m->violations->len; i++)
        ((sim_violation *)m->violations->pdata[i])->at_end = TRUE;
    g_hash_table_destroy(stored);
}

/* Digests of the id tables: (id, value) pairs sorted by id, never in a
 * hash table's order: on the stack when they fit (the tables hold few
 * ids), sorted stably (equal ids by the order they were given).  Equal ids (kept events) fold
 * once, with the last value given, as a table insert would keep. */
typedef struct id_pair {
    const char *id;
    int value;
    guint order; /* when it was given: the tie-break that keeps the sort stable */
} id_pair;

#define ID_PAIRS_STACK 32

typedef struct id_pairs {
    id_pair buf[ID_PAIRS_STACK], *e;
    guint n;
} id_pairs;

static void pairs_init(id_pairs *p, guint cap)
{
    p->n = 0;
    p->e = cap <= ID_PAIRS_STACK ? p->buf : g_new(id_pair, cap);
}

static int pair_cmp(const void *a, const void *b)
{
    const id_pair *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void pairs_add(id_pairs *p, const char *id, int value)
{
    p->e[p->n] = (id_pair){id, value, p->n};
    p->n++;
}

static void pairs_fold(id_pairs *p, sim_digest *h)
{
    if (p->n > 1) /* most digests: no events at all */
        qsort(p->e, p->n, sizeof *p->e, pair_cmp);
    guint distinct = 0;
    for (guint i = 0; i < p->n; i++)
        distinct += i + 1 == p->n || strcmp(p->e[i].id, p->e[i + 1].id) != 0;
    sim_digest_u64(h, distinct);
    for (guint i = 0; i < p->n; i++) {
        if (i + 1 < p->n && strcmp(p->e[i].id, p->e[i + 1].id) == 0)
            continue; /* the last of equal ids */
        sim_digest_str(h, p->e[i].id);
        sim_digest_u64(h, (uint64_t)p->e[i].value);
    }
    if (p->e != p->buf)
        g_free(p->e);
}

static void digest_table(const GHashTable *table, sim_digest *h)
{
    if (g_hash_table_size((GHashTable *)table) == 0) {
        sim_digest_u64(h, 0); /* as pairs_fold folds no pairs: most states (a lock's) have none */
        return;
    }
    id_pairs p;
    pairs_init(&p, g_hash_table_size((GHashTable *)table));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, (GHashTable *)table);
    while (g_hash_table_iter_next(&it, &k, &v))
        pairs_add(&p, k, GPOINTER_TO_INT(v));
    pairs_fold(&p, h);
}

void sim_monitor_digest(const sim_monitor *m, sim_digest *h,
                        void (*task_fold)(sim_digest *h, int task_id, void *ctx), void *ctx, const int *tab_rename)
{
    sim_digest_u64(h, m->violated);
    sim_digest_u64(h, m->c.cut);
    sim_digest_u64(h, (uint64_t)(tab_rename && m->cs_tab >= 1 ? tab_rename[m->cs_tab - 1] : m->cs_tab));
    task_fold(h, m->cs_task, ctx);
    digest_table(m->added, h);
    digest_table(m->delivered, h);
    /* Kept events as a set: their order only picks which one a message names. */
    if (!m->kept || m->kept->len == 0) {
        sim_digest_u64(h, 0); /* no pairs, as below */
        return;
    }
    id_pairs kept;
    pairs_init(&kept, m->kept->len);
    for (guint i = 0; i < m->kept->len; i++) {
        const sim_kept_event *k = m->kept->pdata[i];
        pairs_add(&kept, k->id, k->tab);
    }
    pairs_fold(&kept, h);
}
