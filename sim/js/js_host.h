/*
 * sim/js/js_host.h - node processes that run JavaScript tabs, and the
 * frames tabsim exchanges with them (js_host.c; the node side is host.js,
 * with realm.js and modules.js).
 *
 * One node process per tab slot (tab index) per thread that runs worlds:
 * started at the first JavaScript tab of that index, reused by every later
 * run and execution (each gets a fresh realm, not a fresh process), and
 * ended when the thread ends (or with tabsim).  A frame is
 * [u8 op][u32 little-endian length][fields, each followed by NUL].
 * Private to sim/js/.
 */
#ifndef SIM_JS_HOST_H
#define SIM_JS_HOST_H

#include <glib.h>

#define SIM_JS_FIELDS_MAX 20

typedef struct sim_js_frame {
    char op;
    int n;                              /* fields */
    const char *field[SIM_JS_FIELDS_MAX]; /* valid until the next read */
} sim_js_frame;

typedef struct sim_js_chan sim_js_chan;

/* The process of tab slot index (1-based) for this thread, started on
 * first use.  A failure to start node is fatal (exit 2, naming what). */
sim_js_chan *sim_js_chan_get(int index, const char *scenario_path);
/* Queue a frame; sent by the next sim_js_chan_read or sim_js_chan_flush. */
void sim_js_chan_send(sim_js_chan *ch, char op, int n, const char *const *fields);
void sim_js_chan_flush(sim_js_chan *ch);
/* Send what is queued, then read the next frame. */
void sim_js_chan_read(sim_js_chan *ch, sim_js_frame *out);
/* The node version the process reported. */
const char *sim_js_chan_node_version(const sim_js_chan *ch);
/* Report an error of the tab's JavaScript setup (module, adapter, node)
 * naming the scenario file, group and key; exits with status 2. */
G_NORETURN void sim_js_fatal(const char *scenario_path, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* realm.js, modules.js and host.js, one script embedded at build time
 * (host_js.c, from sim/js/embed.cmake). */
extern const char sim_js_host_source[];

#endif
