/*
 * xt/mutex_algorithm.h - how a mutex algorithm describes itself to a host
 * that configures it from text (a settings file, a test harness).
 *
 * Each algorithm in core/ exports one xt_mutex_algorithm: its name, a
 * one-line summary, its settings (name, type, default, range, meaning),
 * how to build it from their values for one tab or process, and the
 * storage calls its definition gives for one uncontended acquisition and
 * release.  A host lists the descriptors it offers; it needs no other
 * knowledge of the algorithm.  This is configuration metadata only: it
 * says nothing about how the algorithm should be tested or explored.
 *
 * Setting values are int64_t, one per setting in declaration order:
 * integers as they are, booleans 0 or 1, enums the index of the name.
 */
#ifndef XT_MUTEX_ALGORITHM_H
#define XT_MUTEX_ALGORITHM_H

#include <stdint.h>

#include "xt/mutex.h"

typedef enum xt_setting_type { XT_SETTING_INT, XT_SETTING_BOOL, XT_SETTING_ENUM } xt_setting_type;

typedef struct xt_setting {
    const char *key;          /* NULL ends the list */
    xt_setting_type type;
    const char *def;          /* default, as text */
    int64_t min, max;         /* XT_SETTING_INT */
    const char *const *names; /* XT_SETTING_ENUM: NULL-terminated */
    const char *doc;
} xt_setting;

#define XT_SETTINGS_MAX 8 /* settings one algorithm may declare */

/* Who the mutex runs for: the host's identity of the tab or process. */
typedef struct xt_mutex_host {
    const char *client_id; /* unique among the contenders */
    int index;             /* 1-based, for algorithms with fixed ids */
    int n;                 /* contenders, for algorithms with fixed ids */
    const char *user_id;   /* the SDK user whose data the lock guards */
} xt_mutex_host;

/* Storage calls of one uncontended acquisition and release. */
typedef struct xt_mutex_cost {
    int acquire_ops, release_ops;
    const char *definition; /* the calls, in words, from the algorithm's source */
    const char *variant;    /* the setting it depends on ("unlock clear-x"), or NULL */
} xt_mutex_cost;

typedef struct xt_mutex_algorithm {
    const char *name;      /* as configured: "seed", "web-locks" */
    const char *summary;   /* one line: what it is and where it comes from */
    const xt_setting *settings; /* NULL-key-terminated; may be empty */
    /* Settings that select a variant of the algorithm (a different release,
     * a statement left out) rather than tune it; NULL-terminated or NULL. */
    const char *const *variants;
    /* An algorithm it falls back to (web-locks without navigator.locks:
     * seed), whose settings then apply too; NULL for none. */
    const struct xt_mutex_algorithm *fallback;
    /* values: one per setting; fallback_values: the fallback's, or NULL. */
    xt_mutex *(*create)(xt_env *env, const int64_t *values, const int64_t *fallback_values,
                        const xt_mutex_host *host);
    void (*cost)(const int64_t *values, xt_mutex_cost *out);
} xt_mutex_algorithm;

/* The algorithms of libxt. */
extern const xt_mutex_algorithm xt_none_algorithm, xt_seed_algorithm, xt_lamport_algorithm,
    xt_weblocks_algorithm, xt_branch_algorithm, xt_btl_algorithm, xt_naive_algorithm;

/* Index of a setting by key, or -1. */
int xt_setting_index(const xt_mutex_algorithm *algorithm, const char *key);

#endif
