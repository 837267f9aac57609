/*
 * imp_stix — STIX 2.1 and 2.0 bundles ({"type": "bundle", "objects": [...]};
 * also a TAXII 2.1 envelope {"objects": [...]}, a single STIX object, or an
 * array of them). Recognised by content: "type": "bundle" at the top.
 *
 * Indicator objects whose pattern is STIX patterning (pattern_type "stix",
 * or none as in 2.0) are parsed (stix_pattern.h) and every comparison that
 * names an indicator is kept:
 *
 *   ipv4-addr:value, ipv6-addr:value       address or CIDR (=, IN, ISSUBSET)
 *   domain-name:value                      domain ("*.example.com": and below)
 *   url:value, email-addr:value            URL, e-mail address
 *   email-message:from_ref.value, :sender_ref.value     e-mail address
 *   file:hashes.X, artifact:hashes.X       X = MD5, SHA-1, SHA-256 in any case
 *                                          or quoting, with or without '-'/'_'
 *   x509-certificate:hashes.'SHA-1'        certificate fingerprint
 *   network-traffic:dst_ref.value, src_ref.value   address or domain by its value
 *   JA3, JA4: an object type named ja3/ja4 (x-ja3:value, ja3-fingerprint:hash)
 *             or a network-traffic path with a component so named
 *             (network-traffic:extensions.'x-ja3'.hash); "x-"/"x_" prefixes,
 *             '-', '_' and case do not matter, suffixes (ja3s, ja3_hash) neither
 *
 * OR: each term is an indicator. AND, FOLLOWEDBY and qualifiers cannot be
 * represented by single indicators: each term is kept and the pattern is
 * counted as a note ("AND pattern kept as its separate terms"). A comparison
 * on another path, with another operator (LIKE, MATCHES, !=, <, >, ...) or
 * under NOT is counted under a reason naming it; a pattern none of whose
 * terms can be kept is one skipped indicator (under its first term's
 * reason); in a pattern that keeps something, such terms are skipped one by
 * one when they were alternatives (OR) and are part of the note when they
 * were conditions (AND).
 *
 * Attribution, from the objects around the indicator, in two passes over
 * `objects` (every object is indexed by id first, so order does not
 * matter): valid_from/valid_until; confidence (2.1); TLP from
 * object_marking_refs (the TLP 1.0 and TLP 2.0 marking ids, or the
 * bundle's marking-definition objects: definition_type tlp, a "TLP:..."
 * name, a tlp_2_0 extension property; the most restrictive wins); source:
 * the created_by_ref identity's name; campaign: the campaigns it indicates;
 * actor: the intrusion sets or threat actors it indicates, else those its
 * campaigns are attributed to, else those its malware or tools are
 * attributed to or used by. Several names are sorted and joined by ", ".
 *
 * Every other object is counted by type: attribution objects (identity,
 * marking-definition, relationship, campaign, intrusion-set, threat-actor,
 * malware, tool) are not counted when the file has indicators to attribute
 * (and skipped like the rest when it has none, as ATT&CK bundles); the
 * observations (observed-data, cyber observables standing alone) and
 * everything else (attack-pattern, course-of-action, report, x-mitre-*, ...)
 * are skipped with their type.
 *
 * Bounds: STIX_OBJECTS_MAX objects (the rest counted as not read); the
 * relationship walk of one indicator looks at WALK_MAX relationships in all
 * and keeps NAMES_MAX names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "intel/import.h"
#include "intel/intel_json.h"
#include "intel/stix_pattern.h"

#define STIX_OBJECTS_MAX (1u << 20)
#define WALK_MAX	 256 /* relationships looked at for one indicator */
#define NAMES_MAX	 8   /* actor or campaign names kept per indicator */

enum kind { K_OTHER, K_INDICATOR, K_IDENTITY, K_MARKING, K_CAMPAIGN, K_ACTOR, K_MALWARE };
enum rel { R_INDICATES, R_ATTRIBUTED_TO, R_USES };

struct obj {
	const char *id; /* NULL: no id */
	json_t *o;
	uint8_t kind;
	/* first relationship from it, first "uses" to it: edge index + 1, 0 none
	 * (only "uses" is walked backwards: a malware's users; keeping the
	 * indicators that indicate it off that list keeps the walk short) */
	uint32_t out, in;
};

struct edge {
	uint32_t from, to;
	uint8_t rel;
	uint32_t next_out, next_in; /* edge index + 1, 0 ends */
};

struct bundle {
	struct obj *obj;
	uint32_t n_obj;
	uint32_t *slot; /* object index + 1 by id hash; 0 empty */
	uint32_t n_slot;
	struct edge *edge;
	uint32_t n_edge;
	uint32_t indicators; /* indicator objects */
};

struct ctx {
	struct ioc_set *s;
	struct ioc_report *r;
	const struct ioc_meta *defaults;
	struct bundle *b;
};

/* ---- sniffing ---- */

static bool stix_sniff(const char *path, const uint8_t *d, size_t n)
{
	(void)path;
	struct intel_json_member m[32];
	bool array;
	size_t k = intel_json_head(d, n, m, 32, &array);
	const struct intel_json_member *type = intel_json_member(m, k, "type");
	const struct intel_json_member *id = intel_json_member(m, k, "id");
	const struct intel_json_member *objects = intel_json_member(m, k, "objects");
	if (type && type->kind == 's' && !strcmp(type->str, "bundle") && !array)
		return true;
	/* a STIX object (or an array of them): "type" and "id": "type--uuid" */
	if (type && type->kind == 's' && id && id->kind == 's' && strstr(id->str, "--"))
		return true;
	/* a TAXII 2.1 envelope */
	return !array && !type && objects && objects->kind == '[';
}

/* ---- the object index ---- */

static uint32_t *lookup_slot(const struct bundle *b, const char *id)
{
	uint32_t m = b->n_slot - 1;
	for (uint32_t i = (uint32_t)XXH3_64bits(id, strlen(id)) & m;; i = (i + 1) & m)
		if (!b->slot[i] || !strcmp(b->obj[b->slot[i] - 1].id, id))
			return &b->slot[i];
}

/* The index of the object with that id (its latest version), or UINT32_MAX. */
static uint32_t find(const struct bundle *b, const char *id)
{
	if (!id)
		return UINT32_MAX;
	uint32_t *sl = lookup_slot(b, id);
	return *sl ? *sl - 1 : UINT32_MAX;
}

static enum kind kind_of(const char *type)
{
	static const struct {
		const char *type;
		enum kind k;
	} kinds[] = {
	    {"indicator", K_INDICATOR},
	    {"identity", K_IDENTITY},
	    {"marking-definition", K_MARKING},
	    {"campaign", K_CAMPAIGN},
	    {"intrusion-set", K_ACTOR},
	    {"threat-actor", K_ACTOR},
	    {"malware", K_MALWARE},
	    {"tool", K_MALWARE},
	};
	for (size_t i = 0; type && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(type, kinds[i].type))
			return kinds[i].k;
	return K_OTHER;
}

/* First pass: every object by id (a later "modified" replaces an earlier
 * version of the same object), then the relationships between them. */
static int index_objects(struct bundle *b, json_t *objects, uint32_t n)
{
	b->obj = calloc(n ? n : 1, sizeof(*b->obj));
	b->n_slot = 16;
	while (b->n_slot < 2 * (uint64_t)n)
		b->n_slot *= 2;
	b->slot = calloc(b->n_slot, sizeof(*b->slot));
	if (!b->obj || !b->slot)
		return -2;
	uint32_t n_rel = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct obj *ob = &b->obj[i];
		ob->o = json_array_get(objects, i);
		const char *type = intel_json_str(ob->o, "type");
		ob->kind = (uint8_t)kind_of(type);
		ob->id = intel_json_str(ob->o, "id");
		n_rel += type && !strcmp(type, "relationship");
		b->indicators += ob->kind == K_INDICATOR;
		if (!ob->id)
			continue;
		uint32_t *sl = lookup_slot(b, ob->id);
		const char *mod = intel_json_str(ob->o, "modified");
		const char *had = *sl ? intel_json_str(b->obj[*sl - 1].o, "modified") : NULL;
		if (!*sl || !had || (mod && strcmp(mod, had) >= 0))
			*sl = i + 1;
	}
	b->edge = calloc(n_rel ? n_rel : 1, sizeof(*b->edge));
	if (!b->edge)
		return -2;
	for (uint32_t i = 0; i < n; i++) {
		json_t *o = b->obj[i].o;
		const char *type = intel_json_str(o, "type"),
			   *rt = intel_json_str(o, "relationship_type");
		if (!type || strcmp(type, "relationship") || !rt)
			continue;
		enum rel rel;
		if (!strcmp(rt, "indicates"))
			rel = R_INDICATES;
		else if (!strcmp(rt, "attributed-to"))
			rel = R_ATTRIBUTED_TO;
		else if (!strcmp(rt, "uses"))
			rel = R_USES;
		else
			continue;
		uint32_t from = find(b, intel_json_str(o, "source_ref"));
		uint32_t to = find(b, intel_json_str(o, "target_ref"));
		if (from == UINT32_MAX || to == UINT32_MAX)
			continue;
		/* only what attribution walks: indicator -> anything, anything ->
		 * actor, actor -> malware or tool */
		enum kind kf = b->obj[from].kind, kt = b->obj[to].kind;
		if ((rel == R_INDICATES && kf != K_INDICATOR) ||
		    (rel == R_ATTRIBUTED_TO && kt != K_ACTOR) ||
		    (rel == R_USES && (kf != K_ACTOR || kt != K_MALWARE)))
			continue;
		struct edge *e = &b->edge[b->n_edge];
		bool in = rel == R_USES;
		*e =
		    (struct edge){from, to, (uint8_t)rel, b->obj[from].out, in ? b->obj[to].in : 0};
		b->obj[from].out = ++b->n_edge;
		if (in)
			b->obj[to].in = b->n_edge;
	}
	return 0;
}

static void bundle_free(struct bundle *b)
{
	free(b->obj);
	free(b->slot);
	free(b->edge);
}

/* ---- attribution ---- */

struct names {
	const char *v[NAMES_MAX];
	unsigned n;
};

static void name_add(struct names *nm, const struct obj *ob)
{
	const char *name = intel_json_str(ob->o, "name");
	if (!name || !*name)
		return;
	for (unsigned i = 0; i < nm->n; i++)
		if (!strcmp(nm->v[i], name))
			return;
	if (nm->n < NAMES_MAX)
		nm->v[nm->n++] = name;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names sorted, joined by ", " into buf; NULL when there are none. */
static const char *names_join(struct names *nm, char *buf, size_t cap)
{
	if (!nm->n)
		return NULL;
	qsort(nm->v, nm->n, sizeof(nm->v[0]), name_cmp);
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < nm->n && o + 1 < cap; i++) {
		int w = snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", nm->v[i]);
		if (w < 0 || (size_t)w >= cap - o)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* The actors of an object attributed to them (out) or used by them (in);
 * each relationship looked at takes one from *budget. */
static void actors_of(const struct bundle *b, uint32_t i, enum rel rel, bool in, struct names *nm,
		      unsigned *budget)
{
	const struct obj *ob = &b->obj[i];
	for (uint32_t e = in ? ob->in : ob->out; e && *budget; --*budget) {
		const struct edge *ed = &b->edge[e - 1];
		uint32_t other = in ? ed->from : ed->to;
		if (ed->rel == rel && b->obj[other].kind == K_ACTOR)
			name_add(nm, &b->obj[other]);
		e = in ? ed->next_in : ed->next_out;
	}
}

static void relations(const struct bundle *b, uint32_t i, struct names *actor,
		      struct names *campaign)
{
	struct names direct = {0}, via_campaign = {0}, via_malware = {0};
	unsigned budget = WALK_MAX;
	for (uint32_t e = b->obj[i].out; e && budget; e = b->edge[e - 1].next_out, budget--) {
		const struct edge *ed = &b->edge[e - 1];
		const struct obj *t = &b->obj[ed->to];
		if (ed->rel != R_INDICATES)
			continue;
		if (t->kind == K_ACTOR) {
			name_add(&direct, t);
		} else if (t->kind == K_CAMPAIGN) {
			name_add(campaign, t);
			actors_of(b, ed->to, R_ATTRIBUTED_TO, false, &via_campaign, &budget);
		} else if (t->kind == K_MALWARE) {
			actors_of(b, ed->to, R_ATTRIBUTED_TO, false, &via_malware, &budget);
			actors_of(b, ed->to, R_USES, true, &via_malware, &budget);
		}
		if (!budget)
			break;
	}
	*actor = direct.n ? direct : via_campaign.n ? via_campaign : via_malware;
}

/* The TLP 1.0 and 2.0 marking-definition ids STIX 2.1 and the TLP 2.0
 * extension publish. */
static enum ioc_tlp well_known_tlp(const char *id)
{
	static const struct {
		const char *id;
		enum ioc_tlp tlp;
	} ids[] = {
	    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TLP_CLEAR},
	    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TLP_GREEN},
	    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLP_AMBER},
	    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED},
	    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TLP_CLEAR},
	    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TLP_GREEN},
	    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TLP_AMBER},
	    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TLP_AMBER_STRICT},
	    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TLP_RED},
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strcmp(id, ids[i].id))
			return ids[i].tlp;
	return TLP_NONE;
}

/* The TLP a marking-definition object states: TLP 1.0 (definition_type
 * "tlp", definition.tlp), or TLP 2.0 (name "TLP:AMBER+STRICT", an extension
 * with a tlp_2_0 property). */
static enum ioc_tlp marking_tlp(const json_t *o)
{
	const char *dt = intel_json_str(o, "definition_type");
	if (dt && !strcmp(dt, "tlp"))
		return intel_json_tlp(intel_json_str(json_object_get(o, "definition"), "tlp"));
	enum ioc_tlp t = intel_json_tlp(intel_json_str(o, "name"));
	const char *key;
	json_t *ext;
	json_object_foreach(json_object_get(o, "extensions"), key, ext) {
		t = intel_json_tlp_max(t, intel_json_tlp(intel_json_str(ext, "tlp_2_0")));
	}
	return t;
}

static enum ioc_tlp object_tlp(const struct bundle *b, const json_t *o)
{
	enum ioc_tlp t = TLP_NONE;
	size_t i;
	json_t *ref;
	json_array_foreach(json_object_get(o, "object_marking_refs"), i, ref) {
		const char *id = json_string_value(ref);
		if (!id)
			continue;
		enum ioc_tlp k = well_known_tlp(id);
		uint32_t m = k == TLP_NONE ? find(b, id) : UINT32_MAX;
		if (m != UINT32_MAX && b->obj[m].kind == K_MARKING)
			k = marking_tlp(b->obj[m].o);
		t = intel_json_tlp_max(t, k);
	}
	return t;
}

/* ---- patterns ---- */

enum target {
	T_NONE,
	T_TYPE,	    /* a fixed type */
	T_ADDR_DOM, /* an address or a domain, by the value */
};

/* lower case, '-' and '_' dropped: "SHA-256" -> "sha256" */
static void squash(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 1 < cap; s++)
		if (*s != '-' && *s != '_')
			out[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	out[o] = '\0';
}

/* ja3, x-ja3, x_ja3s, JA3-Hash, ja3_fingerprint: IOC_JA3; the same for
 * ja4; anything else: IOC_TYPE_MAX. */
static enum ioc_type ja_name(const char *s)
{
	char q[40];
	squash(s, q, sizeof(q));
	const char *p = q[0] == 'x' && q[1] == 'j' ? q + 1 : q;
	if (!strncmp(p, "ja3", 3))
		return IOC_JA3;
	if (!strncmp(p, "ja4", 3))
		return IOC_JA4;
	return IOC_TYPE_MAX;
}

static bool is(const char *a, const char *b)
{
	return !strcasecmp(a, b);
}

/* Which indicator a comparison's path names (see the table above). */
static enum target path_target(const struct stix_comparison *c, enum ioc_type *t)
{
	static const struct {
		const char *object;
		enum ioc_type t;
	} values[] = {
	    {"ipv4-addr", IOC_IPV4}, {"ipv6-addr", IOC_IPV6},	{"domain-name", IOC_DOMAIN},
	    {"url", IOC_URL},	     {"email-addr", IOC_EMAIL},
	};
	const char *ob = c->object;
	unsigned n = c->n_comp;
	if (n == 1 && is(c->comp[0], "value")) {
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			if (is(ob, values[i].object)) {
				*t = values[i].t;
				return T_TYPE;
			}
		}
	}
	if (n == 2 && is(c->comp[0], "hashes") && !(c->index_mask & 2)) {
		char h[16];
		squash(c->comp[1], h, sizeof(h));
		bool file = is(ob, "file") || is(ob, "artifact");
		*t = !strcmp(h, "md5")	    ? IOC_MD5
		     : !strcmp(h, "sha1")   ? IOC_SHA1
		     : !strcmp(h, "sha256") ? IOC_SHA256
					    : IOC_TYPE_MAX;
		if (file && *t != IOC_TYPE_MAX)
			return T_TYPE;
		if (is(ob, "x509-certificate") && *t == IOC_SHA1) {
			*t = IOC_CERT;
			return T_TYPE;
		}
	}
	if (n == 2 && is(ob, "network-traffic") && is(c->comp[1], "value") &&
	    (is(c->comp[0], "dst_ref") || is(c->comp[0], "src_ref")))
		return T_ADDR_DOM;
	if (n == 2 && is(ob, "email-message") && is(c->comp[1], "value") &&
	    (is(c->comp[0], "from_ref") || is(c->comp[0], "sender_ref"))) {
		*t = IOC_EMAIL;
		return T_TYPE;
	}
	if ((*t = ja_name(ob)) != IOC_TYPE_MAX)
		return T_TYPE;
	for (unsigned i = 0; is(ob, "network-traffic") && i < n; i++)
		if (!(c->index_mask & (1u << i)) && (*t = ja_name(c->comp[i])) != IOC_TYPE_MAX)
			return T_TYPE;
	return T_NONE;
}

/* "file:hashes.SHA-512", "windows-registry-key:values[*].data" */
static void path_text(const struct stix_comparison *c, char *out, size_t cap)
{
	char raw[256];
	size_t o = (size_t)snprintf(raw, sizeof(raw), "%s:", c->object);
	for (unsigned i = 0; i < c->n_comp && o < sizeof(raw); i++)
		o += (size_t)snprintf(raw + o, sizeof(raw) - o, "%s%s",
				      i && !(c->index_mask & (1u << i)) ? "." : "", c->comp[i]);
	intel_json_printable(out, cap, raw);
}

/* Can this comparison be kept? NULL, or why not into why. */
static const char *term_problem(const struct stix_comparison *c, enum target tg, enum ioc_type t,
				char *why, size_t cap)
{
	char path[64];
	if (tg == T_NONE) {
		path_text(c, path, sizeof(path));
		snprintf(why, cap, "comparison on %s (not an indicator type)", path);
		return why;
	}
	if (c->negated) {
		snprintf(why, cap, "NOT %s (a negated comparison)", stix_op_name(c->op));
		return why;
	}
	bool addr = tg == T_ADDR_DOM || t == IOC_IPV4 || t == IOC_IPV6;
	if (c->op == STIX_OP_EQ || c->op == STIX_OP_IN || (c->op == STIX_OP_ISSUBSET && addr))
		return NULL;
	if (c->op == STIX_OP_ISSUBSET)
		snprintf(why, cap, "ISSUBSET on a value that is not an address");
	else
		snprintf(why, cap, "operator %s (not an exact value)", stix_op_name(c->op));
	return why;
}

static int add_value(struct ctx *x, const struct stix_comparison *c, enum target tg,
		     enum ioc_type t, const struct stix_literal *l, uint32_t meta, uint64_t where)
{
	char path[64], why[96];
	path_text(c, path, sizeof(path));
	bool hash =
	    t == IOC_MD5 || t == IOC_SHA1 || t == IOC_SHA256 || t == IOC_CERT || t == IOC_JA3;
	if (l->type != STIX_LIT_STRING && !(l->type == STIX_LIT_HEX && hash && tg == T_TYPE)) {
		snprintf(why, sizeof(why), "%s compared with a value that is not a string", path);
		ioc_report_skip(x->r, why, where);
		return 0;
	}
	const char *v = l->text;
	size_t len = l->len;
	if (tg == T_ADDR_DOM) {
		size_t skip;
		if (memchr(v, '\0', len) || !ioc_guess_type(v, len, &t, &skip) ||
		    (t != IOC_IPV4 && t != IOC_IPV6 && t != IOC_DOMAIN)) {
			snprintf(why, sizeof(why), "%s that is not an address or domain", path);
			ioc_report_skip(x->r, why, where);
			return 0;
		}
	} else if (t == IOC_DOMAIN && len > 2 && v[0] == '*' && v[1] == '.') {
		t = IOC_DOMAIN_SUFFIX;
		v += 2;
		len -= 2;
	}
	if (t == IOC_URL && !memmem(v, len, "://", 3))
		snprintf(why, sizeof(why), "%s without a scheme (not a URL)", path);
	else
		snprintf(why, sizeof(why), "%s that is not a valid %s", path, ioc_type_name(t));
	if (memchr(v, '\0', len)) {
		ioc_report_skip(x->r, why, where);
		return 0;
	}
	return ioc_report_add(x->s, x->r, t, v, len, meta, why, where);
}

/* The attribution of an indicator object. */
static uint32_t indicator_meta(struct ctx *x, uint32_t i, const json_t *o, uint64_t where)
{
	struct ioc_meta m = *x->defaults;
	struct names actor = {0}, campaign = {0};
	char abuf[256], cbuf[256];
	relations(x->b, i, &actor, &campaign);
	const char *a = names_join(&actor, abuf, sizeof(abuf));
	const char *c = names_join(&campaign, cbuf, sizeof(cbuf));
	if (a)
		m.actor = a;
	if (c)
		m.campaign = c;
	uint32_t by = find(x->b, intel_json_str(o, "created_by_ref"));
	const char *src = by != UINT32_MAX && x->b->obj[by].kind == K_IDENTITY
			      ? intel_json_str(x->b->obj[by].o, "name")
			      : NULL;
	if (src && *src)
		m.source = src;
	json_t *conf = json_object_get(o, "confidence");
	if (json_is_integer(conf) && json_integer_value(conf) >= 0 &&
	    json_integer_value(conf) <= 100)
		m.confidence = (int)json_integer_value(conf);
	enum ioc_tlp tlp = object_tlp(x->b, o);
	if (tlp != TLP_NONE)
		m.tlp = tlp;
	const char *vf = intel_json_str(o, "valid_from"), *vu = intel_json_str(o, "valid_until");
	if (vf && !intel_json_time(vf, &m.valid_from))
		ioc_report_note(x->r, "valid_from that is not an RFC 3339 time (ignored)", where);
	if (vu && !intel_json_time(vu, &m.valid_until))
		ioc_report_note(x->r, "valid_until that is not an RFC 3339 time (ignored)", where);
	return ioc_meta_add(x->s, &m);
}

static bool benign(const json_t *o)
{
	static const char *const keys[] = {"indicator_types", "labels"};
	for (size_t k = 0; k < 2; k++) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(o, keys[k]), i, v) {
			const char *s = json_string_value(v);
			if (s && !strcmp(s, "benign"))
				return true;
		}
	}
	return false;
}

static int indicator(struct ctx *x, uint32_t i, const json_t *o, uint64_t where)
{
	char why[96], buf[48];
	const char *pt = intel_json_str(o, "pattern_type");
	const char *pattern = intel_json_str(o, "pattern");
	if (json_is_true(json_object_get(o, "revoked"))) {
		ioc_report_skip(x->r, "revoked indicator", where);
		return 0;
	}
	const char *id = intel_json_str(o, "id");
	if (id && find(x->b, id) != i) {
		ioc_report_skip(x->r, "an older version of an indicator given again", where);
		return 0;
	}
	if (benign(o)) {
		ioc_report_skip(x->r, "benign indicator (known good)", where);
		return 0;
	}
	if (pt && strcasecmp(pt, "stix")) {
		snprintf(why, sizeof(why), "pattern_type %s (not STIX patterning)",
			 intel_json_printable(buf, 40, pt));
		ioc_report_skip(x->r, why, where);
		return 0;
	}
	if (!pattern) {
		ioc_report_skip(x->r, "indicator without a pattern", where);
		return 0;
	}
	struct stix_pattern p;
	char perr[64];
	int rc = stix_pattern_parse(&p, pattern, strlen(pattern), perr, sizeof(perr));
	if (rc < 0) {
		stix_pattern_free(&p);
		if (rc == -2)
			return -2;
		snprintf(why, sizeof(why), "pattern that does not parse (%s)", perr);
		ioc_report_skip(x->r, why, where);
		return 0;
	}
	/* first: can anything be kept? */
	unsigned usable = 0;
	const char *first_problem = NULL;
	char first_why[96];
	for (uint32_t k = 0; k < p.n_cmp; k++) {
		enum ioc_type t = IOC_TYPE_MAX;
		enum target tg = path_target(&p.cmp[k], &t);
		if (!term_problem(&p.cmp[k], tg, t, why, sizeof(why)))
			usable++;
		else if (!first_problem)
			first_problem = strcpy(first_why, why);
	}
	if (!usable) {
		ioc_report_skip(x->r, first_problem ? first_problem : "pattern without comparisons",
				where);
		stix_pattern_free(&p);
		return 0;
	}
	bool conjunction = p.flags & (STIX_PAT_AND | STIX_PAT_FOLLOWEDBY);
	uint32_t meta = indicator_meta(x, i, o, where);
	if (meta == UINT32_MAX) {
		stix_pattern_free(&p);
		return -2;
	}
	for (uint32_t k = 0; k < p.n_cmp; k++) {
		const struct stix_comparison *c = &p.cmp[k];
		enum ioc_type t = IOC_TYPE_MAX;
		enum target tg = path_target(c, &t);
		if (term_problem(c, tg, t, why, sizeof(why))) {
			if (!conjunction)
				ioc_report_skip(x->r, why, where);
			continue;
		}
		for (uint32_t v = 0; v < c->n; v++) {
			if (add_value(x, c, tg, t, &p.lit[c->first + v], meta, where) < 0) {
				stix_pattern_free(&p);
				return -2;
			}
		}
	}
	if (p.flags & STIX_PAT_FOLLOWEDBY)
		ioc_report_note(x->r, "FOLLOWEDBY pattern kept as its separate terms", where);
	else if (p.flags & STIX_PAT_AND)
		ioc_report_note(x->r, "AND pattern kept as its separate terms", where);
	if (p.flags & STIX_PAT_QUALIFIER)
		ioc_report_note(x->r, "qualifiers (WITHIN, REPEATS, START/STOP) not kept", where);
	stix_pattern_free(&p);
	return 0;
}

/* ---- the bundle ---- */

static bool observable(const char *type)
{
	static const char *const sco[] = {
	    "artifact",
	    "autonomous-system",
	    "directory",
	    "domain-name",
	    "email-addr",
	    "email-message",
	    "file",
	    "ipv4-addr",
	    "ipv6-addr",
	    "mac-addr",
	    "mutex",
	    "network-traffic",
	    "process",
	    "software",
	    "url",
	    "user-account",
	    "windows-registry-key",
	    "x509-certificate",
	};
	for (size_t i = 0; i < sizeof(sco) / sizeof(sco[0]); i++)
		if (!strcmp(type, sco[i]))
			return true;
	return false;
}

static int object(struct ctx *x, uint32_t i, uint64_t where)
{
	char why[96], buf[48];
	const json_t *o = x->b->obj[i].o;
	const char *type = intel_json_str(o, "type");
	if (!type) {
		ioc_report_skip(x->r, "an entry of objects that is not a STIX object", where);
		return 0;
	}
	enum kind k = x->b->obj[i].kind;
	if (k == K_INDICATOR)
		return indicator(x, i, o, where);
	/* used for attribution, when there is something to attribute */
	if (x->b->indicators && (k != K_OTHER || !strcmp(type, "relationship")))
		return 0;
	if (!strcmp(type, "observed-data")) {
		ioc_report_skip(x->r, "observed-data (observations, not indicators)", where);
		return 0;
	}
	intel_json_printable(buf, 40, type);
	if (observable(type))
		snprintf(why, sizeof(why), "observable %s (an observation, not an indicator)", buf);
	else
		snprintf(why, sizeof(why), "object type %s (not an indicator)", buf);
	ioc_report_skip(x->r, why, where);
	return 0;
}

static int stix_load(struct ioc_set *s, const uint8_t *d, size_t n, const struct ioc_meta *defaults,
		     struct ioc_report *r, char *err, size_t errlen)
{
	json_t *root = intel_json_parse(d, n, err, errlen), *objects = NULL, *single = NULL;
	if (!root)
		return -1;
	const char *type = intel_json_str(root, "type");
	if (json_is_array(root)) {
		objects = root;
	} else if (type && !strcmp(type, "bundle")) {
		objects = json_object_get(root, "objects");
		if (!objects)
			objects = single = json_array(); /* an empty bundle */
	} else if (type && intel_json_str(root, "id")) {
		objects = single = json_array(); /* one object */
		if (objects && json_array_append(objects, root) < 0)
			objects = NULL;
	} else if (!type) {
		objects = json_object_get(root, "objects"); /* a TAXII envelope */
	}
	if (!json_is_array(objects)) {
		snprintf(err, errlen, "%s",
			 objects || !type ? "not a STIX bundle (no objects array)"
					  : "not a STIX bundle or object");
		json_decref(single);
		json_decref(root);
		return -1;
	}
	uint32_t total =
	    (uint32_t)(json_array_size(objects) < (size_t)UINT32_MAX ? json_array_size(objects)
								     : UINT32_MAX);
	uint32_t nobj = total < STIX_OBJECTS_MAX ? total : STIX_OBJECTS_MAX;
	struct bundle b = {0};
	struct ctx x = {s, r, defaults, &b};
	int rc = index_objects(&b, objects, nobj);
	for (uint32_t i = 0; rc == 0 && i < nobj; i++)
		rc = object(&x, i, (uint64_t)i + 1);
	for (uint32_t i = nobj; rc == 0 && i < total; i++)
		ioc_report_skip(r, "objects past the cap of 1,048,576 (not read)", (uint64_t)i + 1);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	bundle_free(&b);
	json_decref(single);
	json_decref(root);
	return rc < 0 ? -1 : 0;
}

const struct ioc_importer ioc_import_stix = {
    .name = "stix",
    .sniff = stix_sniff,
    .load = stix_load,
};
