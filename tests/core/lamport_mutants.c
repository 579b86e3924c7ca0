/*
 * lamport_mutants.c - the mutant build of Lamport's mutex for the core
 * tests: core/src/mutex_lamport.c with XT_LAMPORT_MUTANTS defined and its
 * entry points renamed, so it links beside libxt's own build.  Never part
 * of libxt (xt/mutex_lamport.h).
 */
#define XT_LAMPORT_MUTANTS 1
#define xt_lamport_mutex_new xt_test_lamport_mutant_new
#define xt_lamport_mutex_options_init xt_test_lamport_mutant_options_init
#define xt_lamport_algorithm xt_test_lamport_mutant_algorithm
#include "../../core/src/mutex_lamport.c"
