/*
 * share_text — the words of a share: the incident's title and description
 * (also the report's), and the phrases the infrastructure and indicator
 * descriptions share. Written from the document's figures only: no free text
 * of the document is copied (it may name internal hosts). See share.c.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident/share.h"
#include "incident/share_int.h"

/* 25400000 -> "25,400,000" */
const char *share_grouped(uint64_t v, char out[32])
{
	char d[24];
	int n = snprintf(d, sizeof(d), "%" PRIu64, v), o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = d[i];
	}
	out[o] = '\0';
	return out;
}

void share_roles_words(const json_t *roles, struct share_text *t)
{
	size_t i;
	json_t *r;
	bool first = true;
	json_array_foreach(roles, i, r) {
		for (size_t k = 0; k < sizeof(share_infra_roles) / sizeof(share_infra_roles[0]);
		     k++) {
			if (json_is_string(r) &&
			    !strcmp(json_string_value(r), share_infra_roles[k].role)) {
				share_tx(t, "%s%s", first ? "" : ", ", share_infra_roles[k].words);
				first = false;
			}
		}
	}
}

/* "AS9009 M247 Europe SRL, NL, hosting" */
void share_enrichment_words(const json_t *e, struct share_text *t)
{
	uint64_t asn;
	const char *org = share_jstr(e, "as_org"), *cc = share_jstr(e, "country");
	bool any = false;
	if (share_juint(e, "asn", &asn)) {
		share_tx(t, "AS%" PRIu64 "%s%s", asn, org ? " " : "", org ? org : "");
		any = true;
	}
	if (cc) {
		share_tx(t, "%s%s", any ? ", " : "", cc);
		any = true;
	}
	if (json_is_true(json_object_get(e, "hosting")))
		share_tx(t, "%shosting", any ? ", " : "");
}

void share_title(struct share_b *b, struct share_text *t)
{
	const char *sev = share_jstr(b->doc, "severity");
	share_tx(t, "%c%s incident %" JSON_INTEGER_FORMAT " at %s",
		 sev && *sev ? (*sev >= 'a' && *sev <= 'z' ? *sev - 'a' + 'A' : *sev) : 'A',
		 sev && *sev ? sev + 1 : "n", b->incident, b->o->organisation);
	/* what the infrastructure did, in the order of the roles */
	const json_t *infra = json_object_get(b->doc, "infrastructure");
	bool any = false;
	for (size_t r = 0; r < sizeof(share_infra_roles) / sizeof(share_infra_roles[0]); r++) {
		if (!share_infra_roles[r].type)
			continue;
		size_t i;
		json_t *e;
		bool seen = false;
		json_array_foreach(infra, i, e) {
			seen |=
			    share_has_str(json_object_get(e, "roles"), share_infra_roles[r].role) &&
			    share_made(b, "entry", share_jstr(e, "value"));
		}
		if (seen) {
			share_tx(t, "%s%s", any ? ", " : ": ", share_infra_roles[r].short_words);
			any = true;
		}
	}
	const char *first = NULL;
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(infra, i, e) {
		const char *v = share_jstr(e, "value");
		if (v && share_made(b, "entry", v)) {
			first = first ? first : v;
			n++;
		}
	}
	if (first)
		share_tx(t, "%s%s", any ? " with " : ": ", first);
	if (n > 1)
		share_tx(t, " and %zu more", n - 1);
	/* who intel names */
	json_t *names = json_array();
	json_array_foreach(infra, i, e) {
		size_t j;
		json_t *a;
		json_array_foreach(json_object_get(e, "actors"), j, a) {
			if (json_is_string(a) && share_made(b, "entry", share_jstr(e, "value")))
				share_append_s(b, names, json_string_value(a));
		}
	}
	if (json_array_size(names)) {
		share_tx(t, "; infrastructure named by intel as ");
		json_array_foreach(names, i, e) {
			share_tx(t, "%s%s", i ? ", " : "", json_string_value(e));
		}
	}
	json_decref(names);
}

static void confidence(struct share_text *t, const json_t *part)
{
	const char *c = share_jstr(part, "confidence");
	if (c)
		share_tx(t, " (confidence %s)", c);
}

void share_description(struct share_b *b, struct share_text *t)
{
	const json_t *d = b->doc;
	uint64_t score, dwell;
	int64_t first, last;
	char ts1[32], ts2[32], g1[32], g2[32];
	const char *sev = share_jstr(d, "severity"), *status = share_jstr(d, "status");
	share_tx(t, "Incident %" JSON_INTEGER_FORMAT " at %s", b->incident, b->o->organisation);
	if (sev)
		share_tx(t, ", severity %s", sev);
	if (share_juint(d, "score", &score))
		share_tx(t, " (score %" PRIu64 ")", score);
	if (status)
		share_tx(t, ", %s", status);
	if (share_time_ms(d, "first_seen", &first) && share_time_ms(d, "last_seen", &last)) {
		share_ts(first, ts1);
		share_ts(last, ts2);
		share_tx(t, "; activity from %s to %s", ts1, ts2);
		if (share_juint(d, "dwell_seconds", &dwell))
			share_tx(t, " (dwell %" PRIu64 " h %02" PRIu64 " min)", dwell / 3600,
				 dwell / 60 % 60);
	}
	share_tx(t, ".\n");
	/* the hosts, by pseudonym */
	const json_t *hosts = json_object_get(d, "hosts");
	size_t i, j;
	json_t *h, *v;
	share_tx(t, "%zu internal host%s (pseudonymised)", json_array_size(hosts),
		 json_array_size(hosts) == 1 ? "" : "s");
	json_array_foreach(hosts, i, h) {
		int k = share_host_of(b, share_jstr(h, "ip"));
		if (k < 0)
			continue;
		share_tx(t, "%s%s", i ? "; " : ": ", b->hosts[k].pseudo);
		const char *zone = share_jstr(h, "zone");
		if (zone)
			share_tx(t, " in zone %s", zone);
		json_array_foreach(json_object_get(h, "roles"), j, v) {
			share_tx(t, "%s%s", j ? ", " : " (",
				 json_string_value(v) ? json_string_value(v) : "");
		}
		if (json_array_size(json_object_get(h, "roles")))
			share_tx(t, ")");
	}
	share_tx(t, ".\n");
	/* the infrastructure */
	const json_t *infra = json_object_get(d, "infrastructure");
	size_t shared = 0;
	json_array_foreach(infra, i, h) {
		const char *val = share_jstr(h, "value");
		if (!val || !share_made(b, "entry", val))
			continue;
		share_tx(t, "%s%s", shared++ ? "; " : "Attacker infrastructure: ", val);
		struct share_text w = {0};
		json_t *alt = json_object_get(h, "domains");
		json_array_foreach(alt, j, v) {
			share_tx(&w, "%s%s", j ? ", " : "",
				 json_string_value(v) ? json_string_value(v) : "");
		}
		struct share_text en = {0};
		share_enrichment_words(h, &en);
		if (en.len)
			share_tx(&w, "%s%s", w.len ? "; " : "", en.p);
		free(en.p);
		if (json_array_size(json_object_get(h, "actors"))) {
			share_tx(&w, "%snamed by intel as ", w.len ? "; " : "");
			json_array_foreach(json_object_get(h, "actors"), j, v) {
				share_tx(&w, "%s%s", j ? ", " : "",
					 json_string_value(v) ? json_string_value(v) : "");
			}
		}
		if (w.len)
			share_tx(t, " (%s)", w.p);
		free(w.p);
		w = (struct share_text){0};
		share_roles_words(json_object_get(h, "roles"), &w);
		if (w.len)
			share_tx(t, ": %s", w.p);
		free(w.p);
	}
	if (shared)
		share_tx(t, ".\n");
	if (b->skipped_infra)
		share_tx(
		    t,
		    "%u infrastructure address%s inside the organisation's networks not shared.\n",
		    b->skipped_infra, b->skipped_infra > 1 ? "es" : "");
	/* ATT&CK */
	json_array_foreach(json_object_get(d, "tactics"), i, h) {
		share_tx(t, "%s%s (%s)",
			 i ? "; " : "ATT&CK: ", share_jstr(h, "name") ? share_jstr(h, "name") : "",
			 share_jstr(h, "id") ? share_jstr(h, "id") : "");
		json_array_foreach(json_object_get(h, "techniques"), j, v) {
			share_tx(t, "%s%s %s", j ? ", " : ": ",
				 share_jstr(v, "id") ? share_jstr(v, "id") : "",
				 share_jstr(v, "name") ? share_jstr(v, "name") : "");
		}
	}
	if (json_array_size(json_object_get(d, "tactics")))
		share_tx(t, ".\n");
	/* damage */
	uint64_t out, in;
	const json_t *bo = share_damage(b, "bytes_out"), *bi = share_damage(b, "bytes_in");
	if (share_juint(bo, "total", &out)) {
		share_tx(t, "Sent to the infrastructure: %s bytes", share_grouped(out, g1));
		confidence(t, bo);
		if (share_juint(bi, "total", &in)) {
			share_tx(t, "; received from it: %s bytes", share_grouped(in, g2));
			confidence(t, bi);
		}
		share_tx(t, ".\n");
	}
	size_t nt = json_array_size(json_object_get(share_damage(b, "tools_in"), "files")),
	       ns = json_array_size(json_object_get(share_damage(b, "staged"), "files")),
	       no = json_array_size(json_object_get(share_damage(b, "files_out"), "files"));
	if (nt + ns + no)
		share_tx(t, "Files: %zu brought in, %zu staged between hosts, %zu sent out.\n", nt,
			 ns, no);
	if (b->skipped_files)
		share_tx(t, "%u file%s without a hash not shared.\n", b->skipped_files,
			 b->skipped_files > 1 ? "s" : "");
	const json_t *pd = share_damage(b, "personal_data");
	uint64_t records, uploads;
	if (share_juint(pd, "records", &records) && records) {
		share_tx(t, "Personal data sent out: %s records", share_grouped(records, g1));
		const char *k;
		json_t *n;
		bool any = false;
		json_object_foreach((json_t *)json_object_get(pd, "by_type"), k, n) {
			if (json_is_integer(n))
				share_tx(t, "%s%s %" JSON_INTEGER_FORMAT, any ? ", " : " (", k,
					 json_integer_value(n));
			any |= json_is_integer(n);
		}
		if (any)
			share_tx(t, ")");
		if (share_juint(pd, "uploads", &uploads))
			share_tx(t, " in %s upload%s", share_grouped(uploads, g1),
				 uploads == 1 ? "" : "s");
		confidence(t, pd);
		share_tx(t, ".\n");
	}
	share_tx(
	    t, "Internal addresses are replaced by pseudonyms (host- and 16 hex digits of a keyed "
	       "hash).");
}
