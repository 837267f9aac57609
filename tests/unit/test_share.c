/*
 * test_share — the STIX 2.1 share of an incident document
 * (tests/incident/doc-share.json, written after docs/incidents.md): the
 * objects and relationships it makes, the TLP 2.0 marking on each, the same
 * bytes from the same input, pseudonyms instead of internal addresses (and a
 * failed share where one would leak), refused settings, the indicators and
 * attributions the STIX importer takes back from it, and the OASIS schemas
 * through scripts/stix-validate when Python, jsonschema and the schemas are
 * there (it says SKIP otherwise).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/config.h"
#include "incident/share.h"
#include "incident/share_int.h"
#include "intel/import.h"
#include "intel/ioc.h"

#define FIXTURE MAMORI_SOURCE_DIR "/tests/incident/doc-share.json"
#define KEY	"000102030405060708090a0b0c0d0e0f"
#define AMBER	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"

/*
 * The pseudonyms of the fixture's hosts with KEY, computed with OpenSSL's
 * command line over the four address bytes:
 *   printf '\x0a\x0a\x01\x17' | openssl dgst -sha256 -mac HMAC \
 *       -macopt hexkey:000102030405060708090a0b0c0d0e0f      (10.10.1.23)
 *   = a73129e2c40aed3ccc29e1b429be5ba9fff80ec18d7251133300d4e346516dad
 *   printf '\x0a\x0a\x01\x37' | ...                         (10.10.1.55)
 *   = 8a58c6b60bb1cace3a068e94edf6171c5a396c86177b9fc11d2cc844cd7f05f0
 */
#define PSEUDO_23 "host-a73129e2c40aed3c"
#define PSEUDO_55 "host-8a58c6b60bb1cace"

/*
 * Observable ids by STIX 2.1's rule, computed with Python's uuid module:
 *   uuid.uuid5(uuid.UUID('00abedb4-aa42-466c-9c01-fed23315a9b7'), CANONICAL)
 * with CANONICAL '{"value":"185.243.115.84"}', '{"number":9009}',
 * '{"pseudonym":"host-a73129e2c40aed3c"}' and
 * '{"hashes":{"MD5":"c54cde26d8bcef8f31b63b5f2719a050"},"name":"update-kb5034.exe"}'.
 */
#define ID_IPV4 "ipv4-addr--fd41d9e4-fc82-5b70-87f6-ffd4818a61df"
#define ID_AS	"autonomous-system--7ea6166a-edd7-5f53-a6b3-efe75e467a72"
#define ID_HOST "x-mamori-host--aee434ef-76c4-5743-8402-6d0411a10dad"
#define ID_FILE "file--208ade75-0210-59ad-836b-b70b75bb15ce"

#define SHA_TOOL "00c6204df91dd7e9d8ad430ffbbf0d0340dae30e9446cd58b4ae9de757cb1647"
#define SHA_OUT	 "08831b1357694014331b0409ba852200c28315921a54b8930be6b5ee01917073"

static json_t *fixture(void)
{
	json_error_t je;
	json_t *doc = json_load_file(FIXTURE, 0, &je);
	if (!doc)
		fprintf(stderr, "%s: %s\n", FIXTURE, je.text);
	return doc;
}

static struct share_opts opts(void)
{
	struct share_opts o = {
	    .organisation = "Example Water Utility",
	    .sector = "water, utilities",
	    .contact = "soc@example.org",
	    .tlp = "amber",
	    .pseudonym_key = KEY,
	    .home_net = "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]",
	};
	return o;
}

/* The bundle of doc as text (NULL when the share fails: err says why). */
static char *share_text(const json_t *doc, const struct share_opts *o, char *err, size_t n)
{
	json_t *b = NULL;
	if (share_stix(doc, o, &b, err, n) < 0)
		return NULL;
	char *t = share_dumps(b);
	json_decref(b);
	return t;
}

static size_t count_type(const json_t *objects, const char *type)
{
	size_t n = 0, i;
	json_t *o;
	json_array_foreach(objects, i, o) {
		n += !strcmp(json_string_value(json_object_get(o, "type")), type);
	}
	return n;
}

static json_t *by_id(const json_t *objects, const char *id)
{
	size_t i;
	json_t *o;
	json_array_foreach(objects, i, o) {
		if (id && !strcmp(json_string_value(json_object_get(o, "id")), id))
			return o;
	}
	return NULL;
}

static json_t *by_member(const json_t *objects, const char *type, const char *k, const char *v)
{
	size_t i;
	json_t *o;
	json_array_foreach(objects, i, o) {
		const char *t = json_string_value(json_object_get(o, "type"));
		const char *m = json_string_value(json_object_get(o, k));
		if (!strcmp(t, type) && m && !strcmp(m, v))
			return o;
	}
	return NULL;
}

static bool has_rel(const json_t *objects, const char *type, const char *src, const char *dst)
{
	size_t i;
	json_t *o;
	json_array_foreach(objects, i, o) {
		const char *rt = json_string_value(json_object_get(o, "relationship_type"));
		const char *s = json_string_value(json_object_get(o, "source_ref"));
		const char *d = json_string_value(json_object_get(o, "target_ref"));
		if (rt && s && d && !strcmp(rt, type) && !strcmp(s, src) && !strcmp(d, dst))
			return true;
	}
	return false;
}

static const char *id_of(const json_t *o)
{
	return o ? json_string_value(json_object_get(o, "id")) : "";
}

static void test_objects(void)
{
	json_t *doc = fixture();
	struct share_opts o = opts();
	json_t *b = NULL;
	char err[256];
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), 0);
	if (!b) {
		fprintf(stderr, "share: %s\n", err);
		check_failed++;
		json_decref(doc);
		return;
	}
	CHECK_STR(json_string_value(json_object_get(b, "type")), "bundle");
	const json_t *objs = json_object_get(b, "objects");
	static const struct {
		const char *type;
		size_t n;
	} expect[] = {
	    {"marking-definition", 1},
	    {"extension-definition", 1},
	    {"identity", 1},
	    {"report", 1},
	    {"incident", 1},
	    {"x-mamori-host", 2},
	    {"attack-pattern", 5},
	    {"infrastructure", 2},
	    {"ipv4-addr", 2},
	    {"domain-name", 2},
	    {"autonomous-system", 2},
	    {"location", 2},
	    {"intrusion-set", 1},
	    {"campaign", 1},
	    {"indicator", 8},
	    {"sighting", 8},
	    {"observed-data", 6},
	    {"network-traffic", 2},
	    {"file", 4},
	    {"relationship", 43},
	};
	size_t total = 0;
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		size_t n = count_type(objs, expect[i].type);
		if (n != expect[i].n)
			fprintf(stderr, "%s: %zu objects, %zu expected\n", expect[i].type, n,
				expect[i].n);
		CHECK_EQ(n, expect[i].n);
		total += expect[i].n;
	}
	CHECK_EQ(json_array_size(objs), total);

	/* the TLP 2.0 marking, carried, and on every other object */
	json_t *m = by_id(objs, AMBER);
	CHECK(m != NULL);
	CHECK_STR(json_string_value(json_object_get(m, "name")), "TLP:AMBER");
	json_t *ext = json_object_get(json_object_get(m, "extensions"),
				      "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
	CHECK_STR(json_string_value(json_object_get(ext, "tlp_2_0")), "amber");
	size_t i, unmarked = 0;
	json_t *x;
	json_array_foreach(objs, i, x) {
		if (x == m)
			continue;
		json_t *refs = json_object_get(x, "object_marking_refs");
		unmarked += json_array_size(refs) != 1 ||
			    strcmp(json_string_value(json_array_get(refs, 0)), AMBER);
	}
	CHECK_EQ(unmarked, 0);

	/* the organisation */
	json_t *idn = by_member(objs, "identity", "name", "Example Water Utility");
	CHECK(idn != NULL);
	CHECK_STR(json_string_value(json_object_get(idn, "identity_class")), "organization");
	CHECK_EQ(json_array_size(json_object_get(idn, "sectors")), 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(idn, "sectors"), 1)),
		  "utilities");
	CHECK_STR(json_string_value(json_object_get(idn, "contact_information")),
		  "soc@example.org");

	/* the report names every object but itself and the definitions */
	json_t *rep = by_member(objs, "report", "type", "report");
	json_t *refs = json_object_get(rep, "object_refs");
	CHECK_EQ(json_array_size(refs), json_array_size(objs) - 3);
	size_t dangling = 0;
	json_array_foreach(refs, i, x) {
		dangling += !by_id(objs, json_string_value(x));
	}
	CHECK_EQ(dangling, 0);
	CHECK_STR(json_string_value(json_object_get(rep, "published")), "2024-01-15T11:02:31.000Z");

	/* the incident: a title without internal addresses, the tactics */
	json_t *inc = by_member(objs, "incident", "type", "incident");
	const char *name = json_string_value(json_object_get(inc, "name"));
	CHECK(name && strstr(name, "Critical incident 1 at Example Water Utility") == name);
	CHECK(name && strstr(name, "185.243.115.84") && strstr(name, "KOI SHADOW"));
	CHECK_EQ(json_array_size(json_object_get(inc, "kill_chain_phases")), 4);
	CHECK_EQ(json_integer_value(json_object_get(inc, "x_mamori_score")), 92);
	CHECK_EQ(json_integer_value(json_object_get(inc, "x_mamori_bytes_out")), 25448210);
	CHECK_STR(json_string_value(json_object_get(inc, "created")), "2024-01-15T11:02:31.000Z");

	/* pseudonyms, and the observables' ids by STIX's rule */
	json_t *h23 = by_member(objs, "x-mamori-host", "pseudonym", PSEUDO_23);
	json_t *h55 = by_member(objs, "x-mamori-host", "pseudonym", PSEUDO_55);
	CHECK(h23 != NULL && h55 != NULL);
	CHECK_STR(id_of(h23), ID_HOST);
	CHECK_STR(json_string_value(json_object_get(h55, "zone")), "finance");
	json_t *ip = by_member(objs, "ipv4-addr", "value", "185.243.115.84");
	CHECK_STR(id_of(ip), ID_IPV4);
	CHECK_STR(json_string_value(json_array_get(json_object_get(ip, "belongs_to_refs"), 0)),
		  ID_AS);
	CHECK_STR(id_of(by_member(objs, "file", "name", "update-kb5034.exe")), ID_FILE);
	json_t *dn = by_member(objs, "domain-name", "value", "update.cdn-sync.net");
	CHECK_STR(json_string_value(json_array_get(json_object_get(dn, "resolves_to_refs"), 0)),
		  ID_IPV4);

	/* indicators, their relationships and sightings */
	json_t *ind =
	    by_member(objs, "indicator", "pattern", "[ipv4-addr:value = '185.243.115.84']");
	json_t *dind =
	    by_member(objs, "indicator", "pattern", "[domain-name:value = 'update.cdn-sync.net']");
	json_t *find =
	    by_member(objs, "indicator", "pattern", "[file:hashes.'SHA-256' = '" SHA_TOOL "']");
	CHECK(ind && dind && find);
	CHECK(by_member(objs, "indicator", "pattern", "[ipv4-addr:value = '45.67.230.12']"));
	CHECK_STR(json_string_value(json_object_get(ind, "valid_from")),
		  "2024-01-15T09:12:00.000Z");
	CHECK_STR(json_string_value(json_object_get(ind, "pattern_type")), "stix");
	json_t *koi = by_member(objs, "intrusion-set", "name", "KOI SHADOW");
	json_t *camp = by_member(objs, "campaign", "name", "Operation Paper Lantern");
	json_t *infra = by_member(objs, "infrastructure", "name", "185.243.115.84");
	json_t *t1105 = NULL;
	json_array_foreach(objs, i, x) {
		json_t *er = json_array_get(json_object_get(x, "external_references"), 0);
		const char *eid = json_string_value(json_object_get(er, "external_id"));
		if (eid && !strcmp(eid, "T1105"))
			t1105 = x;
	}
	CHECK(koi && camp && infra && t1105);
	CHECK(has_rel(objs, "indicates", id_of(ind), id_of(infra)));
	CHECK(has_rel(objs, "indicates", id_of(ind), id_of(koi)));
	CHECK(has_rel(objs, "indicates", id_of(dind), id_of(koi)));
	CHECK(has_rel(objs, "indicates", id_of(find), id_of(koi)));
	CHECK(has_rel(objs, "indicates", id_of(find), id_of(t1105)));
	CHECK(has_rel(objs, "uses", id_of(koi), id_of(infra)));
	CHECK(has_rel(objs, "attributed-to", id_of(camp), id_of(koi)));
	CHECK(has_rel(objs, "consists-of", id_of(infra), ID_IPV4));
	CHECK(has_rel(objs, "related-to", id_of(inc), id_of(t1105)));
	json_t *types = json_object_get(infra, "infrastructure_types");
	CHECK_EQ(json_array_size(types), 2);
	CHECK_STR(json_string_value(json_array_get(types, 0)), "hosting-malware");
	CHECK_STR(json_string_value(json_array_get(types, 1)), "command-and-control");
	json_t *s = by_member(objs, "sighting", "sighting_of_ref", id_of(ind));
	CHECK(s != NULL);
	CHECK_EQ(json_integer_value(json_object_get(s, "count")), 31);
	CHECK_STR(json_string_value(json_array_get(json_object_get(s, "where_sighted_refs"), 0)),
		  id_of(idn));
	json_t *od = by_id(
	    objs, json_string_value(json_array_get(json_object_get(s, "observed_data_refs"), 0)));
	CHECK(od != NULL);
	CHECK_EQ(json_integer_value(json_object_get(od, "number_observed")), 31);

	/* the flows: to the infrastructure, from the pseudonymised host */
	json_t *nt = NULL;
	json_array_foreach(json_object_get(od, "object_refs"), i, x) {
		json_t *y = by_id(objs, json_string_value(x));
		if (!strcmp(json_string_value(json_object_get(y, "type")), "network-traffic"))
			nt = y;
	}
	CHECK(nt != NULL);
	CHECK_STR(json_string_value(json_object_get(nt, "dst_ref")), ID_IPV4);
	CHECK(!json_object_get(nt, "src_ref"));
	CHECK_EQ(json_integer_value(json_object_get(nt, "src_byte_count")), 48210);
	CHECK_EQ(json_integer_value(json_object_get(nt, "dst_byte_count")), 1873402);
	const char *k;
	json_t *e;
	const char *src_host = NULL;
	json_object_foreach(json_object_get(nt, "extensions"), k, e) {
		src_host = json_string_value(json_object_get(e, "src_host_ref"));
	}
	CHECK_STR(src_host, ID_HOST);
	json_decref(b);
	json_decref(doc);
}

static void test_reproducible(void)
{
	json_t *doc = fixture();
	struct share_opts o = opts();
	char err[256];
	char *a = share_text(doc, &o, err, sizeof(err)), *b = share_text(doc, &o, err, sizeof(err));
	CHECK(a && b && !strcmp(a, b));
	/* no internal address in any spelling the document uses */
	static const char *const internal[] = {"10.10.1.23", "10.10.1.55", "10.10.1.0"};
	for (size_t i = 0; a && i < sizeof(internal) / sizeof(internal[0]); i++)
		CHECK(!strstr(a, internal[i]));
	CHECK(a && strstr(a, PSEUDO_23) && strstr(a, PSEUDO_55));
	/* another key: other pseudonyms, other ids */
	o.pseudonym_key = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	char *c = share_text(doc, &o, err, sizeof(err));
	CHECK(c && !strstr(c, PSEUDO_23) && !strstr(c, "report--14af71a3"));
	CHECK(c && strstr(c, ID_IPV4)); /* observables keep STIX's ids */
	free(a);
	free(b);
	free(c);
	json_decref(doc);
}

static void test_settings(void)
{
	json_t *doc = fixture(), *b = NULL;
	struct share_opts o = opts();
	char err[512];
	o.tlp = "purple";
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	CHECK(b == NULL && strstr(err, "share.tlp 'purple'"));
	o = opts();
	o.tlp = NULL;
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	o = opts();
	o.pseudonym_key = "";
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	CHECK(strstr(err, "share.pseudonym-key is not set") != NULL);
	o.pseudonym_key = "00112233445566778899aabbccddee"; /* 15 bytes */
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	CHECK(strstr(err, "share.pseudonym-key: 16 to 127 bytes") != NULL);
	o.pseudonym_key = "000102030405060708090a0b0c0d0e0g";
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	o = opts();
	o.organisation = "";
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	o = opts();
	o.home_net = "[10.0.0.0/33]";
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	CHECK(strstr(err, "HOME_NET") != NULL);

	/* every level gives its published marking */
	static const char *const levels[][2] = {
	    {"clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
	    {"green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
	    {"amber", AMBER},
	    {"amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
	    {"red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
	};
	for (size_t i = 0; i < 5; i++) {
		o = opts();
		o.tlp = levels[i][0];
		char *t = share_text(doc, &o, err, sizeof(err));
		CHECK(t && strstr(t, levels[i][1]));
		free(t);
	}

	/* from the configuration */
	struct config cfg;
	config_defaults(&cfg);
	share_opts_from_config(&o, &cfg);
	CHECK_STR(o.tlp, "amber");
	CHECK_STR(o.organisation, "mamori sensor");
	CHECK_STR(o.pseudonym_key, "");
	CHECK(o.home_net && strstr(o.home_net, "10.0.0.0/8"));
	CHECK(config_set_kv(&cfg, "share.tlp=purple") < 0);
	CHECK_EQ(config_set_kv(&cfg, "share.tlp=AMBER+STRICT"), 0);
	CHECK_EQ(config_set_kv(&cfg, "share.organisation=Example CSIRT member"), 0);
	CHECK_EQ(config_set_kv(&cfg, "share.pseudonym-key=" KEY), 0);
	share_opts_from_config(&o, &cfg);
	CHECK_STR(o.tlp, "amber+strict");
	CHECK_STR(o.organisation, "Example CSIRT member");
	char *t = share_text(doc, &o, err, sizeof(err));
	CHECK(t && strstr(t, "TLP:AMBER+STRICT") && strstr(t, PSEUDO_23));
	free(t);
	json_decref(doc);
}

/* Internal addresses the document names outside hosts[] are pseudonymised
 * too; infrastructure inside HOME_NET is not shared; an internal address in
 * a value the bundle carries fails the share. */
static void test_internal(void)
{
	json_t *doc = fixture(), *b = NULL;
	struct share_opts o = opts();
	char err[256];
	/* a lateral peer outside hosts[] and a staged file to it */
	json_t *tl = json_object_get(doc, "timeline");
	json_array_append_new(tl, json_pack("{s:s, s:f, s:s, s:s, s:s, s:s, s:i}", "ts",
					    "2024-01-15T09:58:00.000000+0000", "ts_epoch",
					    1705312680.0, "kind", "alert", "host", "10.10.1.55",
					    "peer", "192.168.7.7", "summary",
					    "SMB write to 192.168.7.7", "count", 1));
	json_t *staged =
	    json_object_get(json_object_get(json_object_get(doc, "damage"), "staged"), "files");
	json_t *f = json_deep_copy(json_array_get(staged, 0));
	json_object_set_new(f, "peer", json_string("192.168.7.7"));
	json_object_set_new(
	    f, "sha256",
	    json_string("aa831b1357694014331b0409ba852200c28315921a54b8930be6b5ee01917073"));
	json_array_append_new(staged, f);
	/* infrastructure inside HOME_NET */
	json_array_append_new(json_object_get(doc, "infrastructure"),
			      json_pack("{s:s, s:s, s:[s], s:s, s:f, s:s, s:f, s:i}", "type",
					"ipv4-addr", "value", "172.16.5.5", "roles", "c2",
					"first_seen", "2024-01-15T10:00:00.000000+0000",
					"first_seen_epoch", 1705312800.0, "last_seen",
					"2024-01-15T10:05:00.000000+0000", "last_seen_epoch",
					1705313100.0, "flows", 3));
	char *t = share_text(doc, &o, err, sizeof(err));
	CHECK(t != NULL);
	if (!t)
		fprintf(stderr, "share: %s\n", err);
	char p77[22];
	uint8_t a[4] = {192, 168, 7, 7}, key[16];
	CHECK_EQ(share_hex_key(KEY, key, sizeof(key)), 16);
	CHECK(share_pseudonym(key, 16, a, 4, p77));
	CHECK(t && !strstr(t, "192.168.7.7") && !strstr(t, "172.16.5.5") && strstr(t, p77));
	CHECK(t && strstr(t, "1 infrastructure address inside the organisation's networks not "
			     "shared"));
	free(t);
	json_decref(doc);

	/* a file named after an internal host, and one after another address
	 * inside HOME_NET: their names would carry the address */
	static const char *const names[] = {"dump-10.10.1.23.txt", "10.99.0.1-share.zip"};
	for (size_t i = 0; i < 2; i++) {
		doc = fixture();
		json_t *out = json_object_get(
		    json_object_get(json_object_get(doc, "damage"), "files_out"), "files");
		json_object_set_new(json_array_get(out, 0), "name", json_string(names[i]));
		CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
		CHECK(b == NULL && strstr(err, "internal address") && strstr(err, "not shared"));
		json_decref(doc);
	}
	/* without HOME_NET the document's hosts are still internal */
	doc = fixture();
	o.home_net = NULL;
	json_t *out =
	    json_object_get(json_object_get(json_object_get(doc, "damage"), "files_out"), "files");
	json_object_set_new(json_array_get(out, 0), "name", json_string("from 10.10.1.55"));
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	json_decref(doc);
	/* a document that does not follow docs/incidents.md */
	doc = fixture();
	o = opts();
	json_object_del(doc, "updated");
	json_object_del(doc, "updated_epoch");
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	CHECK(strstr(err, "updated") != NULL);
	json_decref(doc);
	doc = fixture();
	json_object_set_new(json_array_get(json_object_get(doc, "infrastructure"), 0), "value",
			    json_string("185.243.115"));
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), -1);
	CHECK(strstr(err, "infrastructure[0].value") != NULL);
	json_decref(doc);
	json_t *str = json_string("x");
	CHECK_EQ(share_stix(str, &o, &b, err, sizeof(err)), -1);
	json_decref(str);
}

struct found {
	char text[8][48];
	int n;
};

static bool found_fn(void *ctx, const uint8_t *a, int ver, const char *text, size_t len)
{
	struct found *f = ctx;
	(void)a;
	(void)ver;
	if (f->n < 8)
		snprintf(f->text[f->n++], 48, "%.*s", (int)len, text);
	return false;
}

static void test_helpers(void)
{
	struct found f = {0};
	const char *s = "beacon to 10.1.2.3:80, v1.2.3.4.5, at 09:12:00.000 from ::ffff:10.9.9.9 "
			"and [2001:db8::1]:443; 300.1.1.1; 1.2.3.4.";
	share_scan_addrs(s, strlen(s), found_fn, &f);
	CHECK_EQ(f.n, 5);
	CHECK_STR(f.text[0], "10.1.2.3");
	CHECK_STR(f.text[1], "::ffff:10.9.9.9");
	CHECK_STR(f.text[2], "10.9.9.9");
	CHECK_STR(f.text[3], "2001:db8::1");
	CHECK_STR(f.text[4], "1.2.3.4");
	/* RFC 4122's namespace example: uuid5(NAMESPACE_DNS, "python.org") */
	static const uint8_t dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
					0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	char u[37];
	share_uuid5(dns, "python.org", 10, u);
	CHECK_STR(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	json_t *v = json_pack("{s:s, s:{s:s}, s:i, s:[s,s]}", "name", "a\"b\n", "hashes", "MD5",
			      "x", "b", 7, "a", "q", "\x01");
	char *c = share_canonical(v);
	CHECK_STR(c, "{\"a\":[\"q\",\"\\u0001\"],\"b\":7,\"hashes\":{\"MD5\":\"x\"},\"name\":"
		     "\"a\\\"b\\n\"}");
	free(c);
	json_decref(v);
	/* times: the epoch member first, else the text with its offset */
	json_t *t = json_pack("{s:s}", "ts", "2024-01-15T18:12:00.250000+0900");
	int64_t ms = 0;
	char ts[32];
	CHECK(share_time_ms(t, "ts", &ms));
	share_ts(ms, ts);
	CHECK_STR(ts, "2024-01-15T09:12:00.250Z");
	json_object_set_new(t, "ts_epoch", json_real(1705309920.5));
	CHECK(share_time_ms(t, "ts", &ms));
	share_ts(ms, ts);
	CHECK_STR(ts, "2024-01-15T09:12:00.500Z");
	json_object_set_new(t, "bad", json_string("2024-13-15T09:12:00Z"));
	CHECK(!share_time_ms(t, "bad", &ms));
	json_decref(t);
}

/* What the STIX importer takes from the bundle: every address, domain and
 * hash, with the organisation as source, the TLP, and the intrusion set and
 * campaign the indicators indicate. */
static void test_import(const char *path)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	memset(&r, 0, sizeof(r));
	char err[256];
	CHECK_EQ(ioc_import_file(s, path, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "stix");
	CHECK_EQ(r.loaded, 8);
	CHECK_EQ(r.duplicates, 0);
	struct ioc_stats st;
	ioc_set_stats(s, &st);
	CHECK_EQ(st.count[IOC_IPV4], 2);
	CHECK_EQ(st.count[IOC_DOMAIN], 2);
	CHECK_EQ(st.count[IOC_SHA256], 4);
	struct ioc_hit h;
	uint8_t a[4];
	inet_pton(AF_INET, "185.243.115.84", a);
	CHECK(ioc_match_ip(s, 4, a, &h));
	const struct ioc_meta *m = ioc_meta_get(s, ioc_hit_meta(s, &h, 0));
	CHECK_STR(m->source, "Example Water Utility");
	CHECK_STR(m->actor, "KOI SHADOW");
	CHECK_STR(m->campaign, "Operation Paper Lantern");
	CHECK_EQ(m->tlp, TLP_AMBER);
	CHECK_EQ(m->valid_from, 1705309920);
	CHECK(ioc_match_domain(s, "dl.cdn-sync.net", 15, &h));
	CHECK_STR(ioc_meta_get(s, ioc_hit_meta(s, &h, 0))->actor, "KOI SHADOW");
	CHECK(ioc_match(s, IOC_SHA256, SHA_TOOL, 64, &h));
	CHECK_STR(ioc_meta_get(s, ioc_hit_meta(s, &h, 0))->actor, "KOI SHADOW");
	CHECK(ioc_match(s, IOC_SHA256, SHA_OUT, 64, &h));
	CHECK(ioc_meta_get(s, ioc_hit_meta(s, &h, 0))->actor == NULL);
	inet_pton(AF_INET, "45.67.230.12", a);
	CHECK(ioc_match_ip(s, 4, a, &h));
	CHECK(ioc_meta_get(s, ioc_hit_meta(s, &h, 0))->actor == NULL);
	inet_pton(AF_INET, "10.10.1.23", a);
	CHECK(!ioc_match_ip(s, 4, a, &h));
	ioc_set_free(s);
}

/* scripts/stix-validate: 0 valid, 1 invalid, 2 cannot check. */
static int validate(const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' '%s/scripts/stix-validate' '%s' >&2", MAMORI_PYTHON,
		 MAMORI_SOURCE_DIR, path);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_files(void)
{
	json_t *doc = fixture(), *b = NULL;
	struct share_opts o = opts();
	char err[256], path[] = "/tmp/mamori-share-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK_EQ(share_stix(doc, &o, &b, err, sizeof(err)), 0);
	char *t = b ? share_dumps(b) : NULL;
	CHECK(t && write_file(path, t) == 0);
	test_import(path);
	int rc = validate(path);
	if (rc == 2) {
		printf("SKIP: scripts/stix-validate cannot check (python3-jsonschema or the OASIS "
		       "schemas missing)\n");
	} else {
		CHECK_EQ(rc, 0);
		/* a broken bundle fails: an incident without its name, a dangling ref */
		json_t *objs = json_object_get(b, "objects");
		json_object_del(by_member(objs, "incident", "type", "incident"), "name");
		json_object_set_new(by_member(objs, "sighting", "type", "sighting"),
				    "sighting_of_ref",
				    json_string("indicator--00000000-0000-5000-8000-000000000000"));
		char *bad = share_dumps(b);
		CHECK(bad && write_file(path, bad) == 0);
		CHECK_EQ(validate(path), 1);
		free(bad);
	}
	free(t);
	unlink(path);
	json_decref(b);
	json_decref(doc);
}

int main(void)
{
	test_objects();
	test_reproducible();
	test_settings();
	test_internal();
	test_helpers();
	test_files();
	return check_report("test_share");
}
