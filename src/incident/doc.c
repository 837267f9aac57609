/*
 * doc — the incident document (docs/incidents.md) from the store: the
 * incident's keys and signals give its hosts, infrastructure, timeline,
 * ATT&CK tactics and attribution; damage.c adds what the flows carried;
 * the score and title come last, from all of it.
 */
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "incident/doc_int.h"
#include "intel/enrich.h"
#include "output/eve.h"
#include "output/json.h"
#include "store/store_util.h"

/* ---- helpers shared with damage.c ---- */

void doc_put_time(json_t *o, const char *key, int64_t us)
{
	char ts[48], k[64];
	json_format_ts((uint64_t)(us < 0 ? 0 : us) * 1000, ts, sizeof(ts));
	json_object_set_new(o, key, json_string(ts));
	snprintf(k, sizeof(k), "%s_epoch", key);
	json_object_set_new(o, k, json_real((double)us / 1e6));
}

int64_t doc_json_time(json_t *o, const char *key, int64_t dflt)
{
	const char *t = json_string_value(json_object_get(o, key));
	int64_t us;
	return t && store_parse_rfc3339(t, &us) == 0 ? us : dflt;
}

void doc_widen(int64_t *first, int64_t *last, int64_t a, int64_t b)
{
	if (a <= 0)
		return;
	if (b < a)
		b = a;
	if (!*first || a < *first)
		*first = a;
	if (b > *last)
		*last = b;
}

struct doc_host *doc_host_find(struct doc *d, const char *ip)
{
	for (unsigned i = 0; ip && i < d->nhost; i++)
		if (!strcmp(d->host[i].ip, ip))
			return &d->host[i];
	return NULL;
}

struct doc_infra *doc_infra_find(struct doc *d, const char *value)
{
	for (unsigned i = 0; value && i < d->ninfra; i++)
		if (!strcasecmp(d->infra[i].value, value))
			return &d->infra[i];
	for (unsigned i = 0; value && i < d->ninfra; i++) {
		size_t k;
		json_t *v;
		json_array_foreach(d->infra[i].domains, k, v)
			if (!strcasecmp(json_string_value(v), value))
				return &d->infra[i];
	}
	return NULL;
}

void doc_strset_add(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	if (!arr || !s || !*s || json_array_size(arr) >= 64)
		return;
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), s))
			return;
	json_array_append_new(arr, json_string(s));
}

void doc_tactic_note(struct doc *d, int t, const char *tech_id, const char *tech_name,
		     int64_t first, int64_t last, uint64_t count)
{
	if (t < 0 || t >= attack_ntactics)
		return;
	struct doc_tactic *dt = &d->tactic[t];
	doc_widen(&dt->first, &dt->last, first, last);
	if (!dt->techniques)
		dt->techniques = json_object();
	if (!tech_id || !*tech_id)
		return;
	json_t *e = json_object_get(dt->techniques, tech_id);
	if (!e) {
		char name[256];
		attack_name_clean(tech_name ? tech_name : "", name, sizeof(name));
		e = json_object();
		json_object_set_new(e, "id", json_string(tech_id));
		if (name[0])
			json_object_set_new(e, "name", json_string(name));
		json_object_set_new(e, "count", json_integer(0));
		json_object_set_new(dt->techniques, tech_id, e);
	}
	json_object_set_new(
	    e, "count",
	    json_integer(json_integer_value(json_object_get(e, "count")) + (json_int_t)count));
}

void doc_timeline_add(struct doc *d, const char *fold, const char *kind, int64_t first,
		      int64_t last, int tactic, const char *tech_id, const char *tech_name,
		      const char *host, const char *peer, const char *summary, int severity,
		      uint64_t count, bool count_is_total)
{
	json_t *e = json_object_get(d->timeline, fold);
	if (last < first)
		last = first;
	if (!e) {
		e = json_object();
		json_object_set_new(e, "kind", json_string(kind));
		if (tactic >= 0 && tactic < attack_ntactics) {
			json_object_set_new(e, "tactic_id", json_string(attack_tactics[tactic].id));
			json_object_set_new(e, "tactic", json_string(attack_tactics[tactic].name));
		}
		if (tech_id && *tech_id) {
			char name[256];
			attack_name_clean(tech_name ? tech_name : "", name, sizeof(name));
			json_object_set_new(e, "technique_id", json_string(tech_id));
			if (name[0])
				json_object_set_new(e, "technique", json_string(name));
		}
		if (host && *host)
			json_object_set_new(e, "host", json_string(host));
		if (peer && *peer)
			json_object_set_new(e, "peer", json_string(peer));
		json_object_set_new(e, "severity", json_integer(severity));
		json_object_set_new(e, "count", json_integer(0));
		json_object_set_new(e, "_first", json_integer(first));
		json_object_set_new(e, "_last", json_integer(last));
		json_object_set_new(d->timeline, fold, e);
	}
	int64_t f = json_integer_value(json_object_get(e, "_first"));
	int64_t l = json_integer_value(json_object_get(e, "_last"));
	doc_widen(&f, &l, first, last);
	json_object_set_new(e, "_first", json_integer(f));
	json_object_set_new(e, "_last", json_integer(l));
	json_int_t c = json_integer_value(json_object_get(e, "count"));
	json_object_set_new(e, "count",
			    json_integer(count_is_total
					     ? ((json_int_t)count > c ? (json_int_t)count : c)
					     : c + (json_int_t)count));
	if (severity > 0 && severity < json_integer_value(json_object_get(e, "severity")))
		json_object_set_new(e, "severity", json_integer(severity));
	if (summary)
		json_object_set_new(e, "summary", json_string(summary)); /* the latest */
}

/* ---- keys ---- */

static int load_keys(struct doc *d)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(d->db,
			       "SELECT key, first, last FROM incident_key WHERE incident = ?1 "
			       "ORDER BY first, key",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, d->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		if (!k || strlen(k) < 3 || k[1] != ':')
			continue;
		if (k[0] == 'h') {
			if (d->nhost == DOC_MAX_HOSTS) {
				d->hosts_skipped++;
				continue;
			}
			struct doc_host *h = &d->host[d->nhost];
			unsigned plen;
			memset(h, 0, sizeof(*h));
			if (store_parse_prefix(k + 2, &h->ver, h->a, &plen) < 0)
				continue;
			snprintf(h->ip, sizeof(h->ip), "%s", k + 2);
			d->nhost++;
		} else if (k[0] == 'a' || k[0] == 'd') {
			if (d->ninfra == DOC_MAX_INFRA) {
				d->infra_skipped++;
				continue;
			}
			struct doc_infra *f = &d->infra[d->ninfra];
			unsigned plen;
			memset(f, 0, sizeof(*f));
			f->domain = k[0] == 'd';
			if (!f->domain && store_parse_prefix(k + 2, &f->ver, f->a, &plen) < 0)
				continue;
			snprintf(f->value, sizeof(f->value), "%s", k + 2);
			f->domains = json_array();
			f->addresses = json_array();
			f->actors = json_array();
			f->campaigns = json_array();
			f->sources = json_array();
			d->ninfra++;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- signals ---- */

static void addr_col(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
	int n = sqlite3_column_bytes(st, col);
	const void *b = sqlite3_column_blob(st, col);
	struct addr a;
	out[0] = '\0';
	if (!b || (n != 4 && n != 16))
		return;
	memset(&a, 0, sizeof(a));
	memcpy(a.a, b, (size_t)n);
	eve_addr_str(&a, n == 4 ? 4 : 6, out, outlen);
}

static void host_role(struct doc *d, const char *ip, unsigned role)
{
	struct doc_host *h = doc_host_find(d, ip);
	if (h)
		h->roles |= role;
}

static void infra_role(struct doc *d, const char *v, unsigned role)
{
	struct doc_infra *f = doc_infra_find(d, v);
	if (f)
		f->roles |= role;
}

static void note_severity(struct doc *d, int sev)
{
	if (sev >= 1 && sev <= 3 && (!d->max_severity || sev < d->max_severity))
		d->max_severity = sev;
}

static void sig_alert(struct doc *d, sqlite3_stmt *st)
{
	char src[64], dst[64], fold[400], sum[600];
	addr_col(st, 1, src, sizeof(src));
	addr_col(st, 2, dst, sizeof(dst));
	int64_t ts = sqlite3_column_int64(st, 0);
	int64_t sid = sqlite3_column_int64(st, 3);
	int sev = sqlite3_column_int(st, 4);
	const char *msg = (const char *)sqlite3_column_text(st, 5);
	const char *attack = (const char *)sqlite3_column_text(st, 6);
	json_t *a = attack ? json_loads(attack, 0, NULL) : NULL;
	const char *tid = json_string_value(json_object_get(a, "tactic_id"));
	const char *tname = json_string_value(json_object_get(a, "tactic"));
	const char *kid = json_string_value(json_object_get(a, "technique_id"));
	const char *kname = json_string_value(json_object_get(a, "technique"));
	int t = attack_tactic_find(tid);
	if (t < 0)
		t = attack_tactic_find(tname);
	bool src_h = doc_host_find(d, src) != NULL, dst_h = doc_host_find(d, dst) != NULL;
	const char *host = src_h ? src : dst, *peer = src_h ? dst : src;
	snprintf(fold, sizeof(fold), "alert|%" PRId64 "|%s|%s", sid, host, peer);
	snprintf(sum, sizeof(sum), "%s (sid %" PRId64 ")", msg ? msg : "alert", sid);
	doc_timeline_add(d, fold, "alert", ts, ts, t, kid, kname, host, peer, sum, sev, 1, false);
	doc_tactic_note(d, t, kid, kname, ts, ts, 1);
	note_severity(d, sev);
	if (t >= 0) {
		const char *id = attack_tactics[t].id;
		if (!strcmp(id, "TA0008")) {
			host_role(d, src, ROLE_LATERAL_SOURCE);
			host_role(d, dst, ROLE_LATERAL_TARGET);
		} else if (!strcmp(id, "TA0009")) {
			host_role(d, src, ROLE_STAGING);
			host_role(d, dst, ROLE_STAGING);
		} else if (!strcmp(id, "TA0007")) {
			host_role(d, src_h ? src : dst, ROLE_DISCOVERY);
		} else if (!strcmp(id, "TA0001")) {
			host_role(d, host, ROLE_INITIAL_ACCESS);
		} else if (!strcmp(id, "TA0011")) {
			host_role(d, host, ROLE_C2_CLIENT);
			/* a tool brought in from it: staging, else command and control */
			infra_role(d, peer,
				   kid && !strncmp(kid, "T1105", 5) ? ROLE_STAGING : ROLE_C2);
		} else if (!strcmp(id, "TA0010")) {
			host_role(d, host, ROLE_EXFILTRATION);
			infra_role(d, peer, ROLE_EXFILTRATION);
		}
	}
	(void)dst_h;
	d->n_alert++;
	json_decref(a);
}

static void sig_intel(struct doc *d, sqlite3_stmt *st)
{
	char src[64], dst[64], fold[600], sum[700];
	addr_col(st, 1, src, sizeof(src));
	addr_col(st, 2, dst, sizeof(dst));
	int64_t ts = sqlite3_column_int64(st, 0);
	const char *type = (const char *)sqlite3_column_text(st, 3);
	const char *ind = (const char *)sqlite3_column_text(st, 4);
	const char *value = (const char *)sqlite3_column_text(st, 5);
	const char *source = (const char *)sqlite3_column_text(st, 6);
	const char *actor = (const char *)sqlite3_column_text(st, 7);
	const char *campaign = (const char *)sqlite3_column_text(st, 8);
	bool retro = sqlite3_column_int(st, 9) != 0;
	int64_t first =
	    sqlite3_column_type(st, 10) == SQLITE_NULL ? ts : sqlite3_column_int64(st, 10);
	int64_t last =
	    sqlite3_column_type(st, 11) == SQLITE_NULL ? ts : sqlite3_column_int64(st, 11);
	int64_t count = sqlite3_column_int64(st, 12);
	const char *hosts = (const char *)sqlite3_column_text(st, 13);
	const char *field = (const char *)sqlite3_column_text(st, 14);
	if (first <= 0 || last < first)
		first = last = ts;
	const char *host = doc_host_find(d, src) ? src : doc_host_find(d, dst) ? dst : "";
	if (!*host && hosts) {
		/* a retro-hunt's sighting: the first internal host it lists */
		char one[64];
		size_t n = strcspn(hosts, ", ");
		if (n < sizeof(one)) {
			memcpy(one, hosts, n);
			one[n] = '\0';
			if (doc_host_find(d, one))
				host = doc_host_find(d, one)->ip;
		}
	}
	const char *peer = *host && !strcmp(host, src) ? dst : src;
	snprintf(fold, sizeof(fold), "intel|%s|%s|%d", ind ? ind : "", host, retro);
	snprintf(sum, sizeof(sum), "%sintel: %s %s%s%s%s%s%s", retro ? "retro-hunt " : "",
		 type ? type : "indicator", ind ? ind : "", field ? " in " : "", field ? field : "",
		 actor ? " (" : "", actor ? actor : "", actor ? ")" : "");
	doc_timeline_add(d, fold, "intel", first, last, -1, NULL, NULL, host, peer, sum, 2,
			 count > 0 ? (uint64_t)count : 1, false);
	note_severity(d, 2);
	host_role(d, host, ROLE_INTEL_MATCH);
	/* attribution: the infrastructure the indicator names */
	struct doc_infra *f[3] = {doc_infra_find(d, value), doc_infra_find(d, ind),
				  doc_infra_find(d, peer)};
	for (int i = 0; i < 3; i++) {
		if (!f[i] || (i > 0 && f[i] == f[0]) || (i == 2 && f[2] == f[1]))
			continue;
		f[i]->roles |= ROLE_INTEL_MATCH;
		doc_strset_add(f[i]->actors, actor);
		doc_strset_add(f[i]->campaigns, campaign);
		doc_strset_add(f[i]->sources, source);
	}
	/* activity with the infrastructure itself; a DNS lookup of one of its
	 * names is the resolver's traffic */
	if (!field || strncmp(field, "dns.", 4))
		doc_widen(&d->first, &d->last, first, last);
	d->n_intel++;
	d->n_retro += retro;
}

static const char *mitre_of(json_t *o, const char *key, int *tactic, const char **name)
{
	json_t *m = json_object_get(o, key);
	*tactic = attack_tactic_find(json_string_value(json_object_get(m, "tactic")));
	*name = json_string_value(json_object_get(m, "technique"));
	return json_string_value(json_object_get(m, "technique_id"));
}

static void sig_event(struct doc *d, sqlite3_stmt *st)
{
	char src[64], dst[64], fold[600], sum[700];
	addr_col(st, 1, src, sizeof(src));
	addr_col(st, 2, dst, sizeof(dst));
	int64_t ts = sqlite3_column_int64(st, 0);
	const char *type = (const char *)sqlite3_column_text(st, 3);
	int sev = sqlite3_column_int(st, 4);
	const char *text = (const char *)sqlite3_column_text(st, 5);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	json_t *o = type ? json_object_get(j, type) : NULL;
	if (!o) {
		json_decref(j);
		return;
	}
	int t;
	const char *kname, *kid = mitre_of(o, "mitre", &t, &kname);
	int64_t first = doc_json_time(o, "first_seen", ts),
		last = doc_json_time(o, "last_seen", ts);
	const char *host = doc_host_find(d, src) ? src : doc_host_find(d, dst) ? dst : "";
	const char *peer = !strcmp(host, src) ? dst : src;
	uint64_t count = 1;
	bool total = false;
	d->n_event++;
	note_severity(d, sev);
	if (!strcmp(type, "scan")) {
		const char *kind = json_string_value(json_object_get(o, "kind"));
		json_int_t hosts = json_integer_value(json_object_get(o, "distinct_hosts"));
		json_int_t ports = json_integer_value(json_object_get(o, "distinct_ports"));
		json_int_t port = json_integer_value(json_object_get(o, "port"));
		bool internal = json_is_true(json_object_get(o, "internal_source"));
		if (internal) {
			host = src;
			peer = "";
			host_role(d, src, ROLE_DISCOVERY);
		} else {
			infra_role(d, src, ROLE_SCANNER);
			peer = src;
		}
		snprintf(fold, sizeof(fold), "scan|%s|%s|%s|%s", src, kind ? kind : "",
			 json_string_value(json_object_get(o, "first_seen")) ?: "", dst);
		if (kind && !strcmp(kind, "vertical"))
			snprintf(sum, sizeof(sum), "%s scan of %s: %lld ports", kind, dst,
				 (long long)ports);
		else if (!port)
			snprintf(sum, sizeof(sum), "%s from %s: %lld hosts probed",
				 kind ? kind : "", src, (long long)hosts);
		else
			snprintf(sum, sizeof(sum), "%s scan from %s: %lld hosts on port %lld",
				 kind ? kind : "", src, (long long)hosts, (long long)port);
		count = (uint64_t)json_integer_value(json_object_get(o, "probes"));
		total = true;
	} else if (!strcmp(type, "beacon")) {
		const char *sni = json_string_value(json_object_get(o, "sni"));
		double iv = json_number_value(json_object_get(o, "interval_median"));
		count = (uint64_t)json_integer_value(json_object_get(o, "count"));
		total = true;
		host_role(d, src, ROLE_C2_CLIENT);
		infra_role(d, dst, ROLE_C2);
		infra_role(d, sni, ROLE_C2);
		d->beacon = true;
		/* the series by address and by name are one beacon */
		snprintf(fold, sizeof(fold), "beacon|%s|%s", src, dst);
		snprintf(sum, sizeof(sum), "beacon to %s%s%s%s every %.0f s (%llu connections)",
			 sni ? sni : dst, sni ? " (" : "", sni ? dst : "", sni ? ")" : "", iv,
			 (unsigned long long)count);
	} else if (!strcmp(type, "dns_tunnel")) {
		const char *dom = json_string_value(json_object_get(o, "domain"));
		json_int_t up = json_integer_value(json_object_get(o, "bytes_up"));
		json_int_t q = json_integer_value(json_object_get(o, "queries"));
		host_role(d, src, ROLE_EXFILTRATION);
		infra_role(d, dom, ROLE_DNS_TUNNEL);
		d->tunnel = true;
		peer = dom ? dom : "";
		snprintf(fold, sizeof(fold), "dns_tunnel|%s|%s", src, dom ? dom : "");
		snprintf(sum, sizeof(sum), "DNS tunnel to %s: %lld queries, about %lld bytes up",
			 dom ? dom : "?", (long long)q, (long long)up);
		count = (uint64_t)q;
		total = true;
		/* its exfiltration technique too */
		int t2;
		const char *n2, *k2 = mitre_of(o, "mitre_exfiltration", &t2, &n2);
		doc_tactic_note(d, t2, k2, n2, first, last, 1);
		struct doc_host *h = doc_host_find(d, src);
		if (h && (uint64_t)up > h->out[CH_DNS_TUNNEL])
			h->out[CH_DNS_TUNNEL] = (uint64_t)up; /* the episode's latest figure */
	} else if (!strcmp(type, "exfil")) {
		json_int_t out = json_integer_value(json_object_get(o, "bytes_out"));
		const char *sni = json_string_value(json_object_get(o, "sni"));
		host_role(d, src, ROLE_EXFILTRATION);
		infra_role(d, dst, ROLE_EXFILTRATION);
		d->exfil_event = true;
		snprintf(fold, sizeof(fold), "exfil|%s|%s|%s", src, dst,
			 json_string_value(json_object_get(o, "window_start")) ?: "");
		snprintf(sum, sizeof(sum), "%lld bytes out to %s%s%s%s in one window",
			 (long long)out, dst, sni ? " (" : "", sni ? sni : "", sni ? ")" : "");
	} else if (!strcmp(type, "pii")) {
		json_int_t rec = json_integer_value(json_object_get(o, "records"));
		json_t *types = json_object_get(o, "types");
		const char *k;
		json_t *v;
		json_int_t rows = 0;
		json_object_foreach(types, k, v) {
			json_int_t n = json_integer_value(json_object_get(v, "distinct"));
			json_object_set_new(
			    d->pii, k,
			    json_integer(json_integer_value(json_object_get(d->pii, k)) + n));
			if (n > rows)
				rows = n;
		}
		d->pii_records += (uint64_t)rows;
		d->pii_identifiers += (uint64_t)rec;
		d->pii_uploads++;
		d->pii_at_least |= json_is_true(json_object_get(o, "at_least")) ||
				   json_is_true(json_object_get(o, "truncated"));
		host_role(d, host, ROLE_EXFILTRATION);
		infra_role(d, peer, ROLE_EXFILTRATION);
		first = doc_json_time(o, "flow_start", ts);
		last = ts;
		snprintf(fold, sizeof(fold), "pii|%" PRId64, (int64_t)sqlite3_column_int64(st, 6));
		snprintf(sum, sizeof(sum), "personal data to %s: %lld records (%lld identifiers)",
			 peer, (long long)rows, (long long)rec);
	} else if (!strcmp(type, "zone")) {
		const char *zone = json_string_value(json_object_get(o, "zone"));
		const char *rule = json_string_value(json_object_get(o, "rule"));
		struct doc_host *h = doc_host_find(d, src);
		if (h && zone)
			snprintf(h->zone, sizeof(h->zone), "%s", zone);
		host_role(d, src, ROLE_ZONE_VIOLATION);
		infra_role(d, dst, ROLE_ZONE_PEER);
		first = doc_json_time(o, "start", ts);
		last = doc_json_time(o, "end", ts);
		snprintf(fold, sizeof(fold), "zone|%s|%s|%s", src, dst, rule ? rule : "");
		snprintf(sum, sizeof(sum), "zone %s policy broken (%s): %s to %s",
			 zone ? zone : "?", rule ? rule : "?", src, dst);
	} else {
		json_decref(j);
		return;
	}
	doc_timeline_add(d, fold, type, first, last, t, kid, kname, host, peer, sum, sev, count,
			 total);
	doc_tactic_note(d, t, kid, kname, first, last, 1);
	json_t *also = json_object_get(o, "mitre_also");
	size_t i;
	json_t *m;
	json_array_foreach(also, i, m) {
		int t2 = attack_tactic_find(json_string_value(json_object_get(m, "tactic")));
		doc_tactic_note(d, t2, json_string_value(json_object_get(m, "technique_id")),
				json_string_value(json_object_get(m, "technique")), first, last, 1);
	}
	doc_widen(&d->first, &d->last, first, last);
	json_decref(j);
}

static int load_signals(struct doc *d)
{
	static const char *const sql[] = {
	    "SELECT a.ts, a.src, a.dst, a.sid, a.severity, m.v, k.v FROM alert a LEFT JOIN str m "
	    "ON m.id = a.msg LEFT JOIN str k ON k.id = a.attack WHERE a.id = ?1",
	    "SELECT ts, src, dst, type, indicator, value, source, actor, campaign, retro, "
	    "first_seen, last_seen, count, hosts, field FROM intel WHERE id = ?1",
	    "SELECT ts, src, dst, type, severity, json, id FROM event WHERE id = ?1",
	};
	sqlite3_stmt *one[3] = {NULL, NULL, NULL}, *st = NULL;
	int rc = SQLITE_ERROR;
	for (int i = 0; i < 3; i++)
		if (sqlite3_prepare_v2(d->db, sql[i], -1, &one[i], NULL) != SQLITE_OK)
			goto out;
	if (sqlite3_prepare_v2(d->db,
			       "SELECT tbl, row, ts FROM incident_signal WHERE incident = ?1 ORDER "
			       "BY ts, tbl, row",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, d->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int tbl = sqlite3_column_int(st, 0);
		if (tbl < 0 || tbl > 2)
			continue;
		sqlite3_stmt *q = one[tbl];
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, sqlite3_column_int64(st, 1));
		if (sqlite3_step(q) != SQLITE_ROW)
			continue; /* pruned since */
		if (tbl == 0) {
			sig_alert(d, q);
			int64_t ts = sqlite3_column_int64(q, 0);
			doc_widen(&d->first, &d->last, ts, ts);
		} else if (tbl == 1) {
			sig_intel(d, q);
		} else {
			sig_event(d, q);
		}
	}
out:
	sqlite3_finalize(st);
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(one[i]);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- the document ---- */

static const char *const role_names[] = {
    "initial-access", "c2-client", "discovery",	   "lateral-source",
    "lateral-target", "staging",   "exfiltration", "zone-violation",
    "intel-match",    "scanner",   "c2",	   "dns-tunnel",
    "zone-peer"};

/* Infrastructure roles are listed in this order. */
static const unsigned infra_role_order[] = {ROLE_SCANNER,    ROLE_STAGING,	ROLE_C2,
					    ROLE_DNS_TUNNEL, ROLE_EXFILTRATION, ROLE_ZONE_PEER,
					    ROLE_INTEL_MATCH};

static json_t *roles_json(unsigned roles, bool infra)
{
	json_t *a = json_array();
	if (infra) {
		for (size_t i = 0; i < sizeof(infra_role_order) / sizeof(infra_role_order[0]); i++)
			if (roles & infra_role_order[i])
				for (unsigned b = 0; b < 13; b++)
					if (infra_role_order[i] == 1u << b)
						json_array_append_new(a,
								      json_string(role_names[b]));
		return a;
	}
	for (unsigned b = 0; b < 13; b++)
		if (roles & (1u << b) && (1u << b) <= ROLE_INTEL_MATCH)
			json_array_append_new(a, json_string(role_names[b]));
	return a;
}

static int cmp_first(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double p = json_real_value(json_object_get(x, "first_seen_epoch"));
	double q = json_real_value(json_object_get(y, "first_seen_epoch"));
	if (p != q)
		return p < q ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "value")) ?: "",
		      json_string_value(json_object_get(y, "value")) ?: "");
}

static int cmp_ts(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double p = json_real_value(json_object_get(x, "ts_epoch"));
	double q = json_real_value(json_object_get(y, "ts_epoch"));
	if (p != q)
		return p < q ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "summary")) ?: "",
		      json_string_value(json_object_get(y, "summary")) ?: "");
}

/* A JSON array of objects sorted with cmp. */
static json_t *sorted(json_t **v, size_t n, int (*cmp)(const void *, const void *))
{
	json_t *a = json_array();
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	return a;
}

static json_t *hosts_json(struct doc *d)
{
	json_t **v = calloc(d->nhost + 1, sizeof(*v));
	size_t n = 0;
	for (unsigned i = 0; v && i < d->nhost; i++) {
		struct doc_host *h = &d->host[i];
		json_t *o = json_object();
		json_object_set_new(o, "ip", json_string(h->ip));
		json_object_set_new(o, "value", json_string(h->ip)); /* for the sort */
		doc_put_time(o, "first_seen", h->first ? h->first : d->first);
		doc_put_time(o, "last_seen", h->last ? h->last : d->last);
		json_object_set_new(o, "roles", roles_json(h->roles, false));
		if (h->zone[0])
			json_object_set_new(o, "zone", json_string(h->zone));
		v[n++] = o;
	}
	json_t *a = v ? sorted(v, n, cmp_first) : json_array();
	size_t i;
	json_t *o;
	json_array_foreach(a, i, o)
		json_object_del(o, "value");
	free(v);
	return a;
}

static json_t *infra_json(struct doc *d)
{
	json_t **v = calloc(d->ninfra + 1, sizeof(*v));
	size_t n = 0;
	/* names first: what they carry goes to their addresses */
	unsigned order[DOC_MAX_INFRA], no = 0;
	for (unsigned i = 0; i < d->ninfra; i++)
		if (d->infra[i].domain)
			order[no++] = i;
	for (unsigned i = 0; i < d->ninfra; i++)
		if (!d->infra[i].domain)
			order[no++] = i;
	for (unsigned oi = 0; v && oi < no; oi++) {
		struct doc_infra *f = &d->infra[order[oi]];
		if (f->domain) {
			/* a name some address of the incident carries: listed there */
			struct doc_infra *by = NULL;
			for (unsigned k = 0; k < d->ninfra && !by; k++) {
				size_t m;
				json_t *s;
				if (d->infra[k].domain)
					continue;
				json_array_foreach(d->infra[k].domains, m, s)
					if (!strcasecmp(json_string_value(s), f->value))
						by = &d->infra[k];
			}
			if (by) {
				size_t m;
				json_t *s;
				by->roles |= f->roles;
				json_array_foreach(f->actors, m, s)
					doc_strset_add(by->actors, json_string_value(s));
				json_array_foreach(f->campaigns, m, s)
					doc_strset_add(by->campaigns, json_string_value(s));
				json_array_foreach(f->sources, m, s)
					doc_strset_add(by->sources, json_string_value(s));
				continue;
			}
		}
		json_t *o = json_object();
		json_object_set_new(o, "type",
				    json_string(f->domain     ? "domain-name"
						: f->ver == 6 ? "ipv6-addr"
							      : "ipv4-addr"));
		json_object_set_new(o, "value", json_string(f->value));
		if (json_array_size(f->domains))
			json_object_set(o, "domains", f->domains);
		if (json_array_size(f->addresses))
			json_object_set(o, "addresses", f->addresses);
		struct enrich_info ei;
		if (!f->domain && enrich_lookup(d->x->enrich, f->ver, f->a, &ei)) {
			if (ei.asn)
				json_object_set_new(o, "asn", json_integer(ei.asn));
			if (ei.as_org)
				json_object_set_new(o, "as_org", json_string(ei.as_org));
			if (ei.country[0])
				json_object_set_new(o, "country", json_string(ei.country));
			json_object_set_new(o, "hosting", json_boolean(ei.hosting));
		}
		if (json_array_size(f->actors))
			json_object_set(o, "actors", f->actors);
		if (json_array_size(f->campaigns))
			json_object_set(o, "campaigns", f->campaigns);
		if (json_array_size(f->sources))
			json_object_set(o, "intel_sources", f->sources);
		json_object_set_new(o, "roles", roles_json(f->roles, true));
		doc_put_time(o, "first_seen", f->first ? f->first : d->first);
		doc_put_time(o, "last_seen", f->last ? f->last : d->last);
		json_object_set_new(o, "flows", json_integer((json_int_t)f->flows));
		json_object_set_new(o, "bytes_out", json_integer((json_int_t)f->out));
		json_object_set_new(o, "bytes_in", json_integer((json_int_t)f->in));
		v[n++] = o;
	}
	json_t *a = v ? sorted(v, n, cmp_first) : json_array();
	free(v);
	return a;
}

static json_t *tactics_json(struct doc *d)
{
	json_t *a = json_array();
	for (int t = 0; t < attack_ntactics; t++) {
		struct doc_tactic *dt = &d->tactic[t];
		if (!dt->techniques)
			continue;
		json_t *o = json_object(), *tech = json_array();
		json_object_set_new(o, "id", json_string(attack_tactics[t].id));
		json_object_set_new(o, "name", json_string(attack_tactics[t].name));
		doc_put_time(o, "first_seen", dt->first);
		doc_put_time(o, "last_seen", dt->last);
		const char *k;
		json_t *v;
		json_object_foreach(dt->techniques, k, v)
			json_array_append(tech, v);
		json_object_set_new(o, "techniques", tech);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *timeline_json(struct doc *d)
{
	size_t n = json_object_size(d->timeline), i = 0;
	json_t **v = calloc(n + 1, sizeof(*v));
	const char *k;
	json_t *e;
	if (!v)
		return json_array();
	json_object_foreach(d->timeline, k, e) {
		json_t *o = json_deep_copy(e);
		int64_t f = json_integer_value(json_object_get(o, "_first"));
		int64_t l = json_integer_value(json_object_get(o, "_last"));
		json_object_del(o, "_first");
		json_object_del(o, "_last");
		doc_put_time(o, "ts", f);
		if (json_integer_value(json_object_get(o, "count")) > 1 || l > f)
			doc_put_time(o, "last_ts", l);
		v[i++] = o;
	}
	json_t *a = sorted(v, i, cmp_ts);
	free(v);
	return a;
}

/* The score, its reasons (largest first) and the title. */
static void score(struct doc *d, json_t *doc)
{
	struct reason {
		int pts;
		char why[300];
	} r[12];
	int n = 0, total = 0;
	char buf[64];
	if (d->max_severity) {
		static const int sev_pts[4] = {0, 35, 20, 10};
		r[n].pts = sev_pts[d->max_severity];
		snprintf(r[n++].why, sizeof(r[0].why), "strongest signal of severity %d (%s)",
			 d->max_severity,
			 d->max_severity == 1	? "high"
			 : d->max_severity == 2 ? "medium"
						: "low");
	}
	bool c2 = d->beacon || d->tunnel;
	for (unsigned i = 0; i < d->ninfra; i++)
		c2 |= (d->infra[i].roles & ROLE_C2) != 0;
	if (c2) {
		r[n].pts = 15;
		snprintf(r[n++].why, sizeof(r[0].why),
			 "command and control: hosts keep contact with attacker infrastructure");
	}
	uint64_t out = d->bytes_out_total;
	if (d->exfil_event || out >= 1048576) {
		r[n].pts = 20;
		snprintf(buf, sizeof(buf), "%.1f MB", (double)out / 1e6);
		snprintf(r[n++].why, sizeof(r[0].why),
			 "exfiltration: %s sent to attacker infrastructure", buf);
	}
	if (d->pii_records) {
		r[n].pts = d->pii_records >= 1000 ? 20 : 15;
		snprintf(r[n++].why, sizeof(r[0].why), "personal data left: %" PRIu64 " records",
			 d->pii_records);
	}
	json_t *actors = json_array();
	for (unsigned i = 0; i < d->ninfra; i++) {
		size_t k;
		json_t *v;
		json_array_foreach(d->infra[i].actors, k, v)
			doc_strset_add(actors, json_string_value(v));
	}
	if (json_array_size(actors)) {
		r[n].pts = 10;
		snprintf(r[n++].why, sizeof(r[0].why), "intel attributes the infrastructure to %s",
			 json_string_value(json_array_get(actors, 0)));
	}
	if (d->nhost > 1) {
		r[n].pts = d->nhost > 2 ? 10 : 5;
		snprintf(r[n++].why, sizeof(r[0].why), "%u internal hosts involved", d->nhost);
	}
	int ntac = 0;
	for (int t = 0; t < attack_ntactics; t++)
		ntac += d->tactic[t].techniques != NULL;
	if (ntac >= 3) {
		r[n].pts = ntac >= 5 ? 10 : 5;
		snprintf(r[n++].why, sizeof(r[0].why), "%d ATT&CK tactics of the kill chain seen",
			 ntac);
	}
	/* largest first */
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && r[k].pts > r[k - 1].pts; k--) {
			struct reason t = r[k];
			r[k] = r[k - 1];
			r[k - 1] = t;
		}
	json_t *reasons = json_array();
	for (int i = 0; i < n; i++) {
		char line[340];
		total += r[i].pts;
		snprintf(line, sizeof(line), "+%d %s", r[i].pts, r[i].why);
		json_array_append_new(reasons, json_string(line));
	}
	if (total > 100)
		total = 100;
	json_object_set_new(doc, "status", json_string("open")); /* set by the caller */
	json_object_set_new(doc, "severity",
			    json_string(total >= 80   ? "critical"
					: total >= 60 ? "high"
					: total >= 40 ? "medium"
						      : "low"));
	json_object_set_new(doc, "score", json_integer(total));
	json_object_set_new(doc, "reasons", reasons);

	/* title: what happened, to how many hosts, with whom */
	char title[512];
	const char *what = d->pii_records			? "Personal data exfiltration"
			   : (d->exfil_event || out >= 1048576) ? "Data exfiltration"
			   : c2					? "Command and control"
			   : d->tactic[attack_tactic_find("TA0007")].techniques
			       ? "Internal discovery"
			   : d->n_intel ? "Intel match"
					: "Policy violation";
	size_t len = (size_t)snprintf(title, sizeof(title), "%s: %u host%s", what, d->nhost,
				      d->nhost == 1 ? "" : "s");
	unsigned shown = 0;
	for (unsigned i = 0; i < d->ninfra && shown < 3 && len < sizeof(title); i++) {
		if (d->infra[i].domain && !d->infra[i].flows &&
		    !(d->infra[i].roles & ROLE_DNS_TUNNEL))
			continue;
		len += (size_t)snprintf(title + len, sizeof(title) - len, "%s%s",
					shown ? ", " : " with ", d->infra[i].value);
		shown++;
	}
	if (json_array_size(actors) && len < sizeof(title))
		snprintf(title + len, sizeof(title) - len, " (%s)",
			 json_string_value(json_array_get(actors, 0)));
	json_object_set_new(doc, "title", json_string(title));
	json_decref(actors);
}

static void doc_free(struct doc *d)
{
	for (unsigned i = 0; i < d->ninfra; i++) {
		json_decref(d->infra[i].domains);
		json_decref(d->infra[i].addresses);
		json_decref(d->infra[i].actors);
		json_decref(d->infra[i].campaigns);
		json_decref(d->infra[i].sources);
	}
	for (int t = 0; t < 16; t++)
		json_decref(d->tactic[t].techniques);
	json_decref(d->timeline);
	json_decref(d->pii);
	json_decref(d->damage);
	free(d);
}

json_t *incident_doc(sqlite3 *db, const struct incident_ctx *x, int64_t id, bool *missing)
{
	sqlite3_stmt *st;
	int64_t updated = 0, merged = 0;
	*missing = false;
	/* a merged incident's number leads to the one it went into */
	for (int hops = 0; hops < 64; hops++) {
		if (sqlite3_prepare_v2(db,
				       "SELECT merged_into, updated FROM incident WHERE id = ?1",
				       -1, &st, NULL) != SQLITE_OK) {
			log_error("incidents: %s", sqlite3_errmsg(db));
			return NULL;
		}
		sqlite3_bind_int64(st, 1, id);
		int rc = sqlite3_step(st);
		merged = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		updated = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW) {
			*missing = true;
			return NULL;
		}
		if (!merged)
			break;
		id = merged;
	}
	struct doc *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->db = db;
	d->x = x;
	d->id = id;
	d->timeline = json_object();
	d->pii = json_object();
	json_t *doc = NULL;
	if (load_keys(d) < 0 || load_signals(d) < 0 || doc_damage(d) < 0) {
		log_error("incidents: %s", sqlite3_errmsg(db));
		goto out;
	}
	doc = json_object();
	json_object_set_new(doc, "id", json_integer(id));
	json_object_set_new(doc, "title", json_string("")); /* first in the document */
	score(d, doc);
	int64_t clock = updated ? updated : d->last;
	json_object_set_new(doc, "status",
			    json_string(d->last + x->gap_us >= clock ? "open" : "closed"));
	doc_put_time(doc, "first_seen", d->first);
	doc_put_time(doc, "last_seen", d->last);
	json_object_set_new(doc, "dwell_seconds", json_real((double)(d->last - d->first) / 1e6));
	doc_put_time(doc, "updated", clock);
	json_object_set_new(doc, "hosts", hosts_json(d));
	json_object_set_new(doc, "infrastructure", infra_json(d));
	json_object_set_new(doc, "tactics", tactics_json(d));
	json_object_set_new(doc, "timeline", timeline_json(d));
	json_object_set(doc, "damage", d->damage);
	json_t *sig = json_object();
	json_object_set_new(sig, "alerts", json_integer((json_int_t)d->n_alert));
	json_object_set_new(sig, "intel", json_integer((json_int_t)d->n_intel));
	json_object_set_new(sig, "events", json_integer((json_int_t)d->n_event));
	json_object_set_new(sig, "retro", json_integer((json_int_t)d->n_retro));
	if (d->hosts_skipped || d->infra_skipped) {
		json_object_set_new(sig, "hosts_not_listed",
				    json_integer((json_int_t)d->hosts_skipped));
		json_object_set_new(sig, "infrastructure_not_listed",
				    json_integer((json_int_t)d->infra_skipped));
	}
	json_object_set_new(doc, "signals", sig);
out:
	doc_free(d);
	return doc;
}
