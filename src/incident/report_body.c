/*
 * report_body — what the Markdown and the HTML report both say, written once
 * through the writer of report_int.h: the reasons for the score, the summary
 * in plain words, and the sections (hosts, infrastructure, kill chain,
 * timeline, damage, visibility, signals). Only the title block, the page
 * around it and the chart differ between the two.
 */
#include "incident/report_int.h"

#include <string.h>

/* ---- words ---- */

static const char *const host_roles[][2] = {
    {"initial-access", "was the way in"},
    {"c2-client", "was controlled from outside"},
    {"discovery", "scanned the network"},
    {"lateral-source", "moved on to other machines"},
    {"lateral-target", "was reached from another affected machine"},
    {"staging", "held files gathered for removal"},
    {"exfiltration", "sent data out"},
    {"zone-violation", "broke a network zone rule"},
    {"intel-match", "contacted infrastructure known to threat intelligence"},
};

static const char *const infra_roles[][2] = {
    {"staging", "serving attacker tools"},
    {"c2", "command and control"},
    {"exfiltration", "receiving the data taken out"},
    {"dns-tunnel", "a DNS tunnel"},
    {"scanner", "scanning the network"},
    {"intel-match", "infrastructure listed by threat intelligence"},
};

static const char *const channels[][2] = {
    {"http", "HTTP"},
    {"tls", "TLS (encrypted)"},
    {"dns-tunnel", "DNS tunnel"},
    {"other", "other protocols"},
};

/* The contract's names and the personal-data analytic's (pii_type_name). */
static const char *const pii_types[][2] = {
    {"my_number", "My Number (individual number)"},
    {"mynumber", "My Number (individual number)"},
    {"card", "payment card numbers"},
    {"email", "e-mail addresses"},
    {"phone", "phone numbers"},
    {"phone_jp", "phone numbers"},
    {"name", "names"},
    {"address", "postal addresses"},
    {"postal_jp", "postal codes"},
    {"birth_date", "dates of birth"},
    {"passport", "passport numbers"},
    {"bank_account", "bank account numbers"},
};

static const char *const kinds[][2] = {
    {"alert", "Alert"},	      {"intel", "Intel match"},	    {"scan", "Scan"},
    {"beacon", "Beacon"},     {"dns_tunnel", "DNS tunnel"}, {"exfil", "Exfiltration"},
    {"pii", "Personal data"}, {"zone", "Zone violation"},   {"darknet", "Darknet"},
    {"file", "File"},
};

#define WORDS(t) (t), sizeof(t) / sizeof((t)[0])

/* The renderer's words for a document's name, or the name itself escaped. */
static void word(struct report_out *o, const char *const (*t)[2], size_t n, const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (!strcmp(key, t[i][0])) {
			report_lit(o, t[i][1]);
			return;
		}
	report_textn(o, key, REPORT_LABEL_MAX);
}

void report_kind(struct report_out *o, const char *kind)
{
	if (kind)
		word(o, WORDS(kinds), kind);
}

/* Separator before item i of n in a sentence: ", " or " and ". */
static void sep(struct report_out *o, size_t i, size_t n)
{
	if (i > 0)
		report_lit(o, i + 1 == n ? " and " : ", ");
}

/* The strings of an array member, joined by ", " (in words: "a, b and c");
 * at most max of them, then "and N more". Returns how many were written. */
static size_t strings(struct report_out *o, const json_t *obj, const char *key, size_t max,
		      bool words)
{
	const json_t *a = report_arr(obj, key), *v;
	size_t n = 0, i;
	json_array_foreach(a, i, v)
		if (json_string_length(v))
			n++;
	size_t shown = n > max ? max : n, k = 0;
	json_array_foreach(a, i, v) {
		if (!json_string_length(v) || k >= shown)
			continue;
		if (words && n == shown)
			sep(o, k, n);
		else if (k)
			report_lit(o, ", ");
		report_textn(o, json_string_value(v), REPORT_LABEL_MAX);
		k++;
	}
	if (n > shown)
		report_printf(o, " and %zu more", n - shown);
	return n;
}

static bool positive(const json_t *obj, const char *key, uint64_t *v)
{
	return report_u64(obj, key, v) && *v > 0;
}

/* "first to last" (the last on the first's day as a time only). */
static void range(struct report_out *o, const json_t *obj, const char *from, const char *to)
{
	char b[REPORT_BUF];
	double f, l;
	bool has_from = report_when(o, obj, from);
	if (has_from)
		report_lit(o, o->fmt == REPORT_HTML ? " to<br>" : " to ");
	if (has_from && report_time(obj, from, &f) && report_time(obj, to, &l))
		report_lit(o, report_utc_short(b, l, f));
	else
		report_when(o, obj, to);
}

static void strong_text(struct report_out *o, const char *s)
{
	report_strong(o, true);
	report_textn(o, s, REPORT_LABEL_MAX);
	report_strong(o, false);
}

/* Figures in a table cell: "25.2 MB" and the exact count under it. */
static void bytes_cell(struct report_out *o, uint64_t v)
{
	char a[REPORT_BUF], b[REPORT_BUF];
	if (v < 1000) {
		report_lit(o, report_size(a, v));
		return;
	}
	if (o->fmt == REPORT_HTML)
		report_printf(o, "%s<br><span class=\"x\">%s bytes</span>", report_size(a, v),
			      report_thousands(b, v));
	else
		report_printf(o, "%s (%s bytes)", report_size(a, v), report_thousands(b, v));
}

static void u64_cell(struct report_out *o, const json_t *obj, const char *key)
{
	uint64_t v;
	report_cell(o, true);
	if (report_u64(obj, key, &v))
		report_count(o, v);
	report_cell(o, false);
}

static void text_cell(struct report_out *o, const char *s)
{
	report_cell(o, true);
	report_text(o, s);
	report_cell(o, false);
}

static void when_cell(struct report_out *o, const json_t *obj, const char *key)
{
	report_cell(o, true);
	report_when(o, obj, key);
	report_cell(o, false);
}

/* The object of an array whose member key is the string value, or NULL. */
static const json_t *find_by(const json_t *arr, const char *key, const char *value)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v) {
		const char *s = report_str(v, key);
		if (s && value && !strcmp(s, value))
			return v;
	}
	return NULL;
}

const char *report_severity_class(const json_t *doc)
{
	static const char *const sev[] = {"critical", "high", "medium", "low"};
	const char *s = report_str(doc, "severity");
	for (size_t i = 0; s && i < 4; i++)
		if (!strcmp(s, sev[i]))
			return sev[i];
	uint64_t score;
	if (report_u64(doc, "score", &score))
		return score >= 80   ? "critical"
		       : score >= 60 ? "high"
		       : score >= 40 ? "medium"
				     : "low";
	return "unknown";
}

/* ---- reasons ---- */

static void reasons(struct report_out *o, const json_t *doc)
{
	const json_t *a = report_arr(doc, "reasons"), *v;
	size_t i, n = 0;
	json_array_foreach(a, i, v)
		if (json_string_length(v))
			n++;
	if (!n)
		return;
	report_para_open(o);
	report_strong(o, true);
	report_lit(o, "Why this score:");
	report_strong(o, false);
	report_para_close(o);
	report_list_open(o);
	json_array_foreach(a, i, v) {
		if (!json_string_length(v))
			continue;
		report_item(o, true);
		report_text(o, json_string_value(v));
		report_item(o, false);
	}
	report_list_close(o);
}

/* ---- summary ---- */

static void lead(struct report_out *o, const char *what)
{
	report_para_open(o);
	report_strong(o, true);
	report_lit(o, what);
	report_strong(o, false);
	report_lit(o, " ");
}

/* The confidence and unseen lines of a damage figure, in a sentence. */
static void caveat(struct report_out *o, const json_t *fig)
{
	const char *c = report_str(fig, "confidence");
	size_t unseen = report_len(fig, "unseen");
	if (c) {
		report_lit(o, " (confidence ");
		report_textn(o, c, 20);
		report_lit(o,
			   unseen ? "; not everything could be seen, see Damage assessment)" : ")");
	} else if (unseen) {
		report_lit(o, " (not everything could be seen, see Damage assessment)");
	}
}

static void summary_hosts(struct report_out *o, const json_t *doc)
{
	const json_t *hosts = report_arr(doc, "hosts"), *h;
	size_t n = 0, i, k = 0, max = 6;
	json_array_foreach(hosts, i, h)
		if (report_str(h, "ip"))
			n++;
	lead(o, "Which machines.");
	if (!n) {
		report_lit(o, "No internal machine is named in this incident.");
		report_para_close(o);
		return;
	}
	if (n == 1)
		report_lit(o, "One internal machine is affected: ");
	else
		report_printf(o, "%zu internal machines are affected: ", n);
	size_t shown = n > max ? max : n;
	json_array_foreach(hosts, i, h) {
		const char *ip = report_str(h, "ip");
		if (!ip || k >= shown)
			continue;
		/* hosts are separated by ";": their roles are lists with "and" */
		if (k)
			report_lit(o, k + 1 == n && n == shown ? "; and " : "; ");
		k++;
		strong_text(o, ip);
		const char *zone = report_str(h, "zone");
		if (zone) {
			report_lit(o, " (zone ");
			report_textn(o, zone, REPORT_LABEL_MAX);
			report_lit(o, ")");
		}
		const json_t *roles = report_arr(h, "roles"), *r;
		size_t nr = 0, j, kr = 0;
		json_array_foreach(roles, j, r)
			if (json_string_length(r))
				nr++;
		if (nr > REPORT_LIST_MAX)
			nr = REPORT_LIST_MAX;
		if (nr)
			report_lit(o, ", which ");
		json_array_foreach(roles, j, r) {
			if (!json_string_length(r) || kr >= nr)
				continue;
			sep(o, kr++, nr);
			word(o, WORDS(host_roles), json_string_value(r));
		}
	}
	if (n > shown)
		report_printf(o, "; and %zu more (see Affected hosts)", n - shown);
	report_lit(o, ".");
	report_para_close(o);
}

static void summary_when(struct report_out *o, const json_t *doc)
{
	char a[REPORT_BUF], b[REPORT_BUF];
	double first, last, dwell;
	bool has_first = report_time(doc, "first_seen", &first);
	bool has_last = report_time(doc, "last_seen", &last);
	bool has_dwell = report_real(doc, "dwell_seconds", &dwell) && dwell >= 0 && dwell < 1e11;
	if (!has_dwell && has_first && has_last && last >= first) {
		dwell = last - first;
		has_dwell = true;
	}
	const char *status = report_str(doc, "status");
	if (!has_first && !has_last && !has_dwell && !status)
		return;
	lead(o, "Since when.");
	if (has_first)
		report_printf(o, "Activity was first seen on %s UTC", report_utc(a, first));
	if (has_last)
		report_printf(o, "%s on %s UTC",
			      has_first ? " and last seen" : "Activity was last seen",
			      report_utc(b, last));
	if (has_dwell)
		report_printf(o, "%s%s (%s seconds)",
			      has_first || has_last ? ": the attacker was active for "
						    : "The attacker was active for ",
			      report_duration(a, dwell), report_thousands(b, (uint64_t)dwell));
	if (has_first || has_last || has_dwell)
		report_lit(o, ". ");
	if (status && !strcmp(status, "open")) {
		report_lit(o, "The incident is open: there was activity recently, it may still be "
			      "going on.");
	} else if (status && !strcmp(status, "closed")) {
		report_lit(o, "The incident is closed: no activity has been seen since.");
	} else if (status) {
		report_lit(o, "Status: ");
		report_textn(o, status, 40);
		report_lit(o, ".");
	}
	report_para_close(o);
}

/* "AS64500 Example Hosting B.V., NL, a hosting provider" */
static bool network(struct report_out *o, const json_t *inf)
{
	uint64_t asn;
	bool any = false;
	if (report_u64(inf, "asn", &asn)) {
		report_printf(o, "AS%llu", (unsigned long long)asn);
		any = true;
	}
	const char *org = report_str(inf, "as_org");
	if (org) {
		report_lit(o, any ? " " : "");
		report_textn(o, org, REPORT_LABEL_MAX);
		any = true;
	}
	const char *cc = report_str(inf, "country");
	if (cc) {
		report_lit(o, any ? ", country " : "country ");
		report_textn(o, cc, 40);
		any = true;
	}
	const json_t *hosting = json_object_get(json_is_object(inf) ? inf : NULL, "hosting");
	if (json_is_boolean(hosting)) {
		report_lit(o, any ? ", " : "");
		report_lit(o,
			   json_is_true(hosting) ? "a hosting provider" : "not a hosting provider");
		any = true;
	}
	return any;
}

static void summary_who(struct report_out *o, const json_t *doc)
{
	const json_t *infra = report_arr(doc, "infrastructure"), *inf;
	size_t n = 0, i, max = 5, k = 0;
	json_array_foreach(infra, i, inf)
		if (report_str(inf, "value"))
			n++;
	lead(o, "Who.");
	if (!n) {
		report_lit(o, "No attacker infrastructure is named in this incident.");
		report_para_close(o);
		return;
	}
	/* the actors first: that is what is asked first */
	const char *actors[REPORT_LIST_MAX];
	size_t na = 0;
	json_array_foreach(infra, i, inf) {
		const json_t *a = report_arr(inf, "actors"), *v;
		size_t j;
		json_array_foreach(a, j, v) {
			const char *s = json_string_value(v);
			bool seen = !s || !*s;
			for (size_t x = 0; !seen && x < na; x++)
				seen = !strcmp(actors[x], s);
			if (!seen && na < REPORT_LIST_MAX)
				actors[na++] = s;
		}
	}
	if (na) {
		report_lit(o, "Threat intelligence attributes the infrastructure to ");
		for (size_t x = 0; x < na; x++) {
			sep(o, x, na);
			strong_text(o, actors[x]);
		}
		report_lit(o, ". ");
	} else {
		report_lit(o, "No threat actor is named by threat intelligence. ");
	}
	report_printf(o, "The attacker used %zu system%s: ", n, n == 1 ? "" : "s");
	size_t shown = n > max ? max : n;
	json_array_foreach(infra, i, inf) {
		const char *v = report_str(inf, "value");
		if (!v || k >= shown)
			continue;
		if (k)
			report_lit(o, "; ");
		k++;
		strong_text(o, v);
		if (report_len(inf, "domains") || report_len(inf, "addresses")) {
			report_lit(o, " (");
			size_t w = strings(o, inf, "domains", 4, false);
			if (w && report_len(inf, "addresses"))
				report_lit(o, ", ");
			strings(o, inf, "addresses", 4, false);
			report_lit(o, ")");
		}
		report_lit(o, ", ");
		if (!network(o, inf))
			report_lit(o, "network unknown");
		if (report_len(inf, "actors")) {
			report_lit(o, ", named by intelligence as ");
			strings(o, inf, "actors", 4, true);
		}
		if (report_len(inf, "campaigns")) {
			report_lit(o, report_len(inf, "campaigns") > 1 ? " (campaigns "
								       : " (campaign ");
			strings(o, inf, "campaigns", 4, true);
			report_lit(o, ")");
		}
		const json_t *roles = report_arr(inf, "roles"), *r;
		size_t nr = 0, j, kr = 0;
		json_array_foreach(roles, j, r)
			if (json_string_length(r))
				nr++;
		if (nr > REPORT_LIST_MAX)
			nr = REPORT_LIST_MAX;
		if (nr)
			report_lit(o, "; used for ");
		json_array_foreach(roles, j, r) {
			if (!json_string_length(r) || kr >= nr)
				continue;
			sep(o, kr++, nr);
			word(o, WORDS(infra_roles), json_string_value(r));
		}
	}
	if (n > shown)
		report_printf(o, "; and %zu more (see Attacker infrastructure)", n - shown);
	report_lit(o, ".");
	report_para_close(o);
}

/* "HTTP 8.4 MB (8,388,608 bytes), TLS (encrypted) …": the non-zero channels. */
static void channel_words(struct report_out *o, const json_t *fig)
{
	const json_t *ch = report_obj(fig, "channels"), *v;
	const char *key;
	size_t n = 0, k = 0;
	uint64_t b;
	json_object_foreach((json_t *)ch, key, v)
		if (positive(ch, key, &b))
			n++;
	if (n > REPORT_LIST_MAX)
		n = REPORT_LIST_MAX;
	json_object_foreach((json_t *)ch, key, v) {
		if (k >= n || !positive(ch, key, &b))
			continue;
		sep(o, k++, n);
		word(o, WORDS(channels), key);
		report_lit(o, " ");
		report_bytes(o, b);
	}
}

static void summary_out(struct report_out *o, const json_t *doc)
{
	const json_t *damage = report_obj(doc, "damage");
	const json_t *out = report_obj(damage, "bytes_out"), *in = report_obj(damage, "bytes_in");
	uint64_t total;
	lead(o, "What left.");
	if (!report_u64(out, "total", &total)) {
		report_lit(o,
			   "How much data left is not known: the incident holds no figure for it.");
		report_para_close(o);
		return;
	}
	if (!total) {
		report_lit(o, "No data was seen leaving towards the attacker infrastructure");
	} else {
		report_bytes(o, total);
		report_lit(o, " left the network towards the attacker infrastructure");
	}
	caveat(o, out);
	report_lit(o, ".");
	const json_t *by = report_arr(out, "by_host"), *h;
	size_t i, n = 0, k = 0;
	json_array_foreach(by, i, h)
		if (report_str(h, "host") && report_u64(h, "total", &total))
			n++;
	size_t shown = n > 6 ? 6 : n;
	if (shown)
		report_lit(o, " By machine: ");
	json_array_foreach(by, i, h) {
		const char *host = report_str(h, "host");
		if (!host || !report_u64(h, "total", &total) || k >= shown)
			continue;
		if (k++)
			report_lit(o, "; ");
		strong_text(o, host);
		report_lit(o, " sent ");
		report_bytes(o, total);
		if (report_obj(h, "channels") && total) {
			report_lit(o, " — ");
			channel_words(o, h);
		}
	}
	if (n > shown)
		report_printf(o, "; and %zu more machines", n - shown);
	if (shown)
		report_lit(o, ".");
	if (report_u64(in, "total", &total) && total) {
		report_lit(o, " In the other direction, ");
		report_bytes(o, total);
		report_lit(o, " came in from the attacker infrastructure.");
	}
	report_para_close(o);
}

static void file_words(struct report_out *o, const json_t *f)
{
	char a[REPORT_BUF];
	uint64_t size;
	strong_text(o, report_str(f, "name") ? report_str(f, "name") : "(no name)");
	bool paren = false;
	if (report_u64(f, "size", &size)) {
		report_printf(o, " (%s", report_size(a, size));
		if (size >= 1000)
			report_printf(o, ", %s bytes", report_thousands(a, size));
		paren = true;
	}
	const char *sha = report_str(f, "sha256");
	if (sha) {
		report_lit(o, paren ? "; SHA-256 " : " (SHA-256 ");
		report_hex(o, sha);
		paren = true;
	}
	if (paren)
		report_lit(o, ")");
}

static void summary_files(struct report_out *o, const json_t *doc)
{
	static const char *const what[][3] = {
	    {"files_out", "Files taken out.", "No file was seen being taken out"},
	    {"tools_in", "Attacker tools brought in.", "No attacker tool was seen coming in"},
	    {"staged", "Files staged.", "No file was seen moving between the affected machines"},
	};
	const json_t *damage = report_obj(doc, "damage");
	for (size_t w = 0; w < 3; w++) {
		const json_t *fig = report_obj(damage, what[w][0]);
		const json_t *files = report_arr(fig, "files"), *f;
		if (!files)
			continue;
		lead(o, what[w][1]);
		size_t i, n = 0, k = 0;
		json_array_foreach(files, i, f)
			if (json_is_object(f))
				n++;
		size_t shown = n > 6 ? 6 : n;
		if (!n)
			report_lit(o, what[w][2]);
		else if (w == 2)
			report_lit(o, "Moved between the affected machines: ");
		json_array_foreach(files, i, f) {
			if (!json_is_object(f) || k >= shown)
				continue;
			if (k++)
				report_lit(o, "; ");
			file_words(o, f);
		}
		if (n > shown)
			report_printf(o, "; and %zu more", n - shown);
		caveat(o, fig);
		report_lit(o, ".");
		report_para_close(o);
	}
}

static void summary_pii(struct report_out *o, const json_t *doc)
{
	const json_t *pd = report_obj(report_obj(doc, "damage"), "personal_data");
	uint64_t records, uploads;
	if (!pd)
		return;
	lead(o, "Personal data.");
	bool has = report_u64(pd, "records", &records);
	if (has && !records) {
		report_lit(o, "No personal data was seen leaving");
	} else if (has) {
		report_count(o, records);
		report_printf(o, " record%s of personal data left", records == 1 ? "" : "s");
		if (report_u64(pd, "uploads", &uploads))
			report_printf(o, " in %llu upload%s", (unsigned long long)uploads,
				      uploads == 1 ? "" : "s");
	} else {
		report_lit(o, "How many personal-data records left is not known");
	}
	const json_t *by = report_obj(pd, "by_type"), *v;
	const char *key;
	size_t n = 0, k = 0;
	uint64_t c;
	json_object_foreach((json_t *)by, key, v)
		if (positive(by, key, &c))
			n++;
	if (n > REPORT_LIST_MAX)
		n = REPORT_LIST_MAX;
	if (n)
		report_lit(o, ", by type: ");
	json_object_foreach((json_t *)by, key, v) {
		if (k >= n || !positive(by, key, &c))
			continue;
		sep(o, k++, n);
		word(o, WORDS(pii_types), key);
		report_lit(o, " ");
		report_count(o, c);
	}
	caveat(o, pd);
	report_lit(o, ".");
	report_para_close(o);
}

void report_summary(struct report_out *o, const json_t *doc)
{
	summary_hosts(o, doc);
	summary_when(o, doc);
	summary_who(o, doc);
	summary_out(o, doc);
	summary_files(o, doc);
	summary_pii(o, doc);
}

/* ---- sections ---- */

static void none(struct report_out *o, const char *what)
{
	report_note_open(o);
	report_lit(o, what);
	report_note_close(o);
}

/* Rows beyond REPORT_ROWS_MAX are counted, not shown. */
static void rows_left(struct report_out *o, size_t n)
{
	if (n <= REPORT_ROWS_MAX)
		return;
	report_note_open(o);
	report_printf(o, "%zu more rows are not shown: the document holds them all.",
		      n - REPORT_ROWS_MAX);
	report_note_close(o);
}

static void hosts(struct report_out *o, const json_t *doc)
{
	static const char *const heads[] = {
	    "Host",	  "Zone",	  "What it did", "First seen (UTC)", "Last seen (UTC)",
	    "Active for", "Data sent out"};
	const json_t *a = report_arr(doc, "hosts"), *h;
	const json_t *by =
	    report_arr(report_obj(report_obj(doc, "damage"), "bytes_out"), "by_host");
	char b[REPORT_BUF];
	report_heading(o, 2, "hosts", "Affected hosts");
	if (!json_array_size(a)) {
		none(o, "No affected host is named.");
		return;
	}
	report_table_open(o, heads, "lllttrr");
	size_t i, row = 0;
	json_array_foreach(a, i, h) {
		if (!json_is_object(h) || row++ >= REPORT_ROWS_MAX)
			continue;
		const char *ip = report_str(h, "ip");
		report_row(o, true);
		report_cell(o, true);
		report_strong(o, true);
		report_textn(o, ip ? ip : "(no address)", REPORT_LABEL_MAX);
		report_strong(o, false);
		report_cell(o, false);
		text_cell(o, report_str(h, "zone"));
		report_cell(o, true);
		strings(o, h, "roles", REPORT_LIST_MAX, false);
		report_cell(o, false);
		when_cell(o, h, "first_seen");
		when_cell(o, h, "last_seen");
		double f, l;
		report_cell(o, true);
		if (report_time(h, "first_seen", &f) && report_time(h, "last_seen", &l) && l >= f)
			report_lit(o, report_duration(b, l - f));
		report_cell(o, false);
		report_cell(o, true);
		uint64_t t;
		if (report_u64(find_by(by, "host", ip), "total", &t))
			bytes_cell(o, t);
		report_cell(o, false);
		report_row(o, false);
	}
	report_table_close(o);
	rows_left(o, row);
}

static void infrastructure(struct report_out *o, const json_t *doc)
{
	static const char *const heads[] = {"Indicator",   "Names / addresses", "Used for",
					    "Attribution", "Network",		"Seen (UTC)",
					    "Flows",	   "Data sent to it",	"Data from it"};
	const json_t *a = report_arr(doc, "infrastructure"), *inf;
	report_heading(o, 2, "infrastructure", "Attacker infrastructure");
	if (!json_array_size(a)) {
		none(o, "No attacker infrastructure is named.");
		return;
	}
	report_table_open(o, heads, "llllllrrr");
	size_t i, row = 0;
	json_array_foreach(a, i, inf) {
		if (!json_is_object(inf) || row++ >= REPORT_ROWS_MAX)
			continue;
		uint64_t v;
		report_row(o, true);
		report_cell(o, true);
		report_strong(o, true);
		report_textn(o, report_str(inf, "value") ? report_str(inf, "value") : "(no value)",
			     REPORT_LABEL_MAX);
		report_strong(o, false);
		if (report_str(inf, "type")) {
			report_br(o);
			report_textn(o, report_str(inf, "type"), 40);
		}
		report_cell(o, false);
		report_cell(o, true);
		if (strings(o, inf, "domains", REPORT_LIST_MAX, false) &&
		    report_len(inf, "addresses"))
			report_br(o);
		strings(o, inf, "addresses", REPORT_LIST_MAX, false);
		report_cell(o, false);
		report_cell(o, true);
		strings(o, inf, "roles", REPORT_LIST_MAX, false);
		report_cell(o, false);
		report_cell(o, true);
		bool any = false;
		if (report_len(inf, "actors")) {
			report_lit(o, "actor ");
			report_strong(o, true);
			strings(o, inf, "actors", REPORT_LIST_MAX, false);
			report_strong(o, false);
			any = true;
		}
		if (report_len(inf, "campaigns")) {
			if (any)
				report_br(o);
			report_lit(o, "campaign ");
			strings(o, inf, "campaigns", REPORT_LIST_MAX, false);
			any = true;
		}
		if (report_len(inf, "intel_sources")) {
			if (any)
				report_br(o);
			report_lit(o, "source ");
			strings(o, inf, "intel_sources", REPORT_LIST_MAX, false);
			any = true;
		}
		if (!any)
			report_lit(o, "none named");
		report_cell(o, false);
		report_cell(o, true);
		network(o, inf);
		report_cell(o, false);
		report_cell(o, true);
		range(o, inf, "first_seen", "last_seen");
		report_cell(o, false);
		u64_cell(o, inf, "flows");
		report_cell(o, true);
		if (report_u64(inf, "bytes_out", &v))
			bytes_cell(o, v);
		report_cell(o, false);
		report_cell(o, true);
		if (report_u64(inf, "bytes_in", &v))
			bytes_cell(o, v);
		report_cell(o, false);
		report_row(o, false);
	}
	report_table_close(o);
	rows_left(o, row);
}

/* HTML: the fourteen tactics of the enterprise matrix, those seen lit. */
static void killchain_strip(struct report_out *o, const json_t *tactics)
{
	if (o->fmt != REPORT_HTML)
		return;
	/* the names with their hyphenation points: the boxes are narrow */
	static const char *const strip[] = {"Reconnais&shy;sance", "Resource Develop&shy;ment",
					    "Initial Access",	   "Execution",
					    "Persis&shy;tence",	   "Privilege Escala&shy;tion",
					    "Defense Evasion",	   "Creden&shy;tial Access",
					    "Discovery",	   "Lateral Movement",
					    "Collection",	   "Command and Control",
					    "Exfiltra&shy;tion",   "Impact"};
	report_lit(o, "<div class=\"kc\">");
	for (int r = 0; report_tactic_id(r); r++) {
		bool on = false;
		size_t i;
		const json_t *t;
		const char *id = report_tactic_id(r);
		json_array_foreach(tactics, i, t) {
			const char *tid = report_str(t, "id");
			if (tid && !strcmp(tid, id))
				on = true;
		}
		report_printf(o, "<span class=\"kc-t%s\">%s</span>", on ? " on" : "",
			      r < (int)(sizeof(strip) / sizeof(strip[0])) ? strip[r]
									  : report_tactic_name(id));
	}
	report_lit(o, "</div>\n");
}

static void killchain(struct report_out *o, const json_t *doc)
{
	static const char *const heads[] = {"#", "Tactic", "Techniques (signals)",
					    "First seen (UTC)", "Last seen (UTC)"};
	const json_t *a = report_arr(doc, "tactics"), *t;
	bool html = o->fmt == REPORT_HTML;
	report_heading(o, 2, "killchain", html ? "ATT&amp;CK kill chain" : "ATT&CK kill chain");
	if (!json_array_size(a)) {
		none(o, html ? "No ATT&amp;CK tactic is named." : "No ATT&CK tactic is named.");
		return;
	}
	killchain_strip(o, a);
	report_table_open(o, heads, "rlltt");
	size_t i, row = 0;
	json_array_foreach(a, i, t) {
		if (!json_is_object(t) || row >= REPORT_ROWS_MAX)
			continue;
		report_row(o, true);
		report_cell(o, true);
		report_printf(o, "%zu", ++row);
		report_cell(o, false);
		report_cell(o, true);
		const char *id = report_str(t, "id"), *name = report_str(t, "name");
		if (!name)
			name = report_tactic_name(id);
		report_strong(o, true);
		report_textn(o, id ? id : "", 40);
		report_strong(o, false);
		if (name) {
			report_lit(o, " ");
			report_textn(o, name, REPORT_LABEL_MAX);
		}
		report_cell(o, false);
		report_cell(o, true);
		const json_t *techs = report_arr(t, "techniques"), *q;
		size_t j, k = 0;
		json_array_foreach(techs, j, q) {
			if (!json_is_object(q) || k >= REPORT_LIST_MAX * 4)
				continue;
			if (k++)
				report_br(o);
			report_textn(o, report_str(q, "id"), 40);
			if (report_str(q, "name")) {
				report_lit(o, " ");
				report_textn(o, report_str(q, "name"), REPORT_LABEL_MAX);
			}
			uint64_t c;
			if (report_u64(q, "count", &c)) {
				report_lit(o, " × ");
				report_count(o, c);
			}
		}
		report_cell(o, false);
		when_cell(o, t, "first_seen");
		when_cell(o, t, "last_seen");
		report_row(o, false);
	}
	report_table_close(o);
}

static void severity_cell(struct report_out *o, const json_t *e)
{
	static const char *const sev[][2] = {
	    {"", ""}, {"s1", "1 high"}, {"s2", "2 medium"}, {"s3", "3 low"}};
	uint64_t s;
	report_cell(o, true);
	if (report_u64(e, "severity", &s) && s >= 1 && s <= 3)
		report_badge(o, sev[s][0], sev[s][1]);
	report_cell(o, false);
}

static void timeline(struct report_out *o, const json_t *doc)
{
	static const char *const heads[][9] = {
	    {"Time (UTC)", "Until", "Kind", "ATT&CK", "Host", "Peer", "What", "Severity", "Count"},
	    {"Time (UTC)", "Until", "Kind", "ATT&amp;CK", "Host", "Peer", "What", "Severity",
	     "Count"}};
	const json_t *a = report_arr(doc, "timeline"), *e;
	char b[REPORT_BUF];
	report_heading(o, 2, "timeline", "Timeline");
	if (!json_array_size(a)) {
		none(o, "The incident holds no timeline.");
		return;
	}
	if (o->fmt == REPORT_HTML)
		report_chart(o, doc);
	report_table_open(o, heads[o->fmt == REPORT_HTML], "ttlllllrr");
	size_t i, row = 0;
	json_array_foreach(a, i, e) {
		if (!json_is_object(e) || row++ >= REPORT_ROWS_MAX)
			continue;
		double ts, last;
		bool has_ts = report_time(e, "ts", &ts);
		report_row(o, true);
		when_cell(o, e, "ts");
		report_cell(o, true);
		if (has_ts && report_time(e, "last_ts", &last))
			report_lit(o, report_utc_short(b, last, ts));
		else
			report_when(o, e, "last_ts");
		report_cell(o, false);
		report_cell(o, true);
		report_kind(o, report_str(e, "kind"));
		report_cell(o, false);
		report_cell(o, true);
		report_textn(o, report_str(e, "tactic_id"), 40);
		if (report_str(e, "tactic")) {
			report_lit(o, " ");
			report_textn(o, report_str(e, "tactic"), REPORT_LABEL_MAX);
		}
		if ((report_str(e, "tactic_id") || report_str(e, "tactic")) &&
		    (report_str(e, "technique_id") || report_str(e, "technique")))
			report_br(o);
		report_textn(o, report_str(e, "technique_id"), 40);
		if (report_str(e, "technique")) {
			report_lit(o, " ");
			report_textn(o, report_str(e, "technique"), REPORT_LABEL_MAX);
		}
		report_cell(o, false);
		text_cell(o, report_str(e, "host"));
		text_cell(o, report_str(e, "peer"));
		text_cell(o, report_str(e, "summary"));
		severity_cell(o, e);
		u64_cell(o, e, "count");
		report_row(o, false);
	}
	report_table_close(o);
	rows_left(o, row);
}

/* ---- damage ---- */

static void confidence(struct report_out *o, const json_t *fig)
{
	const char *c = report_str(fig, "confidence");
	report_lit(o, "Confidence: ");
	if (c && (!strcmp(c, "high") || !strcmp(c, "medium") || !strcmp(c, "low")))
		report_badge(o, c[0] == 'h' ? "c-high" : c[0] == 'm' ? "c-medium" : "c-low", c);
	else if (c)
		report_textn(o, c, 40);
	else
		report_lit(o, "not stated");
	report_lit(o, ".");
}

static void unseen(struct report_out *o, const json_t *fig)
{
	const json_t *a = report_arr(fig, "unseen"), *v;
	size_t i, n = 0;
	json_array_foreach(a, i, v)
		if (json_string_length(v))
			n++;
	if (!a) {
		none(o, "What could not be seen is not stated for this figure.");
		return;
	}
	if (!n) {
		none(o, "Nothing is reported as unseen for this figure.");
		return;
	}
	report_para_open(o);
	report_strong(o, true);
	report_lit(o, "Could not be seen");
	report_strong(o, false);
	report_lit(o, " — the true figure may be larger:");
	report_para_close(o);
	if (o->fmt == REPORT_HTML)
		report_lit(o, "<ul class=\"unseen\">\n");
	json_array_foreach(a, i, v) {
		if (!json_string_length(v))
			continue;
		report_item(o, true);
		report_text(o, json_string_value(v));
		report_item(o, false);
	}
	report_lit(o, o->fmt == REPORT_HTML ? "</ul>\n" : "\n");
}

static void channels_table(struct report_out *o, const json_t *fig)
{
	static const char *const heads[] = {"Channel", "Bytes"};
	const json_t *ch = report_obj(fig, "channels"), *v;
	const char *key;
	if (!json_object_size(ch))
		return;
	report_table_open(o, heads, "lr");
	json_object_foreach((json_t *)ch, key, v) {
		uint64_t b;
		if (!report_u64(ch, key, &b))
			continue;
		report_row(o, true);
		report_cell(o, true);
		word(o, WORDS(channels), key);
		report_cell(o, false);
		report_cell(o, true);
		bytes_cell(o, b);
		report_cell(o, false);
		report_row(o, false);
	}
	report_table_close(o);
}

static void bytes_figure(struct report_out *o, const json_t *damage, const char *key,
			 const char *title, const char *anchor)
{
	static const char *const heads[] = {"Host", "Total", "By channel"};
	const json_t *fig = report_obj(damage, key);
	uint64_t total;
	report_heading(o, 3, anchor, title);
	if (!fig) {
		none(o, "Not known: the incident holds no figure.");
		return;
	}
	report_para_open(o);
	report_lit(o, "Total: ");
	report_strong(o, true);
	if (report_u64(fig, "total", &total))
		report_bytes(o, total);
	else
		report_lit(o, "not known");
	report_strong(o, false);
	report_lit(o, ". ");
	confidence(o, fig);
	report_para_close(o);
	channels_table(o, fig);
	const json_t *by = report_arr(fig, "by_host"), *h;
	if (json_array_size(by)) {
		report_table_open(o, heads, "lrl");
		size_t i;
		json_array_foreach(by, i, h) {
			if (!json_is_object(h) || i >= REPORT_ROWS_MAX)
				continue;
			report_row(o, true);
			text_cell(o, report_str(h, "host"));
			report_cell(o, true);
			if (report_u64(h, "total", &total))
				bytes_cell(o, total);
			report_cell(o, false);
			report_cell(o, true);
			const json_t *ch = report_obj(h, "channels"), *v;
			const char *k;
			size_t n = 0;
			json_object_foreach((json_t *)ch, k, v) {
				uint64_t b;
				if (n >= REPORT_LIST_MAX || !report_u64(ch, k, &b) || !b)
					continue;
				if (n++)
					report_br(o);
				word(o, WORDS(channels), k);
				report_lit(o, " ");
				report_bytes(o, b);
			}
			report_cell(o, false);
			report_row(o, false);
		}
		report_table_close(o);
	}
	unseen(o, fig);
}

static void hashes(struct report_out *o, const json_t *f)
{
	static const char *const h[][2] = {
	    {"sha256", "SHA-256 "}, {"sha1", "SHA-1 "}, {"md5", "MD5 "}};
	bool any = false;
	for (size_t i = 0; i < 3; i++) {
		const char *s = report_str(f, h[i][0]);
		if (!s)
			continue;
		if (any)
			report_br(o);
		report_lit(o, h[i][1]);
		report_hex(o, s);
		any = true;
	}
}

static void files_figure(struct report_out *o, const json_t *damage, const char *key,
			 const char *title, const char *anchor)
{
	static const char *const heads[] = {"File",	  "Size", "Hashes", "Host → peer",
					    "Time (UTC)", "Type", "State"};
	const json_t *fig = report_obj(damage, key);
	report_heading(o, 3, anchor, title);
	if (!fig) {
		none(o, "Not known: the incident holds no figure.");
		return;
	}
	const json_t *files = report_arr(fig, "files"), *f;
	size_t i, n = 0;
	json_array_foreach(files, i, f)
		if (json_is_object(f))
			n++;
	report_para_open(o);
	if (files)
		report_printf(o, "%zu file%s. ", n, n == 1 ? "" : "s");
	else
		report_lit(o, "Which files is not known. ");
	confidence(o, fig);
	report_para_close(o);
	if (n) {
		report_table_open(o, heads, "lrlltll");
		size_t row = 0;
		json_array_foreach(files, i, f) {
			if (!json_is_object(f) || row++ >= REPORT_ROWS_MAX)
				continue;
			uint64_t size;
			report_row(o, true);
			report_cell(o, true);
			report_strong(o, true);
			report_textn(o, report_str(f, "name") ? report_str(f, "name") : "(no name)",
				     REPORT_LABEL_MAX);
			report_strong(o, false);
			if (report_str(f, "url")) {
				report_br(o);
				report_text(o, report_str(f, "url"));
			}
			report_cell(o, false);
			report_cell(o, true);
			if (report_u64(f, "size", &size))
				bytes_cell(o, size);
			report_cell(o, false);
			report_cell(o, true);
			hashes(o, f);
			report_cell(o, false);
			report_cell(o, true);
			report_textn(o, report_str(f, "host"), REPORT_LABEL_MAX);
			if (report_str(f, "peer")) {
				report_lit(o, " → ");
				report_textn(o, report_str(f, "peer"), REPORT_LABEL_MAX);
			}
			report_cell(o, false);
			when_cell(o, f, "ts");
			text_cell(o, report_str(f, "magic"));
			text_cell(o, report_str(f, "state"));
			report_row(o, false);
		}
		report_table_close(o);
		rows_left(o, n);
	}
	unseen(o, fig);
}

static void pii_figure(struct report_out *o, const json_t *damage)
{
	static const char *const heads[] = {"Type", "Records"};
	const json_t *pd = report_obj(damage, "personal_data");
	uint64_t v;
	report_heading(o, 3, "pii", "Personal data");
	if (!pd) {
		none(o, "Not known: the incident holds no figure.");
		return;
	}
	report_para_open(o);
	report_lit(o, "Records: ");
	report_strong(o, true);
	if (report_u64(pd, "records", &v))
		report_count(o, v);
	else
		report_lit(o, "not known");
	report_strong(o, false);
	if (report_u64(pd, "uploads", &v)) {
		report_lit(o, " in ");
		report_count(o, v);
		report_printf(o, " upload%s", v == 1 ? "" : "s");
	}
	report_lit(o, ". ");
	confidence(o, pd);
	report_para_close(o);
	const json_t *by = report_obj(pd, "by_type"), *c;
	const char *key;
	size_t n = 0;
	json_object_foreach((json_t *)by, key, c)
		if (json_is_number(c))
			n++;
	if (n) {
		report_table_open(o, heads, "lr");
		json_object_foreach((json_t *)by, key, c) {
			if (!report_u64(by, key, &v))
				continue;
			report_row(o, true);
			report_cell(o, true);
			word(o, WORDS(pii_types), key);
			report_cell(o, false);
			report_cell(o, true);
			report_count(o, v);
			report_cell(o, false);
			report_row(o, false);
		}
		report_table_close(o);
	}
	unseen(o, pd);
}

static void damage(struct report_out *o, const json_t *doc)
{
	const json_t *d = report_obj(doc, "damage");
	report_heading(o, 2, "damage", "Damage assessment");
	if (!d) {
		none(o, "The incident holds no damage assessment.");
		return;
	}
	report_note_open(o);
	report_lit(o, "Each figure is what the network monitor saw, with the confidence it gives "
		      "the figure and what it could not see. Where something could not be seen, "
		      "the true figure may be larger.");
	report_note_close(o);
	bytes_figure(o, d, "bytes_out", "Data sent out", "bytes-out");
	bytes_figure(o, d, "bytes_in", "Data received", "bytes-in");
	files_figure(o, d, "files_out", "Files taken out", "files-out");
	files_figure(o, d, "tools_in", "Attacker tools brought in", "tools-in");
	files_figure(o, d, "staged", "Files moved between affected machines (staged)", "staged");
	pii_figure(o, d);
}

static void visibility(struct report_out *o, const json_t *doc)
{
	static const char *const heads[] = {"Measure", "Value", "What it means"};
	static const char *const rows[][3] = {
	    {"flows", "Flows", "connections between the affected hosts and the infrastructure"},
	    {"encrypted_flows", "Encrypted flows", "their content could not be inspected"},
	    {"encrypted_bytes", "Encrypted bytes", "bytes whose content could not be inspected"},
	    {"capture_drops", "Capture drops", "packets the capture lost: activity may be missing"},
	    {"tcp_gaps", "TCP gaps", "holes in streams: files and data in them may be incomplete"},
	    {"truncated_streams", "Truncated streams",
	     "streams cut at the reassembly limit: their ends were not inspected"},
	    {"lost_records", "Lost records",
	     "records that did not reach the store: signals may be missing"},
	};
	const json_t *v = report_obj(report_obj(doc, "damage"), "visibility");
	uint64_t flows, enc, x;
	report_heading(o, 2, "visibility", "Visibility");
	if (!v) {
		none(o, "The incident does not say what the monitor could see.");
		return;
	}
	if (report_u64(v, "flows", &flows) && report_u64(v, "encrypted_flows", &enc) && flows &&
	    enc <= flows) {
		report_para_open(o);
		report_count(o, enc);
		report_lit(o, " of ");
		report_count(o, flows);
		report_printf(o, " flows (%.0f %%) were encrypted",
			      100.0 * (double)enc / (double)flows);
		if (report_u64(v, "encrypted_bytes", &x)) {
			report_lit(o, ", carrying ");
			report_bytes(o, x);
		}
		report_lit(o, ": what they carried could not be inspected, only how much.");
		report_para_close(o);
	}
	report_table_open(o, heads, "lrl");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		report_row(o, true);
		report_cell(o, true);
		report_lit(o, rows[i][1]);
		report_cell(o, false);
		report_cell(o, true);
		if (!report_u64(v, rows[i][0], &x))
			report_lit(o, "not known");
		else if (!strcmp(rows[i][0], "encrypted_bytes"))
			bytes_cell(o, x);
		else
			report_count(o, x);
		report_cell(o, false);
		report_cell(o, true);
		report_lit(o, rows[i][2]);
		report_cell(o, false);
		report_row(o, false);
	}
	report_table_close(o);
	const json_t *notes = report_arr(v, "notes"), *s;
	size_t i, n = 0;
	json_array_foreach(notes, i, s)
		if (json_string_length(s))
			n++;
	if (n) {
		report_list_open(o);
		json_array_foreach(notes, i, s) {
			if (!json_string_length(s))
				continue;
			report_item(o, true);
			report_text(o, json_string_value(s));
			report_item(o, false);
		}
		report_list_close(o);
	}
}

static void signals(struct report_out *o, const json_t *doc)
{
	static const char *const heads[] = {"Signal", "Count", "What it is"};
	static const char *const rows[][3] = {
	    {"alerts", "Alerts", "signature matches"},
	    {"intel", "Intel sightings",
	     "traffic to or from indicators known to threat intelligence"},
	    {"events", "Behaviour events", "scans, beacons, tunnels, exfiltration, personal data"},
	    {"retro", "Retro-hunt sightings",
	     "intel sightings found later in stored records, with intel that arrived after"},
	};
	const json_t *s = report_obj(doc, "signals");
	report_heading(o, 2, "signals", "Signals");
	if (!s) {
		none(o, "The incident does not count its signals.");
		return;
	}
	report_table_open(o, heads, "lrl");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t v;
		report_row(o, true);
		report_cell(o, true);
		report_lit(o, rows[i][1]);
		report_cell(o, false);
		report_cell(o, true);
		if (report_u64(s, rows[i][0], &v))
			report_count(o, v);
		else
			report_lit(o, "not known");
		report_cell(o, false);
		report_cell(o, true);
		report_lit(o, rows[i][2]);
		report_cell(o, false);
		report_row(o, false);
	}
	report_table_close(o);
}

void report_body(struct report_out *o, const json_t *doc)
{
	reasons(o, doc);
	report_heading(o, 2, "summary", "Summary");
	report_summary(o, doc);
	hosts(o, doc);
	infrastructure(o, doc);
	killchain(o, doc);
	timeline(o, doc);
	damage(o, doc);
	visibility(o, doc);
	signals(o, doc);
}
