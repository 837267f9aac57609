/*
 * share_int — the inside of the STIX share. share_ids.c: UUIDv5
 * identifiers, the canonical JSON STIX derives observable ids from,
 * pseudonyms of internal addresses, the document's times as STIX timestamps,
 * and the scanner that finds address literals in text (to collect the
 * document's internal addresses, and to prove none is left in the bundle);
 * no state, thread-safe. Then the builder one share_stix call works with,
 * split over share.c (objects, ids, internal addresses, the bundle),
 * share_obs.c (what was observed: infrastructure, flows, files, indicators,
 * sightings) and share_text.c (titles and descriptions).
 */
#ifndef MAMORI_INCIDENT_SHARE_INT_H
#define MAMORI_INCIDENT_SHARE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/addrset.h"

#define SHARE_KEY_MIN 16  /* bytes of pseudonym key at least */
#define SHARE_KEY_MAX 127 /* what a 254-digit setting holds */

/* "00abedb4-aa42-466c-9c01-fed23315a9b7": the namespace STIX 2.1 (2.9)
 * prescribes for deterministic ids of cyber observables. */
extern const uint8_t share_ns_sco[16];
/* mamori's namespace for the ids of everything else. */
extern const uint8_t share_ns_mamori[16];

/* RFC 4122 version 5 UUID of name in namespace ns, as 36 characters of
 * lower-case text. */
void share_uuid5(const uint8_t ns[16], const void *name, size_t n, char out[37]);

/* The RFC 8785 (JCS) serialisation of v: object members sorted by key, no
 * blanks, strings with only the escapes JSON requires. Keys are compared as
 * bytes, which is JCS's order for the ASCII keys STIX uses; reals are not
 * canonicalised (STIX's id contributing properties hold none) and make it
 * fail. NULL on failure; free with free(). */
char *share_canonical(const json_t *v);

/* A hex key (an even number of digits) into key[0..cap); the byte count, or
 * -1 when it is not hex or longer than cap. */
int share_hex_key(const char *hex, uint8_t *key, size_t cap);

/* "host-" and the first 16 hex digits of HMAC-SHA-256(key, addr), addr the
 * 4 (ver 4) or 16 (ver 6) address bytes. False when libcrypto fails. */
bool share_pseudonym(const uint8_t *key, size_t kn, const uint8_t *addr, int ver, char out[22]);

/* The first 16 hex digits of HMAC-SHA-256(key, label): what a reporter's
 * ids are scoped by. False when libcrypto fails. */
bool share_scope(const uint8_t *key, size_t kn, const char *label, char out[17]);

/* A time member of a document object in milliseconds since 1970: KEY_epoch
 * (seconds, as the store writes it) when present, else KEY as text
 * ("2024-01-15T09:12:00.000000+0000", RFC 3339 offsets and "Z" too). False
 * when absent or not a time. */
bool share_time_ms(const json_t *o, const char *key, int64_t *ms);

/* STIX timestamp text of ms: "2024-01-15T09:12:00.000Z" (UTC, milliseconds,
 * as STIX requires of created and modified). */
void share_ts(int64_t ms, char out[32]);

/* Every IPv4 or IPv6 literal in s[0..n): dotted quads not part of a longer
 * run of digits and dots ("10.1.2.3:80", "http://10.1.2.3/x" count; "1.2.3.4.5"
 * does not), and runs of hex digits, ':' and '.' with two colons or more that
 * parse as IPv6. fn gets each one's bytes, version and text; when it returns
 * true the scan stops and share_scan_addrs returns true. */
typedef bool (*share_addr_fn)(void *ctx, const uint8_t *addr, int ver, const char *text,
			      size_t len);
bool share_scan_addrs(const char *s, size_t n, share_addr_fn fn, void *ctx);

/* The address in text (no prefix length, no port): true with its bytes and
 * version. */
bool share_parse_addr(const char *text, uint8_t addr[16], int *ver);

/* ---- the builder shared by share.c, share_obs.c and share_text.c ---- */

struct share_opts;
struct share_tlp;

/* An internal address. */
struct share_host {
	uint8_t a[16];
	int ver;
	char text[48];	     /* as the document first wrote it */
	char pseudo[22];     /* host-... */
	char sco[96];	     /* its x-mamori-host id; "" until made */
	const json_t *entry; /* its entry in hosts[], or NULL */
};

/* An indicator, for its sighting. */
struct share_ind {
	const char *id;
	int64_t first, last;
	uint64_t count;
	bool counted;
	json_t *od;	  /* its observed-data ids */
	json_t *objrefs;  /* file indicators: the observables of their observed-data */
	const char *name; /* file indicators: the file's name */
};

/* A growable text (descriptions); free p with free(). */
struct share_text {
	char *p;
	size_t len, cap;
	bool fail;
};

/* One share in the making. Objects are owned by `objects`; the other JSON
 * members hold ids or borrowed references into it. */
struct share_b {
	const struct share_opts *o;
	const json_t *doc;
	json_t *objects; /* the bundle's objects, in order */
	json_t *byid;	 /* id -> object */
	json_t *keys;	 /* "kind|key" -> id: objects made once */
	bool oom;	 /* an allocation failed: the share fails at the end */
	uint8_t key[SHARE_KEY_MAX];
	size_t kn;
	char scope[17];
	json_int_t incident;
	char ts[32]; /* the document's updated time: created and modified */
	const struct share_tlp *tlp;
	char identity[96], ext[96], incident_id[96];
	struct ipset home;
	bool has_home;
	struct share_host *hosts;
	size_t n_hosts, cap_hosts;
	json_t *host_index; /* address key -> index + 1 */
	struct share_ind *inds;
	size_t n_inds, cap_inds;
	json_t *ind_index; /* pattern -> index + 1 */
	unsigned skipped_infra, skipped_files;
	char *err;
	size_t errlen;
};

/* Roles of infrastructure (docs/incidents.md): infrastructure_types
 * (infrastructure-type-ov; NULL: none), the kill-chain phase they stand for
 * and words for descriptions. */
#define SHARE_INFRA_ROLES 6
struct share_role {
	const char *role, *type, *phase, *words, *short_words;
};
extern const struct share_role share_infra_roles[SHARE_INFRA_ROLES];

/* The damage lists of files, what they say of a file, and its indicator type. */
#define SHARE_FILE_LISTS 3
struct share_file_list {
	const char *list, *words, *indicator_type;
};
extern const struct share_file_list share_file_lists[SHARE_FILE_LISTS];

/* share.c: the message of a failed share into b->err; returns -1. */
int share_fail(struct share_b *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append printf-style to t (t->fail on out of memory). */
void share_tx(struct share_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Members of the document: a string, a non-negative integer, whether an
 * array holds a string, a part of damage{}. */
const char *share_jstr(const json_t *o, const char *k);
bool share_juint(const json_t *o, const char *k, uint64_t *v);
bool share_has_str(const json_t *arr, const char *s);
const json_t *share_damage(const struct share_b *b, const char *part);

/* Members of the objects built (b->oom on failure; v is taken). */
void share_set(struct share_b *b, json_t *o, const char *k, json_t *v);
void share_set_s(struct share_b *b, json_t *o, const char *k, const char *v); /* NULL: none */
void share_set_i(struct share_b *b, json_t *o, const char *k, uint64_t v);
void share_set_ts(struct share_b *b, json_t *o, const char *k, int64_t ms);
void share_append_s(struct share_b *b, json_t *arr, const char *s); /* once; NULL: none */
void share_ref_add(struct share_b *b, json_t *o, const char *k, const char *id);
const char *share_id_of(const json_t *o);

/* An SDO or SRO of this incident (type, spec_version, id from key,
 * created_by_ref, created, modified), not yet in the bundle; share_add puts
 * it there (taking it, also when it fails) and returns it borrowed, or NULL. */
json_t *share_sdo(struct share_b *b, const char *type, const char *key);
json_t *share_add(struct share_b *b, json_t *o);
/* The object remembered under kind and key, or NULL; remembering one;
 * adding one and remembering it (NULL when it could not be added: o is
 * gone). */
json_t *share_made(struct share_b *b, const char *kind, const char *key);
void share_remember(struct share_b *b, const char *kind, const char *key, const json_t *o);
json_t *share_add_once(struct share_b *b, const char *kind, const char *key, json_t *o);
/* A cyber observable with STIX's deterministic id from contrib (taken):
 * made and added, or the one already in the bundle (borrowed). */
json_t *share_sco(struct share_b *b, const char *type, json_t *contrib);
/* A relationship, once per (type, source, target). */
void share_rel(struct share_b *b, const char *type, const char *src, const char *dst);
/* The mitre-attack phase of a tactic (by id, else by name into buf). */
const char *share_phase_of(const char *tactic_id, const char *name, char buf[64]);
void share_phase_add(struct share_b *b, json_t *o, const char *phase);

/* Internal addresses: whether one is; the index of an address text; its
 * x-mamori-host observable (made on first use). */
bool share_internal(const struct share_b *b, const uint8_t *a, int ver);
int share_host_of(const struct share_b *b, const char *text);
const char *share_host_sco(struct share_b *b, int i);

/* share_obs.c: the attack patterns, one infrastructure entry, the files,
 * the sightings. 0 or -1 with b->err set. */
void share_attack_patterns(struct share_b *b, json_t *incident);
int share_infrastructure_entry(struct share_b *b, const json_t *e, size_t idx);
int share_files(struct share_b *b);
void share_sightings(struct share_b *b);

/* share_text.c: the words of the title and descriptions. */
const char *share_grouped(uint64_t v, char out[32]); /* 25400000 -> "25,400,000" */
void share_roles_words(const json_t *roles, struct share_text *t);
void share_enrichment_words(const json_t *e, struct share_text *t);
void share_title(struct share_b *b, struct share_text *t);
void share_description(struct share_b *b, struct share_text *t);

#endif
