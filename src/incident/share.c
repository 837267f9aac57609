/*
 * share — an incident document as a STIX 2.1 bundle (share.h). The last
 * stage of the flow: it reads only the document `mamori report ID --json`
 * gives (docs/incidents.md), so what is shared and what the report says are
 * the same figures.
 *
 * What each part of the document becomes:
 *
 *   the organisation (share.*)   identity (organization, sectors, contact)
 *   the document                 incident (title, description, ATT&CK phases,
 *                                x_mamori_* figures) and a report naming
 *                                every object
 *   infrastructure[]             infrastructure (types from the roles, first and
 *                                last seen), consisting of its ipv4-addr /
 *                                ipv6-addr / domain-name observables (domains
 *                                resolve to the address, the address belongs to
 *                                its autonomous-system), located at a location
 *                                (country); an indicator per address and domain
 *   actors[], campaigns[]        intrusion-set using the infrastructure;
 *                                campaign attributed to it
 *   damage files (tools_in,      file observables with their hashes; an
 *     staged, files_out)         indicator per hash
 *   flows with the hosts         network-traffic (dst_ref the infrastructure,
 *                                the internal sender as src_host_ref, bytes when
 *                                the document gives them for that pair) inside
 *                                observed-data
 *   tactics[].techniques[]       attack-pattern (mitre-attack external id)
 *   every indicator              a sighting by the organisation, with count,
 *                                first and last seen and its observed-data
 *
 * Relationships are those STIX 2.1 defines (indicator indicates
 * infrastructure, intrusion-set, campaign and attack-pattern; intrusion-set
 * and campaign use infrastructure; campaign attributed-to intrusion-set;
 * infrastructure consists-of its observables and is located-at its country);
 * the incident, for which STIX 2.1 defines none, is related-to its attack
 * patterns, infrastructure and intrusion sets.
 *
 * Internal addresses: the document's hosts, every address its text names
 * that is one of them or inside HOME_NET. Each is an x-mamori-host observable
 * named by its pseudonym (share_int.h); infrastructure inside HOME_NET is not
 * shared (the description says how many). Free text of the document (its
 * title, reasons, summaries, URLs) is never copied; the title and
 * descriptions are written here from the figures. Before the bundle is
 * returned its serialised text is scanned for every address literal, and an
 * internal one fails the share.
 *
 * Identifiers: observables by STIX's deterministic rule (UUIDv5 of the id
 * contributing properties' canonical JSON, STIX's namespace); everything else
 * UUIDv5 in mamori's namespace of a scope (16 hex digits of HMAC-SHA-256 of
 * the pseudonym key over a fixed label: two sensors with different keys never
 * share ids), the incident number, the type and the object's key.
 */
#include "incident/share.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "detect/addrset.h"
#include "incident/share_int.h"

#define TLP2_EXT     "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define TLP2_CREATED "2022-10-01T00:00:00.000Z"
#define INTERNAL_MAX 65536u /* internal addresses one document may name */
#define SCOPE_LABEL  "mamori share ids"

/* The TLP 2.0 marking definitions the OASIS CTI TC publishes
 * (cti-stix-common-objects, extension-definition-specifications/tlp-2.0),
 * in the order of enum share_tlp_level. */
static const struct share_tlp {
	const char *name, *id, *label;
} tlps[] = {
    {"clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR"},
    {"green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN"},
    {"amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER"},
    {"amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
     "TLP:AMBER+STRICT"},
    {"red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED"},
};

/* ATT&CK enterprise tactics: kill-chain phase names of the mitre-attack
 * kill chain. */
static const struct {
	const char *id, *phase;
} tactic_phases[] = {
    {"TA0043", "reconnaissance"},  {"TA0042", "resource-development"},
    {"TA0001", "initial-access"},  {"TA0002", "execution"},
    {"TA0003", "persistence"},	   {"TA0004", "privilege-escalation"},
    {"TA0005", "defense-evasion"}, {"TA0006", "credential-access"},
    {"TA0007", "discovery"},	   {"TA0008", "lateral-movement"},
    {"TA0009", "collection"},	   {"TA0011", "command-and-control"},
    {"TA0010", "exfiltration"},	   {"TA0040", "impact"},
};

int share_fail(struct share_b *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void share_tx(struct share_text *t, const char *fmt, ...)
{
	if (t->fail)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int w = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (w < 0) {
			t->fail = true;
			return;
		}
		if (t->p && t->len + (size_t)w < t->cap) {
			t->len += (size_t)w;
			return;
		}
		size_t cap = t->cap ? t->cap * 2 : 256;
		while (cap < t->len + (size_t)w + 1)
			cap *= 2;
		char *p = realloc(t->p, cap);
		if (!p) {
			t->fail = true;
			return;
		}
		p[t->len] = '\0';
		t->p = p;
		t->cap = cap;
	}
}

/* ---- the document ---- */

const char *share_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

bool share_juint(const json_t *o, const char *k, uint64_t *v)
{
	json_t *x = json_object_get(o, k);
	if (json_is_integer(x) && json_integer_value(x) >= 0) {
		*v = (uint64_t)json_integer_value(x);
		return true;
	}
	if (json_is_real(x) && json_real_value(x) >= 0 && json_real_value(x) < 1.8e19) {
		*v = (uint64_t)json_real_value(x);
		return true;
	}
	return false;
}

bool share_has_str(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	if (!s)
		return false;
	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	}
	return false;
}

const json_t *share_damage(const struct share_b *b, const char *part)
{
	return json_object_get(json_object_get(b->doc, "damage"), part);
}

/* ---- building objects ---- */

void share_set(struct share_b *b, json_t *o, const char *k, json_t *v)
{
	if (!v || json_object_set_new(o, k, v) < 0)
		b->oom = true;
}

void share_set_s(struct share_b *b, json_t *o, const char *k, const char *v)
{
	if (!v)
		return;
	share_set(b, o, k, json_string(v));
}

void share_set_i(struct share_b *b, json_t *o, const char *k, uint64_t v)
{
	share_set(b, o, k, json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v));
}

void share_set_ts(struct share_b *b, json_t *o, const char *k, int64_t ms)
{
	char t[32];
	share_ts(ms, t);
	share_set_s(b, o, k, t);
}

void share_append_s(struct share_b *b, json_t *arr, const char *s)
{
	if (!s)
		return;
	if (!share_has_str(arr, s) && json_array_append_new(arr, json_string(s)) < 0)
		b->oom = true;
}

const char *share_id_of(const json_t *o)
{
	return share_jstr(o, "id");
}

/* Into the bundle; returns o (borrowed from then on). */
json_t *share_add(struct share_b *b, json_t *o)
{
	/* the array takes o, also when it fails */
	if (!o || json_array_append_new(b->objects, o) < 0) {
		b->oom = true;
		return NULL;
	}
	if (json_object_set(b->byid, share_id_of(o) ? share_id_of(o) : "", o) < 0)
		b->oom = true;
	return o;
}

/* An SDO or SRO of this incident: type, spec_version, id (from key),
 * created_by_ref, created, modified. Not yet in the bundle. */
json_t *share_sdo(struct share_b *b, const char *type, const char *key)
{
	struct share_text name = {0};
	share_tx(&name, "%s|%" JSON_INTEGER_FORMAT "|%s|%s", b->scope, b->incident, type, key);
	if (name.fail) {
		b->oom = true;
		free(name.p);
		return NULL;
	}
	char uuid[37], id[96];
	share_uuid5(share_ns_mamori, name.p, name.len, uuid);
	free(name.p);
	snprintf(id, sizeof(id), "%s--%s", type, uuid);
	json_t *o = json_object();
	if (!o) {
		b->oom = true;
		return NULL;
	}
	share_set_s(b, o, "type", type);
	share_set_s(b, o, "spec_version", "2.1");
	share_set_s(b, o, "id", id);
	if (b->identity[0])
		share_set_s(b, o, "created_by_ref", b->identity);
	share_set_s(b, o, "created", b->ts);
	share_set_s(b, o, "modified", b->ts);
	return o;
}

/* The object made once under "kind|key", or NULL. */
json_t *share_made(struct share_b *b, const char *kind, const char *key)
{
	if (!key)
		return NULL;
	struct share_text k = {0};
	share_tx(&k, "%s|%s", kind, key);
	const char *id = k.fail ? NULL : json_string_value(json_object_get(b->keys, k.p));
	free(k.p);
	return id ? json_object_get(b->byid, id) : NULL;
}

void share_remember(struct share_b *b, const char *kind, const char *key, const json_t *o)
{
	if (!key)
		return;
	struct share_text k = {0};
	share_tx(&k, "%s|%s", kind, key);
	if (k.fail || !o || json_object_set_new(b->keys, k.p, json_string(share_id_of(o))) < 0)
		b->oom = true;
	free(k.p);
}

json_t *share_add_once(struct share_b *b, const char *kind, const char *key, json_t *o)
{
	o = share_add(b, o);
	if (o)
		share_remember(b, kind, key, o);
	return o;
}

/* A cyber observable: its id from the id contributing properties in contrib
 * (taken), which become its first members. An observable already in the
 * bundle is returned as it is (the caller adds to it). */
json_t *share_sco(struct share_b *b, const char *type, json_t *contrib)
{
	char *canon = contrib ? share_canonical(contrib) : NULL;
	if (!canon) {
		json_decref(contrib);
		b->oom = true;
		return NULL;
	}
	char uuid[37], id[96];
	share_uuid5(share_ns_sco, canon, strlen(canon), uuid);
	free(canon);
	snprintf(id, sizeof(id), "%s--%s", type, uuid);
	json_t *had = json_object_get(b->byid, id);
	if (had) {
		json_decref(contrib);
		return had;
	}
	json_t *o = json_object();
	if (!o) {
		json_decref(contrib);
		b->oom = true;
		return NULL;
	}
	share_set_s(b, o, "type", type);
	share_set_s(b, o, "spec_version", "2.1");
	share_set_s(b, o, "id", id);
	if (json_object_update(o, contrib) < 0)
		b->oom = true;
	json_decref(contrib);
	return share_add(b, o);
}

void share_ref_add(struct share_b *b, json_t *o, const char *k, const char *id)
{
	if (!o || !id)
		return;
	json_t *arr = json_object_get(o, k);
	if (!arr) {
		arr = json_array();
		share_set(b, o, k, arr);
	}
	if (arr)
		share_append_s(b, arr, id);
}

void share_rel(struct share_b *b, const char *type, const char *src, const char *dst)
{
	if (!src || !dst)
		return;
	struct share_text key = {0};
	share_tx(&key, "%s|%s|%s", type, src, dst);
	if (key.fail || share_made(b, "rel", key.p)) {
		b->oom |= key.fail;
		free(key.p);
		return;
	}
	json_t *o = share_sdo(b, "relationship", key.p);
	if (o) {
		share_set_s(b, o, "relationship_type", type);
		share_set_s(b, o, "source_ref", src);
		share_set_s(b, o, "target_ref", dst);
		share_add_once(b, "rel", key.p, o);
	}
	free(key.p);
}

static json_t *kill_chain_phase(const char *phase)
{
	return json_pack("{s:s, s:s}", "kill_chain_name", "mitre-attack", "phase_name", phase);
}

/* "TA0011" -> "command-and-control"; else the tactic's name in lower case
 * with '-' for blanks, or NULL. */
const char *share_phase_of(const char *tactic_id, const char *name, char buf[64])
{
	for (size_t i = 0; tactic_id && i < sizeof(tactic_phases) / sizeof(tactic_phases[0]); i++)
		if (!strcmp(tactic_id, tactic_phases[i].id))
			return tactic_phases[i].phase;
	if (!name || !*name)
		return NULL;
	size_t o = 0;
	for (const char *p = name; *p && o < 63; p++)
		buf[o++] = *p == ' ' ? '-' : (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
	buf[o] = '\0';
	return buf;
}

void share_phase_add(struct share_b *b, json_t *o, const char *phase)
{
	if (!phase)
		return;
	json_t *arr = json_object_get(o, "kill_chain_phases");
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!strcmp(share_jstr(v, "phase_name"), phase))
			return;
	}
	if (!arr) {
		arr = json_array();
		share_set(b, o, "kill_chain_phases", arr);
	}
	if (!arr || json_array_append_new(arr, kill_chain_phase(phase)) < 0)
		b->oom = true;
}

/* ---- internal addresses ---- */

static void addr_key(const uint8_t *a, int ver, char out[40])
{
	static const char hexd[] = "0123456789abcdef";
	int n = ver == 4 ? 4 : 16;
	out[0] = ver == 4 ? '4' : '6';
	for (int i = 0; i < n; i++) {
		out[1 + 2 * i] = hexd[a[i] >> 4];
		out[2 + 2 * i] = hexd[a[i] & 15];
	}
	out[1 + 2 * n] = '\0';
}

static int host_index(const struct share_b *b, const uint8_t *a, int ver)
{
	char k[40];
	addr_key(a, ver, k);
	json_t *v = json_object_get(b->host_index, k);
	return v ? (int)json_integer_value(v) - 1 : -1;
}

bool share_internal(const struct share_b *b, const uint8_t *a, int ver)
{
	return host_index(b, a, ver) >= 0 || (b->has_home && ipset_match(&b->home, a, ver));
}

/* Add an internal address (once); its index, or -1 (b->oom or at the cap). */
static int host_add(struct share_b *b, const uint8_t *a, int ver, const char *text, size_t len)
{
	int had = host_index(b, a, ver);
	if (had >= 0)
		return had;
	if (b->n_hosts >= INTERNAL_MAX) {
		share_fail(b, "the document names more than %u internal addresses", INTERNAL_MAX);
		return -2;
	}
	if (b->n_hosts == b->cap_hosts) {
		size_t cap = b->cap_hosts ? b->cap_hosts * 2 : 16;
		struct share_host *h = realloc(b->hosts, cap * sizeof(*h));
		if (!h) {
			b->oom = true;
			return -1;
		}
		b->hosts = h;
		b->cap_hosts = cap;
	}
	struct share_host *h = &b->hosts[b->n_hosts];
	memset(h, 0, sizeof(*h));
	memcpy(h->a, a, ver == 4 ? 4 : 16);
	h->ver = ver;
	snprintf(h->text, sizeof(h->text), "%.*s", (int)(len < 47 ? len : 47), text);
	if (!share_pseudonym(b->key, b->kn, a, ver, h->pseudo)) {
		share_fail(b, "HMAC-SHA-256 is not available from libcrypto");
		return -2;
	}
	char k[40];
	addr_key(a, ver, k);
	if (json_object_set_new(b->host_index, k, json_integer((json_int_t)b->n_hosts + 1)) < 0) {
		b->oom = true;
		return -1;
	}
	return (int)b->n_hosts++;
}

struct collect {
	struct share_b *b;
	int rc;
};

static bool collect_fn(void *ctx, const uint8_t *a, int ver, const char *text, size_t len)
{
	struct collect *c = ctx;
	if (share_internal(c->b, a, ver) && host_add(c->b, a, ver, text, len) == -2) {
		c->rc = -1;
		return true;
	}
	return false;
}

/* Every address the document's text names that is internal. */
static int collect(struct share_b *b, const json_t *v, int depth)
{
	if (depth > 64)
		return share_fail(b, "the document is nested deeper than 64 levels");
	struct collect c = {b, 0};
	if (json_is_string(v)) {
		share_scan_addrs(json_string_value(v), json_string_length(v), collect_fn, &c);
		return c.rc;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) {
			if (collect(b, m, depth + 1) < 0)
				return -1;
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *m;
		json_object_foreach((json_t *)v, k, m) {
			share_scan_addrs(k, strlen(k), collect_fn, &c);
			if (c.rc < 0 || collect(b, m, depth + 1) < 0)
				return -1;
		}
	}
	return 0;
}

/* The internal host of an address text, or -1. */
int share_host_of(const struct share_b *b, const char *text)
{
	uint8_t a[16];
	int ver;
	return text && share_parse_addr(text, a, &ver) ? host_index(b, a, ver) : -1;
}

/* The internal addresses the document names as such: hosts[].ip,
 * timeline[].host, damage by_host[].host, FILE.host (whatever HOME_NET
 * says), then every other address its text names that is one of them or
 * inside HOME_NET. */
static int internal_addresses(struct share_b *b)
{
	const json_t *hosts = json_object_get(b->doc, "hosts");
	if (!json_is_array(hosts))
		return share_fail(b, "the document has no hosts list");
	size_t i, j;
	json_t *h;
	json_array_foreach(hosts, i, h) {
		uint8_t a[16];
		int ver;
		const char *ip = share_jstr(h, "ip");
		if (!ip || !share_parse_addr(ip, a, &ver))
			return share_fail(b, "hosts[%zu].ip is not an address", i);
		int k = host_add(b, a, ver, ip, strlen(ip));
		if (k < 0)
			return b->oom ? share_fail(b, "out of memory") : -1;
		b->hosts[k].entry = h;
	}
	const json_t *lists[2 + sizeof(share_file_lists) / sizeof(share_file_lists[0])] = {
	    json_object_get(b->doc, "timeline"),
	    json_object_get(share_damage(b, "bytes_out"), "by_host")};
	for (size_t f = 0; f < sizeof(share_file_lists) / sizeof(share_file_lists[0]); f++)
		lists[2 + f] = json_object_get(share_damage(b, share_file_lists[f].list), "files");
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		json_array_foreach(lists[l], j, h) {
			uint8_t a[16];
			int ver;
			const char *ip = share_jstr(h, "host");
			if (ip && share_parse_addr(ip, a, &ver) &&
			    host_add(b, a, ver, ip, strlen(ip)) < 0)
				return b->oom ? share_fail(b, "out of memory") : -1;
		}
	}
	if (collect(b, b->doc, 0) < 0)
		return -1;
	return b->oom ? share_fail(b, "out of memory") : 0;
}

/* The x-mamori-host observable of internal address i. */
const char *share_host_sco(struct share_b *b, int i)
{
	if (i < 0)
		return NULL;
	struct share_host *h = &b->hosts[i];
	if (h->sco[0])
		return h->sco;
	json_t *o = share_sco(b, "x-mamori-host", json_pack("{s:s}", "pseudonym", h->pseudo));
	if (!o)
		return NULL;
	const char *zone = share_jstr(h->entry, "zone");
	if (zone)
		share_set_s(b, o, "zone", zone);
	json_t *roles = json_object_get(h->entry, "roles");
	if (json_is_array(roles) && json_array_size(roles))
		share_set(b, o, "roles", json_deep_copy(roles));
	json_t *ext = json_object();
	share_set(b, o, "extensions", ext);
	if (ext)
		share_set(b, ext, b->ext, json_pack("{s:s}", "extension_type", "new-sco"));
	snprintf(h->sco, sizeof(h->sco), "%s", share_id_of(o));
	return h->sco;
}

/* ---- the parts every bundle has ---- */

static void marking(struct share_b *b)
{
	const struct share_tlp *t = b->tlp;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
			      "marking-definition", "spec_version", "2.1", "id", t->id, "created",
			      TLP2_CREATED, "name", t->label, "extensions", TLP2_EXT,
			      "extension_type", "property-extension", "tlp_2_0", t->name);
	share_add(b, o);
}

static void identity(struct share_b *b)
{
	json_t *o = share_sdo(b, "identity", b->o->organisation);
	if (!o)
		return;
	share_set_s(b, o, "name", b->o->organisation);
	share_set_s(b, o, "identity_class", "organization");
	const char *sec = b->o->sector;
	if (sec && *sec) {
		json_t *arr = json_array();
		share_set(b, o, "sectors", arr);
		while (arr && *sec) {
			size_t n = strcspn(sec, ",");
			const char *s = sec, *e = sec + n;
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e > s) {
				json_t *v = json_stringn(s, (size_t)(e - s));
				if (!v || json_array_append_new(arr, v) < 0)
					b->oom = true;
			}
			sec += n + (sec[n] == ',');
		}
	}
	if (b->o->contact && *b->o->contact)
		share_set_s(b, o, "contact_information", b->o->contact);
	if (share_add(b, o))
		snprintf(b->identity, sizeof(b->identity), "%s", share_id_of(o));
}

static const char *const incident_props[] = {
    "x_mamori_incident_id",   "x_mamori_status",
    "x_mamori_severity",      "x_mamori_score",
    "x_mamori_first_seen",    "x_mamori_last_seen",
    "x_mamori_dwell_seconds", "x_mamori_bytes_out",
    "x_mamori_bytes_in",      "x_mamori_personal_data_records",
};

/* The extension that declares what mamori adds to STIX. */
static void extension(struct share_b *b)
{
	json_t *o = share_sdo(b, "extension-definition", "mamori");
	if (!o)
		return;
	share_set_s(b, o, "name", "mamori incident sharing");
	share_set_s(
	    b, o, "description",
	    "What mamori adds to STIX 2.1 when it shares an incident: the incident's own "
	    "figures as x_mamori_* properties, the x-mamori-host observable (an internal host "
	    "of the reporting organisation, named by a keyed pseudonym instead of its address) "
	    "and the internal sender of network-traffic.");
	share_set_s(
	    b, o, "schema",
	    "x-mamori-host (new SCO): pseudonym (string, required, the only id contributing "
	    "property): 'host-' and the first 16 hex digits of HMAC-SHA-256 over the host's "
	    "address bytes (4 or 16) with the reporter's secret key, so that the same host has "
	    "the same pseudonym in every report of that reporter; zone (string): the "
	    "reporter's network zone of the host; roles (list of string): what the host did "
	    "(c2-client, discovery, lateral-source, lateral-target, staging, exfiltration, ...). "
	    "network-traffic (property extension): src_host_ref (identifier of an x-mamori-host): "
	    "the internal host that sent the traffic. incident (top-level properties): "
	    "x_mamori_incident_id (integer, the reporter's incident number), x_mamori_status "
	    "(open or closed), x_mamori_severity (critical, high, medium or low), x_mamori_score "
	    "(integer 0-100), x_mamori_first_seen and x_mamori_last_seen (timestamps of the "
	    "first and last activity), x_mamori_dwell_seconds (integer), x_mamori_bytes_out and "
	    "x_mamori_bytes_in (integers: bytes the hosts sent to and received from the "
	    "infrastructure), x_mamori_personal_data_records (integer: personal-data records "
	    "seen leaving).");
	share_set_s(b, o, "version", "1.0.0");
	share_set(
	    b, o, "extension_types",
	    json_pack("[s,s,s]", "new-sco", "property-extension", "toplevel-property-extension"));
	json_t *props = json_array();
	for (size_t i = 0; props && i < sizeof(incident_props) / sizeof(incident_props[0]); i++)
		share_append_s(b, props, incident_props[i]);
	share_set(b, o, "extension_properties", props);
	if (share_add(b, o))
		snprintf(b->ext, sizeof(b->ext), "%s", share_id_of(o));
}

/* ---- the incident and the report ---- */

static int incident(struct share_b *b)
{
	json_t *o = share_sdo(b, "incident", "incident");
	if (!o || !share_add(b, o))
		return share_fail(b, "out of memory");
	/* filled in last, when every figure is known; first in the object */
	share_set_s(b, o, "name", "");
	share_set_s(b, o, "description", "");
	snprintf(b->incident_id, sizeof(b->incident_id), "%s", share_id_of(o));
	return 0;
}

/* The incident's text and figures, once everything is known. */
static void incident_fill(struct share_b *b)
{
	json_t *o = json_object_get(b->byid, b->incident_id);
	struct share_text t = {0}, d = {0};
	share_title(b, &t);
	share_description(b, &d);
	if (t.fail || d.fail) {
		b->oom = true;
	} else {
		share_set_s(b, o, "name", t.p);
		share_set_s(b, o, "description", d.p);
	}
	uint64_t v;
	int64_t ms;
	share_set(b, o, "extensions",
		  json_pack("{s:{s:s}}", b->ext, "extension_type", "toplevel-property-extension"));
	share_set_i(b, o, "x_mamori_incident_id", (uint64_t)b->incident);
	const char *s;
	if ((s = share_jstr(b->doc, "status")))
		share_set_s(b, o, "x_mamori_status", s);
	if ((s = share_jstr(b->doc, "severity")))
		share_set_s(b, o, "x_mamori_severity", s);
	if (share_juint(b->doc, "score", &v))
		share_set_i(b, o, "x_mamori_score", v);
	if (share_time_ms(b->doc, "first_seen", &ms))
		share_set_ts(b, o, "x_mamori_first_seen", ms);
	if (share_time_ms(b->doc, "last_seen", &ms))
		share_set_ts(b, o, "x_mamori_last_seen", ms);
	if (share_juint(b->doc, "dwell_seconds", &v))
		share_set_i(b, o, "x_mamori_dwell_seconds", v);
	if (share_juint(share_damage(b, "bytes_out"), "total", &v))
		share_set_i(b, o, "x_mamori_bytes_out", v);
	if (share_juint(share_damage(b, "bytes_in"), "total", &v))
		share_set_i(b, o, "x_mamori_bytes_in", v);
	if (share_juint(share_damage(b, "personal_data"), "records", &v))
		share_set_i(b, o, "x_mamori_personal_data_records", v);
	/* the report: the same name and text, naming every object */
	json_t *r = share_sdo(b, "report", "report");
	if (!r) {
		free(t.p);
		free(d.p);
		return;
	}
	if (!t.fail && !d.fail) {
		share_set_s(b, r, "name", t.p);
		share_set_s(b, r, "description", d.p);
	}
	free(t.p);
	free(d.p);
	share_set(b, r, "report_types", json_pack("[s]", "threat-report"));
	share_set_s(b, r, "published", b->ts);
	json_t *refs = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(b->objects, i, x) {
		const char *type = share_jstr(x, "type");
		if (type && strcmp(type, "marking-definition") &&
		    strcmp(type, "extension-definition"))
			share_append_s(b, refs, share_id_of(x));
	}
	share_set(b, r, "object_refs", refs);
	/* after the identity, before the incident */
	size_t at = 0;
	json_array_foreach(b->objects, i, x) {
		if (!strcmp(share_jstr(x, "type"), "identity"))
			at = i + 1;
	}
	if (json_object_set(b->byid, share_id_of(r), r) < 0)
		b->oom = true;
	if (json_array_insert_new(b->objects, at, r) < 0) /* takes r, also when it fails */
		b->oom = true;
}

/* ---- checks ---- */

struct leak {
	const struct share_b *b;
	char found[64];
};

static bool leak_fn(void *ctx, const uint8_t *a, int ver, const char *text, size_t len)
{
	struct leak *l = ctx;
	if (!share_internal(l->b, a, ver))
		return false;
	snprintf(l->found, sizeof(l->found), "%.*s", (int)(len < 63 ? len : 63), text);
	return true;
}

static bool addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == '.' || c == ':';
}

/* The serialised bundle holds no internal address: no literal that is one
 * of the document's internal addresses or inside HOME_NET, and none of the
 * document's own spellings of them. */
static int leak_check(struct share_b *b, const char *text)
{
	struct leak l = {b, ""};
	if (share_scan_addrs(text, strlen(text), leak_fn, &l))
		return share_fail(b, "internal address %s found in the bundle: not shared",
				  l.found);
	for (size_t i = 0; i < b->n_hosts; i++) {
		const char *s = b->hosts[i].text;
		size_t n = strlen(s);
		for (const char *p = strstr(text, s); n && p; p = strstr(p + 1, s))
			if ((p == text || !addr_char(p[-1])) && !addr_char(p[n]))
				return share_fail(
				    b, "internal address %s found in the bundle: not shared", s);
	}
	return 0;
}

/* ---- the bundle ---- */

static const char *home_var(void *ctx, const char *name, bool port)
{
	return ctx ? config_var(ctx, name, port) : NULL;
}

static int setup(struct share_b *b)
{
	const struct share_opts *o = b->o;
	if (!o->organisation || !*o->organisation)
		return share_fail(b,
				  "share.organisation is empty: the reporting organisation's name");
	b->tlp = NULL;
	for (size_t i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
		if (o->tlp && !strcmp(o->tlp, tlps[i].name))
			b->tlp = &tlps[i];
	if (!b->tlp)
		return share_fail(b, "share.tlp '%s': clear, green, amber, amber+strict or red",
				  o->tlp ? o->tlp : "");
	if (!o->pseudonym_key || !*o->pseudonym_key)
		return share_fail(
		    b,
		    "share.pseudonym-key is not set: internal addresses are shared only "
		    "as pseudonyms made with it (set it to at least %d random bytes in hex, "
		    "e.g. from 'openssl rand -hex 32', and keep it for the same pseudonyms "
		    "across reports)",
		    SHARE_KEY_MIN);
	int kn = share_hex_key(o->pseudonym_key, b->key, sizeof(b->key));
	if (kn < SHARE_KEY_MIN)
		return share_fail(
		    b,
		    "share.pseudonym-key: %d to %d bytes in hex (an even number of hex "
		    "digits) expected",
		    SHARE_KEY_MIN, SHARE_KEY_MAX);
	b->kn = (size_t)kn;
	if (o->home_net && *o->home_net) {
		struct addrset_err aerr;
		if (ipset_parse(&b->home, o->home_net, home_var, (void *)o->vars, &aerr) < 0)
			return share_fail(b, "HOME_NET: %s", aerr.msg);
		b->has_home = true;
	}
	/* the scope of the ids: the key's, so two sensors never collide */
	if (!share_scope(b->key, b->kn, SCOPE_LABEL, b->scope))
		return share_fail(b, "HMAC-SHA-256 is not available from libcrypto");
	json_t *id = json_object_get(b->doc, "id");
	if (!json_is_integer(id) || json_integer_value(id) < 0)
		return share_fail(b, "the document has no id (the incident number)");
	b->incident = json_integer_value(id);
	int64_t ms;
	if (!share_time_ms(b->doc, "updated", &ms))
		return share_fail(b, "the document has no updated time");
	share_ts(ms, b->ts);
	int64_t f, l;
	if (!share_time_ms(b->doc, "first_seen", &f) || !share_time_ms(b->doc, "last_seen", &l))
		return share_fail(b, "the document has no first_seen or last_seen");
	if (!json_is_array(json_object_get(b->doc, "infrastructure")))
		return share_fail(b, "the document has no infrastructure list");
	return 0;
}

static void sb_free(struct share_b *b)
{
	json_decref(b->objects);
	json_decref(b->byid);
	json_decref(b->keys);
	json_decref(b->host_index);
	json_decref(b->ind_index);
	for (size_t i = 0; i < b->n_inds; i++) {
		json_decref(b->inds[i].od);
		json_decref(b->inds[i].objrefs);
	}
	free(b->inds);
	free(b->hosts);
	if (b->has_home)
		ipset_free(&b->home);
	memset(b->key, 0, sizeof(b->key));
}

static int build(struct share_b *b)
{
	if (setup(b) < 0 || internal_addresses(b) < 0)
		return -1;
	marking(b);
	identity(b);
	extension(b);
	if (b->oom || incident(b) < 0)
		return share_fail(b, "out of memory");
	json_t *inc = json_object_get(b->byid, b->incident_id);
	for (size_t i = 0; i < json_array_size(json_object_get(b->doc, "hosts")); i++)
		share_host_sco(b, (int)i);
	share_attack_patterns(b, inc);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(b->doc, "infrastructure"), i, e) {
		if (share_infrastructure_entry(b, e, i) < 0)
			return -1;
	}
	if (share_files(b) < 0)
		return -1;
	share_sightings(b);
	incident_fill(b);
	/* the marking on every object but itself */
	json_array_foreach(b->objects, i, e) {
		if (strcmp(share_jstr(e, "type"), "marking-definition"))
			share_set(b, e, "object_marking_refs", json_pack("[s]", b->tlp->id));
	}
	return b->oom ? share_fail(b, "out of memory") : 0;
}

int share_stix(const json_t *doc, const struct share_opts *o, json_t **bundle_out, char *err,
	       size_t errlen)
{
	struct share_b b = {.o = o, .doc = doc, .err = err, .errlen = errlen};
	*bundle_out = NULL;
	if (errlen)
		err[0] = '\0';
	if (!json_is_object(doc))
		return share_fail(&b, "the incident document is not a JSON object");
	b.objects = json_array();
	b.byid = json_object();
	b.keys = json_object();
	b.host_index = json_object();
	b.ind_index = json_object();
	int rc = -1;
	if (!b.objects || !b.byid || !b.keys || !b.host_index || !b.ind_index) {
		share_fail(&b, "out of memory");
		goto out;
	}
	if (build(&b) < 0)
		goto out;
	/* the bundle: its id from the report's and the time */
	char uuid[37], bid[96];
	struct share_text name = {0};
	share_tx(&name, "%s|%" JSON_INTEGER_FORMAT "|bundle|%s", b.scope, b.incident, b.ts);
	if (name.fail) {
		free(name.p);
		share_fail(&b, "out of memory");
		goto out;
	}
	share_uuid5(share_ns_mamori, name.p, name.len, uuid);
	free(name.p);
	snprintf(bid, sizeof(bid), "bundle--%s", uuid);
	json_t *bundle =
	    json_pack("{s:s, s:s, s:O}", "type", "bundle", "id", bid, "objects", b.objects);
	char *text = bundle ? share_dumps(bundle) : NULL;
	if (!text) {
		json_decref(bundle);
		share_fail(&b, "out of memory");
		goto out;
	}
	rc = leak_check(&b, text);
	free(text);
	if (rc < 0) {
		json_decref(bundle);
		goto out;
	}
	*bundle_out = bundle;
	rc = 0;
out:
	sb_free(&b);
	return rc;
}

char *share_dumps(const json_t *bundle)
{
	char *s = json_dumps(bundle, JSON_INDENT(2));
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	if (!t) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

void share_opts_from_config(struct share_opts *o, const struct config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->organisation = cfg->share_organisation;
	o->sector = cfg->share_sector;
	o->contact = cfg->share_contact;
	o->tlp = cfg->share_tlp >= 0 && (size_t)cfg->share_tlp < sizeof(tlps) / sizeof(tlps[0])
		     ? tlps[cfg->share_tlp].name
		     : NULL;
	o->pseudonym_key = cfg->share_pseudonym_key;
	o->home_net = config_var(cfg, "HOME_NET", false);
	o->vars = cfg;
}

int share_cmd_from_doc(const char *doc_path, const struct config *cfg, FILE *out)
{
	json_error_t je;
	json_t *doc = json_load_file(doc_path, 0, &je);
	if (!doc) {
		log_error("%s: line %d, column %d: %s", doc_path, je.line, je.column, je.text);
		return -1;
	}
	struct share_opts o;
	share_opts_from_config(&o, cfg);
	json_t *bundle = NULL;
	char err[512];
	int rc = share_stix(doc, &o, &bundle, err, sizeof(err));
	json_decref(doc);
	if (rc < 0) {
		log_error("%s: %s", doc_path, err);
		return -1;
	}
	char *text = share_dumps(bundle);
	json_decref(bundle);
	if (!text) {
		log_error("%s: out of memory", doc_path);
		return -1;
	}
	size_t n = strlen(text);
	rc = fwrite(text, 1, n, out) == n && fflush(out) == 0 ? 0 : -1;
	free(text);
	if (rc < 0)
		log_error("%s: cannot write the bundle", doc_path);
	return rc;
}
