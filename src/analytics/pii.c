/*
 * pii — the personal-data analytic's records. The workers scan each flow
 * direction's cleartext bytes (pii_worker.c, pii_scan.c) and send the counts
 * of a direction that carried at least analytics.pii.min-records distinct
 * identifiers; this writes them as `pii` records: per type the distinct
 * records, occurrences and rejected look-alikes (failed check digit or
 * Luhn), a masked sample and its keyed hash, the direction and the peer. The
 * identifiers themselves never leave the scanner.
 *
 * Severity and category: data leaving HOME_NET (an internal host sending to
 * an external one, or serving one) is a potential leak: severity 1 with a
 * My Number or a card number, else 2, category "pii". Inside HOME_NET it is
 * recorded with severity 3 and no category (personal data moving between
 * internal systems is often business as usual).
 *
 * No table: each record stands alone.
 */
#include <stdlib.h>
#include <string.h>

#include "analytics/analytic.h"
#include "analytics/pii_worker.h"

struct pii_an {
	const struct an_env *env;
};

static void pii_obs(void *st, const struct an_obs *o)
{
	struct pii_an *p = st;
	struct an_pii r;
	if (o->kind != AN_OBS_PII || o->name_len != sizeof(r))
		return;
	memcpy(&r, o->name, sizeof(r));
	/* oriented as the data went */
	const struct addr *from = r.dir == 0 ? &o->src : &o->dst,
			  *to = r.dir == 0 ? &o->dst : &o->src;
	bool from_home = r.dir == 0 ? (o->flags & AN_F_SRC_HOME) : (o->flags & AN_F_DST_HOME);
	bool to_home = r.dir == 0 ? (o->flags & AN_F_DST_HOME) : (o->flags & AN_F_SRC_HOME);
	bool leaves = from_home && !to_home;
	uint32_t records = 0;
	for (int t = 0; t < PII_TYPES; t++)
		records += r.distinct[t];
	struct jbuf *jb =
	    an_begin(p->env->emit, o->ts, "pii", o->ip_ver, from, to, r.dir == 0 ? o->sp : o->dp,
		     r.dir == 0 ? o->dp : o->sp, o->proto, o->flow_id);
	jb_str_plain(jb, "direction", r.dir == 0 ? "to_server" : "to_client");
	jb_bool(jb, "leaves_home_net", leaves);
	jb_u64(jb, "records", records);
	jb_bool(jb, "at_least", r.overflow);
	jb_open(jb, "types");
	for (int t = 0; t < PII_TYPES; t++) {
		if (!r.total[t] && !r.rejected[t])
			continue;
		jb_open(jb, pii_type_name((enum pii_type)t));
		jb_u64(jb, "distinct", r.distinct[t]);
		jb_u64(jb, "total", r.total[t]);
		jb_u64(jb, "rejected", r.rejected[t]);
		r.sample[t][PII_SAMPLE_LEN - 1] = '\0';
		r.sample_hash[t][16] = '\0';
		if (r.sample[t][0]) {
			jb_str(jb, "sample_masked", r.sample[t]);
			jb_str(jb, "sample_hash", r.sample_hash[t]);
		}
		jb_close(jb);
	}
	jb_close(jb);
	jb_u64(jb, "bytes_scanned", r.bytes_scanned);
	jb_bool(jb, "truncated", r.truncated);
	jb_u64(jb, "flow_bytes", o->bytes[r.dir & 1]);
	an_put_ts(jb, "flow_start", o->start_ts);
	an_put_mitre(jb, "T1048.003", "Exfiltration Over Unencrypted Non-C2 Protocol",
		     "exfiltration");
	CNT_ADD(p->env->cnt, AN_PII_RECORDS, records);
	uint8_t sev = !leaves ? 3 : (r.distinct[PII_MYNUMBER] || r.distinct[PII_CARD]) ? 1 : 2;
	an_commit(p->env->emit, sev, leaves ? "pii" : NULL, o->ip_ver, leaves ? to : NULL);
}

static int pii_init(const struct an_env *env, void **st)
{
	*st = NULL;
	if (!env->cfg->an_pii)
		return 0;
	struct pii_an *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	p->env = env;
	*st = p;
	return 0;
}

static void pii_free(void *st)
{
	free(st);
}

const struct analytic analytic_pii = {
    .name = "pii",
    .init = pii_init,
    .obs = pii_obs,
    .free = pii_free,
};
