/*
 * intel_json — what the JSON intel importers (STIX, MISP) share: parsing a
 * whole document with bounds on its size and nesting, a cheap look at the
 * top-level members for sniffing, RFC 3339 times and TLP names.
 *
 * jansson builds the whole tree in memory (about 200 bytes per JSON object,
 * 40-80 per other value), so a document is counted before it is parsed and
 * refused past INTEL_JSON_OBJECTS_MAX objects, INTEL_JSON_VALUES_MAX values or
 * INTEL_JSON_DEPTH_MAX levels of nesting. Thread-safe: no state.
 */
#ifndef MAMORI_INTEL_INTEL_JSON_H
#define MAMORI_INTEL_INTEL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ioc.h"

#define INTEL_JSON_OBJECTS_MAX 2000000u
#define INTEL_JSON_VALUES_MAX  16000000u
#define INTEL_JSON_DEPTH_MAX   128u

/* Parse a whole document (an object or an array). Returns the tree (free
 * with json_decref), or NULL with err set: "line L, column C: what" for
 * malformed or truncated JSON, or the bound that was passed. */
json_t *intel_json_parse(const uint8_t *d, size_t n, char *err, size_t errlen);

/* A top-level member of an object, as seen by intel_json_head. */
struct intel_json_member {
	char key[64]; /* truncated */
	char kind;    /* 's' string, '{' object, '[' array, '-' anything else */
	char str[64]; /* a string's value, truncated */
};

/* Sniffing without parsing: the top-level members of the object that starts
 * d, in order, read from its first 64 KiB (up to max of them). Returns how
 * many were found; 0 when d does not start with an object. *array is set
 * when d starts with an array whose first element is an object (the members
 * are then that object's). */
size_t intel_json_head(const uint8_t *d, size_t n, struct intel_json_member *m, size_t max,
		       bool *array);
/* The member named key among m[0..n), or NULL. */
const struct intel_json_member *intel_json_member(const struct intel_json_member *m, size_t n,
						  const char *key);

/* An RFC 3339 time ("2016-04-06T20:03:48.000Z", "2021-06-07T00:00:00.000000+00:00";
 * also a bare date, and a space for the T) as Unix seconds. False when it is
 * not one. */
bool intel_json_time(const char *s, int64_t *t);

/* A TLP level by name: "clear", "white" (= clear), "green", "amber",
 * "amber+strict", "red", in any case, with or without a "TLP:" prefix.
 * TLP_NONE when it is none of them. */
enum ioc_tlp intel_json_tlp(const char *s);

/* The more restrictive of two levels (TLP_NONE counts as the least). */
enum ioc_tlp intel_json_tlp_max(enum ioc_tlp a, enum ioc_tlp b);

/* A string member of an object, or NULL (o may be NULL or not an object). */
const char *intel_json_str(const json_t *o, const char *key);

/* s as printable ASCII for a report line: other bytes become '?', at most
 * cap - 1 characters (cut with "..."). Returns dst. */
char *intel_json_printable(char *dst, size_t cap, const char *s);

/* True for JSON true, a non-zero number, or the strings "1"/"true"
 * (MISP writes its flags all three ways). */
bool intel_json_flag(const json_t *v);

#endif
