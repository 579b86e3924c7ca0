/*
 * xt/mutex_serial.h - one task of a tab at a time in front of a cross-tab
 * mutex: the in-tab async mutex the SDK puts before its cross-tab lock.
 *
 * A cross-tab mutex whose identity is the tab's (Lamport's id i, a client
 * id written to a key) cannot tell two tasks of one tab apart: both write
 * the same id, both read it back as theirs, both enter.  The wrapper takes
 * a FIFO in-tab lock first, so that of each tab only one task at a time
 * contends.  See mutex_serial.c.
 */
#ifndef XT_MUTEX_SERIAL_H
#define XT_MUTEX_SERIAL_H

#include "xt/mutex.h"

/* Takes ownership of inner (freed with the wrapper).  The wrapper has
 * inner's name and exclusivity, so observers see the same algorithm. */
xt_mutex *xt_serial_mutex_new(xt_env *env, xt_mutex *inner);

#endif
