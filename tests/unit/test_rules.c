/*
 * test_rules — the rule language: address/port set algebra, parse errors
 * with their column and keyword, unsupported forms, the fast-pattern choice,
 * and buffer inspection semantics (relative matches with backtracking,
 * negation, startswith/endswith, byte_* keywords, pcre).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/config.h"
#include "detect/addrset.h"
#include "detect/buffers.h"
#include "detect/content.h"
#include "detect/inspect.h"
#include "detect/keyword.h"
#include "detect/parse.h"
#include "detect/ruleset.h"

static struct config cfg;
static struct ruleset *rs;

static bool ip4_in(const struct ipset *s, const char *dotted)
{
	unsigned a, b, c, d;
	sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d);
	uint8_t x[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
	return ipset_match(s, x, 4);
}

static void test_addrset(void)
{
	struct ipset s;
	struct portset ps;
	struct addrset_err e;

	CHECK_EQ(ipset_parse(&s, "[10.0.0.0/8,!10.1.2.3]", ruleset_var, rs, &e), 0);
	CHECK(ip4_in(&s, "10.5.5.5"));
	CHECK(!ip4_in(&s, "10.1.2.3"));
	CHECK(!ip4_in(&s, "11.0.0.1"));
	ipset_free(&s);

	/* EXTERNAL_NET = !$HOME_NET with Suricata's default HOME_NET */
	CHECK_EQ(ipset_parse(&s, "$EXTERNAL_NET", ruleset_var, rs, &e), 0);
	CHECK(ip4_in(&s, "8.8.8.8"));
	CHECK(!ip4_in(&s, "192.168.1.1"));
	CHECK(!ip4_in(&s, "172.16.0.1"));
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	CHECK(ipset_match(&s, v6, 6));
	ipset_free(&s);

	/* nested negation: ![a, !b] is everything but (a minus b) */
	CHECK_EQ(ipset_parse(&s, "![1.0.0.0/8,!1.2.3.4]", ruleset_var, rs, &e), 0);
	CHECK(ip4_in(&s, "1.2.3.4"));
	CHECK(!ip4_in(&s, "1.9.9.9"));
	CHECK(ip4_in(&s, "2.0.0.1"));
	ipset_free(&s);

	CHECK_EQ(ipset_parse(&s, "[1.2.3.4-1.2.3.9, 10.0.0.0/255.255.0.0]", ruleset_var, rs, &e),
		 0);
	CHECK(ip4_in(&s, "1.2.3.9"));
	CHECK(!ip4_in(&s, "1.2.3.10"));
	CHECK(ip4_in(&s, "10.0.200.1"));
	CHECK(!ip4_in(&s, "10.1.0.1"));
	ipset_free(&s);

	CHECK_EQ(ipset_parse(&s, "fe80::/10", ruleset_var, rs, &e), 0);
	uint8_t ll[16] = {0xfe, 0x80, [15] = 1};
	CHECK(ipset_match(&s, ll, 6));
	CHECK(!ip4_in(&s, "1.2.3.4"));
	ipset_free(&s);

	/* errors */
	CHECK(ipset_parse(&s, "!any", ruleset_var, rs, &e) < 0);
	CHECK(ipset_parse(&s, "[1.2.3.4", ruleset_var, rs, &e) < 0);
	CHECK(ipset_parse(&s, "1.2.3.4/33", ruleset_var, rs, &e) < 0);
	CHECK(ipset_parse(&s, "$NO_SUCH_VAR", ruleset_var, rs, &e) < 0);
	CHECK(strstr(e.msg, "NO_SUCH_VAR") != NULL);

	CHECK_EQ(portset_parse(&ps, "[1:1024,!80,8080:]", ruleset_var, rs, &e), 0);
	CHECK(portset_match(&ps, 22));
	CHECK(!portset_match(&ps, 80));
	CHECK(!portset_match(&ps, 2000));
	CHECK(portset_match(&ps, 65535));
	portset_free(&ps);
	CHECK_EQ(portset_parse(&ps, "$HTTP_PORTS", ruleset_var, rs, &e), 0);
	CHECK(portset_match(&ps, 80));
	portset_free(&ps);
	CHECK(portset_parse(&ps, "70000", ruleset_var, rs, &e) < 0);
	CHECK(portset_parse(&ps, "10:5", ruleset_var, rs, &e) < 0);
}

/* Parse; returns the rule or NULL with *err. */
static struct rule *parse(const char *text, struct rule_err *err)
{
	return rule_parse(rs, text, err);
}

static void test_parse_errors(void)
{
	struct rule_err e;
	struct rule *r;

	r = parse("alert tcp any any -> any any (msg:\"x\"; content:\"abc\"; depth:2; sid:1;)", &e);
	CHECK(r == NULL);
	CHECK_EQ(e.code, KW_ERR);
	CHECK_STR(e.kw, "depth");
	CHECK_EQ(e.col, 61); /* the value "2" */

	r = parse("alert tcp any any -> any any (content:\"a\"; sid:1; frobnicate:3;)", &e);
	CHECK(r == NULL);
	CHECK_EQ(e.code, KW_UNSUPPORTED);
	CHECK_STR(e.reason, "frobnicate");

	r = parse("alert tcp any any -> any any (content:\"a\";)", &e);
	CHECK(r == NULL);
	CHECK(strstr(e.msg, "sid") != NULL);

	r = parse("alert tcp any any => any any (sid:1;)", &e);
	CHECK(r == NULL);
	CHECK_STR(e.kw, "direction");
	CHECK_EQ(e.col, 19);

	r = parse("alert tcp [1.2.3.4,nope] any -> any any (sid:1;)", &e);
	CHECK(r == NULL);
	CHECK_STR(e.kw, "source address");

	r = parse("alert smtp any any -> any any (sid:1;)", &e);
	CHECK(r == NULL);
	CHECK_EQ(e.code, KW_UNSUPPORTED);

	r = parse("alert tcp any any -> any any (content:\"a\",depth 4; sid:1;)", &e);
	CHECK(r == NULL);
	CHECK_EQ(e.code, KW_UNSUPPORTED); /* Snort 3 form */

	r = parse("alert tcp any any -> any any (content:\"a\\x\"; sid:1;)", &e);
	CHECK(r == NULL);
	CHECK_EQ(e.code, KW_ERR);

	r = parse("alert udp any any -> any any (http.uri; content:\"a\"; sid:1;)", &e);
	CHECK(r == NULL); /* HTTP does not run over UDP */

	r = parse("alert tcp any any -> any any (pcre:\"/a(/\"; sid:1;)", &e);
	CHECK(r == NULL);
	CHECK_STR(e.kw, "pcre");
}

static void test_parse_ok(void)
{
	struct rule_err e;
	struct rule *r = parse(
	    "alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:\"a \\\"quoted\\\" \\; "
	    "msg\"; "
	    "flow:established,to_server; content:\"GET\"; http_method; content:\"/x.php?id=\"; "
	    "http_uri; fast_pattern; content:\"|0d 0a|Host|3a|\"; metadata:former_category "
	    "MALWARE, signature_severity Major; reference:url,example.com; "
	    "classtype:trojan-activity; "
	    "sid:2000001; rev:3;)",
	    &e);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(r->msg, "a \"quoted\" ; msg");
	CHECK_EQ(r->sid, 2000001);
	CHECK_EQ(r->rev, 3);
	CHECK_EQ(r->gid, 1);
	CHECK(r->flags & RULE_ESTABLISHED);
	CHECK(r->flags & RULE_TOSERVER);
	CHECK(!(r->flags & RULE_WAITING)); /* the HTTP parser fills its buffers */
	CHECK_EQ(r->n_meta, 2);
	CHECK_EQ(r->n_refs, 1);
	CHECK(r->fp != NULL);
	CHECK(r->fp && r->fp->len == 10); /* the explicit fast_pattern */
	CHECK_EQ(r->bufs[r->fp_buf].buf, BUF_HTTP_URI);
	rule_free(r);

	/* without fast_pattern, the longest content wins */
	r = parse("alert tcp any any -> any any (content:\"ab\"; content:\"abcdef\"; "
		  "content:!\"abcdefgh\"; sid:2;)",
		  &e);
	CHECK(r && r->fp && r->fp->len == 6);
	rule_free(r);

	/* multi-line continuation is the loader's business; a bidirectional rule */
	r = parse("alert ip 1.2.3.4 any <> 5.6.7.8 any (sid:3;)", &e);
	CHECK(r && (r->flags & RULE_BIDIR));
	rule_free(r);
}

/* Inspect buf against the payload list of a one-rule text. */
static int inspect_rule(const char *opts, const char *buf, size_t len)
{
	char text[1024];
	struct rule_err e;
	snprintf(text, sizeof(text), "alert tcp any any -> any any (%s sid:9;)", opts);
	struct rule *r = parse(text, &e);
	if (!r) {
		fprintf(stderr, "parse failed: %s: %s\n", e.kw, e.msg);
		return -1;
	}
	struct inspect in = {0};
	in.md = pcre2_match_data_create(16, NULL);
	in.buf = (const uint8_t *)buf;
	in.len = (uint32_t)len;
	int res = inspect_list(&in, &r->bufs[0].sms) ? 1 : 0;
	pcre2_match_data_free(in.md);
	rule_free(r);
	return res;
}

#define INS(opts, s) inspect_rule(opts, s, sizeof(s) - 1)

static void test_inspect(void)
{
	/* backtracking: the first "a" fails the relative "b", the second works */
	CHECK_EQ(INS("content:\"a\"; content:\"b\"; distance:0; within:1;", "axxab"), 1);
	CHECK_EQ(INS("content:\"a\"; content:\"b\"; distance:0; within:1;", "axxaxb"), 0);
	CHECK_EQ(INS("content:\"a\"; content:\"c\"; distance:2;", "abxc"), 1);
	CHECK_EQ(INS("content:\"a\"; content:\"c\"; distance:3;", "abxc"), 0);
	/* depth counts from offset */
	CHECK_EQ(INS("content:\"cd\"; offset:2; depth:2;", "abcd"), 1);
	CHECK_EQ(INS("content:\"cd\"; offset:3; depth:2;", "abcd"), 0);
	CHECK_EQ(INS("content:\"ABC\"; nocase;", "xxabcxx"), 1);
	CHECK_EQ(INS("content:\"ABC\";", "xxabcxx"), 0);
	CHECK_EQ(INS("content:\"x\"; content:!\"evil\"; distance:0;", "x is fine"), 1);
	CHECK_EQ(INS("content:\"x\"; content:!\"evil\"; distance:0;", "x is evil"), 0);
	CHECK_EQ(INS("content:\"GET \"; startswith;", "GET /"), 1);
	CHECK_EQ(INS("content:\"GET \"; startswith;", " GET /"), 0);
	CHECK_EQ(INS("content:\".com\"; endswith;", "a.com.b.com"), 1);
	CHECK_EQ(INS("content:\".com\"; endswith;", "a.com.b"), 0);
	CHECK_EQ(INS("content:\"|00 01|\"; byte_test:2,>,255,0,relative;", "\x00\x01\x01\x00"), 1);
	CHECK_EQ(INS("content:\"|00 01|\"; byte_test:2,>,256,0,relative;", "\x00\x01\x01\x00"), 0);
	CHECK_EQ(INS("byte_test:3,=,123,0,string,dec;", "123abc"), 1);
	CHECK_EQ(INS("byte_test:2,=,0x0201,0,little;", "\x01\x02"), 1);
	/* byte_jump over a length field (from the end of the field), then a
	 * relative content */
	CHECK_EQ(INS("byte_jump:1,0; content:\"Z\"; within:1;", "\x02"
								"abZ"),
		 1);
	CHECK_EQ(INS("byte_jump:1,0; content:\"Z\"; within:1;", "\x03"
								"abZ"),
		 0);
	/* byte_extract feeding a distance */
	CHECK_EQ(INS("byte_extract:1,0,skip; content:\"Q\"; distance:skip; within:1;", "\x02xxQ"),
		 1);
	CHECK_EQ(INS("byte_extract:1,0,skip; content:\"Q\"; distance:skip; within:1;", "\x01xxQ"),
		 0);
	CHECK_EQ(INS("content:\"ab\"; isdataat:2,relative;", "abcd"), 1);
	CHECK_EQ(INS("content:\"ab\"; isdataat:2,relative;", "abc"), 0);
	CHECK_EQ(INS("content:\"ab\"; isdataat:!1,relative;", "ab"), 1);
	CHECK_EQ(INS("content:\"id=\"; pcre:\"/^[0-9]+&/R\";", "x?id=42&y"), 1);
	CHECK_EQ(INS("content:\"id=\"; pcre:\"/^[0-9]+&/R\";", "x?id=4a&y"), 0);
	CHECK_EQ(INS("pcre:!\"/evil/i\";", "all good"), 1);
	CHECK_EQ(INS("content:\"a\"; byte_math:bytes 1,offset 0,oper +,rvalue 1,result r,relative; "
		     "content:\"b\"; distance:r; within:1;",
		     "a\x01xxb"),
		 1);
	CHECK_EQ(INS("content:\"a\"; byte_math:bytes 1,offset 0,oper +,rvalue 1,result r,relative; "
		     "content:\"b\"; distance:r; within:1;",
		     "a\x01xb"),
		 0);
	CHECK_EQ(INS("content:\"a\"; byte_math:bytes 1,offset 0,oper +,rvalue 1,result r,relative; "
		     "content:\"b\"; distance:r; within:1;",
		     "a\x01x"
		     "bb"),
		 1);
}

int main(void)
{
	config_defaults(&cfg);
	rs = ruleset_new(&cfg);
	if (!rs)
		return 1;
	test_addrset();
	test_parse_errors();
	test_parse_ok();
	test_inspect();
	ruleset_free(rs);
	return check_report("test_rules");
}
