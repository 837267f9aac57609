/*
 * query — `mamori query`: one parameter-bound SELECT per record type, with
 * the conditions the options ask for, each the newest `limit` records; the
 * types' results are merged by time and printed oldest first, as a table or
 * as EVE-shaped JSON lines.
 *
 * A host is found through the flow table's address indexes (both ends), the
 * other types through their flows' flow_id (and DNS also through its answer
 * addresses); a domain through the name table's reversed keys, one index
 * range for the name and everything below it.
 */
#include "store/query.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/dns.h"
#include "app/file.h"
#include "app/tls.h"
#include "core/log.h"
#include "output/eve.h"
#include "store/hunt.h"
#include "store/store_int.h"
#include "store/store_util.h"

/* Columns 0-7 of every select: ts, flow_id, proto, src, dst, sp, dp, id. */
enum { C_TS, C_FID, C_PROTO, C_SRC, C_DST, C_SP, C_DP, C_ID, C_X };

/* Names come back as keys (turned around when printed), interned strings
 * from str, certificates from cert. */
static const char *const select_sql[STORE_KINDS] = {
    [STORE_FLOW] = "SELECT t.ts,t.flow_id,t.proto,t.src,t.dst,t.sp,t.dp,t.id,t.dur,"
		   "(SELECT v FROM str WHERE id=t.app),"
		   "t.pkts_ts,t.pkts_tc,t.bytes_ts,t.bytes_tc,t.state,t.reason FROM flow t",
    [STORE_DNS] = "SELECT t.ts,t.flow_id,t.proto,t.src,t.dst,t.sp,t.dp,t.id,t.response,"
		  "(SELECT rname FROM name WHERE id=t.qname),t.rrtype,t.rcode FROM dns t",
    [STORE_HTTP] = "SELECT t.ts,t.flow_id,6,t.src,t.dst,t.sp,t.dp,t.id,"
		   "(SELECT rname FROM name WHERE id=t.host),t.url,"
		   "(SELECT v FROM str WHERE id=t.method),t.status,"
		   "(SELECT v FROM str WHERE id=t.ua),(SELECT v FROM str WHERE id=t.ctype),"
		   "t.length FROM http t",
    [STORE_TLS] = "SELECT t.ts,t.flow_id,6,t.src,t.dst,t.sp,t.dp,t.id,"
		  "(SELECT rname FROM name WHERE id=t.sni),t.version,"
		  "(SELECT v FROM str WHERE id=t.ja3),(SELECT v FROM str WHERE id=t.ja3s),"
		  "(SELECT v FROM str WHERE id=t.ja4),"
		  "c.sha1,c.subject,c.issuer,c.serial,c.not_before,c.not_after"
		  " FROM tls t LEFT JOIN cert c ON c.id=t.cert",
    [STORE_FILEINFO] = "SELECT t.ts,t.flow_id,6,t.src,t.dst,t.sp,t.dp,t.id,t.dir,"
		       "(SELECT rname FROM name WHERE id=t.host),"
		       "t.name,t.size,t.state,t.md5,t.sha1,t.sha256,"
		       "(SELECT v FROM str WHERE id=t.magic) FROM fileinfo t",
    [STORE_ALERT] = "SELECT t.ts,t.flow_id,t.proto,t.src,t.dst,t.sp,t.dp,t.id,t.gid,t.sid,t.rev,"
		    "(SELECT v FROM str WHERE id=t.msg),(SELECT v FROM str WHERE id=t.category),"
		    "t.severity,t.action FROM alert t",
    [STORE_INTEL] = "SELECT t.ts,t.flow_id,t.proto,t.src,t.dst,t.sp,t.dp,t.id,t.type,t.indicator,"
		    "t.field,t.value,t.source,t.actor,t.campaign,t.confidence,t.tlp,t.retro,"
		    "t.first_seen,t.last_seen,t.count,t.bytes_ts,t.bytes_tc,t.hosts FROM intel t",
    [STORE_STATS] = "SELECT t.ts,NULL,NULL,NULL,NULL,NULL,NULL,t.id,t.counters FROM stats t",
    [STORE_EVENT] = "SELECT t.ts,t.flow_id,t.proto,t.src,t.dst,t.sp,t.dp,t.id,t.type,t.severity,"
		    "t.json FROM event t",
    [STORE_DAILY] = "SELECT t.ts,NULL,NULL,NULL,NULL,NULL,NULL,t.id,t.kind,t.key,t.value,t.json"
		    " FROM daily t",
};

/* The conditions: an address range at either end (:lo :hi, :n bytes), a
 * name key and the keys below it (:k, and between :k1 and :k2). */
#define FLOWS_OF_HOST                                                                              \
	"SELECT flow_id FROM flow WHERE src BETWEEN :lo AND :hi AND length(src)=:n"                \
	" UNION SELECT flow_id FROM flow WHERE dst BETWEEN :lo AND :hi AND length(dst)=:n"
#define NAMES                                                                                      \
	"SELECT id FROM name WHERE rname=:k"                                                       \
	" UNION ALL SELECT id FROM name WHERE rname>:k1 AND rname<:k2"
#define FLOWS_OF_NAMES                                                                             \
	"SELECT flow_id FROM tls WHERE sni IN (" NAMES ")"                                         \
	" UNION SELECT flow_id FROM http WHERE host IN (" NAMES ")"
#define ENDS_IN_RANGE                                                                              \
	"(t.src BETWEEN :lo AND :hi AND length(t.src)=:n)"                                         \
	" OR (t.dst BETWEEN :lo AND :hi AND length(t.dst)=:n)"

static const char *const host_sql[STORE_KINDS] = {
    [STORE_FLOW] = "t.id IN (SELECT id FROM flow WHERE src BETWEEN :lo AND :hi AND"
		   " length(src)=:n UNION SELECT id FROM flow WHERE dst BETWEEN :lo AND :hi AND"
		   " length(dst)=:n)",
    [STORE_DNS] = "t.id IN (SELECT id FROM dns WHERE flow_id IN (" FLOWS_OF_HOST ")"
		  " UNION SELECT dns FROM dns_answer WHERE addr BETWEEN :lo AND :hi AND"
		  " length(addr)=:n)",
    [STORE_HTTP] = "t.flow_id IN (" FLOWS_OF_HOST ")",
    [STORE_TLS] = "t.flow_id IN (" FLOWS_OF_HOST ")",
    [STORE_FILEINFO] = "t.flow_id IN (" FLOWS_OF_HOST ")",
    [STORE_ALERT] = "(t.flow_id IN (" FLOWS_OF_HOST ") OR " ENDS_IN_RANGE ")",
    [STORE_INTEL] = "(t.flow_id IN (" FLOWS_OF_HOST ") OR " ENDS_IN_RANGE ")",
    [STORE_EVENT] = "(" ENDS_IN_RANGE ")",
};

static const char *const domain_sql[STORE_KINDS] = {
    [STORE_FLOW] = "t.flow_id IN (" FLOWS_OF_NAMES ")",
    [STORE_DNS] = "t.qname IN (" NAMES ")",
    [STORE_HTTP] = "t.host IN (" NAMES ")",
    [STORE_TLS] = "t.sni IN (" NAMES ")",
    [STORE_FILEINFO] = "t.host IN (" NAMES ")",
    [STORE_ALERT] = "t.flow_id IN (" FLOWS_OF_NAMES ")",
    [STORE_INTEL] = "(t.flow_id IN (" FLOWS_OF_NAMES ") OR t.value=:name)",
};

/* Text in a record's main fields (:ql, the text in lower case; :qk, the
 * same as a name key, labels turned around, for names). */
#define NAMES_WITH_TEXT "SELECT id FROM name WHERE instr(rname, :qk) OR instr(rname, :ql)"
#define STRS_WITH_TEXT	"SELECT id FROM str WHERE instr(lower(v), :ql)"

static const char *const text_sql[STORE_KINDS] = {
    [STORE_DNS] = "t.qname IN (" NAMES_WITH_TEXT ")",
    [STORE_HTTP] = "(t.host IN (" NAMES_WITH_TEXT ") OR instr(lower(t.url), :ql))",
    [STORE_TLS] = "t.sni IN (" NAMES_WITH_TEXT ")",
    [STORE_FILEINFO] = "(t.host IN (" NAMES_WITH_TEXT ") OR instr(lower(t.name), :ql))",
    [STORE_ALERT] = "t.msg IN (" STRS_WITH_TEXT ")",
    [STORE_INTEL] = "(instr(lower(t.indicator), :ql) OR instr(lower(t.value), :ql) OR"
		    " instr(lower(t.actor), :ql) OR instr(lower(t.campaign), :ql))",
    [STORE_EVENT] = "instr(lower(t.json), :ql)",
};

/* A signature: its sid (:sid), or text in its message (:sl, lower case). */
#define SIGNATURE_SQL "(t.sid = :sid OR t.msg IN (SELECT id FROM str WHERE instr(lower(v), :sl)))"

/* One printed record, kept until the types are merged. */
struct row {
	int64_t ts;
	unsigned kind;
	char *text;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

/* ---- values of a row ---- */

static void addr_text(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
	int n = sqlite3_column_bytes(st, col);
	const void *p = sqlite3_column_blob(st, col);
	struct addr a;
	out[0] = '\0';
	if (!p || (n != 4 && n != 16))
		return;
	memset(&a, 0, sizeof(a));
	memcpy(a.a, p, (size_t)n);
	eve_addr_str(&a, n == 16 ? 6 : 4, out, outlen);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* A str value: text as it is, bytes (a JA3 MD5) as hex. */
static const char *str_value(sqlite3_stmt *st, int col, char *buf, size_t buflen)
{
	if (sqlite3_column_type(st, col) == SQLITE_BLOB) {
		const uint8_t *p = sqlite3_column_blob(st, col);
		size_t n = (size_t)sqlite3_column_bytes(st, col), k = 0;
		for (size_t i = 0; i < n && k + 3 <= buflen; i++)
			k += (size_t)snprintf(buf + k, buflen - k, "%02x", p[i]);
		buf[k] = '\0';
		return buf;
	}
	return col_text(st, col);
}

/* Hex of a BLOB column, with sep between bytes (0: none); NULL when absent. */
static const char *hex_value(sqlite3_stmt *st, int col, char sep, char *buf, size_t buflen)
{
	const uint8_t *p = sqlite3_column_blob(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col), k = 0;
	if (!p || !n)
		return NULL;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n && k + 4 <= buflen; i++) {
		if (sep && i)
			buf[k++] = sep;
		buf[k++] = hex[p[i] >> 4];
		buf[k++] = hex[p[i] & 15];
	}
	buf[k] = '\0';
	return buf;
}

/* A name column (a reversed key) as the name. */
static const char *name_value(sqlite3_stmt *st, int col, char *buf)
{
	const char *k = col_text(st, col);
	if (!k || !store_name_key(k, strlen(k), buf))
		return NULL;
	return buf;
}

static const char *nz(const char *s, const char *def)
{
	return s ? s : def;
}

static const char *flow_state(int v)
{
	static const char *const n[] = {"new", "established", "closed"};
	return v >= 0 && v < 3 ? n[v] : "unknown";
}

/* ---- JSON ---- */

static void put_str(struct jbuf *jb, const char *key, const char *v)
{
	if (v)
		jb_str(jb, key, v);
}

/* The common head: timestamp, flow_id, event_type, addresses (swapped when
 * the record flowed from the server), proto. */
static void json_head(struct jbuf *jb, sqlite3_stmt *st, const char *type, bool swap)
{
	char ts[48], a[2][46], pn[8];
	jb_reset(jb);
	jb_open(jb, NULL);
	json_format_ts((uint64_t)sqlite3_column_int64(st, C_TS) * 1000, ts, sizeof(ts));
	jb_str_plain(jb, "timestamp", ts);
	if (sqlite3_column_type(st, C_FID) != SQLITE_NULL)
		jb_u64(jb, "flow_id", (uint64_t)sqlite3_column_int64(st, C_FID));
	jb_str_plain(jb, "event_type", type);
	if (sqlite3_column_type(st, C_SRC) == SQLITE_NULL)
		return;
	addr_text(st, C_SRC, a[0], sizeof(a[0]));
	addr_text(st, C_DST, a[1], sizeof(a[1]));
	int proto = sqlite3_column_int(st, C_PROTO);
	bool ports = proto == 6 || proto == 17 || proto == 132;
	jb_str_plain(jb, "src_ip", a[swap]);
	if (ports)
		jb_u64(jb, "src_port", (uint64_t)sqlite3_column_int(st, swap ? C_DP : C_SP));
	jb_str_plain(jb, "dest_ip", a[!swap]);
	if (ports)
		jb_u64(jb, "dest_port", (uint64_t)sqlite3_column_int(st, swap ? C_SP : C_DP));
	jb_str_plain(jb, "proto", eve_proto_name((uint8_t)proto, pn, sizeof(pn)));
}

static void json_answers(struct jbuf *jb, sqlite3_stmt *ans)
{
	bool open[2] = {false, false};
	for (int v = 0; v < 2; v++) {
		while (sqlite3_step(ans) == SQLITE_ROW) {
			char t[46];
			int n = sqlite3_column_bytes(ans, 0);
			if (n != (v ? 16 : 4))
				continue;
			addr_text(ans, 0, t, sizeof(t));
			if (!open[v]) {
				if (!open[0] && !open[1])
					jb_open(jb, "grouped");
				jb_open_array(jb, v ? "AAAA" : "A");
				open[v] = true;
			}
			jb_str_plain(jb, NULL, t);
		}
		sqlite3_reset(ans);
		if (open[v])
			jb_close_array(jb);
	}
	if (open[0] || open[1])
		jb_close(jb);
}

static void json_row(struct jbuf *jb, unsigned kind, sqlite3_stmt *st, sqlite3_stmt *ans)
{
	char b1[STORE_NAME_MAX], b2[128], b3[128], ts[48];
	const char *v;
	if (kind == STORE_EVENT) { /* kept whole */
		jb_reset(jb);
		if ((v = col_text(st, C_X + 2)))
			jb_raw(jb, v, strlen(v));
		return;
	}
	switch (kind) {
	case STORE_FLOW: {
		json_head(jb, st, "flow", false);
		if ((v = col_text(st, C_X + 1)))
			jb_str(jb, "app_proto", v);
		int64_t start = sqlite3_column_int64(st, C_TS),
			end = start + sqlite3_column_int64(st, C_X);
		jb_open(jb, "flow");
		jb_u64(jb, "pkts_toserver", (uint64_t)sqlite3_column_int64(st, C_X + 2));
		jb_u64(jb, "pkts_toclient", (uint64_t)sqlite3_column_int64(st, C_X + 3));
		jb_u64(jb, "bytes_toserver", (uint64_t)sqlite3_column_int64(st, C_X + 4));
		jb_u64(jb, "bytes_toclient", (uint64_t)sqlite3_column_int64(st, C_X + 5));
		json_format_ts((uint64_t)start * 1000, ts, sizeof(ts));
		jb_str_plain(jb, "start", ts);
		json_format_ts((uint64_t)end * 1000, ts, sizeof(ts));
		jb_str_plain(jb, "end", ts);
		jb_u64(jb, "age", (uint64_t)(end / 1000000 - start / 1000000));
		jb_str_plain(jb, "state", flow_state(sqlite3_column_int(st, C_X + 6)));
		jb_str_plain(
		    jb, "reason",
		    flow_reason_name((enum flow_end_reason)sqlite3_column_int(st, C_X + 7)));
		jb_close(jb);
		break;
	}
	case STORE_DNS: {
		bool resp = sqlite3_column_int(st, C_X);
		json_head(jb, st, "dns", resp);
		jb_open(jb, "dns");
		jb_u64(jb, "version", 3);
		jb_str_plain(jb, "type", resp ? "response" : "request");
		if (resp && sqlite3_column_type(st, C_X + 3) != SQLITE_NULL) {
			int rc = sqlite3_column_int(st, C_X + 3);
			if (dns_rcode_name((uint8_t)rc))
				jb_str_plain(jb, "rcode", dns_rcode_name((uint8_t)rc));
			else
				jb_u64(jb, "rcode", (uint64_t)rc);
		}
		if ((v = name_value(st, C_X + 1, b1))) {
			jb_open_array(jb, "queries");
			jb_open(jb, NULL);
			jb_str(jb, "rrname", v);
			int t = sqlite3_column_int(st, C_X + 2);
			if (dns_type_name((uint16_t)t))
				jb_str_plain(jb, "rrtype", dns_type_name((uint16_t)t));
			else
				jb_u64(jb, "rrtype", (uint64_t)t);
			jb_close(jb);
			jb_close_array(jb);
		}
		if (resp) {
			sqlite3_bind_int64(ans, 1, sqlite3_column_int64(st, C_ID));
			json_answers(jb, ans);
		}
		jb_close(jb);
		break;
	}
	case STORE_HTTP:
		json_head(jb, st, "http", false);
		jb_open(jb, "http");
		put_str(jb, "hostname", name_value(st, C_X, b1));
		put_str(jb, "url", col_text(st, C_X + 1));
		put_str(jb, "http_user_agent", col_text(st, C_X + 4));
		put_str(jb, "http_content_type", col_text(st, C_X + 5));
		put_str(jb, "http_method", col_text(st, C_X + 2));
		if (sqlite3_column_type(st, C_X + 3) != SQLITE_NULL)
			jb_u64(jb, "status", (uint64_t)sqlite3_column_int(st, C_X + 3));
		if (sqlite3_column_type(st, C_X + 6) != SQLITE_NULL)
			jb_u64(jb, "length", (uint64_t)sqlite3_column_int64(st, C_X + 6));
		jb_close(jb);
		break;
	case STORE_TLS: {
		char vb[24];
		json_head(jb, st, "tls", false);
		jb_open(jb, "tls");
		put_str(jb, "subject", col_text(st, C_X + 7));
		put_str(jb, "issuerdn", col_text(st, C_X + 8));
		put_str(jb, "serial", col_text(st, C_X + 9));
		put_str(jb, "fingerprint", hex_value(st, C_X + 6, ':', b2, sizeof(b2)));
		put_str(jb, "sni", name_value(st, C_X, b1));
		jb_str_plain(jb, "version",
			     tls_version_name((uint16_t)sqlite3_column_int(st, C_X + 1), vb));
		put_str(jb, "notbefore", col_text(st, C_X + 10));
		put_str(jb, "notafter", col_text(st, C_X + 11));
		for (int k = 0; k < 2; k++) {
			if (!(v = str_value(st, C_X + 2 + k, b3, sizeof(b3))))
				continue;
			jb_open(jb, k ? "ja3s" : "ja3");
			jb_str(jb, "hash", v);
			jb_close(jb);
		}
		put_str(jb, "ja4", col_text(st, C_X + 4));
		jb_close(jb);
		break;
	}
	case STORE_FILEINFO:
		json_head(jb, st, "fileinfo", sqlite3_column_int(st, C_X) == 1);
		if ((v = name_value(st, C_X + 1, b1))) {
			jb_open(jb, "http");
			jb_str(jb, "hostname", v);
			jb_close(jb);
		}
		jb_str_plain(jb, "app_proto", "http");
		jb_open(jb, "fileinfo");
		put_str(jb, "filename", col_text(st, C_X + 2));
		put_str(jb, "magic", col_text(st, C_X + 8));
		jb_str_plain(jb, "state",
			     app_file_state_name((uint8_t)sqlite3_column_int(st, C_X + 4)));
		put_str(jb, "md5", hex_value(st, C_X + 5, 0, b2, sizeof(b2)));
		put_str(jb, "sha1", hex_value(st, C_X + 6, 0, b2, sizeof(b2)));
		put_str(jb, "sha256", hex_value(st, C_X + 7, 0, b2, sizeof(b2)));
		jb_u64(jb, "size", (uint64_t)sqlite3_column_int64(st, C_X + 3));
		jb_close(jb);
		break;
	case STORE_ALERT:
		json_head(jb, st, "alert", false);
		jb_open(jb, "alert");
		jb_str_plain(jb, "action", "allowed");
		jb_u64(jb, "gid", (uint64_t)sqlite3_column_int64(st, C_X));
		jb_u64(jb, "signature_id", (uint64_t)sqlite3_column_int64(st, C_X + 1));
		jb_u64(jb, "rev", (uint64_t)sqlite3_column_int64(st, C_X + 2));
		jb_str(jb, "signature", nz(col_text(st, C_X + 3), ""));
		jb_str(jb, "category", nz(col_text(st, C_X + 4), ""));
		jb_u64(jb, "severity", (uint64_t)sqlite3_column_int(st, C_X + 5));
		jb_close(jb);
		break;
	case STORE_INTEL: {
		struct intel_sighting s;
		struct ioc_meta m;
		hunt_sighting_from_row(st, C_X, &s, &m);
		json_head(jb, st, "intel", false);
		eve_put_intel(jb, &s);
		break;
	}
	case STORE_STATS:
		json_head(jb, st, "stats", false);
		if ((v = col_text(st, C_X))) {
			jb_key(jb, "stats");
			jb_raw(jb, v, strlen(v));
		}
		break;
	case STORE_DAILY:
		json_head(jb, st, "daily", false);
		jb_open(jb, "daily");
		put_str(jb, "kind", col_text(st, C_X));
		put_str(jb, "key", col_text(st, C_X + 1));
		jb_u64(jb, "value", (uint64_t)sqlite3_column_int64(st, C_X + 2));
		if ((v = col_text(st, C_X + 3))) {
			jb_key(jb, "detail");
			jb_raw(jb, v, strlen(v));
		}
		jb_close(jb);
		break;
	}
	jb_close(jb);
}

/* ---- the table ---- */

static void text_row(struct jbuf *jb, unsigned kind, sqlite3_stmt *st, sqlite3_stmt *ans)
{
	char ts[48], a[2][46], line[1024], b1[STORE_NAME_MAX], b2[128], pn[8];
	const char *v;
	size_t k = 0;
	json_format_ts((uint64_t)sqlite3_column_int64(st, C_TS) * 1000, ts, sizeof(ts));
	addr_text(st, C_SRC, a[0], sizeof(a[0]));
	addr_text(st, C_DST, a[1], sizeof(a[1]));
	line[0] = '\0';
#define ADD(...)                                                                                   \
	(k += (size_t)snprintf(line + (k < sizeof(line) ? k : sizeof(line)),                       \
			       k < sizeof(line) ? sizeof(line) - k : 0, __VA_ARGS__))
	switch (kind) {
	case STORE_FLOW:
		ADD("%s", eve_proto_name((uint8_t)sqlite3_column_int(st, C_PROTO), pn, sizeof(pn)));
		if ((v = col_text(st, C_X + 1)))
			ADD(" %s", v);
		ADD(" %lld/%lld pkts %lld/%lld bytes %.3f s %s %s",
		    (long long)sqlite3_column_int64(st, C_X + 2),
		    (long long)sqlite3_column_int64(st, C_X + 3),
		    (long long)sqlite3_column_int64(st, C_X + 4),
		    (long long)sqlite3_column_int64(st, C_X + 5),
		    (double)sqlite3_column_int64(st, C_X) / 1e6,
		    flow_state(sqlite3_column_int(st, C_X + 6)),
		    flow_reason_name((enum flow_end_reason)sqlite3_column_int(st, C_X + 7)));
		break;
	case STORE_DNS: {
		bool resp = sqlite3_column_int(st, C_X);
		const char *t = dns_type_name((uint16_t)sqlite3_column_int(st, C_X + 2));
		ADD("%s %s %s", resp ? "response" : "query", nz(name_value(st, C_X + 1, b1), "-"),
		    t ? t : "?");
		if (resp) {
			const char *rc = dns_rcode_name((uint8_t)sqlite3_column_int(st, C_X + 3));
			ADD(" %s", rc ? rc : "?");
			sqlite3_bind_int64(ans, 1, sqlite3_column_int64(st, C_ID));
			while (sqlite3_step(ans) == SQLITE_ROW) {
				char t2[46];
				addr_text(ans, 0, t2, sizeof(t2));
				ADD(" %s", t2);
			}
			sqlite3_reset(ans);
		}
		break;
	}
	case STORE_HTTP:
		ADD("%s %s%s", nz(col_text(st, C_X + 2), "-"), nz(name_value(st, C_X, b1), ""),
		    nz(col_text(st, C_X + 1), ""));
		if (sqlite3_column_type(st, C_X + 3) != SQLITE_NULL)
			ADD(" %d", sqlite3_column_int(st, C_X + 3));
		if ((v = col_text(st, C_X + 4)))
			ADD(" \"%s\"", v);
		break;
	case STORE_TLS: {
		char vb[24];
		ADD("%s %s", nz(name_value(st, C_X, b1), "-"),
		    tls_version_name((uint16_t)sqlite3_column_int(st, C_X + 1), vb));
		if ((v = str_value(st, C_X + 2, b2, sizeof(b2))))
			ADD(" ja3 %s", v);
		if ((v = col_text(st, C_X + 4)))
			ADD(" ja4 %s", v);
		if ((v = col_text(st, C_X + 7)))
			ADD(" subject \"%s\"", v);
		break;
	}
	case STORE_FILEINFO:
		ADD("%s%s %lld bytes %s", nz(name_value(st, C_X + 1, b1), ""),
		    nz(col_text(st, C_X + 2), ""), (long long)sqlite3_column_int64(st, C_X + 3),
		    sqlite3_column_int(st, C_X) ? "download" : "upload");
		if ((v = hex_value(st, C_X + 7, 0, b2, sizeof(b2))))
			ADD(" sha256 %s", v);
		break;
	case STORE_ALERT:
		ADD("[%d:%d:%d] %s (severity %d)", sqlite3_column_int(st, C_X),
		    sqlite3_column_int(st, C_X + 1), sqlite3_column_int(st, C_X + 2),
		    nz(col_text(st, C_X + 3), ""), sqlite3_column_int(st, C_X + 5));
		break;
	case STORE_INTEL:
		ADD("%s %s in %s", nz(col_text(st, C_X), "?"), nz(col_text(st, C_X + 1), "?"),
		    nz(col_text(st, C_X + 2), "?"));
		if (sqlite3_column_int(st, C_X + 9))
			ADD(" (retro: %lld records)",
			    (long long)sqlite3_column_int64(st, C_X + 12));
		if ((v = col_text(st, C_X + 4)))
			ADD(" source %s", v);
		break;
	case STORE_STATS:
		ADD("%d bytes of counters", sqlite3_column_bytes(st, C_X));
		break;
	case STORE_EVENT:
		ADD("%s (severity %d)", nz(col_text(st, C_X), "?"),
		    sqlite3_column_int(st, C_X + 1));
		break;
	case STORE_DAILY:
		ADD("%s %s = %lld", nz(col_text(st, C_X), "?"), nz(col_text(st, C_X + 1), "?"),
		    (long long)sqlite3_column_int64(st, C_X + 2));
		break;
	}
#undef ADD
	char head[256];
	int sp = sqlite3_column_int(st, C_SP), dp = sqlite3_column_int(st, C_DP);
	if (a[0][0])
		snprintf(head, sizeof(head), "%-31s %-8s %s:%d -> %s:%d", ts, store_kind_name(kind),
			 a[0], sp, a[1], dp);
	else
		snprintf(head, sizeof(head), "%-31s %-8s -", ts, store_kind_name(kind));
	jb_reset(jb);
	jb_raw(jb, head, strlen(head));
	jb_raw(jb, "  ", 2);
	jb_raw(jb, line, strnlen(line, sizeof(line)));
}

/* ---- running it ---- */

/* A copy in ASCII lower case (what the text conditions compare). */
static char *lower_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		d[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	return d;
}

static int by_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

static void bind_named(sqlite3_stmt *st, const char *name, const void *p, int n, bool blob)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (!i)
		return;
	if (blob)
		sqlite3_bind_blob(st, i, p, n, SQLITE_TRANSIENT);
	else
		sqlite3_bind_text(st, i, p, n, SQLITE_TRANSIENT);
}

static void bind_int_named(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i)
		sqlite3_bind_int64(st, i, v);
}

int64_t store_query_each(sqlite3 *db, const struct store_query *q, store_query_fn fn, void *ctx)
{
	uint8_t lo[16], hi[16], addr[16];
	int ver = 0;
	unsigned plen = 0;
	char key[STORE_NAME_MAX], k1[STORE_NAME_MAX + 1], k2[STORE_NAME_MAX + 1];
	size_t klen = 0;
	struct rows rows = {NULL, 0, 0};
	struct jbuf jb;
	int64_t printed = 0;
	bool ok = false;
	sqlite3_stmt *ans = NULL;
	char *ql = NULL, *sl = NULL, qk[STORE_NAME_MAX];
	size_t qklen = 0;
	int64_t sid = -1;

	if (q->host) {
		if (store_parse_prefix(q->host, &ver, addr, &plen) < 0) {
			log_error("query: '%s' is not an address or CIDR", q->host);
			return -1;
		}
		store_prefix_range(ver, addr, plen, lo, hi);
	}
	if (q->domain) {
		klen = store_name_key(q->domain, strlen(q->domain), key);
		if (!klen) {
			log_error("query: '%s' is not a domain name", q->domain);
			return -1;
		}
		snprintf(k1, sizeof(k1), "%s.", key);
		snprintf(k2, sizeof(k2), "%s/", key);
	}
	if (q->text) {
		ql = lower_dup(q->text);
		qklen = store_name_key(q->text, strlen(q->text), qk);
	}
	if (q->signature) {
		char *end;
		long long v = strtoll(q->signature, &end, 10);
		if (*q->signature && !*end && v >= 0)
			sid = v;
		sl = lower_dup(q->signature);
	}
	if ((q->text && !ql) || (q->signature && !sl)) {
		log_error("query: out of memory");
		free(ql);
		free(sl);
		return -1;
	}
	if (jb_init(&jb, 4096, 4u << 20) < 0 ||
	    sqlite3_prepare_v2(
		db, "SELECT addr FROM dns_answer WHERE dns=? ORDER BY length(addr), addr", -1, &ans,
		NULL) != SQLITE_OK) {
		log_error("query: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (unsigned kind = 0; kind < STORE_KINDS; kind++) {
		if (q->types && !(q->types & (1u << kind)))
			continue;
		if ((q->host && !host_sql[kind]) || (q->domain && !domain_sql[kind]) ||
		    (q->text && !text_sql[kind]) || (q->signature && kind != STORE_ALERT))
			continue;
		char sql[4096];
		size_t n =
		    (size_t)snprintf(sql, sizeof(sql), "%s WHERE t.ts >= :since AND t.ts < :until",
				     select_sql[kind]);
		if (q->host)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND %s", host_sql[kind]);
		if (q->domain)
			n +=
			    (size_t)snprintf(sql + n, sizeof(sql) - n, " AND %s", domain_sql[kind]);
		if (q->text)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND %s", text_sql[kind]);
		if (q->signature)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND %s", SIGNATURE_SQL);
		if (q->after_id || q->upto_id)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n,
					      " AND t.id > :after AND t.id <= :upto");
		snprintf(sql + n, sizeof(sql) - n, " ORDER BY t.ts %s",
			 q->limit ? "DESC LIMIT :limit" : "ASC");
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			log_error("query: %s", sqlite3_errmsg(db));
			goto out;
		}
		bind_int_named(st, ":since", q->since);
		bind_int_named(st, ":until", q->until);
		bind_int_named(st, ":limit", (int64_t)q->limit);
		bind_int_named(st, ":after", q->after_id);
		bind_int_named(st, ":upto", q->upto_id ? q->upto_id : INT64_MAX);
		bind_int_named(st, ":sid", sid);
		if (q->text) {
			bind_named(st, ":ql", ql, -1, false);
			/* not a name: a key that matches nothing */
			bind_named(st, ":qk", qklen ? qk : "\x01", qklen ? (int)qklen : 1, false);
		}
		if (q->signature)
			bind_named(st, ":sl", sl, -1, false);
		if (q->host) {
			int an = ver == 6 ? 16 : 4;
			bind_named(st, ":lo", lo, an, true);
			bind_named(st, ":hi", hi, an, true);
			bind_int_named(st, ":n", an);
		}
		if (q->domain) {
			bind_named(st, ":k", key, (int)klen, false);
			bind_named(st, ":k1", k1, -1, false);
			bind_named(st, ":k2", k2, -1, false);
			bind_named(st, ":name", q->domain, -1, false);
		}
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (q->json)
				json_row(&jb, kind, st, ans);
			else
				text_row(&jb, kind, st, ans);
			if (jb.overflow)
				continue;
			if (!q->limit) {
				/* all of it: each type in time order, as it comes */
				fn(ctx, jb.p, jb.len);
				printed++;
				continue;
			}
			if (rows.n == rows.cap) {
				size_t cap = rows.cap ? rows.cap * 2 : 256;
				struct row *v = realloc(rows.v, cap * sizeof(*v));
				if (!v)
					break;
				rows.v = v;
				rows.cap = cap;
			}
			char *t = malloc(jb.len + 1);
			if (!t)
				break;
			memcpy(t, jb.p, jb.len);
			t[jb.len] = '\0';
			rows.v[rows.n++] = (struct row){sqlite3_column_int64(st, C_TS), kind, t};
		}
		if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
			log_error("query: %s", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			goto out;
		}
		sqlite3_finalize(st);
	}
	ok = true;
	if (q->limit) {
		if (rows.n)
			qsort(rows.v, rows.n, sizeof(rows.v[0]), by_time);
		size_t from = rows.n > q->limit ? rows.n - q->limit : 0;
		for (size_t i = from; i < rows.n; i++) {
			fn(ctx, rows.v[i].text, strlen(rows.v[i].text));
			printed++;
		}
	}
out:
	for (size_t i = 0; i < rows.n; i++)
		free(rows.v[i].text);
	free(rows.v);
	sqlite3_finalize(ans);
	jb_free(&jb);
	free(ql);
	free(sl);
	return ok ? printed : -1;
}

static void to_file(void *ctx, const char *line, size_t len)
{
	fwrite(line, 1, len, ctx);
	fputc('\n', ctx);
}

int64_t store_query_run(sqlite3 *db, const struct store_query *q, FILE *out)
{
	return store_query_each(db, q, to_file, out);
}

/* ---- opening a store for reading ---- */

static int store_open_for(const char *path, bool readonly, sqlite3 **db);

int store_open_reader(const char *path, sqlite3 **db)
{
	return store_open_for(path, true, db);
}

int store_open_writer(const char *path, sqlite3 **db)
{
	return store_open_for(path, false, db);
}

static int store_open_for(const char *path, bool readonly, sqlite3 **db)
{
	char err[512];
	if (access(path, F_OK) != 0) {
		log_error(
		    "%s: no store there (mamori read and mamori live write one; --store PATH)",
		    path);
		return -1;
	}
	if (store_db_open(path, readonly, false, db, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	int v = store_db_version(*db);
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	sqlite3_close(*db);
	*db = NULL;
	if (v > STORE_SCHEMA_VERSION || v <= 0) {
		if (v > 0)
			log_error(
			    "%s: the store has schema version %d, newer than this mamori's (%d): "
			    "use a newer mamori",
			    path, v, STORE_SCHEMA_VERSION);
		else
			log_error("%s: not a mamori store", path);
		return -1;
	}
	/* an older store: bring it up to date, then read */
	if (store_db_open(path, false, false, db, err, sizeof(err)) < 0 ||
	    store_db_migrate(*db, STORE_SCHEMA_VERSION, err, sizeof(err)) < 0) {
		log_error("%s: %s", path, err);
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_close(*db);
	if (store_db_open(path, readonly, false, db, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

int64_t store_reader_clock(sqlite3 *db)
{
	sqlite3_stmt *st;
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	int64_t now = (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000, newest = 0;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='newest'", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			newest = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return newest > 0 && newest < now ? newest : now;
}

/* ---- mamori query ---- */

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori query [options]\n"
	    "Records of the store, the newest N (--limit) printed oldest first.\n\n"
	    "options:\n"
	    "      --store PATH    the store (default: mamori.db, as 'mamori read' writes it\n"
	    "                      in its output directory)\n"
	    "      --host IP|CIDR  records of flows with this host at either end (and DNS\n"
	    "                      answers with it)\n"
	    "      --domain NAME   DNS questions, HTTP hosts and TLS server names of NAME and\n"
	    "                      every name below it, and the flows that carried them\n"
	    "      --type T[,T]    flow, dns, http, tls, fileinfo, alert, intel, stats,\n"
	    "                      event, daily (default: all)\n"
	    "      --signature S   alerts of the rule with sid S, or with S in their message\n"
	    "      --text S        records with S in their main fields (alert message, DNS\n"
	    "                      name, HTTP host and URL, TLS name, file name, intel\n"
	    "                      indicator, analytics record); types without any are left out\n"
	    "      --since T       from T: RFC 3339 (2024-01-15T09:00:00Z), a date\n"
	    "                      (2024-01-15), or an age (7d, 24h, 30m) before the store's\n"
	    "                      newest record\n"
	    "      --until T       before T (same forms)\n"
	    "      --limit N       the newest N records (default 100; 0: all, type by type)\n"
	    "      --json          EVE-shaped JSON lines instead of a table\n\n"
	    "exit status: 0 ok (also when nothing matched); 1 no store or a store error;\n"
	    "2 usage.\n");
}

static int parse_types(const char *s, unsigned *types)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned k;
		for (k = 0; k < STORE_KINDS && strcmp(t, store_kind_name(k)); k++)
			;
		if (k == STORE_KINDS) {
			log_error("query: unknown type '%s'", t);
			return -1;
		}
		*types |= 1u << k;
	}
	return 0;
}

int query_cmd(int argc, char **argv)
{
	enum {
		O_STORE = 256,
		O_HOST,
		O_DOMAIN,
		O_TYPE,
		O_SINCE,
		O_UNTIL,
		O_LIMIT,
		O_JSON,
		O_SIG,
		O_TEXT
	};
	static const struct option opts[] = {
	    {"store", required_argument, NULL, O_STORE},
	    {"host", required_argument, NULL, O_HOST},
	    {"domain", required_argument, NULL, O_DOMAIN},
	    {"type", required_argument, NULL, O_TYPE},
	    {"since", required_argument, NULL, O_SINCE},
	    {"until", required_argument, NULL, O_UNTIL},
	    {"limit", required_argument, NULL, O_LIMIT},
	    {"json", no_argument, NULL, O_JSON},
	    {"signature", required_argument, NULL, O_SIG},
	    {"text", required_argument, NULL, O_TEXT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct store_query q = {.since = INT64_MIN, .until = INT64_MAX, .limit = 100};
	const char *path = "mamori.db", *since = NULL, *until = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_STORE:
			path = optarg;
			break;
		case O_HOST:
			q.host = optarg;
			break;
		case O_DOMAIN:
			q.domain = optarg;
			break;
		case O_TYPE:
			if (parse_types(optarg, &q.types) < 0)
				return 2;
			break;
		case O_SINCE:
			since = optarg;
			break;
		case O_UNTIL:
			until = optarg;
			break;
		case O_LIMIT: {
			char *end;
			q.limit = strtoull(optarg, &end, 10);
			if (*end || *optarg == '-') {
				log_error("query: --limit wants a number");
				return 2;
			}
			break;
		}
		case O_JSON:
			q.json = true;
			break;
		case O_SIG:
			q.signature = optarg;
			break;
		case O_TEXT:
			q.text = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	sqlite3 *db;
	if (store_open_reader(path, &db) < 0)
		return 1;
	int64_t now = store_reader_clock(db);
	if ((since && store_parse_time(since, now, &q.since) < 0) ||
	    (until && store_parse_time(until, now, &q.until) < 0)) {
		log_error("query: a time is RFC 3339, a date (YYYY-MM-DD), 'now' or an age (7d, "
			  "24h, 30m, 90s)");
		sqlite3_close(db);
		return 2;
	}
	int64_t n = store_query_run(db, &q, stdout);
	sqlite3_close(db);
	if (n < 0)
		return 1;
	if (!q.json)
		fprintf(stderr, "mamori: %" PRId64 " records\n", n);
	return 0;
}
