/*
 * test_check_judge.c - how check judges one scenario (sim/cli/check_judge.c).
 *
 * Goal: every claimed invariant is judged on its own, [expect] violation =
 * a, b means exactly a and b violated and the rest held (--first: one of
 * them), and a verdict the runs cannot support is no verdict: no storage
 * call, every run cut, or an exhaustive search whose reduction met the
 * quota.  Each bound that cut a run is named as itself.
 * Method: outcomes built by hand (as merge reads them back from JSON),
 * judged, and their status, statuses and reasons compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/cli/check.h"

#define ME SIM_INV_MUTUAL_EXCLUSION
#define LE SIM_INV_LOST_EVENT
#define DUP SIM_INV_DUPLICATE
#define PROG SIM_INV_PROGRESS
#define ALL (ME | LE | DUP | PROG)

/* A finished random check that found `violated`, expecting `expect`. */
static check_outcome *outcome(guint violated, guint expect, gboolean first)
{
    check_outcome *o = check_outcome_new("x.ini");
    o->mode = SIM_MODE_RANDOM;
    o->runs = 10;
    o->storage_ops = 100;
    o->verdict = violated ? SIM_VERDICT_VIOLATION : SIM_VERDICT_PASSED;
    o->violated = violated;
    o->expect_violations = expect;
    o->first = first;
    o->claimed = ALL;
    return o;
}

static check_status judge(check_outcome *o)
{
    check_outcome_statuses(o, o->claimed);
    check_outcome_honest(o);
    check_outcome_judge(o);
    return o->status;
}

static void test_exactly_the_expected(void **state)
{
    (void)state;
    check_outcome *o = outcome(ME | LE, ME | LE, FALSE);
    assert_int_equal(judge(o), CHECK_EXPECTED);
    assert_int_equal(o->inv_status[0], CHECK_INV_VIOLATED);
    assert_int_equal(o->inv_status[1], CHECK_INV_VIOLATED);
    assert_int_equal(o->inv_status[2], CHECK_INV_HELD);
    assert_int_equal(o->inv_status[3], CHECK_INV_HELD);
    assert_non_null(strstr(o->expectation, "exactly"));
    check_outcome_free(o);
}

/* An expected violation that held is a finding: before per-invariant
 * judging, finding either one was enough. */
static void test_expected_but_held(void **state)
{
    (void)state;
    check_outcome *o = outcome(ME, ME | LE, FALSE);
    assert_int_equal(judge(o), CHECK_UNEXPECTED);
    assert_int_equal(o->inv_status[1], CHECK_INV_HELD);
    check_outcome_free(o);
}

static void test_unexpected_extra(void **state)
{
    (void)state;
    check_outcome *o = outcome(ME | DUP, ME, FALSE);
    assert_int_equal(judge(o), CHECK_UNEXPECTED);
    check_outcome_free(o);
}

/* --first: the search stopped at the first violation, the rest is not
 * judged, and [expect] means one of them. */
static void test_first_means_one_of(void **state)
{
    (void)state;
    check_outcome *o = outcome(ME, ME | LE, TRUE);
    assert_int_equal(judge(o), CHECK_EXPECTED);
    assert_int_equal(o->inv_status[1], CHECK_INV_NOT_JUDGED);
    assert_int_equal(o->inv_status[2], CHECK_INV_NOT_JUDGED);
    assert_null(strstr(o->expectation, "exactly"));
    check_outcome_free(o);
}

static void test_any(void **state)
{
    (void)state;
    check_outcome *o = outcome(DUP, 0, FALSE);
    o->expect_any = TRUE;
    assert_int_equal(judge(o), CHECK_EXPECTED);
    check_outcome_free(o);
    o = outcome(0, 0, FALSE);
    o->expect_any = TRUE;
    assert_int_equal(judge(o), CHECK_UNEXPECTED);
    check_outcome_free(o);
}

/* Unclaimed invariants are not judged and count for nothing. */
static void test_unclaimed_not_judged(void **state)
{
    (void)state;
    check_outcome *o = outcome(ME, ME, FALSE);
    o->claimed = ME | PROG;
    assert_int_equal(judge(o), CHECK_EXPECTED);
    assert_int_equal(o->inv_status[1], CHECK_INV_NOT_JUDGED);
    assert_int_equal(o->inv_status[3], CHECK_INV_HELD);
    check_outcome_free(o);
}

/* A budget ran out after a violation: found stays found, the rest is not
 * judged, so an exact expectation has no verdict. */
static void test_violation_then_budget(void **state)
{
    (void)state;
    check_outcome *o = outcome(LE, LE, FALSE);
    o->incomplete_reason = g_strdup("the time budget of 1 s ran out");
    assert_int_equal(judge(o), CHECK_INCOMPLETE);
    assert_int_equal(o->verdict, SIM_VERDICT_VIOLATION);
    assert_int_equal(o->inv_status[0], CHECK_INV_NOT_JUDGED);
    check_outcome_free(o);
    o = outcome(LE | DUP, LE, FALSE); /* but an unexpected violation is a finding */
    o->incomplete_reason = g_strdup("the time budget of 1 s ran out");
    assert_int_equal(judge(o), CHECK_UNEXPECTED);
    check_outcome_free(o);
}

static void test_vacuous(void **state)
{
    (void)state;
    check_outcome *o = outcome(0, 0, FALSE);
    o->storage_ops = 0;
    assert_int_equal(judge(o), CHECK_INCOMPLETE);
    assert_int_equal(o->verdict, SIM_VERDICT_INCOMPLETE);
    assert_non_null(strstr(o->incomplete_reason, "no storage call"));
    check_outcome_free(o);
}

/* Every run cut: no verdict, and the reason names time_limit_ms, not
 * the step bound. */
/* Storage calls are not enough (each tab's start reads storage): an
 * invariant claimed with nothing to judge makes the verdict vacuous. */
static void test_vacuous_workload(void **state)
{
    (void)state;
    check_outcome *o = outcome(0, 0, FALSE);
    o->lock_requests = 0;
    o->events_tracked = 5;
    judge(o);
    assert_int_equal(o->verdict, SIM_VERDICT_INCOMPLETE);
    assert_non_null(strstr(o->incomplete_reason, "vacuous: no run requested the lock"));
    assert_int_equal(o->inv_status[0], CHECK_INV_NOT_JUDGED);
    check_outcome_free(o);

    o = outcome(0, 0, FALSE);
    o->lock_requests = 7;
    o->events_tracked = 0;
    judge(o);
    assert_non_null(strstr(o->incomplete_reason, "vacuous: no run added an event"));
    check_outcome_free(o);

    /* Requested, never granted: mutual-exclusion had nothing to judge. */
    o = outcome(0, 0, FALSE);
    o->lock_requests = 4;
    o->lock_acquired = 0;
    o->events_tracked = 2;
    judge(o);
    assert_int_equal(o->verdict, SIM_VERDICT_INCOMPLETE);
    assert_non_null(strstr(o->incomplete_reason, "vacuous: no run acquired the lock (4 requests over"));
    check_outcome_free(o);
    /* ... unless the program claims no mutual exclusion (no lock at all). */
    o = outcome(0, 0, FALSE);
    o->claimed = PROG;
    o->lock_requests = 4;
    o->lock_acquired = 0;
    assert_int_equal(judge(o), CHECK_EXPECTED);
    check_outcome_free(o);

    /* Not claimed, not needed; counts not known (an older report): judged. */
    o = outcome(0, 0, FALSE);
    o->claimed = ME | PROG;
    o->lock_requests = 3;
    o->events_tracked = 0;
    assert_int_equal(judge(o), CHECK_EXPECTED);
    check_outcome_free(o);
    o = outcome(0, 0, FALSE);
    assert_int_equal(judge(o), CHECK_EXPECTED);
    check_outcome_free(o);
}

static void test_every_run_cut(void **state)
{
    (void)state;
    check_outcome *o = outcome(0, 0, FALSE);
    o->bound_hits = o->cut_time = 10;
    o->time_limit_ms = 1;
    o->steps_max = 5;
    assert_int_equal(judge(o), CHECK_INCOMPLETE);
    assert_non_null(strstr(o->incomplete_reason, "10 runs at [run] time_limit_ms = 1"));
    assert_null(strstr(o->incomplete_reason, "steps_max"));
    check_outcome_free(o);
    o = outcome(0, 0, FALSE); /* some cut: a verdict, with the cut named */
    o->bound_hits = o->cut_steps = 3;
    o->steps_max = 5;
    assert_int_equal(judge(o), CHECK_EXPECTED);
    char *cuts = check_cuts_text(o);
    assert_string_equal(cuts, "3 runs at [run] steps_max = 5");
    g_free(cuts);
    check_outcome_free(o);
}

static void test_quota_under_reduction(void **state)
{
    (void)state;
    check_outcome *o = outcome(0, 0, FALSE);
    o->mode = SIM_MODE_EXHAUSTIVE;
    o->verdict = SIM_VERDICT_VERIFIED;
    o->quota_runs = 2;
    o->reduction = TRUE;
    assert_int_equal(judge(o), CHECK_INCOMPLETE);
    assert_non_null(strstr(o->incomplete_reason, "quota"));
    check_outcome_free(o);
    o = outcome(0, 0, FALSE);
    o->mode = SIM_MODE_EXHAUSTIVE;
    o->verdict = SIM_VERDICT_VERIFIED;
    o->quota_runs = 2; /* without reduction nothing was assumed */
    assert_int_equal(judge(o), CHECK_EXPECTED);
    check_outcome_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exactly_the_expected),  cmocka_unit_test(test_expected_but_held),
        cmocka_unit_test(test_unexpected_extra),      cmocka_unit_test(test_first_means_one_of),
        cmocka_unit_test(test_any),                   cmocka_unit_test(test_unclaimed_not_judged),
        cmocka_unit_test(test_violation_then_budget), cmocka_unit_test(test_vacuous),
        cmocka_unit_test(test_vacuous_workload),
        cmocka_unit_test(test_every_run_cut),         cmocka_unit_test(test_quota_under_reduction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
