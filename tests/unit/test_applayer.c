/*
 * test_applayer — protocol detection by content (app/applayer.c): HTTP and
 * TLS found whatever the port, "failed" when nothing fits, the events for a
 * protocol on another's port and for two directions that disagree, a probe
 * that needs more bytes than the first segment holds, and transactions
 * reported level by level.
 */
#include <stdlib.h>
#include <string.h>

#include "app/applayer.h"
#include "check.h"
#include "flow/flow.h"

static int n_events[APP_EV_MAX];
static int n_tx[8];
static uint16_t last_proto;

static void on_tx(void *ctx, struct flow *f, const struct app_tx *tx, int dir, uint8_t level)
{
	(void)ctx;
	(void)f;
	(void)dir;
	last_proto = tx->alproto;
	if (level < 8)
		n_tx[level]++;
}

static void on_event(void *ctx, struct flow *f, int dir, uint16_t alproto, enum app_event ev)
{
	(void)ctx;
	(void)f;
	(void)dir;
	(void)alproto;
	n_events[ev]++;
}

static void reset(struct flow *f, uint8_t proto, uint16_t dp)
{
	memset(f, 0, sizeof(*f));
	f->proto = proto;
	f->ip_ver = 4;
	f->sp = 40000;
	f->dp = dp;
	memset(n_events, 0, sizeof(n_events));
	memset(n_tx, 0, sizeof(n_tx));
	last_proto = 0;
}

/* A minimal TLS 1.2 ClientHello record (one cipher, no extensions). */
static const uint8_t client_hello[] = {
    0x16, 0x03, 0x01, 0x00, 0x2d, /* record: handshake, 45 bytes */
    0x01, 0x00, 0x00, 0x29,	  /* ClientHello, 41 bytes */
    0x03, 0x03,			  /* TLS 1.2 */
    1,	  2,	3,    4,    5,	  6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    25,	  26,	27,   28,   29,	  30, 31, 32, /* random */
    0x00,				  /* no session id */
    0x00, 0x02, 0x00, 0x2f,		  /* one cipher suite */
    0x01, 0x00,				  /* null compression */
};

static const char http_get[] = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
static const char http_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

int main(void)
{
	struct config cfg;
	struct counters cnt;
	struct app_ctx ac;
	struct flow f;
	config_defaults(&cfg);
	memset(&cnt, 0, sizeof(cnt));
	CHECK_EQ(app_ctx_init(&ac, &cfg, &cnt), 0);
	struct app_sink sink = {on_tx, on_event, NULL};
	app_ctx_set_sink(&ac, &sink);

	/* HTTP on port 80: detected, four levels and the record, no event */
	reset(&f, 6, 80);
	app_stream_data(&ac, &f, 0, (const uint8_t *)http_get, sizeof(http_get) - 1);
	app_stream_data(&ac, &f, 1, (const uint8_t *)http_resp, sizeof(http_resp) - 1);
	CHECK_EQ(f.app_proto, ALPROTO_HTTP);
	CHECK_EQ(n_tx[1], 1);
	CHECK_EQ(n_tx[2], 1);
	CHECK_EQ(n_tx[3], 1);
	CHECK_EQ(n_tx[4], 1);
	CHECK_EQ(n_tx[APP_LEVEL_LOG], 1);
	CHECK_EQ(n_events[APP_EV_UNEXPECTED_PROTOCOL], 0);
	app_flow_end(&ac, &f);
	CHECK(f.app == NULL);

	/* HTTP on port 443: still HTTP (by content), and the port is remarked on */
	reset(&f, 6, 443);
	app_stream_data(&ac, &f, 0, (const uint8_t *)http_get, sizeof(http_get) - 1);
	CHECK_EQ(f.app_proto, ALPROTO_HTTP);
	CHECK_EQ(n_events[APP_EV_UNEXPECTED_PROTOCOL], 1);
	app_flow_end(&ac, &f);

	/* TLS on port 80: TLS, and the unexpected-protocol event */
	reset(&f, 6, 80);
	app_stream_data(&ac, &f, 0, client_hello, sizeof(client_hello));
	CHECK_EQ(f.app_proto, ALPROTO_TLS);
	CHECK_EQ(n_events[APP_EV_UNEXPECTED_PROTOCOL], 1);
	CHECK_EQ(n_tx[1], 1); /* the ClientHello level */
	/* the server answers in HTTP: the directions disagree */
	app_stream_data(&ac, &f, 1, (const uint8_t *)http_resp, sizeof(http_resp) - 1);
	CHECK_EQ(n_events[APP_EV_MISMATCH_BOTH_DIRECTIONS], 1);
	app_flow_end(&ac, &f);

	/* a request method cut after two bytes: held, then detected */
	reset(&f, 6, 8081);
	app_stream_data(&ac, &f, 0, (const uint8_t *)http_get, 2);
	CHECK_EQ(f.app_proto, 0);
	app_stream_data(&ac, &f, 0, (const uint8_t *)http_get + 2, sizeof(http_get) - 3);
	CHECK_EQ(f.app_proto, ALPROTO_HTTP);
	CHECK_EQ(n_tx[1], 1);
	app_flow_end(&ac, &f);

	/* nothing known in either direction: failed */
	reset(&f, 6, 5555);
	app_stream_data(&ac, &f, 0, (const uint8_t *)"\x00\x01\x02 binary", 10);
	app_stream_data(&ac, &f, 1, (const uint8_t *)"\xff\xfe junk", 7);
	CHECK_EQ(f.app_proto, ALPROTO_FAILED);
	app_flow_end(&ac, &f);

	/* HTTP CONNECT accepted by the proxy, then TLS inside the tunnel: the
	 * flow changes protocol once (app_proto tls, app_proto_orig http), and
	 * the proxy's port gives no unexpected-protocol event for the TLS */
	reset(&f, 6, 8080);
	static const char connect_req[] = "CONNECT example.com:443 HTTP/1.1\r\n"
					  "Host: example.com:443\r\n\r\n";
	static const char connect_ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	app_stream_data(&ac, &f, 0, (const uint8_t *)connect_req, sizeof(connect_req) - 1);
	app_stream_data(&ac, &f, 1, (const uint8_t *)connect_ok, sizeof(connect_ok) - 1);
	CHECK_EQ(f.app_proto, 0);
	CHECK_EQ(f.app_proto_orig, ALPROTO_HTTP);
	CHECK_EQ(n_tx[4], 1); /* the CONNECT transaction, complete */
	app_stream_data(&ac, &f, 0, client_hello, sizeof(client_hello));
	CHECK_EQ(f.app_proto, ALPROTO_TLS);
	CHECK_EQ(last_proto, ALPROTO_TLS);
	CHECK_EQ(n_events[APP_EV_UNEXPECTED_PROTOCOL], 0);
	app_flow_end(&ac, &f);

	/* a refused CONNECT: the flow stays HTTP */
	reset(&f, 6, 8080);
	static const char connect_no[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
					 "Content-Length: 0\r\n\r\n";
	app_stream_data(&ac, &f, 0, (const uint8_t *)connect_req, sizeof(connect_req) - 1);
	app_stream_data(&ac, &f, 1, (const uint8_t *)connect_no, sizeof(connect_no) - 1);
	CHECK_EQ(f.app_proto, ALPROTO_HTTP);
	CHECK_EQ(f.app_proto_orig, 0);
	app_flow_end(&ac, &f);

	/* UDP: a junk datagram first, then DNS on port 53 */
	reset(&f, 17, 53);
	app_udp_data(&ac, &f, 0, (const uint8_t *)"junk junk junk", 14);
	CHECK_EQ(f.app_proto, 0);
	static const uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3,
					'w',  'w',  'w',  7,	'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
					'c',  'o',  'm',  0,	0,   1,	  0,   1};
	app_udp_data(&ac, &f, 0, query, sizeof(query));
	CHECK_EQ(f.app_proto, ALPROTO_DNS);
	CHECK_EQ(last_proto, ALPROTO_DNS);
	app_flow_end(&ac, &f);

	app_ctx_free(&ac);
	return check_report("test_applayer");
}
