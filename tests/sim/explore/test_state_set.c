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
        cmocka_unit_test(test_bitstate_never_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
