/*
 * fuzz_tls — the TLS handshake parser (records, handshake messages across
 * records and segments, JA3/JA3S/JA4) and the certificate reader on crafted
 * bytes. Input:
 *   [mode:1] bit 0 set: the rest is one certificate's DER for tls_x509_first;
 *   else records (records.h) fed to tls_feed.
 * Every string kept for the flow is read back, so ASan checks the references
 * the parser hands out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/tls.h"
#include "core/counters.h"
#include "records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_back(const struct tls_state *st)
{
	const struct tls_ref refs[] = {st->sni,	    st->ja3,	st->ja3s,   st->subject,
				       st->issuer,  st->serial, st->fingerprint};
	volatile uint32_t x = 0;
	const uint8_t *p;
	uint32_t n;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if (tls_get(st, refs[i], &p, &n))
			for (uint32_t k = 0; k < n; k++)
				x += p[k];
	for (uint32_t i = 0; tls_cert(st, i, &p, &n); i++)
		x += n ? p[n - 1] : 0;
	for (uint32_t i = 0; tls_san(st, i, &p, &n); i++)
		x += n ? p[n - 1] : 0;
	x += (uint32_t)strlen(st->ja3_hash) + (uint32_t)strlen(st->ja4) +
	     (uint32_t)strlen(st->notbefore);
	(void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct counters cnt;
	static struct tls_hello *h;
	if (!h && !(h = calloc(1, sizeof(*h))))
		abort();
	if (size < 1)
		return 0;
	struct tls_state st;
	memset(&st, 0, sizeof(st));
	if (data[0] & 1) {
		/* an exact-size copy, so a read past the certificate is caught */
		uint8_t *der = malloc(size - 1 ? size - 1 : 1);
		if (!der)
			return 0;
		memcpy(der, data + 1, size - 1);
		tls_x509_first(&st, h, &cnt, der, (uint32_t)(size - 1));
		free(der);
		read_back(&st);
		tls_state_free(&st);
		return 0;
	}
	size_t off = 1;
	struct fz_rec r;
	while (fz_next(data, size, &off, &r)) {
		if (r.gap) {
			tls_gap(&st, r.dir);
			continue;
		}
		tls_feed(&st, h, &cnt, r.dir, r.copy, r.len);
		free(r.copy);
	}
	read_back(&st);
	tls_state_free(&st);
	return 0;
}
