/*
 * args_files.c - a command's FILE and DIR/ arguments (check, matrix): a
 * file stands for itself, a directory for its own *.ini files, sorted by
 * name in byte order, so that the same tree gives the same order on every
 * machine.  What cannot be used is recorded beside it, not printed: the
 * command reports every bad argument in order with the scenarios' errors.
 */
#include <string.h>

#include "cli.h"

static int name_compare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A directory stands for its *.ini entries, sorted by name (not
 * recursive: not its subdirectories, *.ini or not), as the shell's *.ini
 * would: not hidden ones (.name.ini; an editor's lock file .#a.ini, a
 * broken link, made the check bad input).  Every other entry named *.ini
 * is one: a broken link, a FIFO or a device is refused by the loader with
 * the rest, never left out in silence (a CI job would pass without
 * checking it). */
void cli_expand_arg(const char *arg, GPtrArray *files, GPtrArray *errors)
{
    if (!g_file_test(arg, G_FILE_TEST_IS_DIR)) {
        /* The loader refuses devices, FIFOs and huge files (sim/input.h). */
        g_ptr_array_add(files, g_strdup(arg));
        g_ptr_array_add(errors, NULL);
        return;
    }
    GError *error = NULL;
    GDir *dir = g_dir_open(arg, 0, &error);
    if (!dir) {
        g_ptr_array_add(files, g_strdup(arg));
        g_ptr_array_add(errors, g_strdup_printf("%s: cannot read the directory: %s", arg, error->message));
        g_error_free(error);
        return;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *name; (name = g_dir_read_name(dir));) {
        char *path = g_build_filename(arg, name, NULL);
        if (name[0] != '.' && g_str_has_suffix(name, ".ini") && !g_file_test(path, G_FILE_TEST_IS_DIR))
            g_ptr_array_add(names, g_strdup(name));
        g_free(path);
    }
    g_dir_close(dir);
    /* Byte order, not the locale's: the same order on every machine. */
    g_ptr_array_sort(names, name_compare);
    if (names->len == 0) {
        g_ptr_array_add(files, g_strdup(arg));
        g_ptr_array_add(errors, g_strdup_printf("%s: no *.ini scenario files in this directory (check reads the "
                                                "directory's own *.ini files, not its subdirectories)",
                                                arg));
    }
    for (guint i = 0; i < names->len; i++) {
        g_ptr_array_add(files, g_build_filename(arg, (const char *)names->pdata[i], NULL));
        g_ptr_array_add(errors, NULL);
    }
    g_ptr_array_free(names, TRUE);
}
