/*
 * fuzz_share — the STIX share of an arbitrary incident document. The input
 * is parsed as JSON and shared twice with fixed settings; a share that
 * succeeds must give the same bytes both times and hold none of the
 * document's hosts[].ip strings (the share's own leak check must have
 * refused such a bundle). Anything else may fail, but cleanly.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "incident/share.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *share_once(const json_t *doc, const struct share_opts *o)
{
	json_t *b = NULL;
	char err[256];
	if (share_stix(doc, o, &b, err, sizeof(err)) < 0) {
		if (b || !memchr(err, 0, sizeof(err)) || !err[0])
			abort(); /* a failure says why and gives nothing */
		return NULL;
	}
	char *t = share_dumps(b);
	json_decref(b);
	return t;
}

static bool addr_char(char c)
{
	return c && strchr("0123456789abcdefABCDEF.:", c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	if (!doc)
		return 0;
	struct share_opts o = {
	    .organisation = "fuzz",
	    .sector = "energy,water",
	    .tlp = "amber",
	    .pseudonym_key = "000102030405060708090a0b0c0d0e0f",
	    .home_net = "[10.0.0.0/8,192.168.0.0/16,172.16.0.0/12,fd00::/8]",
	};
	char *a = share_once(doc, &o), *b = share_once(doc, &o);
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		abort();
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(doc, "hosts"), i, h) {
		const char *ip = json_string_value(json_object_get(h, "ip"));
		if (a && ip && strlen(ip) >= 7) {
			/* a longer token may contain it ("10.1.1.1" in
			 * "110.1.1.10"): only one on its own counts */
			for (const char *p = strstr(a, ip); p; p = strstr(p + 1, ip)) {
				char before = p > a ? p[-1] : ' ', after = p[strlen(ip)];
				if (!addr_char(before) && !addr_char(after))
					abort();
			}
		}
	}
	free(a);
	free(b);
	json_decref(doc);
	return 0;
}
