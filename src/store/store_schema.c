/*
 * store_schema — the store's tables and indexes as an ordered list of
 * migrations (PRAGMA user_version is the number applied), opening a database
 * with the store's settings, and the writer's prepared statements.
 *
 * Columns, in every record table: ts (µs since the epoch, UTC), flow_id
 * (the EVE flow_id), src/dst (BLOB of 4 or 16 bytes; src is the client),
 * sp/dp. Names (DNS, HTTP host, TLS SNI) are ids into `name`, stored lower
 * case with labels reversed; repeated strings (user agents, JA3/JA4, alert
 * messages, app_proto ...) are ids into `str`; certificates are rows of
 * `cert`, by SHA-1. Hashes are BLOBs (16, 20, 32 bytes). docs/store.md has
 * the whole schema.
 *
 * A migration is only ever appended: a store written by an older build is
 * brought up to date when opened for writing; a store from a newer build is
 * refused.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

struct migration {
	int version;
	const char *what;
	const char *sql;
};

static const struct migration migrations[] = {
    {1, "tables",
     "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
     "CREATE TABLE name(id INTEGER PRIMARY KEY, rname TEXT NOT NULL UNIQUE);"
     "CREATE TABLE str(id INTEGER PRIMARY KEY, v NOT NULL UNIQUE);"
     "CREATE TABLE cert(id INTEGER PRIMARY KEY, sha1 BLOB NOT NULL UNIQUE, subject TEXT,"
     " issuer TEXT, serial TEXT, not_before TEXT, not_after TEXT);"
     "CREATE TABLE flow(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, dur INTEGER,"
     " flow_id INTEGER, proto INTEGER, src BLOB, dst BLOB, sp INTEGER, dp INTEGER,"
     " app INTEGER, pkts_ts INTEGER, pkts_tc INTEGER, bytes_ts INTEGER, bytes_tc INTEGER,"
     " state INTEGER, reason INTEGER);"
     "CREATE TABLE dns(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, flow_id INTEGER,"
     " proto INTEGER, src BLOB, dst BLOB, sp INTEGER, dp INTEGER, response INTEGER,"
     " qname INTEGER, rrtype INTEGER, rcode INTEGER);"
     "CREATE TABLE dns_answer(dns INTEGER NOT NULL, addr BLOB NOT NULL,"
     " PRIMARY KEY(dns, addr)) WITHOUT ROWID;"
     "CREATE TABLE http(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, flow_id INTEGER,"
     " src BLOB, dst BLOB, sp INTEGER, dp INTEGER, host INTEGER, url TEXT, method INTEGER,"
     " status INTEGER, ua INTEGER, ctype INTEGER, length INTEGER);"
     "CREATE TABLE tls(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, flow_id INTEGER,"
     " src BLOB, dst BLOB, sp INTEGER, dp INTEGER, sni INTEGER, version INTEGER,"
     " ja3 INTEGER, ja3s INTEGER, ja4 INTEGER, cert INTEGER);"
     "CREATE TABLE fileinfo(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, flow_id INTEGER,"
     " src BLOB, dst BLOB, sp INTEGER, dp INTEGER, dir INTEGER, host INTEGER, name TEXT,"
     " size INTEGER, state INTEGER, md5 BLOB, sha1 BLOB, sha256 BLOB, magic INTEGER);"
     "CREATE TABLE alert(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, flow_id INTEGER,"
     " proto INTEGER, src BLOB, dst BLOB, sp INTEGER, dp INTEGER, gid INTEGER, sid INTEGER,"
     " rev INTEGER, msg INTEGER, category INTEGER, severity INTEGER, action INTEGER);"
     "CREATE TABLE intel(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, flow_id INTEGER,"
     " proto INTEGER, src BLOB, dst BLOB, sp INTEGER, dp INTEGER, type TEXT,"
     " indicator TEXT, field TEXT, value TEXT, source TEXT, actor TEXT, campaign TEXT,"
     " confidence INTEGER, tlp TEXT, retro INTEGER, first_seen INTEGER, last_seen INTEGER,"
     " count INTEGER, bytes_ts INTEGER, bytes_tc INTEGER, hosts TEXT);"
     "CREATE TABLE stats(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, counters TEXT);"},
    /* Exactly what the hunt and the query read: time (ranges, retention),
     * addresses, names, fingerprints and hashes, and flow_id (a record's
     * flow, and the records of a host's flows). Partial where most rows
     * have none. */
    {2, "indexes",
     "CREATE INDEX flow_ts ON flow(ts);"
     "CREATE INDEX flow_src ON flow(src);"
     "CREATE INDEX flow_dst ON flow(dst);"
     "CREATE INDEX flow_fid ON flow(flow_id);"
     "CREATE INDEX dns_ts ON dns(ts);"
     "CREATE INDEX dns_qname ON dns(qname);"
     "CREATE INDEX dns_fid ON dns(flow_id);"
     "CREATE INDEX dns_answer_addr ON dns_answer(addr);"
     "CREATE INDEX http_ts ON http(ts);"
     "CREATE INDEX http_host ON http(host);"
     "CREATE INDEX http_fid ON http(flow_id);"
     "CREATE INDEX tls_ts ON tls(ts);"
     "CREATE INDEX tls_sni ON tls(sni) WHERE sni IS NOT NULL;"
     "CREATE INDEX tls_ja3 ON tls(ja3) WHERE ja3 IS NOT NULL;"
     "CREATE INDEX tls_ja3s ON tls(ja3s) WHERE ja3s IS NOT NULL;"
     "CREATE INDEX tls_ja4 ON tls(ja4) WHERE ja4 IS NOT NULL;"
     "CREATE INDEX tls_cert ON tls(cert) WHERE cert IS NOT NULL;"
     "CREATE INDEX tls_fid ON tls(flow_id);"
     "CREATE INDEX fileinfo_ts ON fileinfo(ts);"
     "CREATE INDEX fileinfo_host ON fileinfo(host);"
     "CREATE INDEX fileinfo_md5 ON fileinfo(md5) WHERE md5 IS NOT NULL;"
     "CREATE INDEX fileinfo_sha1 ON fileinfo(sha1) WHERE sha1 IS NOT NULL;"
     "CREATE INDEX fileinfo_sha256 ON fileinfo(sha256) WHERE sha256 IS NOT NULL;"
     "CREATE INDEX fileinfo_fid ON fileinfo(flow_id);"
     "CREATE INDEX alert_ts ON alert(ts);"
     "CREATE INDEX alert_fid ON alert(flow_id);"
     "CREATE INDEX intel_ts ON intel(ts);"
     "CREATE INDEX intel_indicator ON intel(indicator);"
     "CREATE INDEX intel_fid ON intel(flow_id);"
     "CREATE INDEX stats_ts ON stats(ts);"},
    /* Behaviour analytics: each record whole (its EVE line) with what the
     * queries select on; daily counters and summaries, one row per day,
     * kind and key. */
    {3, "analytics",
     "CREATE TABLE event(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, flow_id INTEGER,"
     " proto INTEGER, src BLOB, dst BLOB, sp INTEGER, dp INTEGER, type TEXT NOT NULL,"
     " severity INTEGER, json TEXT NOT NULL);"
     "CREATE INDEX event_ts ON event(ts);"
     "CREATE INDEX event_type ON event(type, ts);"
     "CREATE INDEX event_src ON event(src) WHERE src IS NOT NULL;"
     "CREATE INDEX event_dst ON event(dst) WHERE dst IS NOT NULL;"
     "CREATE TABLE daily(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL,"
     " key TEXT NOT NULL, value INTEGER NOT NULL, json TEXT);"
     "CREATE INDEX daily_ts ON daily(ts, kind);"},
    /* Incidents (incident/): the correlation's groups, the keys that join
     * signals to them (hosts, infrastructure) and the signals themselves
     * (a row of alert, intel or event); alerts keep the rule's ATT&CK
     * metadata, and the correlation finds an address's alerts by index. */
    {4, "incidents",
     "ALTER TABLE alert ADD COLUMN attack INTEGER;"
     "CREATE INDEX alert_src ON alert(src);"
     "CREATE INDEX alert_dst ON alert(dst);"
     "CREATE TABLE incident(id INTEGER PRIMARY KEY, first INTEGER NOT NULL,"
     " last INTEGER NOT NULL, updated INTEGER NOT NULL, score INTEGER NOT NULL,"
     " severity TEXT NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL, hosts INTEGER,"
     " infra INTEGER, signals INTEGER, bytes_out INTEGER, merged_into INTEGER);"
     "CREATE TABLE incident_key(key TEXT NOT NULL, incident INTEGER NOT NULL,"
     " first INTEGER NOT NULL, last INTEGER NOT NULL, PRIMARY KEY(key, incident))"
     " WITHOUT ROWID;"
     "CREATE INDEX incident_key_inc ON incident_key(incident);"
     "CREATE TABLE incident_signal(incident INTEGER NOT NULL, tbl INTEGER NOT NULL,"
     " row INTEGER NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY(incident, tbl, row))"
     " WITHOUT ROWID;"
     "CREATE INDEX incident_signal_row ON incident_signal(tbl, row);"},
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "STORE_SCHEMA_VERSION is the number of migrations");

int store_db_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int store_db_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Before SQLite's first use: no allocation statistics (one global mutex
 * less per allocation; mamori never reads them). */
static void configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_db_open(const char *path, bool readonly, bool bulk, sqlite3 **db, char *err,
		  size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure);
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	*db = NULL;
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the store: %s", path,
			 *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, 10000);
	sqlite3_extended_result_codes(*db, 1);
	/* WAL: a commit is one append, readers never block the writer, and a
	 * process killed at any moment leaves every committed transaction.
	 * synchronous=NORMAL: no fsync per commit (a power cut may lose the
	 * last ones, a crash none). Debian builds SQLite with secure_delete,
	 * which would overwrite every pruned row. */
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "%sPRAGMA synchronous=%s; PRAGMA secure_delete=OFF; PRAGMA cache_size=%d;"
		 " PRAGMA mmap_size=%lld; PRAGMA journal_size_limit=67108864; PRAGMA "
		 "wal_autocheckpoint=8192;",
		 readonly ? "" : "PRAGMA journal_mode=WAL; ", bulk ? "OFF" : "NORMAL",
		 bulk	    ? -1048576
		 : readonly ? -131072
			    : -32768,
		 readonly ? 2147418112ll : 0ll);
	if (store_db_exec(*db, sql) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

int store_db_migrate(sqlite3 *db, int upto, char *err, size_t errlen)
{
	int v = store_db_version(db);
	if (v < 0) {
		snprintf(err, errlen, "cannot read the schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "the store has schema version %d, newer than this mamori's (%d): use a "
			 "newer mamori",
			 v, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (size_t i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= v || m->version > upto)
			continue;
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version=%d", m->version);
		if (store_db_exec(db, "BEGIN IMMEDIATE") != SQLITE_OK ||
		    store_db_exec(db, m->sql) != SQLITE_OK ||
		    store_db_exec(db, bump) != SQLITE_OK ||
		    store_db_exec(db, "COMMIT") != SQLITE_OK) {
			snprintf(err, errlen, "schema migration %d (%s) failed: %s", m->version,
				 m->what, sqlite3_errmsg(db));
			store_db_exec(db, "ROLLBACK");
			return -1;
		}
		if (v > 0)
			log_info("store: schema migrated to version %d (%s)", m->version, m->what);
	}
	return 0;
}

static const char *const insert_sql[STORE_KINDS] = {
    [STORE_FLOW] = "INSERT INTO flow(ts,flow_id,proto,src,dst,sp,dp,dur,app,pkts_ts,pkts_tc,"
		   "bytes_ts,bytes_tc,state,reason) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [STORE_DNS] = "INSERT INTO dns(ts,flow_id,proto,src,dst,sp,dp,response,qname,rrtype,rcode)"
		  " VALUES(?,?,?,?,?,?,?,?,?,?,?)",
    [STORE_HTTP] = "INSERT INTO http(ts,flow_id,src,dst,sp,dp,host,url,method,status,ua,ctype,"
		   "length) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [STORE_TLS] = "INSERT INTO tls(ts,flow_id,src,dst,sp,dp,sni,version,ja3,ja3s,ja4,cert)"
		  " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
    [STORE_FILEINFO] = "INSERT INTO fileinfo(ts,flow_id,src,dst,sp,dp,dir,host,name,size,state,"
		       "md5,sha1,sha256,magic) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [STORE_ALERT] = "INSERT INTO alert(ts,flow_id,proto,src,dst,sp,dp,gid,sid,rev,msg,category,"
		    "severity,action,attack) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [STORE_INTEL] =
	"INSERT INTO intel(ts,flow_id,proto,src,dst,sp,dp,type,indicator,field,value,"
	"source,actor,campaign,confidence,tlp,retro,first_seen,last_seen,count,"
	"bytes_ts,bytes_tc,hosts) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [STORE_STATS] = "INSERT INTO stats(ts,counters) VALUES(?,?)",
    [STORE_EVENT] = "INSERT INTO event(ts,flow_id,proto,src,dst,sp,dp,type,severity,json)"
		    " VALUES(?,?,?,?,?,?,?,?,?,?)",
    [STORE_DAILY] = "INSERT INTO daily(ts,kind,key,value,json) VALUES(?,?,?,?,?)",
};

static const char alert_sql_v1[] =
    "INSERT INTO alert(ts,flow_id,proto,src,dst,sp,dp,gid,sid,rev,msg,category,severity,action)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

int store_db_prepare(struct store *s)
{
	static const struct {
		size_t off;
		const char *sql;
	} other[] = {
	    {offsetof(struct store, ins_answer),
	     "INSERT OR IGNORE INTO dns_answer(dns,addr) VALUES(?,?)"},
	    {offsetof(struct store, name_get), "SELECT id FROM name WHERE rname=?"},
	    {offsetof(struct store, name_put), "INSERT INTO name(rname) VALUES(?)"},
	    {offsetof(struct store, str_get), "SELECT id FROM str WHERE v=?"},
	    {offsetof(struct store, str_put), "INSERT INTO str(v) VALUES(?)"},
	    {offsetof(struct store, cert_get), "SELECT id FROM cert WHERE sha1=?"},
	    {offsetof(struct store, cert_put),
	     "INSERT INTO cert(sha1,subject,issuer,serial,not_before,not_after) "
	     "VALUES(?,?,?,?,?,?)"},
	    {offsetof(struct store, meta_put),
	     "INSERT OR REPLACE INTO meta(key,value) VALUES(?,?)"},
	};
	for (int k = 0; k < STORE_KINDS; k++) {
		/* a bulk load has the tables of migration 1 until it finishes:
		 * it takes no analytics records */
		if (s->o.bulk && (k == STORE_EVENT || k == STORE_DAILY))
			continue;
		/* ... and alerts without their ATT&CK column (added by migration 4;
		 * the value bound to it is then out of range, and ignored) */
		const char *sql = s->o.bulk && k == STORE_ALERT ? alert_sql_v1 : insert_sql[k];
		if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->ins[k],
				       NULL) != SQLITE_OK)
			goto fail;
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		sqlite3_stmt **st = (sqlite3_stmt **)((char *)s + other[i].off);
		if (sqlite3_prepare_v3(s->db, other[i].sql, -1, SQLITE_PREPARE_PERSISTENT, st,
				       NULL) != SQLITE_OK)
			goto fail;
	}
	return 0;
fail:
	log_error("%s: cannot prepare the store's statements: %s", s->path, sqlite3_errmsg(s->db));
	store_db_finalize(s);
	return -1;
}

void store_db_finalize(struct store *s)
{
	for (int k = 0; k < STORE_KINDS; k++) {
		sqlite3_finalize(s->ins[k]);
		s->ins[k] = NULL;
	}
	sqlite3_stmt **other[] = {&s->ins_answer, &s->name_get, &s->name_put, &s->str_get,
				  &s->str_put,	  &s->cert_get, &s->cert_put, &s->meta_put};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		sqlite3_finalize(*other[i]);
		*other[i] = NULL;
	}
}
