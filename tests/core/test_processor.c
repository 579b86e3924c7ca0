/*
 * test_processor.c - the flush loop.
 *
 * Goal: a flush sends the stored events in one batch and deletes only the
 * ones it sent (an event added during the send survives); a failed or
 * timed-out send keeps everything; batch_max bounds a batch; with the lock
 * unavailable the flush warns, reports the fall-back and still sends once;
 * send_under_lock FALSE sends between a locked read and a locked delete;
 * run() stops on stop() and on cancellation, freeing everything (checked by
 * ASan/valgrind runs of this file).
 * Method: a fresh mem_env with a scripted transport; hooks add events or
 * stop the processor from inside a send or a sleep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "xt/mutex_seed.h"
#include "xt/processor.h"

#define KEY "u1_events"
#define X "bucketeer_mutex_x"
#define Y "bucketeer_mutex_y"
#define FAR "other:999999999999"

typedef struct fixture {
    mem_env *m;
    xt_ts_store *ts;
    xt_processor_options options;
    xt_processor *p;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->m = mem_env_new();
    xt_seed_mutex_options o;
    xt_seed_mutex_options_init(&o);
    o.client_id = "me";
    o.retries_max = 2;
    o.unlock = XT_SEED_UNLOCK_CLEAR_BOTH; /* relock at once (see test_mutex_seed) */
    xt_env *env = &f->m->env;
    f->ts = xt_ts_store_new(env, xt_event_store_new(env, "u1", KEY), xt_seed_mutex_new(env, &o),
                            XT_CROSS_TAB_ON);
    xt_processor_options_init(&f->options);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    xt_processor_free(f->p);
    xt_ts_store_free(f->ts);
    mem_env_free(f->m);
    g_free(f);
    return 0;
}

static xt_processor *make(fixture *f)
{
    f->p = xt_processor_new(&f->m->env, f->ts, &f->options);
    return f->p;
}

static void add_events(fixture *f, int n)
{
    for (int i = 0; i < n; i++) {
        char id[16];
        g_snprintf(id, sizeof id, "e%d", i);
        xt_event *e = xt_event_new(id, i, "p");
        assert_int_equal(xt_ts_store_add(f->ts, e), XT_OK);
        xt_event_free(e);
    }
    mem_env_clear_records(f->m);
}

static char *stored_ids(fixture *f)
{
    GPtrArray *events = NULL;
    assert_int_equal(xt_ts_store_get_all(f->ts, &events), XT_OK);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < events->len; i++) {
        if (i)
            g_string_append_c(s, ',');
        g_string_append(s, ((xt_event *)g_ptr_array_index(events, i))->id);
    }
    g_ptr_array_unref(events);
    return g_string_free(s, FALSE);
}

static void assert_stored(fixture *f, const char *expected)
{
    char *ids = stored_ids(f);
    assert_string_equal(ids, expected);
    g_free(ids);
}

static void assert_body_ids(fixture *f, guint index, const char *expected)
{
    GPtrArray *ids = NULL;
    assert_int_equal(xt_event_batch_parse_ids(g_ptr_array_index(f->m->bodies, index), &ids), XT_OK);
    char *joined = g_strjoinv(",", (char **)(g_ptr_array_add(ids, NULL), ids->pdata));
    assert_string_equal(joined, expected);
    g_free(joined);
    g_ptr_array_unref(ids);
}

static void test_options_defaults(void **state)
{
    (void)state;
    xt_processor_options o;
    memset(&o, 0x5a, sizeof o);
    xt_processor_options_init(&o);
    assert_int_equal(o.flush_interval_ms, 10000);
    assert_int_equal(o.batch_max, 0);
    assert_true(o.send_under_lock);
}

static void test_flush_empty_sends_nothing(void **state)
{
    fixture *f = *state;
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_int_equal(f->m->bodies->len, 0);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_SENT), 0);
}

static void test_flush_sends_and_deletes(void **state)
{
    fixture *f = *state;
    add_events(f, 3);
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_int_equal(f->m->bodies->len, 1);
    assert_body_ids(f, 0, "e0,e1,e2");
    assert_stored(f, "");
    /* read, send and delete inside one critical section */
    int enter = mem_env_find_obs(f->m, XT_OBS_CS_ENTER, 0);
    int sent = mem_env_find_obs(f->m, XT_OBS_SENT, 0);
    int exit = mem_env_find_obs(f->m, XT_OBS_CS_EXIT, 0);
    assert_true(enter >= 0 && sent > enter && exit > sent);
    const mem_obs *o = mem_env_obs_at(f->m, (guint)sent);
    assert_int_equal(o->value, XT_OK);
    assert_string_equal(o->detail, g_ptr_array_index(f->m->bodies, 0));
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_CS_ENTER), 1);
}

static void add_during_send(mem_env *m, const char *op, const char *key, void *data)
{
    (void)key;
    if (strcmp(op, "send") != 0)
        return;
    m->hook = NULL;
    /* Another tab stores an event while the request is in flight. */
    xt_event_store *other = xt_event_store_new(&m->env, "u1", KEY);
    xt_event *e = xt_event_new("late", 9, "p");
    assert_int_equal(xt_event_store_add(other, e), XT_OK);
    xt_event_free(e);
    xt_event_store_free(other);
    (void)data;
}

static void test_flush_deletes_only_sent(void **state)
{
    fixture *f = *state;
    add_events(f, 2);
    f->m->hook = add_during_send;
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_body_ids(f, 0, "e0,e1");
    assert_stored(f, "late");
}

static void test_flush_keeps_on_server_error_and_timeout(void **state)
{
    fixture *f = *state;
    add_events(f, 2);
    make(f);
    mem_env_script_send(f->m, XT_ESERVER);
    mem_env_script_send(f->m, XT_ETIMEOUT);
    assert_int_equal(xt_processor_flush(f->p), XT_ESERVER);
    assert_stored(f, "e0,e1");
    assert_int_equal(xt_processor_flush(f->p), XT_ETIMEOUT);
    assert_stored(f, "e0,e1");
    assert_int_equal(mem_env_count_ops(f->m, "set " KEY), 0);
    assert_int_equal(mem_env_obs_at(f->m, (guint)mem_env_find_obs(f->m, XT_OBS_SENT, 0))->value,
                     XT_ESERVER);
    /* No fall-back after a failed send: that would send twice. */
    assert_int_equal(f->m->bodies->len, 2);
    assert_int_equal(f->m->logs->len, 0);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_stored(f, "");
}

static void test_flush_sends_kept_events(void **state)
{
    fixture *f = *state;
    add_events(f, 1);
    make(f);
    xt_ts_store_set_keep_unstored(f->ts, TRUE);
    f->m->quota_bytes = 1; /* nothing more fits: the add is refused and kept */
    xt_event *e = xt_event_new("k1", 5, "p");
    assert_int_equal(xt_ts_store_track(f->ts, e), XT_OK);
    xt_event_free(e);
    f->m->quota_bytes = 0;
    mem_env_script_send(f->m, XT_ESERVER);
    /* A failed send keeps the kept event for the next flush. */
    assert_int_equal(xt_processor_flush(f->p), XT_ESERVER);
    assert_int_equal(f->m->bodies->len, 1);
    assert_body_ids(f, 0, "k1");
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_body_ids(f, 1, "k1"); /* kept events first, on their own */
    assert_body_ids(f, 2, "e0");
    assert_stored(f, "");
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_int_equal(f->m->bodies->len, 3); /* nothing left to send */
}

static void test_batch_max(void **state)
{
    fixture *f = *state;
    add_events(f, 5);
    f->options.batch_max = 2;
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_body_ids(f, 0, "e0,e1");
    assert_stored(f, "e2,e3,e4");
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_body_ids(f, 2, "e4");
    assert_stored(f, "");
}

static void test_flush_falls_back_when_lock_fails(void **state)
{
    fixture *f = *state;
    add_events(f, 2);
    mem_env_put(f->m, Y, FAR);
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    char *expected = g_strconcat("WARN: Failed to flush events with cross-tab safety, falling back to sync: ",
                                 xt_strerror(XT_ELOCKTIMEOUT), NULL);
    assert_int_equal(f->m->logs->len, 1);
    assert_string_equal(g_ptr_array_index(f->m->logs, 0), expected);
    g_free(expected);
    int fb = mem_env_find_obs(f->m, XT_OBS_FALLBACK, 0);
    assert_true(fb >= 0);
    assert_string_equal(mem_env_obs_at(f->m, (guint)fb)->label, "flush");
    assert_int_equal(f->m->bodies->len, 1);
    assert_stored(f, "");
}

static void test_send_outside_lock(void **state)
{
    fixture *f = *state;
    add_events(f, 2);
    f->options.send_under_lock = FALSE;
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_stored(f, "");
    /* enter, exit (read), SENT, enter, exit (delete) */
    int e1 = mem_env_find_obs(f->m, XT_OBS_CS_ENTER, 0);
    int x1 = mem_env_find_obs(f->m, XT_OBS_CS_EXIT, 0);
    int sent = mem_env_find_obs(f->m, XT_OBS_SENT, 0);
    int e2 = mem_env_find_obs(f->m, XT_OBS_CS_ENTER, (guint)x1);
    int x2 = mem_env_find_obs(f->m, XT_OBS_CS_EXIT, (guint)e2);
    assert_true(e1 >= 0 && x1 > e1 && sent > x1 && e2 > sent && x2 > e2);
}

static void test_send_outside_lock_falls_back(void **state)
{
    fixture *f = *state;
    add_events(f, 2);
    f->options.send_under_lock = FALSE;
    mem_env_put(f->m, Y, FAR);
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_true(mem_env_logged(f->m, "WARN: Failed to get events with cross-tab safety, falling back to sync: "));
    assert_true(mem_env_logged(f->m, "WARN: Failed to delete events with cross-tab safety, falling back to sync: "));
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_FALLBACK), 2);
    assert_int_equal(f->m->bodies->len, 1);
    assert_stored(f, "");
}

static void test_not_locking_uses_plain_methods(void **state)
{
    fixture *f = *state;
    xt_ts_store_free(f->ts);
    f->ts = xt_ts_store_new(&f->m->env, xt_event_store_new(&f->m->env, "u1", KEY), NULL,
                            XT_CROSS_TAB_OFF);
    add_events(f, 1);
    make(f);
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_int_equal(mem_env_count_ops(f->m, "set " X), 0);
    assert_int_equal(f->m->logs->len, 0);
    assert_stored(f, "");
}

static void test_flush_storage_error_returned(void **state)
{
    fixture *f = *state;
    add_events(f, 1);
    make(f);
    f->m->fail_get_at = 3;
    f->m->fail_get_err = XT_EUNAVAILABLE;
    /* gets: check Y (1), verify X (2), verify Y (3) fails => lock error =>
     * fall-back flush, unlocked, succeeds. */
    assert_int_equal(xt_processor_flush(f->p), XT_OK);
    assert_true(mem_env_logged(f->m, xt_strerror(XT_EUNAVAILABLE)));
    mem_env_clear_records(f->m);
    add_events(f, 1);
    /* Inside the lock: the delete's set fails; the error comes back. */
    f->m->fail_set_at = 3; /* set X, set Y, then the delete's set */
    f->m->fail_set_err = XT_EQUOTA;
    assert_int_equal(xt_processor_flush(f->p), XT_EQUOTA);
    assert_stored(f, "e0");
}

typedef struct stop_ctl {
    xt_processor *p;
    int sleeps;
    int stop_at;
} stop_ctl;

/* Stops the processor from inside a sleep, as another task of the tab would. */
static void stop_on_sleep(mem_env *m, const char *op, const char *key, void *data)
{
    (void)m;
    (void)key;
    stop_ctl *c = data;
    if (strcmp(op, "sleep") == 0 && ++c->sleeps == c->stop_at)
        xt_processor_stop(c->p);
}

static void test_run_until_stop(void **state)
{
    fixture *f = *state;
    add_events(f, 1);
    f->options.flush_interval_ms = 500;
    make(f);
    int64_t t0 = f->m->now_ms;
    stop_ctl c = { .p = f->p, .stop_at = 3 };
    f->m->hook = stop_on_sleep;
    f->m->hook_data = &c;
    assert_int_equal(xt_processor_run(f->p), XT_OK);
    /* Two flushes ran (the first sent e0); none after the stop. */
    assert_int_equal(f->m->bodies->len, 1);
    assert_int_equal(f->m->sleeps->len, 3);
    assert_int_equal(f->m->now_ms, t0 + 1500);
    assert_stored(f, "");
}

static void test_run_cancelled_in_sleep(void **state)
{
    fixture *f = *state;
    add_events(f, 1);
    make(f);
    f->m->cancel_after_calls = 0;
    assert_int_equal(xt_processor_run(f->p), XT_ECANCELLED);
    assert_int_equal(f->m->bodies->len, 0);
}

static void test_run_cancelled_in_flush(void **state)
{
    fixture *f = *state;
    add_events(f, 3);
    make(f);
    /* Cancellation at each point of the first flush: every one unwinds. */
    for (int calls = 1; calls <= 12; calls++) {
        mem_env_clear_records(f->m);
        f->m->cancelled = FALSE;
        f->m->cancel_after_calls = calls;
        /* A cancelled holder leaves its claims behind; start each run free. */
        g_hash_table_remove(f->m->storage, X);
        g_hash_table_remove(f->m->storage, Y);
        assert_int_equal(xt_processor_run(f->p), XT_ECANCELLED);
        assert_int_equal(f->m->logs->len, 0); /* no fall-back while dying */
    }
}

static void test_stop_before_run(void **state)
{
    fixture *f = *state;
    make(f);
    xt_processor_stop(f->p);
    assert_int_equal(xt_processor_run(f->p), XT_OK);
    assert_int_equal(f->m->sleeps->len, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_options_defaults),
        T(test_flush_empty_sends_nothing),
        T(test_flush_sends_and_deletes),
        T(test_flush_deletes_only_sent),
        T(test_flush_keeps_on_server_error_and_timeout),
        T(test_flush_sends_kept_events),
        T(test_batch_max),
        T(test_flush_falls_back_when_lock_fails),
        T(test_send_outside_lock),
        T(test_send_outside_lock_falls_back),
        T(test_not_locking_uses_plain_methods),
        T(test_flush_storage_error_returned),
        T(test_run_until_stop),
        T(test_run_cancelled_in_sleep),
        T(test_run_cancelled_in_flush),
        T(test_stop_before_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
