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

struct sim_world;

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
/* Send what is queued, then read the next frame.  stop (a stop word,
 * sim/world/stop.h; NULL: none): set while node runs, the process is
 * killed and the frame is 'S' (stopped), as is every later one of this
 * channel; the run ends unjudged at its next step.  A process that went
 * away (it exited, or stopped reading) gives 'S' too, its failure kept
 * for the channel's scenario (sim_js_fail). */
void sim_js_chan_read(sim_js_chan *ch, sim_js_frame *out, const volatile int *stop);
/* Kill the channel's process (its realm cannot go on): every later frame
 * is 'S', and the slot gets a new process at its next use. */
void sim_js_chan_kill(sim_js_chan *ch);
/* The node version the process reported. */
const char *sim_js_chan_node_version(const sim_js_chan *ch);
/* An error of the tab's JavaScript (module, adapter contract, node),
 * naming the scenario file, group and key: kept as the scenario's (the
 * first one counts), and w (NULL: none yet) stops unjudged at its next
 * step; the check then reports the scenario as bad input, exit 2, and
 * goes on with the others. */
void sim_js_fail(struct sim_world *w, const char *scenario_path, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* The first failure of a scenario's JavaScript (sim_js_fail), with its
 * path, or NULL; forgets it.  g_free it. */
char *sim_js_error_take(const char *scenario_path);

/* realm.js, modules.js and host.js, one script embedded at build time
 * (host_js.c, from sim/js/embed.cmake). */
extern const char sim_js_host_source[];

#endif
