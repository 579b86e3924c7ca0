/*
 * state_snap.c - saved states of the stateful search; see
 * sim/explore/state_snap.h.
 *
 * Why: each branch of a depth-first search used to replay its path from
 * the root, about 13 steps a branch at Lamport 4 x 1 and far more at
 * 4 x 2; putting back a saved world costs a copy of a few kilobytes.
 * What the code under test initialises once per process (GObject's types
 * and classes, GLib's quarks) must not be made in the arena, whose memory
 * is put back: so before the first arena run the JSON types the core uses
 * are made, their error domains named, and a few runs of the scenario
 * made outside it, which take the paths a search starts with.
 */
#include "sim/explore/state_snap.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sim/world/world.h"

static void warm_up(const sim_scenario *s, sim_stack_pool *pool)
{
    GType types[] = {JSON_TYPE_PARSER, JSON_TYPE_BUILDER, JSON_TYPE_GENERATOR, JSON_TYPE_READER};
    for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
        g_type_class_unref(g_type_class_ref(types[i]));
    (void)json_parser_error_quark();
    (void)json_reader_error_quark();
    for (uint64_t seed = 0; seed < 8; seed++) {
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .untimed = TRUE, .discrete = TRUE};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        sim_run_clear(&run);
    }
}

gboolean state_snaps_init(state_snaps *sn, const sim_scenario *s, sim_stack_pool *pool, size_t view_len)
{
    memset(sn, 0, sizeof *sn);
    sn->n_tabs = (int)s->tabs;
    sn->view_len = view_len;
    if (s->js_module && *s->js_module)
        return FALSE; /* a JavaScript tab's state is in node, not in the arena */
    sn->arena = sim_arena_new(sim_stack_pool_stack_size(pool));
    if (!sn->arena)
        return FALSE;
    warm_up(s, pool);
    sn->entries = g_array_new(FALSE, FALSE, sizeof(state_snap));
    return TRUE;
}

void state_snaps_clear(state_snaps *sn)
{
    if (sn->entries) {
        for (guint i = 0; i < sn->entries->len; i++) {
            state_snap *e = &g_array_index(sn->entries, state_snap, i);
            sim_arena_snap_clear(&e->mem);
            g_free(e->view);
            g_free(e->acc);
        }
        g_array_free(sn->entries, TRUE);
    }
    sim_arena_free(sn->arena); /* the world goes with it */
    memset(sn, 0, sizeof *sn);
}

gboolean state_snaps_push(state_snaps *sn, size_t pos, guint min_steps, size_t step_bytes, const void *view,
                          const sim_access *acc)
{
    uint64_t steps = sn->run->monitor.c.steps;
    size_t heap = sim_arena_heap_used(sn->arena);
    if (sn->n > 0) {
        const state_snap *top = &g_array_index(sn->entries, state_snap, sn->n - 1);
        uint64_t since = steps - top->steps;
        if (since < min_steps || since * step_bytes < heap)
            return FALSE;
    }
    if (sn->bytes + heap > STATE_SNAPS_BYTES_MAX)
        return FALSE;
    if (sn->n == sn->entries->len) {
        state_snap fresh = {0};
        fresh.view = g_malloc(sn->view_len);
        fresh.acc = g_new0(sim_access, sn->n_tabs);
        g_array_append_val(sn->entries, fresh);
    }
    state_snap *e = &g_array_index(sn->entries, state_snap, sn->n++);
    e->pos = pos;
    e->steps = steps;
    sim_world_save(sn->world, &e->mem);
    sn->bytes += e->mem.bytes;
    memcpy(e->view, view, sn->view_len);
    memcpy(e->acc, acc, (gsize)sn->n_tabs * sizeof(sim_access));
    return TRUE;
}

const state_snap *state_snaps_nearest(state_snaps *sn, size_t len)
{
    while (sn->n > 0 && g_array_index(sn->entries, state_snap, sn->n - 1).pos >= len) {
        sn->n--;
        sn->bytes -= g_array_index(sn->entries, state_snap, sn->n).mem.bytes;
    }
    return sn->n > 0 && len > 0 ? &g_array_index(sn->entries, state_snap, sn->n - 1) : NULL;
}

sim_run *state_snaps_restore(state_snaps *sn, const state_snap *e, const GArray *prefix, void *view, sim_access *acc)
{
    sim_arena_restore(sn->arena, &e->mem);
    sim_run *run = sn->run;
    run->chooser.prefix = (const uint32_t *)prefix->data;
    run->chooser.prefix_len = prefix->len;
    memcpy(view, e->view, sn->view_len);
    memcpy(acc, e->acc, (gsize)sn->n_tabs * sizeof(sim_access));
    return run;
}

void state_snaps_steps(state_snaps *sn, const sim_run_spec *spec)
{
    sim_arena_enter(sn->arena);
    sim_world_steps(sn->world);
    sim_arena_leave();
    sim_run_end(sn->run, sn->world, spec);
}

sim_run *state_snaps_fresh(state_snaps *sn, const sim_scenario *s, sim_stack_pool *pool, const sim_run_spec *spec)
{
    sim_arena_reset(sn->arena);
    sn->n = 0;
    sn->bytes = 0;
    sim_arena_enter(sn->arena);
    sn->run = g_new0(sim_run, 1);
    sn->world = sim_run_start(s, pool, spec, sn->run);
    sim_arena_leave();
    state_snaps_steps(sn, spec);
    return sn->run;
}
