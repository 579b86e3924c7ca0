/*
 * report_junit.c - the JUnit XML report of `tabsim check` / `tabsim merge`,
 * the format CI systems (GitHub Actions test reporters, GitLab, Jenkins)
 * display as a test list.
 *
 * One <testcase> per scenario.  An unexpected outcome is a <failure> whose
 * text is the violation, its timeline and the replay command; an incomplete
 * one is <skipped> with the reason and the resume command; bad input is an
 * <error>.  An expected outcome (including a documented bug found as
 * expected) passes.  Every text goes through report_text_clean (valid
 * UTF-8, no control characters XML 1.0 forbids) and g_markup_escape_text,
 * so the file is well-formed whatever a scenario file contained.  Written
 * with sim_output_write: a temporary file renamed over the target (a
 * device or a FIFO written in place, sim/output.h).
 */
#include "check.h"
#include "sim/output.h"

/* Appends text as XML character data or attribute value. */
static void xml_text(GString *out, const char *text)
{
    char *clean = report_text_clean(text ? text : "");
    char *escaped = g_markup_escape_text(clean, -1);
    g_string_append(out, escaped);
    g_free(escaped);
    g_free(clean);
}

static void attr(GString *out, const char *name, const char *value)
{
    g_string_append_printf(out, " %s=\"", name);
    xml_text(out, value);
    g_string_append_c(out, '"');
}

static void counts_attrs(GString *out, check_outcome *const *outcomes, guint n, gboolean timing)
{
    guint count[4] = {0, 0, 0, 0};
    double elapsed = 0;
    for (guint i = 0; i < n; i++) {
        count[outcomes[i]->status]++;
        elapsed += outcomes[i]->elapsed_s;
    }
    g_string_append_printf(out, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\"", n,
                           count[CHECK_UNEXPECTED], count[CHECK_BAD_INPUT], count[CHECK_INCOMPLETE]);
    if (timing)
        g_string_append_printf(out, " time=\"%.3f\"", elapsed);
}

static void testcase(GString *out, const check_outcome *o, gboolean timing)
{
    g_string_append(out, "    <testcase");
    attr(out, "classname", "tabsim.check");
    attr(out, "name", o->name);
    attr(out, "file", o->file);
    if (timing)
        g_string_append_printf(out, " time=\"%.3f\"", o->elapsed_s);
    g_string_append(out, ">\n");
    if (o->status != CHECK_BAD_INPUT) {
        /* Each invariant's result, as in the JSON report's "invariants". */
        g_string_append(out, "      <properties>\n");
        if (o->algorithm) {
            g_string_append(out, "        <property");
            attr(out, "name", "algorithm");
            attr(out, "value", o->algorithm);
            g_string_append(out, "/>\n");
        }
        if (o->live) { /* the starvation check judges starvation alone */
            g_string_append(out, "        <property");
            attr(out, "name", "starvation");
            attr(out, "value", o->verdict == SIM_VERDICT_VIOLATION  ? "found"
                               : o->verdict == SIM_VERDICT_INCOMPLETE ? "not-judged"
                                                                      : "none");
            g_string_append(out, "/>\n");
        }
        for (int i = 0; !o->live && i < SIM_INV_COUNT; i++) {
            char *name = g_strdup_printf("invariant.%s", sim_invariant_name(1u << i));
            g_string_append(out, "        <property");
            attr(out, "name", name);
            attr(out, "value", check_inv_status_name(o->inv_status[i]));
            g_string_append(out, "/>\n");
            g_free(name);
        }
        g_string_append(out, "      </properties>\n");
    }
    GString *block = g_string_new(NULL);
    if (o->status == CHECK_BAD_INPUT) /* no stderr here: the error itself */
        g_string_append_printf(block, "check       %s: bad input\nerror       %s\n", o->file, o->error);
    else
        check_outcome_print(block, o);
    char *message = NULL;
    switch (o->status) {
    case CHECK_EXPECTED:
        break;
    case CHECK_UNEXPECTED: {
        guint held = 0;
        for (int i = 0; i < SIM_INV_COUNT; i++)
            if (o->inv_status[i] == CHECK_INV_HELD)
                held |= 1u << i;
        char *found = o->verdict != SIM_VERDICT_VIOLATION ? NULL
                      : o->live ? g_strdup_printf("starvation (tab%d)", o->live_tab)
                                : sim_invariant_set_text(o->violated);
        char *kept = held ? sim_invariant_set_text(held) : NULL;
        message = found ? g_strdup_printf("violation of %s%s%s; expected %s", found, kept ? "; held: " : "",
                                          kept ? kept : "", o->expectation)
                        : g_strdup_printf("%s (no violation); expected %s", sim_verdict_name(o->verdict),
                                          o->expectation);
        g_free(found);
        g_free(kept);
        g_string_append(out, "      <failure");
        attr(out, "message", message);
        attr(out, "type", "unexpected");
        g_string_append(out, ">");
        xml_text(out, block->str);
        g_string_append(out, "</failure>\n");
        break;
    }
    case CHECK_INCOMPLETE:
        message = g_strdup_printf("incomplete: %s%s%s", o->incomplete_reason ? o->incomplete_reason : "",
                                  o->resume ? "; resume: " : "", o->resume ? o->resume : "");
        g_string_append(out, "      <skipped");
        attr(out, "message", message);
        g_string_append(out, "/>\n");
        break;
    case CHECK_BAD_INPUT:
        g_string_append(out, "      <error");
        attr(out, "message", o->error);
        attr(out, "type", "bad-input");
        g_string_append(out, ">");
        xml_text(out, o->error);
        g_string_append(out, "</error>\n");
        break;
    }
    g_string_append(out, "      <system-out>");
    xml_text(out, block->str);
    g_string_append(out, "</system-out>\n    </testcase>\n");
    g_free(message);
    g_string_free(block, TRUE);
}

gboolean check_junit_write(const char *path, check_outcome *const *outcomes, guint n, gboolean timing,
                           GError **error)
{
    GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tabsim\"");
    counts_attrs(out, outcomes, n, timing);
    g_string_append(out, ">\n  <testsuite name=\"tabsim check\"");
    counts_attrs(out, outcomes, n, timing);
    g_string_append(out, ">\n");
    for (guint i = 0; i < n; i++)
        testcase(out, outcomes[i], timing);
    g_string_append(out, "  </testsuite>\n</testsuites>\n");
    gboolean ok = sim_output_write(path, out->str, (gssize)out->len, error);
    g_string_free(out, TRUE);
    return ok;
}
