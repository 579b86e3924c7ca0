/*
 * options.c - a command's options: GOption, plus what GOption does not do.
 *
 * GOption keeps the last of an option given twice without a word, so
 * `--json a --json b` wrote only b and `--mode exhaustive ... --mode random`
 * checked something else than the first half of the line says.  An option
 * that takes a value may therefore be given once (options that collect a
 * list, --vary, may repeat; a flag given twice means what it means once).
 * GOption also takes a short option's value only as the next argument:
 * `-j2` is split into `-j 2` first.  The scan follows GOption's grammar:
 * "--" ends the options, "--name=value" and "--name value", "-x value";
 * anything it does not recognise is left for GOption to judge.
 *
 * Which options were given is recorded, so a command can tell an option
 * given with its default value from one not given (--depth 3, --runs 0).
 *
 * Output files are checked before any work: two outputs naming one file
 * (--json X --junit X) would leave only the last written, and an output
 * naming an input (--json scenario.ini) would overwrite what was read.
 * "The same file" is the same path, the same inode when both exist, or the
 * same canonical path when one does not exist yet.
 */
#include <string.h>

#include <unistd.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "sim/input.h"
#include "sim/output.h"

static gboolean takes_value(const GOptionEntry *e)
{
    return e->arg != G_OPTION_ARG_NONE &&
           !(e->arg == G_OPTION_ARG_CALLBACK && (e->flags & G_OPTION_FLAG_NO_ARG));
}

static gboolean may_repeat(const GOptionEntry *e)
{
    return e->arg == G_OPTION_ARG_STRING_ARRAY || e->arg == G_OPTION_ARG_FILENAME_ARRAY || !takes_value(e);
}

static int entry_find(const GOptionEntry *entries, const char *long_name, gsize len, char short_name)
{
    for (int i = 0; entries[i].long_name; i++) {
        if (long_name && strlen(entries[i].long_name) == len && strncmp(entries[i].long_name, long_name, len) == 0)
            return i;
        if (!long_name && short_name && entries[i].short_name == short_name)
            return i;
    }
    return -1;
}

/* Records that entry i was given with value; FALSE (error set) the second time. */
static gboolean note_given(cli_args *a, int i, const char *value, GError **error)
{
    const GOptionEntry *e = &a->entries[i];
    if (a->given[i] && !may_repeat(e)) {
        char short_text[8] = "";
        if (e->short_name)
            g_snprintf(short_text, sizeof short_text, " (-%c)", e->short_name);
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--%s%s given twice (\"%s\", then \"%s\"); allowed: each option once", e->long_name, short_text,
                    a->first_values[i] ? a->first_values[i] : "", value ? value : "");
        return FALSE;
    }
    if (!a->given[i])
        a->first_values[i] = g_strdup(value);
    a->given[i] = TRUE;
    return TRUE;
}

/* Copies argv into out, splitting -xVALUE, and notes every option given. */
static gboolean args_scan(cli_args *a, int argc, char **argv, GPtrArray *out, GError **error)
{
    g_ptr_array_add(out, g_strdup(argv[0]));
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--") == 0) {
            for (; i < argc; i++)
                g_ptr_array_add(out, g_strdup(argv[i]));
            break;
        }
        int k = -1;
        const char *value = NULL;
        gboolean consumes_next = FALSE;
        if (g_str_has_prefix(arg, "--") && arg[2]) {
            const char *eq = strchr(arg, '=');
            k = entry_find(a->entries, arg + 2, eq ? (gsize)(eq - arg - 2) : strlen(arg + 2), 0);
            consumes_next = k >= 0 && takes_value(&a->entries[k]) && !eq;
            value = eq ? eq + 1 : consumes_next ? next : NULL;
            g_ptr_array_add(out, g_strdup(arg));
        } else if (arg[0] == '-' && arg[1] && arg[1] != '-') {
            k = entry_find(a->entries, NULL, 0, arg[1]);
            if (k >= 0 && takes_value(&a->entries[k]) && arg[2]) {
                /* -j2: GOption wants -j 2. */
                g_ptr_array_add(out, g_strndup(arg, 2));
                g_ptr_array_add(out, g_strdup(arg + 2));
                value = arg + 2;
            } else {
                consumes_next = k >= 0 && takes_value(&a->entries[k]);
                value = consumes_next ? next : NULL;
                g_ptr_array_add(out, g_strdup(arg));
            }
        } else {
            g_ptr_array_add(out, g_strdup(arg));
        }
        if (k >= 0 && !note_given(a, k, value, error))
            return FALSE;
        /* GOption converts a text value from the locale's encoding and
         * fails naming no option ("Invalid byte sequence in conversion
         * input"); file names are taken as bytes. */
        const GOptionEntry *e = k >= 0 ? &a->entries[k] : NULL;
        if (e && value && e->arg != G_OPTION_ARG_FILENAME && e->arg != G_OPTION_ARG_FILENAME_ARRAY &&
            !g_utf8_validate(value, -1, NULL)) {
            char *shown = sim_input_escape(value, FALSE);
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--%s %s: not valid UTF-8; allowed: text in UTF-8", e->long_name, shown);
            g_free(shown);
            return FALSE;
        }
        if (consumes_next && next) {
            g_ptr_array_add(out, g_strdup(next));
            i++;
        }
    }
    return TRUE;
}

gboolean cli_args_parse(cli_args *a, GOptionContext *ctx, const GOptionEntry *entries, int argc, char **argv,
                        GError **error)
{
    static const GOptionEntry none[] = {{NULL, 0, 0, 0, NULL, NULL, NULL}};
    memset(a, 0, sizeof *a);
    a->entries = entries ? entries : none;
    int n = 0;
    while (a->entries[n].long_name)
        n++;
    a->given = g_new0(gboolean, n + 1);
    a->first_values = g_new0(char *, n + 1);
    a->n_entries = n;
    GPtrArray *out = g_ptr_array_new();
    gboolean ok = args_scan(a, argc, argv, out, error);
    g_ptr_array_add(out, NULL);
    a->argv = (char **)g_ptr_array_free(out, FALSE);
    /* parse_strv, unlike parse, frees the arguments it removes. */
    ok = ok && g_option_context_parse_strv(ctx, &a->argv, error);
    a->argc = (int)g_strv_length(a->argv);
    return ok;
}

gboolean cli_args_given(const cli_args *a, const char *long_name)
{
    int i = entry_find(a->entries, long_name, strlen(long_name), 0);
    return i >= 0 && a->given[i];
}

void cli_args_clear(cli_args *a)
{
    g_strfreev(a->argv);
    for (int i = 0; i < a->n_entries; i++)
        g_free(a->first_values[i]);
    g_free(a->first_values);
    g_free(a->given);
    memset(a, 0, sizeof *a);
}

static gboolean same_file(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return TRUE;
    GStatBuf sa, sb;
    gboolean exists_a = g_stat(a, &sa) == 0, exists_b = g_stat(b, &sb) == 0;
    if (exists_a && exists_b)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (exists_a || exists_b)
        return FALSE;
    char *ca = g_canonicalize_filename(a, NULL), *cb = g_canonicalize_filename(b, NULL);
    gboolean same = strcmp(ca, cb) == 0;
    g_free(ca);
    g_free(cb);
    return same;
}

int cli_outputs_check(const cli_output *outputs, guint n, const char *const *inputs, guint n_inputs)
{
    for (guint i = 0; i < n; i++) {
        if (!outputs[i].path)
            continue;
        char *why = sim_output_unwritable(outputs[i].path);
        if (why) {
            int rc = cli_usage_error("%s %s: %s", outputs[i].option, *outputs[i].path ? outputs[i].path : "''", why);
            g_free(why);
            return rc;
        }
        for (guint j = 0; j < i; j++)
            if (outputs[j].path && same_file(outputs[i].path, outputs[j].path))
                return cli_usage_error("%s %s: the same file as %s %s; allowed: a different file for each output",
                                       outputs[i].option, outputs[i].path, outputs[j].option, outputs[j].path);
        for (guint j = 0; j < n_inputs; j++)
            if (same_file(outputs[i].path, inputs[j]))
                return cli_usage_error("%s %s: the same file as the input %s, which it would overwrite; allowed: "
                                       "a file that is not one of the inputs",
                                       outputs[i].option, outputs[i].path, inputs[j]);
    }
    return CLI_EXIT_EXPECTED;
}
