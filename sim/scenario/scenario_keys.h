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

/* A setting of a registered algorithm (group = the algorithm's name). */
#define KEY_ALGORITHM 2u

/* Every key: the fixed rows of scenario_keys.c with the registered
 * algorithms' settings inserted after [mutex]; built once. */
typedef struct key_table {
    const key_spec *rows;
    size_t n;
    const char *const *groups; /* NULL-terminated, in order */
} key_table;
const key_table *sim_scenario_key_table(void);
#define sim_scenario_keys (sim_scenario_key_table()->rows)
#define sim_scenario_keys_n (sim_scenario_key_table()->n)
#define sim_scenario_groups (sim_scenario_key_table()->groups)
/* A key's value as scenario text; caller frees (scenario.c). */
struct sim_scenario;
char *sim_scenario_key_text(const struct sim_scenario *scenario, const key_spec *k);
/* The legacy [mutex] key a setting was before settings moved into groups
 * of their own, or NULL (scenario_hash.c). */
const char *sim_scenario_legacy_key(const char *algorithm, const char *key);
/* For a legacy [mutex] key: the group and key it moved to for algorithm,
 * as "[seed] timeout_ms" text, or NULL (scenario_hash.c).  Caller frees. */
char *sim_scenario_moved_key(const char *legacy_key, const char *algorithm);
/* scenario_rules.c: groups and keys the scenario sets but does not use. */
#include <glib.h>
gboolean sim_scenario_groups_used(const struct sim_scenario *scenario, const char *const *groups, GError **error);
gboolean sim_scenario_keys_used(const struct sim_scenario *scenario, GKeyFile *kf, GError **error);
extern const char *const sim_invariant_names[];  /* NULL-terminated, bit order */

#endif
