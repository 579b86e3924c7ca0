/*
 * test_run.c - how an outcome is judged against [expect], and run tokens.
 *
 * Goal: "none" expects no violation; "any" expects at least one; a list
 * expects at least one violation and none outside the list; --ignore-expect
 * expects no violation whatever the file says; the expectation text says
 * the same; and sim_run_token carries the scenario hash, seed, tail and
 * prefix of the run.  Method: the judgement over every subset of the four
 * invariants, against scenarios loaded from text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/explore/token.h"

#define ALL ((1u << SIM_INV_COUNT) - 1)

static sim_scenario *with_expect(const char *value)
{
    char *text = g_strdup_printf("[expect]\nviolation = %s\n", value);
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("expect.ini", text, strlen(text), &error);
    g_free(text);
    assert_non_null(s);
    return s;
}

static void test_expect_none(void **state)
{
    (void)state;
    sim_scenario *s = with_expect("none");
    for (guint set = 0; set <= ALL; set++) {
        assert_int_equal(sim_outcome_expected(s, set, FALSE), set == 0);
        assert_int_equal(sim_outcome_expected(s, set, TRUE), set == 0);
    }
    char *t = sim_expectation_text(s, FALSE);
    assert_string_equal(t, "every invariant holds");
    g_free(t);
    sim_scenario_free(s);
}

static void test_expect_any(void **state)
{
    (void)state;
    sim_scenario *s = with_expect("any");
    for (guint set = 0; set <= ALL; set++) {
        assert_int_equal(sim_outcome_expected(s, set, FALSE), set != 0);
        assert_int_equal(sim_outcome_expected(s, set, TRUE), set == 0);
    }
    char *t = sim_expectation_text(s, FALSE);
    assert_string_equal(t, "some violation");
    g_free(t);
    t = sim_expectation_text(s, TRUE);
    assert_string_equal(t, "every invariant holds");
    g_free(t);
    sim_scenario_free(s);
}

static void test_expect_list(void **state)
{
    (void)state;
    sim_scenario *s = with_expect("lost-event,duplicate");
    guint allowed = SIM_INV_LOST_EVENT | SIM_INV_DUPLICATE;
    for (guint set = 0; set <= ALL; set++) {
        gboolean want = set != 0 && (set & ~allowed) == 0;
        if (sim_outcome_expected(s, set, FALSE) != want)
            fail_msg("violated set %#x judged %s", set, want ? "unexpected" : "expected");
        assert_int_equal(sim_outcome_expected(s, set, TRUE), set == 0);
    }
    char *t = sim_expectation_text(s, FALSE);
    assert_non_null(strstr(t, "lost-event"));
    assert_non_null(strstr(t, "duplicate"));
    g_free(t);
    sim_scenario_free(s);
}

static void test_run_token(void **state)
{
    (void)state;
    sim_scenario *s = sim_scenario_new_default();
    sim_run run = {0};
    run.scenario_hash = sim_scenario_hash(s);
    const uint32_t prefix[] = {3, 0, 1};
    sim_run_spec spec = {.seed = 1234567, .tail = SIM_TAIL_ZERO, .prefix = prefix, .prefix_len = 3};
    char *text = sim_run_token(&run, &spec);
    sim_token t;
    GError *error = NULL;
    assert_true(sim_token_decode(text, &t, &error));
    assert_int_equal(t.scenario_hash, sim_scenario_hash(s));
    assert_int_equal(t.seed, 1234567);
    assert_int_equal(t.tail, SIM_TAIL_ZERO);
    assert_int_equal(t.prefix->len, 3);
    assert_memory_equal(t.prefix->data, prefix, sizeof prefix);
    sim_token_clear(&t);
    g_free(text);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expect_none),
        cmocka_unit_test(test_expect_any),
        cmocka_unit_test(test_expect_list),
        cmocka_unit_test(test_run_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
