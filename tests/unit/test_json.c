/*
 * The EVE JSON writer: escaping of quotes, controls and invalid UTF-8, nesting
 * and commas, the size cap, and Suricata's timestamp format.
 */
#include <stdlib.h>

#include "check.h"
#include "output/json.h"

static const char *finish(struct jbuf *jb)
{
	jb_raw(jb, "", 1); /* NUL for comparison */
	return jb->p;
}

int main(void)
{
	struct jbuf jb;
	CHECK(jb_init(&jb, 8, 4096) == 0);

	jb_open(&jb, NULL);
	jb_str(&jb, "a", "x\"y\\z\n\t\x01");
	jb_u64(&jb, "n", 18446744073709551615ull);
	jb_i64(&jb, "i", -5);
	jb_bool(&jb, "b", false);
	jb_open(&jb, "o");
	jb_open_array(&jb, "v");
	jb_u64(&jb, NULL, 1);
	jb_u64(&jb, NULL, 2);
	jb_close_array(&jb);
	jb_close(&jb);
	jb_close(&jb);
	CHECK_STR(finish(&jb),
		  "{\"a\":\"x\\\"y\\\\z\\n\\t\\u0001\",\"n\":18446744073709551615,\"i\":-5,"
		  "\"b\":false,\"o\":{\"v\":[1,2]}}");

	/* Valid UTF-8 passes through; invalid bytes and overlongs are escaped. */
	jb_reset(&jb);
	jb_open(&jb, NULL);
	const uint8_t bytes[] = {0xe5, 0xae, 0x88, 0xff, 0xc0, 0xaf, 'a', 0xe5, 0xae};
	jb_strn(&jb, "s", bytes, sizeof(bytes));
	jb_close(&jb);
	CHECK_STR(finish(&jb), "{\"s\":\"\xe5\xae\x88\\u00ff\\u00c0\\u00afa\\u00e5\\u00ae\"}");

	/* Over the cap: marked, nothing past it. */
	struct jbuf small;
	CHECK(jb_init(&small, 8, 32) == 0);
	jb_open(&small, NULL);
	jb_str(&small, "k", "0123456789012345678901234567890123456789");
	CHECK(small.overflow);
	CHECK(small.len <= 32);
	jb_free(&small);

	char ts[48];
	setenv("TZ", "UTC", 1);
	json_format_ts(1705309200123456789ull, ts, sizeof(ts));
	CHECK_STR(ts, "2024-01-15T09:00:00.123456+0000");

	jb_free(&jb);
	return check_report("json");
}
