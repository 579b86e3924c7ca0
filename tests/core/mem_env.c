/*
 * mem_env.c - the in-memory test environment (see mem_env.h).
 *
 * Every method first records the call, then applies the knobs in a fixed
 * order (cancellation, unavailability, counted failures, quota), then does
 * the work.  Nothing depends on GHashTable iteration order: key(i) is
 * answered from the sorted key list.
 */
#include "mem_env.h"

#include <stdlib.h>
#include <string.h>

static mem_env *ctx_env(void *ctx)
{
    return ctx;
}

/* Counts an env call toward cancel_after_calls; TRUE if cancelled. */
static gboolean env_cancelled(mem_env *m)
{
    if (m->cancelled)
        return TRUE;
    if (m->cancel_after_calls >= 0) {
        if (m->cancel_after_calls == 0) {
            m->cancelled = TRUE;
            return TRUE;
        }
        m->cancel_after_calls--;
    }
    return FALSE;
}

/* Counted failure: returns the error when this call is the chosen one. */
static int counted_failure(int *at, int err)
{
    if (*at <= 0)
        return XT_OK;
    if (--*at == 0)
        return err;
    return XT_OK;
}

static void run_hook(mem_env *m, const char *op, const char *key)
{
    if (m->hook)
        m->hook(m, op, key, m->hook_data);
}

static int mem_storage_get(void *ctx, const char *key, GString *value_out)
{
    mem_env *m = ctx_env(ctx);
    run_hook(m, "get", key);
    g_ptr_array_add(m->ops, g_strdup_printf("get %s", key));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->unavailable)
        return XT_EUNAVAILABLE;
    int rc = counted_failure(&m->fail_get_at, m->fail_get_err);
    if (rc != XT_OK)
        return rc;
    const char *value = g_hash_table_lookup(m->storage, key);
    if (!value)
        return XT_ENOTFOUND;
    g_string_assign(value_out, value);
    return XT_OK;
}

static size_t storage_bytes(mem_env *m, const char *skip_key)
{
    size_t total = 0;
    GHashTableIter iter;
    gpointer k, v;
    /* A sum: the iteration order does not matter. */
    g_hash_table_iter_init(&iter, m->storage);
    while (g_hash_table_iter_next(&iter, &k, &v))
        if (!skip_key || strcmp(k, skip_key) != 0)
            total += strlen(k) + strlen(v);
    return total;
}

static int mem_storage_set(void *ctx, const char *key, const char *value)
{
    mem_env *m = ctx_env(ctx);
    run_hook(m, "set", key);
    g_ptr_array_add(m->ops, g_strdup_printf("set %s=%s", key, value));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->unavailable)
        return XT_EUNAVAILABLE;
    int rc = counted_failure(&m->fail_set_at, m->fail_set_err);
    if (rc != XT_OK)
        return rc;
    if (m->quota_bytes > 0 &&
        storage_bytes(m, key) + strlen(key) + strlen(value) > m->quota_bytes)
        return XT_EQUOTA;
    g_hash_table_insert(m->storage, g_strdup(key), g_strdup(value));
    return XT_OK;
}

static int mem_storage_remove(void *ctx, const char *key)
{
    mem_env *m = ctx_env(ctx);
    run_hook(m, "remove", key);
    g_ptr_array_add(m->ops, g_strdup_printf("remove %s", key));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->unavailable)
        return XT_EUNAVAILABLE;
    int rc = counted_failure(&m->fail_remove_at, m->fail_remove_err);
    if (rc != XT_OK)
        return rc;
    g_hash_table_remove(m->storage, key);
    return XT_OK;
}

static int mem_storage_length(void *ctx, size_t *length_out)
{
    mem_env *m = ctx_env(ctx);
    g_ptr_array_add(m->ops, g_strdup("length"));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->unavailable)
        return XT_EUNAVAILABLE;
    *length_out = g_hash_table_size(m->storage);
    return XT_OK;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int mem_storage_key(void *ctx, size_t index, GString *key_out)
{
    mem_env *m = ctx_env(ctx);
    run_hook(m, "key", NULL);
    g_ptr_array_add(m->ops, g_strdup_printf("key %zu", index));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->unavailable)
        return XT_EUNAVAILABLE;
    guint n = 0;
    gpointer *keys = g_hash_table_get_keys_as_array(m->storage, &n);
    qsort(keys, n, sizeof *keys, compare_keys);
    int rc = XT_ENOTFOUND;
    if (index < n) {
        g_string_assign(key_out, keys[index]);
        rc = XT_OK;
    }
    g_free(keys);
    return rc;
}

static int64_t mem_clock_now_ms(void *ctx)
{
    return ctx_env(ctx)->now_ms;
}

static int mem_sleep_ms(void *ctx, int64_t ms)
{
    mem_env *m = ctx_env(ctx);
    run_hook(m, "sleep", NULL);
    g_array_append_val(m->sleeps, ms);
    if (env_cancelled(m))
        return XT_ECANCELLED;
    /* Saturate: tests of huge backoffs must not overflow the clock. */
    m->now_ms = m->now_ms > INT64_MAX - ms ? INT64_MAX : m->now_ms + ms;
    return XT_OK;
}

static uint64_t mem_random_u64(void *ctx)
{
    /* splitmix64: deterministic from the seed in random_state. */
    mem_env *m = ctx_env(ctx);
    uint64_t z = (m->random_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int mem_transport_send(void *ctx, const char *body)
{
    mem_env *m = ctx_env(ctx);
    run_hook(m, "send", body);
    g_ptr_array_add(m->bodies, g_strdup(body));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->send_results_next < m->send_results->len)
        return g_array_index(m->send_results, int, m->send_results_next++);
    return XT_OK;
}

typedef struct mem_deferred {
    xt_task_fn fn;
    void *arg;
} mem_deferred;

static int mem_task_spawn(void *ctx, xt_task_fn fn, void *arg)
{
    mem_env *m = ctx_env(ctx);
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->spawn_err != XT_OK)
        return m->spawn_err;
    m->n_spawns++;
    if (m->defer_spawns) {
        mem_deferred d = {fn, arg};
        g_array_append_val(m->deferred, d);
        return XT_OK;
    }
    fn(arg);
    return XT_OK;
}

guint mem_env_run_deferred(mem_env *m)
{
    guint n = 0;
    while (m->deferred->len > 0) {
        mem_deferred d = g_array_index(m->deferred, mem_deferred, 0);
        g_array_remove_index(m->deferred, 0);
        d.fn(d.arg);
        n++;
    }
    return n;
}

static void mem_log(void *ctx, xt_log_level level, const char *message)
{
    mem_env *m = ctx_env(ctx);
    g_ptr_array_add(m->logs, g_strdup_printf("%s: %s", level == XT_LOG_WARN ? "WARN" : "DEBUG",
                                             message));
}

static void mem_observe(void *ctx, const xt_obs *obs)
{
    mem_env *m = ctx_env(ctx);
    mem_obs copy = {
        .kind = obs->kind,
        .label = g_strdup(obs->label),
        .detail = g_strdup(obs->detail),
        .value = obs->value,
    };
    g_array_append_val(m->obs, copy);
}

static int mem_lock_request(void *ctx, const char *name, int flags, uint64_t *handle_out)
{
    mem_env *m = ctx_env(ctx);
    g_ptr_array_add(m->ops, g_strdup_printf("lock %s", name));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (m->lock_err) {
        int rc = m->lock_err;
        m->lock_err = 0;
        return rc;
    }
    gpointer held = g_hash_table_lookup(m->locks, name);
    if (held && (flags & XT_LOCK_IF_AVAILABLE))
        return XT_ELOCKTIMEOUT;
    /* One tab cannot wait for itself: a test that gets here is wrong. */
    g_assert(!held || (flags & XT_LOCK_STEAL));
    if (held) {
        uint64_t robbed = GPOINTER_TO_UINT(held);
        g_array_append_val(m->locks_stolen, robbed);
    }
    *handle_out = ++m->next_lock_handle;
    g_hash_table_insert(m->locks, g_strdup(name), GUINT_TO_POINTER((guint)*handle_out));
    return XT_OK;
}

static gboolean lock_has_handle(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    return GPOINTER_TO_UINT(value) == *(guint *)data;
}

static int mem_lock_release(void *ctx, uint64_t handle)
{
    mem_env *m = ctx_env(ctx);
    g_ptr_array_add(m->ops, g_strdup_printf("unlock %" G_GUINT64_FORMAT, (guint64)handle));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    for (guint i = 0; i < m->locks_stolen->len; i++)
        if (g_array_index(m->locks_stolen, uint64_t, i) == handle) {
            g_array_remove_index(m->locks_stolen, i);
            return XT_EABORTED;
        }
    guint h = (guint)handle;
    /* Removal by value: at most one entry matches, so order is irrelevant. */
    return g_hash_table_foreach_remove(m->locks, lock_has_handle, &h) == 1 ? XT_OK : XT_ENOTFOUND;
}

static const xt_env_methods mem_methods = {
    .storage_get = mem_storage_get,
    .storage_set = mem_storage_set,
    .storage_remove = mem_storage_remove,
    .storage_length = mem_storage_length,
    .storage_key = mem_storage_key,
    .clock_now_ms = mem_clock_now_ms,
    .sleep_ms = mem_sleep_ms,
    .random_u64 = mem_random_u64,
    .transport_send = mem_transport_send,
    .task_spawn = mem_task_spawn,
    .log = mem_log,
    .observe = mem_observe,
};

static void mem_obs_clear(gpointer p)
{
    mem_obs *obs = p;
    g_free(obs->label);
    g_free(obs->detail);
}

static const xt_env_methods mem_methods_locks = {
    .storage_get = mem_storage_get,
    .storage_set = mem_storage_set,
    .storage_remove = mem_storage_remove,
    .storage_length = mem_storage_length,
    .storage_key = mem_storage_key,
    .clock_now_ms = mem_clock_now_ms,
    .sleep_ms = mem_sleep_ms,
    .random_u64 = mem_random_u64,
    .transport_send = mem_transport_send,
    .task_spawn = mem_task_spawn,
    .log = mem_log,
    .observe = mem_observe,
    .lock_request = mem_lock_request,
    .lock_release = mem_lock_release,
};

void mem_env_enable_web_locks(mem_env *m)
{
    m->env.m = &mem_methods_locks;
}

static int mem_wait(void *ctx, const char *const *keys, size_t n_keys, int64_t timeout_ms)
{
    mem_env *m = ctx_env(ctx);
    run_hook(m, "wait", n_keys > 0 ? keys[0] : NULL);
    GString *op = g_string_new("wait ");
    for (size_t i = 0; i < n_keys; i++)
        g_string_append_printf(op, "%s%s", i ? "," : "", keys[i]);
    if (n_keys == 0)
        g_string_append_c(op, '*');
    g_string_append_printf(op, " %" G_GINT64_FORMAT, (gint64)timeout_ms);
    g_ptr_array_add(m->ops, g_string_free(op, FALSE));
    if (env_cancelled(m))
        return XT_ECANCELLED;
    if (timeout_ms < 0)
        return XT_OK;
    m->now_ms = m->now_ms > INT64_MAX - timeout_ms ? INT64_MAX : m->now_ms + timeout_ms;
    return XT_ETIMEOUT;
}

void mem_env_enable_wait(mem_env *m)
{
    m->methods = *m->env.m;
    m->methods.wait = mem_wait;
    m->env.m = &m->methods;
}

mem_env *mem_env_new(void)
{
    mem_env *m = g_new0(mem_env, 1);
    m->env.m = &mem_methods;
    m->env.ctx = m;
    m->storage = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->now_ms = 1000000;
    m->random_state = 42;
    m->cancel_after_calls = -1;
    m->send_results = g_array_new(FALSE, FALSE, sizeof(int));
    m->deferred = g_array_new(FALSE, FALSE, sizeof(mem_deferred));
    m->locks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    m->locks_stolen = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    m->ops = g_ptr_array_new_with_free_func(g_free);
    m->sleeps = g_array_new(FALSE, FALSE, sizeof(int64_t));
    m->bodies = g_ptr_array_new_with_free_func(g_free);
    m->logs = g_ptr_array_new_with_free_func(g_free);
    m->obs = g_array_new(FALSE, FALSE, sizeof(mem_obs));
    g_array_set_clear_func(m->obs, mem_obs_clear);
    return m;
}

void mem_env_free(mem_env *m)
{
    if (!m)
        return;
    g_hash_table_unref(m->storage);
    g_array_unref(m->send_results);
    /* A test that deferred a task runs it: its argument is the task's to free. */
    g_assert(m->deferred->len == 0);
    g_array_unref(m->deferred);
    g_hash_table_unref(m->locks);
    g_array_unref(m->locks_stolen);
    g_ptr_array_unref(m->ops);
    g_array_unref(m->sleeps);
    g_ptr_array_unref(m->bodies);
    g_ptr_array_unref(m->logs);
    g_array_unref(m->obs);
    g_free(m);
}

void mem_env_put(mem_env *m, const char *key, const char *value)
{
    g_hash_table_insert(m->storage, g_strdup(key), g_strdup(value));
}

const char *mem_env_peek(mem_env *m, const char *key)
{
    return g_hash_table_lookup(m->storage, key);
}

void mem_env_script_send(mem_env *m, int result)
{
    g_array_append_val(m->send_results, result);
}

void mem_env_clear_records(mem_env *m)
{
    g_ptr_array_set_size(m->ops, 0);
    g_array_set_size(m->sleeps, 0);
    g_ptr_array_set_size(m->bodies, 0);
    g_ptr_array_set_size(m->logs, 0);
    g_array_set_size(m->obs, 0);
}

guint mem_env_count_ops(mem_env *m, const char *prefix)
{
    guint n = 0;
    for (guint i = 0; i < m->ops->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(m->ops, i), prefix))
            n++;
    return n;
}

guint mem_env_count_obs(mem_env *m, xt_obs_kind kind)
{
    guint n = 0;
    for (guint i = 0; i < m->obs->len; i++)
        if (g_array_index(m->obs, mem_obs, i).kind == kind)
            n++;
    return n;
}

const mem_obs *mem_env_obs_at(mem_env *m, guint index)
{
    g_assert(index < m->obs->len);
    return &g_array_index(m->obs, mem_obs, index);
}

int mem_env_find_obs(mem_env *m, xt_obs_kind kind, guint from)
{
    for (guint i = from; i < m->obs->len; i++)
        if (g_array_index(m->obs, mem_obs, i).kind == kind)
            return (int)i;
    return -1;
}

gboolean mem_env_logged(mem_env *m, const char *substring)
{
    for (guint i = 0; i < m->logs->len; i++)
        if (strstr(g_ptr_array_index(m->logs, i), substring))
            return TRUE;
    return FALSE;
}

char *mem_env_steps(mem_env *m)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < m->obs->len; i++) {
        const mem_obs *obs = &g_array_index(m->obs, mem_obs, i);
        if (obs->kind != XT_OBS_STEP)
            continue;
        if (out->len)
            g_string_append_c(out, '|');
        g_string_append(out, obs->label);
    }
    return g_string_free(out, FALSE);
}

char *mem_env_op_names(mem_env *m)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < m->ops->len; i++) {
        const char *op = g_ptr_array_index(m->ops, i);
        const char *eq = g_str_has_prefix(op, "set ") ? strchr(op, '=') : NULL;
        if (out->len)
            g_string_append_c(out, '|');
        if (eq)
            g_string_append_len(out, op, eq - op);
        else
            g_string_append(out, op);
    }
    return g_string_free(out, FALSE);
}
