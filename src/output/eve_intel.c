/*
 * eve_intel — EVE `intel` records: an indicator seen in traffic, in
 * Suricata's record shape (the flow header, then an "intel" object naming
 * the indicator, its type, who says so and which field of the traffic
 * matched). A retro-hunt's records add first/last seen, the count, the
 * internal hosts and the bytes each way, with "retro": true.
 */
#include <string.h>

#include "app/alproto.h"
#include "intel/sighting.h"
#include "output/eve.h"

static void put_opt(struct jbuf *jb, const char *key, const char *v)
{
	if (v && v[0])
		jb_str(jb, key, v);
}

void eve_put_intel(struct jbuf *jb, const struct intel_sighting *s)
{
	const struct ioc_meta *m = s->meta;
	jb_open(jb, "intel");
	jb_str(jb, "indicator", s->indicator);
	jb_str_plain(jb, "type", ioc_type_name(s->type));
	if (s->type == IOC_DOMAIN_SUFFIX)
		jb_bool(jb, "subdomains", true);
	if (m) {
		put_opt(jb, "source", m->source);
		put_opt(jb, "actor", m->actor);
		put_opt(jb, "campaign", m->campaign);
		if (m->confidence >= 0)
			jb_u64(jb, "confidence", (uint64_t)m->confidence);
		if (m->tlp != TLP_NONE)
			jb_str_plain(jb, "tlp", ioc_tlp_name(m->tlp));
	}
	if (s->n_meta > 1)
		jb_u64(jb, "attributions", s->n_meta);
	jb_str_plain(jb, "matched_field", s->matched_field);
	if (s->value)
		jb_str(jb, "value", s->value);
	jb_bool(jb, "retro", s->retro);
	if (s->retro) {
		char ts[48];
		json_format_ts(s->first_seen, ts, sizeof(ts));
		jb_str_plain(jb, "first_seen", ts);
		json_format_ts(s->last_seen, ts, sizeof(ts));
		jb_str_plain(jb, "last_seen", ts);
		jb_u64(jb, "count", s->count);
		jb_open_array(jb, "hosts");
		for (const char *h = s->hosts; h && *h;) {
			const char *comma = strchr(h, ',');
			size_t n = comma ? (size_t)(comma - h) : strlen(h);
			jb_strn(jb, NULL, (const uint8_t *)h, n);
			h += n + (comma != NULL);
		}
		jb_close_array(jb);
		jb_u64(jb, "bytes_toserver", s->bytes_toserver);
		jb_u64(jb, "bytes_toclient", s->bytes_toclient);
	}
	jb_close(jb);
}

void eve_write_intel(struct eve_out *o, const struct packet *p, const struct flow *f,
		     const struct intel_sighting *s, int dir)
{
	struct jbuf *jb = &o->rec;
	eve_put_head(jb, p, f, dir, "intel");
	eve_put_geo(o, dir == 0 ? &f->src : &f->dst, dir == 0 ? &f->dst : &f->src, f->ip_ver);
	if (f->app_proto)
		jb_str_plain(jb, "app_proto", alproto_name(f->app_proto));
	eve_put_intel(jb, s);
	jb_close(jb);
	eve_commit(o);
}
