/*
 * kw_tls — TLS transaction keywords as ET Open uses them:
 *   tls.version:1.2        the negotiated version (1.0, 1.1, 1.2, 1.3, or a
 *                          number such as 0x0303); checked at the ServerHello
 *   ssl_version:sslv3,tls1.0,!tls1.3   the version of this side's hello:
 *                          any listed one matches, !name excludes
 *   ssl_state:client_hello|server_hello, !state   the handshake messages seen
 * Without a flow direction a rule checks both hellos.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/applayer.h"
#include "app/tls.h"
#include "detect/keyword.h"

static uint8_t tls_level_dir(int rdir)
{
	return rdir == 1 ? 2 : 1;
}

static uint8_t tls_level_server(int rdir)
{
	(void)rdir;
	return 2;
}

/* ---- tls.version ---- */

static int setup_tls_version(struct rule_ctx *rc, const char *v)
{
	int rcode = rule_ctx_bind_app(rc, ALPROTO_TLS);
	if (rcode)
		return rcode;
	uint16_t *c = malloc(sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (!strcmp(v, "1.0"))
		*c = 0x0301;
	else if (!strcmp(v, "1.1"))
		*c = 0x0302;
	else if (!strcmp(v, "1.2"))
		*c = 0x0303;
	else if (!strcmp(v, "1.3"))
		*c = 0x0304;
	else {
		char *end;
		unsigned long n = strtoul(v, &end, 0);
		if (*end || n > 0xffff) {
			free(c);
			return kw_fail(rc, KW_ERR, "a TLS version (1.0 ... 1.3 or a number) expected");
		}
		*c = (uint16_t)n;
	}
	return rule_ctx_add_pkt_sm(rc, KW_tls_version, c);
}

static bool match_tls_version(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct tls_state *st = tx->data;
	(void)dir;
	uint16_t v = st->server_version ? st->server_version : st->client_version;
	return v == *(const uint16_t *)ctx;
}

/* ---- ssl_version ---- */

struct ssl_versions {
	uint16_t want, exclude; /* bit per version: sslv2 sslv3 tls1.0 tls1.1 tls1.2 tls1.3 */
};

static int version_bit(uint16_t v, bool sslv2)
{
	if (sslv2 || v == 0x0002)
		return 0;
	if (v >= 0x0300 && v <= 0x0304)
		return 1 + (v - 0x0300);
	return -1;
}

static int setup_ssl_version(struct rule_ctx *rc, const char *v)
{
	static const char *const names[] = {"sslv2", "sslv3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};
	int rcode = rule_ctx_bind_app(rc, ALPROTO_TLS);
	if (rcode)
		return rcode;
	struct ssl_versions *c = calloc(1, sizeof(*c));
	char buf[128];
	char *parts[8];
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	int n = kw_split(v, buf, sizeof(buf), parts, 8);
	for (int i = 0; i < n; i++) {
		bool neg = parts[i][0] == '!';
		const char *name = parts[i] + (neg ? 1 : 0);
		int k = -1;
		for (int j = 0; j < 6; j++)
			if (!strcasecmp(name, names[j]))
				k = j;
		if (k < 0) {
			free(c);
			return kw_fail(rc, KW_ERR, "unknown SSL/TLS version '%s'", name);
		}
		if (neg)
			c->exclude |= (uint16_t)(1u << k);
		else
			c->want |= (uint16_t)(1u << k);
	}
	if (n <= 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "a list of versions expected");
	}
	return rule_ctx_add_pkt_sm(rc, KW_ssl_version, c);
}

static bool match_ssl_version(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct tls_state *st = tx->data;
	const struct ssl_versions *c = ctx;
	int b = dir == 0 ? version_bit(st->client_version, st->flags & TLS_F_SSLV2)
			 : version_bit(st->server_version, false);
	if (b < 0)
		return false;
	if (c->exclude & (1u << b))
		return false;
	return !c->want || (c->want & (1u << b));
}

/* ---- ssl_state ---- */

struct ssl_state_ctx {
	uint8_t any_of; /* TLS_F_CLIENT_HELLO / TLS_F_SERVER_HELLO */
	bool negated;
	bool never;	/* a state mamori does not track (key exchange) */
};

static int setup_ssl_state(struct rule_ctx *rc, const char *v)
{
	int rcode = rule_ctx_bind_app(rc, ALPROTO_TLS);
	if (rcode)
		return rcode;
	struct ssl_state_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (*v == '!') {
		c->negated = true;
		v++;
	}
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save = NULL, *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		if (!strcasecmp(t, "client_hello"))
			c->any_of |= TLS_F_CLIENT_HELLO;
		else if (!strcasecmp(t, "server_hello"))
			c->any_of |= TLS_F_SERVER_HELLO;
		else if (!strcasecmp(t, "client_keyx") || !strcasecmp(t, "server_keyx") ||
			 !strcasecmp(t, "unknown"))
			c->never = true;
		else {
			free(c);
			return kw_fail(rc, KW_ERR, "unknown ssl_state '%s'", t);
		}
	}
	return rule_ctx_add_pkt_sm(rc, KW_ssl_state, c);
}

static bool match_ssl_state(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct tls_state *st = tx->data;
	const struct ssl_state_ctx *c = ctx;
	/* the message this side's data brought */
	uint8_t seen = dir == 0 ? (st->flags & TLS_F_CLIENT_HELLO) : (st->flags & TLS_F_SERVER_HELLO);
	bool m = (seen & c->any_of) != 0;
	return m != c->negated;
}

const struct kw_def kw_tls_version = {"tls.version",	 KWF_VALUE,	  setup_tls_version,
				      free,		 NULL,		  NULL,
				      ALPROTO_TLS,	 tls_level_server, match_tls_version};
const struct kw_def kw_ssl_version = {"ssl_version", KWF_VALUE,	   setup_ssl_version, free, NULL,
				      NULL,	     ALPROTO_TLS, tls_level_dir,     match_ssl_version};
const struct kw_def kw_ssl_state = {"ssl_state", KWF_VALUE,   setup_ssl_state, free, NULL,
				    NULL,	 ALPROTO_TLS, tls_level_dir,   match_ssl_state};
