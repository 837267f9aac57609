/*
 * auth — who may use the API: the token (a Bearer header, or the session
 * cookie POST /api/login sets), the CSRF value every state-changing request
 * carries, and the Host check that keeps a page of another site, whose name
 * was made to resolve to this machine (DNS rebinding), out of a server
 * without a token.
 *
 * The token itself is never kept: its SHA-256 is, and compared in constant
 * time. The session cookie is an HMAC of the token under a key drawn at
 * start, so it is worthless after a restart and never reveals the token.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/version.h"
#include "web/web_int.h"

#define SESSION_COOKIE "mamori_session"

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

bool web_same(const char *a, const char *b)
{
	/* the lengths are public (fixed-size values); the bytes are not */
	size_t n = strlen(a);
	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

/* Read the token: the first line of the file, at least 16 characters. */
static int read_token(const char *path, char *tok, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("%s: cannot read the token: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(tok, (int)len, f))
		tok[0] = '\0';
	fclose(f);
	tok[strcspn(tok, "\r\n")] = '\0';
	if (strlen(tok) < 16) {
		log_error(
		    "%s: the token must be at least 16 characters (e.g. 'openssl rand -hex 24')",
		    path);
		return -1;
	}
	return 0;
}

int web_auth_init(struct web_server *s, const char *token_file)
{
	uint8_t key[32], csrf[16], mac[32];
	unsigned mac_len = 0;
	if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(csrf, sizeof(csrf)) != 1) {
		log_error("serve: no random bytes for the session keys");
		return -1;
	}
	hex(csrf, sizeof(csrf), s->csrf);
	if (!token_file || !*token_file)
		return 0;
	char tok[512];
	if (read_token(token_file, tok, sizeof(tok)) < 0)
		return -1;
	SHA256((const unsigned char *)tok, strlen(tok), s->token_hash);
	if (!HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)tok, strlen(tok), mac,
		  &mac_len)) {
		log_error("serve: cannot derive the session value");
		return -1;
	}
	hex(mac, 32, s->session);
	memset(tok, 0, sizeof(tok));
	s->token = true;
	return 0;
}

/* Is this the token (its hash compared in constant time)? */
static bool token_ok(const struct web_server *s, const char *t, size_t n)
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)t, n, h);
	return CRYPTO_memcmp(h, s->token_hash, sizeof(h)) == 0;
}

/* The session cookie's value in a Cookie header, copied to out. */
static bool cookie_value(const char *cookie, char *out, size_t outlen)
{
	const char *p = cookie;
	size_t kl = strlen(SESSION_COOKIE);
	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!strncmp(p, SESSION_COOKIE, kl) && p[kl] == '=') {
			p += kl + 1;
			size_t n = strcspn(p, ";");
			if (n >= outlen)
				return false;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
		p = strchr(p, ';');
	}
	return false;
}

static bool authenticated(const struct web_req *rq)
{
	const struct web_server *s = rq->srv;
	if (!s->token)
		return true;
	const char *a = rq->authorization;
	if (a && !strncasecmp(a, "Bearer ", 7)) {
		a += 7;
		while (*a == ' ')
			a++;
		return token_ok(s, a, strlen(a));
	}
	char v[80];
	return rq->cookie && cookie_value(rq->cookie, v, sizeof(v)) && web_same(v, s->session);
}

bool web_auth_ok(struct web_req *rq, struct web_resp *rs)
{
	if (authenticated(rq))
		return true;
	atomic_fetch_add(&rq->srv->c.unauthorized, 1);
	web_error(rs, 401, "a token is required (Authorization: Bearer, or POST /api/login)");
	return false;
}

/* The host part of a Host header, lower case, without the port. */
static void host_part(const char *h, char *out, size_t outlen)
{
	size_t n;
	if (*h == '[') {
		const char *e = strchr(h, ']');
		n = e ? (size_t)(e - h) + 1 : strlen(h);
	} else {
		n = strcspn(h, ":");
	}
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[n] = '\0';
}

bool web_host_ok(const struct web_req *rq)
{
	const struct web_server *s = rq->srv;
	/* with a token, the token decides; an HTTP/1.0 client may send no Host */
	if (s->token || !rq->host)
		return true;
	char h[300];
	host_part(rq->host, h, sizeof(h));
	if (!strcmp(h, "localhost") || !strcmp(h, "127.0.0.1") || !strcmp(h, "[::1]"))
		return true;
	char l[300];
	if (strchr(s->listen, ':'))
		snprintf(l, sizeof(l), "[%s]", s->listen);
	else
		snprintf(l, sizeof(l), "%s", s->listen);
	return !strcasecmp(h, l);
}

/* No Origin header, or one naming the Host the request was sent to. */
static bool origin_ok(const struct web_req *rq)
{
	if (!rq->origin)
		return true;
	const char *o = rq->origin;
	if (strncasecmp(o, "http://", 7))
		return false;
	return rq->host && !strcasecmp(o + 7, rq->host);
}

bool web_csrf_ok(const struct web_req *rq)
{
	return rq->csrf && web_same(rq->csrf, rq->srv->csrf) && origin_ok(rq);
}

void api_session(struct web_req *rq, struct web_resp *rs)
{
	bool ok = authenticated(rq);
	json_t *o = json_object();
	json_object_set_new(o, "version", json_string(MAMORI_VERSION));
	json_object_set_new(o, "auth", json_boolean(rq->srv->token));
	json_object_set_new(o, "authenticated", json_boolean(ok));
	if (ok) {
		json_object_set_new(o, "csrf", json_string(rq->srv->csrf));
		json_t *p = json_string(rq->srv->store);
		if (p)
			json_object_set_new(o, "store", p);
	}
	web_json(rs, 200, o);
}

void api_login(struct web_req *rq, struct web_resp *rs)
{
	struct web_server *s = rq->srv;
	if (!origin_ok(rq)) {
		atomic_fetch_add(&s->c.forbidden, 1);
		web_error(rs, 403, "login from another origin");
		return;
	}
	if (!s->token) {
		web_text(rs, 204, "text/plain", NULL, 0);
		return;
	}
	json_error_t je;
	json_t *b = rq->body_len ? json_loadb(rq->body, rq->body_len, 0, &je) : NULL;
	const char *t = json_string_value(json_object_get(b, "token"));
	if (!t) {
		json_decref(b);
		web_error(rs, 400, "the body is {\"token\": \"...\"}");
		return;
	}
	bool ok = token_ok(s, t, strlen(t));
	json_decref(b);
	if (!ok) {
		atomic_fetch_add(&s->c.unauthorized, 1);
		web_error(rs, 401, "wrong token");
		return;
	}
	web_text(rs, 204, "text/plain", NULL, 0);
	snprintf(rs->cookie, sizeof(rs->cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict",
		 SESSION_COOKIE, s->session);
}
