/*
 * share_obs — what was observed, as STIX: the ATT&CK attack patterns of the
 * incident's tactics; per infrastructure entry its infrastructure object,
 * observables, location, intrusion sets and campaigns, an indicator per
 * address and domain, and observed-data of its flows with each internal host
 * (network-traffic); per file of the damage its observable and an indicator
 * of its hash; a sighting per indicator. See share.c for the whole.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "incident/share.h"
#include "incident/share_int.h"

#define ATTACK_TECHNIQUES "https://attack.mitre.org/techniques/"

/* Staging infrastructure is where tools came from: hosting-malware (STIX's
 * "staging" is infrastructure an attack is launched from). */
const struct share_role share_infra_roles[SHARE_INFRA_ROLES] = {
    {"staging", "hosting-malware", "command-and-control", "tools downloaded from it",
     "tool download"},
    {"c2", "command-and-control", "command-and-control", "command and control",
     "command and control"},
    {"exfiltration", "exfiltration", "exfiltration", "data sent to it", "exfiltration"},
    {"dns-tunnel", "command-and-control", "command-and-control", "DNS tunnel", "DNS tunnel"},
    {"scanner", "reconnaissance", "reconnaissance", "scanning", "scanning"},
    {"intel-match", NULL, NULL, "named by intel", NULL},
};

/* The damage lists of files, what they say of a file, and its indicator type
 * (indicator-type-ov): tools are malicious; staged and sent-out files are the
 * victim's data, whose hash marks where they travel next. */
const struct share_file_list share_file_lists[SHARE_FILE_LISTS] = {
    {"tools_in", "brought in from the attacker's infrastructure", "malicious-activity"},
    {"staged", "staged between compromised hosts", "compromised"},
    {"files_out", "sent out to the attacker's infrastructure", "compromised"},
};

/* ---- ATT&CK ---- */

void share_attack_patterns(struct share_b *b, json_t *inc)
{
	size_t i, j;
	json_t *t, *tech;
	json_array_foreach(json_object_get(b->doc, "tactics"), i, t) {
		char buf[64];
		const char *phase = share_phase_of(share_jstr(t, "id"), share_jstr(t, "name"), buf);
		share_phase_add(b, inc, phase);
		json_array_foreach(json_object_get(t, "techniques"), j, tech) {
			const char *tid = share_jstr(tech, "id");
			if (!tid || !*tid)
				continue;
			json_t *o = share_made(b, "attack-pattern", tid);
			if (!o) {
				o = share_sdo(b, "attack-pattern", tid);
				if (!o)
					return;
				const char *name = share_jstr(tech, "name");
				share_set_s(b, o, "name", name && *name ? name : tid);
				/* T1071.001 -> .../techniques/T1071/001/ */
				struct share_text url = {0};
				share_tx(&url, "%s", ATTACK_TECHNIQUES);
				for (const char *p = tid; *p; p++)
					share_tx(&url, "%c", *p == '.' ? '/' : *p);
				share_tx(&url, "/");
				json_t *ref = json_pack("{s:s, s:s}", "source_name", "mitre-attack",
							"external_id", tid);
				if (ref && !url.fail)
					share_set_s(b, ref, "url", url.p);
				free(url.p);
				share_set(b, o, "external_references", json_pack("[o]", ref));
				if (!(o = share_add_once(b, "attack-pattern", tid, o)))
					return;
				share_rel(b, "related-to", b->incident_id, share_id_of(o));
			}
			share_phase_add(b, o, phase);
		}
	}
}

/* Techniques and phases of the timeline's entries whose peer is one of
 * vals (and whose host is host, unless NULL; of kind kind, unless NULL):
 * the indicator o indicates their attack patterns and shows their phases. */
static void timeline_links(struct share_b *b, json_t *o, const char *const *vals, size_t nv,
			   const char *host, const char *kind)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(b->doc, "timeline"), i, e) {
		const char *peer = share_jstr(e, "peer"), *h = share_jstr(e, "host"),
			   *k = share_jstr(e, "kind");
		bool match = false;
		for (size_t v = 0; peer && v < nv && !match; v++)
			match = !strcmp(peer, vals[v]);
		if (!match || (host && (!h || strcmp(h, host))) ||
		    (kind && (!k || strcmp(k, kind))))
			continue;
		char buf[64];
		share_phase_add(
		    b, o, share_phase_of(share_jstr(e, "tactic_id"), share_jstr(e, "tactic"), buf));
		const char *tid = share_jstr(e, "technique_id");
		json_t *ap = tid ? share_made(b, "attack-pattern", tid) : NULL;
		if (ap)
			share_rel(b, "indicates", share_id_of(o), share_id_of(ap));
	}
}

/* ---- infrastructure ---- */

struct entry {
	const json_t *e;
	const char *type, *value;
	const char **vals; /* value, then its domains or addresses (external ones) */
	json_t **scos;	   /* their observables */
	size_t nv;
	json_t *infra;
	json_t *actors, *campaigns; /* ids */
	int64_t first, last;
	bool has_first, has_last;
};

static const char *addr_type(const char *v, int *ver)
{
	uint8_t a[16];
	if (!share_parse_addr(v, a, ver))
		return NULL;
	return *ver == 4 ? "ipv4-addr" : "ipv6-addr";
}

/* A STIX pattern string literal: ' and \ escaped. */
static void pattern_of(struct share_text *t, const char *object, const char *path, const char *v)
{
	share_tx(t, "[%s:%s = '", object, path);
	for (const char *p = v; *p; p++)
		share_tx(t, "%s%c", *p == '\'' || *p == '\\' ? "\\" : "", *p);
	share_tx(t, "']");
}

/* The intrusion set or campaign intel names, made once and related to the
 * incident. NULL on failure. */
static json_t *named_by_intel(struct share_b *b, const char *type, const char *name)
{
	json_t *o = share_made(b, type, name);
	if (!o && (o = share_sdo(b, type, name))) {
		share_set_s(b, o, "name", name);
		share_set_s(b, o, "description",
			    "Named by threat intelligence on the infrastructure of this incident.");
		if ((o = share_add_once(b, type, name, o)))
			share_rel(b, "related-to", b->incident_id, share_id_of(o));
	}
	return o;
}

static struct share_ind *ind_get(struct share_b *b, const char *pattern)
{
	json_t *v = json_object_get(b->ind_index, pattern);
	return v ? &b->inds[json_integer_value(v) - 1] : NULL;
}

static struct share_ind *ind_new(struct share_b *b, const char *pattern, const char *id)
{
	if (b->n_inds == b->cap_inds) {
		size_t cap = b->cap_inds ? b->cap_inds * 2 : 16;
		struct share_ind *n = realloc(b->inds, cap * sizeof(*n));
		if (!n) {
			b->oom = true;
			return NULL;
		}
		b->inds = n;
		b->cap_inds = cap;
	}
	struct share_ind *d = &b->inds[b->n_inds];
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->first = INT64_MAX;
	d->last = INT64_MIN;
	d->od = json_array();
	d->objrefs = json_array();
	if (!d->od || !d->objrefs ||
	    json_object_set_new(b->ind_index, pattern, json_integer((json_int_t)++b->n_inds)) < 0)
		b->oom = true;
	return d;
}

static void indicator_of_value(struct share_b *b, struct entry *en, size_t k)
{
	const char *v = en->vals[k], *type = share_jstr(en->scos[k], "type");
	struct share_text pat = {0};
	pattern_of(&pat, type, "value", v);
	if (pat.fail) {
		b->oom = true;
		free(pat.p);
		return;
	}
	struct share_ind *d = ind_get(b, pat.p);
	json_t *o = d ? json_object_get(b->byid, d->id) : NULL;
	if (!d) {
		o = share_sdo(b, "indicator", pat.p);
		if (!o || !share_add(b, o)) {
			free(pat.p);
			return;
		}
		share_set_s(b, o, "name", v);
		struct share_text desc = {0};
		if (k)
			share_tx(&desc, "%s of %s, attacker infrastructure",
				 !strcmp(en->type, "domain-name") ? "An address" : "A name",
				 en->value);
		else
			share_tx(&desc, "Attacker infrastructure");
		share_tx(&desc, " of incident %" JSON_INTEGER_FORMAT " at %s", b->incident,
			 b->o->organisation);
		struct share_text roles = {0};
		share_roles_words(json_object_get(en->e, "roles"), &roles);
		if (roles.len)
			share_tx(&desc, ": %s", roles.p);
		free(roles.p);
		share_tx(&desc, ".");
		if (!desc.fail)
			share_set_s(b, o, "description", desc.p);
		free(desc.p);
		json_t *types = json_array();
		share_append_s(b, types, "malicious-activity");
		if (json_array_size(en->actors) || json_array_size(en->campaigns))
			share_append_s(b, types, "attribution");
		share_set(b, o, "indicator_types", types);
		share_set_s(b, o, "pattern", pat.p);
		share_set_s(b, o, "pattern_type", "stix");
		share_set_s(b, o, "pattern_version", "2.1");
		share_set_ts(b, o, "valid_from", en->first);
		d = ind_new(b, pat.p, share_id_of(o));
	} else if (en->first < d->first) {
		share_set_ts(b, o, "valid_from", en->first);
	}
	free(pat.p);
	if (!d || !o)
		return;
	/* phases: the timeline's, else the roles' */
	timeline_links(b, o, en->vals, en->nv, NULL, NULL);
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(en->e, "roles"), i, r) {
		for (size_t q = 0; q < sizeof(share_infra_roles) / sizeof(share_infra_roles[0]);
		     q++)
			if (json_is_string(r) &&
			    !strcmp(json_string_value(r), share_infra_roles[q].role))
				share_phase_add(b, o, share_infra_roles[q].phase);
	}
	share_rel(b, "indicates", d->id, share_id_of(en->infra));
	json_t *x;
	json_array_foreach(en->actors, i, x) {
		share_rel(b, "indicates", d->id, json_string_value(x));
	}
	json_array_foreach(en->campaigns, i, x) {
		share_rel(b, "indicates", d->id, json_string_value(x));
	}
	if (en->first < d->first)
		d->first = en->first;
	if (en->last > d->last)
		d->last = en->last;
	uint64_t flows;
	if (k == 0 && share_juint(en->e, "flows", &flows)) {
		d->count += flows;
		d->counted = true;
	}
}

/* An internal host in contact with the entry, and what is known of the pair. */
struct pair {
	int host;
	int64_t first, last;
	bool http, tls, tcp, udp, dns;
};

static bool in_vals(const struct entry *en, const char *s)
{
	for (size_t i = 0; s && i < en->nv; i++)
		if (!strcmp(en->vals[i], s))
			return true;
	return false;
}

static struct pair *pair_of(struct pair *p, size_t *n, size_t cap, int host)
{
	for (size_t i = 0; i < *n; i++)
		if (p[i].host == host)
			return &p[i];
	if (*n == cap)
		return NULL;
	p[*n] = (struct pair){host, INT64_MAX, INT64_MIN, false, false, false, false, false};
	return &p[(*n)++];
}

static void pair_time(struct pair *p, const json_t *e, const char *k1, const char *k2)
{
	int64_t t;
	if (share_time_ms(e, k1, &t)) {
		if (t < p->first)
			p->first = t;
		if (t > p->last)
			p->last = t;
	}
	if (k2 && share_time_ms(e, k2, &t) && t > p->last)
		p->last = t;
}

/* How many entries of the infrastructure a host is in contact with (per
 * the timeline and the files). */
static size_t entries_of_host(struct share_b *b, const char *host_text)
{
	size_t n = 0, i, j;
	json_t *e;
	json_array_foreach(json_object_get(b->doc, "infrastructure"), i, e) {
		const char *v = share_jstr(e, "value");
		const json_t *alt = json_object_get(e, "domains");
		if (!alt)
			alt = json_object_get(e, "addresses");
		bool hit = false;
		json_t *t;
		json_array_foreach(json_object_get(b->doc, "timeline"), j, t) {
			const char *p = share_jstr(t, "peer"), *h = share_jstr(t, "host");
			if (h && p && !strcmp(h, host_text) &&
			    ((v && !strcmp(p, v)) || share_has_str(alt, p)))
				hit = true;
		}
		n += hit;
	}
	return n;
}

static const json_t *by_host(struct share_b *b, const char *host_text)
{
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(share_damage(b, "bytes_out"), "by_host"), i, h) {
		const char *t = share_jstr(h, "host");
		if (t && !strcmp(t, host_text))
			return h;
	}
	return NULL;
}

#define PAIRS_MAX 256 /* hosts of one entry given their own network-traffic */

/* network-traffic per internal host in contact with the entry, and the
 * entry's observed-data. */
static const char *entry_traffic(struct share_b *b, struct entry *en)
{
	struct pair pairs[PAIRS_MAX];
	size_t np = 0, i;
	json_t *e;
	json_array_foreach(json_object_get(b->doc, "timeline"), i, e) {
		int h = share_host_of(b, share_jstr(e, "host"));
		struct pair *p;
		if (h >= 0 && in_vals(en, share_jstr(e, "peer")) &&
		    (p = pair_of(pairs, &np, PAIRS_MAX, h)))
			pair_time(p, e, "ts", "last_ts");
	}
	for (size_t f = 0; f < sizeof(share_file_lists) / sizeof(share_file_lists[0]); f++) {
		json_array_foreach(
		    json_object_get(share_damage(b, share_file_lists[f].list), "files"), i, e) {
			int h = share_host_of(b, share_jstr(e, "host"));
			struct pair *p;
			if (h < 0 || !in_vals(en, share_jstr(e, "peer")) ||
			    !(p = pair_of(pairs, &np, PAIRS_MAX, h)))
				continue;
			pair_time(p, e, "ts", NULL);
			const char *url = share_jstr(e, "url");
			if (url && !strncmp(url, "http://", 7))
				p->tcp = p->http = true;
			else if (url && !strncmp(url, "https://", 8))
				p->tcp = p->tls = true;
		}
	}
	/* one host in the incident: the flows are its */
	const json_t *hosts = json_object_get(b->doc, "hosts");
	if (!np && json_array_size(hosts) == 1)
		pairs[np++] =
		    (struct pair){share_host_of(b, share_jstr(json_array_get(hosts, 0), "ip")),
				  INT64_MAX,
				  INT64_MIN,
				  false,
				  false,
				  false,
				  false,
				  false};
	bool tunnel = share_has_str(json_object_get(en->e, "roles"), "dns-tunnel");
	/* the address family: the entry's address, or the one all of a
	 * domain's addresses share */
	int ipver = 0;
	for (size_t k = 0; k < en->nv && ipver >= 0; k++) {
		const char *t = share_jstr(en->scos[k], "type");
		int v = !strcmp(t, "ipv4-addr") ? 4 : !strcmp(t, "ipv6-addr") ? 6 : 0;
		if (v)
			ipver = !ipver || ipver == v ? v : -1;
	}
	uint64_t out, in;
	bool has_out = share_juint(en->e, "bytes_out", &out),
	     has_in = share_juint(en->e, "bytes_in", &in);

	json_t *od = share_sdo(b, "observed-data", share_id_of(en->infra));
	json_t *refs = json_array();
	if (!od || !refs) {
		json_decref(od);
		json_decref(refs);
		b->oom = true;
		return NULL;
	}
	for (size_t k = 0; k < en->nv; k++)
		share_append_s(b, refs, share_id_of(en->scos[k]));
	json_t *as = share_made(b, "as", en->value);
	if (as)
		share_append_s(b, refs, share_id_of(as));
	for (size_t k = 0; k < (np ? np : 1); k++) {
		struct pair *p = np ? &pairs[k] : NULL;
		const char *hid = p ? share_host_sco(b, p->host) : NULL;
		const char *htext = p && p->host >= 0 ? b->hosts[p->host].text : NULL;
		bool only = htext && entries_of_host(b, htext) == 1;
		const json_t *bh = only ? by_host(b, htext) : NULL;
		const json_t *ch = json_object_get(bh, "channels");
		uint64_t v;
		bool tcp = p && p->tcp, udp = tunnel, http = p && p->http, tls = p && p->tls,
		     dns = tunnel;
		if (share_juint(ch, "http", &v) && v)
			tcp = http = true;
		if (share_juint(ch, "tls", &v) && v)
			tcp = tls = true;
		if (share_juint(ch, "dns-tunnel", &v) && v)
			udp = dns = true;
		json_t *protos = json_array();
		if (ipver > 0)
			share_append_s(b, protos, ipver == 4 ? "ipv4" : "ipv6");
		if (tcp)
			share_append_s(b, protos, "tcp");
		if (udp)
			share_append_s(b, protos, "udp");
		if (http)
			share_append_s(b, protos, "http");
		if (tls)
			share_append_s(b, protos, "tls");
		if (dns)
			share_append_s(b, protos, "dns");
		if (!json_array_size(protos)) {
			json_decref(protos); /* nothing known of it: no traffic object */
			if (hid)
				share_append_s(b, refs, hid);
			continue;
		}
		int64_t s = p && p->first != INT64_MAX ? p->first : en->first;
		int64_t t = p && p->last != INT64_MIN ? p->last : en->last;
		char ts_s[32], ts_e[32];
		share_ts(s, ts_s);
		share_ts(t, ts_e);
		json_t *c = json_pack("{s:s, s:s, s:s, s:o}", "start", ts_s, "end", ts_e, "dst_ref",
				      share_id_of(en->scos[0]), "protocols", protos);
		if (c && hid)
			share_set(b, c, "extensions",
				  json_pack("{s:{s:s, s:s}}", b->ext, "extension_type",
					    "property-extension", "src_host_ref", hid));
		json_t *nt = share_sco(b, "network-traffic", c);
		if (!nt)
			break;
		/* bytes: the entry's when it has one host, else the host's when
		 * it talks to this entry alone */
		if (np <= 1 && has_out)
			share_set_i(b, nt, "src_byte_count", out);
		else if (share_juint(bh, "total", &v))
			share_set_i(b, nt, "src_byte_count", v);
		if (np <= 1 && has_in)
			share_set_i(b, nt, "dst_byte_count", in);
		share_append_s(b, refs, share_id_of(nt));
		if (hid)
			share_append_s(b, refs, hid);
	}
	uint64_t flows = 1;
	share_juint(en->e, "flows", &flows);
	share_set_ts(b, od, "first_observed", en->first);
	share_set_ts(b, od, "last_observed", en->last);
	share_set_i(b, od, "number_observed",
		    flows < 1		? 1
		    : flows > 999999999 ? 999999999
					: flows);
	share_set(b, od, "object_refs", refs);
	return share_add(b, od) ? share_id_of(od) : NULL;
}

int share_infrastructure_entry(struct share_b *b, const json_t *e, size_t idx)
{
	struct entry en = {.e = e, .type = share_jstr(e, "type"), .value = share_jstr(e, "value")};
	int ver = 0;
	if (!en.type || !en.value)
		return share_fail(b, "infrastructure[%zu] has no type or value", idx);
	bool domain = !strcmp(en.type, "domain-name");
	if (!domain && strcmp(en.type, "ipv4-addr") && strcmp(en.type, "ipv6-addr"))
		return share_fail(b,
				  "infrastructure[%zu].type is not ipv4-addr, ipv6-addr or "
				  "domain-name",
				  idx);
	const char *t = domain ? NULL : addr_type(en.value, &ver);
	if (!domain && (!t || strcmp(t, en.type)))
		return share_fail(b, "infrastructure[%zu].value '%s' is not an %s", idx, en.value,
				  en.type);
	if (domain && (!*en.value || strpbrk(en.value, " \t\r\n'\\/")))
		return share_fail(b, "infrastructure[%zu].value is not a domain name", idx);
	if (!domain) {
		uint8_t a[16];
		share_parse_addr(en.value, a, &ver);
		if (share_internal(b, a, ver)) {
			b->skipped_infra++;
			return 0;
		}
	}
	en.has_first = share_time_ms(e, "first_seen", &en.first);
	en.has_last = share_time_ms(e, "last_seen", &en.last);
	if (!en.has_first || !en.has_last)
		return share_fail(b, "infrastructure[%zu] has no first_seen or last_seen", idx);
	const json_t *alt = json_object_get(e, domain ? "addresses" : "domains");
	size_t cap = 1 + json_array_size(alt);
	en.vals = calloc(cap, sizeof(*en.vals));
	en.scos = calloc(cap, sizeof(*en.scos));
	en.actors = json_array();
	en.campaigns = json_array();
	int rc = 0;
	if (!en.vals || !en.scos || !en.actors || !en.campaigns) {
		rc = share_fail(b, "out of memory");
		goto out;
	}
	en.vals[en.nv++] = en.value;
	size_t i;
	json_t *v;
	json_array_foreach(alt, i, v) {
		const char *s = json_string_value(v);
		uint8_t a[16];
		int av;
		if (!s || !*s ||
		    (domain && (!share_parse_addr(s, a, &av) || share_internal(b, a, av))) ||
		    (!domain && (share_parse_addr(s, a, &av) || strpbrk(s, " \t\r\n'\\/")))) {
			if (s && domain && share_parse_addr(s, a, &av) && share_internal(b, a, av))
				continue; /* an internal address: not shared */
			rc = share_fail(b, "infrastructure[%zu].%s[%zu] is not a %s", idx,
					domain ? "addresses" : "domains", i,
					domain ? "address" : "domain");
			goto out;
		}
		en.vals[en.nv++] = s;
	}
	/* the observables */
	for (size_t k = 0; k < en.nv; k++) {
		int av = 0;
		const char *st = k == 0	  ? en.type
				 : domain ? addr_type(en.vals[k], &av)
					  : "domain-name";
		en.scos[k] = share_sco(b, st, json_pack("{s:s}", "value", en.vals[k]));
		if (!en.scos[k]) {
			rc = share_fail(b, "out of memory");
			goto out;
		}
	}
	for (size_t k = 1; k < en.nv; k++) {
		json_t *dn = domain ? en.scos[0] : en.scos[k],
		       *ad = domain ? en.scos[k] : en.scos[0];
		share_ref_add(b, dn, "resolves_to_refs", share_id_of(ad));
	}
	uint64_t asn;
	if (!domain && share_juint(e, "asn", &asn) && asn <= UINT32_MAX) {
		json_t *as = share_sco(b, "autonomous-system",
				       json_pack("{s:I}", "number", (json_int_t)asn));
		const char *org = share_jstr(e, "as_org");
		if (as && org && !json_object_get(as, "name"))
			share_set_s(b, as, "name", org);
		if (as) {
			share_ref_add(b, en.scos[0], "belongs_to_refs", share_id_of(as));
			share_remember(b, "as", en.value, as);
		}
	}
	/* the infrastructure */
	struct share_text key = {0};
	share_tx(&key, "%s|%s", en.type, en.value);
	en.infra = key.fail ? NULL : share_sdo(b, "infrastructure", key.p);
	free(key.p);
	if (!en.infra || !share_add(b, en.infra)) {
		rc = share_fail(b, "out of memory");
		goto out;
	}
	share_set_s(b, en.infra, "name", en.value);
	struct share_text desc = {0};
	share_tx(&desc, "Attacker infrastructure in incident %" JSON_INTEGER_FORMAT " at %s",
		 b->incident, b->o->organisation);
	struct share_text words = {0};
	share_roles_words(json_object_get(e, "roles"), &words);
	if (words.len)
		share_tx(&desc, ": %s", words.p);
	free(words.p);
	words = (struct share_text){0};
	share_enrichment_words(e, &words);
	if (words.len)
		share_tx(&desc, " (%s)", words.p);
	free(words.p);
	uint64_t flows, out, in;
	char g1[32], g2[32];
	if (share_juint(e, "flows", &flows))
		share_tx(&desc, ". %s flows with the incident's hosts", share_grouped(flows, g1));
	if (share_juint(e, "bytes_out", &out) && share_juint(e, "bytes_in", &in))
		share_tx(&desc, "; %s bytes sent to it, %s received", share_grouped(out, g1),
			 share_grouped(in, g2));
	share_tx(&desc, ".");
	if (!desc.fail)
		share_set_s(b, en.infra, "description", desc.p);
	free(desc.p);
	json_t *types = json_array();
	json_array_foreach(json_object_get(e, "roles"), i, v) {
		for (size_t q = 0; q < sizeof(share_infra_roles) / sizeof(share_infra_roles[0]);
		     q++)
			if (json_is_string(v) &&
			    !strcmp(json_string_value(v), share_infra_roles[q].role)) {
				if (share_infra_roles[q].type)
					share_append_s(b, types, share_infra_roles[q].type);
				share_phase_add(b, en.infra, share_infra_roles[q].phase);
			}
	}
	if (types && !json_array_size(types))
		share_append_s(b, types, "unknown");
	share_set(b, en.infra, "infrastructure_types", types);
	if (en.nv > 1) {
		json_t *aliases = json_array();
		for (size_t k = 1; k < en.nv; k++)
			share_append_s(b, aliases, en.vals[k]);
		share_set(b, en.infra, "aliases", aliases);
	}
	share_set_ts(b, en.infra, "first_seen", en.first);
	share_set_ts(b, en.infra, "last_seen", en.last);
	share_rel(b, "related-to", b->incident_id, share_id_of(en.infra));
	for (size_t k = 0; k < en.nv; k++)
		share_rel(b, "consists-of", share_id_of(en.infra), share_id_of(en.scos[k]));
	const char *cc = share_jstr(e, "country");
	if (cc && *cc) {
		json_t *loc = share_made(b, "location", cc);
		if (!loc && (loc = share_sdo(b, "location", cc))) {
			share_set_s(b, loc, "name", cc);
			share_set_s(b, loc, "country", cc);
			loc = share_add_once(b, "location", cc, loc);
		}
		if (loc)
			share_rel(b, "located-at", share_id_of(en.infra), share_id_of(loc));
	}
	/* who intel says it belongs to */
	json_array_foreach(json_object_get(e, "actors"), i, v) {
		const char *name = json_string_value(v);
		if (!name || !*name)
			continue;
		json_t *is = named_by_intel(b, "intrusion-set", name);
		if (is) {
			share_append_s(b, en.actors, share_id_of(is));
			share_rel(b, "uses", share_id_of(is), share_id_of(en.infra));
		}
	}
	json_array_foreach(json_object_get(e, "campaigns"), i, v) {
		const char *name = json_string_value(v);
		if (!name || !*name)
			continue;
		json_t *c = named_by_intel(b, "campaign", name);
		if (c) {
			share_append_s(b, en.campaigns, share_id_of(c));
			share_rel(b, "uses", share_id_of(c), share_id_of(en.infra));
			size_t j;
			json_t *a;
			json_array_foreach(en.actors, j, a) {
				share_rel(b, "attributed-to", share_id_of(c), json_string_value(a));
			}
		}
	}
	share_remember(b, "entry", en.value, en.infra);
	for (size_t k = 0; k < en.nv; k++)
		indicator_of_value(b, &en, k);
	const char *od = entry_traffic(b, &en);
	for (size_t k = 0; od && k < en.nv; k++) {
		struct share_text pat = {0};
		pattern_of(&pat, share_jstr(en.scos[k], "type"), "value", en.vals[k]);
		struct share_ind *d = pat.fail ? NULL : ind_get(b, pat.p);
		if (d)
			share_append_s(b, d->od, od);
		free(pat.p);
	}
	rc = b->oom ? share_fail(b, "out of memory") : 0;
out:
	free(en.vals);
	free(en.scos);
	json_decref(en.actors);
	json_decref(en.campaigns);
	return rc;
}

/* The infrastructure entry (shared) one of whose values is v, or NULL. */
static const json_t *entry_of_value(struct share_b *b, const char *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(b->doc, "infrastructure"), i, e) {
		const char *val = share_jstr(e, "value");
		if (val && v &&
		    (!strcmp(val, v) || share_has_str(json_object_get(e, "domains"), v) ||
		     share_has_str(json_object_get(e, "addresses"), v)))
			return share_made(b, "entry", val) ? e : NULL;
	}
	return NULL;
}

/* ---- files ---- */

static bool hex_of(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static int file_entry(struct share_b *b, const json_t *f, size_t list, size_t idx)
{
	static const struct {
		const char *member, *stix;
		size_t len;
	} hashes[] = {{"md5", "MD5", 32}, {"sha1", "SHA-1", 40}, {"sha256", "SHA-256", 64}};
	const char *best = NULL, *best_name = NULL;
	json_t *all = json_object();
	if (!all)
		return share_fail(b, "out of memory");
	for (size_t h = 0; h < 3; h++) {
		const char *v = share_jstr(f, hashes[h].member);
		if (!v)
			continue;
		if (!hex_of(v, hashes[h].len)) {
			json_decref(all);
			return share_fail(b, "damage.%s.files[%zu].%s is not %zu hex digits",
					  share_file_lists[list].list, idx, hashes[h].member,
					  hashes[h].len);
		}
		share_set_s(b, all, hashes[h].stix, v);
		best = v; /* the strongest given: SHA-256, else SHA-1, else MD5 */
		best_name = hashes[h].stix;
	}
	if (!best) {
		json_decref(all);
		b->skipped_files++;
		return 0;
	}
	const char *name = share_jstr(f, "name");
	/* id contributing: one hash (MD5 first, as STIX says) and the name */
	json_t *c = json_object();
	const char *first = NULL;
	for (size_t h = 0; h < 3 && !first; h++)
		if ((first = share_jstr(all, hashes[h].stix)))
			share_set(b, c, "hashes", json_pack("{s:s}", hashes[h].stix, first));
	if (name)
		share_set_s(b, c, "name", name);
	json_t *fo = c ? share_sco(b, "file", c) : NULL;
	if (!fo) {
		json_decref(all);
		return share_fail(b, "out of memory");
	}
	share_set(b, fo, "hashes", all);
	uint64_t size;
	if (share_juint(f, "size", &size) && !json_object_get(fo, "size"))
		share_set_i(b, fo, "size", size);
	/* the indicator of its strongest hash */
	struct share_text pat = {0};
	share_tx(&pat, "[file:hashes.'%s' = '%s']", best_name, best);
	if (pat.fail) {
		free(pat.p);
		return share_fail(b, "out of memory");
	}
	int64_t ts = 0;
	bool has_ts = share_time_ms(f, "ts", &ts);
	if (!has_ts && !share_time_ms(b->doc, "first_seen", &ts)) {
		free(pat.p);
		return share_fail(b, "damage.%s.files[%zu] has no ts", share_file_lists[list].list,
				  idx);
	}
	struct share_ind *d = ind_get(b, pat.p);
	json_t *o = d ? json_object_get(b->byid, d->id) : NULL;
	if (!d) {
		o = share_sdo(b, "indicator", pat.p);
		if (!o || !share_add(b, o)) {
			free(pat.p);
			return share_fail(b, "out of memory");
		}
		share_set_s(b, o, "name", name ? name : best);
		struct share_text desc = {0};
		share_tx(&desc, "A file %s in incident %" JSON_INTEGER_FORMAT " at %s",
			 share_file_lists[list].words, b->incident, b->o->organisation);
		char g[32];
		if (share_juint(f, "size", &size))
			share_tx(&desc, " (%s bytes)", share_grouped(size, g));
		share_tx(&desc, ".");
		if (!desc.fail)
			share_set_s(b, o, "description", desc.p);
		free(desc.p);
		share_set(b, o, "indicator_types",
			  json_pack("[s]", share_file_lists[list].indicator_type));
		share_set_s(b, o, "pattern", pat.p);
		share_set_s(b, o, "pattern_type", "stix");
		share_set_s(b, o, "pattern_version", "2.1");
		share_set_ts(b, o, "valid_from", ts);
		d = ind_new(b, pat.p, share_id_of(o));
		if (d)
			d->name = name;
	} else if (ts < d->first) {
		share_set_ts(b, o, "valid_from", ts);
	}
	free(pat.p);
	if (!d)
		return share_fail(b, "out of memory");
	if (ts < d->first)
		d->first = ts;
	if (ts > d->last)
		d->last = ts;
	d->count++;
	d->counted = true;
	share_append_s(b, d->objrefs, share_id_of(fo));
	/* the hosts, the peer, and what the timeline says of the transfer */
	const char *host = share_jstr(f, "host"), *peer = share_jstr(f, "peer");
	share_append_s(b, d->objrefs, share_host_sco(b, share_host_of(b, host)));
	int ph = share_host_of(b, peer);
	if (ph >= 0) {
		share_append_s(b, d->objrefs, share_host_sco(b, ph));
	} else if (peer) {
		int ver;
		const char *pt = addr_type(peer, &ver);
		json_t *ps = pt ? share_sco(b, pt, json_pack("{s:s}", "value", peer)) : NULL;
		if (ps)
			share_append_s(b, d->objrefs, share_id_of(ps));
		const json_t *en = entry_of_value(b, peer);
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(en, "actors"), i, v) {
			json_t *is = json_is_string(v)
					 ? share_made(b, "intrusion-set", json_string_value(v))
					 : NULL;
			if (is)
				share_rel(b, "indicates", d->id, share_id_of(is));
		}
		json_array_foreach(json_object_get(en, "campaigns"), i, v) {
			json_t *c2 = json_is_string(v)
					 ? share_made(b, "campaign", json_string_value(v))
					 : NULL;
			if (c2)
				share_rel(b, "indicates", d->id, share_id_of(c2));
		}
	}
	if (peer) {
		const char *vals[1] = {peer};
		timeline_links(b, o, vals, 1, host, "file");
	}
	return b->oom ? share_fail(b, "out of memory") : 0;
}

int share_files(struct share_b *b)
{
	for (size_t l = 0; l < sizeof(share_file_lists) / sizeof(share_file_lists[0]); l++) {
		size_t i;
		json_t *f;
		json_array_foreach(
		    json_object_get(share_damage(b, share_file_lists[l].list), "files"), i, f) {
			if (file_entry(b, f, l, i) < 0)
				return -1;
		}
	}
	/* an observed-data per file indicator */
	for (size_t i = 0; i < b->n_inds; i++) {
		struct share_ind *d = &b->inds[i];
		if (!json_array_size(d->objrefs))
			continue;
		json_t *od = share_sdo(b, "observed-data", d->id);
		if (!od)
			return share_fail(b, "out of memory");
		share_set_ts(b, od, "first_observed", d->first);
		share_set_ts(b, od, "last_observed", d->last);
		share_set_i(b, od, "number_observed", d->count ? d->count : 1);
		share_set(b, od, "object_refs", json_deep_copy(d->objrefs));
		if (share_add(b, od))
			share_append_s(b, d->od, share_id_of(od));
	}
	return b->oom ? share_fail(b, "out of memory") : 0;
}

void share_sightings(struct share_b *b)
{
	for (size_t i = 0; i < b->n_inds; i++) {
		struct share_ind *d = &b->inds[i];
		json_t *o = share_sdo(b, "sighting", d->id);
		if (!o)
			return;
		share_set_s(b, o, "description",
			    json_array_size(d->objrefs)
				? "Files with this hash seen in the incident."
				: "Traffic with the indicated infrastructure seen "
				  "in the incident.");
		if (d->first != INT64_MAX)
			share_set_ts(b, o, "first_seen", d->first);
		if (d->last != INT64_MIN)
			share_set_ts(b, o, "last_seen", d->last);
		if (d->counted)
			share_set_i(b, o, "count", d->count > 999999999 ? 999999999 : d->count);
		share_set_s(b, o, "sighting_of_ref", d->id);
		if (json_array_size(d->od))
			share_set(b, o, "observed_data_refs", json_deep_copy(d->od));
		share_set(b, o, "where_sighted_refs", json_pack("[s]", b->identity));
		share_add(b, o);
	}
}
