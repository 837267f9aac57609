/*
 * pii_worker — see pii_worker.h.
 *
 * Scanners come from a per-worker pool (made on demand, reused through a
 * free list, at most analytics.flow-states / workers of them); a direction
 * that finds none is not scanned (analytics.flow_state_full). Encrypted
 * sessions (TLS, SSH) are not scanned: their bytes are not the data. With
 * analytics.pii.outbound-only (the default) only the directions in which
 * data leaves HOME_NET are.
 */
#include "analytics/pii_worker.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/hub_int.h"
#include "app/applayer.h"
#include "core/log.h"

/* The flow's third slot: which directions are not scanned. */
#define MARK_DECIDED  ((uintptr_t)1)
#define MARK_OFF(dir) ((uintptr_t)2 << (dir))

struct pii_worker {
	const struct pii_key *key; /* the hub's */
	struct pii_scan **free_list;
	uint32_t n_free, n_made, cap;
	uint32_t max_distinct;
	uint64_t max_bytes;
	bool outbound_only;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct pii_key *pii_key_from_config(const struct config *cfg)
{
	uint8_t k[PII_KEY_MAX];
	size_t n = 0;
	const char *h = cfg->an_pii_key;
	if (!h[0]) {
		n = 32;
		if (RAND_bytes(k, (int)n) != 1) {
			log_error("analytics.pii.key: no random key available");
			return NULL;
		}
	} else {
		size_t len = strlen(h);
		if (len % 2 || len / 2 > sizeof(k)) {
			log_error(
			    "analytics.pii.key: an even number of hex digits, at most %d bytes",
			    PII_KEY_MAX);
			return NULL;
		}
		for (size_t i = 0; i < len; i += 2) {
			int hi = hexval(h[i]), lo = hexval(h[i + 1]);
			if (hi < 0 || lo < 0) {
				log_error("analytics.pii.key: '%c%c' is not hex", h[i], h[i + 1]);
				return NULL;
			}
			k[n++] = (uint8_t)(hi << 4 | lo);
		}
	}
	struct pii_key *key = pii_key_new(k, n);
	memset(k, 0, sizeof(k));
	if (!key)
		log_error("analytics.pii.key: 1 to %d bytes", PII_KEY_MAX);
	return key;
}

int pii_worker_init(struct an_worker *w)
{
	const struct config *cfg = an_worker_config(w);
	w->pii = NULL;
	if (!cfg->an_pii || !an_worker_pii_key(w))
		return 0;
	struct pii_worker *pw = calloc(1, sizeof(*pw));
	if (!pw)
		return -1;
	pw->key = an_worker_pii_key(w);
	pw->cap = w->cap_states;
	pw->max_distinct = cfg->an_pii_max_distinct;
	pw->max_bytes = cfg->an_pii_max_bytes;
	pw->outbound_only = cfg->an_pii_outbound_only;
	pw->free_list = calloc(pw->cap, sizeof(*pw->free_list));
	if (!pw->free_list) {
		free(pw);
		return -1;
	}
	w->pii = pw;
	return 0;
}

void pii_worker_free(struct an_worker *w)
{
	struct pii_worker *pw = w->pii;
	if (!pw)
		return;
	for (uint32_t i = 0; i < pw->n_free; i++)
		pii_scan_free(pw->free_list[i]);
	free(pw->free_list);
	free(pw);
	w->pii = NULL;
}

static struct pii_scan *scanner_get(struct pii_worker *pw)
{
	if (pw->n_free) {
		struct pii_scan *s = pw->free_list[--pw->n_free];
		pii_scan_reset(s);
		return s;
	}
	if (pw->n_made >= pw->cap)
		return NULL;
	struct pii_scan *s = pii_scan_new(pw->key, pw->max_distinct, pw->max_bytes);
	if (s)
		pw->n_made++;
	return s;
}

static void scanner_put(struct pii_worker *pw, struct pii_scan *s)
{
	if (pw->n_free < pw->cap)
		pw->free_list[pw->n_free++] = s;
	else
		pii_scan_free(s);
}

void pii_worker_data(struct an_worker *w, struct flow *f, int dir, const uint8_t *d, uint32_t n)
{
	struct pii_worker *pw = w->pii;
	if (!n || f->app_proto == ALPROTO_TLS || (dir != 0 && dir != 1))
		return;
	void **slot = an_flow_pii(w, f, true);
	if (!slot)
		return;
	uintptr_t mark = (uintptr_t)slot[2];
	if (!mark) { /* the flow's first data: which directions are scanned */
		mark = MARK_DECIDED;
		if (n >= 4 && !memcmp(d, "SSH-", 4)) /* encrypted after a banner of vocabulary */
			mark |= MARK_OFF(0) | MARK_OFF(1);
		if (pw->outbound_only) {
			bool sh = an_worker_home(w, f->ip_ver, f->src.a),
			     dh = an_worker_home(w, f->ip_ver, f->dst.a);
			if (!(sh && !dh))
				mark |= MARK_OFF(0);
			if (!(dh && !sh))
				mark |= MARK_OFF(1);
		}
		slot[2] = (void *)mark;
	}
	if (mark & MARK_OFF(dir))
		return;
	if (!slot[dir]) {
		if (!(slot[dir] = scanner_get(pw))) {
			CNT_INC(w->cnt, AN_FLOW_STATE_FULL);
			return;
		}
		if (!slot[dir ^ 1])
			CNT_INC(w->cnt, AN_PII_FLOWS);
	}
	pii_scan_data(slot[dir], d, n);
}

/* Enough to report: min-records distinct identifiers with at least one
 * strong one (not an e-mail address), or min-emails addresses alone. */
static bool reportable(const struct config *cfg, const struct pii_counts *c)
{
	uint32_t all = 0, strong = 0;
	for (int t = 0; t < PII_TYPES; t++) {
		all += c->distinct[t];
		if (t != PII_EMAIL)
			strong += c->distinct[t];
	}
	if (strong)
		return all >= cfg->an_pii_min_records && all > 0;
	return c->distinct[PII_EMAIL] >= cfg->an_pii_min_emails && c->distinct[PII_EMAIL] > 0;
}

void pii_worker_flow_end(struct an_worker *w, struct flow *f, void **pii)
{
	struct pii_worker *pw = w->pii;
	for (int dir = 0; pw && dir < 2; dir++) {
		struct pii_scan *s = pii[dir];
		if (!s)
			continue;
		pii[dir] = NULL;
		pii_scan_end(s);
		const struct pii_counts *c = pii_scan_counts(s);
		CNT_ADD(w->cnt, AN_PII_BYTES, c->bytes_scanned);
		if (c->truncated)
			CNT_INC(w->cnt, AN_PII_TRUNCATED);
		if (reportable(an_worker_config(w), c)) {
			struct an_obs *o = an_obs_of_flow(w, f, AN_OBS_PII);
			o->ts = f->last_ts;
			o->start_ts = f->start_ts;
			o->bytes[0] = f->bytes[0];
			o->bytes[1] = f->bytes[1];
			struct an_pii r;
			_Static_assert(sizeof(r) <= AN_OBS_DATA_MAX, "an_pii fits an observation");
			memset(&r, 0, sizeof(r));
			memcpy(r.distinct, c->distinct, sizeof(r.distinct));
			memcpy(r.total, c->total, sizeof(r.total));
			memcpy(r.rejected, c->rejected, sizeof(r.rejected));
			r.bytes_scanned = c->bytes_scanned;
			r.dir = (uint8_t)dir;
			r.overflow = c->overflow;
			r.truncated = c->truncated;
			memcpy(r.sample, c->sample, sizeof(r.sample));
			memcpy(r.sample_hash, c->sample_hash, sizeof(r.sample_hash));
			memcpy(o->name, &r, sizeof(r));
			o->name_len = sizeof(r);
			an_worker_put(w, o);
		}
		scanner_put(pw, s);
	}
}
