/*
 * test_chooser.c - the single source of nondeterminism answers reproducibly.
 *
 * Goal: a chooser is a pure function of (seed, tail, prefix): the same inputs
 * give the same answers; the prefix is answered first, then the tail (seeded
 * PRNG or all zeros); a prefix answer that does not fit is clamped and
 * flagged; n == 1 is not a choice (consumes and records nothing); ranges are
 * inclusive at both ends.  Method: draw sequences from choosers built with
 * chosen inputs and compare them with each other and with the prefix.
 * Uniformity is not tested (it would need statistics, not determinism).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/explore/chooser.h"

#define DRAWS 256

static void draw(sim_chooser *c, uint32_t *out, size_t n, uint32_t arity)
{
    for (size_t i = 0; i < n; i++)
        out[i] = sim_choose(c, arity);
}

static void test_same_seed_same_sequence(void **state)
{
    (void)state;
    uint32_t a[DRAWS], b[DRAWS], other[DRAWS];
    sim_chooser c1, c2, c3;
    sim_chooser_init(&c1, 42, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_chooser_init(&c2, 42, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_chooser_init(&c3, 43, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    draw(&c1, a, DRAWS, 1000);
    draw(&c2, b, DRAWS, 1000);
    draw(&c3, other, DRAWS, 1000);
    assert_memory_equal(a, b, sizeof a);
    /* Another seed gives another sequence (else the seed would not matter). */
    assert_memory_not_equal(a, other, sizeof a);
    for (size_t i = 0; i < DRAWS; i++)
        assert_true(a[i] < 1000);
    assert_int_equal(c1.pos, DRAWS);
    sim_chooser_clear(&c1);
    sim_chooser_clear(&c2);
    sim_chooser_clear(&c3);
}

static void test_random_tail_uses_many_answers(void **state)
{
    (void)state;
    /* Not uniformity, only that the PRNG is not stuck: with 4 answers and
     * 256 draws every answer appears. */
    sim_chooser c;
    sim_chooser_init(&c, 7, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    int seen[4] = {0};
    for (int i = 0; i < DRAWS; i++)
        seen[sim_choose(&c, 4)]++;
    for (int i = 0; i < 4; i++)
        assert_true(seen[i] > 0);
    sim_chooser_clear(&c);
}

static void test_prefix_then_random_tail(void **state)
{
    (void)state;
    const uint32_t prefix[] = {2, 0, 4, 1};
    uint32_t a[16], b[16];
    sim_chooser c1, c2;
    sim_chooser_init(&c1, 9, SIM_TAIL_RANDOM, prefix, 4, FALSE);
    sim_chooser_init(&c2, 9, SIM_TAIL_RANDOM, prefix, 4, FALSE);
    draw(&c1, a, 16, 5);
    draw(&c2, b, 16, 5);
    assert_memory_equal(a, prefix, sizeof prefix);
    /* The tail after the prefix is as reproducible as the prefix. */
    assert_memory_equal(a, b, sizeof a);
    assert_false(c1.prefix_overrun);
    sim_chooser_clear(&c1);
    sim_chooser_clear(&c2);
}

static void test_prefix_then_zero_tail(void **state)
{
    (void)state;
    const uint32_t prefix[] = {3, 1, 2};
    sim_chooser c;
    sim_chooser_init(&c, 12345, SIM_TAIL_ZERO, prefix, 3, FALSE);
    assert_int_equal(sim_choose(&c, 10), 3);
    assert_int_equal(sim_choose(&c, 10), 1);
    assert_int_equal(sim_choose(&c, 10), 2);
    for (int i = 0; i < 100; i++)
        assert_int_equal(sim_choose(&c, 1000000), 0);
    assert_int_equal(sim_choose_range(&c, -5, 5), -5);
    assert_false(c.prefix_overrun);
    sim_chooser_clear(&c);
}

static void test_zero_tail_ignores_seed(void **state)
{
    (void)state;
    sim_chooser c1, c2;
    sim_chooser_init(&c1, 1, SIM_TAIL_ZERO, NULL, 0, FALSE);
    sim_chooser_init(&c2, 999, SIM_TAIL_ZERO, NULL, 0, FALSE);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(sim_choose(&c1, 7), 0);
        assert_int_equal(sim_choose(&c2, 7), 0);
    }
    sim_chooser_clear(&c1);
    sim_chooser_clear(&c2);
}

static void test_prefix_overrun(void **state)
{
    (void)state;
    const uint32_t prefix[] = {1, 9, 0};
    sim_chooser c;
    sim_chooser_init(&c, 0, SIM_TAIL_ZERO, prefix, 3, TRUE);
    assert_int_equal(sim_choose(&c, 3), 1);
    assert_false(c.prefix_overrun);
    /* 9 does not fit in [0, 3): the answer stays in range, the flag is set. */
    uint32_t answer = sim_choose(&c, 3);
    assert_true(answer < 3);
    assert_true(c.prefix_overrun);
    assert_int_equal(sim_choose(&c, 3), 0);
    /* The flag is sticky: later fitting answers do not clear it. */
    assert_true(c.prefix_overrun);
    /* The recorded answer is the one given, not the one asked for. */
    assert_int_equal(g_array_index(c.record, uint32_t, 1), answer);
    sim_chooser_clear(&c);
}

static void test_n1_consumes_nothing(void **state)
{
    (void)state;
    const uint32_t prefix[] = {2, 1};
    sim_chooser c;
    sim_chooser_init(&c, 5, SIM_TAIL_RANDOM, prefix, 2, TRUE);
    for (int i = 0; i < 10; i++)
        assert_int_equal(sim_choose(&c, 1), 0);
    assert_int_equal(sim_choose_range(&c, 17, 17), 17);
    assert_false(sim_choose_percent(&c, 0));
    assert_true(sim_choose_percent(&c, 100));
    assert_int_equal(c.pos, 0);
    assert_int_equal(c.record->len, 0);
    assert_int_equal(c.record_n->len, 0);
    /* The prefix is still whole: the next real choice takes its first answer. */
    assert_int_equal(sim_choose(&c, 3), 2);
    assert_int_equal(sim_choose(&c, 3), 1);
    assert_false(c.prefix_overrun);
    sim_chooser_clear(&c);
}

/* A closed chooser (the run's tasks are being cancelled) answers 0 and
 * makes no choice: no position, no record, the prefix untouched, and a
 * sched_pick explorer is not asked; init opens it again. */
static int picks;
static uint32_t count_pick(void *ctx, uint32_t n, const int *cand)
{
    (void)ctx, (void)n, (void)cand;
    picks++;
    return 1;
}

static void test_closed_makes_no_choice(void **state)
{
    (void)state;
    const uint32_t prefix[] = {1};
    sim_chooser c;
    sim_chooser_init(&c, 5, SIM_TAIL_RANDOM, prefix, 1, TRUE);
    assert_int_equal(sim_choose(&c, 3), 1);
    c.sched_pick = count_pick;
    c.data_pick = count_pick;
    c.closed = TRUE;
    picks = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sim_choose(&c, 5), 0);
        assert_int_equal(sim_choose_sched(&c, 2, (const int[]){1, 2}), 0);
        assert_int_equal(sim_choose_range(&c, 3, 9), 3);
    }
    assert_int_equal(picks, 0);
    assert_int_equal(c.pos, 1);
    assert_int_equal(c.record->len, 1);
    sim_chooser_clear(&c);
    sim_chooser_init(&c, 5, SIM_TAIL_ZERO, prefix, 1, FALSE);
    assert_false(c.closed);
    assert_int_equal(sim_choose(&c, 3), 1);
    sim_chooser_clear(&c);
}

static void test_n1_does_not_advance_prng(void **state)
{
    (void)state;
    sim_chooser c1, c2;
    sim_chooser_init(&c1, 77, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_chooser_init(&c2, 77, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    for (int i = 0; i < 20; i++) {
        sim_choose(&c1, 1);
        sim_choose_range(&c1, 3, 3);
        assert_int_equal(sim_choose(&c1, 1000), sim_choose(&c2, 1000));
    }
    sim_chooser_clear(&c1);
    sim_chooser_clear(&c2);
}

static void test_record(void **state)
{
    (void)state;
    sim_chooser c;
    sim_chooser_init(&c, 3, SIM_TAIL_RANDOM, NULL, 0, TRUE);
    uint32_t answers[5];
    const uint32_t arities[5] = {2, 3, 1000, 2, 70000};
    for (int i = 0; i < 5; i++)
        answers[i] = sim_choose(&c, arities[i]);
    assert_int_equal(c.record->len, 5);
    assert_int_equal(c.record_n->len, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g_array_index(c.record, uint32_t, i), answers[i]);
        assert_int_equal(g_array_index(c.record_n, uint32_t, i), arities[i]);
    }
    /* Replaying the record as a prefix answers the same. */
    sim_chooser r;
    sim_chooser_init(&r, 0, SIM_TAIL_ZERO, (const uint32_t *)c.record->data, c.record->len, FALSE);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sim_choose(&r, arities[i]), answers[i]);
    assert_false(r.prefix_overrun);
    sim_chooser_clear(&r);
    sim_chooser_clear(&c);

    sim_chooser_init(&c, 3, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_choose(&c, 4);
    assert_null(c.record);
    assert_null(c.record_n);
    sim_chooser_clear(&c);
}

static void test_range_bounds_inclusive(void **state)
{
    (void)state;
    /* Through the prefix: answer 0 is lo, answer span is hi. */
    const uint32_t prefix[] = {0, 10, 0, 4};
    sim_chooser c;
    sim_chooser_init(&c, 0, SIM_TAIL_ZERO, prefix, 4, FALSE);
    assert_int_equal(sim_choose_range(&c, 100, 110), 100);
    assert_int_equal(sim_choose_range(&c, 100, 110), 110);
    assert_int_equal(sim_choose_range(&c, -7, -3), -7);
    assert_int_equal(sim_choose_range(&c, -7, -3), -3);
    assert_false(c.prefix_overrun);
    sim_chooser_clear(&c);

    /* Through the PRNG: every draw in range, and both ends reached. */
    sim_chooser_init(&c, 2024, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    gboolean lo_seen = FALSE, hi_seen = FALSE;
    for (int i = 0; i < 1000; i++) {
        int64_t v = sim_choose_range(&c, -2, 2);
        assert_true(v >= -2 && v <= 2);
        lo_seen |= v == -2;
        hi_seen |= v == 2;
    }
    assert_true(lo_seen);
    assert_true(hi_seen);
    /* A wide range far from zero. */
    for (int i = 0; i < 100; i++) {
        int64_t v = sim_choose_range(&c, INT64_C(1) << 40, (INT64_C(1) << 40) + 1000000);
        assert_true(v >= INT64_C(1) << 40 && v <= (INT64_C(1) << 40) + 1000000);
    }
    sim_chooser_clear(&c);
}

static void test_percent(void **state)
{
    (void)state;
    const uint32_t prefix[] = {29, 30, 0, 99};
    sim_chooser c;
    sim_chooser_init(&c, 0, SIM_TAIL_ZERO, prefix, 4, FALSE);
    assert_true(sim_choose_percent(&c, 30));   /* 29 < 30 */
    assert_false(sim_choose_percent(&c, 30));  /* 30 >= 30 */
    assert_true(sim_choose_percent(&c, 1));    /* 0 < 1 */
    assert_false(sim_choose_percent(&c, 99));  /* 99 >= 99 */
    assert_int_equal(c.pos, 4);
    sim_chooser_clear(&c);
}

static void test_seed_mix(void **state)
{
    (void)state;
    assert_int_equal(sim_seed_mix(1), sim_seed_mix(1));
    assert_true(sim_seed_mix(1) != sim_seed_mix(2));
    assert_true(sim_seed_mix(0) != 0);
    /* Consecutive seeds give unrelated streams. */
    uint64_t prev = sim_seed_mix(100);
    for (uint64_t i = 101; i < 200; i++) {
        uint64_t v = sim_seed_mix(i);
        assert_true(v != prev);
        prev = v;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_sequence),
        cmocka_unit_test(test_random_tail_uses_many_answers),
        cmocka_unit_test(test_prefix_then_random_tail),
        cmocka_unit_test(test_prefix_then_zero_tail),
        cmocka_unit_test(test_zero_tail_ignores_seed),
        cmocka_unit_test(test_prefix_overrun),
        cmocka_unit_test(test_n1_consumes_nothing),
        cmocka_unit_test(test_closed_makes_no_choice),
        cmocka_unit_test(test_n1_does_not_advance_prng),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_range_bounds_inclusive),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_seed_mix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
