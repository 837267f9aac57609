/*
 * zone — network zone policies (an air gap, an OT cell, a payment network):
 * analytics.zones.NAME.networks lists a zone's addresses, .internet: deny
 * forbids its members any exchange with the internet (addresses outside
 * HOME_NET and outside every zone), .allow names the zones its members may
 * talk to (their own always; empty: any). A peer in HOME_NET but in no zone
 * ("home") or in a zone not listed breaks an allow list; a peer outside
 * HOME_NET and every zone is governed by .internet only.
 *
 * Each flow is checked at its first packet (one SYN, one DNS question, one
 * ICMP echo is enough) against the policy of the initiator's zone (direction
 * "outbound") and of the responder's zone ("inbound": an office host
 * connecting into an isolated zone breaks the isolated zone's policy). Each
 * broken policy is one `zone` record at once (kind "violation", severity 1,
 * category "zone"); when the flow ends, a second record with its packets and
 * bytes ("final": true, no category: the same violation, completed).
 *
 * Per zone and UTC day of packet time the zone keeps the flows that touched
 * it, their packets and bytes (counted at flow end) and its violations; at a
 * day change and at the end of input it writes one `zone` record per zone
 * (kind "summary", severity 3) and the store's daily rows ("zone",
 * "<zone>|flows" ... "|packets", "|bytes", "|violations"; the flows row
 * carries the zone's networks and policy as JSON) that `mamori audit` reads.
 *
 * A zone's addresses are matched in the order the zones were declared: an
 * address in two zones belongs to the first. Memory is fixed: the zones'
 * address sets and CONFIG_MAX_ZONES day counters; there is no per-flow
 * state (a flow's zones are found again from its addresses at its end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytic.h"
#include "core/log.h"
#include "detect/addrset.h"

#define NS_DAY 86400000000000ull

struct zone_def {
	const struct config_zone *cz;
	struct ipset set;
	bool has_set;
	bool allow_any;
	uint32_t allow;				    /* bit per zone index (its own included) */
	uint64_t flows, packets, bytes, violations; /* the current day */
};

struct zones {
	const struct an_env *env;
	struct zone_def z[CONFIG_MAX_ZONES];
	uint32_t n;
	uint32_t day;
	bool have_day;
};

enum { DIR_OUT, DIR_IN };

/* The zone of an address, or -1. */
static int zone_of(const struct zones *s, int ver, const struct addr *a)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (ipset_match(&s->z[i].set, a->a, ver))
			return (int)i;
	return -1;
}

/* The rule that zone z's policy breaks when a member talks to a peer in
 * zone zp (-1: none; then peer_home says HOME_NET), or NULL. */
static const char *broken(const struct zones *s, int z, int zp, bool peer_home)
{
	const struct zone_def *d = &s->z[z];
	if (zp == z)
		return NULL;
	if (zp >= 0)
		return d->allow_any || (d->allow & (1u << zp)) ? NULL : "not-allowed-zone";
	if (peer_home)
		return d->allow_any ? NULL : "not-allowed-zone";
	return d->cz->internet_deny ? "internet" : NULL;
}

static const char *peer_name(const struct zones *s, int zp, bool peer_home)
{
	return zp >= 0 ? s->z[zp].cz->name : peer_home ? "home" : "internet";
}

static void put_policy(struct jbuf *jb, const struct zone_def *d)
{
	jb_str(jb, "networks", d->cz->networks);
	jb_str_plain(jb, "internet", d->cz->internet_deny ? "deny" : "allow");
	jb_str(jb, "allow", d->allow_any ? "any" : d->cz->allow);
}

/*
 * ATT&CK for a broken rule: an isolated zone reaching the internet is a
 * command-and-control (or exfiltration) channel out of it (T1071); the
 * internet reaching in is an external remote service exposed (T1133); a
 * host of another zone or of the office reaching in, or a member reaching
 * out to a zone it may not, is lateral movement between segments (T1021).
 */
static void put_mitre(struct jbuf *jb, const char *rule, int dir)
{
	if (!strcmp(rule, "internet") && dir == DIR_OUT)
		an_put_mitre(jb, "T1071", "Application Layer Protocol", "command-and-control");
	else if (!strcmp(rule, "internet"))
		an_put_mitre(jb, "T1133", "External Remote Services", "initial-access");
	else
		an_put_mitre(jb, "T1021", "Remote Services", "lateral-movement");
}

static void tcp_flags_text(uint8_t fl, char out[3])
{
	static const char hex[] = "0123456789abcdef";
	out[0] = hex[fl >> 4];
	out[1] = hex[fl & 15];
	out[2] = 0;
}

static void put_violation(struct zones *s, const struct an_obs *o, int z, int zp, bool peer_home,
			  const char *rule, int dir, bool final)
{
	struct an_emit *em = s->env->emit;
	const struct zone_def *d = &s->z[z];
	struct jbuf *jb = an_begin(em, o->ts, "zone", o->ip_ver, &o->src, &o->dst, o->sp, o->dp,
				   o->proto, o->flow_id);
	jb_str_plain(jb, "kind", "violation");
	jb_str(jb, "zone", d->cz->name);
	jb_str_plain(jb, "rule", rule);
	jb_str(jb, "peer_zone", peer_name(s, zp, peer_home));
	jb_str_plain(jb, "direction", dir == DIR_OUT ? "outbound" : "inbound");
	jb_open(jb, "policy");
	put_policy(jb, d);
	jb_close(jb);
	jb_bool(jb, "final", final);
	if (!final) {
		char fl[3];
		jb_open(jb, "first_packet");
		if (o->proto == 6) {
			tcp_flags_text(o->tcp_flags[0], fl);
			jb_str_plain(jb, "tcp_flags", fl);
			jb_bool(jb, "syn", o->tcp_flags[0] & 0x02);
			jb_bool(jb, "ack", o->tcp_flags[0] & 0x10);
		} else if (o->proto == 1 || o->proto == 58) {
			jb_u64(jb, "icmp_type", o->icmp_type);
			jb_u64(jb, "icmp_code", o->icmp_code);
		}
		jb_close(jb);
	} else {
		an_put_ts(jb, "start", o->start_ts);
		an_put_ts(jb, "end", o->ts);
		jb_u64(jb, "pkts_toserver", o->pkts[0]);
		jb_u64(jb, "pkts_toclient", o->pkts[1]);
		jb_u64(jb, "bytes_toserver", o->bytes[0]);
		jb_u64(jb, "bytes_toclient", o->bytes[1]);
	}
	put_mitre(jb, rule, dir);
	an_commit(em, 1, final ? NULL : "zone", o->ip_ver, &o->src);
}

/* Check one flow's both ends; at FLOW_END write the completing records. */
static void check(struct zones *s, const struct an_obs *o, int zs, int zd, bool final)
{
	bool src_home = an_is_home(s->env, o->ip_ver, o->src.a);
	bool dst_home = an_is_home(s->env, o->ip_ver, o->dst.a);
	const char *rule;
	if (zs >= 0 && (rule = broken(s, zs, zd, dst_home))) {
		if (!final) {
			s->z[zs].violations++;
			CNT_INC(s->env->cnt, AN_ZONE_VIOLATIONS);
		}
		put_violation(s, o, zs, zd, dst_home, rule, DIR_OUT, final);
	}
	if (zd >= 0 && zd != zs && (rule = broken(s, zd, zs, src_home))) {
		if (!final) {
			s->z[zd].violations++;
			CNT_INC(s->env->cnt, AN_ZONE_VIOLATIONS);
		}
		put_violation(s, o, zd, zs, src_home, rule, DIR_IN, final);
	}
}

static void put_day(struct zones *s)
{
	struct an_emit *em = s->env->emit;
	char day[11], key[CONFIG_ZONE_NAME + 16];
	struct jbuf pol;
	bool have_pol = jb_init(&pol, 512, 8192) == 0;
	an_day_text(s->day, day);
	for (uint32_t i = 0; i < s->n; i++) {
		struct zone_def *d = &s->z[i];
		struct jbuf *jb = an_begin(em, (uint64_t)(s->day + 1) * NS_DAY - 1000, "zone", 0,
					   NULL, NULL, 0, 0, 0, 0);
		jb_str_plain(jb, "kind", "summary");
		jb_str(jb, "zone", d->cz->name);
		jb_str_plain(jb, "date", day);
		jb_open(jb, "policy");
		put_policy(jb, d);
		jb_close(jb);
		jb_u64(jb, "flows", d->flows);
		jb_u64(jb, "packets", d->packets);
		jb_u64(jb, "bytes", d->bytes);
		jb_u64(jb, "violations", d->violations);
		an_commit(em, 3, NULL, 0, NULL);
		if (have_pol) {
			jb_reset(&pol);
			jb_open(&pol, NULL);
			put_policy(&pol, d);
			jb_close(&pol);
		}
		snprintf(key, sizeof(key), "%s|flows", d->cz->name);
		an_store_daily(em, s->day, "zone", key, d->flows, have_pol ? pol.p : NULL,
			       have_pol && !pol.overflow ? pol.len : 0);
		snprintf(key, sizeof(key), "%s|packets", d->cz->name);
		an_store_daily(em, s->day, "zone", key, d->packets, NULL, 0);
		snprintf(key, sizeof(key), "%s|bytes", d->cz->name);
		an_store_daily(em, s->day, "zone", key, d->bytes, NULL, 0);
		snprintf(key, sizeof(key), "%s|violations", d->cz->name);
		an_store_daily(em, s->day, "zone", key, d->violations, NULL, 0);
		d->flows = d->packets = d->bytes = d->violations = 0;
	}
	if (have_pol)
		jb_free(&pol);
}

/* Packet time is at ts: write the day before when ts is in a later one. */
static void roll(struct zones *s, uint64_t ts)
{
	uint32_t day = an_day(ts);
	if (!s->have_day) {
		s->day = day;
		s->have_day = true;
	} else if (day > s->day) {
		put_day(s);
		s->day = day;
	}
}

static void zone_obs(void *st, const struct an_obs *o)
{
	struct zones *s = st;
	if ((o->kind != AN_OBS_FLOW_START && o->kind != AN_OBS_FLOW_END) ||
	    (o->ip_ver != 4 && o->ip_ver != 6))
		return;
	roll(s, o->ts);
	int zs = zone_of(s, o->ip_ver, &o->src), zd = zone_of(s, o->ip_ver, &o->dst);
	if (zs < 0 && zd < 0)
		return;
	if (o->kind == AN_OBS_FLOW_START) {
		CNT_INC(s->env->cnt, AN_ZONE_FLOWS);
		if (zs >= 0)
			s->z[zs].flows++;
		if (zd >= 0 && zd != zs)
			s->z[zd].flows++;
		check(s, o, zs, zd, false);
		return;
	}
	uint64_t pk = o->pkts[0] + o->pkts[1], by = o->bytes[0] + o->bytes[1];
	CNT_ADD(s->env->cnt, AN_ZONE_PACKETS, pk);
	for (int k = 0; k < 2; k++) {
		int z = k ? zd : zs;
		if (z < 0 || (k && zd == zs))
			continue;
		s->z[z].packets += pk;
		s->z[z].bytes += by;
	}
	check(s, o, zs, zd, true);
}

static void zone_tick(void *st, uint64_t now)
{
	roll(st, now);
}

static void zone_finish(void *st, uint64_t now)
{
	struct zones *s = st;
	(void)now;
	if (s->have_day)
		put_day(s);
	s->have_day = false;
}

static void zone_free(void *st)
{
	struct zones *s = st;
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n; i++)
		if (s->z[i].has_set)
			ipset_free(&s->z[i].set);
	free(s);
}

/* Zone i's allow list as a bit mask of zone indices. 0 or -1 after a message. */
static int parse_allow(struct zones *s, uint32_t i)
{
	struct zone_def *d = &s->z[i];
	char buf[sizeof(d->cz->allow)];
	snprintf(buf, sizeof(buf), "%s", d->cz->allow);
	d->allow = 1u << i;
	d->allow_any = true;
	for (char *save, *t = strtok_r(buf, ", \t[]", &save); t;
	     t = strtok_r(NULL, ", \t[]", &save)) {
		d->allow_any = false;
		const struct config_zone *cz = config_zone(s->env->cfg, t);
		if (!cz) {
			log_error("analytics.zones.%s.allow: unknown zone '%s'", d->cz->name, t);
			return -1;
		}
		d->allow |= 1u << (uint32_t)(cz - s->env->cfg->zones);
	}
	return 0;
}

static int zone_init(const struct an_env *env, void **st)
{
	const struct config *cfg = env->cfg;
	*st = NULL;
	if (!cfg->an_zones || cfg->n_zones == 0)
		return 0;
	struct zones *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->env = env;
	for (uint32_t i = 0; i < cfg->n_zones && i < CONFIG_MAX_ZONES; i++) {
		struct zone_def *d = &s->z[i];
		d->cz = &cfg->zones[i];
		s->n = i + 1;
		char expr[CONFIG_LIST_MAXLEN + 3];
		struct addrset_err err;
		if (!d->cz->networks[0]) {
			log_error("analytics.zones.%s.networks: the zone has no networks",
				  d->cz->name);
			goto fail;
		}
		/* a plain comma-separated list is a bracketed one to the parser */
		bool wrap = d->cz->networks[0] != '[';
		snprintf(expr, sizeof(expr), wrap ? "[%s]" : "%s", d->cz->networks);
		if (ipset_parse(&d->set, expr, NULL, NULL, &err) < 0) {
			log_error("analytics.zones.%s.networks: %s (at %u)", d->cz->name, err.msg,
				  err.col - (wrap && err.col ? 1 : 0));
			goto fail;
		}
		d->has_set = true;
	}
	for (uint32_t i = 0; i < s->n; i++)
		if (parse_allow(s, i) < 0)
			goto fail;
	*st = s;
	return 0;
fail:
	zone_free(s);
	return -1;
}

const struct analytic analytic_zone = {
    .name = "zone",
    .init = zone_init,
    .obs = zone_obs,
    .tick = zone_tick,
    .finish = zone_finish,
    .free = zone_free,
};
