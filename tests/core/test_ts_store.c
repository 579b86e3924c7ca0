/*
 * test_ts_store.c - ThreadSafeEventStorage and addEvent's fall-back.
 *
 * Goal: the safety setting decides locking (AUTO probes storage once); the
 * *_async methods run the plain ones inside the mutex; track() stores the
 * event under the lock and reports it after the unlock, and when the lock
 * fails it warns with the seed's message, reports the fall-back and still
 * stores the event unlocked; cancellation and spawn failure unwind cleanly.
 * Method: a fresh mem_env whose task_spawn runs the task inline; the seed
 * mutex with a short retry budget; contention by pre-writing Y.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "xt/mutex_seed.h"
#include "xt/ts_store.h"

#define KEY "u1_events"
#define X "bucketeer_mutex_x"
#define Y "bucketeer_mutex_y"
#define FAR "other:999999999999"
#define FALLBACK_MSG "WARN: Failed to add event with cross-tab safety, falling back to sync: "

typedef struct fixture {
    mem_env *m;
    xt_ts_store *ts;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->m = mem_env_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    xt_ts_store_free(f->ts);
    mem_env_free(f->m);
    g_free(f);
    return 0;
}

static xt_ts_store *make(fixture *f, xt_cross_tab_safety safety)
{
    xt_seed_mutex_options o;
    xt_seed_mutex_options_init(&o);
    o.client_id = "me";
    o.retries_max = 3;
    o.unlock = XT_SEED_UNLOCK_CLEAR_BOTH; /* relock at once (see test_mutex_seed) */
    xt_env *env = &f->m->env;
    f->ts = xt_ts_store_new(env, xt_event_store_new(env, "u1", KEY), xt_seed_mutex_new(env, &o),
                            safety);
    return f->ts;
}

static guint stored_count(fixture *f)
{
    GPtrArray *events = NULL;
    assert_int_equal(xt_event_store_get_all(xt_ts_store_events(f->ts), &events), XT_OK);
    guint n = events->len;
    g_ptr_array_unref(events);
    return n;
}

static int track(fixture *f, const char *id)
{
    xt_event *e = xt_event_new(id, 1, "p");
    int rc = xt_ts_store_track(f->ts, e);
    xt_event_free(e);
    return rc;
}

static void test_safety_on_off(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    assert_true(xt_ts_store_locking(f->ts));
    assert_string_equal(xt_mutex_name(xt_ts_store_mutex(f->ts)), "seed");
    assert_int_equal(mem_env_count_ops(f->m, "length"), 0);
    xt_ts_store_free(f->ts);
    make(f, XT_CROSS_TAB_OFF);
    assert_false(xt_ts_store_locking(f->ts));
    xt_ts_store_free(f->ts);
    /* OFF may come without a mutex. */
    f->ts = xt_ts_store_new(&f->m->env, xt_event_store_new(&f->m->env, "u1", KEY), NULL,
                            XT_CROSS_TAB_OFF);
    assert_int_equal(xt_ts_store_add_async(f->ts, &(xt_event){ .id = "a", .payload = "" }), XT_OK);
    assert_int_equal(stored_count(f), 1);
}

static void test_auto_usable_storage_locks(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_AUTO);
    assert_true(xt_ts_store_locking(f->ts));
    assert_int_equal(mem_env_count_ops(f->m, "length"), 1);
}

static void test_auto_unavailable_storage_does_not_lock(void **state)
{
    fixture *f = *state;
    f->m->unavailable = TRUE;
    make(f, XT_CROSS_TAB_AUTO);
    assert_false(xt_ts_store_locking(f->ts));
    assert_int_equal(f->m->logs->len, 0);
    /* Storage comes back: the decision was taken once, in new. */
    f->m->unavailable = FALSE;
    mem_env_clear_records(f->m);
    assert_int_equal(track(f, "e1"), XT_OK);
    assert_int_equal(mem_env_count_ops(f->m, "set " X), 0);
    assert_int_equal(stored_count(f), 1);
}

static void test_add_async_under_lock(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    mem_env_clear_records(f->m);
    xt_event *e = xt_event_new("e1", 1, "p");
    assert_int_equal(xt_ts_store_add_async(f->ts, e), XT_OK);
    xt_event_free(e);
    char *ops = mem_env_op_names(f->m);
    assert_string_equal(ops, "set " X "|get " Y "|set " Y "|get " X "|get " Y
                             "|get " KEY "|set " KEY "|get " X "|remove " X "|get " Y "|remove " Y);
    g_free(ops);
    /* The event store's steps sit inside the critical section. */
    int enter = mem_env_find_obs(f->m, XT_OBS_CS_ENTER, 0);
    int exit = mem_env_find_obs(f->m, XT_OBS_CS_EXIT, 0);
    assert_true(enter >= 0 && exit > enter);
    assert_string_equal(mem_env_obs_at(f->m, (guint)enter + 1)->label, "read events");
    assert_string_equal(mem_env_obs_at(f->m, (guint)exit - 1)->label, "save events");
}

static void test_get_and_delete_async(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    assert_int_equal(xt_ts_store_add(f->ts, &(xt_event){ .id = "a", .payload = "" }), XT_OK);
    assert_int_equal(xt_ts_store_add(f->ts, &(xt_event){ .id = "b", .payload = "" }), XT_OK);
    mem_env_clear_records(f->m);
    GPtrArray *events = NULL;
    assert_int_equal(xt_ts_store_get_all_async(f->ts, &events), XT_OK);
    assert_int_equal(events->len, 2);
    g_ptr_array_unref(events);
    const char *ids[] = { "a" };
    assert_int_equal(xt_ts_store_delete_by_ids_async(f->ts, ids, 1), XT_OK);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_CS_ENTER), 2);
    events = NULL;
    assert_int_equal(xt_ts_store_get_all(f->ts, &events), XT_OK);
    assert_int_equal(events->len, 1);
    g_ptr_array_unref(events);
    assert_int_equal(xt_ts_store_delete_by_ids(f->ts, ids, 1), XT_OK);

    /* Lock not had: the error, and no array to free. */
    mem_env_put(f->m, Y, FAR);
    events = (GPtrArray *)0x1;
    assert_int_equal(xt_ts_store_get_all_async(f->ts, &events), XT_ELOCKTIMEOUT);
    assert_null(events);
    assert_int_equal(xt_ts_store_delete_by_ids_async(f->ts, ids, 1), XT_ELOCKTIMEOUT);
}

static void test_track_success(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    mem_env_clear_records(f->m);
    assert_int_equal(track(f, "e1"), XT_OK);
    assert_int_equal(f->m->n_spawns, 1);
    assert_int_equal(stored_count(f), 1);
    assert_int_equal(f->m->logs->len, 0);
    int released = mem_env_find_obs(f->m, XT_OBS_LOCK_RELEASED, 0);
    int added = mem_env_find_obs(f->m, XT_OBS_EVENT_ADDED, 0);
    assert_true(released >= 0 && added > released);
    assert_string_equal(mem_env_obs_at(f->m, (guint)added)->detail, "e1");
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_FALLBACK), 0);
}

static void test_track_falls_back_on_lock_timeout(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    mem_env_put(f->m, Y, FAR);
    mem_env_clear_records(f->m);
    assert_int_equal(track(f, "e1"), XT_OK);
    assert_int_equal(f->m->logs->len, 1);
    char *expected = g_strconcat(FALLBACK_MSG, xt_strerror(XT_ELOCKTIMEOUT), NULL);
    assert_string_equal(g_ptr_array_index(f->m->logs, 0), expected);
    g_free(expected);
    int fallback = mem_env_find_obs(f->m, XT_OBS_FALLBACK, 0);
    assert_true(fallback >= 0);
    assert_string_equal(mem_env_obs_at(f->m, (guint)fallback)->label, "add");
    int added = mem_env_find_obs(f->m, XT_OBS_EVENT_ADDED, 0);
    assert_true(added > fallback);
    assert_int_equal(stored_count(f), 1); /* stored, unlocked */
}

static void test_track_both_paths_fail(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    f->m->unavailable = TRUE;
    mem_env_clear_records(f->m);
    assert_int_equal(track(f, "e1"), XT_OK);
    assert_true(mem_env_logged(f->m, FALLBACK_MSG));
    assert_true(mem_env_logged(f->m, xt_strerror(XT_EUNAVAILABLE)));
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_ADDED), 0);
    /* Not silently: the drop is warned about and observed. */
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_DROPPED), 1);
    assert_true(mem_env_logged(f->m, "Failed to add event e1"));
    f->m->unavailable = FALSE;
    assert_int_equal(stored_count(f), 0);
}

static void test_track_quota_keeps_in_memory(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    xt_ts_store_set_keep_unstored(f->ts, TRUE);
    f->m->quota_bytes = 60; /* the lock keys fit, the entity does not */
    mem_env_clear_records(f->m);
    assert_int_equal(track(f, "e1"), XT_OK);
    assert_int_equal(track(f, "e2"), XT_OK);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_KEPT), 2);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_DROPPED), 0);
    assert_int_equal(mem_env_obs_at(f->m, (guint)mem_env_find_obs(f->m, XT_OBS_EVENT_KEPT, 0))->value, XT_EQUOTA);
    assert_true(mem_env_logged(f->m, "kept in memory"));
    assert_int_equal(xt_ts_store_unstored_count(f->ts), 2);
    GPtrArray *kept = xt_ts_store_take_unstored(f->ts);
    assert_int_equal(kept->len, 2);
    assert_int_equal(xt_ts_store_unstored_count(f->ts), 0);
    assert_string_equal(((xt_event *)kept->pdata[0])->id, "e1");
    /* Returned after a failed send, they stay ahead of newer refusals. */
    assert_int_equal(track(f, "e3"), XT_OK);
    xt_ts_store_return_unstored(f->ts, kept);
    kept = xt_ts_store_take_unstored(f->ts);
    assert_int_equal(kept->len, 3);
    assert_string_equal(((xt_event *)kept->pdata[0])->id, "e1");
    assert_string_equal(((xt_event *)kept->pdata[2])->id, "e3");
    g_ptr_array_unref(kept);
    kept = xt_ts_store_take_unstored(f->ts);
    assert_int_equal(kept->len, 0);
    g_ptr_array_unref(kept);
}

static void test_track_spawn_fails(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    f->m->spawn_err = XT_ECANCELLED;
    assert_int_equal(track(f, "e1"), XT_ECANCELLED);
    assert_int_equal(stored_count(f), 0);
}

static void test_track_cancelled_mid_lock(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_ON);
    mem_env_clear_records(f->m);
    f->m->cancel_after_calls = 3; /* spawn, set X, get Y; then cancelled */
    assert_int_equal(track(f, "e1"), XT_OK);
    assert_int_equal(f->m->logs->len, 0); /* no fall-back for a dying tab */
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_FALLBACK), 0);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_ADDED), 0);
    assert_int_equal(f->m->ops->len, 3);
}

static void test_track_off_no_fallback(void **state)
{
    fixture *f = *state;
    make(f, XT_CROSS_TAB_OFF);
    f->m->quota_bytes = 10;
    mem_env_clear_records(f->m);
    assert_int_equal(track(f, "e1"), XT_OK);
    /* No fall-back, but no silence either: one warning, one drop. */
    assert_int_equal(f->m->logs->len, 1);
    assert_false(mem_env_logged(f->m, FALLBACK_MSG));
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_DROPPED), 1);
    assert_int_equal(mem_env_count_ops(f->m, "set"), 1);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_ADDED), 0);
    f->m->quota_bytes = 0;
    assert_int_equal(track(f, "e2"), XT_OK);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_EVENT_ADDED), 1);
    assert_int_equal(mem_env_count_ops(f->m, "set " X), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_safety_on_off),
        T(test_auto_usable_storage_locks),
        T(test_auto_unavailable_storage_does_not_lock),
        T(test_add_async_under_lock),
        T(test_get_and_delete_async),
        T(test_track_success),
        T(test_track_falls_back_on_lock_timeout),
        T(test_track_both_paths_fail),
        T(test_track_quota_keeps_in_memory),
        T(test_track_spawn_fails),
        T(test_track_cancelled_mid_lock),
        T(test_track_off_no_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
