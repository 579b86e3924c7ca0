/*
 * check_refuse.c - what `tabsim check` refuses of a scenario and the
 * options before it starts: options that scenario's search would not
 * apply.
 *
 * The rule (docs/bad-inputs.md): an option or key that would silently
 * change nothing, or change the check into another than the one asked
 * for, is bad input (exit 2) naming it and what is allowed, never
 * ignored.  Options of one kind of search (--executions, --preemptions,
 * --no-reduction, --stateful, --bitstate for the exhaustive search;
 * --symmetry, --state-memory for the one that keeps states; --depth for
 * PCT) apply to the scenarios of that kind and pass the others by, as a
 * directory of mixed scenarios needs, but one that applies to none of the
 * scenarios given is refused for each (check_applies); a file's keys for
 * its exhaustive search pass by under a --mode that overrides it.
 */
#include "check.h"

/* The starvation check's options: those it would not apply are refused,
 * not ignored (exit 2).  --stateful is what it is anyway; the bounds of
 * the other searches (--executions, --preemptions) apply to them, as
 * --depth applies only to PCT. */
static char *live_refused(const char *file, const sim_scenario *s, const check_request *req,
                          const sim_explore_options *o)
{
    const sim_explore_options *in = &req->explore;
    if (o->symmetry)
        return g_strdup_printf("%s: %s: the starvation check ([workload] forever) does not apply symmetry; "
                               "allowed: the same check without it",
                               file, in->symmetry ? "--symmetry" : "[explore] symmetry = true");
    if (in->bitstate)
        return g_strdup_printf("%s: --bitstate: the starvation check ([workload] forever) keeps every state of its "
                               "graph, to find its cycles; allowed: the same check without it",
                               file);
    if (in->state_memory_set)
        return g_strdup_printf("%s: --state-memory: the starvation check ([workload] forever) is bounded by "
                               "[explore] states_max, not by a memory size; allowed: [explore] states_max",
                               file);
    /* Asked for: random mode's default time model is timed, but not here. */
    if (in->time == SIM_TIME_TIMED || (in->time == SIM_TIME_DEFAULT && (sim_time_model)s->explore_time == SIM_TIME_TIMED))
        return g_strdup_printf("%s: %s: the starvation check ([workload] forever) is untimed only; allowed: "
                               "[explore] time = untimed or default (or --time untimed)",
                               file, in->time == SIM_TIME_TIMED ? "--time timed" : "[explore] time = timed");
    if (s->js_module && s->js_module[0])
        return g_strdup_printf("%s: [js] module with [workload] forever: JavaScript tabs are not supported by the "
                               "starvation check (node processes whose state no digest sees); allowed: the "
                               "random or stateless exhaustive search without forever",
                               file);
    return NULL;
}

/* Run i of a random or PCT search has seed base + i, printed with its
 * result (found in run i, seed ...; the resume line) for `tabsim run
 * --seed` and `check --seed` to take back, which take at most
 * G_MAXINT64: every run's seed must be one. */
static char *seeds_refused(const char *file, const sim_scenario *s, const check_request *req)
{
    gint64 runs = req->runs > 0 ? req->runs : s->runs;
    guint64 base = req->seed >= 0 ? (guint64)req->seed : (guint64)s->seed;
    char *why = sim_scenario_seeds_refused(base, runs, req->seed >= 0 ? "--seed" : "[check] seed", "runs");
    char *t = why ? g_strdup_printf("%s: %s", file, why) : NULL;
    g_free(why);
    return t;
}

void check_applies_add(check_applies *a, const sim_scenario *s, const check_request *req)
{
    sim_explore_options o;
    sim_explore_resolve(s, &req->explore, &o);
    if (s->forever)
        return; /* the starvation check: its own search, which none of these options bound */
    a->exhaustive = a->exhaustive || o.mode == SIM_MODE_EXHAUSTIVE;
    a->states = a->states || (o.mode == SIM_MODE_EXHAUSTIVE && (o.stateful || o.bitstate));
    a->pct = a->pct || o.mode == SIM_MODE_PCT;
}

/* An option of another kind of search than s's that applies to none of
 * the scenarios given (a): refused, else passed by. */
static char *kind_refused(const char *file, const sim_explore_options *o, const check_request *req,
                          const check_applies *a)
{
    const sim_explore_options *in = &req->explore;
    const char *search = o->mode == SIM_MODE_RANDOM ? "a random search" : o->mode == SIM_MODE_PCT ? "a PCT search"
                                                                                                  : "an exhaustive search";
    const char *option = NULL;
    if (o->mode != SIM_MODE_EXHAUSTIVE && !a->exhaustive)
        option = in->preemptions_set ? "--preemptions"
                 : in->executions_set ? "--executions"
                 : in->no_reduction   ? "--no-reduction"
                                      : NULL;
    if (option)
        return g_strdup_printf("%s: %s: applies only to an exhaustive search, and no scenario given makes one (this "
                               "one's is %s); allowed: --mode exhaustive, or [explore] mode = exhaustive",
                               file, option, search);
    if (o->mode != SIM_MODE_PCT && in->pct_depth_set && !a->pct)
        return g_strdup_printf("%s: --depth: applies only to a PCT search, and no scenario given makes one (this one's "
                               "is %s); allowed: --mode pct, or [explore] mode = pct",
                               file, search);
    return NULL;
}

char *check_options_refused(const char *file, const sim_scenario *s, const check_request *req,
                            const check_applies *a)
{
    sim_explore_options o;
    sim_explore_resolve(s, &req->explore, &o);
    if (s->forever)
        return live_refused(file, s, req, &o);
    char *kind = kind_refused(file, &o, req, a);
    if (kind)
        return kind;
    if (o.mode != SIM_MODE_EXHAUSTIVE) {
        char *why = seeds_refused(file, s, req);
        if (why)
            return why;
    }
    const char *search = o.mode == SIM_MODE_RANDOM ? "random search" : "PCT search";
    if (o.mode != SIM_MODE_EXHAUSTIVE) {
        /* Asked for on the command line, or by a file whose own search is
         * random or PCT: refused.  A file's keys for its exhaustive search
         * do not apply under a --mode that overrides it (as its
         * preemptions_max does not): `check scenarios/ --mode random`. */
        gboolean own = (sim_mode)s->explore_mode != SIM_MODE_EXHAUSTIVE;
        /* Given for the scenarios that search exhaustively: passed by here. */
        const char *option = req->explore.bitstate && !a->exhaustive           ? "--bitstate"
                             : req->explore.stateful_set && !a->exhaustive     ? "--stateful"
                             : req->explore.symmetry && !a->states             ? "--symmetry"
                             : req->explore.state_memory_set && !a->states     ? "--state-memory"
                             : own && s->stateful                              ? "[explore] stateful = true"
                             : own && s->symmetry                              ? "[explore] symmetry = true"
                                                                               : NULL;
        if (!option)
            return NULL;
        return g_strdup_printf("%s: %s: only in an exhaustive search (the %s makes runs and keeps no states); "
                               "allowed: --mode exhaustive, or [explore] mode = exhaustive",
                               file, option, search);
    }
    if (!(o.stateful || o.bitstate)) {
        /* Given for the scenarios whose search keeps states: passed by here. */
        const char *option = req->explore.symmetry && !a->states             ? "--symmetry"
                             : s->symmetry && !req->explore.symmetry         ? "[explore] symmetry = true"
                             : req->explore.state_memory_set && !a->states   ? "--state-memory"
                                                                             : NULL;
        if (!option)
            return NULL;
        return g_strdup_printf("%s: %s: only with --stateful or --bitstate (the stateless search keeps no states); "
                               "allowed: --stateful, --bitstate, or [explore] stateful = true",
                               file, option);
    }
    const char *how = req->explore.bitstate ? "--bitstate" : req->explore.stateful_set ? "--stateful" : "[explore] stateful = true";
    if (o.time == SIM_TIME_TIMED)
        return g_strdup_printf("%s: %s: the stateful search is untimed only; allowed: [explore] time = untimed or "
                               "default (or --time untimed), or the stateless search",
                               file, how);
    if (s->js_module && s->js_module[0])
        return g_strdup_printf("%s: [js] module with %s: JavaScript tabs are not supported by the "
                               "stateful search; allowed: the stateless search",
                               file, how);
    return NULL;
}
