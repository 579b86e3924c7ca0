/*
 * mutex_naive.c - the naive get-then-set lock (xt/mutex_naive.h).
 *
 * lock(): get the key; if it is empty, set it to our id and return; else
 * wait for the key to change (xt_env_wait on it, no deadline; a poll of
 * retry_interval_ms where the environment cannot wait) and try again, up
 * to retries_max times.  unlock(): remove the key.
 * Broken on purpose: two tabs can both read "empty" before either writes,
 * and both enter.  Its descriptor (the end of this file) makes it a
 * configurable algorithm ([naive] in a scenario).
 */
#include "xt/mutex_naive.h"
#include "xt/mutex_algorithm.h"

#include <assert.h>

typedef struct naive_mutex {
    xt_mutex base;
    xt_naive_mutex_options options;
    char *key, *client_id;
    GString *value;
} naive_mutex;

static int naive_lock(xt_mutex *mutex)
{
    naive_mutex *nm = (naive_mutex *)mutex;
    for (int attempt = 0;; attempt++) {
        xt_env_step(mutex->env, "read the lock");
        int rc = xt_env_get(mutex->env, nm->key, nm->value);
        if (rc == XT_ENOTFOUND) {
            xt_env_step(mutex->env, "take the lock");
            rc = xt_env_set(mutex->env, nm->key, nm->client_id);
            return rc;
        }
        if (rc != XT_OK)
            return rc;
        if (attempt >= nm->options.retries_max)
            return XT_ELOCKTIMEOUT;
        const char *const keys[1] = {nm->key};
        rc = xt_env_has_wait(mutex->env) ? xt_env_wait(mutex->env, keys, 1, -1)
                                         : xt_env_sleep_ms(mutex->env, nm->options.retry_interval_ms);
        if (rc != XT_OK)
            return rc;
    }
}

static void naive_unlock(xt_mutex *mutex)
{
    naive_mutex *nm = (naive_mutex *)mutex;
    xt_env_step(mutex->env, "release");
    (void)xt_env_remove(mutex->env, nm->key);
}

static void naive_free(xt_mutex *mutex)
{
    naive_mutex *nm = (naive_mutex *)mutex;
    g_free(nm->key);
    g_free(nm->client_id);
    g_string_free(nm->value, TRUE);
    g_free(nm);
}

static const xt_mutex_ops naive_ops = {
    .name = "naive",
    .exclusive = TRUE,
    .lock = naive_lock,
    .unlock = naive_unlock,
    .free = naive_free,
};

void xt_naive_mutex_options_init(xt_naive_mutex_options *options)
{
    options->key = "naive_lock";
    options->client_id = NULL;
    options->retry_interval_ms = 50;
    options->retries_max = 100;
}

xt_mutex *xt_naive_mutex_new(xt_env *env, const xt_naive_mutex_options *options)
{
    assert(options && options->client_id);
    naive_mutex *nm = g_new0(naive_mutex, 1);
    nm->base.ops = &naive_ops;
    nm->base.env = env;
    nm->options = *options;
    nm->key = g_strdup(options->key);
    nm->client_id = g_strdup(options->client_id);
    nm->value = g_string_new(NULL);
    return &nm->base;
}

/* ---- the descriptor (xt/mutex_algorithm.h) ------------------------------ */

static const xt_setting naive_settings[] = {
    {"retry_interval_ms", XT_SETTING_INT, "50", 0, 86400000, NULL,
     "Poll interval while the lock key is taken, where the environment cannot wait for it to change (tabsim "
     "always can)."},
    {"retries_max", XT_SETTING_INT, "100", 1, 1000000, NULL, "Waits before lock() fails and the caller falls back."},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static xt_mutex *naive_create(xt_env *env, const int64_t *v, const int64_t *fallback_values,
                              const xt_mutex_host *host)
{
    (void)fallback_values;
    xt_naive_mutex_options o;
    xt_naive_mutex_options_init(&o);
    o.client_id = host->client_id;
    o.retry_interval_ms = v[0];
    o.retries_max = (int)v[1];
    return xt_naive_mutex_new(env, &o);
}

static void naive_cost(const int64_t *v, xt_mutex_cost *out)
{
    (void)v;
    *out = (xt_mutex_cost){2, 1, "acquire: get (null), set our id; release: remove", NULL};
}

const xt_mutex_algorithm xt_naive_algorithm = {
    .name = "naive",
    .summary = "the naive get-then-set lock: read the key, write our id when it is empty (broken on purpose)",
    .settings = naive_settings,
    .create = naive_create,
    .cost = naive_cost,
};
