/*
 * incident_cmd — `mamori incidents`, `mamori report ID` and `mamori share
 * ID` (incident_cmd.h). Each runs a correlation pass first (--no-update:
 * not), so what it shows includes every record the store holds.
 */
#include "incident/incident_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "incident/incident.h"
#include "incident/report.h"
#include "incident/share.h"
#include "output/json.h"
#include "store/query.h"
#include "store/store_util.h"

enum { O_STORE = 256, O_JSON, O_SET, O_NO_UPDATE, O_HTML, O_MD, O_ALL, O_TLP };

/* What the three commands share: store, configuration, a pass. */
struct cmd {
	const char *store, *dir, *cfg_path, *out;
	const char *sets[64];
	int nsets;
	bool json, no_update, html, all;
	const char *tlp;
	char path[4096];
	struct config cfg;
	struct incident_ctx x;
	bool have_x;
	sqlite3 *db;
};

static const struct option opts[] = {
    {"store", required_argument, NULL, O_STORE},
    {"dir", required_argument, NULL, 'd'},
    {"config", required_argument, NULL, 'c'},
    {"set", required_argument, NULL, O_SET},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, O_JSON},
    {"html", no_argument, NULL, O_HTML},
    {"markdown", no_argument, NULL, O_MD},
    {"all", no_argument, NULL, O_ALL},
    {"tlp", required_argument, NULL, O_TLP},
    {"no-update", no_argument, NULL, O_NO_UPDATE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char common_opts[] =
    "      --store PATH    the store (default: DIR/mamori.db, DIR from -d, else .)\n"
    "  -d, --dir DIR       the output folder of 'mamori read -o DIR'\n"
    "  -c, --config FILE   the configuration (HOME_NET, enrichment, incident.*, share.*)\n"
    "      --set KEY=VALUE override one setting (repeatable)\n"
    "      --no-update     show the store as it is, without a correlation pass first\n"
    "  -q, --quiet         errors only\n";

static void usage(FILE *f, const char *cmd)
{
	if (!strcmp(cmd, "incidents"))
		fprintf(
		    f,
		    "usage: mamori incidents [options]\n"
		    "The incidents of the store, newest activity first: number, severity and\n"
		    "score, status, first activity, dwell time, hosts, infrastructure, bytes\n"
		    "sent to it, and what happened.\n\n"
		    "options:\n%s"
		    "      --all           merged incidents too (with the number they went into)\n"
		    "      --json          one JSON object per line instead of the table\n\n"
		    "exit status: 0 ok (with or without incidents); 1 store error; 2 usage.\n",
		    common_opts);
	else if (!strcmp(cmd, "report"))
		fprintf(
		    f,
		    "usage: mamori report ID [options]\n"
		    "The damage report of incident ID: which hosts, since when, who, what left\n"
		    "and how much, files, personal data, and what could not be seen.\n\n"
		    "options:\n%s"
		    "      --markdown      Markdown (the default)\n"
		    "      --html          one self-contained HTML file with a timeline chart\n"
		    "      --json          the incident document (docs/incidents.md)\n"
		    "  -o, --output FILE   write there instead of standard output\n\n"
		    "exit status: 0 ok; 1 no such incident, store or write error; 2 usage.\n",
		    common_opts);
	else
		fprintf(
		    f,
		    "usage: mamori share ID [options]\n"
		    "Incident ID as a STIX 2.1 bundle for a national centre: identity, incident\n"
		    "and report, indicators, sightings, observed data, attack patterns and\n"
		    "relationships, a TLP 2.0 marking; internal addresses are pseudonymised\n"
		    "with share.pseudonym-key.\n\n"
		    "options:\n%s"
		    "      --tlp LEVEL     clear, green, amber (default: share.tlp), amber+strict, "
		    "red\n"
		    "  -o, --output FILE   write there instead of standard output\n\n"
		    "exit status: 0 ok; 1 no such incident, no pseudonym key, store or write\n"
		    "error; 2 usage.\n",
		    common_opts);
}

/* Options and the store. 0, or the exit status. */
static int cmd_open(struct cmd *c, int argc, char **argv, int64_t *id)
{
	int o;
	config_defaults(&c->cfg);
	optind = 1;
	while ((o = getopt_long(argc, argv, "d:c:o:qh", opts, NULL)) != -1) {
		switch (o) {
		case O_STORE:
			c->store = optarg;
			break;
		case 'd':
			c->dir = optarg;
			break;
		case 'c':
			c->cfg_path = optarg;
			break;
		case O_SET:
			if (c->nsets == (int)(sizeof(c->sets) / sizeof(c->sets[0]))) {
				log_error("too many --set");
				return 2;
			}
			c->sets[c->nsets++] = optarg;
			break;
		case 'o':
			c->out = optarg;
			break;
		case O_JSON:
			c->json = true;
			break;
		case O_HTML:
			c->html = true;
			break;
		case O_MD:
			c->html = c->json = false;
			break;
		case O_ALL:
			c->all = true;
			break;
		case O_TLP:
			c->tlp = optarg;
			break;
		case O_NO_UPDATE:
			c->no_update = true;
			break;
		case 'q':
			log_set_level(LOG_ERROR);
			break;
		case 'h':
			usage(stdout, argv[0]);
			return -1;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	bool need_id = strcmp(argv[0], "incidents") != 0;
	if (need_id) {
		char *end;
		if (optind != argc - 1 || (*id = strtoll(argv[optind], &end, 10)) <= 0 || *end) {
			usage(stderr, argv[0]);
			return 2;
		}
	} else if (optind != argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (c->cfg_path && config_load_file(&c->cfg, c->cfg_path) < 0)
		return 2;
	for (int i = 0; i < c->nsets; i++)
		if (config_set_kv(&c->cfg, c->sets[i]) < 0)
			return 2;
	if (c->store)
		snprintf(c->path, sizeof(c->path), "%s", c->store);
	else
		snprintf(c->path, sizeof(c->path), "%s/mamori.db", c->dir ? c->dir : ".");
	if (incident_ctx_init(&c->x, &c->cfg, NULL) < 0)
		return 2;
	c->have_x = true;
	if (!c->no_update) {
		if (store_open_writer(c->path, &c->db) < 0)
			return 1;
		struct incident_stats st;
		sqlite3_busy_timeout(c->db, 10000);
		if (incident_update(c->db, &c->x, &st) < 0)
			return 1;
	} else if (store_open_reader(c->path, &c->db) < 0) {
		return 1;
	}
	return 0;
}

static void cmd_close(struct cmd *c)
{
	sqlite3_close(c->db);
	if (c->have_x)
		incident_ctx_free(&c->x);
}

static FILE *out_open(const struct cmd *c)
{
	if (!c->out || !strcmp(c->out, "-"))
		return stdout;
	FILE *f = fopen(c->out, "w");
	if (!f)
		log_error("%s: %s", c->out, strerror(errno));
	return f;
}

static int out_close(const struct cmd *c, FILE *f)
{
	int bad = ferror(f) || fflush(f) != 0;
	if (f != stdout)
		bad |= fclose(f) != 0;
	if (bad)
		log_error("%s: write failed", c->out ? c->out : "standard output");
	return bad ? 1 : 0;
}

/* "3d 04h", "2h 05m", "12m 30s" */
static void dwell_text(int64_t us, char *out, size_t outlen)
{
	int64_t s = us / 1000000;
	if (s >= 86400)
		snprintf(out, outlen, "%" PRId64 "d %02" PRId64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, outlen, "%" PRId64 "h %02" PRId64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(out, outlen, "%" PRId64 "m %02" PRId64 "s", s / 60, s % 60);
}

static void bytes_text(int64_t b, char *out, size_t outlen)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)b;
	int u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(out, outlen, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

json_t *incident_list_item(sqlite3_stmt *st)
{
	int64_t id = sqlite3_column_int64(st, 0), first = sqlite3_column_int64(st, 1),
		last = sqlite3_column_int64(st, 2), merged = sqlite3_column_int64(st, 11);
	const char *sev = (const char *)sqlite3_column_text(st, 4);
	const char *status = (const char *)sqlite3_column_text(st, 5);
	const char *title = (const char *)sqlite3_column_text(st, 6);
	char ts[48];
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "severity", json_string(sev ? sev : ""));
	json_object_set_new(o, "score", json_integer(sqlite3_column_int64(st, 3)));
	json_object_set_new(o, "status", json_string(status ? status : ""));
	json_format_ts((uint64_t)(first > 0 ? first : 0) * 1000, ts, sizeof(ts));
	json_object_set_new(o, "first_seen", json_string(ts));
	json_format_ts((uint64_t)(last > 0 ? last : 0) * 1000, ts, sizeof(ts));
	json_object_set_new(o, "last_seen", json_string(ts));
	json_object_set_new(o, "dwell_seconds", json_real((double)(last - first) / 1e6));
	json_object_set_new(o, "hosts", json_integer(sqlite3_column_int64(st, 7)));
	json_object_set_new(o, "infrastructure", json_integer(sqlite3_column_int64(st, 8)));
	json_object_set_new(o, "signals", json_integer(sqlite3_column_int64(st, 9)));
	json_object_set_new(o, "bytes_out", json_integer(sqlite3_column_int64(st, 10)));
	/* json_string refuses bytes that are not UTF-8 */
	json_t *t = json_string(title ? title : "");
	json_object_set_new(o, "title", t ? t : json_string("(title not UTF-8)"));
	if (merged)
		json_object_set_new(o, "merged_into", json_integer(merged));
	return o;
}

static int incidents_run(struct cmd *c)
{
	sqlite3_stmt *st;
	const char *sql = c->all ? "SELECT " INCIDENT_LIST_COLUMNS " FROM incident ORDER BY "
				   "last DESC, id DESC"
				 : "SELECT " INCIDENT_LIST_COLUMNS " FROM incident WHERE "
				   "merged_into IS NULL ORDER BY last DESC, id DESC";
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("%s: %s", c->path, sqlite3_errmsg(c->db));
		return 1;
	}
	FILE *f = out_open(c);
	if (!f) {
		sqlite3_finalize(st);
		return 1;
	}
	int rc, n = 0;
	if (!c->json)
		fprintf(f, "%5s  %-8s  %5s  %-6s  %-20s  %-8s  %5s  %5s  %9s  %s\n", "ID",
			"SEVERITY", "SCORE", "STATUS", "FIRST SEEN (UTC)", "DWELL", "HOSTS",
			"INFRA", "BYTES OUT", "TITLE");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), first = sqlite3_column_int64(st, 1),
			last = sqlite3_column_int64(st, 2);
		const char *sev = (const char *)sqlite3_column_text(st, 4);
		const char *status = (const char *)sqlite3_column_text(st, 5);
		const char *title = (const char *)sqlite3_column_text(st, 6);
		int64_t merged = sqlite3_column_int64(st, 11);
		char ts[48], dw[32], by[32];
		json_format_ts((uint64_t)(first > 0 ? first : 0) * 1000, ts, sizeof(ts));
		if (c->json) {
			json_t *o = incident_list_item(st);
			char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
						       JSON_REAL_PRECISION(16));
			if (line)
				fprintf(f, "%s\n", line);
			free(line);
			json_decref(o);
		} else {
			dwell_text(last - first, dw, sizeof(dw));
			bytes_text(sqlite3_column_int64(st, 10), by, sizeof(by));
			ts[19] = '\0';
			fprintf(f, "%5" PRId64 "  %-8s  %5d  %-6s  %-20s  %-8s  %5d  %5d  %9s  ",
				id, sev ? sev : "", sqlite3_column_int(st, 3),
				merged	 ? "merged"
				: status ? status
					 : "",
				ts, dw, sqlite3_column_int(st, 7), sqlite3_column_int(st, 8), by);
			/* the title as text: control bytes from stored names shown as '?' */
			for (const char *p = title ? title : ""; *p; p++)
				fputc((unsigned char)*p < 32 || *p == 127 ? '?' : *p, f);
			if (merged)
				fprintf(f, " (into %" PRId64 ")", merged);
			fputc('\n', f);
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("%s: %s", c->path, sqlite3_errmsg(c->db));
		out_close(c, f);
		return 1;
	}
	if (!n && !c->json)
		fprintf(f, "(no incidents in %s)\n", c->path);
	return out_close(c, f);
}

static json_t *doc_of(struct cmd *c, int64_t id)
{
	bool missing;
	json_t *doc = incident_doc(c->db, &c->x, id, &missing);
	if (!doc && missing)
		log_error("%s: no incident %" PRId64 " ('mamori incidents' lists them)", c->path,
			  id);
	return doc;
}

static int report_run(struct cmd *c, int64_t id)
{
	json_t *doc = doc_of(c, id);
	if (!doc)
		return 1;
	FILE *f = out_open(c);
	int rc = 1;
	if (f) {
		int w = 0;
		if (c->json) {
			w = json_dumpf(
			    doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(16));
			fputc('\n', f);
		} else if (c->html) {
			w = report_html(f, doc);
		} else {
			w = report_markdown(f, doc);
		}
		rc = out_close(c, f);
		if (w < 0)
			rc = 1;
	}
	json_decref(doc);
	return rc;
}

static int share_run(struct cmd *c, int64_t id)
{
	struct share_opts so;
	char err[512];
	json_t *bundle = NULL;
	if (c->tlp && config_set(&c->cfg, "share.tlp", c->tlp, "--tlp") < 0)
		return 2;
	share_opts_from_config(&so, &c->cfg);
	json_t *doc = doc_of(c, id);
	if (!doc)
		return 1;
	int rc = 1;
	if (share_stix(doc, &so, &bundle, err, sizeof(err)) < 0) {
		log_error("share: %s", err);
	} else {
		FILE *f = out_open(c);
		if (f) {
			int w = json_dumpf(bundle, f,
					   JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					       JSON_REAL_PRECISION(16));
			fputc('\n', f);
			rc = out_close(c, f) || w < 0 ? 1 : 0;
		}
	}
	json_decref(bundle);
	json_decref(doc);
	return rc;
}

int incident_cmd(int argc, char **argv)
{
	struct cmd *c = calloc(1, sizeof(*c));
	int64_t id = 0;
	if (!c)
		return 1;
	int rc = cmd_open(c, argc, argv, &id);
	if (rc < 0) {
		rc = 0; /* --help */
	} else if (rc == 0) {
		if (!strcmp(argv[0], "incidents"))
			rc = incidents_run(c);
		else if (!strcmp(argv[0], "report"))
			rc = report_run(c, id);
		else
			rc = share_run(c, id);
	}
	cmd_close(c);
	free(c);
	return rc;
}
