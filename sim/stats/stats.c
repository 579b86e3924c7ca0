/*
 * stats.c - samples of simulated runs, their statistics and files; see
 * sim/stats/stats.h for what each sample measures and docs/statistics.md for the
 * file formats.
 *
 * Invariants:
 *  - every figure comes from virtual time and counters of the run, never
 *    from the wall clock, so the same runs give the same bytes;
 *  - samples are appended in the order they are taken; the hash tables of
 *    a run are only looked up, never iterated, so their order decides
 *    nothing;
 *  - per-task state lives in an array indexed by the run's task ids (dense,
 *    1-based), cleared at every run_begin.
 */
#include "sim/stats/stats.h"

#include "sim/output.h"
#include "sim/programs/algorithms.h"

#include <string.h>

#include "sim/check/monitor.h"

sim_stats *sim_stats_new(void)
{
    sim_stats *st = g_new0(sim_stats, 1);
    st->samples = g_array_new(FALSE, FALSE, sizeof(sim_sample));
    st->tasks = g_array_new(FALSE, TRUE, sizeof(sim_stats_task));
    st->added_us = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    st->delivered_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return st;
}

void sim_stats_free(sim_stats *st)
{
    if (!st)
        return;
    g_array_free(st->samples, TRUE);
    g_array_free(st->tasks, TRUE);
    g_hash_table_destroy(st->added_us);
    g_hash_table_destroy(st->delivered_ids);
    g_free(st);
}

void sim_stats_run_begin(sim_stats *st, uint64_t seed)
{
    st->seed = seed;
    g_array_set_size(st->tasks, 0);
    g_hash_table_remove_all(st->added_us);
    g_hash_table_remove_all(st->delivered_ids);
    st->added = st->delivered = 0;
    st->last_delivery_us = 0;
    st->fallbacks = st->lock_failed = 0;
}

static void sample_add(sim_stats *st, sim_sample_kind kind, int tab, int task, int64_t start_us,
                       int64_t end_us, double value)
{
    sim_sample s = {.kind = kind, .run = st->runs, .seed = st->seed, .tab = tab, .task = task,
                    .start_us = start_us, .end_us = end_us, .value = value};
    g_array_append_val(st->samples, s);
}

static sim_sample *sample_last(sim_stats *st)
{
    return &g_array_index(st->samples, sim_sample, st->samples->len - 1);
}

static void request_sample(sim_stats *st, const sim_stats_task *t, int task, int64_t end_us,
                           uint64_t task_ops, int64_t retries, sim_lock_outcome outcome)
{
    sample_add(st, SIM_SAMPLE_LOCK_REQUEST, t->tab, task, t->request_us, end_us,
               (end_us - t->request_us) / 1000.0);
    sim_sample *s = sample_last(st);
    s->retries = retries;
    s->storage_ops = (int64_t)(task_ops - t->request_ops);
    s->outcome = outcome;
}

void sim_stats_run_end(sim_stats *st, int64_t end_us)
{
    for (guint id = 0; id < st->tasks->len; id++) {
        const sim_stats_task *t = &g_array_index(st->tasks, sim_stats_task, id);
        if (t->requesting)
            request_sample(st, t, (int)id, end_us, t->request_ops, t->attempts - 1, SIM_OUTCOME_PENDING);
    }
    if (st->added > 0) {
        /* No delivery at all is a throughput of 0, not a missing sample. */
        double eps = st->last_delivery_us > 0 ? st->delivered / (st->last_delivery_us / 1e6) : 0.0;
        sample_add(st, SIM_SAMPLE_RUN_THROUGHPUT, 0, 0, end_us, end_us, eps);
    }
    sample_add(st, SIM_SAMPLE_RUN_FALLBACKS, 0, 0, end_us, end_us, (double)st->fallbacks);
    sample_add(st, SIM_SAMPLE_RUN_LOCK_FAILED, 0, 0, end_us, end_us, (double)st->lock_failed);
    st->runs++;
}

static sim_stats_task *task_state(sim_stats *st, int task)
{
    g_assert(task > 0);
    if ((guint)task >= st->tasks->len)
        g_array_set_size(st->tasks, (guint)task + 1);
    return &g_array_index(st->tasks, sim_stats_task, task);
}

static void lock_done(sim_stats *st, sim_stats_task *t, int task, int64_t now_us, uint64_t task_ops,
                      const xt_obs *o)
{
    if (!t->requesting)
        return;
    t->requesting = FALSE;
    if (o->kind == XT_OBS_LOCK_FAILED) {
        st->lock_failed++;
        request_sample(st, t, task, now_us, task_ops, t->attempts - 1, SIM_OUTCOME_FAILED);
        return;
    }
    /* ACQUIRED's value is the attempts used; 0 when the algorithm does not count. */
    int64_t retries = o->value > 0 ? o->value - 1 : t->attempts - 1;
    request_sample(st, t, task, now_us, task_ops, retries, SIM_OUTCOME_GRANTED);
    t->releasing = TRUE; /* until CS_EXIT moves the mark past the critical section */
    t->release_ops = task_ops;
}

void sim_stats_observe(sim_stats *st, int64_t now_us, int tab, int task, uint64_t task_ops, const xt_obs *o)
{
    if (o->kind == XT_OBS_STEP || o->kind == XT_OBS_SENT)
        return;
    sim_stats_task *t = task_state(st, task);
    t->tab = tab;
    switch (o->kind) {
    case XT_OBS_LOCK_REQUEST:
        t->requesting = TRUE;
        t->releasing = FALSE;
        t->request_us = now_us;
        t->request_ops = task_ops;
        t->attempts = 1;
        break;
    case XT_OBS_LOCK_RETRY:
        t->attempts = o->value + 1; /* value = the attempt that failed */
        break;
    case XT_OBS_LOCK_ACQUIRED:
    case XT_OBS_LOCK_FAILED:
        lock_done(st, t, task, now_us, task_ops, o);
        break;
    case XT_OBS_CS_ENTER:
        t->inside = TRUE;
        t->cs_enter_us = now_us;
        break;
    case XT_OBS_CS_EXIT:
        if (t->inside)
            sample_add(st, SIM_SAMPLE_LOCK_HOLD, tab, task, t->cs_enter_us, now_us,
                       (now_us - t->cs_enter_us) / 1000.0);
        t->inside = FALSE;
        t->releasing = TRUE;
        t->release_ops = task_ops;
        break;
    case XT_OBS_UNLOCK:
        /* The release's own storage calls start here, whatever the
         * critical section did (a "none" mutex reports no CS_EXIT). */
        t->releasing = TRUE;
        t->release_ops = task_ops;
        break;
    case XT_OBS_LOCK_RELEASED:
        if (t->releasing) {
            sample_add(st, SIM_SAMPLE_LOCK_RELEASE, tab, task, now_us, now_us, (double)(task_ops - t->release_ops));
            sample_last(st)->storage_ops = (int64_t)(task_ops - t->release_ops);
        }
        t->releasing = FALSE;
        break;
    case XT_OBS_EVENT_ADDED:
        st->added++;
        if (!o->detail)
            break;
        if (g_hash_table_contains(st->delivered_ids, o->detail))
            sample_add(st, SIM_SAMPLE_EVENT_DELIVERY, tab, task, now_us, now_us, 0.0);
        else
            g_hash_table_insert(st->added_us, g_strdup(o->detail), g_memdup2(&now_us, sizeof now_us));
        break;
    case XT_OBS_FALLBACK:
        st->fallbacks++;
        sample_add(st, SIM_SAMPLE_FALLBACK, tab, task, now_us, now_us, 1.0);
        break;
    default:
        break;
    }
}

void sim_stats_delivered(sim_stats *st, int64_t now_us, GPtrArray *ids)
{
    for (guint i = 0; i < ids->len; i++) {
        const char *id = ids->pdata[i];
        if (g_hash_table_contains(st->delivered_ids, id))
            continue; /* a duplicate: latency counts the first delivery only */
        g_hash_table_add(st->delivered_ids, g_strdup(id));
        st->delivered++;
        st->last_delivery_us = now_us;
        const int64_t *added = g_hash_table_lookup(st->added_us, id);
        if (added) {
            sample_add(st, SIM_SAMPLE_EVENT_DELIVERY, 0, 0, *added, now_us, (now_us - *added) / 1000.0);
            g_hash_table_remove(st->added_us, id);
        }
    }
}

/* ---- names ------------------------------------------------------------ */

static const char *const kind_names[SIM_SAMPLE_KIND_COUNT] = {
    "lock_request", "lock_release", "lock_hold", "event_delivery", "fallback",
    "run_throughput", "run_fallbacks", "run_lock_failed"};
static const char *const kind_units[SIM_SAMPLE_KIND_COUNT] = {
    "ms", "ops", "ms", "ms", "count", "events/s", "count", "count"};

const char *sim_sample_kind_name(sim_sample_kind kind)
{
    return kind < SIM_SAMPLE_KIND_COUNT ? kind_names[kind] : "?";
}

const char *sim_sample_unit(sim_sample_kind kind)
{
    return kind < SIM_SAMPLE_KIND_COUNT ? kind_units[kind] : "?";
}

const char *sim_lock_outcome_name(sim_lock_outcome outcome)
{
    static const char *const names[] = {"", "granted", "failed", "pending"};
    return outcome <= SIM_OUTCOME_PENDING ? names[outcome] : "?";
}

/* ---- statistics --------------------------------------------------------- */

typedef struct stat_spec {
    const char *name;
    sim_sample_kind kind;
    sim_lock_outcome outcome; /* NONE: any (pending never counts) */
    gboolean integral;        /* counts: percentiles print without decimals */
    double (*value)(const sim_sample *s);
    const char *doc;
} stat_spec;

static double v_value(const sim_sample *s) { return s->value; }
static double v_retries(const sim_sample *s) { return (double)s->retries; }
static double v_ops(const sim_sample *s) { return (double)s->storage_ops; }

static const stat_spec stat_specs[SIM_STAT_COUNT] = {
    {"lock_latency_ms", SIM_SAMPLE_LOCK_REQUEST, SIM_OUTCOME_GRANTED, FALSE, v_value,
     "lock() call to grant, virtual ms (granted requests)"},
    {"lock_retries", SIM_SAMPLE_LOCK_REQUEST, SIM_OUTCOME_NONE, TRUE, v_retries,
     "failed attempts before the outcome (granted and failed requests)"},
    {"lock_acquire_ops", SIM_SAMPLE_LOCK_REQUEST, SIM_OUTCOME_GRANTED, TRUE, v_ops,
     "storage calls of one acquisition (granted requests)"},
    {"lock_release_ops", SIM_SAMPLE_LOCK_RELEASE, SIM_OUTCOME_NONE, TRUE, v_ops, "storage calls of one release"},
    {"lock_hold_ms", SIM_SAMPLE_LOCK_HOLD, SIM_OUTCOME_NONE, FALSE, v_value,
     "critical section, enter to exit, virtual ms"},
    {"event_latency_ms", SIM_SAMPLE_EVENT_DELIVERY, SIM_OUTCOME_NONE, FALSE, v_value,
     "add returned to first delivery to the server, virtual ms"},
    {"throughput_eps", SIM_SAMPLE_RUN_THROUGHPUT, SIM_OUTCOME_NONE, FALSE, v_value,
     "events delivered per virtual second, one value per run"},
    {"fallbacks", SIM_SAMPLE_RUN_FALLBACKS, SIM_OUTCOME_NONE, TRUE, v_value,
     "fall-backs to the unlocked path, one count per run"},
    {"lock_failed", SIM_SAMPLE_RUN_LOCK_FAILED, SIM_OUTCOME_NONE, TRUE, v_value,
     "lock requests that failed, one count per run"},
};

const char *sim_stat_name(sim_stat_id id)
{
    return id < SIM_STAT_COUNT ? stat_specs[id].name : "?";
}

gboolean sim_stat_integral(sim_stat_id id)
{
    return id < SIM_STAT_COUNT && stat_specs[id].integral;
}

const char *sim_stat_doc(sim_stat_id id)
{
    return id < SIM_STAT_COUNT ? stat_specs[id].doc : "?";
}

double sim_percentile(const double *sorted, guint n, double p)
{
    g_assert(n >= 1 && p > 0 && p <= 100);
    /* Nearest rank: ceil(p/100 * n), computed in integers (p in hundredths)
     * so that 0.9 * 10 is exactly rank 9, not 9.000000000000002 -> 10. */
    uint64_t p100 = (uint64_t)(p * 100.0 + 0.5);
    uint64_t rank = ((uint64_t)n * p100 + 9999) / 10000;
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static gint double_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void sim_stat_summarize(double *values, guint n, sim_stat_summary *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return;
    g_qsort_with_data(values, (gint)n, sizeof(double), double_cmp, NULL);
    double sum = 0;
    for (guint i = 0; i < n; i++)
        sum += values[i];
    out->p50 = sim_percentile(values, n, 50);
    out->p90 = sim_percentile(values, n, 90);
    out->p99 = sim_percentile(values, n, 99);
    out->max = values[n - 1];
    out->mean = sum / n;
}

gboolean sim_stat_value(sim_stat_id id, const sim_sample *s, double *value)
{
    const stat_spec *spec = &stat_specs[id];
    if (s->kind != spec->kind || s->outcome == SIM_OUTCOME_PENDING)
        return FALSE;
    if (spec->outcome != SIM_OUTCOME_NONE && s->outcome != spec->outcome)
        return FALSE;
    *value = spec->value(s);
    return TRUE;
}

void sim_stats_summarize(const sim_stats *st, guint from, sim_stat_id id, sim_stat_summary *out)
{
    GArray *values = g_array_new(FALSE, FALSE, sizeof(double));
    for (guint i = from; i < st->samples->len; i++) {
        double v;
        if (sim_stat_value(id, &g_array_index(st->samples, sim_sample, i), &v))
            g_array_append_val(values, v);
    }
    sim_stat_summarize((double *)values->data, values->len, out);
    g_array_free(values, TRUE);
}

static void fmt_figure(char *buf, size_t len, double v, gboolean integral)
{
    if (integral)
        g_snprintf(buf, len, "%.0f", v);
    else
        g_snprintf(buf, len, "%.3f", v);
}

void sim_stats_print_summary(FILE *out, const sim_stats *st)
{
    gboolean header = FALSE;
    for (int id = 0; id < SIM_STAT_COUNT; id++) {
        sim_stat_summary sum;
        sim_stats_summarize(st, 0, (sim_stat_id)id, &sum);
        if (sum.n == 0)
            continue;
        if (!header) {
            fprintf(out, "stats       %-17s %10s %10s %10s %10s %10s %7s\n", "(nearest rank)", "p50", "p90", "p99",
                    "max", "mean", "n");
            header = TRUE;
        }
        gboolean integral = stat_specs[id].integral;
        char f[4][32];
        fmt_figure(f[0], sizeof f[0], sum.p50, integral);
        fmt_figure(f[1], sizeof f[1], sum.p90, integral);
        fmt_figure(f[2], sizeof f[2], sum.p99, integral);
        fmt_figure(f[3], sizeof f[3], sum.max, integral);
        fprintf(out, "            %-17s %10s %10s %10s %10s %10.3f %7u\n", stat_specs[id].name, f[0], f[1], f[2],
                f[3], sum.mean, sum.n);
    }
}

/* ---- files -------------------------------------------------------------- */

static const char csv_header[] =
    "point,kind,run,seed,tab,task,start_ms,end_ms,value,unit,retries,storage_ops,outcome\n";

char *sim_stats_csv(const sim_stats *st, const char *point, gboolean header)
{
    GString *out = g_string_new(header ? csv_header : "");
    for (guint i = 0; i < st->samples->len; i++) {
        const sim_sample *s = &g_array_index(st->samples, sim_sample, i);
        gboolean req = s->kind == SIM_SAMPLE_LOCK_REQUEST;
        gboolean ops = req || s->kind == SIM_SAMPLE_LOCK_RELEASE;
        g_string_append_printf(out, "%s,%s,%u,%" G_GUINT64_FORMAT ",%d,%d,%.3f,%.3f,", point ? point : "",
                               kind_names[s->kind], s->run + 1, s->seed, s->tab, s->task, s->start_us / 1000.0,
                               s->end_us / 1000.0);
        if (s->kind == SIM_SAMPLE_LOCK_RELEASE || s->kind >= SIM_SAMPLE_FALLBACK)
            g_string_append_printf(out, "%.0f", s->value);
        else
            g_string_append_printf(out, "%.3f", s->value);
        g_string_append_printf(out, ",%s,", kind_units[s->kind]);
        if (req)
            g_string_append_printf(out, "%" G_GINT64_FORMAT, s->retries);
        g_string_append_c(out, ',');
        if (ops)
            g_string_append_printf(out, "%" G_GINT64_FORMAT, s->storage_ops);
        g_string_append_printf(out, ",%s\n", sim_lock_outcome_name(s->outcome));
    }
    return g_string_free(out, FALSE);
}

gboolean sim_stats_write_csv(const sim_stats *st, const char *path, GError **error)
{
    char *csv = sim_stats_csv(st, NULL, TRUE);
    gboolean ok = sim_output_write(path, csv, -1, error);
    g_free(csv);
    return ok;
}

char *sim_stats_timeline(const sim_stats *st, const sim_monitor *m, const char *title)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "# tabsim lock timeline: %s\n", title);
    g_string_append(out, "# kinds: wait = lock requested until granted; refused = requested until lock() failed;\n"
                         "#        pending = still waiting when the run ended; hold = critical section;\n"
                         "#        fallback = the locked path failed and the unlocked one ran (a point);\n"
                         "#        violation = an invariant broke here (a point; one row per tab involved,\n"
                         "#        note = the invariant)\n"
                         "# kind tab start_ms end_ms note\n");
    uint32_t last = st->runs > 0 ? st->runs - 1 : 0;
    for (guint i = 0; i < st->samples->len; i++) {
        const sim_sample *s = &g_array_index(st->samples, sim_sample, i);
        const char *kind = NULL;
        if (s->run != last)
            continue;
        if (s->kind == SIM_SAMPLE_LOCK_REQUEST)
            kind = s->outcome == SIM_OUTCOME_GRANTED ? "wait" : s->outcome == SIM_OUTCOME_FAILED ? "refused" : "pending";
        else if (s->kind == SIM_SAMPLE_LOCK_HOLD)
            kind = "hold";
        else if (s->kind == SIM_SAMPLE_FALLBACK)
            kind = "fallback";
        if (kind)
            g_string_append_printf(out, "%s %d %.3f %.3f -\n", kind, s->tab, s->start_us / 1000.0, s->end_us / 1000.0);
    }
    for (guint i = 0; m && i < m->violations->len; i++) {
        const sim_violation *v = m->violations->pdata[i];
        int tabs[2] = {v->tab_a, v->tab_b};
        for (int j = 0; j < 2; j++)
            if (tabs[j] > 0)
                g_string_append_printf(out, "violation %d %.3f %.3f %s\n", tabs[j], v->time_us / 1000.0,
                                       v->time_us / 1000.0, sim_invariant_name(v->invariant));
    }
    return g_string_free(out, FALSE);
}

/* ---- uncontended cost ------------------------------------------------- */

/* What the scenario's algorithm declares (xt_mutex_algorithm.cost, from
 * its definition): every registered algorithm has one. */
void sim_cost_expected(const sim_scenario *s, sim_cost *out)
{
    const xt_mutex_algorithm *alg = sim_scenario_algorithm(s);
    xt_mutex_cost c;
    alg->cost(s->alg_values[s->algorithm], &c);
    out->acquire_ops = c.acquire_ops;
    out->release_ops = c.release_ops;
    out->definition = c.definition;
    out->variant = c.variant;
}
