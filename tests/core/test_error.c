/*
 * test_error.c - xt_strerror names every operating error.
 *
 * Goal: every xt_err code has its own non-empty sentence (warnings such as
 * the seed's fallback message print it), and an unknown code still yields a
 * printable string.  Method: walk the codes, compare the sentences pairwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "xt/error.h"

static const int codes[] = {
    XT_OK, XT_ENOTFOUND, XT_EQUOTA, XT_EUNAVAILABLE, XT_ESERVER,
    XT_ETIMEOUT, XT_ELOCKTIMEOUT, XT_ECANCELLED, XT_EPARSE,
};
#define N_CODES (sizeof codes / sizeof codes[0])

static void test_every_code_distinct(void **state)
{
    (void)state;
    const char *unknown = xt_strerror(12345);
    assert_non_null(unknown);
    for (size_t i = 0; i < N_CODES; i++) {
        const char *s = xt_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, xt_strerror(codes[j]));
    }
}

static void test_quota_sentence(void **state)
{
    (void)state;
    assert_non_null(strstr(xt_strerror(XT_EQUOTA), "quota"));
    assert_non_null(strstr(xt_strerror(XT_ELOCKTIMEOUT), "lock"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_distinct),
        cmocka_unit_test(test_quota_sentence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
