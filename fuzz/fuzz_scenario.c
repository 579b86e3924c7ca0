/*
 * fuzz_scenario.c - fuzz harness for the scenario loader
 * (sim_scenario_load_data: GKeyFile parsing, the key table, range and
 * consistency checks).
 *
 * Property: any bytes either load into a scenario or give a GError with a
 * message; never a crash, a sanitizer report or a leak.  A scenario that
 * loads can be dumped and hashed, and its hash is stable.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim/scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("fuzz.ini", (const char *)data, size, &error);
    if (!s) {
        if (!error || !error->message || !error->message[0])
            abort(); /* a failure must say why */
        g_error_free(error);
        return 0;
    }
    char *dump = sim_scenario_dump(s);
    if (sim_scenario_hash(s) != s->hash)
        abort();
    g_free(dump);
    sim_scenario_free(s);
    return 0;
}
