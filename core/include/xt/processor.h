/*
 * xt/processor.h - the flush loop (the SDK's event processor).
 *
 * Every flush_interval_ms: under the lock, read the stored events, send them
 * in one batch, and delete the ones sent; a failed or timed-out send keeps
 * them for the next flush.  With send_under_lock FALSE the send happens
 * outside the lock, between a locked read and a locked delete (the SDK
 * branch's sendEvents).  When the lock cannot be had the processor falls back
 * to the unlocked methods, with a warning, as the SDK does.
 */
#ifndef XT_PROCESSOR_H
#define XT_PROCESSOR_H

#include "xt/ts_store.h"

typedef struct xt_processor_options {
    int64_t flush_interval_ms;  /* default 10000 */
    size_t batch_max;           /* events per send; 0 = all; default 0 */
    gboolean send_under_lock;   /* default TRUE */
} xt_processor_options;

typedef struct xt_processor xt_processor;

void xt_processor_options_init(xt_processor_options *options);
xt_processor *xt_processor_new(xt_env *env, xt_ts_store *ts, const xt_processor_options *options);
void xt_processor_free(xt_processor *processor);

/* One flush.  XT_OK (also when nothing was stored), or the send/storage error. */
int xt_processor_flush(xt_processor *processor);
/* Loop: sleep the interval, flush; returns when a sleep is cancelled or
 * xt_processor_stop() was called. */
int xt_processor_run(xt_processor *processor);
void xt_processor_stop(xt_processor *processor);
/* Fold what the processor holds that tasks share (xt_describe_fn): only
 * whether it was stopped; its ts store is described on its own. */
void xt_processor_describe(const xt_processor *processor, xt_describe_fn fold, void *ctx);

#endif
