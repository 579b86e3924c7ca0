/*
 * test_scenario_text.c - the loader's checks on the raw text of a scenario,
 * where GKeyFile alone would ignore something or explain it badly.
 *
 * Goal: a localized key (GKeyFile's "tabs[de] = 7", which GKeyFile keeps
 * aside so the loader never saw it) is refused naming group and key, not
 * silently ignored; a file of only comments and blank lines is refused like
 * an empty one, not run with every default; a UTF-8 byte order mark at the
 * start is accepted (editors write one) and one anywhere else is named
 * "BOM" with its line, not quoted invisibly.
 * Method: scenarios given as text to sim_scenario_load_data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/error.h"
#include "sim/scenario/scenario.h"

#define PATH "dir/text.ini"

/* Loads text that must be refused; the message must start with the path
 * and contain every one of the NULL-terminated strings. */
static void assert_refused(const char *text, ...)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data(PATH, text, strlen(text), &error);
    if (s)
        fail_msg("scenario accepted, expected refusal:\n%s", text);
    assert_non_null(error);
    assert_true(error->domain == SIM_ERROR);
    if (!g_str_has_prefix(error->message, PATH ":"))
        fail_msg("message does not start with the file name: %s", error->message);
    va_list ap;
    va_start(ap, text);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *))
        if (!strstr(error->message, want))
            fail_msg("message lacks \"%s\": %s", want, error->message);
    va_end(ap);
    g_error_free(error);
}

static void test_localized_key_refused(void **state)
{
    (void)state;
    assert_refused("[scenario]\ntabs[de] = 7\n", "[scenario] tabs[de]: a localized key", "allowed: tabs = value",
                   NULL);
    /* Beside the plain key too, and in any group. */
    assert_refused("[scenario]\ntabs = 2\n[mutex]\nalgorithm[en_GB] = lamport\n", "[mutex] algorithm[en_GB]", NULL);
    /* A bracket inside a value is not a locale. */
    GError *error = NULL;
    const char *text = "[scenario]\nname = a [b] c\n";
    sim_scenario *s = sim_scenario_load_data(PATH, text, strlen(text), &error);
    assert_non_null(s);
    assert_string_equal(s->name, "a [b] c");
    sim_scenario_free(s);
}

static void test_comments_only_refused_like_empty(void **state)
{
    (void)state;
    assert_refused("", "the scenario file is empty", "a minimal scenario is one [scenario] group", NULL);
    assert_refused("# only a comment\n\n   \n# and another\n", "the scenario file has only comments and blank lines",
                   "a minimal scenario is one [scenario] group", NULL);
    assert_refused("\n\n", "has only comments and blank lines", NULL);
    /* One group line is enough. */
    GError *error = NULL;
    const char *text = "# a comment\n[scenario]\n";
    sim_scenario *s = sim_scenario_load_data(PATH, text, strlen(text), &error);
    assert_non_null(s);
    sim_scenario_free(s);
}

static void test_bom_at_start_accepted(void **state)
{
    (void)state;
    GError *error = NULL;
    const char *text = "\xEF\xBB\xBF[scenario]\ntabs = 5\n";
    sim_scenario *s = sim_scenario_load_data(PATH, text, strlen(text), &error);
    if (!s)
        fail_msg("refused: %s", error->message);
    assert_int_equal(s->tabs, 5);
    /* The same settings without the mark: the same scenario hash. */
    sim_scenario *plain = sim_scenario_load_data(PATH, text + 3, strlen(text + 3), NULL);
    assert_non_null(plain);
    assert_int_equal(s->hash, plain->hash);
    sim_scenario_free(plain);
    sim_scenario_free(s);
    /* A mark and nothing else is an empty file; line numbers are unchanged. */
    assert_refused("\xEF\xBB\xBF", "the scenario file is empty", NULL);
    assert_refused("\xEF\xBB\xBF[scenario]\ntabs = 2\ntabs = 3\n", "given twice (lines 2 and 3)", NULL);
}

static void test_bom_inside_named(void **state)
{
    (void)state;
    assert_refused("[scenario]\ntabs = 2\n\xEF\xBB\xBF[mutex]\nalgorithm = lamport\n",
                   "line 3: a byte order mark (BOM, U+FEFF) inside the file", "allowed: a BOM only at the very start",
                   NULL);
    assert_refused("\xEF\xBB\xBF\xEF\xBB\xBF[scenario]\n", "line 1: a byte order mark", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_localized_key_refused),
        cmocka_unit_test(test_comments_only_refused_like_empty),
        cmocka_unit_test(test_bom_at_start_accepted),
        cmocka_unit_test(test_bom_inside_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
