/*
 * query — `mamori query`: the store's records for a host (an address or a
 * CIDR, either end of a flow, or a DNS answer), a domain (the name and every
 * name below it: DNS questions, HTTP hosts, TLS server names, and the flows
 * that carried them), record types and a time range, without SQL. Prints a
 * table, or EVE-shaped JSON lines with --json. Every value reaches SQLite as
 * a bound parameter.
 */
#ifndef MAMORI_STORE_QUERY_H
#define MAMORI_STORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

struct sqlite3;

struct store_query {
	const char *host;	   /* address or CIDR text, or NULL */
	const char *domain;	   /* name (and below), or NULL */
	unsigned types;		   /* bit (1 << enum store_kind) per type; 0 = all */
	int64_t since, until;	   /* µs; INT64_MIN / INT64_MAX = open */
	uint64_t limit;		   /* the newest N records (oldest first); 0 = all */
	bool json;		   /* EVE-shaped lines, else a table */
	const char *signature;	   /* alerts only: a rule sid, or text in the message; or NULL */
	const char *text;	   /* text in a record's main fields (types without any are
				      skipped), or NULL */
	int64_t after_id, upto_id; /* 0, or rows with after_id < id <= upto_id */
};

/* Each record q selects, as one line (len bytes, no newline; borrowed for
 * the call), oldest first. */
typedef void (*store_query_fn)(void *ctx, const char *line, size_t len);

/* Hand the records q selects from db to fn. Returns the number handed,
 * or -1 after a message (a bad host or domain, an SQLite error). */
int64_t store_query_each(struct sqlite3 *db, const struct store_query *q, store_query_fn fn,
			 void *ctx);

/* The same, printed to out one per line. */
int64_t store_query_run(struct sqlite3 *db, const struct store_query *q, FILE *out);

/* Open a store for reading (close with sqlite3_close): a missing file or a
 * newer schema is an error (message printed); an older schema is migrated
 * first. 0 or -1. */
int store_open_reader(const char *path, struct sqlite3 **db);
/* The same, open for writing (the incident correlation). */
int store_open_writer(const char *path, struct sqlite3 **db);

/* The store's clock (its newest traffic record, never after now), in µs:
 * what relative times ("7d") count back from. */
int64_t store_reader_clock(struct sqlite3 *db);

/* `mamori query` (argv[0] is "query"). Exit status 0, 1 (no store, SQLite
 * error) or 2 (usage). */
int query_cmd(int argc, char **argv);

#endif
