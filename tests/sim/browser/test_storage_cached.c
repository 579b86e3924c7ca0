/*
 * test_storage_cached.c - the cached (multi-process) localStorage model.
 *
 * Goal: a tab's cache is a copy of the shared map taken at its first call;
 * its own writes show in its cache and in the shared map at once, others'
 * only once delivered, in the order they were made; a remote write to a
 * key with own writes not yet acknowledged is ignored (Chromium's rule) and
 * applies again after the acknowledgement; removals travel like writes;
 * quota is checked on the writer's cache and a refused set changes
 * nothing anywhere; an unavailable storage fails every call; the log stays
 * right across compaction.  Method: direct calls for three tabs, checking
 * each cache and the shared map after every delivery.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/browser/storage_cached.h"
#include "xt/error.h"

static void assert_cache(sim_cached *c, int tab, const char *key, const char *expect)
{
    GString *v = g_string_new(NULL);
    int rc = sim_cached_get(c, tab, key, v);
    if (expect) {
        assert_int_equal(rc, XT_OK);
        assert_string_equal(v->str, expect);
    } else {
        assert_int_equal(rc, XT_ENOTFOUND);
    }
    g_string_free(v, TRUE);
}

static void test_first_access_copies_shared(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_storage_set(shared, "k", "old");
    sim_cached *c = sim_cached_new(shared, 3, 0, FALSE);
    assert_int_equal(sim_cached_pending(c, 2), 0); /* no cache yet */
    assert_cache(c, 2, "k", "old");
    /* Tab 1 writes: its cache and the shared map at once, tab 2 later. */
    assert_int_equal(sim_cached_set(c, 1, 100, "k", "new"), XT_OK);
    assert_cache(c, 1, "k", "new");
    assert_string_equal(sim_storage_peek(shared, "k"), "new");
    assert_cache(c, 2, "k", "old");
    assert_int_equal(sim_cached_pending(c, 2), 1);
    assert_int_equal(sim_cached_pending_time_us(c, 2, 0), 100);
    assert_string_equal(sim_cached_pending_key(c, 2, 0), "k");
    /* Tab 3 loads its cache now: it starts with "new" and owes nothing. */
    assert_cache(c, 3, "k", "new");
    assert_int_equal(sim_cached_pending(c, 3), 0);
    sim_cached_deliver(c, 2, 1, NULL, NULL);
    assert_cache(c, 2, "k", "new");
    sim_cached_free(c);
    sim_storage_free(shared);
}

typedef struct seen {
    int n, applied;
} seen;

static void on_arrival(void *ctx, int tab, int from_tab, const char *key, const char *value, gboolean applied)
{
    (void)tab;
    (void)from_tab;
    (void)key;
    (void)value;
    seen *s = ctx;
    s->n++;
    s->applied += applied;
}

static void test_order_and_pending_rule(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_cached *c = sim_cached_new(shared, 2, 0, FALSE);
    assert_cache(c, 1, "k", NULL);
    assert_cache(c, 2, "k", NULL);
    assert_int_equal(sim_cached_set(c, 2, 1, "k", "2a"), XT_OK);
    assert_int_equal(sim_cached_set(c, 1, 2, "k", "1a"), XT_OK);
    assert_int_equal(sim_cached_set(c, 1, 3, "j", "1b"), XT_OK);
    assert_int_equal(sim_cached_remove(c, 1, 4, "k"), XT_OK);
    assert_null(sim_storage_peek(shared, "k"));
    /* Tab 2 receives: its own ack, then 1a (ignored? no: acked already, so
     * applied), 1b, then the removal, one at a time. */
    seen s = {0};
    assert_int_equal(sim_cached_pending(c, 2), 4);
    sim_cached_deliver(c, 2, 1, on_arrival, &s); /* own ack */
    assert_int_equal(s.applied, 0);
    assert_cache(c, 2, "k", "2a");
    sim_cached_deliver(c, 2, 1, on_arrival, &s);
    assert_cache(c, 2, "k", "1a");
    sim_cached_deliver(c, 2, 2, on_arrival, &s);
    assert_cache(c, 2, "j", "1b");
    assert_cache(c, 2, "k", NULL);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.applied, 3);
    /* Tab 1 receives tab 2's older write while its own writes of k are
     * pending: ignored, so tab 1 keeps what the browser ends with. */
    sim_cached_deliver(c, 1, 1, on_arrival, &s);
    assert_cache(c, 1, "k", NULL);
    sim_cached_deliver(c, 1, sim_cached_pending(c, 1), on_arrival, &s);
    assert_cache(c, 1, "k", NULL);
    assert_int_equal(sim_cached_pending(c, 1), 0);
    /* After its acks a remote write applies again. */
    assert_int_equal(sim_cached_set(c, 2, 5, "k", "2b"), XT_OK);
    sim_cached_deliver(c, 1, 1, NULL, NULL);
    assert_cache(c, 1, "k", "2b");
    sim_cached_free(c);
    sim_storage_free(shared);
}

static void test_quota_and_unavailable(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_cached *c = sim_cached_new(shared, 2, 10, FALSE);
    assert_int_equal(sim_cached_set(c, 1, 0, "ab", "12345678"), XT_OK); /* 10 bytes */
    assert_int_equal(sim_cached_set(c, 1, 0, "c", "1"), XT_EQUOTA);
    assert_null(sim_storage_peek(shared, "c"));
    assert_int_equal(sim_cached_pending(c, 2), 0);
    assert_cache(c, 2, "ab", "12345678"); /* loaded after the write: a copy */
    assert_int_equal(sim_cached_pending(c, 2), 0);
    size_t n = 0;
    assert_int_equal(sim_cached_length(c, 1, &n), XT_OK);
    assert_int_equal(n, 1);
    GString *k = g_string_new(NULL);
    assert_int_equal(sim_cached_key(c, 1, 0, k), XT_OK);
    assert_string_equal(k->str, "ab");
    assert_int_equal(sim_cached_key(c, 1, 1, k), XT_ENOTFOUND);
    g_string_free(k, TRUE);
    sim_cached_free(c);
    c = sim_cached_new(shared, 1, 0, TRUE);
    assert_int_equal(sim_cached_set(c, 1, 0, "x", "y"), XT_EUNAVAILABLE);
    assert_int_equal(sim_cached_remove(c, 1, 0, "x"), XT_EUNAVAILABLE);
    assert_int_equal(sim_cached_length(c, 1, &n), XT_EUNAVAILABLE);
    sim_cached_free(c);
    sim_storage_free(shared);
}

static void test_long_log(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_cached *c = sim_cached_new(shared, 2, 0, FALSE);
    assert_cache(c, 2, "k", NULL);
    char value[16];
    for (int i = 0; i < 2000; i++) {
        g_snprintf(value, sizeof value, "%d", i);
        assert_int_equal(sim_cached_set(c, 1, i, "k", value), XT_OK);
        if (i % 3 == 0) {
            sim_cached_deliver(c, 2, sim_cached_pending(c, 2), NULL, NULL);
            assert_cache(c, 2, "k", value);
            sim_cached_deliver(c, 1, sim_cached_pending(c, 1), NULL, NULL);
        }
    }
    assert_int_equal(sim_cached_pending(c, 2), 1);
    assert_int_equal(sim_cached_pending_time_us(c, 2, 0), 1999);
    sim_cached_free(c);
    sim_storage_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_access_copies_shared), cmocka_unit_test(test_order_and_pending_rule),
        cmocka_unit_test(test_quota_and_unavailable), cmocka_unit_test(test_long_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
