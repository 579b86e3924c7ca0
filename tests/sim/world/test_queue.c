/*
 * test_queue.c - the event queue pops in (time, post order).
 *
 * Goal: entries pop by virtual time, and entries at one time in the order
 * they were posted (seq); an entry re-inserted with push_entry keeps its seq
 * and so its place among its ties; the heap stays ordered under many pushes
 * and pops interleaved; clear empties it and restarts seq.  Method: small
 * hand-built cases, then thousands of pseudo-random operations checked
 * against the (time, seq) order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "sim/world/queue.h"

static int items[4096];

static void test_empty(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    assert_int_equal(sim_queue_len(&q), 0);
    assert_null(sim_queue_peek(&q));
    sim_queue_destroy(&q);
}

static void test_order_by_time(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    const int64_t times[] = {50, 10, 30, 20, 40, 0};
    for (int i = 0; i < 6; i++)
        sim_queue_push(&q, times[i], &items[i]);
    assert_int_equal(sim_queue_len(&q), 6);
    assert_int_equal(sim_queue_peek(&q)->time_us, 0);
    int64_t expect[] = {0, 10, 20, 30, 40, 50};
    for (int i = 0; i < 6; i++) {
        sim_queue_entry e = sim_queue_pop(&q);
        assert_int_equal(e.time_us, expect[i]);
        /* The item travels with its time. */
        for (int j = 0; j < 6; j++)
            if (times[j] == expect[i])
                assert_ptr_equal(e.item, &items[j]);
    }
    assert_int_equal(sim_queue_len(&q), 0);
    sim_queue_destroy(&q);
}

static void test_ties_in_post_order(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    /* Interleave two times so the heap has to reorder. */
    for (int i = 0; i < 20; i++)
        sim_queue_push(&q, (i % 2) ? 5 : 7, &items[i]);
    for (int i = 1; i < 20; i += 2) {
        sim_queue_entry e = sim_queue_pop(&q);
        assert_int_equal(e.time_us, 5);
        assert_ptr_equal(e.item, &items[i]);
    }
    for (int i = 0; i < 20; i += 2) {
        sim_queue_entry e = sim_queue_pop(&q);
        assert_int_equal(e.time_us, 7);
        assert_ptr_equal(e.item, &items[i]);
    }
    sim_queue_destroy(&q);
}

static void test_push_entry_keeps_seq(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    sim_queue_push(&q, 100, &items[0]);
    sim_queue_push(&q, 100, &items[1]);
    sim_queue_push(&q, 100, &items[2]);
    sim_queue_entry a = sim_queue_pop(&q);
    sim_queue_entry b = sim_queue_pop(&q);
    assert_ptr_equal(a.item, &items[0]);
    assert_ptr_equal(b.item, &items[1]);
    assert_true(a.seq < b.seq);
    /* A later post at the same time, then b back: b still goes before it
     * and before items[2], as its seq is older than both. */
    sim_queue_push(&q, 100, &items[3]);
    sim_queue_push_entry(&q, b);
    sim_queue_push_entry(&q, a);
    sim_queue_entry e = sim_queue_pop(&q);
    assert_ptr_equal(e.item, &items[0]);
    assert_int_equal(e.seq, a.seq);
    e = sim_queue_pop(&q);
    assert_ptr_equal(e.item, &items[1]);
    assert_int_equal(e.seq, b.seq);
    assert_ptr_equal(sim_queue_pop(&q).item, &items[2]);
    assert_ptr_equal(sim_queue_pop(&q).item, &items[3]);
    assert_int_equal(sim_queue_len(&q), 0);
    sim_queue_destroy(&q);
}

static void test_seq_increases(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    for (int i = 0; i < 10; i++)
        sim_queue_push(&q, 10 - i, &items[i]);
    uint64_t seen = 0;
    for (int i = 0; i < 10; i++) {
        sim_queue_entry e = sim_queue_pop(&q);
        /* popped in reverse post order (earliest time posted last) */
        assert_ptr_equal(e.item, &items[9 - i]);
        assert_int_equal(e.seq, 9 - i);
        seen |= UINT64_C(1) << e.seq;
    }
    assert_int_equal(seen, 0x3ff);
    sim_queue_destroy(&q);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static int entry_cmp(const sim_queue_entry *a, const sim_queue_entry *b)
{
    if (a->time_us != b->time_us)
        return a->time_us < b->time_us ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void test_many_random_pushes_pop_sorted(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    uint64_t s = 1;
    const int n = 4000;
    /* A small time range makes many ties. */
    for (int i = 0; i < n; i++)
        sim_queue_push(&q, (int64_t)(lcg(&s) % 300), &items[i]);
    assert_int_equal(sim_queue_len(&q), n);
    char *seen = g_new0(char, n);
    sim_queue_entry prev = sim_queue_pop(&q);
    seen[(int *)prev.item - items] = 1;
    for (int i = 1; i < n; i++) {
        sim_queue_entry e = sim_queue_pop(&q);
        assert_true(entry_cmp(&prev, &e) < 0);
        int idx = (int)((int *)e.item - items);
        assert_true(idx >= 0 && idx < n);
        assert_false(seen[idx]);
        seen[idx] = 1;
        /* seq is the post index here */
        assert_int_equal(e.seq, idx);
        prev = e;
    }
    assert_int_equal(sim_queue_len(&q), 0);
    g_free(seen);
    sim_queue_destroy(&q);
}

static void test_interleaved_push_pop(void **state)
{
    (void)state;
    /* As the world uses it: pop the earliest, post later wake-ups. */
    sim_queue q;
    sim_queue_init(&q);
    uint64_t s = 99;
    int64_t now = 0;
    for (int i = 0; i < 8; i++)
        sim_queue_push(&q, (int64_t)(lcg(&s) % 10), &items[i]);
    sim_queue_entry prev = {-1, 0, NULL, SIM_QUEUE_WAKE};
    for (int step = 0; step < 20000; step++) {
        sim_queue_entry e = sim_queue_pop(&q);
        assert_true(e.time_us >= now);
        if (e.time_us == prev.time_us)
            assert_true(e.seq > prev.seq);
        now = e.time_us;
        prev = e;
        int pushes = (int)(lcg(&s) % 3); /* 0, 1 or 2: the size wanders */
        if (sim_queue_len(&q) == 0 && pushes == 0)
            pushes = 1;
        for (int k = 0; k < pushes && sim_queue_len(&q) < 1000; k++)
            sim_queue_push(&q, now + (int64_t)(lcg(&s) % 5), e.item);
    }
    sim_queue_destroy(&q);
}

static void test_clear_restarts(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    for (int i = 0; i < 200; i++)
        sim_queue_push(&q, i, &items[i]);
    size_t cap = q.cap;
    sim_queue_clear(&q);
    assert_int_equal(sim_queue_len(&q), 0);
    assert_null(sim_queue_peek(&q));
    /* The memory is kept for the next run. */
    assert_int_equal(q.cap, cap);
    assert_non_null(q.heap);
    sim_queue_push(&q, 3, &items[1]);
    sim_queue_push(&q, 3, &items[2]);
    sim_queue_entry e = sim_queue_pop(&q);
    assert_ptr_equal(e.item, &items[1]);
    assert_int_equal(e.seq, 0);
    sim_queue_destroy(&q);
    assert_null(q.heap);
    assert_int_equal(sim_queue_len(&q), 0);
}

static void test_negative_and_large_times(void **state)
{
    (void)state;
    sim_queue q;
    sim_queue_init(&q);
    sim_queue_push(&q, INT64_MAX, &items[0]);
    sim_queue_push(&q, 0, &items[1]);
    sim_queue_push(&q, INT64_MIN, &items[2]);
    assert_ptr_equal(sim_queue_pop(&q).item, &items[2]);
    assert_ptr_equal(sim_queue_pop(&q).item, &items[1]);
    assert_ptr_equal(sim_queue_pop(&q).item, &items[0]);
    sim_queue_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_order_by_time),
        cmocka_unit_test(test_ties_in_post_order),
        cmocka_unit_test(test_push_entry_keeps_seq),
        cmocka_unit_test(test_seq_increases),
        cmocka_unit_test(test_many_random_pushes_pop_sorted),
        cmocka_unit_test(test_interleaved_push_pop),
        cmocka_unit_test(test_clear_restarts),
        cmocka_unit_test(test_negative_and_large_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
