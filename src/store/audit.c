/*
 * audit — `mamori audit`: the zone policy compliance report (audit.h).
 *
 * The zone analytic writes, per zone and UTC day, daily rows ("zone",
 * "<zone>|flows", "|packets", "|bytes", "|violations"; the flows row holds
 * the zone's networks and policy as JSON) and one `zone` event per broken
 * policy (kind "violation"; a second one with "final": true completes it at
 * the flow's end and is not counted again). The report sums the days that
 * overlap the window (several runs into one store add up), lists the
 * violations inside it, and says per zone either what was broken or that
 * nothing was.
 */
#include "store/audit.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "output/eve.h"
#include "store/query.h"
#include "store/store_util.h"

#define AUDIT_MAX_ZONES 128 /* distinct zone names reported; more are skipped */
#define DAY_US		86400000000ll

struct audit_zone {
	char name[CONFIG_ZONE_NAME];
	char networks[CONFIG_LIST_MAXLEN];
	char internet[8];
	char allow[256];
	uint64_t flows, packets, bytes, daily_violations;
	uint64_t violations; /* events in the window */
	int64_t first_day, last_day;
	json_t *events; /* the violations, as JSON objects */
};

struct audit {
	struct audit_zone z[AUDIT_MAX_ZONES];
	unsigned n;
	unsigned skipped;
	const char *only; /* --zone */
};

static struct audit_zone *zone_get(struct audit *a, const char *name, bool add)
{
	for (unsigned i = 0; i < a->n; i++)
		if (!strcmp(a->z[i].name, name))
			return &a->z[i];
	if (!add || (a->only && strcmp(a->only, name)) || strlen(name) >= CONFIG_ZONE_NAME)
		return NULL;
	if (a->n == AUDIT_MAX_ZONES) {
		a->skipped++;
		return NULL;
	}
	struct audit_zone *z = &a->z[a->n++];
	memset(z, 0, sizeof(*z));
	snprintf(z->name, sizeof(z->name), "%s", name);
	snprintf(z->internet, sizeof(z->internet), "allow");
	z->first_day = INT64_MAX;
	z->last_day = INT64_MIN;
	z->events = json_array();
	return z;
}

/* The policy of a daily row's JSON ({"networks":..,"internet":..,"allow":..}). */
static void policy_from_json(struct audit_zone *z, const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	const char *s;
	if (!j)
		return;
	if ((s = json_string_value(json_object_get(j, "networks"))))
		snprintf(z->networks, sizeof(z->networks), "%s", s);
	if ((s = json_string_value(json_object_get(j, "internet"))))
		snprintf(z->internet, sizeof(z->internet), "%s", s);
	if ((s = json_string_value(json_object_get(j, "allow"))))
		snprintf(z->allow, sizeof(z->allow), "%s", strcmp(s, "any") ? s : "");
	json_decref(j);
}

static int read_daily(sqlite3 *db, struct audit *a, int64_t since, int64_t until)
{
	sqlite3_stmt *st;
	const char *sql = "SELECT ts, key, value, json FROM daily WHERE kind = 'zone' AND ts > ?1 "
			  "AND ts < ?2 ORDER BY ts, id";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("audit: %s", sqlite3_errmsg(db));
		return -1;
	}
	/* the days that overlap [since, until) */
	sqlite3_bind_int64(st, 1, since > INT64_MIN + DAY_US ? since - DAY_US : INT64_MIN);
	sqlite3_bind_int64(st, 2, until);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t day = sqlite3_column_int64(st, 0);
		const char *key = (const char *)sqlite3_column_text(st, 1);
		uint64_t v = (uint64_t)sqlite3_column_int64(st, 2);
		const char *bar = key ? strrchr(key, '|') : NULL;
		char name[CONFIG_ZONE_NAME];
		if (!bar || bar == key || (size_t)(bar - key) >= sizeof(name))
			continue;
		memcpy(name, key, (size_t)(bar - key));
		name[bar - key] = 0;
		struct audit_zone *z = zone_get(a, name, true);
		if (!z)
			continue;
		if (day < z->first_day)
			z->first_day = day;
		if (day > z->last_day)
			z->last_day = day;
		const char *what = bar + 1;
		if (!strcmp(what, "flows")) {
			z->flows += v;
			policy_from_json(z, (const char *)sqlite3_column_text(st, 3));
		} else if (!strcmp(what, "packets")) {
			z->packets += v;
		} else if (!strcmp(what, "bytes")) {
			z->bytes += v;
		} else if (!strcmp(what, "violations")) {
			z->daily_violations += v;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("audit: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static void addr_text(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
	int n = sqlite3_column_bytes(st, col);
	const void *p = sqlite3_column_blob(st, col);
	struct addr ad;
	out[0] = '\0';
	if (!p || (n != 4 && n != 16))
		return;
	memset(&ad, 0, sizeof(ad));
	memcpy(ad.a, p, (size_t)n);
	eve_addr_str(&ad, n == 16 ? 6 : 4, out, outlen);
}

static void time_text(int64_t us, char *out, size_t outlen)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, outlen - n, ".%06" PRId64 "Z", us % 1000000);
}

static int read_events(sqlite3 *db, struct audit *a, int64_t since, int64_t until)
{
	sqlite3_stmt *st;
	const char *sql = "SELECT ts, src, dst, sp, dp, proto, json FROM event WHERE type = 'zone' "
			  "AND ts >= ?1 AND ts < ?2 ORDER BY ts, id";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("audit: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 6);
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;
		json_t *zo = json_object_get(j, "zone");
		const char *kind = json_string_value(json_object_get(zo, "kind"));
		const char *name = json_string_value(json_object_get(zo, "zone"));
		struct audit_zone *z = NULL;
		if (kind && name && !strcmp(kind, "violation") &&
		    !json_is_true(json_object_get(zo, "final")))
			z = zone_get(a, name, true);
		if (z) {
			char ts[40], src[46], dst[46];
			time_text(sqlite3_column_int64(st, 0), ts, sizeof(ts));
			addr_text(st, 1, src, sizeof(src));
			addr_text(st, 2, dst, sizeof(dst));
			json_t *v = json_object();
			json_object_set_new(v, "time", json_string(ts));
			json_object_set_new(v, "src_ip", json_string(src));
			json_object_set_new(v, "src_port", json_integer(sqlite3_column_int(st, 3)));
			json_object_set_new(v, "dest_ip", json_string(dst));
			json_object_set_new(v, "dest_port",
					    json_integer(sqlite3_column_int(st, 4)));
			json_object_set(v, "proto", json_object_get(j, "proto"));
			json_object_set(v, "rule", json_object_get(zo, "rule"));
			json_object_set(v, "direction", json_object_get(zo, "direction"));
			json_object_set(v, "peer_zone", json_object_get(zo, "peer_zone"));
			json_array_append_new(z->events, v);
			z->violations++;
		}
		json_decref(j);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("audit: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* 12345678 as "12,345,678". */
static const char *num(uint64_t v, char out[32])
{
	char t[32];
	int n = snprintf(t, sizeof(t), "%" PRIu64, v), o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = t[i];
	}
	out[o] = 0;
	return out;
}

static void day_text(int64_t us, char out[11])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void policy_text(const struct audit_zone *z, char *out, size_t outlen)
{
	char allow[600];
	size_t n = 0;
	for (const char *p = z->allow[0] ? z->allow : "any zone"; *p && n + 3 < sizeof(allow);
	     p++) {
		if (*p == ' ')
			continue;
		allow[n++] = *p;
		if (*p == ',')
			allow[n++] = ' ';
	}
	allow[n] = 0;
	if (!z->allow[0])
		snprintf(allow, sizeof(allow), "any zone");
	snprintf(out, outlen, "%s; internet: %s; talks to: %s", z->networks[0] ? z->networks : "?",
		 z->internet, allow);
}

static void print_text(const struct audit *a, const char *path, int64_t first, int64_t last)
{
	char d0[11], d1[11], pol[1600], n1[32], n2[32], n3[32];
	day_text(first, d0);
	day_text(last, d1);
	printf("Zone policy audit from %s to %s (store %s)\n", d0, d1, path);
	for (unsigned i = 0; i < a->n; i++) {
		const struct audit_zone *z = &a->z[i];
		policy_text(z, pol, sizeof(pol));
		printf("\nzone %s: %s\n", z->name, pol);
		printf("  checked: %s flows, %s packets, %s bytes\n", num(z->flows, n1),
		       num(z->packets, n2), num(z->bytes, n3));
		printf("  violations: %s\n", num(z->violations, n1));
		size_t k;
		json_t *v;
		json_array_foreach(z->events, k, v) {
			const char *proto = json_string_value(json_object_get(v, "proto"));
			printf("    %s  %s:%" JSON_INTEGER_FORMAT " -> %s:%" JSON_INTEGER_FORMAT
			       "  %s  %s (%s, peer %s)\n",
			       json_string_value(json_object_get(v, "time")),
			       json_string_value(json_object_get(v, "src_ip")),
			       json_integer_value(json_object_get(v, "src_port")),
			       json_string_value(json_object_get(v, "dest_ip")),
			       json_integer_value(json_object_get(v, "dest_port")),
			       proto ? proto : "-",
			       json_string_value(json_object_get(v, "rule"))
				   ? json_string_value(json_object_get(v, "rule"))
				   : "?",
			       json_string_value(json_object_get(v, "direction"))
				   ? json_string_value(json_object_get(v, "direction"))
				   : "?",
			       json_string_value(json_object_get(v, "peer_zone"))
				   ? json_string_value(json_object_get(v, "peer_zone"))
				   : "?");
		}
		char z0[11], z1[11];
		day_text(z->first_day != INT64_MAX ? z->first_day : first, z0);
		day_text(z->last_day != INT64_MIN ? z->last_day : last, z1);
		if (z->violations)
			printf("FINDING: zone %s (%s) broke its policy %s times from %s to %s; %s "
			       "flows and %s packets of the zone were checked.\n",
			       z->name, pol, num(z->violations, n1), z0, z1, num(z->flows, n2),
			       num(z->packets, n3));
		else
			printf(
			    "ATTESTATION: zone %s (%s) had no policy violation from %s to %s: %s "
			    "flows and %s packets of the zone were checked.\n",
			    z->name, pol, z0, z1, num(z->flows, n1), num(z->packets, n2));
	}
}

static json_t *report_json(const struct audit *a, int64_t first, int64_t last, bool compliant)
{
	char d0[11], d1[11];
	day_text(first, d0);
	day_text(last, d1);
	json_t *root = json_object(), *zones = json_array();
	json_object_set_new(root, "from", json_string(d0));
	json_object_set_new(root, "to", json_string(d1));
	json_object_set_new(root, "compliant", json_boolean(compliant));
	for (unsigned i = 0; i < a->n; i++) {
		const struct audit_zone *z = &a->z[i];
		json_t *o = json_object();
		json_object_set_new(o, "zone", json_string(z->name));
		json_object_set_new(o, "networks", json_string(z->networks));
		json_object_set_new(o, "internet", json_string(z->internet));
		json_object_set_new(o, "allow", json_string(z->allow[0] ? z->allow : "any"));
		json_object_set_new(o, "flows", json_integer((json_int_t)z->flows));
		json_object_set_new(o, "packets", json_integer((json_int_t)z->packets));
		json_object_set_new(o, "bytes", json_integer((json_int_t)z->bytes));
		json_object_set_new(o, "violations", json_integer((json_int_t)z->violations));
		json_object_set_new(o, "compliant", json_boolean(!z->violations));
		json_object_set(o, "events", z->events);
		json_array_append_new(zones, o);
	}
	json_object_set_new(root, "zones", zones);
	return root;
}

/* Read the window's figures into a; the zones' policies from cfg when it
 * names them. 0, or -1 on a store error. */
static int collect(sqlite3 *db, struct audit *a, const struct config *cfg, int64_t since,
		   int64_t until, int64_t now, int64_t *first, int64_t *last, bool *compliant)
{
	if (read_daily(db, a, since, until) < 0 || read_events(db, a, since, until) < 0)
		return -1;
	*first = INT64_MAX;
	*last = INT64_MIN;
	*compliant = true;
	for (unsigned i = 0; i < a->n; i++) {
		struct audit_zone *z = &a->z[i];
		const struct config_zone *cz = cfg ? config_zone(cfg, z->name) : NULL;
		if (cz) {
			snprintf(z->networks, sizeof(z->networks), "%s", cz->networks);
			snprintf(z->internet, sizeof(z->internet), "%s",
				 cz->internet_deny ? "deny" : "allow");
			snprintf(z->allow, sizeof(z->allow), "%s", cz->allow);
		}
		if (z->first_day < *first)
			*first = z->first_day;
		if (z->last_day > *last)
			*last = z->last_day;
		*compliant &= !z->violations;
	}
	if (*first == INT64_MAX)
		*first = *last = since != INT64_MIN ? since : now;
	return 0;
}

static void audit_free(struct audit *a)
{
	for (unsigned i = 0; a && i < a->n; i++)
		json_decref(a->z[i].events);
	free(a);
}

json_t *audit_report(sqlite3 *db, const struct config *cfg, int64_t since, int64_t until,
		     const char *zone)
{
	struct audit *a = calloc(1, sizeof(*a));
	json_t *root = NULL;
	int64_t first, last;
	bool compliant;
	if (!a)
		return NULL;
	a->only = zone;
	if (collect(db, a, cfg, since, until, store_reader_clock(db), &first, &last, &compliant) ==
	    0)
		root = report_json(a, first, last, compliant);
	audit_free(a);
	return root;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mamori audit [options]\n"
		"Zone policy compliance from the store: per zone its networks and policy, the\n"
		"flows and packets checked, each violation, and an attestation for each zone\n"
		"without one.\n\n"
		"options:\n"
		"      --store PATH    the store (default: mamori.db)\n"
		"  -o, --output DIR    the store DIR/mamori.db, as 'mamori read -o DIR' writes it\n"
		"  -c, --config FILE   take the zones' networks and policies from this\n"
		"                      configuration (default: as the store recorded them)\n"
		"      --since T       from T: RFC 3339, a date (YYYY-MM-DD) or an age (7d, 24h)\n"
		"      --until T       before T (same forms); default: everything in the store\n"
		"      --zone NAME     this zone only (default: every zone)\n"
		"      --json          one JSON object instead of text\n\n"
		"exit status: 0 every zone compliant; 1 policy violations; 2 no store, no zone\n"
		"figures in it for the period, a store error, usage.\n");
}

int audit_cmd(int argc, char **argv)
{
	enum { O_STORE = 256, O_SINCE, O_UNTIL, O_ZONE, O_JSON };
	static const struct option opts[] = {
	    {"store", required_argument, NULL, O_STORE},
	    {"output", required_argument, NULL, 'o'},
	    {"config", required_argument, NULL, 'c'},
	    {"since", required_argument, NULL, O_SINCE},
	    {"until", required_argument, NULL, O_UNTIL},
	    {"zone", required_argument, NULL, O_ZONE},
	    {"json", no_argument, NULL, O_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *store = NULL, *dir = NULL, *cfg_path = NULL, *since_s = NULL, *until_s = NULL;
	bool json = false;
	struct audit *a = calloc(1, sizeof(*a));
	struct config *cfg = NULL;
	sqlite3 *db = NULL;
	char path[4096];
	int c, ret = 2;
	if (!a)
		return 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:c:", opts, NULL)) != -1) {
		switch (c) {
		case O_STORE:
			store = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'c':
			cfg_path = optarg;
			break;
		case O_SINCE:
			since_s = optarg;
			break;
		case O_UNTIL:
			until_s = optarg;
			break;
		case O_ZONE:
			a->only = optarg;
			break;
		case O_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		usage(stderr);
		goto out;
	}
	store_path_arg(store, dir, path, sizeof(path));
	if (cfg_path) {
		cfg = calloc(1, sizeof(*cfg));
		if (!cfg)
			goto out;
		config_defaults(cfg);
		if (config_load_file(cfg, cfg_path) < 0)
			goto out;
	}
	if (store_open_reader(path, &db) < 0)
		goto out;
	int64_t now = store_reader_clock(db), since = INT64_MIN, until = INT64_MAX;
	if ((since_s && store_parse_time(since_s, now, &since) < 0) ||
	    (until_s && store_parse_time(until_s, now, &until) < 0)) {
		log_error("audit: a time is RFC 3339, a date (YYYY-MM-DD), 'now' or an age (7d, "
			  "24h, 30m, 90s)");
		goto out;
	}
	int64_t first, last;
	bool compliant;
	if (collect(db, a, cfg, since, until, now, &first, &last, &compliant) < 0)
		goto out;
	if (a->skipped)
		log_warn("audit: more than %d zones in the store: %u skipped", AUDIT_MAX_ZONES,
			 a->skipped);
	if (a->n == 0) {
		if (a->only)
			log_error("audit: no figures of zone '%s' in %s for this period", a->only,
				  path);
		else
			log_error("audit: no zone figures in %s for this period (zones are "
				  "analytics.zones.NAME.networks)",
				  path);
		goto out;
	}
	if (json) {
		json_t *root = report_json(a, first, last, compliant);
		json_object_set_new(root, "store", json_string(path));
		json_dumpf(root, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(root);
	} else
		print_text(a, path, first, last);
	ret = compliant ? 0 : 1;
out:
	if (db)
		sqlite3_close(db);
	audit_free(a);
	free(cfg);
	return ret;
}
