/*
 * dataset — the named sets behind the `dataset` and `datarep` keywords, as
 * Suricata defines them: sets of strings (any buffer), MD5 or SHA-256
 * digests (16 or 32 bytes, as to_md5/to_sha256 leave them), IPv4 addresses
 * (4 bytes) or IP addresses (16 bytes; IPv4 as its 4 bytes followed by 12
 * zeros), each value with a 16-bit reputation for datarep.
 *
 * A registry holds the sets of one ruleset by name: the first declaration
 * (a rule's, or the configuration's datasets.NAME) fixes the type and the
 * files; later rules may name the set alone. Files hold one value per line
 * (`value` or `value,reputation`): strings in base64, digests in hex,
 * addresses as text. Sets with a save file (or a state file, loaded at start
 * and saved at the end) are written back by dataset_reg_save().
 *
 * Thread safety: the registry and the sets' settings are built by one thread
 * while rules load and read-only afterwards. Values may be added and removed
 * by any worker at run time (dataset:set / unset): each set's buckets are
 * guarded by striped read-write locks (sets no rule writes are read without
 * locks). Each set is bounded by its memcap (values and buckets) and its
 * hashsize (buckets); an add at the cap is refused.
 */
#ifndef MAMORI_DETECT_DATASET_H
#define MAMORI_DETECT_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dataset_type {
	DATASET_NOTSET = -1,
	DATASET_STRING,
	DATASET_MD5,
	DATASET_SHA256,
	DATASET_IPV4,
	DATASET_IP, /* "ip" or "ipv6": IPv6 and IPv4 addresses */
};

#define DATASET_NAME_MAX  63 /* as Suricata */
#define DATASET_PATH_MAX  1024
#define DATASET_HASH_MAX  (1u << 24) /* buckets per set */
#define DATASET_VALUE_MAX 65536	     /* bytes of one string value */

/* dataset_add() results besides 1 (added) and 0 (already there) */
#define DATASET_BAD_VALUE (-1) /* not a value of the set's type (its length) */
#define DATASET_FULL	  (-2) /* the set is at its memcap */

struct dataset;
struct dataset_reg;

/* What a declaration says; empty strings and zeros: not given. */
struct dataset_decl {
	int type;		     /* enum dataset_type; DATASET_NOTSET: not given */
	char load[DATASET_PATH_MAX]; /* resolved paths */
	char save[DATASET_PATH_MAX];
	uint64_t memcap;
	uint32_t hashsize;
	bool state;	    /* load and save name the same file; a missing one is empty */
	const char *origin; /* "FILE:LINE" or "the configuration", for messages */
};

/* The registry, with the memcap and hashsize of sets that give none. NULL on OOM. */
struct dataset_reg *dataset_reg_new(uint64_t def_memcap, uint32_t def_hashsize);
/* Frees every set (without saving). */
void dataset_reg_free(struct dataset_reg *r);

/*
 * The set `name`, declared by d if it is new (its load file read). An
 * existing set must agree with d's type and, when d names files, with its
 * files. NULL with a message in err (naming both declarations on a
 * conflict, FILE:LINE for a bad line). Not thread-safe (rule loading).
 */
struct dataset *dataset_get(struct dataset_reg *r, const char *name, const struct dataset_decl *d,
			    char *err, size_t errlen);
/* The set `name` if declared, else NULL. */
struct dataset *dataset_find(const struct dataset_reg *r, const char *name);

/* Some rule adds or removes values: lookups of this set must lock. Call
 * before workers start. */
void dataset_mark_writable(struct dataset *s);

/* Type names ("string" ... "ip"; "ipv6" parses as DATASET_IP); NOTSET when unknown. */
int dataset_type_parse(const char *name);
const char *dataset_type_name(int type);
int dataset_type(const struct dataset *s);
const char *dataset_name(const struct dataset *s);

/* Is v[0..len) in the set? With rep non-NULL, its reputation too. Thread-safe. */
bool dataset_lookup(struct dataset *s, const uint8_t *v, uint32_t len, uint16_t *rep);
/* Add a value: 1 added, 0 already there, DATASET_BAD_VALUE or DATASET_FULL. Thread-safe. */
int dataset_add(struct dataset *s, const uint8_t *v, uint32_t len, uint16_t rep);
/* Remove a value: 1 removed, 0 not there. Thread-safe. */
int dataset_remove(struct dataset *s, const uint8_t *v, uint32_t len);

/* Values held, and bytes they and the buckets use. */
uint32_t dataset_count(const struct dataset *s);
uint64_t dataset_memuse(const struct dataset *s);

/*
 * Write the set to path atomically (a temporary file renamed over it), one
 * value per line, sorted, with ",reputation" when the set's file had them.
 * 0, or -1 with err set. Safe while workers run (each bucket is read under
 * its lock).
 */
int dataset_save(const struct dataset *s, const char *path, char *err, size_t errlen);
/* Save every set with a save or state file; messages for failures. 0 or -1. */
int dataset_reg_save(struct dataset_reg *r);

#endif
