/*
 * model_linearizable.c - [storage] model = linearizable: one shared map,
 * every call atomic at the moment the world performs it (storage.c).
 *
 * The strongest model a browser could offer (a single-process browser, or
 * tabs sharing one renderer) and the one Lamport's algorithm assumes.
 * Footprint for the explorer: a get reads its key's object, a set or
 * remove writes it, and writes the key set only when it adds or deletes
 * the key (so listing keys commutes with rewriting existing ones); length
 * and key(i) read the key set.
 */
#include "sim/browser/storage_model.h"
#include "sim/world/env_model.h"

static int lin_get(sim_world *w, sim_tab *tab, const char *key, GString *value_out)
{
    (void)tab;
    int rc = sim_storage_get(w->storage, key, value_out);
    sim_env_access_key(w, key, FALSE);
    return rc;
}

/* A set or remove changes the key set when the key appears or goes. */
static void lin_keyset(sim_world *w, const char *key, int had)
{
    if (sim_world_tracks_access(w) && had != (sim_storage_peek(w->storage, key) != NULL))
        sim_env_keyset_changed(w);
}

static int lin_set(sim_world *w, sim_tab *tab, const char *key, const char *value)
{
    (void)tab;
    int had = sim_world_tracks_access(w) ? sim_storage_peek(w->storage, key) != NULL : -1;
    int rc = sim_storage_set(w->storage, key, value);
    sim_env_wrote(w, key, rc);
    lin_keyset(w, key, had);
    return rc;
}

static int lin_remove(sim_world *w, sim_tab *tab, const char *key)
{
    (void)tab;
    int had = sim_world_tracks_access(w) ? sim_storage_peek(w->storage, key) != NULL : -1;
    int rc = sim_storage_remove(w->storage, key);
    sim_env_wrote(w, key, rc);
    lin_keyset(w, key, had);
    return rc;
}

static int lin_length(sim_world *w, sim_tab *tab, size_t *length_out)
{
    (void)tab;
    w->acc.r |= SIM_OBJ_KEYSET;
    return sim_storage_length(w->storage, length_out);
}

static int lin_key(sim_world *w, sim_tab *tab, size_t index, GString *key_out)
{
    (void)tab;
    w->acc.r |= SIM_OBJ_KEYSET;
    return sim_storage_key(w->storage, index, key_out);
}

static uint64_t lin_digest(const sim_world *w, uint64_t h)
{
    (void)w;
    return h; /* nothing beyond the shared map */
}

const sim_storage_model_ops sim_model_linearizable = {
    .name = "linearizable",
    .doc = "one shared map, every call atomic",
    .quota_in_map = TRUE,
    .get = lin_get,
    .set = lin_set,
    .remove = lin_remove,
    .length = lin_length,
    .key = lin_key,
    .digest = lin_digest,
    .direct = TRUE,
};
