/*
 * cmd_check.c - `tabsim check DIR/ FILE...`: explore every scenario, judge
 * each against its [expect], print one block per scenario, a summary and
 * the exit code; optionally write JSON and JUnit reports.
 *
 * Work: each scenario is one job; in random mode with --jobs > 1 a job is
 * cut into chunks of consecutive runs (a multiple of the shard count long,
 * so that sharding composes); an exhaustive one into --jobs parts that
 * share its work items (check_split.c).  Worker threads take tasks (job, chunk) in
 * input order, each thread with its own coroutine stack pool; the world
 * keeps no mutable global state (coro.c's hand-over pointer is
 * thread-local), so worlds on different threads are independent.  The main
 * thread waits for each job in input order, combines its chunks (see
 * check_outcome.c), replays the counterexample and prints.  So the output
 * of --jobs N is byte for byte that of --jobs 1.
 *
 * Stopping: --time-budget is one deadline for the whole command, and
 * SIGINT/SIGTERM stop it too (a second signal kills, as usual): either sets
 * the stop word (check_stop.c) that every run polls before every step, so
 * the check stops within a step wherever it is.  Chunks not started by
 * then do not start.  Stopped work is reported as incomplete with a resume
 * command; exit code 3.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sim/input.h"
#include "sim/output.h"
#include "sim/js/js_host.h"


/* A worker's own stack holds the explorers' frames only (the code under
 * test runs on coroutine stacks, SIM_STACK_SIZE each): far below the 8 MiB
 * a thread gets by default, which under `ulimit -v` would cost --jobs 16
 * 128 MiB of address space. */
#define CHECK_WORKER_STACK_BYTES (2 * 1024 * 1024)

/* Scenario files are a few hundred bytes; anything this big is a mistake. */
#define CHECK_FILE_BYTES_MAX (16 * 1024 * 1024)

static double wall_clock_s(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

typedef struct check_job {
    check_outcome *outcome;
    sim_scenario *scenario;      /* NULL: bad input */
    int n_chunks;
    sim_explore_result *chunks;
    gint64 *chunk_first_run;     /* 0-based index of each chunk's first run */
    gint64 *chunk_runs;
    int chunks_left;             /* under check_state.lock */
    int violation_chunk;         /* lowest chunk with a violation so far */
    gboolean first;              /* --first or [explore] first: stop at the first violation */
    gboolean split;              /* exhaustive, one chunk per thread: the parts of one search (check_split.c) */
    double t_start, t_end;
    sim_live_result live;        /* [workload] forever: the starvation check's result */
    gboolean live_ran;           /* ... made (not stopped before it began) */
} check_job;

typedef struct check_task {
    int job, chunk;
} check_task;

typedef struct check_state {
    const check_request *req;
    check_job *jobs;
    int n_jobs;
    check_task *tasks;
    int n_tasks;
    int next_task;               /* under lock */
    GMutex lock;
    GCond done;
} check_state;

/* Runs one task (or records why it did not start) and stores its result. */
static void task_run(check_state *st, const check_task *t, sim_stack_pool *pool)
{
    const check_request *req = st->req;
    check_job *job = &st->jobs[t->job];
    sim_explore_result r;
    memset(&r, 0, sizeof r);
    g_mutex_lock(&st->lock);
    /* Without --first every run is made: each invariant is judged. */
    gboolean superseded = job->first && job->violation_chunk < t->chunk;
    g_mutex_unlock(&st->lock);
    double now = wall_clock_s();
    sim_stop stopped = check_stop_cause();
    if (!stopped && req->deadline_s > 0 && now >= req->deadline_s)
        stopped = SIM_STOP_BUDGET;
    if (job->scenario->forever && !stopped) {
        /* Tabs that take the lock for ever: the starvation check, whatever the mode. */
        sim_live_options lo = {.stop = req->explore.stop, .clock_s = wall_clock_s,
                               .steps_max = req->explore.steps_max};
        sim_live_check(job->scenario, pool, &lo, &job->live);
        job->live_ran = TRUE;
        r.verdict = job->live.verdict == SIM_LIVE_INCOMPLETE ? SIM_VERDICT_INCOMPLETE : SIM_VERDICT_VERIFIED;
    } else if (superseded) {
        r.verdict = SIM_VERDICT_PASSED; /* discarded: an earlier chunk has the first violation */
    } else if (stopped) {
        r.verdict = SIM_VERDICT_INCOMPLETE;
        r.stop_cause = stopped;
        r.incomplete_reason = sim_explore_stop_text(stopped, &req->explore);
    } else {
        /* time_budget_s stays the command's, for the explorers' messages:
         * measured from the chunk's start it never ends before the
         * watchdog's deadline does. */
        sim_explore_options eo = req->explore;
        gint64 first = job->chunk_first_run[t->chunk];
        guint64 base = req->seed >= 0 ? (guint64)req->seed : (guint64)job->scenario->seed;
        eo.runs = job->chunk_runs[t->chunk];
        /* Chunks run at once, and several may find a violation: only the
         * first one's counterexample is reported, so it alone is shrunk,
         * once, when the chunks are combined (check_outcome_fill). */
        eo.shrink = eo.shrink && job->n_chunks == 1;
        eo.seed = (gint64)(base + (guint64)first);
        if (job->split)
            check_split_options(&eo, t->chunk, job->n_chunks);
        eo.clock_s = wall_clock_s;
        if (eo.progress)
            eo.progress_ctx = job->scenario->name;
        sim_explore(job->scenario, pool, &eo, &r);
        /* In random mode, say why in the command's terms; check_outcome_fill
         * adds how far the scenario got (a chunk's own count would mislead). */
        sim_explore_options resolved;
        sim_explore_resolve(job->scenario, &eo, &resolved);
        if ((r.verdict == SIM_VERDICT_INCOMPLETE || r.incomplete_reason) && resolved.mode == SIM_MODE_RANDOM &&
            r.stop_cause) {
            g_free(r.incomplete_reason);
            r.incomplete_reason = sim_explore_stop_text(r.stop_cause, &req->explore);
        }
    }
    double end = wall_clock_s();
    g_mutex_lock(&st->lock);
    job->chunks[t->chunk] = r;
    /* A violation found ends the scenario's runs there, even one whose
     * shrinking a stop cut (check_outcome.c). */
    gboolean found = r.verdict == SIM_VERDICT_VIOLATION || r.cex_unshrunk;
    if (found && t->chunk < job->violation_chunk)
        job->violation_chunk = t->chunk;
    job->t_start = job->t_start == 0 ? now : MIN(job->t_start, now);
    job->t_end = MAX(job->t_end, end);
    job->chunks_left--;
    g_cond_broadcast(&st->done);
    g_mutex_unlock(&st->lock);
}

static void *worker_main(void *data)
{
    check_state *st = data;
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (;;) {
        g_mutex_lock(&st->lock);
        int i = st->next_task < st->n_tasks ? st->next_task++ : -1;
        g_mutex_unlock(&st->lock);
        if (i < 0)
            break;
        task_run(st, &st->tasks[i], pool);
    }
    sim_stack_pool_free(pool);
    return NULL;
}

/* Cuts a random-mode job into chunks of consecutive runs for the workers. */
static void job_plan(check_job *job, const check_request *req, int jobs)
{
    gint64 runs = req->runs > 0 ? req->runs : (job->scenario ? job->scenario->runs : 0);
    int n = 1;
    gint64 len = runs;
    guint64 base = req->seed >= 0 ? (guint64)req->seed : (job->scenario ? (guint64)job->scenario->seed : 0);
    /* Chunks pass their first seed as a gint64: only split where it fits. */
    sim_explore_options resolved;
    if (job->scenario)
        sim_explore_resolve(job->scenario, &req->explore, &resolved);
    if (job->scenario && !job->scenario->forever && jobs > 1 && resolved.mode == SIM_MODE_RANDOM && runs >= 128 &&
        base <= (guint64)(G_MAXINT64 - runs)) {
        gint64 shards = req->explore.shard_count;
        n = (int)MIN((gint64)jobs * 4, runs / 64);
        len = (runs + n - 1) / n;
        len = (len + shards - 1) / shards * shards; /* chunks start on a multiple of the shard count */
        n = (int)((runs + len - 1) / len);
    } else if (job->scenario && !job->scenario->forever && check_split_wanted(&resolved, jobs)) {
        n = jobs; /* every part has the whole search's runs; it explores its own work items */
        job->split = TRUE;
    }
    job->n_chunks = job->scenario ? n : 0;
    job->chunks = g_new0(sim_explore_result, MAX(n, 1));
    job->chunk_first_run = g_new0(gint64, MAX(n, 1));
    job->chunk_runs = g_new0(gint64, MAX(n, 1));
    for (int c = 0; c < job->n_chunks; c++) {
        job->chunk_first_run[c] = job->split ? 0 : (gint64)c * len;
        job->chunk_runs[c] = job->split ? runs : MIN(len, runs - (gint64)c * len);
    }
    job->chunks_left = job->n_chunks;
    job->violation_chunk = G_MAXINT;
    job->first = job->scenario && resolved.first;
}

/* Loads every scenario (errors to stderr, in order) and plans the tasks. */
/* The stateful search (sim/explore/explore_state.c) is untimed and for
 * tabs in this process: anything else is refused (exit 2), naming
 * the file, the option or key, and what is allowed; so is --state-memory
 * for a scenario whose search keeps no states.  Caller frees. */
static void state_init(check_state *st, const check_request *req, GPtrArray *files, GPtrArray *errors, int jobs)
{
    memset(st, 0, sizeof *st);
    st->req = req;
    st->n_jobs = (int)files->len;
    st->jobs = g_new0(check_job, MAX(st->n_jobs, 1));
    check_applies applies = {0};
    for (int i = 0; i < st->n_jobs; i++) {
        check_job *job = &st->jobs[i];
        job->outcome = check_outcome_new(files->pdata[i]);
        GError *error = NULL;
        if (errors->pdata[i])
            job->outcome->error = g_strdup(errors->pdata[i]);
        else if (!(job->scenario = sim_scenario_load(files->pdata[i], &error))) {
            job->outcome->error = g_strdup(error->message);
            g_error_free(error);
        }
        if (job->scenario)
            check_applies_add(&applies, job->scenario, req);
    }
    for (int i = 0; i < st->n_jobs; i++) {
        check_job *job = &st->jobs[i];
        if (job->scenario && !job->outcome->error)
            job->outcome->error = check_options_refused(files->pdata[i], job->scenario, req, &applies);
        if (job->outcome->error && job->scenario) {
            sim_scenario_free(job->scenario);
            job->scenario = NULL;
        }
        if (job->outcome->error)
            cli_usage_error("%s", job->outcome->error);
        job_plan(job, req, jobs);
        st->n_tasks += job->n_chunks;
    }
    st->tasks = g_new0(check_task, MAX(st->n_tasks, 1));
    int t = 0;
    for (int i = 0; i < st->n_jobs; i++)
        for (int c = 0; c < st->jobs[i].n_chunks; c++)
            st->tasks[t++] = (check_task){i, c};
    g_mutex_init(&st->lock);
    g_cond_init(&st->done);
}

static void job_finish(check_job *job, const check_request *req, sim_stack_pool *pool)
{
    check_outcome *o = job->outcome;
    /* Its JavaScript could not run (a module that does not load, an
     * adapter that breaks its contract, no node): bad input, as a file
     * that does not load, and the other scenarios go on. */
    char *js_error = job->scenario ? sim_js_error_take(job->scenario->path) : NULL;
    if (js_error) {
        cli_usage_error("%s", js_error);
        o->error = js_error;
        sim_scenario_free(job->scenario);
        job->scenario = NULL;
    }
    if (job->scenario && job->scenario->forever) {
        if (!job->live_ran) { /* stopped before it began */
            job->live.verdict = SIM_LIVE_INCOMPLETE;
            job->live.incomplete_reason = g_strdup(job->n_chunks > 0 && job->chunks[0].incomplete_reason
                                                       ? job->chunks[0].incomplete_reason
                                                       : "stopped before it began");
        }
        check_live_fill(o, job->scenario, req, &job->live);
    } else if (job->scenario && job->split) {
        /* The parts of one exhaustive search, combined as one search's. */
        sim_explore_result whole;
        check_split_combine(job->chunks, job->n_chunks, &req->explore, &whole);
        check_outcome_fill(o, job->scenario, pool, req, &whole, 1, job->chunk_first_run);
        sim_explore_result_clear(&whole);
        o->elapsed_s = job->t_end > job->t_start ? job->t_end - job->t_start : 0;
    } else if (job->scenario) {
        int n = job->first && job->violation_chunk < job->n_chunks ? job->violation_chunk + 1 : job->n_chunks;
        check_outcome_fill(o, job->scenario, pool, req, job->chunks, n, job->chunk_first_run);
        o->elapsed_s = job->t_end > job->t_start ? job->t_end - job->t_start : 0;
    }
    for (int c = 0; c < job->n_chunks; c++)
        sim_explore_result_clear(&job->chunks[c]);
    sim_live_result_clear(&job->live);
    GString *text = g_string_new(NULL);
    check_outcome_print(text, o);
    fputs(text->str, stdout);
    fflush(stdout);
    g_string_free(text, TRUE);
}

static void state_clear(check_state *st)
{
    for (int i = 0; i < st->n_jobs; i++) {
        sim_scenario_free(st->jobs[i].scenario);
        g_free(st->jobs[i].chunks);
        g_free(st->jobs[i].chunk_first_run);
        g_free(st->jobs[i].chunk_runs);
    }
    g_free(st->jobs);
    g_free(st->tasks);
    g_mutex_clear(&st->lock);
    g_cond_clear(&st->done);
}

/* Runs every task, on jobs threads or here, printing jobs in input order. */
static void state_run(check_state *st, int jobs)
{
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int n_threads = jobs > 1 ? MIN(jobs, st->n_tasks) : 0;
    pthread_t *threads = g_new0(pthread_t, MAX(n_threads, 1));
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, CHECK_WORKER_STACK_BYTES);
    for (int i = 0; i < n_threads; i++) {
        /* Out of threads or memory for their stacks: the threads started
         * do the work (the output does not depend on how many there are),
         * or this one does it alone. */
        int err = pthread_create(&threads[i], &attr, worker_main, st);
        if (err != 0) {
            fprintf(stderr, "tabsim: --jobs %d: could start only %d threads (%s); the output is the same\n", jobs, i,
                    g_strerror(err));
            n_threads = i;
        }
    }
    pthread_attr_destroy(&attr);
    for (int i = 0; i < st->n_jobs; i++) {
        check_job *job = &st->jobs[i];
        if (n_threads == 0)
            for (int c = 0; c < job->n_chunks; c++)
                task_run(st, &(check_task){i, c}, pool);
        g_mutex_lock(&st->lock);
        while (job->chunks_left > 0)
            g_cond_wait(&st->done, &st->lock);
        g_mutex_unlock(&st->lock);
        if (i > 0)
            fputc('\n', stdout);
        job_finish(job, st->req, pool);
    }
    for (int i = 0; i < n_threads; i++)
        pthread_join(threads[i], NULL);
    g_free(threads);
    sim_stack_pool_free(pool);
}

/* The --mermaid file: the first counterexample's diagram, or a diagram
 * that says why there is none, so that a file left by an earlier check
 * (a CI artifact) never stands for this one. */
static char *mermaid_text(const check_cli *c, check_outcome *const *outcomes, guint n)
{
    const check_outcome *lasso = NULL;
    for (guint i = 0; i < n; i++) {
        const check_outcome *o = outcomes[i];
        if (o->verdict == SIM_VERDICT_VIOLATION && o->live && !lasso)
            lasso = o;
        if (o->verdict != SIM_VERDICT_VIOLATION || o->live)
            continue;
        if (o->mermaid)
            return g_strdup(o->mermaid);
        /* Its timeline was not made (a stop): not the next scenario's instead. */
        fprintf(stderr, "tabsim: --mermaid %s: no diagram: the first counterexample (%s) has no timeline; "
                        "its replay command makes one (tabsim replay ... --mermaid FILE)\n",
                c->mermaid, o->name);
        return g_strdup_printf("sequenceDiagram\n    Note over tabsim: the first counterexample (%s) has no "
                               "timeline (the check was stopped); its replay command makes one\n",
                               o->name);
    }
    if (lasso)
        return g_strdup_printf("sequenceDiagram\n    Note over tabsim: the only counterexample (%s) is a starvation "
                               "lasso, which no diagram draws; its replay command shows it\n",
                               lasso->name);
    if (n == 1)
        return g_strdup("sequenceDiagram\n    Note over tabsim: no counterexample: the scenario checked had none\n");
    return g_strdup_printf("sequenceDiagram\n    Note over tabsim: no counterexample: none of the %u scenarios "
                           "checked had one\n", n);
}

static int reports_write(const check_cli *c, check_outcome *const *outcomes, guint n, int rc)
{
    GError *error = NULL;
    if (c->mermaid) {
        char *text = mermaid_text(c, outcomes, n);
        if (!sim_output_write(c->mermaid, text, -1, &error)) {
            rc = cli_usage_error("--mermaid %s: %s", c->mermaid, error->message);
            g_clear_error(&error);
        }
        g_free(text);
    }
    if (c->json && !check_json_write(c->json, "check", outcomes, n, c->req.timing, rc, &error)) {
        rc = cli_usage_error("--json %s: %s", c->json, error->message);
        g_clear_error(&error);
    }
    if (c->junit && !check_junit_write(c->junit, outcomes, n, c->req.timing, &error)) {
        rc = cli_usage_error("--junit %s: %s", c->junit, error->message);
        g_clear_error(&error);
    }
    return rc;
}

int cli_check(int argc, char **argv)
{
    check_cli c;
    memset(&c, 0, sizeof c);
    if (check_cli_parse(&c, argc, argv) != CLI_EXIT_EXPECTED) {
        check_cli_clear(&c);
        return CLI_EXIT_USAGE;
    }
    double t0 = wall_clock_s();
    if (c.time_budget_s > 0)
        c.req.deadline_s = t0 + c.time_budget_s;
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    for (int i = 1; i < c.args.argc; i++)
        cli_expand_arg(c.args.argv[i], files, errors);
    /* The arguments (a DIR too) and the files they stand for. */
    GPtrArray *inputs = g_ptr_array_new();
    for (int i = 1; i < c.args.argc; i++)
        g_ptr_array_add(inputs, c.args.argv[i]);
    for (guint i = 0; i < files->len; i++)
        g_ptr_array_add(inputs, files->pdata[i]);
    const cli_output outputs[] = {{"--json", c.json}, {"--junit", c.junit}, {"--mermaid", c.mermaid}};
    int out_rc = cli_outputs_check(outputs, G_N_ELEMENTS(outputs), (const char *const *)inputs->pdata, inputs->len);
    g_ptr_array_free(inputs, TRUE);
    if (out_rc != CLI_EXIT_EXPECTED) {
        g_ptr_array_free(files, TRUE);
        g_ptr_array_free(errors, TRUE);
        check_cli_clear(&c);
        return out_rc;
    }

    if (c.list_items) {
        c.req.explore.stop = check_stop_begin(c.req.deadline_s);
        int rc = check_items_list(&c.req, files, errors);
        check_stop_end();
        g_ptr_array_free(files, TRUE);
        g_ptr_array_free(errors, TRUE);
        check_cli_clear(&c);
        return rc;
    }
    cli_oom_reports(c.json, c.junit);
    c.req.explore.stop = check_stop_begin(c.req.deadline_s);
    check_state st;
    state_init(&st, &c.req, files, errors, c.jobs);
    state_run(&st, c.jobs);
    sim_stop stopped = check_stop_cause();
    /* The handlers stay until the reports are written: a signal from here
     * on (GNU timeout's second SIGTERM, to the process group) changes
     * nothing, where the default action would kill the check before its
     * report is out. */

    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)check_outcome_free);
    for (int i = 0; i < st.n_jobs; i++)
        g_ptr_array_add(outcomes, st.jobs[i].outcome);
    state_clear(&st);
    check_outcome *const *all = (check_outcome *const *)outcomes->pdata;
    int rc = check_exit_code(all, outcomes->len);
    GString *text = g_string_new("\n");
    check_summary_print(text, all, outcomes->len, c.req.timing, wall_clock_s() - t0, rc);
    fputs(text->str, stdout);
    fflush(stdout);
    g_string_free(text, TRUE);
    if (stopped == SIM_STOP_SIGNAL)
        fprintf(stderr, "tabsim: interrupted; the report says what was covered, and each stopped scenario's "
                        "resume line how to cover the rest\n");
    int written = reports_write(&c, all, outcomes->len, rc);
    if (written != rc) /* the total line above said rc: say what it is now */
        printf("exit        %d: a report could not be written (the error is on stderr)\n", written);
    rc = written;
    check_stop_end();
    cli_oom_reports(NULL, NULL); /* written: out of memory from here on must not replace them */
    g_ptr_array_free(outcomes, TRUE);
    g_ptr_array_free(files, TRUE);
    g_ptr_array_free(errors, TRUE);
    check_cli_clear(&c);
    return rc;
}
