/*
 * sim/js/js_mutex.h - [mutex] algorithm = js (js_mutex.c): a lock written
 * in JavaScript, named by [js] module (docs/javascript.md).
 */
#ifndef SIM_JS_MUTEX_H
#define SIM_JS_MUTEX_H

#include "sim/scenario/scenario.h"
#include "xt/mutex_algorithm.h"

extern const xt_mutex_algorithm sim_js_algorithm;

/* [js] module resolved against the scenario file's folder (absolute,
 * canonical); NULL when it is not set.  Caller frees. */
char *sim_js_module_path(const sim_scenario *scenario);

#endif
