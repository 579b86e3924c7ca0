/*
 * test_scenario_file.c - the scenario loader reads files strictly, and
 * says which file.
 *
 * Goal: a real file loads; an empty file, a missing file and binary
 * garbage are refused with SIM_ERROR_FILE and a message that starts with
 * the path; a bad key in a file names the path, the group and the key.
 * Method: real files in a temporary directory made per group of tests.
 * (Scenario text and its rules are test_scenario.c's.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "sim/error.h"
#include "sim/scenario/scenario.h"

static char *tmp_dir;

static int files_setup(void **state)
{
    (void)state;
    tmp_dir = g_dir_make_tmp("tabsim-test-scenario-XXXXXX", NULL);
    return tmp_dir ? 0 : -1;
}

static int files_teardown(void **state)
{
    (void)state;
    GDir *d = g_dir_open(tmp_dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        char *p = g_build_filename(tmp_dir, name, NULL);
        g_remove(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return 0;
}

static char *write_file(const char *name, const char *data, gsize len)
{
    char *p = g_build_filename(tmp_dir, name, NULL);
    assert_true(g_file_set_contents(p, data, (gssize)len, NULL));
    return p;
}

static void assert_file_refused(const char *path, const char *want)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load(path, &error);
    assert_null(s);
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_FILE));
    if (!g_str_has_prefix(error->message, path))
        fail_msg("message does not start with the path %s: %s", path, error->message);
    if (!strstr(error->message, want))
        fail_msg("message lacks \"%s\": %s", want, error->message);
    g_error_free(error);
}

static void test_file_ok(void **state)
{
    (void)state;
    char *p = write_file("good-one.ini", "[scenario]\ntabs = 2\n", 20);
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load(p, &error);
    assert_non_null(s);
    assert_string_equal(s->path, p);
    assert_string_equal(s->name, "good-one");
    assert_int_equal(s->tabs, 2);
    sim_scenario_free(s);
    g_free(p);
}

static void test_file_empty(void **state)
{
    (void)state;
    char *p = write_file("empty.ini", "", 0);
    assert_file_refused(p, "empty");
    g_free(p);
}

static void test_file_missing(void **state)
{
    (void)state;
    char *p = g_build_filename(tmp_dir, "no-such-file.ini", NULL);
    assert_file_refused(p, "cannot read");
    g_free(p);
}

static void test_file_garbage(void **state)
{
    (void)state;
    guint8 bytes[512];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8)((i * 197 + 13) ^ (i >> 3));
    char *p = write_file("garbage.ini", (const char *)bytes, sizeof bytes);
    assert_file_refused(p, "not a scenario file");
    g_free(p);
}

static void test_file_bad_key_names_path(void **state)
{
    (void)state;
    char *p = write_file("typo.ini", "[flush]\ninterval = 5\n", 21);
    GError *error = NULL;
    assert_null(sim_scenario_load(p, &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_KEY));
    assert_true(g_str_has_prefix(error->message, p));
    assert_non_null(strstr(error->message, "[flush] interval"));
    assert_non_null(strstr(error->message, "interval_ms"));
    g_error_free(error);
    g_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_ok),
        cmocka_unit_test(test_file_empty),
        cmocka_unit_test(test_file_missing),
        cmocka_unit_test(test_file_garbage),
        cmocka_unit_test(test_file_bad_key_names_path),
    };
    return cmocka_run_group_tests_name("scenario_files", tests, files_setup, files_teardown);
}
