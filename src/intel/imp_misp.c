/*
 * imp_misp — MISP events and feeds. Read: an event ({"Event": {...}}, or the
 * event object itself), the REST API's {"response": [{"Event": ...}, ...]},
 * an array of events, and a feed: its manifest.json (an object keyed by
 * event UUID) loads every UUID.json beside it (`mamori intel check DIR`
 * reads DIR/manifest.json); a missing or broken event file is counted, not
 * fatal. Galaxy files (a cluster file {"type", "values": [...]}, a galaxy
 * definition) are recognised and counted as not indicators.
 *
 * Attributes, from Event.Attribute[] and Event.Object[].Attribute[]:
 *
 *   ip-src, ip-dst                      address or CIDR
 *   ip-src|port, ip-dst|port            the address (the port is not kept: a
 *                                       contact with the address on any port is
 *                                       reported; counted as a note)
 *   hostname, domain                    domain; hostname|port: the name (a note)
 *   domain|ip                           both the domain and the address
 *   url                                 URL (uri: skipped, no host to match)
 *   md5, sha1, sha256                   file hash; filename|md5 etc: the hash
 *   email, email-src, email-dst, email-reply-to      e-mail address
 *   ja3-fingerprint-md5                 JA3
 *   x509-fingerprint-sha1               certificate fingerprint
 *   jarm-fingerprint, hassh-md5, hasshserver-md5, and every other type:
 *                                       skipped, counted per type
 *
 * to_ids: MISP's "use this for detection" flag. The importer "misp" loads
 * only attributes with to_ids set (or absent), as MISP's own IDS exports do:
 * events carry context attributes (reference links, legitimate services a
 * sample contacts) that would raise false alarms; the rest are counted
 * under "not marked to_ids". The importer "misp-all" (--format misp-all)
 * loads every attribute. Deleted attributes and objects are skipped.
 *
 * Attribution: source = the event's Orgc.name; campaign = the event's info;
 * actor = its threat-actor galaxy clusters (or misp-galaxy:threat-actor="X"
 * tags; failing those, mitre-intrusion-set clusters without their " - Gnnnn"),
 * several sorted and joined by ", "; TLP from the event's and the attribute's
 * tlp:clear|white|green|amber|amber+strict|red tags (the attribute's wins);
 * confidence from misp:confidence-level (completely-confident 100, usually 75,
 * fairly 50, rarely 25, unconfident 0) or admiralty-scale:information-
 * credibility (1 100, 2 75, 3 50, 4 25, 5 0) tags, else none; validity from
 * the attribute's (else its object's) first_seen and last_seen.
 *
 * Report positions ("first at") are attributes counted through the file (or
 * feed) from 1; for a feed's event files, the manifest entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "intel/import.h"
#include "intel/intel_json.h"

#define MISP_FEED_EVENTS_MAX 100000
#define NAMES_MAX	     8

struct mctx {
	struct ioc_set *s;
	struct ioc_report *r;
	const struct ioc_meta *defaults;
	bool all;      /* misp-all: attributes without to_ids too */
	uint64_t attr; /* attributes seen: report positions */
};

struct names {
	char v[NAMES_MAX][128];
	unsigned n;
};

/* What tags and galaxies say, of an event or an attribute. */
struct tagged {
	enum ioc_tlp tlp;
	int confidence; /* -1 none */
	struct names actor, intrusion_set;
};

/* The attribution of one event, attributes' own tags aside. */
struct event {
	const char *source, *campaign;
	char actor[256];
	struct tagged tags;
};

/* ---- sniffing ---- */

static bool uuid_like(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		char c = s[i];
		bool hex =
		    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (shape[i] == '-' ? c != '-' : !hex)
			return false;
	}
	return s[sizeof(shape) - 1] == '\0';
}

enum shape { S_NONE, S_EVENTS, S_MANIFEST, S_GALAXY };

static enum shape shape_of(const uint8_t *d, size_t n)
{
	struct intel_json_member m[48];
	bool array;
	size_t k = intel_json_head(d, n, m, 48, &array);
	const struct intel_json_member *type = intel_json_member(m, k, "type");
	const struct intel_json_member *values = intel_json_member(m, k, "values");
	if (!k)
		return S_NONE;
	if (intel_json_member(m, k, "Event") || (!array && intel_json_member(m, k, "response")))
		return S_EVENTS;
	if (array)
		return S_NONE;
	if (uuid_like(m[0].key) && m[0].kind == '{')
		return S_MANIFEST;
	if (type && type->kind == 's' && intel_json_member(m, k, "uuid") &&
	    ((values && values->kind == '[') || intel_json_member(m, k, "namespace")))
		return S_GALAXY;
	/* a bare event: its attributes (maybe longer than the head, so alone),
	 * or its info with its objects or organisation */
	const struct intel_json_member *attrs = intel_json_member(m, k, "Attribute");
	if ((attrs && attrs->kind == '[') ||
	    (intel_json_member(m, k, "info") &&
	     (intel_json_member(m, k, "Object") || intel_json_member(m, k, "Orgc"))))
		return S_EVENTS;
	return S_NONE;
}

static bool misp_sniff(const char *path, const uint8_t *d, size_t n)
{
	(void)path;
	return shape_of(d, n) != S_NONE;
}

/* ---- tags and galaxies ---- */

static void name_add(struct names *nm, const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '"'))
		v++, len--;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '"'))
		len--;
	if (!len || nm->n == NAMES_MAX)
		return;
	if (len >= sizeof(nm->v[0]))
		len = sizeof(nm->v[0]) - 1;
	for (unsigned i = 0; i < nm->n; i++)
		if (strlen(nm->v[i]) == len && !memcmp(nm->v[i], v, len))
			return;
	memcpy(nm->v[nm->n], v, len);
	nm->v[nm->n++][len] = '\0';
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void names_join(struct names *nm, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	qsort(nm->v, nm->n, sizeof(nm->v[0]), name_cmp);
	for (unsigned i = 0; i < nm->n; i++) {
		int w = snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", nm->v[i]);
		if (w < 0 || (size_t)w >= cap - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)w;
	}
}

/* The value of a machine tag ns:predicate="value", or NULL. */
static const char *tag_value(const char *tag, const char *prefix)
{
	size_t l = strlen(prefix);
	return strncasecmp(tag, prefix, l) ? NULL : tag + l;
}

static int confidence_of(const char *tag)
{
	static const struct {
		const char *v;
		int c;
	} levels[] = {
	    {"completely-confident", 100},
	    {"usually-confident", 75},
	    {"fairly-confident", 50},
	    {"rarely-confident", 25},
	    {"unconfident", 0},
	    {"1", 100},
	    {"2", 75},
	    {"3", 50},
	    {"4", 25},
	    {"5", 0},
	};
	const char *v = tag_value(tag, "misp:confidence-level=");
	if (!v)
		v = tag_value(tag, "admiralty-scale:information-credibility=");
	if (!v)
		return -1;
	size_t len = strlen(v);
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
		v++, len -= 2;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strlen(levels[i].v) == len && !strncasecmp(v, levels[i].v, len))
			return levels[i].c;
	return -1;
}

static void tag(struct tagged *t, const char *name)
{
	if (!name)
		return;
	t->tlp = intel_json_tlp_max(t->tlp, intel_json_tlp(name));
	int c = confidence_of(name);
	if (c >= 0)
		t->confidence = c;
	const char *v = tag_value(name, "misp-galaxy:threat-actor=");
	if (v)
		name_add(&t->actor, v, strlen(v));
}

/* " - G0050" after an ATT&CK group's name */
static size_t without_attack_id(const char *v)
{
	size_t len = strlen(v);
	const char *dash = len > 4 ? strstr(v, " - G") : NULL;
	if (dash && strspn(dash + 4, "0123456789") == strlen(dash + 4) && dash[4])
		return (size_t)(dash - v);
	return len;
}

/* Tags (Tag[].name, EventTag[].Tag.name, AttributeTag[].Tag.name) and
 * galaxies (Galaxy[].GalaxyCluster[]) of an event or attribute. */
static void tags_of(const json_t *o, struct tagged *t)
{
	static const char *const wrapped[] = {"EventTag", "AttributeTag"};
	size_t i, j;
	json_t *v, *c;
	json_array_foreach(json_object_get(o, "Tag"), i, v) {
		tag(t, intel_json_str(v, "name"));
	}
	for (size_t k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(o, wrapped[k]), i, v) {
			tag(t, intel_json_str(json_object_get(v, "Tag"), "name"));
		}
	}
	json_array_foreach(json_object_get(o, "Galaxy"), i, v) {
		const char *gt = intel_json_str(v, "type");
		json_array_foreach(json_object_get(v, "GalaxyCluster"), j, c) {
			const char *ct = intel_json_str(c, "type"),
				   *cv = intel_json_str(c, "value");
			if (!ct)
				ct = gt;
			if (!cv || !ct)
				continue;
			if (!strcmp(ct, "threat-actor"))
				name_add(&t->actor, cv, strlen(cv));
			else if (!strcmp(ct, "mitre-intrusion-set"))
				name_add(&t->intrusion_set, cv, without_attack_id(cv));
		}
	}
}

/* ---- attributes ---- */

enum part { P_WHOLE, P_FIRST, P_LAST, P_BOTH };
#define T_ADDR IOC_TYPE_MAX /* an address or CIDR, v4 or v6 by the value */

static const struct {
	const char *type;
	enum part part;
	enum ioc_type t, t2; /* t2: the second part of P_BOTH */
	const char *skip;    /* not kept: why */
} types[] = {
    {"ip-src", P_WHOLE, T_ADDR, 0, NULL},
    {"ip-dst", P_WHOLE, T_ADDR, 0, NULL},
    {"ip-src|port", P_FIRST, T_ADDR, 0, NULL},
    {"ip-dst|port", P_FIRST, T_ADDR, 0, NULL},
    {"hostname", P_WHOLE, IOC_DOMAIN, 0, NULL},
    {"domain", P_WHOLE, IOC_DOMAIN, 0, NULL},
    {"hostname|port", P_FIRST, IOC_DOMAIN, 0, NULL},
    {"domain|ip", P_BOTH, IOC_DOMAIN, T_ADDR, NULL},
    {"url", P_WHOLE, IOC_URL, 0, NULL},
    {"uri", P_WHOLE, 0, 0, "attribute type uri (a path without a host to match)"},
    {"md5", P_WHOLE, IOC_MD5, 0, NULL},
    {"sha1", P_WHOLE, IOC_SHA1, 0, NULL},
    {"sha256", P_WHOLE, IOC_SHA256, 0, NULL},
    {"filename|md5", P_LAST, IOC_MD5, 0, NULL},
    {"filename|sha1", P_LAST, IOC_SHA1, 0, NULL},
    {"filename|sha256", P_LAST, IOC_SHA256, 0, NULL},
    {"email", P_WHOLE, IOC_EMAIL, 0, NULL},
    {"email-src", P_WHOLE, IOC_EMAIL, 0, NULL},
    {"email-dst", P_WHOLE, IOC_EMAIL, 0, NULL},
    {"email-reply-to", P_WHOLE, IOC_EMAIL, 0, NULL},
    {"ja3-fingerprint-md5", P_WHOLE, IOC_JA3, 0, NULL},
    {"x509-fingerprint-sha1", P_WHOLE, IOC_CERT, 0, NULL},
    {"jarm-fingerprint", P_WHOLE, 0, 0, "attribute type jarm-fingerprint (JARM is not kept)"},
    {"hassh-md5", P_WHOLE, 0, 0, "attribute type hassh-md5 (HASSH is not kept)"},
    {"hasshserver-md5", P_WHOLE, 0, 0, "attribute type hasshserver-md5 (HASSH is not kept)"},
};

static int add_part(struct mctx *x, const char *atype, enum ioc_type t, const char *v, size_t len,
		    uint32_t meta)
{
	char why[96], buf[40];
	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r' ||
		       v[len - 1] == '\n'))
		len--;
	intel_json_printable(buf, sizeof(buf), atype);
	if (t == T_ADDR) {
		size_t skip;
		if (!ioc_guess_type(v, len, &t, &skip) || (t != IOC_IPV4 && t != IOC_IPV6)) {
			snprintf(why, sizeof(why), "%s value that is not an address or CIDR", buf);
			ioc_report_skip(x->r, why, x->attr);
			return 0;
		}
	}
	if (t == IOC_URL && !memmem(v, len, "://", 3))
		snprintf(why, sizeof(why), "%s value without a scheme (not a URL)", buf);
	else
		snprintf(why, sizeof(why), "%s value that is not a valid %s", buf,
			 ioc_type_name(t));
	return ioc_report_add(x->s, x->r, t, v, len, meta, why, x->attr);
}

static uint32_t attribute_meta(struct mctx *x, const struct event *ev, const json_t *a,
			       const json_t *obj)
{
	struct ioc_meta m = *x->defaults;
	struct tagged t = {.tlp = TLP_NONE, .confidence = -1};
	char actor[256];
	tags_of(a, &t);
	if (ev->source)
		m.source = ev->source;
	if (ev->campaign)
		m.campaign = ev->campaign;
	if (t.actor.n) {
		names_join(&t.actor, actor, sizeof(actor));
		m.actor = actor;
	} else if (ev->actor[0]) {
		m.actor = ev->actor;
	}
	enum ioc_tlp tlp = t.tlp != TLP_NONE ? t.tlp : ev->tags.tlp;
	if (tlp != TLP_NONE)
		m.tlp = tlp;
	int conf = t.confidence >= 0 ? t.confidence : ev->tags.confidence;
	if (conf >= 0)
		m.confidence = conf;
	static const char *const keys[2] = {"first_seen", "last_seen"};
	int64_t *when[2] = {&m.valid_from, &m.valid_until};
	for (int k = 0; k < 2; k++) {
		const char *ts = intel_json_str(a, keys[k]);
		if (!ts)
			ts = intel_json_str(obj, keys[k]);
		if (ts && !intel_json_time(ts, when[k]))
			ioc_report_note(
			    x->r, "first_seen or last_seen that is not a time (ignored)", x->attr);
	}
	return ioc_meta_add(x->s, &m);
}

static int attribute(struct mctx *x, const struct event *ev, const json_t *a, const json_t *obj)
{
	char why[96], buf[48];
	x->attr++;
	const char *type = intel_json_str(a, "type"), *value = intel_json_str(a, "value");
	if (intel_json_flag(json_object_get(a, "deleted")) ||
	    intel_json_flag(json_object_get(obj, "deleted"))) {
		ioc_report_skip(x->r, "deleted attribute", x->attr);
		return 0;
	}
	if (!type || !value) {
		ioc_report_skip(x->r, "attribute without a type or value", x->attr);
		return 0;
	}
	size_t k = 0, nt = sizeof(types) / sizeof(types[0]);
	while (k < nt && strcmp(types[k].type, type))
		k++;
	if (k == nt || types[k].skip) {
		if (k == nt)
			snprintf(why, sizeof(why), "attribute type %s (not an indicator type)",
				 intel_json_printable(buf, 40, type));
		ioc_report_skip(x->r, k == nt ? why : types[k].skip, x->attr);
		return 0;
	}
	json_t *ids = json_object_get(a, "to_ids");
	if (!x->all && ids && !intel_json_flag(ids)) {
		ioc_report_skip(x->r, "attribute not marked to_ids (context, not for detection)",
				x->attr);
		return 0;
	}
	uint32_t meta = attribute_meta(x, ev, a, obj);
	if (meta == UINT32_MAX)
		return -2;
	size_t len = strlen(value);
	const char *bar = types[k].part == P_WHOLE  ? NULL
			  : types[k].part == P_BOTH ? strchr(value, '|')
						    : strrchr(value, '|');
	if (types[k].part != P_WHOLE && !bar) {
		snprintf(why, sizeof(why), "%s value without its '|'",
			 intel_json_printable(buf, 40, type));
		ioc_report_skip(x->r, why, x->attr);
		return 0;
	}
	int rc = 0;
	switch (types[k].part) {
	case P_WHOLE:
		rc = add_part(x, type, types[k].t, value, len, meta);
		break;
	case P_FIRST:
		snprintf(why, sizeof(why), "%s: the %s kept, the port dropped", type,
			 types[k].t == T_ADDR ? "address" : "name");
		ioc_report_note(x->r, why, x->attr);
		rc = add_part(x, type, types[k].t, value, (size_t)(bar - value), meta);
		break;
	case P_LAST:
		rc = add_part(x, type, types[k].t, bar + 1, strlen(bar + 1), meta);
		break;
	case P_BOTH:
		rc = add_part(x, type, types[k].t, value, (size_t)(bar - value), meta);
		if (rc == 0)
			rc = add_part(x, type, types[k].t2, bar + 1, strlen(bar + 1), meta);
		break;
	}
	return rc;
}

/* ---- events ---- */

static int event(struct mctx *x, const json_t *e)
{
	if (!json_is_object(e)) {
		ioc_report_skip(x->r, "an Event that is not an object", x->attr + 1);
		return 0;
	}
	struct event ev = {.tags = {.tlp = TLP_NONE, .confidence = -1}};
	const char *src = intel_json_str(json_object_get(e, "Orgc"), "name");
	const char *info = intel_json_str(e, "info");
	ev.source = src && *src ? src : NULL;
	ev.campaign = info && *info ? info : NULL;
	tags_of(e, &ev.tags);
	names_join(ev.tags.actor.n ? &ev.tags.actor : &ev.tags.intrusion_set, ev.actor,
		   sizeof(ev.actor));
	size_t i, j;
	json_t *a, *o;
	json_array_foreach(json_object_get(e, "Attribute"), i, a) {
		if (attribute(x, &ev, a, NULL) < 0)
			return -2;
	}
	json_array_foreach(json_object_get(e, "Object"), i, o) {
		json_array_foreach(json_object_get(o, "Attribute"), j, a) {
			if (attribute(x, &ev, a, o) < 0)
				return -2;
		}
	}
	return 0;
}

/* An event, an {"Event": ...} wrapper, or something else (counted). */
static int entry(struct mctx *x, const json_t *v)
{
	json_t *e = json_object_get(v, "Event");
	if (e)
		return event(x, e);
	if (json_object_get(v, "Attribute") || json_object_get(v, "Object"))
		return event(x, v);
	ioc_report_skip(x->r, "an entry that is not a MISP event", x->attr + 1);
	return 0;
}

static int events(struct mctx *x, json_t *root, enum shape sh, char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	const char *key;
	if (json_is_array(root)) {
		json_array_foreach(root, i, v) {
			if (entry(x, v) < 0)
				return -2;
		}
		return 0;
	}
	json_t *resp = json_object_get(root, "response");
	if (json_object_get(root, "Event"))
		return event(x, json_object_get(root, "Event"));
	if (json_is_array(resp))
		return events(x, resp, S_EVENTS, err, errlen);
	if (json_is_object(resp))
		return entry(x, resp);
	if (sh == S_GALAXY) {
		json_t *values = json_object_get(root, "values");
		if (!json_is_array(values)) {
			ioc_report_skip(x->r, "galaxy definition (not indicators)", 1);
			return 0;
		}
		json_array_foreach(values, i, v) {
			ioc_report_skip(x->r, "galaxy cluster (not an indicator)", i + 1);
		}
		return 0;
	}
	if (sh == S_MANIFEST) {
		i = 0;
		json_object_foreach(root, key, v) {
			ioc_report_skip(
			    x->r, "feed event not read (read the manifest with its directory)",
			    ++i);
		}
		return 0;
	}
	if (json_object_get(root, "Attribute") || json_object_get(root, "Object") ||
	    json_object_get(root, "info"))
		return event(x, root);
	snprintf(err, errlen, "not a MISP event, feed manifest or galaxy");
	return -1;
}

static int load(struct ioc_set *s, const uint8_t *d, size_t n, const struct ioc_meta *defaults,
		struct ioc_report *r, char *err, size_t errlen, bool all)
{
	struct mctx x = {s, r, defaults, all, 0};
	json_t *root = intel_json_parse(d, n, err, errlen);
	if (!root)
		return -1;
	int rc = events(&x, root, shape_of(d, n), err, errlen);
	if (rc == -2)
		snprintf(err, errlen, "out of memory");
	json_decref(root);
	return rc < 0 ? -1 : 0;
}

/* A feed: every event its manifest names, read from UUID.json beside it. */
static int feed(struct ioc_set *s, const char *path, const uint8_t *d, size_t n,
		const struct ioc_meta *defaults, struct ioc_report *r, char *err, size_t errlen,
		bool all)
{
	struct mctx x = {s, r, defaults, all, 0};
	json_t *root = intel_json_parse(d, n, err, errlen);
	if (!root)
		return -1;
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path) : 1;
	const char *dir = slash ? path : ".";
	const char *key;
	json_t *v;
	uint64_t i = 0, loaded = 0;
	int rc = 0;
	json_object_foreach(root, key, v) {
		char file[4096], e2[256];
		size_t fl = 0;
		i++;
		/* only a UUID names a file: nothing outside the directory is read */
		if (!uuid_like(key)) {
			ioc_report_skip(r, "manifest entry that is not an event UUID", i);
			continue;
		}
		if (loaded == MISP_FEED_EVENTS_MAX) {
			ioc_report_skip(r, "feed events past the cap of 100,000 (not read)", i);
			continue;
		}
		snprintf(file, sizeof(file), "%.*s/%s.json", dl, dir, key);
		uint8_t *ev = ioc_read_file(file, &fl, e2, sizeof(e2));
		if (!ev) {
			ioc_report_skip(r,
					access(file, F_OK) && errno == ENOENT
					    ? "event file missing from the feed"
					    : "event file that cannot be read",
					i);
			continue;
		}
		loaded++;
		json_t *er = intel_json_parse(ev, fl, e2, sizeof(e2));
		if (!er) {
			ioc_report_skip(r, "event file that is not valid JSON", i);
		} else {
			rc = events(&x, er, S_EVENTS, e2, sizeof(e2));
			if (rc == -1) {
				ioc_report_skip(r, "event file that is not a MISP event", i);
				rc = 0;
			}
			json_decref(er);
		}
		free(ev);
		if (rc < 0)
			break;
	}
	json_decref(root);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	return rc < 0 ? -1 : 0;
}

static int misp_load(struct ioc_set *s, const uint8_t *d, size_t n, const struct ioc_meta *defaults,
		     struct ioc_report *r, char *err, size_t errlen)
{
	return load(s, d, n, defaults, r, err, errlen, false);
}

static int misp_load_path(struct ioc_set *s, const char *path, const uint8_t *d, size_t n,
			  const struct ioc_meta *defaults, struct ioc_report *r, char *err,
			  size_t errlen)
{
	if (shape_of(d, n) == S_MANIFEST)
		return feed(s, path, d, n, defaults, r, err, errlen, false);
	return load(s, d, n, defaults, r, err, errlen, false);
}

static bool misp_all_sniff(const char *path, const uint8_t *d, size_t n)
{
	(void)path;
	(void)d;
	(void)n;
	return false; /* named only: --format misp-all */
}

static int misp_all_load(struct ioc_set *s, const uint8_t *d, size_t n,
			 const struct ioc_meta *defaults, struct ioc_report *r, char *err,
			 size_t errlen)
{
	return load(s, d, n, defaults, r, err, errlen, true);
}

static int misp_all_load_path(struct ioc_set *s, const char *path, const uint8_t *d, size_t n,
			      const struct ioc_meta *defaults, struct ioc_report *r, char *err,
			      size_t errlen)
{
	if (shape_of(d, n) == S_MANIFEST)
		return feed(s, path, d, n, defaults, r, err, errlen, true);
	return load(s, d, n, defaults, r, err, errlen, true);
}

const struct ioc_importer ioc_import_misp = {
    .name = "misp",
    .sniff = misp_sniff,
    .load = misp_load,
    .load_path = misp_load_path,
};

const struct ioc_importer ioc_import_misp_all = {
    .name = "misp-all",
    .sniff = misp_all_sniff,
    .load = misp_all_load,
    .load_path = misp_all_load_path,
};
