/*
 * scenario_keys.h - the scenario key table, shared by the loader
 * (scenario.c) and nothing else: every group and key with its type,
 * default, range and meaning.  Internal to sim/.
 */
#ifndef SIM_SCENARIO_KEYS_H
#define SIM_SCENARIO_KEYS_H

#include <stddef.h>
#include <stdint.h>

typedef enum key_type { KEY_INT, KEY_BOOL, KEY_ENUM, KEY_STRING, KEY_INVSET } key_type;

typedef struct key_spec {
    const char *group;
    const char *key;
    key_type type;
    size_t offset;
    const char *def;
    int64_t min, max;            /* KEY_INT */
    const char *const *names;    /* KEY_ENUM: NULL-terminated */
    const char *const *(*names_fn)(void); /* KEY_ENUM whose names come from a registry */
    const char *doc;
    unsigned flags;              /* KEY_HASH_* */
} key_spec;

/* Keys added after replay tokens were published enter the scenario hash
 * only when set to something other than their default, so the tokens of
 * every scenario that does not use them stay valid. */
#define KEY_HASH_IF_SET 1u

/* The allowed names of an enum key (its table or its registry's). */
static inline const char *const *key_names(const key_spec *k)
{
    return k->names_fn ? k->names_fn() : k->names;
}

extern const key_spec sim_scenario_keys[];
extern const size_t sim_scenario_keys_n;
extern const char *const sim_scenario_groups[]; /* NULL-terminated */
extern const char *const sim_invariant_names[];  /* NULL-terminated, bit order */
extern const char *const sim_algorithm_names[];  /* NULL-terminated, sim_algorithm order */

#endif
