/*
 * prefilter — the Vectorscan databases of a transport group's payload
 * rules, split by port as Suricata groups rules: rules for one or a few
 * destination ports (or, with any destination, a few source ports) get a
 * database per distinct port rule set; rules for any port share one. A
 * packet is scanned with the port-less database and the ones of its
 * destination and source ports, so most rules never see traffic for other
 * services. Built once, read-only, shared by workers (scratch is theirs).
 */
#ifndef MAMORI_DETECT_PREFILTER_H
#define MAMORI_DETECT_PREFILTER_H

#include <hs/hs.h>
#include <stdbool.h>
#include <stdint.h>

#include "detect/rule.h"

struct pf_db {
	hs_database_t *db;
	const struct rule **rules; /* by pattern id */
	uint32_t n;
	uint32_t id;   /* engine-wide number, for profiling */
	char name[32]; /* "tcp any", "tcp dport 80" ... */
};

struct prefilter {
	struct pf_db any;
	struct pf_db *dbs;
	uint32_t n_dbs;
	uint16_t *dp_map; /* port -> index in dbs + 1; 0 = none (NULL without ports) */
	uint16_t *sp_map;
	uint64_t bytes; /* compiled size */
};

/*
 * Build from the payload rules (each with a prefilterable fast pattern).
 * `ports`: the transport has ports (TCP, UDP). 0, or -1 after a message.
 */
int prefilter_build(struct prefilter *pf, const struct rule *const *rules, uint32_t n, bool ports);
void prefilter_free(struct prefilter *pf);

/* The databases for a packet with these ports; returns how many (0-3). */
int prefilter_select(const struct prefilter *pf, uint16_t sp, uint16_t dp,
		     const struct pf_db *out[3]);

/* The most rules in one database (for candidate arrays). */
uint32_t prefilter_max_rules(const struct prefilter *pf);

/* Grow *s to serve every database. 0 or -1. */
int prefilter_alloc_scratch(const struct prefilter *pf, hs_scratch_t **s);

/* The literal the prefilter looks for, for a rule's fast pattern. */
void prefilter_literal(const struct content *c, const uint8_t **p, uint32_t *n);

#endif
