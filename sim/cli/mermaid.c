/*
 * mermaid.c - a run's timeline as a Mermaid sequenceDiagram.
 *
 * One lifeline per tab, plus localStorage and the server, as in the seed
 * document's diagrams: each storage call is an arrow to localStorage
 * named by its step ("write ClientID to X"), sends are arrows to the
 * server, lock events and critical sections are notes, and the step where
 * an invariant broke is followed by a note over the tabs involved.  The
 * write that erased a lost event gets a note "!! erased <id>" over its tab
 * and localStorage, as the text timeline marks its line.  A diagram shows
 * what the text timeline shows: the same window before a violation
 * (--context; the steps before it are one note), the result of a read as
 * the line prints it (`length -> ok`), and a send's fault as the line
 * names it (a timeout after or before delivery).  Text is cleaned
 * of the characters Mermaid treats as syntax (; # and line breaks) and of
 * other control characters (written \xHH, as sim_input_escape does).
 */
#include <stdarg.h>

#include "cli.h"
#include "sim/input.h"
#include "sim/output.h"

static void clean(GString *out, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == ';')
            g_string_append_c(out, ',');
        else if (*c == '#')
            g_string_append(out, "no.");
        else if (*c == '\n' || *c == '\r')
            g_string_append_c(out, ' ');
        else if ((guchar)*c < 0x20 || *c == 0x7f)
            g_string_append_printf(out, "\\x%02x", (guchar)*c);
        else
            g_string_append_c(out, *c);
    }
}

static void arrow(GString *out, const char *from, const char *to, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static void arrow(GString *out, const char *from, const char *to, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_string_append_printf(out, "    %s->>%s: ", from, to);
    clean(out, text);
    g_string_append_c(out, '\n');
    g_free(text);
}

static void note(GString *out, const char *over, const char *text)
{
    g_string_append_printf(out, "    Note over %s: ", over);
    clean(out, text);
    g_string_append_c(out, '\n');
}

static void record_render(GString *out, const sim_trace_record *r)
{
    char tab[16], *text = NULL;
    g_snprintf(tab, sizeof tab, "T%d", r->tab);
    const char *op = r->op;
    const char *label = r->label ? r->label : op;
    if (g_str_equal(op, "get") || g_str_equal(op, "length") || g_str_equal(op, "key")) {
        /* As the timeline line reads: "get KEY = VALUE -> ok", "get KEY -> null", "length -> ok". */
        arrow(out, tab, "LS", "%s: %s%s%s%s%s -> %s", label, op, r->key ? " " : "", r->key ? r->key : "",
              r->value ? (r->key ? " = " : " ") : "", r->value ? r->value : "", r->result ? r->result : "null");
    } else if (g_str_equal(op, "set")) {
        arrow(out, tab, "LS", "%s: set %s = %s%s%s", label, r->key, r->value ? r->value : "",
              r->result && !g_str_equal(r->result, "ok") ? " -> " : "",
              r->result && !g_str_equal(r->result, "ok") ? r->result : "");
    } else if (g_str_equal(op, "remove")) {
        arrow(out, tab, "LS", "%s: remove %s", label, r->key);
    } else if (g_str_equal(op, "send")) {
        arrow(out, tab, "Server", "send %s", r->value ? r->value : "");
    } else if (g_str_equal(op, "sent")) {
        /* The fault says whether a timed-out send was delivered ("timeout
         * after delivery") or lost ("before delivery"), as the line does. */
        arrow(out, "Server", tab, "%s%s%s", r->result ? r->result : "", r->label ? ": " : "",
              r->label ? r->label : "");
    } else if (r->label && g_str_equal(r->label, "none")) {
        /* the "none" mutex: its lock events are not events */
    } else if (g_str_equal(op, "acquired")) {
        note(out, tab, "lock acquired");
    } else if (g_str_equal(op, "failed")) {
        note(out, tab, "lock failed: falls back");
    } else if (g_str_equal(op, "cs-enter")) {
        note(out, tab, "enter critical section");
    } else if (g_str_equal(op, "cs-exit")) {
        note(out, tab, "leave critical section");
    } else if (g_str_equal(op, "released")) {
        note(out, tab, "lock released");
    } else if (g_str_equal(op, "fallback")) {
        text = g_strdup_printf("fall back to the unlocked %s", r->label ? r->label : "path");
        note(out, tab, text);
    } else if (g_str_equal(op, "added")) {
        text = g_strdup_printf("event %s added", r->result ? r->result : "");
        note(out, tab, text);
    } else if (g_str_equal(op, "retry")) {
        text = g_strdup_printf("back off (%s)", r->result ? r->result : "");
        note(out, tab, text);
    }
    /* lock requests, waits, debug and warn lines add nothing a diagram needs */
    g_free(text);
}

static void violation_note(GString *out, const sim_violation *v)
{
    char over[32];
    if (v->tab_a && v->tab_b && v->tab_a != v->tab_b)
        g_snprintf(over, sizeof over, "T%d,T%d", MIN(v->tab_a, v->tab_b), MAX(v->tab_a, v->tab_b));
    else
        g_snprintf(over, sizeof over, "T%d", v->tab_a ? v->tab_a : 1);
    char *text = g_strdup_printf("VIOLATION of %s: %s", sim_invariant_name(v->invariant), v->message);
    note(out, over, text);
    g_free(text);
}

char *mermaid_render(const sim_scenario *s, const sim_run *run, const sim_violation *only, unsigned context)
{
    const GArray *recs = run->monitor.records;
    const GPtrArray *vs = run->monitor.violations;
    GString *out = g_string_new("sequenceDiagram\n");
    for (int t = 1; t <= s->tabs; t++)
        g_string_append_printf(out, "    participant T%d as Tab %d\n", t, t);
    g_string_append(out, "    participant LS as localStorage\n    participant Server as Server\n");
    guint end = recs ? recs->len : 0;
    if (only)
        end = MIN(end, (guint)only->step);
    /* The text timeline's window (report_timeline): the last `context`
     * steps up to the violation; 0 = all of them. */
    guint start = (context && end > context) ? end - context : 0;
    if (start > 0) {
        char *text = g_strdup_printf("... %u earlier step%s not drawn (all of them: --context 0)", start, start == 1 ? "" : "s");
        note(out, "T1,LS", text);
        g_free(text);
    }
    for (guint i = start; i < end; i++) {
        const sim_trace_record *r = &g_array_index(recs, sim_trace_record, i);
        record_render(out, r);
        const sim_violation *erased = report_erased_by(run, only, i + 1);
        if (erased) {
            char over[32];
            g_snprintf(over, sizeof over, "T%d,LS", r->tab);
            char *text = g_strdup_printf(REPORT_ERASED_MARK " erased %s", erased->erased_event);
            note(out, over, text);
            g_free(text);
        }
        for (guint j = 0; !only && j < vs->len; j++)
            if (((const sim_violation *)vs->pdata[j])->step == i + 1)
                violation_note(out, vs->pdata[j]);
    }
    if (only)
        violation_note(out, only);
    return g_string_free(out, FALSE);
}

gboolean mermaid_write(const char *path, const sim_scenario *s, const sim_run *run, const sim_violation *only)
{
    char *text = mermaid_render(s, run, only, 0);
    GError *error = NULL;
    gboolean ok = sim_output_write(path, text, -1, &error);
    if (!ok) {
        char *message = g_strdup_printf("cannot write %s: %s", path, error->message);
        char *shown = sim_input_escape(message, FALSE);
        fprintf(stderr, "tabsim: %s\n", shown);
        g_free(shown);
        g_free(message);
        g_error_free(error);
    }
    g_free(text);
    return ok;
}
