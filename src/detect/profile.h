/*
 * profile — `--profile-rules`: per worker, how often each rule was checked,
 * how often it matched and the time its checks took; per prefilter
 * database, scans, bytes, candidates and time. Merged and reported at the
 * end (top N on stderr, everything in DIR/rule_perf.json). Off by default:
 * the clock reads cost more than many checks.
 */
#ifndef MAMORI_DETECT_PROFILE_H
#define MAMORI_DETECT_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct detect_engine;

struct profile_rule {
	uint64_t checks, matches, ns;
};

struct profile_db {
	uint64_t scans, bytes, candidates, ns;
};

struct detect_profile {
	uint32_t n_rules, n_dbs;
	struct profile_rule *rule;
	struct profile_db *db;
};

struct detect_profile *profile_new(uint32_t n_rules, uint32_t n_dbs);
void profile_free(struct detect_profile *p);

static inline uint64_t profile_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void profile_rule(struct detect_profile *p, uint32_t id, bool matched, uint64_t ns)
{
	p->rule[id].checks++;
	p->rule[id].matches += matched;
	p->rule[id].ns += ns;
}

static inline void profile_db(struct detect_profile *p, uint32_t id, uint32_t bytes, uint32_t cands,
			      uint64_t ns)
{
	p->db[id].scans++;
	p->db[id].bytes += bytes;
	p->db[id].candidates += cands;
	p->db[id].ns += ns;
}

/* dst += src */
void profile_merge(struct detect_profile *dst, const struct detect_profile *src);

/* Top `top` rules and databases by time on out; everything as JSON to json
 * (may be NULL). */
void profile_report(const struct detect_profile *p, const struct detect_engine *de, unsigned top,
		    FILE *out, FILE *json);

#endif
