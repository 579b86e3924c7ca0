/*
 * test_input.c - sim_input_read takes only regular files of bounded size.
 *
 * Goal: a regular file is read whole; a FIFO without a writer is refused
 * at once (not waited on), as are a character device (/dev/zero, which
 * would otherwise be read until memory runs out), a directory and a file
 * over the limit (refused from its size, before reading); a missing file
 * names the path.  Every message starts with the path and says what is
 * allowed.
 * Method: real files, a FIFO and a sparse file in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/input.h"

static char *dir;

static int dir_make(void **state)
{
    (void)state;
    dir = g_dir_make_tmp("test_input-XXXXXX", NULL);
    return dir ? 0 : -1;
}

static int dir_remove(void **state)
{
    (void)state;
    const char *names[] = {"ok.ini", "fifo", "big.ini"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        g_unlink(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(dir);
    return 0;
}

/* Reads path (limit max) expecting a refusal whose message has each string. */
static void assert_refused(const char *path, gsize max, ...)
{
    char *data = (char *)"untouched";
    gsize len = 99;
    GError *error = NULL;
    assert_false(sim_input_read(path, "scenario file", "a scenario .ini file", max, &data, &len, &error));
    assert_null(data);
    assert_int_equal(len, 0);
    assert_non_null(error);
    assert_true(error->domain == SIM_ERROR && error->code == SIM_ERROR_FILE);
    if (!g_str_has_prefix(error->message, path))
        fail_msg("message does not start with the path: %s", error->message);
    va_list ap;
    va_start(ap, max);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *))
        if (!strstr(error->message, want))
            fail_msg("message lacks \"%s\": %s", want, error->message);
    va_end(ap);
    g_error_free(error);
}

static void test_regular_file(void **state)
{
    (void)state;
    char *path = g_build_filename(dir, "ok.ini", NULL);
    assert_true(g_file_set_contents(path, "[scenario]\ntabs = 2\n", -1, NULL));
    char *data = NULL;
    gsize len = 0;
    GError *error = NULL;
    assert_true(sim_input_read(path, "scenario file", "a scenario .ini file", 1024, &data, &len, &error));
    assert_null(error);
    assert_int_equal(len, 20);
    assert_string_equal(data, "[scenario]\ntabs = 2\n");
    g_free(data);
    /* Exactly at the limit is allowed, one byte over is not. */
    assert_true(sim_input_read(path, "scenario file", "a scenario .ini file", 20, &data, &len, NULL));
    g_free(data);
    assert_refused(path, 19, "20 bytes is too large for a scenario file", "allowed: at most 19 bytes", NULL);
    g_free(path);
}

static void test_fifo_not_waited_on(void **state)
{
    (void)state;
    char *path = g_build_filename(dir, "fifo", NULL);
    assert_int_equal(mkfifo(path, 0600), 0);
    /* No writer: a blocking open would hang here (ctest's timeout fails it). */
    assert_refused(path, 1024, "not a regular file (a FIFO)", "allowed: a scenario .ini file", NULL);
    g_free(path);
}

static void test_device(void **state)
{
    (void)state;
    assert_refused("/dev/zero", SIM_INPUT_SCENARIO_BYTES_MAX, "/dev/zero: not a regular file (a character device)",
                   NULL);
}

static void test_directory(void **state)
{
    (void)state;
    assert_refused(dir, 1024, "not a regular file (a directory)", NULL);
}

static void test_too_large_not_read(void **state)
{
    (void)state;
    char *path = g_build_filename(dir, "big.ini", NULL);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* Sparse: 16 MiB + 1 byte without writing them. */
    assert_int_equal(ftruncate(fileno(f), (off_t)SIM_INPUT_SCENARIO_BYTES_MAX + 1), 0);
    fclose(f);
    assert_refused(path, SIM_INPUT_SCENARIO_BYTES_MAX, "16777217 bytes is too large for a scenario file",
                   "allowed: at most 16777216 bytes", NULL);
    g_free(path);
}

static void test_missing(void **state)
{
    (void)state;
    assert_refused("no-such-dir/no-such.ini", 1024, "cannot read the scenario file", "No such file or directory",
                   NULL);
}

static void assert_escaped(const char *text, gboolean keep_newlines, const char *want)
{
    char *got = sim_input_escape(text, keep_newlines);
    assert_string_equal(got, want);
    g_free(got);
}

static void test_escape(void **state)
{
    (void)state;
    /* Plain text, UTF-8 included, comes back unchanged. */
    assert_escaped("no-mutex (scenarios/no-mutex.ini) é ✓", FALSE, "no-mutex (scenarios/no-mutex.ini) é ✓");
    /* A newline cannot start a line of its own, nor ESC reach a terminal. */
    assert_escaped("x\nverdict     passed", FALSE, "x\\nverdict     passed");
    assert_escaped("a\x1b[31mb\r\tc\x7f", FALSE, "a\\x1b[31mb\\r\\tc\\x7f");
    /* C1 controls (U+009B is CSI) and invalid UTF-8 bytes. */
    assert_escaped("a\xc2\x9b" "b", FALSE, "a\\u009bb");
    assert_escaped("a\x9b\xff" "b", FALSE, "a\\x9b\\xffb");
    assert_escaped("cut \xe2\x9c", FALSE, "cut \\xe2\\x9c");
    /* U+2028, U+2029 (line breaks to some viewers), U+FFFE, U+FFFF (not
     * characters XML allows); U+FFFD and U+E000 are left. */
    assert_escaped("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xef\xbf\xbe" "d\xef\xbf\xbf" "e", FALSE,
                   "a\\u2028b\\u2029c\\ufffed\\uffffe");
    assert_escaped("\xef\xbf\xbd\xee\x80\x80", FALSE, "\xef\xbf\xbd\xee\x80\x80");
    /* Newlines kept only when asked; other controls still escaped. */
    assert_escaped("line 1\n  line\x1b 2\n", TRUE, "line 1\n  line\\x1b 2\n");
    assert_escaped(NULL, FALSE, "");
}

static void test_shell_quote(void **state)
{
    (void)state;
    char *q = sim_input_shell_quote("scenarios/no-mutex.ini");
    assert_string_equal(q, "'scenarios/no-mutex.ini'"); /* as g_shell_quote: unchanged output */
    g_free(q);
    q = sim_input_shell_quote("it's.ini");
    assert_string_equal(q, "'it'\\''s.ini'");
    g_free(q);
    /* With control characters: $'...', one visible line naming the same bytes. */
    q = sim_input_shell_quote("we\nird\x1b'\\.ini");
    assert_string_equal(q, "$'we\\x0aird\\x1b\\'\\\\.ini'");
    g_free(q);
    q = sim_input_shell_quote("\xc3\xa9\xc2\x9b");
    assert_string_equal(q, "$'\\xc3\\xa9\\xc2\\x9b'");
    g_free(q);
}

/* A cut never splits a UTF-8 character: "é" is two bytes. */
static void test_cut(void **state)
{
    (void)state;
    assert_int_equal(sim_input_cut("abc", 3, 10), 3);
    assert_int_equal(sim_input_cut("abcdef", 6, 4), 4);
    assert_int_equal(sim_input_cut("ab\xc3\xa9z", 5, 3), 2); /* byte 3 continues the é */
    assert_int_equal(sim_input_cut("ab\xc3\xa9z", 5, 4), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_file),
        cmocka_unit_test(test_fifo_not_waited_on),
        cmocka_unit_test(test_device),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_too_large_not_read),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_cut),
    };
    return cmocka_run_group_tests(tests, dir_make, dir_remove);
}
