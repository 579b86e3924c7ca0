/*
 * test_mutex_branch.c - the SDK branch's CrossTabMutex, step by step.
 *
 * Goal: the port does what CrossTabMutex.ts on the branch does (commit
 * 5cbad91; docs/design-under-test.md): one key "<userId>_events_mutex" with
 * JSON {x, y, timestamp}; an uncontended lock is set, get, set, get and unlock
 * get, set clearing x only; step 1 overwrites y with null (so a holder's y
 * does not survive another tab's attempt); a fresh y fails the attempt at
 * step 2 and an expired one does not; a lost verification retries; retries
 * sleep the constant interval; running out of retries fails without
 * cleanup while the timeout and a parse error fail after cleanup, which
 * clears only my fields; unlock leaves a value that is not mine alone;
 * cancellation unwinds at once.  Method: a fresh mem_env; other tabs are
 * played by hooks that rewrite the key just before a chosen storage call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "xt/mutex_branch.h"

#define KEY "u1_events_mutex"

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

static xt_mutex *branch_new(mem_env *m)
{
    xt_branch_mutex_options o;
    xt_branch_mutex_options_init(&o);
    o.user_id = "u1";
    o.client_id = "me";
    return xt_branch_mutex_new(&m->env, &o);
}

static void test_options_and_key(void **state)
{
    (void)state;
    xt_branch_mutex_options o;
    xt_branch_mutex_options_init(&o);
    assert_int_equal(o.timeout_ms, 3000);
    assert_int_equal(o.lock_check_interval_ms, 50);
    assert_int_equal(o.retries_max, 60);
    char *key = xt_branch_mutex_key("u1");
    assert_string_equal(key, KEY);
    g_free(key);
}

static void test_uncontended(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = branch_new(m);
    assert_string_equal(xt_mutex_name(mx), "bucketeer-branch");
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    char *ops = mem_env_op_names(m);
    assert_string_equal(ops, "set " KEY "|get " KEY "|set " KEY "|get " KEY);
    g_free(ops);
    char *held = g_strdup_printf("{\"x\":\"me\",\"y\":\"me\",\"timestamp\":%" G_GINT64_FORMAT "}", (gint64)m->now_ms);
    assert_string_equal(mem_env_peek(m, KEY), held);
    g_free(held);
    mem_env_clear_records(m);
    m->now_ms += 7;
    xt_mutex_unlock(mx);
    ops = mem_env_op_names(m);
    assert_string_equal(ops, "get " KEY "|set " KEY);
    g_free(ops);
    char *released = g_strdup_printf("{\"x\":null,\"y\":\"me\",\"timestamp\":%" G_GINT64_FORMAT "}", (gint64)m->now_ms);
    assert_string_equal(mem_env_peek(m, KEY), released);
    g_free(released);
    xt_mutex_free(mx);
}

/* The flaw of one key: a tab inside keeps {x: other, y: other}, and my
 * step 1 writes the whole value, y included. */
static void test_step1_erases_holder(void **state)
{
    mem_env *m = *state;
    mem_env_put(m, KEY, "{\"x\":\"other\",\"y\":\"other\",\"timestamp\":1000000}");
    xt_mutex *mx = branch_new(m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_int_equal(m->sleeps->len, 0);
    xt_mutex_free(mx);
}

typedef struct rewrite {
    const char *op; /* before the Nth call of this op ... */
    int nth, seen;
    const char *value; /* ... the key becomes this (every Nth when every) */
    gboolean every;
} rewrite;

static void rewrite_hook(mem_env *m, const char *op, const char *key, void *data)
{
    rewrite *r = data;
    if (!key || strcmp(op, r->op) != 0)
        return;
    r->seen++;
    if (r->seen == r->nth || (r->every && r->seen % r->nth == 0))
        mem_env_put(m, KEY, r->value);
}

static void test_fresh_y_fails_until_retries_run_out(void **state)
{
    mem_env *m = *state;
    char *taken = g_strdup_printf("{\"x\":\"other\",\"y\":\"other\",\"timestamp\":%" G_GINT64_FORMAT "}",
                                  (gint64)m->now_ms + 1000000);
    rewrite r = {.op = "get", .nth = 1, .value = taken, .every = TRUE};
    m->hook = rewrite_hook;
    m->hook_data = &r;
    xt_mutex *mx = branch_new(m);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    /* 60 attempts, each step 1 then step 2, and a sleep after every one. */
    assert_int_equal(mem_env_count_ops(m, "set"), 60);
    assert_int_equal(mem_env_count_ops(m, "get"), 60);
    assert_int_equal(m->sleeps->len, 60);
    for (guint i = 0; i < m->sleeps->len; i++)
        assert_int_equal(g_array_index(m->sleeps, int64_t, i), 50);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_RETRY), 60);
    /* No cleanup after the retries: the last op is step 2's read. */
    const char *last = g_ptr_array_index(m->ops, m->ops->len - 1);
    assert_string_equal(last, "get " KEY);
    xt_mutex_free(mx);
    g_free(taken);
}

static void test_expired_y_is_free(void **state)
{
    mem_env *m = *state;
    /* y written 3001 ms ago: now - timestamp > timeout. */
    char *stale = g_strdup_printf("{\"x\":\"other\",\"y\":\"other\",\"timestamp\":%" G_GINT64_FORMAT "}",
                                  (gint64)m->now_ms - 3001);
    rewrite r = {.op = "get", .nth = 1, .value = stale};
    m->hook = rewrite_hook;
    m->hook_data = &r;
    xt_mutex *mx = branch_new(m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    /* The expired y did not stop the first attempt at step 2: it went on
     * to step 3, which kept x as read (state1.x = "other"), so step 4 saw
     * x !== me and the attempt failed; the second attempt won. */
    char *ops = mem_env_op_names(m);
    assert_string_equal(ops, "set " KEY "|get " KEY "|set " KEY "|get " KEY "|set " KEY "|get " KEY "|set " KEY
                             "|get " KEY);
    g_free(ops);
    assert_int_equal(m->sleeps->len, 1);
    xt_mutex_free(mx);
    g_free(stale);
}

static void test_timeout_cleans_up_mine(void **state)
{
    mem_env *m = *state;
    char *taken = g_strdup_printf("{\"x\":\"me\",\"y\":\"other\",\"timestamp\":%" G_GINT64_FORMAT "}",
                                  (gint64)m->now_ms + 1000000);
    rewrite r = {.op = "get", .nth = 1, .value = taken, .every = TRUE};
    m->hook = rewrite_hook;
    m->hook_data = &r;
    xt_branch_mutex_options o;
    xt_branch_mutex_options_init(&o);
    o.user_id = "u1";
    o.client_id = "me";
    o.timeout_ms = 100;
    xt_mutex *mx = xt_branch_mutex_new(&m->env, &o);
    int64_t start = m->now_ms;
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    /* Attempts at +0, +50, +100, +150: after the fourth, 150 > 100. */
    assert_int_equal(m->sleeps->len, 3);
    assert_int_equal(m->now_ms - start, 150);
    /* Cleanup read the value (x mine, y other) and cleared x only. */
    char *cleared = g_strdup_printf("{\"x\":null,\"y\":\"other\",\"timestamp\":%" G_GINT64_FORMAT "}",
                                    (gint64)m->now_ms);
    assert_string_equal(mem_env_peek(m, KEY), cleared);
    g_free(cleared);
    xt_mutex_free(mx);
    g_free(taken);
}

static void test_lost_verification_retries(void **state)
{
    mem_env *m = *state;
    /* Before step 4's read, another tab's step 1 lands. */
    rewrite r = {.op = "get", .nth = 2, .value = "{\"x\":\"other\",\"y\":null,\"timestamp\":1}"};
    m->hook = rewrite_hook;
    m->hook_data = &r;
    xt_mutex *mx = branch_new(m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_int_equal(m->sleeps->len, 1);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_RETRY), 1);
    assert_int_equal(mem_env_obs_at(m, (guint)mem_env_find_obs(m, XT_OBS_LOCK_ACQUIRED, 0))->value, 2);
    xt_mutex_free(mx);
}

static void test_parse_error_fails_after_cleanup(void **state)
{
    mem_env *m = *state;
    rewrite r = {.op = "get", .nth = 1, .value = "not json"};
    m->hook = rewrite_hook;
    m->hook_data = &r;
    xt_mutex *mx = branch_new(m);
    assert_int_equal(xt_mutex_lock(mx), XT_EPARSE);
    /* step 1, step 2 (throws), cleanup read (throws too: ignored). */
    char *ops = mem_env_op_names(m);
    assert_string_equal(ops, "set " KEY "|get " KEY "|get " KEY);
    g_free(ops);
    assert_string_equal(mem_env_peek(m, KEY), "not json");
    xt_mutex_free(mx);
}

static void test_storage_error_and_cancel(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = branch_new(m);
    m->fail_set_at = 1;
    m->fail_set_err = XT_EQUOTA;
    assert_int_equal(xt_mutex_lock(mx), XT_EQUOTA);
    /* Cleanup read an absent key: nothing to clear. */
    assert_int_equal(mem_env_count_ops(m, "get"), 1);
    mem_env_clear_records(m);
    m->cancel_after_calls = 1;
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_int_equal(m->ops->len, 2); /* step 1, then the cancelled get: no cleanup */
    xt_mutex_free(mx);
}

static void test_unlock_not_mine(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = branch_new(m);
    mem_env_put(m, KEY, "{\"x\":\"other\",\"y\":\"me\",\"timestamp\":5}");
    xt_mutex_unlock(mx);
    assert_int_equal(mem_env_count_ops(m, "set"), 0);
    mem_env_put(m, KEY, "[1, 2]");
    xt_mutex_unlock(mx);
    assert_int_equal(mem_env_count_ops(m, "set"), 0);
    mem_env_put(m, KEY, "{{");
    xt_mutex_unlock(mx);
    assert_true(mem_env_logged(m, "Failed to release mutex lock"));
    xt_mutex_free(mx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_and_key),
        cmocka_unit_test_setup_teardown(test_uncontended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step1_erases_holder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fresh_y_fails_until_retries_run_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_y_is_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_cleans_up_mine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_verification_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_error_fails_after_cleanup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_error_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unlock_not_mine, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
