/*
 * api_incidents — GET /api/incidents (the list), /api/incidents/ID (the
 * document), /api/incidents/ID/report (HTML or Markdown) and
 * /api/incidents/ID/stix (the STIX 2.1 bundle, as an attachment): what
 * `mamori incidents`, `report` and `share` print.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident/incident.h"
#include "incident/incident_cmd.h"
#include "incident/report.h"
#include "incident/share.h"
#include "web/web_int.h"

/* The report's own policy: no scripts, its inline styles and SVG only. */
#define REPORT_CSP                                                                                 \
	"default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "   \
	"base-uri 'none'; form-action 'none'"

void api_incidents(struct web_req *rq, struct web_resp *rs)
{
	const char *all = web_arg(rq, "all");
	bool every = all && strcmp(all, "0") && strcmp(all, "false");
	sqlite3_stmt *st;
	const char *sql = every ? "SELECT " INCIDENT_LIST_COLUMNS
				  " FROM incident ORDER BY last DESC, id DESC"
				: "SELECT " INCIDENT_LIST_COLUMNS " FROM incident WHERE merged_into"
				  " IS NULL ORDER BY last DESC, id DESC";
	if (sqlite3_prepare_v2(rq->db, sql, -1, &st, NULL) != SQLITE_OK) {
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(rq->db));
		return;
	}
	json_t *list = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, incident_list_item(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(rq->db));
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "incidents", list);
	web_json(rs, 200, o);
}

/* A report through a memory stream. */
static void report_as(struct web_resp *rs, const json_t *doc, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		web_error(rs, 500, "out of memory");
		return;
	}
	int w = html ? report_html(f, doc) : report_markdown(f, doc);
	if (fclose(f) != 0 || w < 0) {
		free(buf);
		web_error(rs, 500, "the report could not be written");
		return;
	}
	web_text(rs, 200, html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8", buf,
		 len);
	if (html)
		rs->csp = REPORT_CSP;
}

static void stix_of(struct web_req *rq, struct web_resp *rs, const json_t *doc, int64_t id)
{
	struct share_opts so;
	const char *tlp = web_arg(rq, "tlp");
	share_opts_from_config(&so, rq->srv->cfg);
	if (tlp && *tlp) {
		static const char *const levels[] = {"clear", "green", "amber", "amber+strict",
						     "red"};
		size_t i;
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]) && strcmp(tlp, levels[i]); i++)
			;
		if (i == sizeof(levels) / sizeof(levels[0])) {
			web_error(rs, 400, "tlp: clear, green, amber, amber+strict or red");
			return;
		}
		so.tlp = levels[i];
	}
	json_t *bundle = NULL;
	char err[512];
	if (share_stix(doc, &so, &bundle, err, sizeof(err)) < 0) {
		web_error(rs, 409, "share: %s", err);
		return;
	}
	char *s = share_dumps(bundle);
	json_decref(bundle);
	if (!s) {
		web_error(rs, 500, "out of memory");
		return;
	}
	web_text(rs, 200, "application/stix+json;version=2.1", s, strlen(s));
	snprintf(rs->disposition, sizeof(rs->disposition),
		 "attachment; filename=\"mamori-incident-%" PRId64 ".stix.json\"", id);
}

void api_incident(struct web_req *rq, struct web_resp *rs)
{
	const char *p = rq->path + strlen("/api/incidents/");
	char *end;
	if (*p < '1' || *p > '9' || strlen(p) > 40) {
		web_error(rs, 404, "no such incident");
		return;
	}
	long long id = strtoll(p, &end, 10);
	const char *what = *end == '/' ? end + 1 : NULL;
	if ((*end && !what) || (what && strcmp(what, "report") && strcmp(what, "stix"))) {
		web_error(rs, 404, "%s: no such resource", rq->path);
		return;
	}
	const char *format = web_arg(rq, "format");
	if (what && !strcmp(what, "report") && format && strcmp(format, "html") &&
	    strcmp(format, "markdown")) {
		web_error(rs, 400, "format: html or markdown");
		return;
	}
	bool missing = false;
	json_t *doc = incident_doc(rq->db, &rq->srv->ix, id, &missing);
	if (!doc) {
		if (missing)
			web_error(rs, 404, "no incident %lld", id);
		else
			web_error(rs, 500, "the incident could not be read: %s",
				  sqlite3_errmsg(rq->db));
		return;
	}
	if (!what)
		web_json(rs, 200, json_incref(doc));
	else if (!strcmp(what, "report"))
		report_as(rs, doc, !format || !strcmp(format, "html"));
	else
		stix_of(rq, rs, doc, id);
	json_decref(doc);
}
