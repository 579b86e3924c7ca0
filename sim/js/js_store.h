/*
 * sim/js/js_store.h - [workload] mode = js-events (js_store.c): an event
 * store written in JavaScript, the adapter's add(event) and flush(), as
 * the tabs' program (docs/javascript.md).
 */
#ifndef SIM_JS_STORE_H
#define SIM_JS_STORE_H

#include "sim/programs/program.h"

extern const sim_program_ops sim_program_js_store;

#endif
