/*
 * store — the embedded SQLite store: flow, dns, http, tls, fileinfo, alert,
 * intel and stats records kept for months (retention by age and size), for
 * `mamori query` and retro-hunts (hunt.h). `mamori read` and `mamori live`
 * write it beside eve.json; an existing store is appended to.
 *
 * Writing is off the packet path. Each producer thread (a worker, the
 * reader's stats) owns a `struct store_out` that copies records into a
 * preallocated batch (fixed-size records plus a string arena: no allocation
 * per record) and hands full batches, or batches a second of packet time old,
 * to the store's one writer thread through a bounded queue. The writer
 * commits one transaction per batch with prepared statements. At the queue's
 * cap a waiting producer (file input) waits for room, counted as
 * store.queue_full_waits; a dropping one (live input) drops the batch,
 * counted as store.dropped_batches and store.dropped_rows. A batch that
 * cannot be written (disk full, I/O error) is rolled back and counted
 * (store.write_errors, store.lost_rows); the writer goes on.
 *
 * Times in the store are microseconds since the epoch (UTC); the API takes
 * nanoseconds, as the rest of mamori. Addresses are BLOBs of 4 (IPv4) or 16
 * (IPv6) bytes. Domain names are interned in one table, lower case, with
 * their labels reversed ("com.example.www") so that a name and everything
 * below it is one index range. docs/store.md describes the schema.
 *
 * Thread-safety: store_open/store_finish/store_free from one thread; each
 * store_out belongs to one thread at a time; store_counters from any thread.
 */
#ifndef MAMORI_STORE_STORE_H
#define MAMORI_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/counters.h"
#include "flow/flow.h"

/* The newest schema this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 4

/* Rows deleted per table and transaction while pruning. */
#define STORE_PRUNE_CHUNK 20000
/* A string kept in a record is cut at this many bytes (counted); a stats
 * record's counters at STORE_STATS_MAX. */
#define STORE_TEXT_MAX	4096
#define STORE_STATS_MAX 32768

struct store_opts {
	uint32_t batch_rows;	  /* records per batch (transaction) */
	uint32_t queue_len;	  /* full batches waiting for the writer */
	uint32_t producers;	  /* store_out handles open at once */
	uint32_t retention_days;  /* 0: no age limit */
	uint64_t retention_bytes; /* 0: no size limit */
	uint32_t stats_interval;  /* seconds between stats rows (the final one is kept) */
	bool wait;		  /* at the cap: wait (files) rather than drop (live) */
	bool bulk;		  /* a new store loaded in bulk: indexes built by store_finish */
	uint32_t cache_mb;	  /* the writer's page cache; 0: SQLite's default */
	uint32_t max_pages;	  /* 0, or a cap on the file's pages (a full disk, for tests) */
};

/* Options from the configuration (store.*), for n producers, waiting. */
void store_opts_from_config(struct store_opts *o, const struct config *cfg, uint32_t producers);

/* The store's path: store.path, else OUTDIR/mamori.db. -1 when too long. */
int store_path_for(const struct config *cfg, const char *outdir, char *out, size_t outlen);
/* The intel folder: intel.dir, else "intel" beside the store. -1 when too long. */
int store_intel_dir(const struct config *cfg, const char *store_path, char *out, size_t outlen);

struct store;

/*
 * Open (create, migrate) the store at path, prune what retention says, and
 * start the writer. NULL after a message (unwritable, a schema newer than
 * this build's, out of memory). Free with store_free.
 */
struct store *store_open(const char *path, const struct store_opts *o);

/* store_open with the configuration's path and options (the run's store). */
struct store *store_open_for_run(const struct config *cfg, const char *outdir, uint32_t producers);

/* File input waits at the cap, live input drops (set before producers run). */
void store_set_wait(struct store *s, bool wait);

/* Block until every batch handed over so far is written (or failed). */
void store_drain(struct store *s);

/* Drain, stop the writer, build the indexes of a bulk load, close the
 * database. Returns 0, or -1 when some batch could not be written. Counters
 * stay readable until store_free. */
int store_finish(struct store *s);

/* Finish (if not done) and free. Every store_out must be freed first. */
void store_free(struct store *s);

/* Add the writer's counters (store.*) to c. Thread-safe. */
void store_counters(struct store *s, struct counters *c);

const char *store_path(const struct store *s);

/* The run's store line for the summary on stderr ("store: ... rows ..."). */
void store_summary(struct store *s, const struct counters *total);

/* ---- records ---- */

enum store_kind {
	STORE_FLOW,
	STORE_DNS,
	STORE_HTTP,
	STORE_TLS,
	STORE_FILEINFO,
	STORE_ALERT,
	STORE_INTEL,
	STORE_STATS,
	STORE_EVENT, /* behaviour analytics records (analytics/): the whole EVE record */
	STORE_DAILY, /* daily counters and summaries (analytics/) */
	STORE_KINDS
};

/* Table name of a kind ("flow", "dns", ...). */
const char *store_kind_name(enum store_kind k);

/* Bytes of a string field: not NUL-terminated, p NULL (or len 0) = absent. */
struct store_text {
	const char *p;
	uint32_t len;
};

/* The connection a record belongs to. src is the client (the flow's
 * initiator); alerts and intel keep the addresses as their EVE record. */
struct store_conn {
	uint64_t ts;	  /* ns since the epoch */
	uint64_t flow_id; /* 0: none */
	uint8_t ip_ver;	  /* 4 or 6; 0: no addresses */
	uint8_t proto;
	uint16_t sp, dp;
	uint8_t src[16], dst[16]; /* 4 or 16 bytes used */
};

#define STORE_ANSWERS_MAX 32 /* A/AAAA answers kept per DNS response */

/*
 * One record. The strings are borrowed by store_out_add (copied into the
 * batch). DNS answers are the A/AAAA addresses of the answer section, each
 * as one length byte (4 or 16) and the address.
 */
struct store_rec {
	uint8_t kind; /* enum store_kind */
	struct store_conn c;
	union {
		struct {
			uint64_t end;		    /* ns */
			uint64_t pkts[2], bytes[2]; /* to server, to client */
			struct store_text app;	    /* app_proto name */
			uint8_t state;		    /* enum flow_state */
			uint8_t reason;		    /* enum flow_end_reason */
		} flow;
		struct {
			bool response;
			uint16_t rrtype; /* of the first question */
			int16_t rcode;	 /* -1 in requests */
			struct store_text qname, answers;
		} dns;
		struct {
			struct store_text host, url, method, ua, ctype;
			uint16_t status; /* 0: none */
			int64_t length;	 /* response body bytes, -1: no response */
		} http;
		struct {
			uint16_t version;
			struct store_text sni, ja3, ja3s, ja4; /* ja3/ja3s: MD5 hex */
			struct store_text fp;		       /* certificate SHA-1, hex with ':' */
			struct store_text subject, issuer, serial, not_before, not_after;
		} tls;
		struct {
			uint8_t dir;   /* 0: to the server (upload), 1: to the client */
			uint8_t state; /* enum app_file_state */
			uint64_t size;
			struct store_text host, name, magic;
			struct store_text md5, sha1, sha256; /* hex; absent: not hashed */
		} file;
		struct {
			uint32_t gid, sid, rev;
			uint8_t severity;
			uint8_t action; /* 0: allowed */
			struct store_text msg, category;
			struct store_text attack; /* the rule's mitre_* metadata as JSON */
		} alert;
		struct {
			uint8_t type; /* enum ioc_type */
			bool retro;
			int16_t confidence;		       /* -1: not given */
			uint64_t first_seen, last_seen, count; /* ns */
			uint64_t bytes_toserver, bytes_toclient;
			struct store_text indicator, field, value, source, actor, campaign, tlp,
			    hosts;
		} intel;
		struct {
			struct store_text json; /* {"counter.name": value, ...} */
		} stats;
		struct {
			uint8_t severity;
			struct store_text type, json; /* event_type, the EVE record */
		} event;
		struct {
			uint64_t value;			   /* c.ts: the day's first instant */
			struct store_text kind, key, json; /* json: the detail, may be absent */
		} daily;
	};
};

/* ---- producers ---- */

struct store_out;

/* A producer's handle (free with store_out_free, before store_free); it
 * takes one of the store's batches. cnt (borrowed) receives its counts.
 * NULL on OOM or when more producers than store_opts.producers ask. */
struct store_out *store_out_new(struct store *s, struct counters *cnt);
/* Hand over what is batched, then free. */
void store_out_free(struct store_out *o);

/* Copy one record into the batch (handing the batch over when full). */
void store_out_add(struct store_out *o, const struct store_rec *r);
/* Hand over the batch now (end of input, tests). */
void store_out_flush(struct store_out *o);
/* Packet time has reached ts (ns): hand over a batch a second old. */
void store_out_tick(struct store_out *o, uint64_t ts);

/* Records from the pipeline (store_out.c), shaped as their EVE records. */
struct packet;
struct app_tx;
struct ruleset;
struct detect_alert;
struct intel_sighting;
void store_out_flow(struct store_out *o, const struct flow *f, enum flow_end_reason reason);
/* A transaction at `level` (app/applayer.h): dns messages, http at
 * APP_LEVEL_LOG, files at APP_LEVEL_FILE + dir, tls at its last level. */
void store_out_tx(struct store_out *o, const struct packet *p, const struct flow *f,
		  const struct app_tx *tx, int dir, uint8_t level);
void store_out_alert(struct store_out *o, const struct ruleset *rs, const struct packet *p,
		     const struct flow *f, const struct detect_alert *a);
/* An intel sighting (live from a worker, or a retro-hunt's). */
void store_out_intel(struct store_out *o, const struct intel_sighting *s);
/* An analytics record (its EVE line) or a daily row. */
void store_out_event(struct store_out *o, const struct store_conn *c, const char *type,
		     uint8_t severity, const char *json, size_t len);
void store_out_daily(struct store_out *o, uint64_t day_ts, const char *kind, const char *key,
		     uint64_t value, const char *json, size_t len);
/* Counters as a stats row: always when final, else at most every
 * store.stats-interval seconds (wall clock). */
void store_out_stats(struct store_out *o, const struct counters *c, bool final);

#endif
