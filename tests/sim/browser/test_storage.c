/*
 * test_storage.c - the simulated localStorage behaves like localStorage.
 *
 * Goal: get/set/remove/length/key with localStorage's semantics (a missing
 * key reads as null, removing one is not an error, key(i) enumerates in
 * sorted order and out of range is null); the quota counts key plus value
 * bytes, a set beyond it fails with XT_EQUOTA and changes nothing; the byte
 * count always equals the sum over entries; an unavailable storage fails
 * every call.  Method: direct calls, then a long pseudo-random sequence
 * whose byte count is recomputed from scratch after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/browser/storage.h"
#include "xt/error.h"

static void assert_value(sim_storage *s, const char *key, const char *expect)
{
    GString *v = g_string_new("junk");
    int rc = sim_storage_get(s, key, v);
    if (expect) {
        assert_int_equal(rc, XT_OK);
        assert_string_equal(v->str, expect);
        assert_string_equal(sim_storage_peek(s, key), expect);
    } else {
        assert_int_equal(rc, XT_ENOTFOUND);
        assert_null(sim_storage_peek(s, key));
    }
    g_string_free(v, TRUE);
}

static size_t length_of(sim_storage *s)
{
    size_t n = 12345;
    assert_int_equal(sim_storage_length(s, &n), XT_OK);
    return n;
}

static void test_get_set_remove(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(0, FALSE);
    assert_value(s, "x", NULL);
    assert_int_equal(length_of(s), 0);
    assert_int_equal(sim_storage_set(s, "x", "1"), XT_OK);
    assert_value(s, "x", "1");
    assert_int_equal(sim_storage_set(s, "x", "two"), XT_OK);
    assert_value(s, "x", "two");
    assert_int_equal(length_of(s), 1);
    /* Empty strings are values, not absence. */
    assert_int_equal(sim_storage_set(s, "empty", ""), XT_OK);
    assert_value(s, "empty", "");
    assert_int_equal(length_of(s), 2);
    assert_int_equal(sim_storage_remove(s, "x"), XT_OK);
    assert_value(s, "x", NULL);
    /* Removing a missing key is not an error (removeItem). */
    assert_int_equal(sim_storage_remove(s, "x"), XT_OK);
    assert_int_equal(sim_storage_remove(s, "never"), XT_OK);
    assert_int_equal(length_of(s), 1);
    sim_storage_free(s);
}

static void test_key_sorted(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(0, FALSE);
    const char *insert[] = {"m", "_lock_y", "a", "z", "bucketeer_events_user-1", "_lock_x", "B"};
    for (size_t i = 0; i < G_N_ELEMENTS(insert); i++)
        assert_int_equal(sim_storage_set(s, insert[i], "v"), XT_OK);
    const char *sorted[] = {"B", "_lock_x", "_lock_y", "a", "bucketeer_events_user-1", "m", "z"};
    assert_int_equal(length_of(s), G_N_ELEMENTS(sorted));
    GString *k = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(sorted); i++) {
        assert_int_equal(sim_storage_key(s, i, k), XT_OK);
        assert_string_equal(k->str, sorted[i]);
    }
    assert_int_equal(sim_storage_key(s, G_N_ELEMENTS(sorted), k), XT_ENOTFOUND);
    assert_int_equal(sim_storage_key(s, (size_t)-1, k), XT_ENOTFOUND);
    sim_storage_remove(s, "_lock_x");
    assert_int_equal(sim_storage_key(s, 1, k), XT_OK);
    assert_string_equal(k->str, "_lock_y");
    g_string_free(k, TRUE);
    sim_storage_free(s);
}

static void test_quota(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(20, FALSE);
    assert_int_equal(sim_storage_set(s, "k", "0123456789"), XT_OK); /* 11 bytes */
    assert_int_equal(sim_storage_bytes(s), 11);
    /* 11 + 2 + 9 = 22 > 20: a new key beyond the quota is not created. */
    assert_int_equal(sim_storage_set(s, "k2", "abcdefghi"), XT_EQUOTA);
    assert_value(s, "k2", NULL);
    assert_int_equal(length_of(s), 1);
    assert_int_equal(sim_storage_bytes(s), 11);
    /* Replacing k with 20 bytes makes 21: fails, the old value stays. */
    assert_int_equal(sim_storage_set(s, "k", "01234567890123456789"), XT_EQUOTA);
    assert_value(s, "k", "0123456789");
    assert_int_equal(sim_storage_bytes(s), 11);
    /* Exactly at the quota is allowed: 1 + 19 = 20. */
    assert_int_equal(sim_storage_set(s, "k", "0123456789012345678"), XT_OK);
    assert_int_equal(sim_storage_bytes(s), 20);
    /* Now nothing else fits, not even a one-byte key with an empty value. */
    assert_int_equal(sim_storage_set(s, "y", ""), XT_EQUOTA);
    /* A shorter value frees room for another key. */
    assert_int_equal(sim_storage_set(s, "k", "01234"), XT_OK);
    assert_int_equal(sim_storage_set(s, "k2", "abcdefghi"), XT_OK);
    assert_int_equal(sim_storage_bytes(s), 6 + 11);
    /* Removing frees room too. */
    sim_storage_remove(s, "k2");
    assert_int_equal(sim_storage_bytes(s), 6);
    sim_storage_free(s);
}

static void test_quota_zero_is_unlimited(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(0, FALSE);
    char *big = g_strnfill(10 * 1024 * 1024, 'x');
    assert_int_equal(sim_storage_set(s, "big", big), XT_OK);
    assert_int_equal(sim_storage_bytes(s), 3 + 10 * 1024 * 1024);
    g_free(big);
    sim_storage_free(s);
}

static int64_t bytes_recount(sim_storage *s)
{
    size_t n = length_of(s);
    int64_t sum = 0;
    GString *k = g_string_new(NULL), *v = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sim_storage_key(s, i, k), XT_OK);
        assert_int_equal(sim_storage_get(s, k->str, v), XT_OK);
        sum += (int64_t)(k->len + v->len);
    }
    g_string_free(k, TRUE);
    g_string_free(v, TRUE);
    return sum;
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static void test_bytes_equal_sum(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(600, FALSE);
    uint64_t r = 5;
    int quota_failures = 0;
    char key[8], value[128];
    for (int step = 0; step < 3000; step++) {
        g_snprintf(key, sizeof key, "k%d", (int)(lcg(&r) % 12));
        int op = (int)(lcg(&r) % 4);
        if (op == 0) {
            sim_storage_remove(s, key);
        } else {
            size_t len = lcg(&r) % (sizeof value - 1);
            memset(value, 'a' + (int)(step % 26), len);
            value[len] = '\0';
            int64_t before = sim_storage_bytes(s);
            const char *old = sim_storage_peek(s, key);
            char *old_copy = g_strdup(old);
            int rc = sim_storage_set(s, key, value);
            if (rc == XT_EQUOTA) {
                quota_failures++;
                assert_int_equal(sim_storage_bytes(s), before);
                if (old_copy)
                    assert_value(s, key, old_copy);
                else
                    assert_value(s, key, NULL);
            } else {
                assert_int_equal(rc, XT_OK);
                assert_value(s, key, value);
            }
            g_free(old_copy);
        }
        assert_int_equal(sim_storage_bytes(s), bytes_recount(s));
        assert_true(sim_storage_bytes(s) <= 600);
    }
    /* The sequence must have met the quota, or half the test did nothing. */
    assert_true(quota_failures > 10);
    sim_storage_free(s);
}

static void test_unavailable(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(0, TRUE);
    GString *v = g_string_new(NULL);
    size_t n = 0;
    assert_int_equal(sim_storage_get(s, "x", v), XT_EUNAVAILABLE);
    assert_int_equal(sim_storage_set(s, "x", "1"), XT_EUNAVAILABLE);
    assert_int_equal(sim_storage_remove(s, "x"), XT_EUNAVAILABLE);
    assert_int_equal(sim_storage_length(s, &n), XT_EUNAVAILABLE);
    assert_int_equal(sim_storage_key(s, 0, v), XT_EUNAVAILABLE);
    assert_int_equal(sim_storage_bytes(s), 0);
    assert_null(sim_storage_peek(s, "x"));
    /* reset makes it usable, and empty */
    sim_storage_reset(s, 0, FALSE);
    assert_int_equal(sim_storage_set(s, "x", "1"), XT_OK);
    assert_value(s, "x", "1");
    g_string_free(v, TRUE);
    sim_storage_free(s);
}

static void test_reset(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(0, FALSE);
    sim_storage_set(s, "a", "1");
    sim_storage_set(s, "b", "22");
    sim_storage_reset(s, 5, FALSE);
    assert_int_equal(length_of(s), 0);
    assert_int_equal(sim_storage_bytes(s), 0);
    assert_value(s, "a", NULL);
    /* the new quota applies */
    assert_int_equal(sim_storage_set(s, "a", "12345"), XT_EQUOTA);
    assert_int_equal(sim_storage_set(s, "a", "1234"), XT_OK);
    sim_storage_reset(s, 0, TRUE);
    assert_int_equal(sim_storage_set(s, "a", "1"), XT_EUNAVAILABLE);
    sim_storage_free(s);
    sim_storage_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_set_remove),
        cmocka_unit_test(test_key_sorted),
        cmocka_unit_test(test_quota),
        cmocka_unit_test(test_quota_zero_is_unlimited),
        cmocka_unit_test(test_bytes_equal_sum),
        cmocka_unit_test(test_unavailable),
        cmocka_unit_test(test_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
