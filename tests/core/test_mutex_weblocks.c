/*
 * test_mutex_weblocks.c - the Web Locks API behind the mutex interface.
 *
 * Goal: without navigator.locks the mutex cannot be made (NULL, so the
 * caller falls back to the storage mutex); lock() is one request with the
 * flags of its mode and no storage call at all; unlock() settles exactly
 * the handle it was granted; IF_AVAILABLE fails with XT_ELOCKTIMEOUT when
 * taken (and with_lock then does not run fn); STEAL takes a held lock and
 * the robbed holder's unlock warns of the AbortError and never fails;
 * cancellation comes back as XT_ECANCELLED.  Method: a fresh mem_env with
 * its one-tab lock table (mem_env.h); two mutexes on one env stand for
 * two callers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "xt/mutex_weblocks.h"

static int setup(void **state)
{
    mem_env *m = mem_env_new();
    mem_env_enable_web_locks(m);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    mem_env_free(*state);
    return 0;
}

static xt_mutex *mutex_new(mem_env *m, xt_weblocks_request request)
{
    xt_weblocks_mutex_options o;
    xt_weblocks_mutex_options_init(&o);
    o.name = "test_lock";
    o.request = request;
    return xt_weblocks_mutex_new(&m->env, &o);
}

static void test_absent_api(void **state)
{
    (void)state;
    mem_env *plain = mem_env_new();
    assert_false(xt_env_has_web_locks(&plain->env));
    assert_null(xt_weblocks_mutex_new(&plain->env, NULL));
    mem_env_free(plain);
}

static int count_calls(void *arg)
{
    (*(int *)arg)++;
    return XT_OK;
}

static void test_lock_unlock(void **state)
{
    mem_env *m = *state;
    assert_true(xt_env_has_web_locks(&m->env));
    xt_mutex *mx = mutex_new(m, XT_WEBLOCKS_WAIT);
    assert_string_equal(xt_mutex_name(mx), "web-locks");
    int calls = 0;
    assert_int_equal(xt_mutex_with_lock(mx, count_calls, &calls), XT_OK);
    assert_int_equal(calls, 1);
    char *ops = mem_env_op_names(m);
    assert_string_equal(ops, "lock test_lock|unlock 1");
    g_free(ops);
    assert_int_equal(g_hash_table_size(m->locks), 0);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_CS_ENTER), 1);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_ACQUIRED), 1);
    assert_int_equal(mem_env_obs_at(m, (guint)mem_env_find_obs(m, XT_OBS_LOCK_ACQUIRED, 0))->value, 1);
    xt_mutex_free(mx);
}

static void test_if_available(void **state)
{
    mem_env *m = *state;
    xt_mutex *a = mutex_new(m, XT_WEBLOCKS_IF_AVAILABLE);
    xt_mutex *b = mutex_new(m, XT_WEBLOCKS_IF_AVAILABLE);
    assert_int_equal(xt_mutex_lock(a), XT_OK);
    int calls = 0;
    assert_int_equal(xt_mutex_with_lock(b, count_calls, &calls), XT_ELOCKTIMEOUT);
    assert_int_equal(calls, 0);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_FAILED), 1);
    xt_mutex_unlock(a);
    assert_int_equal(xt_mutex_with_lock(b, count_calls, &calls), XT_OK);
    assert_int_equal(calls, 1);
    xt_mutex_free(a);
    xt_mutex_free(b);
}

static void test_steal(void **state)
{
    mem_env *m = *state;
    xt_mutex *holder = mutex_new(m, XT_WEBLOCKS_WAIT);
    xt_mutex *thief = mutex_new(m, XT_WEBLOCKS_STEAL);
    assert_int_equal(xt_mutex_lock(holder), XT_OK);
    assert_int_equal(xt_mutex_lock(thief), XT_OK);
    /* The robbed holder finds out when it settles: a warning, no failure. */
    xt_mutex_unlock(holder);
    assert_true(mem_env_logged(m, "stolen"));
    assert_int_equal(g_hash_table_size(m->locks), 1);
    xt_mutex_unlock(thief);
    assert_int_equal(g_hash_table_size(m->locks), 0);
    /* An unlock without a grant settles nothing. */
    mem_env_clear_records(m);
    xt_mutex_unlock(thief);
    assert_int_equal(mem_env_count_ops(m, "unlock"), 0);
    xt_mutex_free(holder);
    xt_mutex_free(thief);
}

static void test_errors(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = mutex_new(m, XT_WEBLOCKS_WAIT);
    m->lock_err = XT_ECANCELLED;
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_int_equal(mem_env_count_ops(m, "get"), 0);
    assert_int_equal(mem_env_count_ops(m, "set"), 0);
    /* Cancelled while held: the release is attempted and nothing fails. */
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    m->cancel_after_calls = 0;
    xt_mutex_unlock(mx);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_RELEASED), 1);
    xt_mutex_free(mx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absent_api),
        cmocka_unit_test_setup_teardown(test_lock_unlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_if_available, setup, teardown),
        cmocka_unit_test_setup_teardown(test_steal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
