/*
 * test_mutex.c - the generic mutex wrappers and the "none" baseline.
 *
 * Goal: every algorithm gets the same observations from the wrappers
 * (LOCK_REQUEST, LOCK_ACQUIRED with the attempts an algorithm reports,
 * LOCK_FAILED with the error, LOCK_RELEASED); with_lock returns fn's result
 * or the lock error without running fn; CS_ENTER/EXIT only for exclusive
 * algorithms; and "none" succeeds without touching storage.
 * Method: a fresh mem_env; "none" plus a scripted fake algorithm whose lock
 * returns what the test says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "xt/mutex.h"

typedef struct fake_mutex {
    xt_mutex base;
    int lock_rc;
    int unlocks;
} fake_mutex;

static int fake_lock(xt_mutex *mutex)
{
    return ((fake_mutex *)mutex)->lock_rc;
}

static void fake_unlock(xt_mutex *mutex)
{
    ((fake_mutex *)mutex)->unlocks++;
}

static void fake_free(xt_mutex *mutex)
{
    g_free(mutex);
}

static const xt_mutex_ops fake_ops = {
    .name = "fake", .exclusive = TRUE, .lock = fake_lock, .unlock = fake_unlock, .free = fake_free,
};

static fake_mutex *fake_new(mem_env *m, int lock_rc)
{
    fake_mutex *f = g_new0(fake_mutex, 1);
    f->base.ops = &fake_ops;
    f->base.env = &m->env;
    f->lock_rc = lock_rc;
    return f;
}

static int setup(void **state)
{
    *state = mem_env_new();
    return 0;
}

static int teardown(void **state)
{
    mem_env_free(*state);
    return 0;
}

static int count_calls;

static int counting_fn(void *arg)
{
    count_calls++;
    return arg ? *(int *)arg : XT_OK;
}

static void test_none_touches_nothing(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = xt_mutex_none_new(&m->env);
    assert_string_equal(xt_mutex_name(mx), "none");
    assert_false(mx->ops->exclusive);
    int result = XT_ETIMEOUT;
    count_calls = 0;
    assert_int_equal(xt_mutex_with_lock(mx, counting_fn, &result), XT_ETIMEOUT);
    assert_int_equal(count_calls, 1);
    assert_int_equal(m->ops->len, 0);
    assert_int_equal(m->sleeps->len, 0);
    /* Not exclusive: no critical section is claimed. */
    assert_int_equal(mem_env_count_obs(m, XT_OBS_CS_ENTER), 0);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_REQUEST), 1);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_ACQUIRED), 1);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_RELEASED), 1);
    xt_mutex_free(mx);
    xt_mutex_free(NULL);
}

static void test_wrapper_order_success(void **state)
{
    mem_env *m = *state;
    fake_mutex *f = fake_new(m, 4); /* 4 attempts */
    count_calls = 0;
    assert_int_equal(xt_mutex_with_lock(&f->base, counting_fn, NULL), XT_OK);
    static const xt_obs_kind expected[] = {
        XT_OBS_LOCK_REQUEST, XT_OBS_LOCK_ACQUIRED, XT_OBS_CS_ENTER, XT_OBS_CS_EXIT,
        XT_OBS_UNLOCK,       XT_OBS_LOCK_RELEASED,
    };
    assert_int_equal(m->obs->len, G_N_ELEMENTS(expected));
    for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
        assert_int_equal(mem_env_obs_at(m, i)->kind, expected[i]);
        assert_string_equal(mem_env_obs_at(m, i)->label, "fake");
    }
    assert_int_equal(mem_env_obs_at(m, 1)->value, 4);
    assert_int_equal(f->unlocks, 1);
    xt_mutex_free(&f->base);
}

static void test_lock_returns_ok_not_attempts(void **state)
{
    mem_env *m = *state;
    fake_mutex *f = fake_new(m, 7);
    assert_int_equal(xt_mutex_lock(&f->base), XT_OK);
    xt_mutex_unlock(&f->base);
    f->lock_rc = XT_OK;
    assert_int_equal(xt_mutex_lock(&f->base), XT_OK);
    assert_int_equal(mem_env_obs_at(m, m->obs->len - 1)->value, 0);
    xt_mutex_free(&f->base);
}

static void test_wrapper_failure(void **state)
{
    mem_env *m = *state;
    fake_mutex *f = fake_new(m, XT_ELOCKTIMEOUT);
    count_calls = 0;
    assert_int_equal(xt_mutex_with_lock(&f->base, counting_fn, NULL), XT_ELOCKTIMEOUT);
    assert_int_equal(count_calls, 0);
    assert_int_equal(f->unlocks, 0);
    assert_int_equal(m->obs->len, 2);
    assert_int_equal(mem_env_obs_at(m, 1)->kind, XT_OBS_LOCK_FAILED);
    assert_int_equal(mem_env_obs_at(m, 1)->value, XT_ELOCKTIMEOUT);
    xt_mutex_free(&f->base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_none_touches_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrapper_order_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_returns_ok_not_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrapper_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
