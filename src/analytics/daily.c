/*
 * daily — daily counters in the style national monitoring centres publish:
 * potential attacks per day by category (alerts by classtype, each
 * analytic's records, darknet packets), distinct attacking sources per day,
 * and accesses per day to each monitored address (analytics.daily.monitored,
 * or every internal address reached from outside).
 *
 * A day is a UTC day of packet time. When packet time enters a new day (or
 * input ends) the day's figures are written: one EVE `daily` record and rows
 * of the store's daily table. Counts that arrive for a day already written
 * (a flow that ended after midnight) go to the current day.
 *
 * Memory is fixed: categories cap at DAILY_MAX_CATEGORIES (the rest count as
 * "other"), distinct sources are a HyperLogLog sketch (4096 registers, about
 * 1.6% standard error, exact enough below a few hundred), monitored addresses
 * cap at analytics.daily.max-addresses per day (beyond: counted in
 * analytics.daily.overflow).
 */
#include "analytics/daily.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "core/log.h"
#include "detect/addrset.h"
#include "store/store.h"

#define DAILY_MAX_CATEGORIES 64
#define HLL_BITS	     12
#define HLL_M		     (1u << HLL_BITS)

struct category {
	char name[48];
	uint64_t n;
};

struct access {
	struct addr a;
	uint8_t ver;
	uint8_t used;
	uint64_t n;
};

struct daily {
	const struct an_env *env;
	uint32_t day;
	bool have_day;
	uint64_t attacks;
	struct category cat[DAILY_MAX_CATEGORIES];
	unsigned n_cat;
	uint64_t other;
	uint8_t hll[HLL_M];
	struct ipset monitored;
	bool has_monitored;
	struct access *acc; /* open addressing, cap entries, size a power of two >= 2 cap */
	uint32_t acc_size, acc_n, acc_cap;
	uint64_t acc_overflow;
};

static void hll_add(uint8_t *reg, int ver, const struct addr *a)
{
	uint64_t h = XXH3_64bits(a->a, ver == 6 ? 16 : 4);
	uint32_t idx = (uint32_t)(h >> (64 - HLL_BITS));
	uint64_t w = (h << HLL_BITS) | (1ull << (HLL_BITS - 1));
	uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
	if (rank > reg[idx])
		reg[idx] = rank;
}

static uint64_t hll_count(const uint8_t *reg)
{
	double sum = 0;
	unsigned zeros = 0;
	for (unsigned i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -reg[i]);
		zeros += reg[i] == 0;
	}
	double m = HLL_M, e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros);
	return (uint64_t)(e + 0.5);
}

void daily_attack(void *st, uint64_t ts, const char *category, int ver, const struct addr *attacker,
		  uint64_t n)
{
	struct daily *d = st;
	(void)ts;
	d->attacks += n;
	unsigned i;
	for (i = 0; i < d->n_cat && strcmp(d->cat[i].name, category); i++)
		;
	if (i == d->n_cat) {
		if (d->n_cat == DAILY_MAX_CATEGORIES ||
		    strlen(category) >= sizeof(d->cat[0].name)) {
			d->other += n;
			i = DAILY_MAX_CATEGORIES;
		} else {
			snprintf(d->cat[i].name, sizeof(d->cat[i].name), "%s", category);
			d->cat[i].n = 0;
			d->n_cat++;
		}
	}
	if (i < DAILY_MAX_CATEGORIES)
		d->cat[i].n += n;
	if (attacker && (ver == 4 || ver == 6))
		hll_add(d->hll, ver, attacker);
}

static struct access *acc_slot(struct daily *d, int ver, const struct addr *a, bool add)
{
	uint32_t mask = d->acc_size - 1, i = (uint32_t)XXH3_64bits(a->a, 16) & mask;
	for (;; i = (i + 1) & mask) {
		struct access *s = &d->acc[i];
		if (!s->used) {
			if (!add || d->acc_n >= d->acc_cap)
				return NULL;
			s->used = 1;
			s->a = *a;
			s->ver = (uint8_t)ver;
			s->n = 0;
			d->acc_n++;
			return s;
		}
		if (s->ver == ver && !memcmp(s->a.a, a->a, 16))
			return s;
	}
}

static int by_count(const void *x, const void *y)
{
	const struct access *a = *(const struct access *const *)x,
			    *b = *(const struct access *const *)y;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return memcmp(a->a.a, b->a.a, 16);
}

static void put_day(struct daily *d)
{
	struct an_emit *em = d->env->emit;
	char day[11], key[64];
	an_day_text(d->day, day);
	uint64_t sources = hll_count(d->hll);
	struct access **top = calloc(d->acc_n ? d->acc_n : 1, sizeof(*top));
	uint32_t nt = 0;
	for (uint32_t i = 0; top && i < d->acc_size; i++)
		if (d->acc[i].used)
			top[nt++] = &d->acc[i];
	if (top)
		qsort(top, nt, sizeof(*top), by_count);

	struct jbuf *jb = an_begin(em, (uint64_t)(d->day + 1) * 86400000000000ull - 1000, "daily",
				   0, NULL, NULL, 0, 0, 0, 0);
	jb_str_plain(jb, "date", day);
	jb_open(jb, "attacks");
	jb_u64(jb, "total", d->attacks);
	jb_open(jb, "by_category");
	for (unsigned i = 0; i < d->n_cat; i++)
		jb_u64(jb, d->cat[i].name, d->cat[i].n);
	if (d->other)
		jb_u64(jb, "other", d->other);
	jb_close(jb);
	jb_u64(jb, "distinct_sources", sources);
	jb_close(jb);
	jb_open(jb, "accesses");
	jb_u64(jb, "addresses", nt);
	if (d->acc_overflow)
		jb_u64(jb, "addresses_over_cap", d->acc_overflow);
	jb_open_array(jb, "top");
	for (uint32_t i = 0; i < nt && i < 100; i++) {
		jb_open(jb, NULL);
		an_put_addr(jb, "ip", top[i]->ver, &top[i]->a);
		jb_u64(jb, "count", top[i]->n);
		jb_close(jb);
	}
	jb_close_array(jb);
	jb_close(jb);
	/* the store's rows (before the commit reuses the buffer) */
	an_commit(em, 3, NULL, 0, NULL);
	an_store_daily(em, d->day, "attacks", "total", d->attacks, NULL, 0);
	for (unsigned i = 0; i < d->n_cat; i++)
		an_store_daily(em, d->day, "attacks", d->cat[i].name, d->cat[i].n, NULL, 0);
	if (d->other)
		an_store_daily(em, d->day, "attacks", "other", d->other, NULL, 0);
	an_store_daily(em, d->day, "attack_sources", "distinct", sources, NULL, 0);
	for (uint32_t i = 0; i < nt; i++) {
		eve_addr_str(&top[i]->a, top[i]->ver, key, sizeof(key));
		an_store_daily(em, d->day, "accesses", key, top[i]->n, NULL, 0);
	}
	free(top);
}

static void reset_day(struct daily *d, uint32_t day)
{
	d->day = day;
	d->have_day = true;
	d->attacks = d->other = 0;
	d->n_cat = 0;
	memset(d->hll, 0, sizeof(d->hll));
	memset(d->acc, 0, (size_t)d->acc_size * sizeof(*d->acc));
	d->acc_n = 0;
	d->acc_overflow = 0;
}

/* Packet time is at ts: write the day before when ts is in a later one. */
static void roll(struct daily *d, uint64_t ts)
{
	uint32_t day = an_day(ts);
	if (!d->have_day) {
		reset_day(d, day);
		return;
	}
	if (day <= d->day)
		return;
	put_day(d);
	reset_day(d, day);
}

static void daily_obs(void *st, const struct an_obs *o)
{
	struct daily *d = st;
	roll(d, o->ts);
	switch (o->kind) {
	case AN_OBS_ALERT: {
		/* the name travels without its NUL (an_obs_size) */
		char cat[AN_NAME_MAX + 1];
		size_t n = o->name_len < AN_NAME_MAX ? o->name_len : AN_NAME_MAX;
		memcpy(cat, o->name, n);
		cat[n] = 0;
		daily_attack(d, o->ts, n ? cat : "alert", o->ip_ver, &o->src, 1);
		break;
	}
	case AN_OBS_FLOW_START: {
		bool watch = d->has_monitored
				 ? ipset_match(&d->monitored, o->dst.a, o->ip_ver)
				 : (o->flags & (AN_F_SRC_HOME | AN_F_DST_HOME)) == AN_F_DST_HOME;
		if (!watch)
			break;
		struct access *a = acc_slot(d, o->ip_ver, &o->dst, true);
		if (a) {
			a->n++;
		} else {
			d->acc_overflow++;
			CNT_INC(d->env->cnt, AN_DAILY_OVERFLOW);
		}
		break;
	}
	default:
		break;
	}
}

static void daily_tick(void *st, uint64_t now)
{
	struct daily *d = st;
	roll(d, now);
	CNT_SET(d->env->cnt, AN_DAILY_ADDRS, d->acc_n);
}

static void daily_finish(void *st, uint64_t now)
{
	struct daily *d = st;
	(void)now;
	if (d->have_day)
		put_day(d);
	d->have_day = false;
}

static void daily_free(void *st)
{
	struct daily *d = st;
	if (!d)
		return;
	if (d->has_monitored)
		ipset_free(&d->monitored);
	free(d->acc);
	free(d);
}

static int daily_init(const struct an_env *env, void **st)
{
	const struct config *cfg = env->cfg;
	*st = NULL;
	if (!cfg->an_daily)
		return 0;
	struct daily *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->env = env;
	d->acc_cap = cfg->an_daily_max_addresses ? cfg->an_daily_max_addresses : 1;
	for (d->acc_size = 16; d->acc_size < 2 * d->acc_cap; d->acc_size *= 2)
		;
	d->acc = calloc(d->acc_size, sizeof(*d->acc));
	if (!d->acc) {
		daily_free(d);
		return -1;
	}
	if (cfg->an_daily_monitored[0]) {
		struct addrset_err err;
		if (ipset_parse(&d->monitored, cfg->an_daily_monitored, NULL, NULL, &err) < 0) {
			log_error("analytics.daily.monitored: %s (at %u)", err.msg, err.col);
			daily_free(d);
			return -1;
		}
		d->has_monitored = true;
	}
	*st = d;
	return 0;
}

const struct analytic analytic_daily = {
    .name = "daily",
    .init = daily_init,
    .obs = daily_obs,
    .tick = daily_tick,
    .finish = daily_finish,
    .free = daily_free,
};
