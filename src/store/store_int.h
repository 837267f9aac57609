/*
 * store_int — what the store's own files share: the batch, the store itself
 * (queue, writer state), and the schema functions (store_schema.c). Nothing
 * outside src/store/ includes this, except the store's unit tests.
 */
#ifndef MAMORI_STORE_STORE_INT_H
#define MAMORI_STORE_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

/* A batch: fixed records and the arena their strings were copied into. */
struct store_batch {
	struct store_rec *rec;
	uint32_t n, cap;
	char *arena;
	uint32_t alen, acap;
	struct store_batch *next; /* on the free list */
};

/* Interned values (names, strings, certificates) the writer has seen, by
 * their key bytes: an open-addressing table emptied when it fills, or when
 * a transaction is rolled back (its ids may not exist any more). */
struct store_intern {
	struct store_intern_slot {
		uint64_t h;
		int64_t id;
		uint32_t off, len; /* key bytes in arena; len 0 = empty slot */
	} * slot;
	uint32_t mask, used;
	char *arena;
	uint32_t alen, acap;
};

struct store {
	char path[4096];
	struct store_opts o;
	sqlite3 *db; /* the writer's; the opening thread's until the writer starts */
	pthread_t thr;
	bool started, finished, failed;
	bool loaded; /* opened completely (a bulk load's indexes are built at the end) */

	pthread_mutex_t lock; /* queue, free list, pending, stop */
	pthread_cond_t not_empty, room, idle;
	struct store_batch *pool;
	uint32_t n_pool;
	struct store_batch *free;
	struct store_batch **queue;
	uint32_t qhead, qlen, qcap;
	uint64_t pending; /* batches handed over and not yet written */
	bool stop, wait;

	pthread_mutex_t cnt_lock;
	struct counters cnt; /* the writer's counts */

	/* writer state */
	sqlite3_stmt *ins[STORE_KINDS];
	sqlite3_stmt *ins_answer, *name_get, *name_put, *str_get, *str_put, *cert_get, *cert_put;
	sqlite3_stmt *meta_put;
	struct store_intern names, strs, certs;
	int64_t newest; /* µs: the newest traffic record */
	uint64_t batch_no;
	double last_prune;    /* monotonic seconds */
	bool prune_active;    /* chunks left to delete below prune_cutoff */
	int64_t prune_cutoff; /* µs */
	uint64_t errors_logged;
};

/* ---- store_schema.c ---- */

/* Open a database file with the store's settings (WAL, synchronous=NORMAL);
 * creates it unless readonly. 0, or -1 with err set. */
int store_db_open(const char *path, bool readonly, bool bulk, sqlite3 **db, char *err,
		  size_t errlen);
/* PRAGMA user_version */
int store_db_version(sqlite3 *db);
/* Apply the migrations up to version `upto`, each in its own transaction.
 * 0, or -1 with err set (a newer schema than this build's is an error). */
int store_db_migrate(sqlite3 *db, int upto, char *err, size_t errlen);
/* Prepare the writer's statements. 0 or -1. */
int store_db_prepare(struct store *s);
void store_db_finalize(struct store *s);

/* Run one statement without results; 0 or the SQLite error code. */
int store_db_exec(sqlite3 *db, const char *sql);

/* ---- store_write.c ---- */

/* Write one batch in one transaction (the writer thread). */
void store_write_batch(struct store *s, const struct store_batch *b);
/* Delete one chunk of what retention says is too old or over the size cap;
 * true while more is left. `force` re-evaluates the cutoff now. */
bool store_prune_step(struct store *s, bool force);
/* Set the store.bytes gauge to the file's size. */
void store_note_size(struct store *s);
/* The store's clock: its newest traffic record, but never after now (µs). */
int64_t store_clock(const struct store *s);

int store_intern_init(struct store_intern *t);
void store_intern_clear(struct store_intern *t);
void store_intern_free(struct store_intern *t);

#endif
