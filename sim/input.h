/*
 * sim/input.h - reading an input file (a scenario, a report) whole, safely.
 *
 * g_file_get_contents reads whatever the path names: a FIFO blocks until a
 * writer comes (forever, in CI), /dev/zero is read until memory runs out.
 * Every file tabsim reads goes through sim_input_read instead, which takes
 * only a regular file no larger than a stated size, and never blocks on
 * opening.  The limits are documented in docs/bad-inputs.md.
 *
 * Text from input (a scenario's name, a path, a value quoted in an error, a
 * field of a report given to merge) can hold control characters: a newline
 * in a name would print a line of its own ("verdict     passed"), an ESC
 * would reach the terminal.  Such text is printed through sim_input_escape
 * or, in a command line, sim_input_shell_quote.
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

/* text with every control character (C0, DEL, C1), the line and
 * paragraph separators U+2028 and U+2029, the noncharacters U+FFFE and
 * U+FFFF and every byte of invalid UTF-8 written as a visible escape: \n,
 * \r, \t, \xHH, \u0085, \u2028.
 * With keep_newlines, '\n' stays (for text that is several lines by
 * design).  Text without such characters comes back unchanged; NULL
 * becomes "".  Caller frees. */
char *sim_input_escape(const char *text, gboolean keep_newlines);
/* text quoted for a POSIX shell, as g_shell_quote does ('...'), unless it
 * holds characters sim_input_escape would escape: then as $'...' (bash,
 * zsh, ksh, busybox sh), which keeps the command line one visible line that
 * still names the same file.  Caller frees. */
char *sim_input_shell_quote(const char *text);
/* How many of text's first len bytes to keep to cut it at most max long:
 * len if it fits, else max or less, never inside a UTF-8 character (a
 * message shown cut short, a warning kept in a fixed buffer). */
size_t sim_input_cut(const char *text, size_t len, size_t max);

#endif
