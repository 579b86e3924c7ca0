/*
 * sim/error.h - GError domain of the simulator's edges (scenario files,
 * tokens, command line).  Every such error becomes exit code 2, except
 * SIM_ERROR_BOUND: a bound ran out before a result (exit 3).
 */
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

#include <glib.h>

#define SIM_ERROR (sim_error_quark())
GQuark sim_error_quark(void);

typedef enum sim_error_code {
    SIM_ERROR_FILE,     /* missing, unreadable or not a key file */
    SIM_ERROR_GROUP,    /* unknown group */
    SIM_ERROR_KEY,      /* unknown key */
    SIM_ERROR_VALUE,    /* wrong type or out of range */
    SIM_ERROR_CONFLICT, /* values that contradict each other */
    SIM_ERROR_TOKEN,    /* malformed token, or made for another scenario */
    SIM_ERROR_USAGE,    /* command line */
    SIM_ERROR_BOUND     /* a bound ran out before a result (sim/world/stop.h) */
} sim_error_code;

#endif
