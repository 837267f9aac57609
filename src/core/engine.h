/*
 * engine — runs the pipeline: one reader (the calling thread) pulls frames
 * from capture sources and hands each to the worker that owns its flow
 * (decode/shard.c); each worker decodes, reassembles fragments, tracks flows
 * and TCP streams, and writes EVE records. With one worker everything runs
 * inline on the reader thread. Packet time drives timeouts: the reader sends
 * every worker a tick each second of packet time, so N workers end flows at
 * the same moments as one.
 */
#ifndef MAMORI_CORE_ENGINE_H
#define MAMORI_CORE_ENGINE_H

#include <stdbool.h>

#include "core/config.h"

struct engine;

struct detect_engine;

/* cfg is copied. outdir receives eve.json. de (rules; may be NULL) is taken
 * over and freed with the engine, also on failure. NULL after a message on
 * failure. */
struct engine *engine_new(const struct config *cfg, const char *outdir, bool progress,
			  struct detect_engine *de);

/*
 * Analyse capture files in order ("-" = stdin). Returns 0 when every file was
 * read completely, 1 when some file was missing or damaged (reported with
 * its byte offset; packets before the damage are processed), 3 on output failure.
 */
int engine_read_files(struct engine *e, char *const *files, int nfiles);

/* Monitor an interface until SIGINT/SIGTERM. 0, 1 (capture error) or 3. */
int engine_live(struct engine *e, const char *iface, const char *bpf);

/* Final stats record, summary on stderr, close output. Returns 0 or 3. */
int engine_finish(struct engine *e);

void engine_free(struct engine *e);

/* Ask a running engine to stop (async-signal-safe). */
void engine_request_stop(void);

struct intel_db;
/* Match these indicators live (db may be NULL: none); its reference is taken
 * over. `paths` (copied) and the intel.dir setting are what a reload reads.
 * Before reading starts. 0, or -1 out of memory (db released). */
int engine_set_intel(struct engine *e, struct intel_db *db, char *const *paths, int n);

/* Ask for the intel files to be read again (async-signal-safe): a new set
 * is built beside the running one and swapped in without stopping. */
void engine_request_reload(void);

#endif
