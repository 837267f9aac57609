/*
 * report_md — the damage report as Markdown (CommonMark with GFM tables),
 * for tickets, e-mail and the wiki. The body is report_body's; this file
 * writes the title block and the closing line.
 */
#include "incident/report.h"

#include <string.h>

#include "incident/report_int.h"

static void title_block(struct report_out *o, const json_t *doc)
{
	char a[REPORT_BUF];
	uint64_t id, score;
	const char *title = report_str(doc, "title");
	report_lit(o, "# Incident");
	if (report_u64(doc, "id", &id))
		report_printf(o, " %llu", (unsigned long long)id);
	if (title) {
		report_lit(o, ": ");
		report_text(o, title);
	}
	report_lit(o, "\n\n");

	const char *sev = report_severity_class(doc);
	report_lit(o, "Severity ");
	if (strcmp(sev, "unknown"))
		report_printf(o, "**%c%s**", sev[0] - 'a' + 'A', sev + 1);
	else
		report_lit(o, "not stated");
	if (report_u64(doc, "score", &score))
		report_printf(o, " · score **%llu** / 100", (unsigned long long)score);
	const char *status = report_str(doc, "status");
	if (status) {
		report_lit(o, " · status ");
		report_textn(o, status, 40);
	}
	double t;
	if (report_time(doc, "first_seen", &t))
		report_printf(o, " · first seen %s UTC", report_utc(a, t));
	if (report_time(doc, "last_seen", &t))
		report_printf(o, " · last seen %s UTC", report_utc(a, t));
	if (report_time(doc, "updated", &t))
		report_printf(o, " · updated %s UTC", report_utc(a, t));
	report_lit(o, "\n\n");
}

int report_markdown(FILE *out, const json_t *doc)
{
	struct report_out o = {.f = out, .fmt = REPORT_MD};
	if (!json_is_object(doc))
		doc = NULL;
	title_block(&o, doc);
	report_body(&o, doc);
	report_lit(&o, "---\n\n_Damage report of the incident document; times are UTC; figures "
		       "are exact where given in bytes, records or counts; URL schemes are "
		       "defanged (hxxp)._\n");
	return report_finish(&o);
}
