/*
 * an_harness — runs one analytic outside the hub for the unit tests: a
 * configuration, HOME_NET, a temporary EVE file, synthetic flow ends fed in
 * time order with a tick for every second of packet time between them, and
 * the records read back with jansson.
 */
#ifndef MAMORI_TEST_AN_HARNESS_H
#define MAMORI_TEST_AN_HARNESS_H

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "detect/addrset.h"
#include "intel/enrich.h"
#include "output/eve.h"

#define H_NS 1000000000ull
#define H_T0 (1705309200ull * H_NS) /* 2024-01-15T09:00:00Z */

struct harness {
	const struct analytic *an;
	char dir[64];
	struct config cfg;
	struct counters cnt;
	struct ipset home;
	struct eve eve;
	struct an_emit em;
	struct an_env env;
	void *st;
	uint64_t next_tick;
	bool finished;
};

/* Set up `an` with the defaults and the "key=value" overrides (NULL-ended). 0 or -1. */
static inline int h_open(struct harness *h, const struct analytic *an, const char *const *kv,
			 const struct enrich *enrich)
{
	struct addrset_err err;
	memset(h, 0, sizeof(*h));
	h->an = an;
	config_defaults(&h->cfg);
	for (; kv && *kv; kv++)
		if (config_set_kv(&h->cfg, *kv) < 0)
			return -1;
	snprintf(h->dir, sizeof(h->dir), "/tmp/test_an_XXXXXX");
	if (!mkdtemp(h->dir) || eve_open(&h->eve, h->dir, "eve.json") < 0)
		return -1;
	if (ipset_parse(&h->home, "[10.0.0.0/8,fd00::/8]", NULL, NULL, &err) < 0)
		return -1;
	if (an_emit_init(&h->em, &h->eve, NULL, NULL, &h->cnt, true) < 0)
		return -1;
	h->env = (struct an_env){
	    .cfg = &h->cfg, .emit = &h->em, .cnt = &h->cnt, .enrich = enrich, .home = &h->home};
	h->next_tick = 0;
	return an->init(&h->env, &h->st);
}

static inline void h_addr(const char *s, int *ver, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	*ver = strchr(s, ':') ? 6 : 4;
	if (inet_pton(*ver == 6 ? AF_INET6 : AF_INET, s, a->a) != 1)
		abort();
}

/* A flow end: src -> dst:dp, from start to end (ns), bytes each way, an SNI or NULL. */
static inline struct an_obs h_flow(struct harness *h, const char *src, const char *dst,
				   uint8_t proto, uint16_t dp, uint64_t start, uint64_t end,
				   uint64_t up, uint64_t down, const char *sni)
{
	struct an_obs o;
	int ver;
	memset(&o, 0, sizeof(o));
	o.kind = AN_OBS_FLOW_END;
	h_addr(src, &ver, &o.src);
	h_addr(dst, &ver, &o.dst);
	o.ip_ver = (uint8_t)ver;
	o.proto = proto;
	o.sp = (uint16_t)(40000 + (start / H_NS) % 20000);
	o.dp = dp;
	o.start_ts = start;
	o.ts = end;
	o.bytes[0] = up;
	o.bytes[1] = down;
	o.pkts[0] = 1 + up / 1400;
	o.pkts[1] = down ? 1 + down / 1400 : 0;
	o.flow_id = start ^ 0x5a5a;
	if (an_is_home(&h->env, ver, o.src.a))
		o.flags |= AN_F_SRC_HOME;
	if (an_is_home(&h->env, ver, o.dst.a))
		o.flags |= AN_F_DST_HOME;
	if (down)
		o.flags |= AN_F_ANSWERED;
	if (sni) {
		size_t n = strlen(sni);
		o.name_len = (uint16_t)(n < AN_NAME_MAX ? n : AN_NAME_MAX);
		memcpy(o.name, sni, o.name_len);
		o.flags |= AN_F_NAME_SNI;
	}
	return o;
}

/* Ticks for every whole second before ts. */
static inline void h_ticks(struct harness *h, uint64_t ts)
{
	if (!h->next_tick)
		h->next_tick = ts - ts % H_NS;
	for (; h->next_tick < ts; h->next_tick += H_NS)
		if (h->an->tick)
			h->an->tick(h->st, h->next_tick);
}

static inline int h_cmp_ts(const void *x, const void *y)
{
	const struct an_obs *a = x, *b = y;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* Feed n observations, sorted by end time first (the hub's order). */
static inline void h_feed(struct harness *h, struct an_obs *o, size_t n)
{
	qsort(o, n, sizeof(*o), h_cmp_ts);
	for (size_t i = 0; i < n; i++) {
		h_ticks(h, o[i].ts);
		h->an->obs(h->st, &o[i]);
	}
}

/* End of input at ts. */
static inline void h_finish(struct harness *h, uint64_t ts)
{
	h_ticks(h, ts);
	if (h->an->finish)
		h->an->finish(h->st, ts);
	h->finished = true;
}

/* The records of event type `type` written so far: a JSON array (free with json_decref). */
static inline json_t *h_records(struct harness *h, const char *type)
{
	an_emit_flush(&h->em);
	fflush(h->eve.f);
	json_t *arr = json_array();
	FILE *f = fopen(h->eve.path, "r");
	char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		if (!j) /* integers beyond int64 (saturated byte counts) */
			j = json_loads(line, JSON_DECODE_INT_AS_REAL, &e);
		if (!j) {
			fprintf(stderr, "bad EVE line: %s (%s)\n", line, e.text);
			json_array_append_new(arr, json_string("unparsable"));
			continue;
		}
		const char *t = json_string_value(json_object_get(j, "event_type"));
		if (t && !strcmp(t, type))
			json_array_append_new(arr, j);
		else
			json_decref(j);
	}
	free(line);
	if (f)
		fclose(f);
	return arr;
}

static inline void h_close(struct harness *h)
{
	h->an->free(h->st);
	an_emit_free(&h->em);
	eve_close(&h->eve);
	ipset_free(&h->home);
	char p[128];
	snprintf(p, sizeof(p), "%s/eve.json", h->dir);
	unlink(p);
	rmdir(h->dir);
}

/* Field helpers: r.beacon.key as an integer, a number, a string. */
static inline json_int_t h_int(json_t *rec, const char *obj, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(rec, obj), key));
}

static inline double h_num(json_t *rec, const char *obj, const char *key)
{
	return json_number_value(json_object_get(json_object_get(rec, obj), key));
}

static inline const char *h_str(json_t *rec, const char *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(json_object_get(rec, obj), key));
	return s ? s : "";
}

static inline bool h_true(json_t *rec, const char *obj, const char *key)
{
	return json_is_true(json_object_get(json_object_get(rec, obj), key));
}

/* A deterministic pseudo-random number in [0, 1). */
static inline double h_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(*s >> 11) / 9007199254740992.0;
}

#endif
