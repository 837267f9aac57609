/*
 * doc_int — the incident document while it is built: doc.c reads the
 * incident's signals (timeline, tactics, roles, attribution, score),
 * damage.c its flows and files (bytes, files, visibility). Internal to
 * incident/.
 */
#ifndef MAMORI_INCIDENT_DOC_INT_H
#define MAMORI_INCIDENT_DOC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "incident/attack.h"
#include "incident/incident.h"

struct sqlite3;

#define DOC_MAX_HOSTS 256 /* hosts and infrastructure listed per incident */
#define DOC_MAX_INFRA 256

/* Roles, in kill-chain order (the document lists them in this order). */
enum {
	ROLE_INITIAL_ACCESS = 1u << 0,
	ROLE_C2_CLIENT = 1u << 1,
	ROLE_DISCOVERY = 1u << 2,
	ROLE_LATERAL_SOURCE = 1u << 3,
	ROLE_LATERAL_TARGET = 1u << 4,
	ROLE_STAGING = 1u << 5,
	ROLE_EXFILTRATION = 1u << 6,
	ROLE_ZONE_VIOLATION = 1u << 7,
	ROLE_INTEL_MATCH = 1u << 8,
	ROLE_SCANNER = 1u << 9,
	ROLE_C2 = 1u << 10,
	ROLE_DNS_TUNNEL = 1u << 11,
	ROLE_ZONE_PEER = 1u << 12,
};

enum { CH_HTTP, CH_TLS, CH_DNS_TUNNEL, CH_OTHER, CH_N };

struct doc_host {
	char ip[64];
	int ver;
	uint8_t a[16];
	int64_t first, last; /* µs; 0 = none yet */
	unsigned roles;
	char zone[64];
	uint64_t out[CH_N], in[CH_N];
};

struct doc_infra {
	bool domain; /* a name (no address of the incident carries it) */
	char value[256];
	int ver;
	uint8_t a[16];
	int64_t first, last;
	unsigned roles;
	json_t *domains, *addresses, *actors, *campaigns, *sources; /* string arrays */
	uint64_t flows, out, in;
};

struct doc_tactic {
	int64_t first, last;
	json_t *techniques; /* id -> {"id","name","count"} */
};

struct doc {
	struct sqlite3 *db;
	const struct incident_ctx *x;
	int64_t id;
	struct doc_host host[DOC_MAX_HOSTS];
	unsigned nhost;
	struct doc_infra infra[DOC_MAX_INFRA];
	unsigned ninfra;
	uint64_t hosts_skipped, infra_skipped;
	int64_t first, last; /* µs, over signals and flows */
	struct doc_tactic tactic[16];
	json_t *timeline; /* fold key -> entry */
	json_t *pii;	  /* type -> records */
	uint64_t pii_records, pii_identifiers, pii_uploads;
	bool pii_at_least;
	uint64_t n_alert, n_intel, n_event, n_retro;
	int max_severity; /* 1 high .. 3 low; 0 none */
	bool exfil_event, beacon, tunnel;
	json_t *damage; /* built by damage.c */
	uint64_t bytes_out_total;
	uint64_t enc_bytes_out;
};

/* Times: "KEY" (EVE form) and "KEY_epoch". */
void doc_put_time(json_t *o, const char *key, int64_t us);
void doc_widen(int64_t *first, int64_t *last, int64_t a, int64_t b);
/* The time (µs) of a record's member in EVE form, or dflt. */
int64_t doc_json_time(json_t *o, const char *key, int64_t dflt);

struct doc_host *doc_host_find(struct doc *d, const char *ip);
struct doc_infra *doc_infra_find(struct doc *d, const char *value);
/* Add a string to a string array unless there (up to 64). */
void doc_strset_add(json_t *arr, const char *s);

/* A tactic (index into attack_tactics) and technique seen [first, last]. */
void doc_tactic_note(struct doc *d, int t, const char *tech_id, const char *tech_name,
		     int64_t first, int64_t last, uint64_t count);

/* A timeline entry: folded with the entries of the same fold key. */
void doc_timeline_add(struct doc *d, const char *fold, const char *kind, int64_t first,
		      int64_t last, int tactic, const char *tech_id, const char *tech_name,
		      const char *host, const char *peer, const char *summary, int severity,
		      uint64_t count, bool count_is_total);

/* damage.c: the flows between the incident's hosts and infrastructure and
 * what they carried. 0, or -1 (SQLite error). */
int doc_damage(struct doc *d);

#endif
