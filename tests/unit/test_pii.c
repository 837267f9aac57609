/*
 * test_pii — the personal-data scanner: My Numbers (check digits computed here
 * independently), card numbers of every issuer (Luhn computed here), e-mail
 * addresses, Japanese phone numbers and postal codes with and without address
 * context; records cut at every chunk boundary; distinct counting, the cap,
 * max_bytes; and samples that never show the clear value.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/pii_scan.h"
#include "check.h"

static const uint8_t key_bytes[] = "test key for pii";
static struct pii_key *key;

/* Counts of text scanned in one piece. */
static struct pii_counts scan_text(const char *text, uint32_t max_distinct, uint64_t max_bytes)
{
	struct pii_scan *s = pii_scan_new(key, max_distinct, max_bytes);
	pii_scan_data(s, (const uint8_t *)text, strlen(text));
	pii_scan_end(s);
	struct pii_counts c = *pii_scan_counts(s);
	pii_scan_free(s);
	return c;
}

static struct pii_counts scan(const char *text)
{
	return scan_text(text, 0, 0);
}

/* How many of type t text holds (distinct), and that nothing else was found. */
static uint32_t only(const char *text, enum pii_type t)
{
	struct pii_counts c = scan(text);
	for (int i = 0; i < PII_TYPES; i++)
		if (i != (int)t && c.total[i]) {
			fprintf(stderr, "unexpected %s in '%s'\n", pii_type_name(i), text);
			return 99;
		}
	return c.distinct[t];
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* My Number check digit: weights 6,5,4,3,2,7,6,5,4,3,2 from the left. */
static int mynumber_check(const char *d11)
{
	static const int wt[11] = {6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	int sum = 0;
	for (int i = 0; i < 11; i++)
		sum += (d11[i] - '0') * wt[i];
	int c = 11 - sum % 11;
	return c >= 10 ? 0 : c;
}

static void make_mynumber(char *out, bool valid)
{
	for (int i = 0; i < 11; i++)
		out[i] = (char)('0' + (i == 0 ? 1 + rnd() % 9 : rnd() % 10));
	int c = mynumber_check(out);
	out[11] = (char)('0' + (valid ? (unsigned)c : ((unsigned)c + 1 + rnd() % 9) % 10));
	out[12] = '\0';
}

/* Luhn check digit for the digits before it (table of doubled digits). */
static int luhn_check(const char *body, int n)
{
	static const int dbl[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
	int sum = 0;
	for (int i = n - 1, k = 0; i >= 0; i--, k++)
		sum += (k % 2 == 0) ? dbl[body[i] - '0'] : body[i] - '0';
	return (10 - sum % 10) % 10;
}

static void make_card(char *out, const char *prefix, int len, bool valid)
{
	int p = (int)strlen(prefix);
	memcpy(out, prefix, p);
	for (int i = p; i < len - 1; i++)
		out[i] = (char)('0' + rnd() % 10);
	int c = luhn_check(out, len - 1);
	out[len - 1] = (char)('0' + (valid ? c : (c + 5) % 10));
	out[len] = '\0';
}

static void test_mynumber(void)
{
	char d[13], t[128];
	int ok = 0, rej = 0;
	for (int i = 0; i < 200; i++) {
		make_mynumber(d, true);
		snprintf(t, sizeof(t), "個人番号: %s です", d);
		struct pii_counts c = scan(t);
		ok += c.distinct[PII_MYNUMBER] == 1 && c.rejected[PII_MYNUMBER] == 0;
		make_mynumber(d, false);
		snprintf(t, sizeof(t), "no %s.", d);
		c = scan(t);
		rej += c.distinct[PII_MYNUMBER] == 0 && c.rejected[PII_MYNUMBER] == 1;
	}
	CHECK_EQ(ok, 200);
	CHECK_EQ(rej, 200);

	make_mynumber(d, true);
	snprintf(t, sizeof(t), "%.4s %.4s %.4s", d, d + 4, d + 8);
	CHECK_EQ(only(t, PII_MYNUMBER), 1);
	snprintf(t, sizeof(t), "x,%.4s-%.4s-%.4s,y", d, d + 4, d + 8);
	CHECK_EQ(only(t, PII_MYNUMBER), 1);
	struct pii_counts c = scan(t);
	char masked[16];
	snprintf(masked, sizeof(masked), "********%s", d + 8);
	CHECK_STR(c.sample[PII_MYNUMBER], masked);
	CHECK(strstr(c.sample[PII_MYNUMBER], d) == NULL);
	/* mixed separators, wrong grouping, longer runs, letters against it */
	snprintf(t, sizeof(t), "%.4s-%.4s %.4s", d, d + 4, d + 8);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "%.3s-%.5s-%.4s", d, d + 3, d + 8);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "%s7", d);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "7%s", d);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "%.4s %.4s %.4s 1234", d, d + 4, d + 8);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "99-%s", d);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "%s-5", d);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "3.%s", d);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "ID%s", d);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "%s@example.com", d);
	CHECK_EQ(scan(t).total[PII_MYNUMBER], 0);
	snprintf(t, sizeof(t), "(%s)", d);
	CHECK_EQ(only(t, PII_MYNUMBER), 1);
	/* the same number in three forms: one distinct, three occurrences */
	snprintf(t, sizeof(t), "%s / %.4s %.4s %.4s / %.4s-%.4s-%.4s", d, d, d + 4, d + 8, d, d + 4,
		 d + 8);
	c = scan(t);
	CHECK_EQ(c.distinct[PII_MYNUMBER], 1);
	CHECK_EQ(c.total[PII_MYNUMBER], 3);
}

static void test_cards(void)
{
	static const struct {
		const char *prefix;
		int lens[4];
	} good[] = {
	    {"4", {13, 16, 19}}, {"51", {16}},	    {"55", {16}},	{"2221", {16}},
	    {"2720", {16}},	 {"34", {15}},	    {"37", {15}},	{"3528", {16, 19}},
	    {"3589", {17, 18}},	 {"300", {14, 19}}, {"305", {16}},	{"36", {14}},
	    {"38", {15}},	 {"39", {19}},	    {"6011", {16, 19}}, {"644", {16}},
	    {"649", {17}},	 {"65", {16, 18}},  {"62", {16, 19}},
	};
	static const struct {
		const char *prefix;
		int len;
	} bad[] = {
	    {"4", 14},	 {"4", 15},    {"51", 15},   {"56", 16},  {"2220", 16}, {"2721", 16},
	    {"34", 16},	 {"3527", 16}, {"3590", 16}, {"306", 14}, {"37", 14},	{"6010", 16},
	    {"643", 16}, {"1", 16},    {"9", 16},    {"0", 16},
	};
	char n[24], t[96];
	int found = 0, want = 0;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		for (int k = 0; k < 4 && good[i].lens[k]; k++) {
			want++;
			make_card(n, good[i].prefix, good[i].lens[k], true);
			snprintf(t, sizeof(t), "card=%s;", n);
			struct pii_counts c = scan(t);
			if (c.distinct[PII_CARD] == 1 && c.rejected[PII_CARD] == 0)
				found++;
			else
				fprintf(stderr, "card %s not found\n", n);
			make_card(n, good[i].prefix, good[i].lens[k], false);
			snprintf(t, sizeof(t), "card=%s;", n);
			c = scan(t);
			CHECK(c.total[PII_CARD] == 0 && c.rejected[PII_CARD] == 1);
		}
	CHECK_EQ(found, want);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_card(n, bad[i].prefix, bad[i].len, true);
		snprintf(t, sizeof(t), "card=%s;", n);
		struct pii_counts c = scan(t);
		CHECK(c.total[PII_CARD] == 0 && c.rejected[PII_CARD] == 0);
	}
	struct pii_counts c = scan("Visa 4111111111111111 exp 12/29");
	CHECK_EQ(c.distinct[PII_CARD], 1);
	CHECK_STR(c.sample[PII_CARD], "411111******1111");
	CHECK_EQ(only("4111 1111 1111 1111", PII_CARD), 1);
	CHECK_EQ(only("4111-1111-1111-1111", PII_CARD), 1);
	CHECK_EQ(only("Amex 3782 822463 10005.", PII_CARD), 1);
	CHECK_EQ(only("Diners 3056 930902 5904", PII_CARD), 1);
	CHECK_EQ(only("5555 5555 5555 4444", PII_CARD), 1);
	CHECK_EQ(only("JCB 3530-1113-3330-0000", PII_CARD), 1);
	c = scan("Amex 378282246310005");
	CHECK_STR(c.sample[PII_CARD], "378282*****0005");
	/* layouts and joins that are not a card */
	CHECK_EQ(scan("41111 11111 11111 1").total[PII_CARD], 0);
	CHECK_EQ(scan("4111 1111-1111 1111").total[PII_CARD], 0);
	CHECK_EQ(scan("4111  1111  1111  1111").total[PII_CARD], 0);
	CHECK_EQ(scan("4111111111111111 1").total[PII_CARD], 0);
	CHECK_EQ(scan("41111111111111111111").total[PII_CARD], 0); /* 20 digits */
	CHECK_EQ(scan("x4111111111111111").total[PII_CARD], 0);
	CHECK_EQ(scan("4111111111111111_").total[PII_CARD], 0);
	CHECK_EQ(scan("0.4111111111111111").total[PII_CARD], 0);
	/* a card inside a much longer run of digits, cut in chunks */
	struct pii_scan *s = pii_scan_new(key, 0, 0);
	char run[64];
	memset(run, '7', sizeof(run));
	for (int i = 0; i < 300; i++)
		pii_scan_data(s, (const uint8_t *)run, i % 5 == 4 ? 1 : sizeof(run));
	pii_scan_data(s, (const uint8_t *)"4111111111111111 ", 17);
	pii_scan_data(s, (const uint8_t *)" 4111111111111111\n", 18);
	pii_scan_end(s);
	CHECK_EQ(pii_scan_counts(s)->total[PII_CARD], 1);
	CHECK_EQ(pii_scan_counts(s)->distinct[PII_CARD], 1);
	/* a long number of hyphenated groups across windows, then the same card */
	pii_scan_reset(s);
	for (int i = 0; i < 2000; i++)
		pii_scan_data(s, (const uint8_t *)(i ? "-1234" : "1234"), i ? 5 : 4);
	pii_scan_data(s, (const uint8_t *)"-4111111111111111 x 4111111111111111", 36);
	pii_scan_end(s);
	CHECK_EQ(pii_scan_counts(s)->total[PII_CARD], 1);
	pii_scan_free(s);
}

static void test_email(void)
{
	CHECK_EQ(only("mail John.Doe@Example.COM now", PII_EMAIL), 1);
	struct pii_counts c = scan("John.Doe@Example.COM, john.doe@example.com.");
	CHECK_EQ(c.distinct[PII_EMAIL], 1);
	CHECK_EQ(c.total[PII_EMAIL], 2);
	CHECK_STR(c.sample[PII_EMAIL], "j***@example.com");
	CHECK(strstr(c.sample[PII_EMAIL], "john") == NULL);
	CHECK_EQ(only("<a href=\"mailto:a.b+tag@sub-1.example.co.jp\">", PII_EMAIL), 1);
	CHECK_EQ(only("x_y%z@mail.example.museum", PII_EMAIL), 1);
	CHECK_EQ(only("09012345678@docomo.ne.jp", PII_EMAIL), 1);
	CHECK_EQ(only("\"user@example.org\"", PII_EMAIL), 1);
	CHECK_EQ(only("...user@example.org", PII_EMAIL), 1);
	static const char *const no[] = {
	    "a@b",
	    "a@b.c",
	    "a@b.c0m",
	    "@x.com",
	    "a@-x.com",
	    "a@x-.com",
	    "a@x..com",
	    "a.@x.com",
	    "a@.x.com",
	    "a@@x.com x",
	    "a@x.abcdefghijklmnopqrstuvwxy",
	    "user@192.168.0.1",
	    "a@x.com1",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		c = scan(no[i]);
		if (c.total[PII_EMAIL])
			fprintf(stderr, "email in '%s'\n", no[i]);
		CHECK_EQ(c.total[PII_EMAIL], 0);
	}
	CHECK_EQ(only("a@x.abcdefghijklmnopqrstuvwx", PII_EMAIL), 1); /* TLD of 24 */
	char t[400];
	memset(t, 'a', 64);
	strcpy(t + 64, "@example.com");
	CHECK_EQ(only(t, PII_EMAIL), 1);
	memset(t, 'a', 65);
	strcpy(t + 65, "@example.com");
	CHECK_EQ(scan(t).total[PII_EMAIL], 0);
	/* a 253-byte domain is fine, 254 is not */
	for (int first = 61; first <= 62; first++) {
		strcpy(t, "u@");
		size_t n = 2;
		for (int i = 0; i < 4; i++) {
			int len = i ? 62 : first;
			memset(t + n, 'd', len);
			n += len;
			t[n++] = '.';
		}
		strcpy(t + n, "jp");
		CHECK_EQ(strlen(t + 2), 192 + first);
		CHECK_EQ(scan(t).total[PII_EMAIL], first == 61);
	}
	t[2] = 'e'; /* first label back to 61 */
	t[2 + 61] = '.';
	memmove(t + 2 + 62, t + 2 + 63, strlen(t + 2 + 63) + 1);
	CHECK_EQ(strlen(t + 2), 253);
	CHECK_EQ(only(t, PII_EMAIL), 1);
	c = scan(t);
	CHECK_EQ(strlen(c.sample[PII_EMAIL]), PII_SAMPLE_LEN - 1);
}

static void test_phone(void)
{
	static const char *const yes[] = {
	    "090-1234-5678",	  "080-1234-5678",     "070-1234-5678",	       "050-1234-5678",
	    "03-1234-5678",	  "045-123-4567",      "0123-45-6789",	       "TEL:09012345678",
	    "Tel: 0312345678",	  "電話 0312345678",   "電話番号：0312345678", "phone=09012345678",
	    "携帯 090 1234 5678", "+81-90-1234-5678",  "+81 3 1234 5678",      "+819012345678",
	    "+81 90-1234-5678",	  "(+81-3-1234-5678)",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		uint32_t n = only(yes[i], PII_PHONE);
		if (n != 1)
			fprintf(stderr, "phone not found in '%s'\n", yes[i]);
		CHECK_EQ(n, 1);
	}
	static const char *const no[] = {
	    "09012345678",	 "0312345678",	       "090-123-4567",	   "00-1234-5678",
	    "03-1234-56789",	 "03-12345-678",       "090-1234-56789",   "1090-1234-5678",
	    "hotel 0312345678",	 "TEL:090123456789",   "+82-90-1234-5678", "+81-090-1234-5678",
	    "x+81-90-1234-5678", "+81-90-1234-5678-1", "090 1234 5678",	   "TEL 00312345678",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct pii_counts c = scan(no[i]);
		if (c.total[PII_PHONE])
			fprintf(stderr, "phone in '%s'\n", no[i]);
		CHECK_EQ(c.total[PII_PHONE], 0);
	}
	struct pii_counts c = scan("090-1234-5678 / +81-90-1234-5678 / TEL 09012345678");
	CHECK_EQ(c.distinct[PII_PHONE], 1);
	CHECK_EQ(c.total[PII_PHONE], 3);
	CHECK_STR(c.sample[PII_PHONE], "090-****-5678");
	CHECK_STR(scan("+81 3 1234 5678").sample[PII_PHONE], "03-****-5678");
	CHECK_STR(scan("0123-45-6789").sample[PII_PHONE], "0123-**-6789");
}

static void test_postal(void)
{
	static const char *const kanji[] = {
	    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県",	  "福島県", "茨城県",
	    "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県",
	    "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",	  "愛知県", "三重県",
	    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県",
	    "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県",	  "高知県", "福岡県",
	    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
	};
	static const char *const romaji[] = {
	    "Hokkaido",	 "Aomori",   "Iwate",	 "Miyagi",    "Akita",	   "Yamagata",	"Fukushima",
	    "Ibaraki",	 "Tochigi",  "Gunma",	 "Saitama",   "Chiba",	   "Tokyo",	"Kanagawa",
	    "Niigata",	 "Toyama",   "Ishikawa", "Fukui",     "Yamanashi", "Nagano",	"Gifu",
	    "Shizuoka",	 "Aichi",    "Mie",	 "Shiga",     "Kyoto",	   "Osaka",	"Hyogo",
	    "Nara",	 "Wakayama", "Tottori",	 "Shimane",   "Okayama",   "Hiroshima", "Yamaguchi",
	    "Tokushima", "Kagawa",   "Ehime",	 "Kochi",     "Fukuoka",   "Saga",	"Nagasaki",
	    "Kumamoto",	 "Oita",     "Miyazaki", "Kagoshima", "Okinawa",
	};
	CHECK_EQ(sizeof(kanji) / sizeof(kanji[0]), 47);
	CHECK_EQ(sizeof(romaji) / sizeof(romaji[0]), 47);
	char t[160];
	int k = 0, r = 0, ru = 0;
	for (int i = 0; i < 47; i++) {
		snprintf(t, sizeof(t), "123-4567 %s某市1-2-3", kanji[i]);
		k += only(t, PII_POSTAL) == 1;
		snprintf(t, sizeof(t), "1-2-3 Chuo, %s 123-4567, Japan", romaji[i]);
		r += only(t, PII_POSTAL) == 1;
		snprintf(t, sizeof(t), "%s-SHI 123-4567", romaji[i]);
		for (char *p = t; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		ru += only(t, PII_POSTAL) == 1;
	}
	CHECK_EQ(k, 47);
	CHECK_EQ(r, 47);
	CHECK_EQ(ru, 47);
	CHECK_EQ(only("〒100-0001", PII_POSTAL), 1);
	CHECK_EQ(only("〒 100-0001", PII_POSTAL), 1);
	CHECK_EQ(only("〒1000001", PII_POSTAL), 1);
	CHECK_EQ(only("住所: 100-0001 千代田区", PII_POSTAL), 1);
	CHECK_EQ(only("Address: 100-0001", PII_POSTAL), 1);
	CHECK_EQ(scan("part 100-0001").total[PII_POSTAL], 0);
	CHECK_EQ(scan("1000001 Tokyo").total[PII_POSTAL], 0);
	CHECK_EQ(scan("Sagamihara 100-0001").total[PII_POSTAL], 0);
	CHECK_EQ(scan("Tokyoite 100-0001").total[PII_POSTAL], 0);
	/* context: the whole name within 64 bytes after the code or 16 before it */
	char t2[200];
	for (int gap = 50; gap <= 70; gap++) {
		snprintf(t2, sizeof(t2), "100-0001%*sTokyo", gap, "");
		CHECK_EQ(scan(t2).total[PII_POSTAL], gap + 5 <= 64);
	}
	for (int gap = 5; gap <= 20; gap++) {
		snprintf(t2, sizeof(t2), "Tokyo%*s100-0001", gap, "");
		CHECK_EQ(scan(t2).total[PII_POSTAL], gap + 5 <= 16);
	}
	CHECK_EQ(scan("〒100-00012").total[PII_POSTAL], 0);
	struct pii_counts c = scan("〒100-0001 東京都千代田区 / 〒1000001");
	CHECK_EQ(c.distinct[PII_POSTAL], 1);
	CHECK_EQ(c.total[PII_POSTAL], 2);
	CHECK_STR(c.sample[PII_POSTAL], "1**-****");
}

/* A document with every type, some twice, some in several forms. */
static size_t make_doc(char *doc, size_t cap)
{
	char my[13], card[20];
	size_t n = 0;
	rng_state = 777;
	for (int i = 0; i < 80 && n + 400 < cap; i++) {
		make_mynumber(my, i % 5 != 4);
		make_card(card, i % 2 ? "4" : "5412", 16, i % 7 != 6);
		n += (size_t)snprintf(
		    doc + n, cap - n,
		    "%d,User%d@Example.co.jp,090-%04d-%04d,%.4s %.4s %.4s,%.4s-%.4s-%.4s-%.4s,"
		    "〒%03d-%04d 東京都,+81 3 %04d %04d\n",
		    i, i % 13, i % 17, 1000 + i, my, my + 4, my + 8, card, card + 4, card + 8,
		    card + 12, 100 + i % 9, i, 2000 + i % 11, 3000 + i);
	}
	return n;
}

static bool same_counts(const struct pii_counts *a, const struct pii_counts *b)
{
	return memcmp(a->distinct, b->distinct, sizeof(a->distinct)) == 0 &&
	       memcmp(a->total, b->total, sizeof(a->total)) == 0 &&
	       memcmp(a->rejected, b->rejected, sizeof(a->rejected)) == 0 &&
	       a->overflow == b->overflow && a->distinct_overflow == b->distinct_overflow &&
	       a->bytes_scanned == b->bytes_scanned && a->truncated == b->truncated &&
	       memcmp(a->sample, b->sample, sizeof(a->sample)) == 0 &&
	       memcmp(a->sample_hash, b->sample_hash, sizeof(a->sample_hash)) == 0;
}

static void test_chunks(void)
{
	static char doc[20000];
	size_t n = make_doc(doc, sizeof(doc));
	CHECK(n > 8192);
	struct pii_scan *s = pii_scan_new(key, 0, 0);
	pii_scan_data(s, (const uint8_t *)doc, n);
	pii_scan_end(s);
	struct pii_counts whole = *pii_scan_counts(s);
	for (int t = 0; t < PII_TYPES; t++)
		CHECK(whole.distinct[t] > 0);
	CHECK(whole.rejected[PII_MYNUMBER] > 0);
	CHECK(whole.rejected[PII_CARD] > 0);
	CHECK_EQ(whole.total[PII_EMAIL], 80);
	CHECK_EQ(whole.distinct[PII_EMAIL], 13);
	CHECK_EQ(whole.total[PII_POSTAL], 80);
	CHECK_EQ(whole.distinct[PII_POSTAL], 80);
	CHECK_EQ(whole.total[PII_PHONE], 160);

	/* one byte at a time */
	pii_scan_reset(s);
	for (size_t i = 0; i < n; i++)
		pii_scan_data(s, (const uint8_t *)doc + i, 1);
	pii_scan_end(s);
	CHECK(same_counts(&whole, pii_scan_counts(s)));

	/* cut in two at every position of the first 600 bytes, and random cuts */
	int same = 0;
	for (size_t cut = 0; cut < 600; cut++) {
		pii_scan_reset(s);
		pii_scan_data(s, (const uint8_t *)doc, cut);
		pii_scan_data(s, (const uint8_t *)doc + cut, n - cut);
		pii_scan_end(s);
		same += same_counts(&whole, pii_scan_counts(s));
	}
	CHECK_EQ(same, 600);
	same = 0;
	rng_state = 99;
	for (int round = 0; round < 200; round++) {
		pii_scan_reset(s);
		for (size_t at = 0; at < n;) {
			size_t k = 1 + rnd() % (round % 2 ? 50 : 5000);
			if (k > n - at)
				k = n - at;
			pii_scan_data(s, (const uint8_t *)doc + at, k);
			at += k;
		}
		pii_scan_end(s);
		same += same_counts(&whole, pii_scan_counts(s));
	}
	CHECK_EQ(same, 200);

	/* each record alone, cut at every boundary inside it */
	static const char *const recs[] = {
	    " 4111 1111 1111 1111 ", " a.b@example.com ", " +81-90-1234-5678 ",
	    " 〒100-0001 東京都 ",   " TEL:0312345678 ",  " 378282246310005 ",
	};
	for (size_t r = 0; r < sizeof(recs) / sizeof(recs[0]); r++) {
		size_t len = strlen(recs[r]);
		struct pii_counts one = scan(recs[r]);
		CHECK_EQ(one.total[0] + one.total[1] + one.total[2] + one.total[3] + one.total[4],
			 1);
		same = 0;
		for (size_t a = 0; a <= len; a++)
			for (size_t b = a; b <= len; b++) {
				pii_scan_reset(s);
				pii_scan_data(s, (const uint8_t *)recs[r], a);
				pii_scan_data(s, (const uint8_t *)recs[r] + a, b - a);
				pii_scan_data(s, (const uint8_t *)recs[r] + b, len - b);
				pii_scan_end(s);
				same += same_counts(&one, pii_scan_counts(s));
			}
		CHECK_EQ(same, (len + 1) * (len + 2) / 2);
	}
	pii_scan_free(s);
}

static void test_limits(void)
{
	/* the cap on distinct values */
	struct pii_counts c =
	    scan_text("a@x.jp b@x.jp c@x.jp a@x.jp d@x.jp e@x.jp 090-1111-2222", 3, 0);
	CHECK_EQ(c.distinct[PII_EMAIL], 3);
	CHECK_EQ(c.total[PII_EMAIL], 6);
	CHECK_EQ(c.total[PII_PHONE], 1);
	CHECK_EQ(c.distinct[PII_PHONE], 0);
	CHECK(c.overflow);
	CHECK_EQ(c.distinct_overflow, 3);

	/* many distinct values: the set grows to its cap */
	struct pii_scan *s = pii_scan_new(key, 5000, 0);
	char t[64];
	for (int i = 0; i < 6000; i++) {
		int n = snprintf(t, sizeof(t), "u%d@example.com\n", i % 5500);
		pii_scan_data(s, (const uint8_t *)t, (size_t)n);
	}
	pii_scan_end(s);
	CHECK_EQ(pii_scan_counts(s)->distinct[PII_EMAIL], 5000);
	CHECK_EQ(pii_scan_records(s), 5000);
	CHECK_EQ(pii_scan_counts(s)->total[PII_EMAIL], 6000);
	CHECK_EQ(pii_scan_counts(s)->distinct_overflow, 500);
	pii_scan_free(s);

	/* max_bytes: what lies past it is not read; a record cut by it not counted */
	const char *doc = "a@x.jp 4111111111111111 b@y.jp";
	c = scan_text(doc, 0, 25);
	CHECK(c.truncated);
	CHECK_EQ(c.bytes_scanned, 25);
	CHECK_EQ(c.total[PII_EMAIL], 1);
	CHECK_EQ(c.total[PII_CARD], 1);
	for (uint64_t cut = 8; cut <= 24; cut++) {
		c = scan_text(doc, 0, cut);
		CHECK_EQ(c.total[PII_CARD] + c.total[PII_MYNUMBER] + c.rejected[PII_MYNUMBER], 0);
	}
	c = scan_text(doc, 0, 29);
	CHECK_EQ(c.total[PII_EMAIL], 1);
	c = scan_text(doc, 0, 0);
	CHECK(!c.truncated);
	CHECK_EQ(c.total[PII_EMAIL], 2);
	s = pii_scan_new(key, 0, 10);
	pii_scan_data(s, (const uint8_t *)doc, 5);
	pii_scan_data(s, (const uint8_t *)doc + 5, 5);
	CHECK(!pii_scan_counts(s)->truncated);
	pii_scan_data(s, (const uint8_t *)doc + 10, 5);
	CHECK(pii_scan_counts(s)->truncated);
	CHECK_EQ(pii_scan_counts(s)->bytes_scanned, 10);
	pii_scan_end(s);
	pii_scan_data(s, (const uint8_t *)doc, 5); /* after the end: ignored */
	CHECK_EQ(pii_scan_counts(s)->bytes_scanned, 10);
	pii_scan_reset(s);
	CHECK_EQ(pii_scan_counts(s)->bytes_scanned, 0);
	CHECK(!pii_scan_counts(s)->truncated);
	pii_scan_data(s, (const uint8_t *)"a@x.jp", 6);
	pii_scan_end(s);
	CHECK_EQ(pii_scan_records(s), 1);
	pii_scan_free(s);

	CHECK(pii_key_new(key_bytes, 0) == NULL);
	CHECK(pii_key_new(key_bytes, PII_KEY_MAX + 1) == NULL);
	CHECK(pii_scan_new(NULL, 0, 0) == NULL);
	CHECK_STR(pii_type_name(PII_MYNUMBER), "mynumber");
	CHECK_STR(pii_type_name(PII_CARD), "card");
	CHECK_STR(pii_type_name(PII_EMAIL), "email");
	CHECK_STR(pii_type_name(PII_PHONE), "phone_jp");
	CHECK_STR(pii_type_name(PII_POSTAL), "postal_jp");
	CHECK_STR(pii_type_name(PII_TYPES), "?");
}

/* The sample hash is HMAC-SHA256(key, normalised value), first 8 bytes in hex;
 * no output holds the clear value. */
static void test_hashes(void)
{
	static const struct {
		const char *text, *norm;
		enum pii_type t;
	} v[] = {
	    {"Mail: Alice.X@Example.JP", "alice.x@example.jp", PII_EMAIL},
	    {"+81-90-1234-5678", "09012345678", PII_PHONE},
	    {"4111-1111-1111-1111", "4111111111111111", PII_CARD},
	    {"〒100-0001", "1000001", PII_POSTAL},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct pii_counts c = scan(v[i].text);
		uint8_t h[32];
		unsigned hn = 0;
		HMAC(EVP_sha256(), key_bytes, (int)sizeof(key_bytes), (const uint8_t *)v[i].norm,
		     strlen(v[i].norm), h, &hn);
		char hex[17];
		for (int k = 0; k < 8; k++)
			snprintf(hex + 2 * k, 3, "%02x", h[k]);
		CHECK_STR(c.sample_hash[v[i].t], hex);
		const char *bytes = (const char *)&c;
		CHECK(memmem(bytes, sizeof(c), v[i].norm, strlen(v[i].norm)) == NULL);
		CHECK(memmem(bytes, sizeof(c), v[i].text, strlen(v[i].text)) == NULL);
	}
	char my[13];
	make_mynumber(my, true);
	struct pii_counts c = scan(my);
	CHECK(memmem(&c, sizeof(c), my, 12) == NULL);
	CHECK(memmem(&c, sizeof(c), my, 8) == NULL);
	CHECK_EQ(strlen(c.sample_hash[PII_MYNUMBER]), 16);
	/* another key, another hash */
	struct pii_key *k2 = pii_key_new((const uint8_t *)"other", 5);
	struct pii_scan *s = pii_scan_new(k2, 0, 0);
	pii_scan_data(s, (const uint8_t *)my, 12);
	pii_scan_end(s);
	CHECK(strcmp(pii_scan_counts(s)->sample_hash[PII_MYNUMBER], c.sample_hash[PII_MYNUMBER]));
	CHECK_STR(pii_scan_counts(s)->sample[PII_MYNUMBER], c.sample[PII_MYNUMBER]);
	pii_scan_free(s);
	pii_key_free(k2);

	/* keys of a block (64 bytes) and longer (hashed first) */
	uint8_t kb[100];
	for (int i = 0; i < 100; i++)
		kb[i] = (uint8_t)(i * 7 + 1);
	size_t lens[] = {1, 63, 64, 65, 100};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct pii_key *k = pii_key_new(kb, lens[i]);
		s = pii_scan_new(k, 0, 0);
		pii_scan_data(s, (const uint8_t *)"x@example.jp", 12);
		pii_scan_end(s);
		uint8_t h[32];
		unsigned hn = 0;
		HMAC(EVP_sha256(), kb, (int)lens[i], (const uint8_t *)"x@example.jp", 12, h, &hn);
		char hex[17];
		for (int j = 0; j < 8; j++)
			snprintf(hex + 2 * j, 3, "%02x", h[j]);
		CHECK_STR(pii_scan_counts(s)->sample_hash[PII_EMAIL], hex);
		pii_scan_free(s);
		pii_key_free(k);
	}
}

int main(void)
{
	key = pii_key_new(key_bytes, sizeof(key_bytes));
	CHECK(key != NULL);
	test_mynumber();
	test_cards();
	test_email();
	test_phone();
	test_postal();
	test_chunks();
	test_limits();
	test_hashes();
	pii_key_free(key);
	return check_report("test_pii");
}
