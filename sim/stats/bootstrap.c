/*
 * bootstrap.c - percentile bootstrap over runs; see sim/stats/bootstrap.h
 * for the method and docs/statistics.md for the columns it fills.
 *
 * The values of the statistic are grouped by run once (samples are stored
 * in run order), then each resample gathers the groups of its drawn runs,
 * sorts them and takes the nearest-rank p50 and p99.  Every loop is bounded
 * by the runs, the samples and SIM_BOOTSTRAP_RESAMPLES.
 */
#include "sim/stats/bootstrap.h"

#include <string.h>

/* splitmix64 (Steele, Lea, Flood 2014): small, fast, fully determined by
 * its seed on every platform. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static gint double_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sort_doubles(double *v, guint n)
{
    g_qsort_with_data(v, (gint)n, sizeof(double), double_cmp, NULL);
}

void sim_stats_bootstrap(const sim_stats *st, sim_stat_id id, sim_stat_interval *out)
{
    memset(out, 0, sizeof *out);
    guint runs = st->runs;
    if (runs == 0)
        return;
    /* values[first[r] .. first[r + 1]) are run r's */
    GArray *values = g_array_new(FALSE, FALSE, sizeof(double));
    guint *first = g_new0(guint, runs + 1);
    guint last_run = 0;
    for (guint i = 0; i < st->samples->len; i++) {
        const sim_sample *s = &g_array_index(st->samples, sim_sample, i);
        double v;
        g_assert(s->run < runs);       /* a run still open has no business here */
        g_assert(s->run >= last_run);  /* run order: each run's values are contiguous */
        last_run = s->run;
        if (sim_stat_value(id, s, &v)) {
            g_array_append_val(values, v);
            first[s->run + 1]++;
        }
    }
    for (guint r = 0; r < runs; r++)
        first[r + 1] += first[r];
    GArray *pool = g_array_new(FALSE, FALSE, sizeof(double));
    double p50s[SIM_BOOTSTRAP_RESAMPLES], p99s[SIM_BOOTSTRAP_RESAMPLES];
    guint k = 0;
    uint64_t state = SIM_BOOTSTRAP_SEED;
    for (guint b = 0; b < SIM_BOOTSTRAP_RESAMPLES && values->len > 0; b++) {
        g_array_set_size(pool, 0);
        for (guint j = 0; j < runs; j++) {
            guint r = (guint)(splitmix64(&state) % runs);
            g_array_append_vals(pool, &g_array_index(values, double, first[r]), first[r + 1] - first[r]);
        }
        if (pool->len == 0)
            continue; /* every drawn run lacks the statistic */
        sort_doubles((double *)pool->data, pool->len);
        p50s[k] = sim_percentile((double *)pool->data, pool->len, 50);
        p99s[k] = sim_percentile((double *)pool->data, pool->len, 99);
        k++;
    }
    if (k > 0) {
        sort_doubles(p50s, k);
        sort_doubles(p99s, k);
        out->resamples = k;
        out->p50_lo = sim_percentile(p50s, k, 2.5);
        out->p50_hi = sim_percentile(p50s, k, 97.5);
        out->p99_lo = sim_percentile(p99s, k, 2.5);
        out->p99_hi = sim_percentile(p99s, k, 97.5);
    }
    g_array_free(pool, TRUE);
    g_array_free(values, TRUE);
    g_free(first);
}
