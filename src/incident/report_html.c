/*
 * report_html — the damage report as one HTML5 file that opens anywhere and
 * prints on A4: inline CSS, an inline SVG chart (report_svg.c), no script, no
 * font, image or style from elsewhere, and a Content-Security-Policy that
 * forbids loading any. The body is report_body's; this file writes the page
 * around it, the title block with the severity badge and score, and the key
 * figures.
 */
#include "incident/report.h"

#include <string.h>

#include "incident/report_int.h"

/* Only the renderer's own values reach the style sheet. */
static const char css[] =
    ":root{--fg:#1b1f24;--mut:#5b6570;--line:#dde2e7;--soft:#f5f7f9;--crit:#b3261e;"
    "--high:#e8590c;--med:#f2a900;--low:#2f7d32;--unk:#6b7785}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "body{margin:0;background:#e9edf1;color:var(--fg);font:14px/1.5 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Noto Sans\",\"Noto Sans CJK JP\",\"Helvetica Neue\",Arial,"
    "sans-serif}\n"
    "main{max-width:1280px;margin:20px auto;background:#fff;padding:28px 40px 36px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.10)}\n"
    "header.top{border-left:8px solid var(--sev,var(--unk));padding:2px 0 2px 20px}\n"
    ".sev-critical{--sev:var(--crit)}.sev-high{--sev:var(--high)}.sev-medium{--sev:var(--med)}"
    ".sev-low{--sev:var(--low)}\n"
    ".kicker{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--mut)}\n"
    "h1{font-size:25px;line-height:1.3;margin:4px 0 10px;overflow-wrap:anywhere}\n"
    "h2{font-size:19px;margin:34px 0 10px;padding-bottom:5px;border-bottom:2px solid "
    "var(--line)}\n"
    "h3{font-size:15px;margin:22px 0 6px}\n"
    "p{margin:6px 0 10px;overflow-wrap:anywhere}\n"
    ".meta{display:flex;flex-wrap:wrap;align-items:center;gap:6px 16px;color:var(--mut);"
    "font-size:13px}\n"
    ".badge{display:inline-block;padding:0 8px;border-radius:9px;font-size:12px;"
    "font-weight:600;line-height:18px;color:#fff;background:var(--unk);white-space:nowrap}\n"
    ".badge.critical,.badge.s1,.badge.c-low{background:var(--crit)}"
    ".badge.high,.badge.s2{background:var(--high)}"
    ".badge.medium,.badge.s3,.badge.c-medium{background:var(--med);color:#1b1f24}"
    ".badge.low,.badge.c-high{background:var(--low)}\n"
    ".sevbig{font-size:15px;line-height:26px;padding:0 14px;border-radius:4px;"
    "letter-spacing:.06em}\n"
    ".score{color:var(--fg);font-weight:600}\n"
    ".meter{display:inline-block;width:110px;height:8px;margin-left:8px;background:#e1e6ea;"
    "border-radius:4px;vertical-align:middle;overflow:hidden}\n"
    ".meter>span{display:block;height:100%;background:var(--sev,var(--unk))}\n"
    ".cards{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:10px;"
    "margin:20px 0 6px}\n"
    ".card{border:1px solid var(--line);border-top:3px solid var(--sev,var(--unk));"
    "border-radius:5px;padding:9px 12px;background:var(--soft);min-width:0}\n"
    ".card .k{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--mut)}\n"
    ".card .v{font-size:21px;font-weight:700;line-height:1.25;margin-top:2px;"
    "overflow-wrap:anywhere}\n"
    ".card .x{display:block;margin-top:2px}\n"
    ".x{color:var(--mut);font-size:11.5px}\n"
    ".note{color:var(--mut);font-size:13px}\n"
    "ul{margin:4px 0 12px;padding-left:22px}li{margin:2px 0;overflow-wrap:anywhere}\n"
    "ul.unseen{list-style:none;padding:8px 12px 8px 14px;border-left:4px solid var(--med);"
    "background:#fff8e5}\n"
    ".tw{overflow-x:auto}\n"
    "table{border-collapse:collapse;width:100%;font-size:12.5px;margin:6px 0 14px}\n"
    "th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;"
    "vertical-align:top;overflow-wrap:break-word}\n"
    "th{background:var(--soft);font-weight:600;font-size:11.5px;color:#38414a;"
    "border-bottom:2px solid var(--line)}\n"
    "td.r,th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.t{white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "table.fit{width:auto;min-width:50%}\n"
    "td:first-child{min-width:8em}\n"
    "tbody tr:nth-child(even){background:#fafbfc}\n"
    "code{font:11.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\","
    "monospace;word-break:break-all}\n"
    ".kc{display:flex;gap:3px;margin:8px 0 12px}\n"
    ".kc-t{flex:1 1 0;min-width:0;font-size:10.5px;line-height:1.2;text-align:center;"
    "padding:7px 5px 7px 11px;hyphens:manual;background:#e9edf1;color:#8a949e;"
    "clip-path:polygon(0 0,calc(100% - 8px) 0,100% 50%,calc(100% - 8px) 100%,0 100%,8px 50%)}\n"
    ".kc-t.on{background:var(--crit);color:#fff;font-weight:600}\n"
    "figure.chart{margin:8px 0 16px}\n"
    "figure.chart svg{display:block;width:100%;height:auto;border:1px solid var(--line);"
    "border-radius:4px}\n"
    "figcaption{font-size:12px;color:var(--mut);margin-top:6px}\n"
    ".chart text{font-size:12px;fill:#2a3138}\n"
    ".chart .ll{text-anchor:end}.chart .lid{fill:#7a848e;font-size:11px}\n"
    ".chart .tk{text-anchor:middle;font-size:11.5px;font-variant-numeric:tabular-nums}\n"
    ".chart .tk2{text-anchor:middle;font-size:10.5px;fill:#6b7785}\n"
    ".chart .gh{font-size:10.5px;letter-spacing:.08em;fill:#6b7785;font-weight:600}\n"
    ".chart .lg{font-size:11.5px;fill:#38414a}\n"
    ".chart .gl{stroke:#c9d0d6}.chart .ax{stroke:#9aa4ad}\n"
    ".chart .gr{stroke:#e0e5e9;stroke-dasharray:2 3}\n"
    ".chart .st0{fill:#fff}.chart .st1{fill:#f6f8fa}\n"
    ".chart .mk{stroke:#fff;stroke-width:1.2}.chart .mg{stroke:#2a3138;stroke-width:1}\n"
    ".chart .hs{fill:#dfe6ec;opacity:.75}\n"
    "footer{margin-top:30px;padding-top:10px;border-top:1px solid var(--line);font-size:12px;"
    "color:var(--mut)}\n"
    "@media (max-width:900px){.cards{grid-template-columns:repeat(3,minmax(0,1fr))}"
    "main{padding:16px}}\n"
    "@page{size:A4;margin:12mm}\n"
    "@media print{body{background:#fff;font-size:11px}main{box-shadow:none;margin:0;"
    "max-width:none;padding:0}h2{break-after:avoid}tr,figure,.card{break-inside:avoid}"
    ".tw{overflow:visible}}\n";

static void head(struct report_out *o, const json_t *doc)
{
	uint64_t id;
	report_lit(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		      "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
		      "<meta name=\"referrer\" content=\"no-referrer\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>Incident");
	if (report_u64(doc, "id", &id))
		report_printf(o, " %llu", (unsigned long long)id);
	if (report_str(doc, "title")) {
		report_lit(o, ": ");
		report_textn(o, report_str(doc, "title"), 160);
	}
	report_lit(o, " — damage report</title>\n<style>\n");
	report_lit(o, css);
	report_lit(o, "</style>\n</head>\n");
}

/* "1 h 46 min", "12 d 3 h": short enough for a key figure. */
static void short_duration(struct report_out *o, double s)
{
	uint64_t v = s >= 0 && s < 1e11 ? (uint64_t)s : 0;
	uint64_t d = v / 86400, h = v % 86400 / 3600, m = v % 3600 / 60;
	if (d)
		report_printf(o, "%llu d %llu h", (unsigned long long)d, (unsigned long long)h);
	else if (h)
		report_printf(o, "%llu h %llu min", (unsigned long long)h, (unsigned long long)m);
	else if (m)
		report_printf(o, "%llu min", (unsigned long long)m);
	else
		report_printf(o, "%llu s", (unsigned long long)v);
}

static void card_open(struct report_out *o, const char *k)
{
	report_printf(o, "<div class=\"card\"><div class=\"k\">%s</div><div class=\"v\">", k);
}

static void card_x(struct report_out *o)
{
	report_lit(o, "</div><span class=\"x\">");
}

static void card_close(struct report_out *o)
{
	report_lit(o, "</span></div>\n");
}

/* The objects in an array (what the tables show). */
static size_t objects(const json_t *a)
{
	const json_t *v;
	size_t i, n = 0;
	json_array_foreach(a, i, v)
		if (json_is_object(v))
			n++;
	return n;
}

static size_t count_files(const json_t *damage, const char *key)
{
	return objects(report_arr(report_obj(damage, key), "files"));
}

/* The key figures, each with its exact value or where it comes from. */
static void cards(struct report_out *o, const json_t *doc)
{
	char a[REPORT_BUF];
	const json_t *damage = report_obj(doc, "damage");
	const json_t *hosts = report_arr(doc, "hosts"), *infra = report_arr(doc, "infrastructure");
	const json_t *v;
	size_t i, k;
	uint64_t x;
	report_lit(o, "<div class=\"cards\">\n");

	card_open(o, "Machines affected");
	report_printf(o, "%zu", objects(hosts));
	card_x(o);
	k = 0;
	json_array_foreach(hosts, i, v) {
		if (!report_str(v, "ip") || k >= 3)
			continue;
		report_lit(o, k++ ? ", " : "");
		report_textn(o, report_str(v, "ip"), 48);
	}
	if (objects(hosts) > k && k)
		report_lit(o, ", …");
	card_close(o);

	card_open(o, "Attacker systems");
	report_printf(o, "%zu", objects(infra));
	card_x(o);
	k = 0;
	json_array_foreach(infra, i, v) {
		const json_t *actors = report_arr(v, "actors"), *s;
		size_t j;
		json_array_foreach(actors, j, s) {
			if (!json_string_length(s) || k >= 2)
				continue;
			report_lit(o, k++ ? ", " : "actor ");
			report_textn(o, json_string_value(s), 48);
		}
	}
	if (!k)
		report_lit(o, "no actor named");
	card_close(o);

	card_open(o, "Dwell time");
	double dwell, f, l;
	bool has_f = report_time(doc, "first_seen", &f), has_l = report_time(doc, "last_seen", &l);
	if (report_real(doc, "dwell_seconds", &dwell) && dwell >= 0)
		short_duration(o, dwell);
	else if (has_f && has_l && l >= f)
		short_duration(o, l - f);
	else
		report_lit(o, "—");
	card_x(o);
	if (has_f)
		report_printf(o, "since %s UTC", report_utc(a, f));
	card_close(o);

	card_open(o, "Data sent out");
	if (report_u64(report_obj(damage, "bytes_out"), "total", &x)) {
		report_lit(o, report_size(a, x));
		card_x(o);
		report_printf(o, "%s bytes", report_thousands(a, x));
	} else {
		report_lit(o, "—");
		card_x(o);
		report_lit(o, "not known");
	}
	card_close(o);

	card_open(o, "Files taken out");
	report_printf(o, "%zu", count_files(damage, "files_out"));
	card_x(o);
	report_printf(o, "%zu tool%s in, %zu staged", count_files(damage, "tools_in"),
		      count_files(damage, "tools_in") == 1 ? "" : "s",
		      count_files(damage, "staged"));
	card_close(o);

	card_open(o, "Personal-data records");
	const json_t *pd = report_obj(damage, "personal_data");
	if (report_u64(pd, "records", &x)) {
		report_count(o, x);
		card_x(o);
		if (report_u64(pd, "uploads", &x))
			report_printf(o, "in %s upload%s", report_thousands(a, x),
				      x == 1 ? "" : "s");
	} else {
		report_lit(o, "—");
		card_x(o);
		report_lit(o, "not known");
	}
	card_close(o);
	report_lit(o, "</div>\n");
}

static void title_block(struct report_out *o, const json_t *doc)
{
	char a[REPORT_BUF];
	uint64_t id, score;
	const char *sev = report_severity_class(doc);
	report_printf(o,
		      "<header class=\"top sev-%s\">\n<div class=\"kicker\">Damage report · "
		      "Incident",
		      sev);
	if (report_u64(doc, "id", &id))
		report_printf(o, " %llu", (unsigned long long)id);
	report_lit(o, "</div>\n<h1>");
	if (report_str(doc, "title"))
		report_text(o, report_str(doc, "title"));
	else
		report_lit(o, "Incident");
	report_lit(o, "</h1>\n<div class=\"meta\">");
	if (strcmp(sev, "unknown")) {
		char up[16];
		size_t i = 0;
		for (; sev[i] && i + 1 < sizeof(up); i++)
			up[i] = (char)(sev[i] - 'a' + 'A');
		up[i] = '\0';
		report_printf(o, "<span class=\"badge sevbig %s\">%s</span>", sev, up);
	} else
		report_lit(o, "<span class=\"badge sevbig\">SEVERITY NOT STATED</span>");
	if (report_u64(doc, "score", &score)) {
		unsigned pct = score > 100 ? 100 : (unsigned)score;
		report_printf(o,
			      "<span class=\"score\">Score %llu / 100<span class=\"meter\"><span "
			      "style=\"width:%u%%\"></span></span></span>",
			      (unsigned long long)score, pct);
	}
	const char *status = report_str(doc, "status");
	if (status) {
		report_lit(o, "<span>Status: <strong>");
		report_textn(o, status, 40);
		report_lit(o, "</strong></span>");
	}
	double t;
	if (report_time(doc, "first_seen", &t))
		report_printf(o, "<span>First seen %s UTC</span>", report_utc(a, t));
	if (report_time(doc, "last_seen", &t))
		report_printf(o, "<span>Last seen %s UTC</span>", report_utc(a, t));
	if (report_time(doc, "updated", &t))
		report_printf(o, "<span>Updated %s UTC</span>", report_utc(a, t));
	report_lit(o, "</div>\n</header>\n");
}

int report_html(FILE *out, const json_t *doc)
{
	struct report_out o = {.f = out, .fmt = REPORT_HTML};
	uint64_t id;
	if (!json_is_object(doc))
		doc = NULL;
	head(&o, doc);
	report_printf(&o, "<body class=\"sev-%s\">\n<main>\n", report_severity_class(doc));
	title_block(&o, doc);
	cards(&o, doc);
	report_body(&o, doc);
	report_lit(&o, "<footer>Damage report of incident");
	if (report_u64(doc, "id", &id))
		report_printf(&o, " %llu", (unsigned long long)id);
	report_lit(&o, ", rendered from the incident document alone. Times are UTC. Byte, record "
		       "and signal counts are exact; sizes in kB/MB are decimal. URL schemes are "
		       "defanged (hxxp) so that nothing in this report is a live link.</footer>\n"
		       "</main>\n</body>\n</html>\n");
	return report_finish(&o);
}
