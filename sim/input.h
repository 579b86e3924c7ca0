/*
 * sim/input.h - reading an input file (a scenario, a report) whole, safely.
 *
 * g_file_get_contents reads whatever the path names: a FIFO blocks until a
 * writer comes (forever, in CI), /dev/zero is read until memory runs out.
 * Every file tabsim reads goes through sim_input_read instead, which takes
 * only a regular file no larger than a stated size, and never blocks on
 * opening.  The limits are documented in docs/bad-inputs.md.
 */
#ifndef SIM_INPUT_H
#define SIM_INPUT_H

#include <glib.h>

/* Scenario files are a few hundred bytes; anything this big is a mistake. */
#define SIM_INPUT_SCENARIO_BYTES_MAX ((gsize)16 * 1024 * 1024)
/* A report holds a timeline per scenario: a few MB for a large suite. */
#define SIM_INPUT_REPORT_BYTES_MAX ((gsize)64 * 1024 * 1024)

/* Reads the regular file at path (at most max_bytes) into *data (NUL
 * terminated, caller frees) and *len.  On failure sets a SIM_ERROR_FILE
 * error "PATH: ..." that names what was wrong and says what is allowed
 * (what: "scenario file", "report"; allowed: "a scenario .ini file", ...),
 * and leaves *data NULL. */
gboolean sim_input_read(const char *path, const char *what, const char *allowed, gsize max_bytes, char **data,
                        gsize *len, GError **error);

#endif
