/*
 * replay_main.c - runs a fuzz harness over corpus files without libFuzzer,
 * so that the seed corpus and every crash found (kept as a corpus file)
 * are regression tests in a normal build: ctest runs each harness over
 * fuzz/corpus/<harness>/.
 *
 * Usage: fuzz_<harness>_replay FILE|DIR...  (a DIR: its files, sorted).
 * Exit 0 when every input went through; a crash or sanitizer report fails
 * the test as it would fail the fuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    char *data = NULL;
    gsize len = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &data, &len, &error)) {
        fprintf(stderr, "replay: %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    return 0;
}

static int name_compare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    int failed = 0, done = 0;
    for (int i = 1; i < argc; i++) {
        if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            failed |= replay_file(argv[i]);
            done++;
            continue;
        }
        GDir *dir = g_dir_open(argv[i], 0, NULL);
        if (!dir) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            return 1;
        }
        GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
        for (const char *name; (name = g_dir_read_name(dir));)
            g_ptr_array_add(paths, g_build_filename(argv[i], name, NULL));
        g_dir_close(dir);
        g_ptr_array_sort(paths, name_compare);
        for (guint j = 0; j < paths->len; j++) {
            failed |= replay_file(paths->pdata[j]);
            done++;
        }
        g_ptr_array_free(paths, TRUE);
    }
    printf("replayed %d inputs%s\n", done, failed ? ", some unreadable" : "");
    return failed || done == 0;
}
