/*
 * test_state_set.c - the visited set of the stateful search: when a
 * revisit is pruned, and which tabs' steps it still owes when it is not.
 *
 * Goal: a new state is stored and owes every tab; a revisit with every
 * tab asleep then asleep now (and no fewer steps left) is pruned; a
 * revisit that wakes a tab asleep then is explored again owing only the
 * tabs asleep at the earlier visit (Godefroid's rule: the others were
 * explored from it then), and the entry keeps the tabs asleep both times;
 * a revisit with more steps left owes every tab again; bitstate never
 * explores a state twice.  Method: hand-made digests, so each case is
 * exactly the one under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/explore/state_set.h"

static const sim_digest A = {UINT64_C(0x1234), UINT64_C(0x5678)};
static const sim_digest B = {UINT64_C(0x9abc), UINT64_C(0xdef0)};

static void test_new_state_owes_every_tab(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 1 << 20, FALSE));
    guint8 explore = 0;
    assert_false(state_set_visit(&v, A, 10, 0x2, &explore));
    assert_int_equal(explore, 0xff);
    assert_int_equal(v.count, 1);
    explore = 0;
    assert_false(state_set_visit(&v, B, 10, 0x0, &explore));
    assert_int_equal(explore, 0xff);
    assert_int_equal(v.count, 2);
    state_set_clear(&v);
}

static void test_revisit_pruned_when_no_tab_wakes(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 1 << 20, FALSE));
    assert_false(state_set_visit(&v, A, 10, 0x2, NULL));
    /* Tab 2 asleep then, asleep now (tab 3 too): nothing owed. */
    assert_true(state_set_visit(&v, A, 10, 0x6, NULL));
    assert_true(state_set_visit(&v, A, 10, 0x2, NULL));
    assert_int_equal(v.count, 1);
    state_set_clear(&v);
}

static void test_revisit_owes_only_the_tabs_asleep_then(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 1 << 20, FALSE));
    assert_false(state_set_visit(&v, A, 10, 0x6, NULL)); /* tabs 2, 3 asleep */
    guint8 explore = 0;
    /* Tab 2 awake now: explored again, but tab 1 was explored then. */
    assert_false(state_set_visit(&v, A, 10, 0x4, &explore));
    assert_int_equal(explore, 0x6);
    /* The entry keeps tab 3 alone asleep: a third visit with tab 3 asleep
     * is pruned, one with nobody asleep owes tab 3. */
    assert_true(state_set_visit(&v, A, 10, 0x4, NULL));
    explore = 0;
    assert_false(state_set_visit(&v, A, 10, 0x0, &explore));
    assert_int_equal(explore, 0x4);
    assert_true(state_set_visit(&v, A, 10, 0x0, NULL));
    assert_int_equal(v.count, 1);
    state_set_clear(&v);
}

static void test_more_steps_left_owes_every_tab(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 1 << 20, FALSE));
    v.exact_steps = TRUE;
    assert_false(state_set_visit(&v, A, 10, 0x2, NULL));
    guint8 explore = 0;
    /* Reached with fewer steps (more left): what the bound cut may be
     * reachable now, from every tab. */
    assert_false(state_set_visit(&v, A, 5, 0x2, &explore));
    assert_int_equal(explore, 0xff);
    assert_true(state_set_visit(&v, A, 7, 0x2, NULL));
    state_set_clear(&v);
}

/* A step count past what an entry keeps (2^24 - 1) is never taken as the
 * fewer: the state is explored again rather than pruned. */
static void test_steps_past_the_cap_never_prune(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 1 << 20, FALSE));
    v.exact_steps = TRUE;
    uint64_t many = UINT64_C(1) << 25;
    assert_false(state_set_visit(&v, A, many, 0x0, NULL));
    guint8 explore = 0;
    assert_false(state_set_visit(&v, A, many, 0x0, &explore));
    assert_int_equal(explore, 0xff);
    assert_false(state_set_visit(&v, A, 10, 0x0, NULL)); /* stored 10 now */
    assert_true(state_set_visit(&v, A, 10, 0x0, NULL));
    assert_int_equal(v.count, 1);
    state_set_clear(&v);
}

/* The i-th of the many states below: xorshift64 from a fixed seed, the
 * first a digest of {0, 0}. */
static sim_digest nth_digest(uint64_t *x, uint64_t i)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return (sim_digest){i == 0 ? 0 : *x, i == 0 ? 0 : *x * 31};
}

/* Many states through several doublings: each is new once and seen after;
 * the key is lo and hi's top 32 bits (a digest of {0, 0} included), so two
 * digests apart only in hi's low half are one state. */
static void test_grows_and_keeps_every_state(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 64u << 20, FALSE));
    size_t start_cap = v.cap;
    const uint64_t n = 300000;
    uint64_t x = 88172645463325252u;
    for (uint64_t i = 0; i < n; i++)
        assert_false(state_set_visit(&v, nth_digest(&x, i), 1, 0, NULL));
    assert_true(v.cap > start_cap);
    assert_int_equal(v.count, n);
    x = 88172645463325252u;
    for (uint64_t i = 0; i < n; i++) {
        sim_digest d = nth_digest(&x, i);
        assert_true(state_set_visit(&v, d, 1, 0, NULL));
        sim_digest top = {d.lo, d.hi ^ (UINT64_C(1) << 40)};
        if (i % 1000 == 0)
            assert_false(state_set_visit(&v, top, 1, 0, NULL)); /* new */
        sim_digest low = {d.lo, d.hi ^ 1};
        assert_true(state_set_visit(&v, low, 1, 0, NULL));
    }
    assert_int_equal(v.count, n + n / 1000);
    assert_false(v.full);
    state_set_clear(&v);
}

/* Full: the set says so and stores nothing more. */
static void test_full_when_memory_is_spent(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 1 << 16, FALSE)); /* 4,096 entries */
    size_t stored = 0;
    for (uint64_t i = 1; i <= 5000 && !v.full; i++) {
        sim_digest d = {i * UINT64_C(0x9e3779b97f4a7c15), i};
        if (!state_set_visit(&v, d, 1, 0, NULL) && !v.full)
            stored++;
    }
    assert_true(v.full);
    assert_int_equal(stored, v.count);
    assert_true(v.count <= 4096);
    state_set_clear(&v);
}

static void test_bitstate_never_twice(void **state)
{
    (void)state;
    state_set v;
    assert_true(state_set_init(&v, 1 << 16, TRUE));
    guint8 explore = 0;
    assert_false(state_set_visit(&v, A, 10, 0x2, &explore));
    assert_int_equal(explore, 0xff);
    assert_true(state_set_visit(&v, A, 10, 0x0, &explore));
    state_set_clear(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_state_owes_every_tab),
        cmocka_unit_test(test_revisit_pruned_when_no_tab_wakes),
        cmocka_unit_test(test_revisit_owes_only_the_tabs_asleep_then),
        cmocka_unit_test(test_more_steps_left_owes_every_tab),
        cmocka_unit_test(test_steps_past_the_cap_never_prune),
        cmocka_unit_test(test_grows_and_keeps_every_state),
        cmocka_unit_test(test_full_when_memory_is_spent),
        cmocka_unit_test(test_bitstate_never_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
