/*
 * env.c - the thin wrappers through which core/ reaches its environment.
 *
 * As with SQLite's sqlite3OsRead, each wrapper is the single place for the
 * asserts that guard every call (a NULL env or method table is a programmer
 * error).  Nothing here keeps state besides env->debug, which
 * xt_env_debug_init sets once from the bucketeer_debug key, as the seed's
 * "Debug Information" section describes.  Logging formats the message here
 * so that a backend only ever receives finished strings.
 */
#include "xt/env.h"

#include <assert.h>
#include <stdarg.h>
#include <string.h>

#define XT_CLIENT_ID_RANDOM_CHARS 8

int xt_env_get(xt_env *env, const char *key, GString *value_out)
{
    assert(env && env->m && env->m->storage_get);
    assert(key && value_out);
    return env->m->storage_get(env->ctx, key, value_out);
}

int xt_env_set(xt_env *env, const char *key, const char *value)
{
    assert(env && env->m && env->m->storage_set);
    assert(key && value);
    return env->m->storage_set(env->ctx, key, value);
}

int xt_env_remove(xt_env *env, const char *key)
{
    assert(env && env->m && env->m->storage_remove);
    assert(key);
    return env->m->storage_remove(env->ctx, key);
}

int xt_env_length(xt_env *env, size_t *length_out)
{
    assert(env && env->m && env->m->storage_length);
    assert(length_out);
    return env->m->storage_length(env->ctx, length_out);
}

int xt_env_key(xt_env *env, size_t index, GString *key_out)
{
    assert(env && env->m && env->m->storage_key);
    assert(key_out);
    return env->m->storage_key(env->ctx, index, key_out);
}

int64_t xt_env_now_ms(xt_env *env)
{
    assert(env && env->m && env->m->clock_now_ms);
    return env->m->clock_now_ms(env->ctx);
}

int xt_env_sleep_ms(xt_env *env, int64_t ms)
{
    assert(env && env->m && env->m->sleep_ms);
    assert(ms >= 0);
    return env->m->sleep_ms(env->ctx, ms);
}

uint64_t xt_env_random_u64(xt_env *env)
{
    assert(env && env->m && env->m->random_u64);
    return env->m->random_u64(env->ctx);
}

int xt_env_send(xt_env *env, const char *body)
{
    assert(env && env->m && env->m->transport_send);
    assert(body);
    return env->m->transport_send(env->ctx, body);
}

int xt_env_spawn(xt_env *env, xt_task_fn fn, void *arg)
{
    assert(env && env->m && env->m->task_spawn);
    assert(fn);
    return env->m->task_spawn(env->ctx, fn, arg);
}

gboolean xt_env_has_web_locks(const xt_env *env)
{
    assert(env && env->m);
    return env->m->lock_request != NULL && env->m->lock_release != NULL;
}

int xt_env_lock_request(xt_env *env, const char *name, int flags, uint64_t *handle_out)
{
    assert(env && xt_env_has_web_locks(env));
    assert(name && handle_out);
    assert((flags & ~(XT_LOCK_IF_AVAILABLE | XT_LOCK_STEAL)) == 0);
    /* The API itself rejects the two together (NotSupportedError). */
    assert(!((flags & XT_LOCK_IF_AVAILABLE) && (flags & XT_LOCK_STEAL)));
    return env->m->lock_request(env->ctx, name, flags, handle_out);
}

int xt_env_lock_release(xt_env *env, uint64_t handle)
{
    assert(env && xt_env_has_web_locks(env));
    return env->m->lock_release(env->ctx, handle);
}

gboolean xt_env_has_mark(const xt_env *env)
{
    assert(env && env->m);
    return env->m->mark != NULL;
}

gboolean xt_env_has_wait(const xt_env *env)
{
    assert(env && env->m);
    return env->m->wait != NULL;
}

int xt_env_wait(xt_env *env, const char *const *keys, size_t n_keys, int64_t timeout_ms)
{
    assert(env && env->m);
    assert((keys == NULL) == (n_keys == 0));
    for (size_t i = 0; i < n_keys; i++)
        assert(keys[i]);
    if (env->m->wait)
        return env->m->wait(env->ctx, keys, n_keys, timeout_ms);
    /* No change notification: what is left is the deadline, or a poll. */
    if (timeout_ms >= 0) {
        int rc = xt_env_sleep_ms(env, timeout_ms);
        return rc == XT_OK ? XT_ETIMEOUT : rc;
    }
    return xt_env_sleep_ms(env, XT_ENV_WAIT_POLL_MS);
}

void xt_env_storage_notify(xt_env *env)
{
    assert(env && env->m);
    if (env->m->storage_notify)
        env->m->storage_notify(env->ctx);
}

int xt_env_tab_wait(xt_env *env)
{
    assert(env && env->m);
    assert((env->m->tab_wait == NULL) == (env->m->tab_wake == NULL));
    if (!env->m->tab_wait)
        return xt_env_sleep_ms(env, XT_TAB_WAIT_POLL_MS);
    return env->m->tab_wait(env->ctx);
}

void xt_env_tab_wake(xt_env *env)
{
    assert(env && env->m);
    if (env->m->tab_wake)
        env->m->tab_wake(env->ctx);
}

gboolean xt_env_deadline_passed(xt_env *env, int64_t at_ms)
{
    assert(env && env->m);
    if (env->m->clock_passed)
        return env->m->clock_passed(env->ctx, at_ms);
    return xt_env_now_ms(env) >= at_ms;
}

int64_t xt_env_wait_ended_ms(xt_env *env)
{
    assert(env && env->m);
    if (env->m->wait_ended_ms)
        return env->m->wait_ended_ms(env->ctx);
    return xt_env_now_ms(env);
}

int xt_env_sleep_after_wait_ms(xt_env *env, int64_t ms)
{
    assert(env && env->m);
    if (env->m->sleep_after_wait_ms)
        return env->m->sleep_after_wait_ms(env->ctx, ms);
    return xt_env_sleep_ms(env, ms);
}

void xt_env_mark(xt_env *env, const char *label, const void *live, size_t len)
{
    assert(env && env->m && label && (live || len == 0));
    if (env->m->mark)
        env->m->mark(env->ctx, label, live, len);
}

void xt_env_debug_init(xt_env *env)
{
    assert(env && env->m);
    GString *value = g_string_new(NULL);
    /* Any failure to read (absent key, unavailable storage, cancellation)
     * leaves debug logging off: the flag is a convenience, never an error. */
    xt_env_step(env, "read " XT_DEBUG_KEY);
    int rc = xt_env_get(env, XT_DEBUG_KEY, value);
    env->debug = rc == XT_OK && strcmp(value->str, "true") == 0;
    g_string_free(value, TRUE);
}

static void env_log_v(xt_env *env, xt_log_level level, const char *fmt, va_list ap)
{
    assert(env->m->log);
    char *message = g_strdup_vprintf(fmt, ap);
    env->m->log(env->ctx, level, message);
    g_free(message);
}

void xt_env_warn(xt_env *env, const char *fmt, ...)
{
    assert(env && env->m && fmt);
    va_list ap;
    va_start(ap, fmt);
    env_log_v(env, XT_LOG_WARN, fmt, ap);
    va_end(ap);
}

void xt_env_debug(xt_env *env, const char *fmt, ...)
{
    assert(env && env->m && fmt);
    if (!env->debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    env_log_v(env, XT_LOG_DEBUG, fmt, ap);
    va_end(ap);
}

void xt_env_observe(xt_env *env, xt_obs_kind kind, const char *label,
                    const char *detail, int64_t value)
{
    assert(env && env->m);
    if (!env->m->observe)
        return;
    xt_obs obs = { .kind = kind, .label = label, .detail = detail, .value = value };
    env->m->observe(env->ctx, &obs);
}

void xt_env_step(xt_env *env, const char *label)
{
    xt_env_observe(env, XT_OBS_STEP, label, NULL, 0);
}

char *xt_client_id_new(xt_env *env)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    int64_t now = xt_env_now_ms(env);
    uint64_t r = xt_env_random_u64(env);
    char suffix[XT_CLIENT_ID_RANDOM_CHARS + 1];
    /* 8 base-36 digits use about 41 of the 64 random bits, like the SDK's
     * slice of Math.random written in base 36. */
    for (int i = 0; i < XT_CLIENT_ID_RANDOM_CHARS; i++) {
        suffix[i] = digits[r % 36];
        r /= 36;
    }
    suffix[XT_CLIENT_ID_RANDOM_CHARS] = '\0';
    return g_strdup_printf("%" G_GINT64_FORMAT "-%s", (gint64)now, suffix);
}
