/*
 * test_weblocks.c - the simulated Web Locks manager keeps the browser's
 * promises.
 *
 * Goal: exclusive requests of one name are granted in FIFO order, one
 * holder at a time, names are independent; ifAvailable fails at once when
 * the lock is held or requests wait; steal grants at once, ahead of the
 * queue, and the robbed holder's release reports XT_EABORTED; a closed tab
 * releases its locks (granting the next waiter) and loses its queued
 * requests; a withdrawn request is never granted.  Method: drive the
 * manager directly with fake waiters (ints) and record, through the grant
 * callback, who was granted in which order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sim/browser/weblocks.h"
#include "sim/world/world_digest.h"
#include "xt/env.h"

typedef struct grants {
    int who[16];
    uint64_t handle[16];
    int n;
} grants;

static void on_grant(void *ctx, void *waiter, uint64_t handle)
{
    grants *g = ctx;
    assert_true(g->n < 16);
    g->who[g->n] = *(int *)waiter;
    g->handle[g->n] = handle;
    g->n++;
}

static int waiters[8] = {0, 1, 2, 3, 4, 5, 6, 7};

static void test_fifo(void **state)
{
    (void)state;
    grants g = {0};
    sim_weblocks *wl = sim_weblocks_new(on_grant, &g);
    uint64_t h1, h2, h3, h4;
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 1, &waiters[1], &h1, NULL), XT_OK);
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 2, &waiters[2], &h2, NULL), SIM_WEBLOCKS_QUEUED);
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 3, &waiters[3], &h3, NULL), SIM_WEBLOCKS_QUEUED);
    /* Another name is independent. */
    assert_int_equal(sim_weblocks_request(wl, "M", 0, 2, &waiters[4], &h4, NULL), XT_OK);
    assert_int_equal(sim_weblocks_holder(wl, "L"), 1);
    assert_int_equal(sim_weblocks_queued(wl, "L"), 2);
    assert_string_equal(sim_weblocks_name_of(wl, h4), "M");
    assert_int_equal(g.n, 0);

    assert_int_equal(sim_weblocks_release(wl, h1), XT_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.who[0], 2);
    assert_true(g.handle[0] == h2);
    assert_int_equal(sim_weblocks_holder(wl, "L"), 2);
    assert_int_equal(sim_weblocks_release(wl, h2), XT_OK);
    assert_int_equal(g.who[1], 3);
    assert_int_equal(sim_weblocks_release(wl, h3), XT_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(sim_weblocks_holder(wl, "L"), 0);
    /* Releasing twice, or a handle never granted, holds nothing. */
    assert_int_equal(sim_weblocks_release(wl, h3), XT_ENOTFOUND);
    assert_int_equal(sim_weblocks_release(wl, 999), XT_ENOTFOUND);
    assert_null(sim_weblocks_name_of(wl, h1));
    assert_int_equal(sim_weblocks_release(wl, h4), XT_OK);
    sim_weblocks_free(wl);
}

static void test_if_available(void **state)
{
    (void)state;
    grants g = {0};
    sim_weblocks *wl = sim_weblocks_new(on_grant, &g);
    uint64_t h1, h2, h3;
    assert_int_equal(sim_weblocks_request(wl, "L", XT_LOCK_IF_AVAILABLE, 1, &waiters[1], &h1, NULL), XT_OK);
    assert_int_equal(sim_weblocks_request(wl, "L", XT_LOCK_IF_AVAILABLE, 2, &waiters[2], &h2, NULL),
                     XT_ELOCKTIMEOUT);
    assert_int_equal(sim_weblocks_queued(wl, "L"), 0);
    /* Held and a request waiting: still not grantable after the release
     * until the waiter has had its turn. */
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 2, &waiters[2], &h2, NULL), SIM_WEBLOCKS_QUEUED);
    assert_int_equal(sim_weblocks_release(wl, h1), XT_OK);
    assert_int_equal(sim_weblocks_request(wl, "L", XT_LOCK_IF_AVAILABLE, 3, &waiters[3], &h3, NULL),
                     XT_ELOCKTIMEOUT);
    assert_int_equal(sim_weblocks_release(wl, h2), XT_OK);
    assert_int_equal(sim_weblocks_request(wl, "L", XT_LOCK_IF_AVAILABLE, 3, &waiters[3], &h3, NULL), XT_OK);
    assert_int_equal(sim_weblocks_release(wl, h3), XT_OK);
    sim_weblocks_free(wl);
}

static void test_steal(void **state)
{
    (void)state;
    grants g = {0};
    sim_weblocks *wl = sim_weblocks_new(on_grant, &g);
    uint64_t h1, h2, h3;
    int robbed = -1;
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 1, &waiters[1], &h1, &robbed), XT_OK);
    assert_int_equal(robbed, 0);
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 2, &waiters[2], &h2, NULL), SIM_WEBLOCKS_QUEUED);
    /* Steal: granted at once, ahead of the queued request of tab 2. */
    assert_int_equal(sim_weblocks_request(wl, "L", XT_LOCK_STEAL, 3, &waiters[3], &h3, &robbed), XT_OK);
    assert_int_equal(robbed, 1);
    assert_int_equal(sim_weblocks_holder(wl, "L"), 3);
    assert_int_equal(g.n, 0);
    /* The robbed holder settles later and sees the AbortError; that grants
     * nothing, the thief still holds. */
    assert_string_equal(sim_weblocks_name_of(wl, h1), "L");
    assert_int_equal(sim_weblocks_release(wl, h1), XT_EABORTED);
    assert_int_equal(g.n, 0);
    assert_int_equal(sim_weblocks_release(wl, h3), XT_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.who[0], 2);
    assert_int_equal(sim_weblocks_release(wl, h2), XT_OK);
    sim_weblocks_free(wl);
}

static void test_tab_closed(void **state)
{
    (void)state;
    grants g = {0};
    sim_weblocks *wl = sim_weblocks_new(on_grant, &g);
    uint64_t h1, h1b, h2, h3;
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 1, &waiters[1], &h1, NULL), XT_OK);
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 1, &waiters[5], &h1b, NULL), SIM_WEBLOCKS_QUEUED);
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 2, &waiters[2], &h2, NULL), SIM_WEBLOCKS_QUEUED);
    assert_int_equal(sim_weblocks_request(wl, "M", 0, 3, &waiters[3], &h3, NULL), XT_OK);
    /* Tab 1 goes away: its lock passes to tab 2, not to its own queued
     * request, which is dropped. */
    assert_int_equal(sim_weblocks_tab_closed(wl, 1), 1);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.who[0], 2);
    assert_int_equal(sim_weblocks_holder(wl, "L"), 2);
    assert_int_equal(sim_weblocks_queued(wl, "L"), 0);
    assert_int_equal(sim_weblocks_holder(wl, "M"), 3);
    /* A robbed handle of a closed tab is forgotten too. */
    uint64_t h4;
    assert_int_equal(sim_weblocks_request(wl, "M", XT_LOCK_STEAL, 4, &waiters[4], &h4, NULL), XT_OK);
    assert_int_equal(sim_weblocks_tab_closed(wl, 3), 0);
    assert_null(sim_weblocks_name_of(wl, h3));
    assert_int_equal(sim_weblocks_holder(wl, "M"), 4);
    assert_int_equal(sim_weblocks_tab_closed(wl, 7), 0);
    sim_weblocks_free(wl);
}

static void test_withdraw(void **state)
{
    (void)state;
    grants g = {0};
    sim_weblocks *wl = sim_weblocks_new(on_grant, &g);
    uint64_t h1, h2, h3;
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 1, &waiters[1], &h1, NULL), XT_OK);
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 2, &waiters[2], &h2, NULL), SIM_WEBLOCKS_QUEUED);
    assert_int_equal(sim_weblocks_request(wl, "L", 0, 3, &waiters[3], &h3, NULL), SIM_WEBLOCKS_QUEUED);
    assert_true(sim_weblocks_withdraw(wl, &waiters[2]));
    assert_false(sim_weblocks_withdraw(wl, &waiters[2]));
    assert_int_equal(sim_weblocks_release(wl, h1), XT_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.who[0], 3);
    /* Freed with a holder and nothing released: no leak (ASan). */
    sim_weblocks_free(wl);
}

/* ---- the state digest ---- */

static void waiter_fold(sim_digest *h, const void *waiter, void *ctx)
{
    (void)ctx;
    sim_digest_u64(h, waiter ? (uint64_t)*(const int *)waiter : UINT64_MAX);
}

static sim_digest wl_digest(const sim_weblocks *wl)
{
    sim_digest h;
    sim_digest_init(&h, 7);
    sim_weblocks_digest(wl, &h, waiter_fold, NULL, NULL);
    return h;
}

/* Names digest by their text, not the order they were first requested:
 * n names (a few, sorted on the digest's stack, or more than it holds)
 * requested in two orders give one digest; another holder, another. */
static void digest_by_name(int n)
{
    grants g = {0};
    sim_weblocks *a = sim_weblocks_new(on_grant, &g), *b = sim_weblocks_new(on_grant, &g);
    sim_weblocks *empty = sim_weblocks_new(on_grant, &g);
    assert_true(sim_digest_equal(wl_digest(a), wl_digest(empty)));
    char name[16];
    uint64_t h;
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "lock%02d", i);
        assert_int_equal(sim_weblocks_request(a, name, 0, 1 + i % 3, &waiters[i % 8], &h, NULL), XT_OK);
        snprintf(name, sizeof name, "lock%02d", n - 1 - i);
        assert_int_equal(sim_weblocks_request(b, name, 0, 1 + (n - 1 - i) % 3, &waiters[(n - 1 - i) % 8], &h, NULL),
                         XT_OK);
    }
    assert_true(sim_digest_equal(wl_digest(a), wl_digest(b)));
    assert_false(sim_digest_equal(wl_digest(a), wl_digest(empty)));
    /* A request queued behind one holder is in it. */
    snprintf(name, sizeof name, "lock%02d", n / 2);
    assert_int_equal(sim_weblocks_request(b, name, 0, 3, &waiters[7], &h, NULL), SIM_WEBLOCKS_QUEUED);
    assert_false(sim_digest_equal(wl_digest(a), wl_digest(b)));
    sim_weblocks_free(a);
    sim_weblocks_free(b);
    sim_weblocks_free(empty);
}

static void test_digest_by_name(void **state)
{
    (void)state;
    digest_by_name(1);
    digest_by_name(5);
    digest_by_name(20); /* past the 16 the digest sorts on its stack */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo),      cmocka_unit_test(test_if_available), cmocka_unit_test(test_steal),
        cmocka_unit_test(test_tab_closed), cmocka_unit_test(test_withdraw),
        cmocka_unit_test(test_digest_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
