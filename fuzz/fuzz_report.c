/*
 * fuzz_report.c - fuzz harness for the JSON report reader that
 * `tabsim merge` uses (check_json_read_data in sim/cli/report_json.c).
 *
 * Property: any bytes either read as a list of outcomes or give a GError;
 * never a crash.  Outcomes that read can be printed and judged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)check_outcome_free);
    GError *error = NULL;
    if (check_json_read_data("fuzz.json", (const char *)data, size, out, &error)) {
        GString *text = g_string_new(NULL);
        for (guint i = 0; i < out->len; i++)
            check_outcome_print(text, out->pdata[i]);
        check_summary_print(text, (check_outcome *const *)out->pdata, out->len, TRUE, -1,
                            check_exit_code((check_outcome *const *)out->pdata, out->len));
        g_string_free(text, TRUE);
    } else {
        if (!error || !error->message || !error->message[0])
            abort();
        g_error_free(error);
    }
    g_ptr_array_free(out, TRUE);
    return 0;
}
