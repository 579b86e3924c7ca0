/*
 * program.c - the registry of programs ([workload] mode).
 *
 * One line per program: its ops table (sim/programs/program.h).  Append,
 * so that existing scenarios keep their mode indices.
 */
#include "sim/programs/program.h"

#include "sim/programs/algorithms.h"

extern const sim_program_ops sim_program_sdk, sim_program_lock, sim_program_js_store;

const sim_program_ops *const sim_programs[] = {
    &sim_program_sdk,
    &sim_program_lock,
    &sim_program_js_store,
    NULL,
};

const char *sim_program_events_key(const sim_program_ops *p, const struct sim_scenario *s)
{
    return p->events_key_of ? p->events_key_of(s) : p->events_key;
}

guint sim_program_claims(const struct sim_scenario *s)
{
    guint claims = sim_programs[s->workload_mode]->claims;
    if (!sim_algorithm_excludes(sim_scenario_algorithm(s)))
        claims &= ~(guint)SIM_INV_MUTUAL_EXCLUSION;
    return claims;
}

const char *const *sim_program_names(void)
{
    static const char *names[G_N_ELEMENTS(sim_programs)];
    static gsize built = 0;
    if (g_once_init_enter(&built)) {
        for (size_t i = 0; sim_programs[i]; i++)
            names[i] = sim_programs[i]->name;
        g_once_init_leave(&built, 1);
    }
    return names;
}

char *sim_program_ids_summary(GPtrArray *ids)
{
    if (!ids)
        return NULL;
    GString *s = g_string_new("events [");
    for (guint i = 0; i < ids->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", (const char *)ids->pdata[i]);
    g_string_append_c(s, ']');
    g_ptr_array_free(ids, TRUE);
    return g_string_free(s, FALSE);
}
