/*
 * eve_http — the `http` object of EVE records and alerts: hostname, url
 * (as sent), http_user_agent, http_content_type (the response's,
 * parameters cut), and in the extended form (Suricata's `extended: yes`,
 * mamori's default) http_refer, http_method, protocol, status, redirect
 * (Location), length (response body bytes as sent).
 */
#include <htp/htp.h>
#include <string.h>

#include "app/http.h"
#include "output/eve.h"

static void put_bstr(struct jbuf *jb, const char *key, const bstr *b)
{
	if (b)
		jb_strn(jb, key, bstr_ptr(b), bstr_len(b));
}

static const bstr *hdr(const htp_tx_t *tx, int dir, const char *name)
{
	htp_table_t *h = dir == 0 ? tx->request_headers : tx->response_headers;
	htp_header_t *hd = h ? htp_table_get_c(h, name) : NULL;
	return hd ? hd->value : NULL;
}

static void put_headers(struct jbuf *jb, const char *key, const htp_table_t *h)
{
	jb_open_array(jb, key);
	for (size_t i = 0; h && i < htp_table_size(h); i++) {
		htp_header_t *hd = htp_table_get_index(h, i, NULL);
		if (!hd)
			continue;
		jb_open(jb, NULL);
		put_bstr(jb, "name", hd->name);
		put_bstr(jb, "value", hd->value);
		jb_close(jb);
	}
	jb_close_array(jb);
}

void eve_put_http(struct jbuf *jb, const void *txd, bool extended, const char *headers)
{
	const struct http_txd *t = txd;
	const htp_tx_t *tx = t->tx;
	jb_open(jb, "http");
	if (!tx) {
		jb_close(jb);
		return;
	}
	put_bstr(jb, "hostname", tx->request_hostname);
	if (tx->request_port_number > 0 && tx->request_port_number != 80)
		jb_u64(jb, "http_port", (uint64_t)tx->request_port_number);
	put_bstr(jb, "url", tx->request_uri);
	put_bstr(jb, "http_user_agent", hdr(tx, 0, "user-agent"));
	const bstr *ct = hdr(tx, 1, "content-type");
	if (ct) {
		const uint8_t *p = bstr_ptr(ct);
		size_t n = bstr_len(ct), k = 0;
		while (k < n && p[k] != ';')
			k++;
		while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		jb_strn(jb, "http_content_type", p, k);
	}
	if (extended) {
		put_bstr(jb, "http_refer", hdr(tx, 0, "referer"));
		put_bstr(jb, "http_method", tx->request_method);
		put_bstr(jb, "protocol", tx->request_protocol);
		if (tx->response_status_number > 0)
			jb_u64(jb, "status", (uint64_t)tx->response_status_number);
		else
			put_bstr(jb, "status", tx->response_status);
		put_bstr(jb, "redirect", hdr(tx, 1, "location"));
		if (tx->response_line)
			jb_u64(jb, "length",
			       tx->response_message_len > 0 ? (uint64_t)tx->response_message_len : 0);
	}
	if (headers && (!strcmp(headers, "request") || !strcmp(headers, "both")))
		put_headers(jb, "request_headers", tx->request_headers);
	if (headers && (!strcmp(headers, "response") || !strcmp(headers, "both")))
		put_headers(jb, "response_headers", tx->response_headers);
	jb_close(jb);
}
