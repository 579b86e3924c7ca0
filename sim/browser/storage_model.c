/*
 * storage_model.c - the registry of storage models ([storage] model).
 *
 * One line per model: its ops table (sim/browser/storage_model.h).  The
 * order is the order of the [storage] model names; the first is the
 * default.  Nothing else in sim/ names a model.
 */
#include "sim/browser/storage_model.h"

extern const sim_storage_model_ops sim_model_linearizable, sim_model_cached, sim_model_snapshot;

const sim_storage_model_ops *const sim_storage_models[] = {
    &sim_model_linearizable,
    &sim_model_cached,
    &sim_model_snapshot,
    NULL,
};

const char *const *sim_storage_model_names(void)
{
    static const char *names[G_N_ELEMENTS(sim_storage_models)];
    static gsize built = 0;
    if (g_once_init_enter(&built)) {
        for (size_t i = 0; sim_storage_models[i]; i++)
            names[i] = sim_storage_models[i]->name;
        g_once_init_leave(&built, 1);
    }
    return names;
}

char *sim_storage_model_undigested(const sim_storage_model_ops *model)
{
    if (model->digest)
        return NULL;
    return g_strdup_printf("the storage model %s gives no digest of its own state (sim_storage_model_ops.digest), "
                           "and a search that stores states would take states that differ in it for one",
                           model->name);
}
