/*
 * prefilter — see prefilter.h.
 */
#include "detect/prefilter.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/log.h"
#include "detect/content.h"

#define NPORTS	      65536
#define MAX_KEY_PORTS 1024 /* a rule for more ports than this counts as any-port */
#define MAX_DBS	      65534

void prefilter_literal(const struct content *c, const uint8_t **p, uint32_t *n)
{
	/* Leading NUL bytes are left out: Vectorscan's literal API rejects a
	 * literal that begins with one, and any part of a content is a valid
	 * prefilter for it (the full check follows). */
	bool chop = c->flags & CT_FP_CHOP;
	*p = c->pat + (chop ? c->fp_off : 0);
	*n = chop ? c->fp_len : c->len;
	while (*n > 0 && **p == 0) {
		(*p)++;
		(*n)--;
	}
}

static int compile(struct pf_db *d)
{
	if (d->n == 0)
		return 0;
	const char **pats = malloc(d->n * sizeof(*pats));
	size_t *lens = malloc(d->n * sizeof(*lens));
	unsigned *flags = malloc(d->n * sizeof(*flags));
	unsigned *ids = malloc(d->n * sizeof(*ids));
	int rc = -1;
	if (!pats || !lens || !flags || !ids) {
		log_error("rules: out of memory building the prefilter");
		goto out;
	}
	for (uint32_t i = 0; i < d->n; i++) {
		const struct content *c = d->rules[i]->fp;
		const uint8_t *p;
		uint32_t n;
		prefilter_literal(c, &p, &n);
		pats[i] = (const char *)p;
		lens[i] = n;
		/* every occurrence: with the stream tail, the first one may lie in data
		 * inspected before (the bitmap keeps one candidate per rule) */
		flags[i] = c->flags & CT_NOCASE ? HS_FLAG_CASELESS : 0;
		ids[i] = i;
	}
	hs_compile_error_t *err = NULL;
	if (hs_compile_lit_multi(pats, flags, ids, lens, d->n, HS_MODE_BLOCK, NULL, &d->db, &err) !=
	    HS_SUCCESS) {
		int bad = err ? err->expression : -1;
		log_error("rules: building the prefilter failed: %s (sid %u)",
			  err ? err->message : "?",
			  bad >= 0 && (uint32_t)bad < d->n ? d->rules[bad]->sid : 0);
		hs_free_compile_error(err);
		goto out;
	}
	rc = 0;
out:
	free(pats);
	free(lens);
	free(flags);
	free(ids);
	/* a compile leaves its work memory free but in the heap; without giving
	 * it back, hundreds of port databases would add up to the peak */
	malloc_trim(0);
	return rc;
}

static int add_rule(struct pf_db *d, const struct rule *r)
{
	const struct rule **nr = realloc(d->rules, (d->n + 1) * sizeof(*nr));
	if (!nr)
		return -1;
	nr[d->n++] = r;
	d->rules = nr;
	return 0;
}

static uint32_t port_count(const struct portset *s)
{
	if (s->any)
		return NPORTS;
	uint32_t t = 0;
	for (uint32_t i = 0; i < s->n; i++)
		t += (uint32_t)s->r[i].hi - s->r[i].lo + 1;
	return t;
}

/*
 * Give every port the rules keyed on it, as CSR arrays, then one database
 * per distinct rule list; map[port] = database index + 1.
 */
static int build_map(struct prefilter *pf, const struct rule *const *keyed, uint32_t nk,
		     bool by_dst, uint16_t **mapp)
{
	uint32_t *cnt = calloc(NPORTS + 1, sizeof(uint32_t));
	uint32_t *list = NULL, *fill = NULL;
	uint16_t *map = calloc(NPORTS, sizeof(uint16_t));
	uint64_t *hash = NULL;
	int rc = -1;
	if (!cnt || !map)
		goto out;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < nk; i++) {
			const struct portset *s = by_dst ? &keyed[i]->dp : &keyed[i]->sp;
			for (uint32_t k = 0; k < s->n; k++)
				for (uint32_t p = s->r[k].lo; p <= s->r[k].hi; p++) {
					if (pass == 0)
						cnt[p + 1]++;
					else
						list[fill[p]++] = i;
				}
		}
		if (pass == 0) {
			for (uint32_t p = 0; p < NPORTS; p++)
				cnt[p + 1] += cnt[p];
			log_debug("prefilter: %u port entries", cnt[NPORTS]);
			list = malloc(((size_t)cnt[NPORTS] + 1) * sizeof(uint32_t));
			fill = malloc(NPORTS * sizeof(uint32_t));
			if (!list || !fill)
				goto out;
			memcpy(fill, cnt, NPORTS * sizeof(uint32_t));
		}
	}
	/* one database per distinct list: ports with equal lists share it */
	hash = malloc(NPORTS * sizeof(uint64_t));
	if (!hash)
		goto out;
	uint32_t first = pf->n_dbs;
	for (uint32_t p = 0; p < NPORTS; p++) {
		uint32_t a = cnt[p], z = cnt[p + 1];
		if (a == z)
			continue;
		hash[p] = XXH3_64bits(list + a, (z - a) * sizeof(uint32_t));
		uint32_t found = 0;
		/* ports with the same list are usually neighbours: look back first */
		for (uint32_t q = p; q-- > 0 && !found;) {
			if (map[q] && map[q] > first && hash[q] == hash[p] &&
			    cnt[q + 1] - cnt[q] == z - a &&
			    !memcmp(list + cnt[q], list + a, (z - a) * sizeof(uint32_t)))
				found = map[q];
			if (p - q > 64)
				break;
		}
		if (!found) {
			for (uint32_t d = first; d < pf->n_dbs && !found; d++) {
				const struct pf_db *db = &pf->dbs[d];
				if (db->n != z - a)
					continue;
				bool same = true;
				for (uint32_t k = 0; k < db->n && same; k++)
					same = db->rules[k] == keyed[list[a + k]];
				if (same)
					found = d + 1;
			}
		}
		if (!found) {
			if (pf->n_dbs == MAX_DBS)
				goto out;
			struct pf_db *nd = realloc(pf->dbs, (pf->n_dbs + 1) * sizeof(*nd));
			if (!nd)
				goto out;
			pf->dbs = nd;
			memset(&nd[pf->n_dbs], 0, sizeof(nd[0]));
			for (uint32_t k = a; k < z; k++)
				if (add_rule(&nd[pf->n_dbs], keyed[list[k]]) < 0)
					goto out;
			pf->n_dbs++;
			found = pf->n_dbs;
		}
		map[p] = (uint16_t)found;
	}
	*mapp = map;
	map = NULL;
	rc = 0;
out:
	free(cnt);
	free(list);
	free(fill);
	free(hash);
	free(map);
	return rc;
}

int prefilter_build(struct prefilter *pf, const struct rule *const *rules, uint32_t n, bool ports)
{
	const struct rule **by_dp = NULL, **by_sp = NULL;
	uint32_t ndp = 0, nsp = 0;
	int rc = -1;
	memset(pf, 0, sizeof(*pf));
	if (n == 0)
		return 0;
	by_dp = malloc(n * sizeof(*by_dp));
	by_sp = malloc(n * sizeof(*by_sp));
	if (!by_dp || !by_sp)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		const struct rule *r = rules[i];
		/* <> rules match either way round: they stay port-less */
		if (ports && !(r->flags & RULE_BIDIR) && port_count(&r->dp) <= MAX_KEY_PORTS)
			by_dp[ndp++] = r;
		else if (ports && !(r->flags & RULE_BIDIR) && port_count(&r->sp) <= MAX_KEY_PORTS)
			by_sp[nsp++] = r;
		else if (add_rule(&pf->any, r) < 0)
			goto out;
	}
	if (ports && (build_map(pf, by_dp, ndp, true, &pf->dp_map) < 0 ||
		      build_map(pf, by_sp, nsp, false, &pf->sp_map) < 0)) {
		log_error("rules: out of memory grouping rules by port");
		goto out;
	}
	if (compile(&pf->any) < 0)
		goto out;
	for (uint32_t d = 0; d < pf->n_dbs; d++)
		if (compile(&pf->dbs[d]) < 0)
			goto out;
	log_debug(
	    "prefilter: %u rules: %u for any port, %u by destination port, %u by source port, "
	    "%u port databases",
	    n, pf->any.n, ndp, nsp, pf->n_dbs);
	size_t sz;
	if (pf->any.db && hs_database_size(pf->any.db, &sz) == HS_SUCCESS)
		pf->bytes += sz;
	for (uint32_t d = 0; d < pf->n_dbs; d++)
		if (hs_database_size(pf->dbs[d].db, &sz) == HS_SUCCESS)
			pf->bytes += sz;
	rc = 0;
out:
	free(by_dp);
	free(by_sp);
	return rc;
}

void prefilter_free(struct prefilter *pf)
{
	hs_free_database(pf->any.db);
	free(pf->any.rules);
	for (uint32_t d = 0; d < pf->n_dbs; d++) {
		hs_free_database(pf->dbs[d].db);
		free(pf->dbs[d].rules);
	}
	free(pf->dbs);
	free(pf->dp_map);
	free(pf->sp_map);
	memset(pf, 0, sizeof(*pf));
}

int prefilter_select(const struct prefilter *pf, uint16_t sp, uint16_t dp,
		     const struct pf_db *out[3])
{
	int n = 0;
	if (pf->any.db)
		out[n++] = &pf->any;
	if (pf->dp_map && pf->dp_map[dp])
		out[n++] = &pf->dbs[pf->dp_map[dp] - 1];
	if (pf->sp_map && pf->sp_map[sp])
		out[n++] = &pf->dbs[pf->sp_map[sp] - 1];
	return n;
}

uint32_t prefilter_max_rules(const struct prefilter *pf)
{
	uint32_t m = pf->any.n;
	for (uint32_t d = 0; d < pf->n_dbs; d++)
		if (pf->dbs[d].n > m)
			m = pf->dbs[d].n;
	return m;
}

int prefilter_alloc_scratch(const struct prefilter *pf, hs_scratch_t **s)
{
	if (pf->any.db && hs_alloc_scratch(pf->any.db, s) != HS_SUCCESS)
		return -1;
	for (uint32_t d = 0; d < pf->n_dbs; d++)
		if (pf->dbs[d].db && hs_alloc_scratch(pf->dbs[d].db, s) != HS_SUCCESS)
			return -1;
	return 0;
}
