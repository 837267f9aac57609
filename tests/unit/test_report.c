/*
 * test_report — the damage report (src/incident/report*.c) rendered from
 * the fixtures in tests/incident/: the key figures of an intrusion in both
 * formats, the kill chain in its order, the SVG chart with one lane per
 * tactic; a hostile document (markup, quotes, pipes, newlines, long and
 * unusual text, wrong types) that must come out escaped, with every Markdown
 * table row whole and no tag or attribute but the renderer's own; every
 * member of the intrusion replaced by each wrong type in turn; 500 timeline
 * entries over 180 days; and a write error.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "incident/report.h"

#ifndef MAMORI_SOURCE_DIR
#define MAMORI_SOURCE_DIR "."
#endif

static json_t *load(const char *name)
{
	char path[512];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/tests/incident/%s", MAMORI_SOURCE_DIR, name);
	json_t *d = json_load_file(path, 0, &je);
	if (!d)
		fprintf(stderr, "%s:%d: %s\n", path, je.line, je.text);
	return d;
}

/* The report as a string (free it), or NULL when rendering failed. */
static char *render(const json_t *doc, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	int rc = html ? report_html(f, doc) : report_markdown(f, doc);
	fclose(f);
	if (rc != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0, w = strlen(what);
	for (const char *p = s; (p = strstr(p, what)); p += w)
		n++;
	return n;
}

static bool has(const char *s, const char *what)
{
	return s && strstr(s, what) != NULL;
}

static bool has_nocase(const char *s, const char *what)
{
	return s && strcasestr(s, what) != NULL;
}

/* Whether the strings appear in s in this order after from. */
static bool in_order(const char *s, const char *from, const char *const *what, size_t n)
{
	const char *p = s ? strstr(s, from) : NULL;
	for (size_t i = 0; p && i < n; i++)
		p = strstr(p, what[i]);
	return p != NULL;
}

/* ---- HTML: only the renderer's own tags and attributes ---- */

static const char *const tags[] = {
    "!DOCTYPE", "html", "head",	 "meta",   "title", "style", "body", "main", "header", "footer",
    "div",	"span", "h1",	 "h2",	   "h3",    "p",     "ul",   "li",   "strong", "code",
    "br",	"wbr",	"table", "thead",  "tbody", "tr",    "th",   "td",   "figure", "figcaption",
    "svg",	"g",	"rect",	 "circle", "line",  "text",  "tspan"};
static const char *const attrs[] = {
    "lang",   "charset", "http-equiv", "content", "name", "class", "id",  "viewBox", "width",
    "height", "role",	 "aria-label", "x",	  "y",	  "x1",	   "y1",  "x2",	     "y2",
    "cx",     "cy",	 "r",	       "rx",	  "fill", "style", "html"};

static bool listed(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncasecmp(list[i], s, len))
			return true;
	return false;
}

/* Every tag is one of the renderer's, with its attributes double-quoted and
 * named from the list; text between tags holds no '<'. Returns the number of
 * problems (printed). */
static int html_tags_ok(const char *s)
{
	int bad = 0;
	for (const char *p = s; (p = strchr(p, '<'));) {
		p++;
		if (*p == '/')
			p++;
		const char *n = p;
		while (isalnum((unsigned char)*p) || *p == '!')
			p++;
		if (!listed(tags, sizeof(tags) / sizeof(tags[0]), n, (size_t)(p - n))) {
			fprintf(stderr, "unexpected tag: %.40s\n", n - 1);
			bad++;
			continue;
		}
		bool in_style = (size_t)(p - n) == 5 && !strncasecmp(n, "style", 5) && n[-1] != '/';
		while (*p && *p != '>') {
			while (*p == ' ' || *p == '\n' || *p == '/')
				p++;
			if (*p == '>' || !*p)
				break;
			const char *a = p;
			while (*p && *p != '=' && *p != ' ' && *p != '>')
				p++;
			if (!listed(attrs, sizeof(attrs) / sizeof(attrs[0]), a, (size_t)(p - a))) {
				fprintf(stderr, "unexpected attribute: %.40s\n", a);
				bad++;
			}
			if (*p == '=') {
				if (p[1] != '"') {
					fprintf(stderr, "unquoted attribute: %.40s\n", a);
					bad++;
					break;
				}
				p = strchr(p + 2, '"');
				if (!p)
					return bad + 1;
				p++;
			}
		}
		if (in_style) {
			/* the style sheet is the renderer's own: no loads from it */
			const char *end = strstr(p, "</style>");
			if (!end)
				return bad + 1;
			for (const char *q = p; q < end; q++)
				if (!strncmp(q, "url(", 4) || !strncmp(q, "@import", 7)) {
					fprintf(stderr, "style sheet loads something\n");
					bad++;
				}
			p = end;
		}
	}
	return bad;
}

/* No resource from elsewhere, and a policy forbidding any. strict: the
 * document's text holds no "src=" or "@import" either, so none at all. */
static void check_self_contained(const char *h, bool strict)
{
	CHECK(has(h, "<meta charset=\"utf-8\">"));
	CHECK(has(h, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
	CHECK(!has_nocase(h, "http://"));
	CHECK(!has_nocase(h, "https://"));
	if (strict) {
		CHECK(!has_nocase(h, "src="));
		CHECK(!has_nocase(h, "href="));
		CHECK(!has_nocase(h, "@import"));
		CHECK(!has_nocase(h, "url("));
	}
	CHECK(!has_nocase(h, "<script"));
	CHECK(!has_nocase(h, "<link"));
	CHECK(!has(h, "\"onload="));
	CHECK(!has(h, "'onload="));
	CHECK_EQ(html_tags_ok(h), 0);
}

/* ---- Markdown: whole table rows, escaped markup ---- */

/* Unescaped '|' in a line. */
static size_t pipes(const char *l, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (l[i] == '\\') {
			i++;
			continue;
		}
		n += l[i] == '|';
	}
	return n;
}

/* Every row of a table has as many cells as its head; no '<' or '`' of the
 * document's is left unescaped (the renderer's code spans hold hex only);
 * every heading is the renderer's. Returns the number of problems. */
static int md_ok(const char *s)
{
	static const char *const heads[] = {"# Incident",
					    "## Summary",
					    "## Affected hosts",
					    "## Attacker infrastructure",
					    "## ATT&CK kill chain",
					    "## Timeline",
					    "## Damage assessment",
					    "## Visibility",
					    "## Signals",
					    "### Data sent out",
					    "### Data received",
					    "### Files taken out",
					    "### Attacker tools brought in",
					    "### Files moved between affected machines (staged)",
					    "### Personal data"};
	int bad = 0;
	size_t cols = 0;
	for (const char *l = s; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		if (len && l[0] == '|') {
			size_t n = pipes(l, len);
			if (!cols)
				cols = n;
			if (n != cols || l[len - 1] != '|') {
				fprintf(stderr, "broken table row (%zu of %zu pipes): %.60s\n", n,
					cols, l);
				bad++;
			}
		} else {
			cols = 0;
		}
		if (len && l[0] == '#') {
			bool ours = false;
			for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
				ours |= !strncmp(l, heads[i], strlen(heads[i]));
			if (!ours) {
				fprintf(stderr, "unexpected heading: %.60s\n", l);
				bad++;
			}
		}
		for (size_t i = 0; i < len; i++) {
			if (l[i] == '\\') {
				i++;
			} else if (l[i] == '<') {
				fprintf(stderr, "unescaped '<': %.60s\n", l + i);
				bad++;
			} else if (l[i] == '`') {
				size_t k = i + 1;
				while (k < len && isxdigit((unsigned char)l[k]))
					k++;
				if (k == len || l[k] != '`' || k == i + 1) {
					fprintf(stderr, "unescaped '`': %.60s\n", l + i);
					bad++;
				}
				i = k;
			}
		}
		l += len + (e != NULL);
	}
	return bad;
}

/* ---- the intrusion ---- */

static void test_intrusion(void)
{
	json_t *doc = load("doc-intrusion.json");
	CHECK(doc != NULL);
	if (!doc)
		return;
	char *md = render(doc, false), *h = render(doc, true);
	CHECK(md != NULL);
	CHECK(h != NULL);
	static const char *const figures[] = {
	    "10.10.1.23", "10.10.1.55", "185.243.115.84", "45.67.230.12", "update.cdn-sync.net",
	    "dl.cdn-sync.net", "KOI SHADOW", "AS64500", "Example Hosting B.V.", "country NL",
	    "a hosting provider",
	    /* dwell, first seen */
	    "1 hour 46 minutes", "6,416 seconds", "2024-01-15 09:12:04", "2024-01-15 10:59:00",
	    /* bytes out: total, per host, per channel, human and exact */
	    "25.6 MB (25,569,472 bytes)", "25.4 MB (25,351,680 bytes)", "217.8 kB (217,792 bytes)",
	    "8.4 MB (8,388,608 bytes)", "17.0 MB (16,963,072 bytes)", "2.4 MB (2,411,520 bytes)",
	    /* files */
	    "customers.xlsx.csv", "update-kb5034.exe", "svchost-helper.exe", "stage-01.7z",
	    "1,118,208 bytes",
	    /* personal data */
	    "1,200", "1,180", "1,150", "My Number", "payment card numbers", "in 2 uploads",
	    /* damage: confidence and what was not seen */
	    "16,777,216 bytes from 10.10.1.55 to 45.67.230.12 went over TLS",
	    "Nothing is reported as unseen for this figure.",
	    "57 of 412 flows (14 %) were encrypted", "hxxp://update.cdn-sync.net/kb/"};
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
		if (!has(md, figures[i]) || !has(h, figures[i]))
			fprintf(stderr, "missing: %s (md %d, html %d)\n", figures[i],
				has(md, figures[i]), has(h, figures[i]));
		CHECK(has(md, figures[i]) && has(h, figures[i]));
	}
	/* every file's SHA-256 */
	static const char *const kinds[] = {"files_out", "tools_in", "staged"};
	size_t hashes = 0;
	for (size_t k = 0; k < 3; k++) {
		json_t *files = json_object_get(
		    json_object_get(json_object_get(doc, "damage"), kinds[k]), "files");
		size_t i;
		json_t *f;
		json_array_foreach(files, i, f) {
			const char *sha = json_string_value(json_object_get(f, "sha256"));
			CHECK(sha && strlen(sha) == 64 && has(md, sha) && has(h, sha));
			hashes++;
		}
	}
	CHECK_EQ(hashes, 4);
	/* severity, score, sections in order */
	CHECK(has(md, "Severity **Critical** · score **92** / 100"));
	CHECK(has(h, "<span class=\"badge sevbig critical\">CRITICAL</span>"));
	CHECK(has(h, "Score 92 / 100"));
	static const char *const sections[] = {
	    "Why this score",	       "Summary",    "Affected hosts",
	    "Attacker infrastructure", "kill chain", "Timeline",
	    "Damage assessment",       "Visibility", "Signals"};
	CHECK(in_order(md, "# Incident 7", sections, 9));
	CHECK(in_order(h, "<h1>", sections, 9));
	/* the kill chain in the document's (kill-chain) order */
	static const char *const chain[] = {"TA0007", "TA0008", "TA0009", "TA0011", "TA0010"};
	CHECK(in_order(md, "## ATT&CK kill chain", chain, 5));
	CHECK(in_order(h, "<h2 id=\"killchain\">", chain, 5));
	CHECK(has(md, "T1071.001 Web Protocols × 42"));
	/* the chart: one lane per tactic in that order, one per host */
	CHECK_EQ(count(h, "<svg"), 1);
	CHECK_EQ(count(h, "<g class=\"lane\">"), 5);
	CHECK_EQ(count(h, "<g class=\"lane-other\">"), 1);
	CHECK_EQ(count(h, "<g class=\"hlane\">"), 2);
	static const char *const lanes[] = {"TA0007</tspan> Discovery", "TA0008</tspan> Lateral",
					    "TA0009</tspan> Collection", "TA0011</tspan> Command",
					    "TA0010</tspan> Exfiltration"};
	CHECK(in_order(h, "<svg", lanes, 5));
	/* nine entries, each in its tactic's lane and its host's: none merged */
	CHECK_EQ(count(h, "class=\"mk\""), 18);
	CHECK_EQ(count(h, "class=\"mk mg\""), 0);
	CHECK(has(h, "a tick every 15 minutes"));
	CHECK(has(h, ">09:15</text>"));
	CHECK(has(h, ">10:45</text>"));
	CHECK(!has(h, "merged into one"));
	/* a repeated entry is a bar with its details */
	CHECK(has(h, "2024-01-15 09:15:00 to 10:58:00 UTC · Beacon ×24 · severity 2 · T1071.001 "
		     "Web Protocols\n10.10.1.23 → 185.243.115.84"));
	check_self_contained(h, true);
	CHECK_EQ(md_ok(md), 0);
	CHECK(!has(md, "http://"));
	CHECK(has(md, "hxxp://update.cdn-sync.net/kb/update-kb5034.exe"));
	free(md);
	free(h);
	json_decref(doc);
}

/* ---- hostile text and wrong types ---- */

static void test_hostile(void)
{
	json_t *doc = load("doc-hostile.json");
	CHECK(doc != NULL);
	if (!doc)
		return;
	char *md = render(doc, false), *h = render(doc, true);
	CHECK(md != NULL);
	CHECK(h != NULL);
	if (!md || !h)
		goto out;
	check_self_contained(h, false);
	CHECK(has(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CHECK(has(h, "&quot;onload=alert(1)"));
	CHECK(has(h, "| pipes |"));
	CHECK(!has(h, "\xe2\x80\xae")); /* bidi override */
	CHECK(!has(h, "\xe2\x81\xa6")); /* bidi isolate */
	CHECK(has(h, "hxxps://evil.example/x.js"));
	CHECK_EQ(md_ok(md), 0);
	CHECK(has(md, "\\<script\\>alert(1)\\</script\\>"));
	CHECK(has(md, "\\| pipes \\|"));
	CHECK(!has(md, "http://"));
	CHECK(!has(md, "https://"));
	CHECK(!has(md, "\xe2\x80\xae"));
	CHECK(has(md, "日本語の理由"));
	/* long text is cut: 400 bytes and an ellipsis */
	char w[402];
	memset(w, 'W', 401);
	w[401] = '\0';
	CHECK(!has(md, w) && !has(h, w));
	w[400] = '\0';
	CHECK(has(md, w) && has(h, "WWWWWWWW…"));
	/* wrong types are left out, the rest is there */
	CHECK(has(md, "Severity not stated"));
	CHECK(has(h, "SEVERITY NOT STATED"));
	CHECK(has(md, "No ATT&CK tactic is named."));
	CHECK(has(md, "How much data left is not known"));
	CHECK(has(md, "9,223,372,036,854,775,807 bytes"));
	CHECK(has(md, "Which files is not known."));
	CHECK_EQ(count(h, "<g class=\"lane\">"), 3); /* TA0011, TA0010, the hostile id */
	CHECK(has(h, "4 signals without a time") == false);
	CHECK(has(h, "1 signal without a time is not drawn"));
out:
	free(md);
	free(h);
	json_decref(doc);
}

/* Every member and element of the intrusion, recursively, replaced by each
 * wrong type and removed: both renderers still succeed and stay escaped. */
static size_t mutations, mutation_failures;

static void render_mutant(const json_t *root)
{
	char *md = render(root, false), *h = render(root, true);
	mutations++;
	if (!md || !h || has_nocase(h, "<script") || has(h, "http://") || has(h, "\"onload=")) {
		mutation_failures++;
		fprintf(stderr, "mutant failed (%zu)\n", mutations);
	}
	free(md);
	free(h);
}

static void mutate(json_t *root, json_t *node, int depth)
{
	json_t *wrong[] = {json_null(),	       json_integer(-1),
			   json_real(1.5e300), json_string("<script>alert(1)</script>"),
			   json_array(),       json_object()};
	size_t nw = sizeof(wrong) / sizeof(wrong[0]);
	if (json_is_object(node)) {
		/* the keys first: removing and putting back moves a key last */
		size_t nk = json_object_size(node), k = 0;
		char **keys = calloc(nk ? nk : 1, sizeof(*keys));
		const char *key;
		json_t *v;
		json_object_foreach(node, key, v)
			keys[k++] = strdup(key);
		for (k = 0; k < nk; k++) {
			key = keys[k];
			json_t *keep = json_incref(json_object_get(node, key));
			for (size_t i = 0; i < nw; i++) {
				json_object_set(node, key, wrong[i]);
				render_mutant(root);
			}
			json_object_del(node, key);
			render_mutant(root);
			json_object_set_new(node, key, keep);
			if (depth < 6)
				mutate(root, keep, depth + 1);
			free(keys[k]);
		}
		free(keys);
	} else if (json_is_array(node)) {
		for (size_t k = 0; k < json_array_size(node); k++) {
			json_t *keep = json_incref(json_array_get(node, k));
			/* each element once as each wrong type; one of a run of
			 * alike elements (timeline, files) goes deeper */
			for (size_t i = 0; i < nw; i++) {
				json_array_set(node, k, wrong[i]);
				render_mutant(root);
			}
			json_array_set_new(node, k, keep);
			if (depth < 6 && (k == 0 || !json_is_object(keep)))
				mutate(root, keep, depth + 1);
		}
	}
	for (size_t i = 0; i < nw; i++)
		json_decref(wrong[i]);
}

static void test_wrong_types(void)
{
	json_t *doc = load("doc-intrusion.json");
	CHECK(doc != NULL);
	if (!doc)
		return;
	mutate(doc, doc, 0);
	printf("test_report: %zu mutants rendered\n", mutations);
	CHECK(mutations > 1000);
	CHECK_EQ(mutation_failures, 0);
	json_decref(doc);

	/* not an object at all, or empty */
	json_t *odd[] = {NULL, json_array(), json_string("x"), json_object()};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		char *md = render(odd[i], false), *h = render(odd[i], true);
		CHECK(md && has(md, "# Incident\n") && has(md, "No affected host is named."));
		CHECK(h && has(h, "</html>\n"));
		if (h)
			CHECK_EQ(html_tags_ok(h), 0);
		free(md);
		free(h);
		json_decref(odd[i]);
	}
}

/* ---- scale: 500 entries over 180 days, and a single one ---- */

static json_t *timed(json_t *o, const char *key, double t)
{
	char k[64], v[64];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(v, sizeof(v), "%Y-%m-%dT%H:%M:%S.000000+0000", &tm);
	snprintf(k, sizeof(k), "%s_epoch", key);
	json_object_set_new(o, key, json_string(v));
	json_object_set_new(o, k, json_real(t));
	return o;
}

static json_t *long_doc(size_t n, double span)
{
	static const char *const tactic[][2] = {{"TA0007", "Discovery"},
						{"TA0008", "Lateral Movement"},
						{"TA0009", "Collection"},
						{"TA0011", "Command and Control"},
						{"TA0010", "Exfiltration"}};
	static const char *const hosts[] = {"10.1.0.1", "10.1.0.2", "10.1.0.3"};
	double t0 = 1688169600; /* 2023-07-01 */
	json_t *doc = json_object(), *tl = json_array(), *ta = json_array(), *hs = json_array();
	json_object_set_new(doc, "id", json_integer(42));
	json_object_set_new(doc, "severity", json_string("high"));
	timed(doc, "first_seen", t0);
	timed(doc, "last_seen", t0 + span);
	for (size_t k = 0; k < 5; k++) {
		json_t *t = json_pack("{s:s, s:s}", "id", tactic[k][0], "name", tactic[k][1]);
		json_array_append_new(ta,
				      timed(timed(t, "first_seen", t0), "last_seen", t0 + span));
	}
	for (size_t k = 0; k < 3; k++)
		json_array_append_new(
		    hs, timed(timed(json_pack("{s:s}", "ip", hosts[k]), "first_seen", t0),
			      "last_seen", t0 + span));
	/* most entries are command and control, as beacons are */
	for (size_t i = 0; i < n; i++) {
		size_t k = i % 10 < 6 ? 3 : i % 5;
		double ts = t0 + span * (double)i / (double)(n > 1 ? n - 1 : 1);
		json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "kind", "beacon",
				      "tactic_id", tactic[k][0], "tactic", tactic[k][1], "host",
				      hosts[i % 3], "peer", "203.0.113.9", "summary", "beacon",
				      "severity", (int)(i % 3) + 1, "count", i % 4 ? 1 : 12);
		timed(e, "ts", ts);
		if (i % 4 == 0)
			timed(e, "last_ts", ts + 3600);
		json_array_append_new(tl, e);
	}
	json_object_set_new(doc, "hosts", hs);
	json_object_set_new(doc, "tactics", ta);
	json_object_set_new(doc, "timeline", tl);
	return doc;
}

/* The markers of each <g class="lane"> group: at most max in any. */
static size_t max_marks_per_lane(const char *h)
{
	size_t most = 0;
	for (const char *p = h; (p = strstr(p, "<g class=\"lane\">"));) {
		const char *end = strstr(p, "</g>");
		size_t n = 0;
		for (const char *q = p; (q = strstr(q, "class=\"mk")) && q < end; q++)
			n++;
		most = n > most ? n : most;
		p = end;
	}
	return most;
}

static void test_scale(void)
{
	json_t *doc = long_doc(500, 180 * 86400.0);
	char *h = render(doc, true), *md = render(doc, false);
	CHECK(h != NULL && md != NULL);
	CHECK_EQ(count(h, "<g class=\"lane\">"), 5);
	CHECK_EQ(count(h, "<g class=\"hlane\">"), 3);
	CHECK(has(h, "a tick every 1 month"));
	CHECK(count(h, "class=\"tk\"") >= 5 && count(h, "class=\"tk\"") <= 10);
	CHECK(has(h, ">Aug</text>"));
	CHECK(has(h, ">2023</text>"));
	CHECK(has(h, "merged into one outlined marker"));
	CHECK(count(h, "class=\"mk mg\"") > 0);
	CHECK(max_marks_per_lane(h) <= 61);
	CHECK_EQ(count(md, "| Beacon |"), 500);
	check_self_contained(h, true);
	CHECK_EQ(md_ok(md), 0);
	free(h);
	free(md);
	json_decref(doc);

	/* two hours: minute ticks; one entry: one dot */
	doc = long_doc(1, 2 * 3600.0);
	h = render(doc, true);
	CHECK(h != NULL);
	CHECK(has(h, "a tick every 15 minutes"));
	CHECK_EQ(count(h, "<circle class=\"mk\"") + count(h, "<rect class=\"mk\""), 2);
	CHECK(!has(h, "merged into one"));
	free(h);
	json_decref(doc);
}

static void test_write_error(void)
{
	json_t *doc = load("doc-intrusion.json");
	FILE *f = fopen("/dev/full", "w");
	CHECK(f != NULL);
	if (f && doc) {
		CHECK_EQ(report_markdown(f, doc), -1);
		clearerr(f);
		CHECK_EQ(report_html(f, doc), -1);
	}
	if (f)
		fclose(f);
	json_decref(doc);
}

int main(void)
{
	test_intrusion();
	test_hostile();
	test_wrong_types();
	test_scale();
	test_write_error();
	return check_report("test_report");
}
