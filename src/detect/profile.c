/*
 * profile — see profile.h.
 */
#include "detect/profile.h"

#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/ruleset.h"

struct detect_profile *profile_new(uint32_t n_rules, uint32_t n_dbs)
{
	struct detect_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->n_rules = n_rules;
	p->n_dbs = n_dbs;
	p->rule = calloc(n_rules + 1, sizeof(*p->rule));
	p->db = calloc(n_dbs + 1, sizeof(*p->db));
	if (!p->rule || !p->db) {
		profile_free(p);
		return NULL;
	}
	return p;
}

void profile_free(struct detect_profile *p)
{
	if (!p)
		return;
	free(p->rule);
	free(p->db);
	free(p);
}

void profile_merge(struct detect_profile *dst, const struct detect_profile *src)
{
	for (uint32_t i = 0; i < dst->n_rules && i < src->n_rules; i++) {
		dst->rule[i].checks += src->rule[i].checks;
		dst->rule[i].matches += src->rule[i].matches;
		dst->rule[i].ns += src->rule[i].ns;
	}
	for (uint32_t i = 0; i < dst->n_dbs && i < src->n_dbs; i++) {
		dst->db[i].scans += src->db[i].scans;
		dst->db[i].bytes += src->db[i].bytes;
		dst->db[i].candidates += src->db[i].candidates;
		dst->db[i].ns += src->db[i].ns;
	}
}

static const struct detect_profile *sort_p;

static int by_rule_ns(const void *a, const void *b)
{
	uint64_t x = sort_p->rule[*(const uint32_t *)a].ns,
		 y = sort_p->rule[*(const uint32_t *)b].ns;
	return x < y ? 1 : x > y ? -1 : 0;
}

static int by_db_ns(const void *a, const void *b)
{
	uint64_t x = sort_p->db[*(const uint32_t *)a].ns, y = sort_p->db[*(const uint32_t *)b].ns;
	return x < y ? 1 : x > y ? -1 : 0;
}

void profile_report(const struct detect_profile *p, const struct detect_engine *de, unsigned top,
		    FILE *out, FILE *json)
{
	const struct ruleset *rs = detect_engine_ruleset(de);
	uint32_t *ri = malloc((p->n_rules + 1) * sizeof(*ri));
	uint32_t *di = malloc((p->n_dbs + 1) * sizeof(*di));
	if (!ri || !di)
		goto out;
	uint64_t total_ns = 0, total_checks = 0;
	for (uint32_t i = 0; i < p->n_rules; i++) {
		ri[i] = i;
		total_ns += p->rule[i].ns;
		total_checks += p->rule[i].checks;
	}
	for (uint32_t i = 0; i < p->n_dbs; i++)
		di[i] = i;
	sort_p = p;
	qsort(ri, p->n_rules, sizeof(*ri), by_rule_ns);
	qsort(di, p->n_dbs, sizeof(*di), by_db_ns);
	fprintf(out, "rule profile: %llu checks, %.3f s in rule checks; top %u rules by time:\n",
		(unsigned long long)total_checks, total_ns / 1e9, top);
	fprintf(out, "  %10s %12s %10s %10s %9s  %s\n", "sid", "checks", "matches", "ms",
		"ns/check", "where");
	for (uint32_t k = 0; k < top && k < p->n_rules; k++) {
		const struct profile_rule *pr = &p->rule[ri[k]];
		const struct rule *r = rs->rules[ri[k]];
		if (!pr->checks)
			break;
		fprintf(out, "  %10u %12llu %10llu %10.1f %9llu  %s:%u\n", r->sid,
			(unsigned long long)pr->checks, (unsigned long long)pr->matches,
			pr->ns / 1e6, (unsigned long long)(pr->ns / pr->checks), r->file, r->line);
	}
	fprintf(out, "prefilter databases by time:\n");
	fprintf(out, "  %-22s %10s %12s %12s %10s\n", "database", "scans", "bytes", "candidates",
		"ms");
	for (uint32_t k = 0; k < top && k < p->n_dbs; k++) {
		const struct profile_db *pd = &p->db[di[k]];
		if (!pd->scans)
			break;
		fprintf(out, "  %-22s %10llu %12llu %12llu %10.1f\n",
			detect_engine_db_name(de, di[k]), (unsigned long long)pd->scans,
			(unsigned long long)pd->bytes, (unsigned long long)pd->candidates,
			pd->ns / 1e6);
	}
	if (json) {
		fprintf(json, "{\"rules\":[");
		bool first = true;
		for (uint32_t k = 0; k < p->n_rules; k++) {
			const struct profile_rule *pr = &p->rule[ri[k]];
			if (!pr->checks)
				break;
			const struct rule *r = rs->rules[ri[k]];
			fprintf(json,
				"%s{\"gid\":%u,\"sid\":%u,\"checks\":%llu,\"matches\":%llu,\"ns\":%"
				"llu}",
				first ? "" : ",", r->gid, r->sid, (unsigned long long)pr->checks,
				(unsigned long long)pr->matches, (unsigned long long)pr->ns);
			first = false;
		}
		fprintf(json, "],\"databases\":[");
		first = true;
		for (uint32_t k = 0; k < p->n_dbs; k++) {
			const struct profile_db *pd = &p->db[di[k]];
			if (!pd->scans)
				break;
			fprintf(json,
				"%s{\"name\":\"%s\",\"scans\":%llu,\"bytes\":%llu,\"candidates\":%"
				"llu,\"ns\":%llu}",
				first ? "" : ",", detect_engine_db_name(de, di[k]),
				(unsigned long long)pd->scans, (unsigned long long)pd->bytes,
				(unsigned long long)pd->candidates, (unsigned long long)pd->ns);
			first = false;
		}
		fprintf(json, "]}\n");
	}
out:
	free(ri);
	free(di);
}
