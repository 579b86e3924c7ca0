/*
 * test_monitor.c - each invariant is detected, once, with its culprits.
 *
 * Goal: overlapping critical sections are a mutual-exclusion violation
 * naming both tabs; an id delivered twice is a duplicate; an added event
 * neither stored nor delivered at the end is lost, and the write that
 * erased it is named (its timeline line and the event, for the reports to
 * mark); an event stored twice is a duplicate; a lock request over the
 * progress bound (answered or still pending at the end) is a progress
 * violation; and a run that does nothing wrong violates nothing.  Only the
 * first violation of each invariant is kept.  A warning the code logs is
 * counted, its first text kept, and violates nothing.  Method: feed the monitor the
 * observations the world would, by hand, against a default scenario with a
 * small progress bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/check/monitor.h"
#include "sim/world/world_digest.h"
#include "xt/event_store.h"

/* The ids of the events an SDK entity holds, as the SDK program reads
 * them (sim/programs/program_sdk.c); NULL when it is not one. */
static GPtrArray *entity_ids(const char *json)
{
    GPtrArray *events = NULL;
    if (!json || xt_event_entity_parse(json, &events) != XT_OK)
        return NULL;
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < events->len; i++)
        g_ptr_array_add(ids, g_strdup(((const xt_event *)events->pdata[i])->id));
    g_ptr_array_free(events, TRUE);
    return ids;
}

static void finish_with(sim_monitor *m, int64_t time_us, const char *json, int pending_tab, int64_t wait_us)
{
    GPtrArray *ids = entity_ids(json);
    sim_monitor_finish(m, time_us, ids, pending_tab, wait_us);
    if (ids)
        g_ptr_array_free(ids, TRUE);
}

static void written(sim_monitor *m, const char *json)
{
    GPtrArray *ids = entity_ids(json);
    assert_non_null(ids);
    sim_monitor_events_written(m, ids);
    g_ptr_array_free(ids, TRUE);
}

typedef struct fixture {
    sim_scenario *scenario;
    sim_monitor m;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->scenario = sim_scenario_new_default();
    if (!sim_scenario_set(f->scenario, "run", "progress_bound_ms", "100", NULL))
        return -1;
    sim_monitor_init(&f->m, f->scenario, TRUE);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sim_monitor_clear(&f->m);
    sim_scenario_free(f->scenario);
    g_free(f);
    return 0;
}

static const sim_violation *violation_of(const sim_monitor *m, sim_invariant inv)
{
    const sim_violation *found = NULL;
    for (guint i = 0; i < m->violations->len; i++) {
        const sim_violation *v = m->violations->pdata[i];
        if (v->invariant == inv) {
            assert_null(found); /* at most one per invariant */
            found = v;
        }
    }
    assert_true(!!found == !!(m->violated & inv));
    return found;
}

static char *entity(const char *const *ids, size_t n)
{
    GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)xt_event_free);
    for (size_t i = 0; i < n; i++)
        g_ptr_array_add(events, xt_event_new(ids[i], 1000 + (int64_t)i, "goal"));
    char *json = xt_event_entity_serialize("user-1", events);
    g_ptr_array_free(events, TRUE);
    return json;
}

static GPtrArray *ids_of(const char *const *ids, size_t n)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < n; i++)
        g_ptr_array_add(a, g_strdup(ids[i]));
    return a;
}

static void deliver(sim_monitor *m, int64_t t, int tab, const char *const *ids, size_t n)
{
    GPtrArray *a = ids_of(ids, n);
    sim_monitor_delivered(m, t, tab, a);
    g_ptr_array_free(a, TRUE);
}

static void test_clean_run(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    const char *ids[] = {"t1-e1", "t2-e1", "t1-e2"};
    sim_monitor_cs_enter(m, 10, 1, 4);
    sim_monitor_cs_exit(m, 1, 4);
    sim_monitor_cs_enter(m, 20, 2, 5);
    sim_monitor_cs_exit(m, 2, 5);
    sim_monitor_lock_done(m, 30, 1, 100 * 1000, TRUE); /* exactly the bound */
    sim_monitor_event_added(m, ids[0], 1);
    sim_monitor_event_added(m, ids[1], 2);
    sim_monitor_event_added(m, ids[2], 1);
    deliver(m, 40, 1, ids, 2);
    char *json = entity(ids + 2, 1);
    finish_with(m, 50, json, 0, 0);
    g_free(json);
    assert_int_equal(m->violated, 0);
    assert_int_equal(m->violations->len, 0);
    assert_int_equal(m->c.events_added, 3);
    assert_int_equal(m->c.events_delivered, 2);
    assert_int_equal(m->c.deliveries, 2);
    assert_int_equal(m->c.events_stored, 1);
    assert_int_equal(m->c.lock_wait_us_max, 100 * 1000);
    assert_int_equal(m->c.end_time_us, 50);
}

static void test_mutual_exclusion(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    sim_monitor_cs_enter(m, 1000, 1, 4);
    assert_int_equal(m->violated, 0);
    sim_monitor_cs_enter(m, 2500, 2, 7);
    const sim_violation *v = violation_of(m, SIM_INV_MUTUAL_EXCLUSION);
    assert_non_null(v);
    assert_int_equal(v->time_us, 2500);
    assert_int_equal(v->tab_a, 1);
    assert_int_equal(v->tab_b, 2);
    assert_non_null(strstr(v->message, "tab1"));
    assert_non_null(strstr(v->message, "tab2"));
    assert_non_null(strstr(v->message, "#7"));
    /* Later overlaps are not reported again. */
    sim_monitor_cs_exit(m, 1, 4);
    sim_monitor_cs_enter(m, 3000, 3, 9);
    sim_monitor_cs_enter(m, 3001, 1, 10);
    assert_int_equal(m->violations->len, 1);
}

/* Two tasks of one tab inside at once: said as such, not "tab1 and tab1". */
static void test_mutual_exclusion_one_tab(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    sim_monitor_cs_enter(m, 1000, 2, 32);
    sim_monitor_cs_enter(m, 2000, 2, 171);
    const sim_violation *v = violation_of(m, SIM_INV_MUTUAL_EXCLUSION);
    assert_non_null(v);
    assert_int_equal(v->tab_a, 2);
    assert_int_equal(v->tab_b, 2);
    assert_string_equal(v->message,
                        "task #171 of tab2 entered the critical section while task #32 of the same tab was inside");
}

static void test_exit_by_other_task_keeps_holder(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    /* Two tasks of one tab: only the holder's exit frees the section. */
    sim_monitor_cs_enter(m, 10, 1, 4);
    sim_monitor_cs_exit(m, 1, 5);
    sim_monitor_cs_enter(m, 20, 1, 5);
    const sim_violation *v = violation_of(m, SIM_INV_MUTUAL_EXCLUSION);
    assert_non_null(v);
    assert_int_equal(v->tab_a, 1);
    assert_int_equal(v->tab_b, 1);
}

static void test_duplicate_delivery(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    const char *a[] = {"t1-e1", "t2-e1"};
    const char *b[] = {"t2-e1", "t1-e2"};
    sim_monitor_event_added(m, "t1-e1", 1);
    sim_monitor_event_added(m, "t2-e1", 2);
    sim_monitor_event_added(m, "t1-e2", 1);
    deliver(m, 100, 1, a, 2);
    assert_int_equal(m->violated, 0);
    deliver(m, 200, 2, b, 2);
    const sim_violation *v = violation_of(m, SIM_INV_DUPLICATE);
    assert_non_null(v);
    assert_int_equal(v->time_us, 200);
    assert_int_equal(v->tab_a, 2);
    assert_non_null(strstr(v->message, "t2-e1"));
    assert_int_equal(m->c.deliveries, 4);
    assert_int_equal(m->c.events_delivered, 3);
    /* A third delivery is counted but not reported again. */
    deliver(m, 300, 1, a, 1);
    assert_int_equal(m->c.deliveries, 5);
    assert_int_equal(m->violations->len, 1);
    finish_with(m, 400, NULL, 0, 0);
    assert_int_equal(m->violated, SIM_INV_DUPLICATE);
}

static void test_duplicate_in_one_batch(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    const char *a[] = {"t1-e1", "t1-e1"};
    sim_monitor_event_added(m, "t1-e1", 1);
    deliver(m, 100, 1, a, 2);
    assert_non_null(violation_of(m, SIM_INV_DUPLICATE));
}

static void test_lost_event(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    const char *stored[] = {"t1-e1"};
    const char *sent[] = {"t1-e2"};
    sim_monitor_event_added(m, "t1-e1", 1);
    sim_monitor_event_added(m, "t1-e2", 1);
    sim_monitor_event_added(m, "t2-e1", 2);
    sim_monitor_event_added(m, "t2-e2", 2);
    deliver(m, 10, 1, sent, 1);
    char *json = entity(stored, 1);
    finish_with(m, 999, json, 0, 0);
    g_free(json);
    const sim_violation *v = violation_of(m, SIM_INV_LOST_EVENT);
    assert_non_null(v);
    /* The first lost event in add order, with the tab that added it. */
    assert_non_null(strstr(v->message, "t2-e1"));
    assert_int_equal(v->tab_a, 2);
    assert_int_equal(v->time_us, 999);
    assert_int_equal(m->violated, SIM_INV_LOST_EVENT);
    assert_int_equal(m->violations->len, 1);
}

static void test_nothing_stored_all_lost(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    sim_monitor_event_added(m, "t1-e1", 1);
    finish_with(m, 5, NULL, 0, 0);
    assert_non_null(violation_of(m, SIM_INV_LOST_EVENT));
}

static void test_unparsable_storage_loses_events(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    sim_monitor_event_added(m, "t1-e1", 1);
    finish_with(m, 5, "{not json", 0, 0);
    assert_non_null(violation_of(m, SIM_INV_LOST_EVENT));
}

static void test_stored_twice(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    const char *stored[] = {"t1-e1", "t2-e1", "t1-e1"};
    sim_monitor_event_added(m, "t1-e1", 1);
    sim_monitor_event_added(m, "t2-e1", 2);
    char *json = entity(stored, 3);
    finish_with(m, 77, json, 0, 0);
    g_free(json);
    const sim_violation *v = violation_of(m, SIM_INV_DUPLICATE);
    assert_non_null(v);
    assert_non_null(strstr(v->message, "t1-e1"));
    assert_non_null(strstr(v->message, "stored twice"));
    assert_int_equal(m->c.events_stored, 2);
    assert_int_equal(m->violated, SIM_INV_DUPLICATE);
}

static void test_progress_bound(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    sim_monitor_lock_done(m, 10, 1, 50 * 1000, TRUE);
    sim_monitor_lock_done(m, 20, 2, 100 * 1000, FALSE);
    assert_int_equal(m->violated, 0);
    sim_monitor_lock_done(m, 30, 3, 100 * 1000 + 1, FALSE);
    const sim_violation *v = violation_of(m, SIM_INV_PROGRESS);
    assert_non_null(v);
    assert_int_equal(v->tab_a, 3);
    assert_non_null(strstr(v->message, "tab3"));
    assert_non_null(strstr(v->message, "100 ms"));
    assert_int_equal(m->c.lock_wait_us_max, 100 * 1000 + 1);
}

static void test_progress_pending_at_end(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    /* Pending, but within the bound: fine. */
    finish_with(m, 500, NULL, 2, 100 * 1000);
    assert_int_equal(m->violated, 0);
}

static void test_progress_pending_over_bound(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    finish_with(m, 500 * 1000, NULL, 2, 150 * 1000);
    const sim_violation *v = violation_of(m, SIM_INV_PROGRESS);
    assert_non_null(v);
    assert_int_equal(v->tab_a, 2);
    assert_non_null(strstr(v->message, "pending"));
}

static void test_violation_record(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    sim_monitor_line(m, 1, 1, 1, "get", "k", NULL, "null", NULL, NULL);
    sim_monitor_line(m, 2, 1, 1, "set", "k", "v", "ok", NULL, NULL);
    sim_monitor_violation(m, SIM_INV_PROGRESS, 1234, 2, 0, "custom %d", 42);
    sim_monitor_violation(m, SIM_INV_PROGRESS, 9999, 3, 0, "second");
    const sim_violation *v = violation_of(m, SIM_INV_PROGRESS);
    assert_string_equal(v->message, "custom 42");
    assert_int_equal(v->time_us, 1234);
    /* step: the timeline lines up to and including the one that broke it */
    assert_int_equal(v->step, 2);
}

static void test_lost_event_points_at_erasing_write(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    const char *both[] = {"t1-e1", "t2-e1"};
    const char *one[] = {"t2-e1"};
    char *j2 = entity(both, 2), *j1 = entity(one, 1);
    sim_monitor_event_added(m, "t1-e1", 1);
    sim_monitor_event_added(m, "t2-e1", 2);
    sim_monitor_line(m, 10, 1, 3, "set", "events", j2, "ok", "save events", NULL);
    written(m, j2);
    sim_monitor_line(m, 20, 2, 4, "get", "other", NULL, "null", NULL, NULL);
    sim_monitor_line(m, 30, 2, 4, "set", "events", j1, "ok", "save events", NULL); /* line 2 */
    written(m, j1);
    sim_monitor_line(m, 40, 2, 4, "get", "other", NULL, "null", NULL, NULL);
    finish_with(m, 50, j1, 0, 0);
    const sim_violation *v = violation_of(m, SIM_INV_LOST_EVENT);
    assert_non_null(v);
    assert_non_null(strstr(v->message, "t1-e1"));
    /* The message names the write's tab and time, and the reports can mark
     * its line: it is line 3, and it erased t1-e1. */
    assert_non_null(strstr(v->message, "tab2's write at 0.030 ms erased it"));
    assert_int_equal(v->erased_line, 3);
    assert_string_equal(v->erased_event, "t1-e1");
    /* The lines up to and including the write that dropped t1-e1. */
    assert_int_equal(v->step, 3);
    g_free(j1);
    g_free(j2);
}

static void test_lost_event_never_written(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    /* Added (as the core reported) but never seen in a write: the
     * violation still stands, without pointing at a write. */
    sim_monitor_event_added(m, "t1-e1", 1);
    sim_monitor_line(m, 10, 1, 3, "get", "k", NULL, "null", NULL, NULL);
    finish_with(m, 50, NULL, 0, 0);
    const sim_violation *v = violation_of(m, SIM_INV_LOST_EVENT);
    assert_non_null(v);
    assert_null(strstr(v->message, "erased"));
    assert_int_equal(v->erased_line, 0);
    assert_null(v->erased_event);
    assert_int_equal(v->step, 1);
}

static void test_trace_lines(void **state)
{
    fixture *f = *state;
    sim_monitor *m = &f->m;
    char *big = g_strnfill(300, 'x');
    sim_monitor_line(m, 1500, 2, 7, "set", "_lock_x", "tab2", "ok", "write ClientID to X", NULL);
    sim_monitor_line(m, 1600, 2, 7, "set", "events", big, "ok", NULL, NULL);
    sim_monitor_line(m, 1700, 2, 7, "set", "events", big, "ok", NULL, "[t1-e1 t2-e1]");
    assert_int_equal(m->trace->len, 3);
    const char *l0 = m->trace->pdata[0];
    assert_non_null(strstr(l0, "1.500"));
    assert_non_null(strstr(l0, "tab2"));
    assert_non_null(strstr(l0, "#7"));
    assert_non_null(strstr(l0, "_lock_x = \"tab2\" -> ok"));
    assert_non_null(strstr(l0, "; write ClientID to X"));
    /* Long values are cut, with their length. */
    const char *l1 = m->trace->pdata[1];
    assert_non_null(strstr(l1, "(300 bytes)"));
    assert_true(strlen(l1) < 150);
    /* A summary, when given, replaces the value. */
    const char *l2 = m->trace->pdata[2];
    assert_non_null(strstr(l2, "events = [t1-e1 t2-e1] -> ok"));
    assert_null(strstr(l2, "xxx"));
    g_free(big);
    /* A long value is cut between characters: 39 ASCII bytes, then
     * two-byte characters, keep 39 bytes (not half of the 40th's). */
    GString *utf8 = g_string_new(NULL);
    g_string_append_len(utf8, big = g_strnfill(39, 'a'), 39);
    g_free(big);
    for (int i = 0; i < 11; i++)
        g_string_append(utf8, "\u00e9");
    sim_monitor_line(m, 1800, 2, 7, "set", "k", utf8->str, "ok", NULL, NULL);
    const char *l3 = m->trace->pdata[3];
    assert_true(g_utf8_validate(l3, -1, NULL));
    assert_non_null(strstr(l3, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" (61 bytes)"));
    g_string_free(utf8, TRUE);
}

static void test_untraced(void **state)
{
    (void)state;
    sim_scenario *s = sim_scenario_new_default();
    sim_monitor m;
    sim_monitor_init(&m, s, FALSE);
    assert_null(m.trace);
    sim_monitor_line(&m, 1, 1, 1, "get", "k", NULL, "null", NULL, NULL);
    /* Invariants are checked untraced too. */
    sim_monitor_cs_enter(&m, 1, 1, 1);
    sim_monitor_cs_enter(&m, 2, 2, 2);
    assert_int_equal(m.violated, SIM_INV_MUTUAL_EXCLUSION);
    sim_monitor_clear(&m);
    sim_scenario_free(s);
}

/* Warnings are counted untraced, the first kept with its tab, and they
 * violate nothing. */
static void test_warnings(void **state)
{
    (void)state;
    sim_scenario *s = sim_scenario_new_default();
    sim_monitor m;
    sim_monitor_init(&m, s, FALSE);
    assert_null(m.warn_first);
    sim_monitor_warning(&m, 2, "uncaught (in promise): Error: x");
    sim_monitor_warning(&m, 1, "later");
    assert_int_equal(m.c.warnings, 2);
    assert_string_equal(m.warn_first, "tab2: uncaught (in promise): Error: x");
    assert_int_equal(m.violated, 0);
    sim_monitor_clear(&m);
    sim_scenario_free(s);
}

/* ---- the state digest of the monitor ---- */

static void no_task(sim_digest *h, int task_id, void *ctx)
{
    (void)ctx;
    sim_digest_u64(h, (uint64_t)task_id);
}

static sim_digest monitor_digest(const sim_monitor *m)
{
    sim_digest h;
    sim_digest_init(&h, 1);
    sim_monitor_digest(m, &h, no_task, NULL, NULL);
    return h;
}

/* Added and kept events digest as sets: insertion order does not count,
 * an id kept twice counts once with its last tab, as many ids as fit on
 * the digest's stack or more (40). */
static void test_monitor_digest_sets(void **state)
{
    (void)state;
    sim_scenario *s = sim_scenario_new_default();
    sim_monitor a, b, c;
    sim_monitor_init(&a, s, FALSE);
    sim_monitor_init(&b, s, FALSE);
    sim_monitor_init(&c, s, FALSE);
    assert_true(sim_digest_equal(monitor_digest(&a), monitor_digest(&b)));
    /* Empty tables fold as no pairs: one event added, delivered or kept
     * is a different digest, and each a different one. */
    sim_monitor d, e, f;
    sim_monitor_init(&d, s, FALSE);
    sim_monitor_init(&e, s, FALSE);
    sim_monitor_init(&f, s, FALSE);
    sim_monitor_event_added(&d, "x", 1);
    sim_monitor_event_kept(&e, "x", 1);
    GPtrArray *ids = g_ptr_array_new();
    g_ptr_array_add(ids, (gpointer) "x");
    sim_monitor_delivered(&f, 0, 1, ids);
    g_ptr_array_free(ids, TRUE);
    sim_digest none = monitor_digest(&a), added = monitor_digest(&d), kept = monitor_digest(&e),
               delivered = monitor_digest(&f);
    assert_false(sim_digest_equal(none, added));
    assert_false(sim_digest_equal(none, kept));
    assert_false(sim_digest_equal(none, delivered));
    assert_false(sim_digest_equal(added, kept));
    assert_false(sim_digest_equal(added, delivered));
    assert_false(sim_digest_equal(kept, delivered));
    sim_monitor_clear(&d);
    sim_monitor_clear(&e);
    sim_monitor_clear(&f);
    char id[16];
    for (int i = 0; i < 40; i++) {
        g_snprintf(id, sizeof id, "e%02d", i);
        sim_monitor_event_added(&a, id, 1 + i % 2);
        g_snprintf(id, sizeof id, "e%02d", 39 - i);
        sim_monitor_event_added(&b, id, 1 + (39 - i) % 2);
        sim_monitor_event_added(&c, id, 1 + (39 - i) % 2);
    }
    assert_true(sim_digest_equal(monitor_digest(&a), monitor_digest(&b)));
    sim_monitor_event_kept(&a, "k1", 1);
    sim_monitor_event_kept(&a, "k0", 2);
    sim_monitor_event_kept(&a, "k1", 2);
    sim_monitor_event_kept(&b, "k1", 2);
    sim_monitor_event_kept(&b, "k0", 2);
    sim_monitor_event_kept(&c, "k0", 2);
    sim_monitor_event_kept(&c, "k1", 2);
    sim_monitor_event_kept(&c, "k1", 1);
    assert_true(sim_digest_equal(monitor_digest(&a), monitor_digest(&b)));
    assert_false(sim_digest_equal(monitor_digest(&a), monitor_digest(&c))); /* k1's last tab differs */
    sim_monitor_event_added(&b, "e40", 1);
    assert_false(sim_digest_equal(monitor_digest(&a), monitor_digest(&b)));
    sim_monitor_clear(&a);
    sim_monitor_clear(&b);
    sim_monitor_clear(&c);
    /* The same with more kept events than the stack holds (41, one id twice). */
    sim_monitor_init(&a, s, FALSE);
    sim_monitor_init(&b, s, FALSE);
    sim_monitor_init(&c, s, FALSE);
    sim_monitor_event_kept(&c, "k05", 2);
    for (int i = 0; i < 40; i++) {
        g_snprintf(id, sizeof id, "k%02d", i);
        sim_monitor_event_kept(&a, id, 1);
        g_snprintf(id, sizeof id, "k%02d", 39 - i);
        sim_monitor_event_kept(&b, id, 39 - i == 5 ? 2 : 1);
        sim_monitor_event_kept(&c, id, 1);
    }
    sim_monitor_event_kept(&a, "k05", 2);
    assert_true(sim_digest_equal(monitor_digest(&a), monitor_digest(&b)));
    assert_false(sim_digest_equal(monitor_digest(&a), monitor_digest(&c)));
    sim_monitor_clear(&a);
    sim_monitor_clear(&b);
    sim_monitor_clear(&c);
    sim_scenario_free(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_clean_run),
        T(test_mutual_exclusion),
        T(test_mutual_exclusion_one_tab),
        T(test_exit_by_other_task_keeps_holder),
        T(test_duplicate_delivery),
        T(test_duplicate_in_one_batch),
        T(test_lost_event),
        T(test_nothing_stored_all_lost),
        T(test_unparsable_storage_loses_events),
        T(test_stored_twice),
        T(test_progress_bound),
        T(test_progress_pending_at_end),
        T(test_progress_pending_over_bound),
        T(test_violation_record),
        T(test_lost_event_points_at_erasing_write),
        T(test_lost_event_never_written),
        T(test_trace_lines),
        cmocka_unit_test(test_untraced),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_monitor_digest_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
