/*
 * thresholdcfg — see thresholdcfg.h.
 *
 *   threshold gen_id G, sig_id S, type limit|threshold|both, track by_src|by_dst|by_rule|by_both,
 * count C, seconds N event_filter ...   (the same) suppress gen_id G, sig_id S[, track
 * by_src|by_dst|by_either, ip ADDRESSES]
 *
 * sig_id 0 means every rule of gen_id; gen_id 0 with sig_id 0 every rule.
 */
#include "detect/thresholdcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "detect/keyword.h"

#define MAX_LINE    8192
#define MAX_ENTRIES 65536

struct tc_entry {
	uint32_t gid, sid;
	bool suppress;
	uint8_t track; /* suppress: 0 all, 1 by_src, 2 by_dst, 3 by_either */
	struct ipset ips;
	struct threshold_ctx thr;
};

struct threshold_config {
	struct tc_entry *e;
	uint32_t n;
};

static int set_kv(const char *path, unsigned line, struct tc_entry *e, const char *key, char *val,
		  const struct ruleset *rs)
{
	static const char *const types[] = {"limit", "threshold", "both"};
	static const char *const tracks[] = {"by_src", "by_dst", "by_rule", "by_both"};
	int64_t n;
	if (!strcmp(key, "gen_id") || !strcmp(key, "sig_id") || !strcmp(key, "count") ||
	    !strcmp(key, "seconds")) {
		if (kw_parse_int(val, 0, UINT32_MAX, &n) < 0)
			goto bad;
		if (key[0] == 'g')
			e->gid = (uint32_t)n;
		else if (key[1] == 'i')
			e->sid = (uint32_t)n;
		else if (key[0] == 'c')
			e->thr.count = (uint32_t)n;
		else
			e->thr.seconds = (uint32_t)n;
		return 0;
	}
	if (!strcmp(key, "type")) {
		for (int i = 0; i < 3; i++)
			if (!strcmp(val, types[i])) {
				e->thr.type = (uint8_t)i;
				return 0;
			}
		goto bad;
	}
	if (!strcmp(key, "track")) {
		if (e->suppress) {
			static const char *const st[] = {"by_src", "by_dst", "by_either"};
			for (int i = 0; i < 3; i++)
				if (!strcmp(val, st[i])) {
					e->track = (uint8_t)(i + 1);
					return 0;
				}
			goto bad;
		}
		for (int i = 0; i < 4; i++)
			if (!strcmp(val, tracks[i])) {
				e->thr.track = (uint8_t)i;
				return 0;
			}
		goto bad;
	}
	if (!strcmp(key, "ip") && e->suppress) {
		struct addrset_err ae;
		if (ipset_parse(&e->ips, val, ruleset_var, (void *)rs, &ae) < 0) {
			log_error("%s:%u: ip '%s': %s", path, line, val, ae.msg);
			return -1;
		}
		return 0;
	}
bad:
	log_error("%s:%u: invalid %s '%s'", path, line, key, val);
	return -1;
}

static int parse_line(struct threshold_config *tc, const char *path, unsigned line, char *s,
		      const struct ruleset *rs)
{
	char *sp = strpbrk(s, " \t");
	if (!sp) {
		log_error("%s:%u: expected 'threshold|event_filter|suppress key value, ...'", path,
			  line);
		return -1;
	}
	*sp = '\0';
	struct tc_entry e = {0};
	if (!strcmp(s, "suppress")) {
		e.suppress = true;
	} else if (!strcmp(s, "rate_filter")) {
		log_warn("%s:%u: rate_filter is not supported (ignored)", path, line);
		return 0;
	} else if (strcmp(s, "threshold") && strcmp(s, "event_filter")) {
		log_error("%s:%u: unknown directive '%s'", path, line, s);
		return -1;
	}
	/* key value, key value ...: ip values may be [lists, with, commas] */
	char *p = sp + 1;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		char *key = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		char *val = p;
		int depth = 0;
		while (*p && (depth > 0 || *p != ',')) {
			depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
			p++;
		}
		if (*p)
			*p++ = '\0';
		val = kw_trim(val);
		if (!*val || set_kv(path, line, &e, key, val, rs) < 0) {
			if (!*val)
				log_error("%s:%u: '%s' has no value", path, line, key);
			ipset_free(&e.ips);
			return -1;
		}
	}
	if (!e.suppress && (e.thr.count == 0 || e.thr.seconds == 0)) {
		log_error("%s:%u: a threshold needs count and seconds", path, line);
		return -1;
	}
	if (e.suppress && e.track && e.ips.n4 + e.ips.n6 == 0 && !e.ips.any) {
		log_error("%s:%u: a tracked suppress needs ip", path, line);
		return -1;
	}
	if (tc->n == MAX_ENTRIES) {
		ipset_free(&e.ips);
		log_error("%s:%u: more than %d entries", path, line, MAX_ENTRIES);
		return -1;
	}
	struct tc_entry *ne = realloc(tc->e, (tc->n + 1) * sizeof(*ne));
	if (!ne) {
		ipset_free(&e.ips);
		return -1;
	}
	tc->e = ne;
	ne[tc->n++] = e;
	return 0;
}

struct threshold_config *threshold_config_load(const char *path, const struct ruleset *rs)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct threshold_config *tc = threshold_config_read(f, path, rs);
	fclose(f);
	if (tc)
		log_info("%s: %u threshold and suppress entries", path, tc->n);
	return tc;
}

struct threshold_config *threshold_config_read(FILE *f, const char *path, const struct ruleset *rs)
{
	struct threshold_config *tc = calloc(1, sizeof(*tc));
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = tc ? 0 : -1;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		lineno++;
		if (strlen(line) > MAX_LINE) {
			log_error("%s:%u: line too long", path, lineno);
			rc = -1;
			break;
		}
		char *s = kw_trim(line);
		if (!*s || *s == '#')
			continue;
		rc = parse_line(tc, path, lineno, s, rs);
	}
	free(line);
	if (rc < 0) {
		threshold_config_free(tc);
		return NULL;
	}
	return tc;
}

void threshold_config_free(struct threshold_config *tc)
{
	if (!tc)
		return;
	for (uint32_t i = 0; i < tc->n; i++)
		ipset_free(&tc->e[i].ips);
	free(tc->e);
	free(tc);
}

static bool applies(const struct tc_entry *e, const struct rule *r)
{
	if (e->sid == 0)
		return e->gid == 0 || e->gid == r->gid;
	return e->sid == r->sid && (e->gid == r->gid || (e->gid == 0 && r->gid == 1));
}

const struct threshold_ctx *threshold_config_for(const struct threshold_config *tc,
						 const struct rule *r)
{
	/* a rule-specific entry wins over a gen_id-wide one */
	const struct threshold_ctx *best = NULL;
	for (uint32_t i = 0; tc && i < tc->n; i++) {
		const struct tc_entry *e = &tc->e[i];
		if (e->suppress || !applies(e, r))
			continue;
		if (!best || e->sid)
			best = &e->thr;
	}
	return best;
}

bool threshold_config_suppressed(const struct threshold_config *tc, const struct rule *r,
				 const struct packet *p)
{
	for (uint32_t i = 0; tc && i < tc->n; i++) {
		const struct tc_entry *e = &tc->e[i];
		if (!e->suppress || !applies(e, r))
			continue;
		if (e->track == 0)
			return true;
		bool s = ipset_match(&e->ips, p->src.a, p->ip_ver);
		bool d = ipset_match(&e->ips, p->dst.a, p->ip_ver);
		if ((e->track == 1 && s) || (e->track == 2 && d) || (e->track == 3 && (s || d)))
			return true;
	}
	return false;
}

bool threshold_config_has_suppress(const struct threshold_config *tc, const struct rule *r)
{
	for (uint32_t i = 0; tc && i < tc->n; i++)
		if (tc->e[i].suppress && applies(&tc->e[i], r))
			return true;
	return false;
}
