/*
 * pii_ids — validators and context tests for pii_scan (see pii_ids.h). The
 * scanner finds candidates by shape; these decide whether a candidate is the
 * identifier it looks like.
 */
#include "analytics/pii_ids.h"

#include <string.h>

/*
 * The Individual Number check digit (MIC ordinance on the Individual Number,
 * article 5): P1..P11 are the digits from the right without the check digit,
 * Qn = n + 1 for n <= 6 and n - 5 for n >= 7; r = sum(Pn * Qn) mod 11; the check
 * digit is 0 when r <= 1, else 11 - r.
 */
bool pii_ids_mynumber(const uint8_t *d)
{
	unsigned sum = 0;
	for (unsigned n = 1; n <= 11; n++)
		sum += d[11 - n] * (n <= 6 ? n + 1 : n - 5);
	unsigned r = sum % 11;
	return d[11] == (r <= 1 ? 0 : 11 - r);
}

bool pii_ids_luhn(const uint8_t *d, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned v = d[n - 1 - i];
		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

#define LEN(n)	     (1u << (n))
#define LENS(lo, hi) ((LEN((hi) + 1) - 1) & ~(LEN(lo) - 1))

/* Issuer ranges: the first `digits` digits between lo and hi, and the lengths
 * (bit n: n digits) that issuer's numbers have. */
static const struct {
	uint16_t lo, hi;
	uint8_t digits;
	uint32_t lens;
} issuers[] = {
    {4, 4, 1, LEN(13) | LEN(16) | LEN(19)}, /* Visa */
    {51, 55, 2, LEN(16)},		    /* Mastercard */
    {2221, 2720, 4, LEN(16)},		    /* Mastercard 2-series */
    {34, 34, 2, LEN(15)},		    /* American Express */
    {37, 37, 2, LEN(15)},
    {3528, 3589, 4, LENS(16, 19)}, /* JCB */
    {300, 305, 3, LENS(14, 19)},   /* Diners Club */
    {36, 36, 2, LENS(14, 19)},
    {38, 39, 2, LENS(14, 19)},
    {6011, 6011, 4, LENS(16, 19)}, /* Discover */
    {644, 649, 3, LENS(16, 19)},
    {65, 65, 2, LENS(16, 19)},
    {62, 62, 2, LENS(16, 19)}, /* UnionPay */
};

bool pii_ids_card_issuer(const uint8_t *d, size_t n)
{
	if (n < 13 || n > 19)
		return false;
	unsigned pfx[5] = {0};
	for (unsigned i = 1; i <= 4; i++)
		pfx[i] = pfx[i - 1] * 10 + d[i - 1];
	for (size_t i = 0; i < sizeof(issuers) / sizeof(issuers[0]); i++) {
		unsigned p = pfx[issuers[i].digits];
		if (p >= issuers[i].lo && p <= issuers[i].hi && (issuers[i].lens & LEN(n)))
			return true;
	}
	return false;
}

bool pii_ids_phone(const uint8_t *d, size_t n, const uint8_t *glen, size_t ng)
{
	if (n < 10 || d[0] != 0 || d[1] == 0)
		return false;
	/* 050 (IP phone), 070/080/090 (mobile): always 11 digits */
	bool mobile = (d[1] == 5 || d[1] >= 7) && d[2] == 0;
	if (n == 11)
		return mobile &&
		       (ng == 1 || (ng == 3 && glen[0] == 3 && glen[1] == 4 && glen[2] == 4));
	if (n != 10 || mobile)
		return false;
	if (ng == 1)
		return true;
	return ng == 3 && glen[2] == 4 &&
	       ((glen[0] == 2 && glen[1] == 4) || (glen[0] == 3 && glen[1] == 3) ||
		(glen[0] == 4 && glen[1] == 2));
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* w[at..at+n) equals the lower-case ASCII s, ignoring case. */
static bool eq_nocase(const uint8_t *w, size_t at, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(w[at + i]) != s[i])
			return false;
	return true;
}

bool pii_ids_phone_label(const uint8_t *w, size_t start)
{
	static const char *const utf8[] = {"電話番号", "電話", "携帯"};
	size_t i = start;
	for (int skipped = 0; i > 0 && skipped < 4; skipped++) {
		uint8_t c = w[i - 1];
		if (c == ' ' || c == '\t' || c == ':' || c == '=' || c == '.')
			i--;
		else if (i >= 3 && ((c == 0x9a && w[i - 2] == 0xbc && w[i - 3] == 0xef) ||
				    (c == 0x80 && w[i - 2] == 0x80 && w[i - 3] == 0xe3)))
			i -= 3; /* full-width colon, ideographic space */
		else
			break;
	}
	if (i == start)
		return false;
	if (i >= 3 && eq_nocase(w, i - 3, "tel", 3) && (i == 3 || !is_alpha(w[i - 4])))
		return true;
	if (i >= 5 && eq_nocase(w, i - 5, "phone", 5))
		return true;
	for (size_t k = 0; k < sizeof(utf8) / sizeof(utf8[0]); k++) {
		size_t n = strlen(utf8[k]);
		if (i >= n && memcmp(w + i - n, utf8[k], n) == 0)
			return true;
	}
	return false;
}

/* The 47 prefectures, and words that mark an address. */
static const char *const kanji[] = {
    "〒",     "住所",	"北海道",   "青森県", "岩手県",	  "宮城県", "秋田県",	"山形県", "福島県",
    "茨城県", "栃木県", "群馬県",   "埼玉県", "千葉県",	  "東京都", "神奈川県", "新潟県", "富山県",
    "石川県", "福井県", "山梨県",   "長野県", "岐阜県",	  "静岡県", "愛知県",	"三重県", "滋賀県",
    "京都府", "大阪府", "兵庫県",   "奈良県", "和歌山県", "鳥取県", "島根県",	"岡山県", "広島県",
    "山口県", "徳島県", "香川県",   "愛媛県", "高知県",	  "福岡県", "佐賀県",	"長崎県", "熊本県",
    "大分県", "宮崎県", "鹿児島県", "沖縄県",
};
static const char *const romaji[] = {
    "hokkaido",	 "aomori",   "iwate",	 "miyagi",    "akita",	   "yamagata",	"fukushima",
    "ibaraki",	 "tochigi",  "gunma",	 "saitama",   "chiba",	   "tokyo",	"kanagawa",
    "niigata",	 "toyama",   "ishikawa", "fukui",     "yamanashi", "nagano",	"gifu",
    "shizuoka",	 "aichi",    "mie",	 "shiga",     "kyoto",	   "osaka",	"hyogo",
    "nara",	 "wakayama", "tottori",	 "shimane",   "okayama",   "hiroshima", "yamaguchi",
    "tokushima", "kagawa",   "ehime",	 "kochi",     "fukuoka",   "saga",	"nagasaki",
    "kumamoto",	 "oita",     "miyazaki", "kagoshima", "okinawa",
};

bool pii_ids_address_context(const uint8_t *w, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		uint8_t c = w[i];
		if (c >= 0xe3 && c <= 0xe9) {
			for (size_t k = 0; k < sizeof(kanji) / sizeof(kanji[0]); k++) {
				size_t n = strlen(kanji[k]);
				if ((uint8_t)kanji[k][0] == c && n <= to - i &&
				    memcmp(w + i, kanji[k], n) == 0)
					return true;
			}
			continue;
		}
		if (!is_alpha(c))
			continue;
		if (lower(c) == 'a' && to - i >= 7 && eq_nocase(w, i, "address", 7))
			return true;
		/* a prefecture is a word of its own: "Saga", not "Sagamihara" */
		if (i > from && is_alpha(w[i - 1]))
			continue;
		for (size_t k = 0; k < sizeof(romaji) / sizeof(romaji[0]); k++) {
			size_t n = strlen(romaji[k]);
			if (romaji[k][0] == lower(c) && n <= to - i &&
			    eq_nocase(w, i, romaji[k], n) && (i + n == to || !is_alpha(w[i + n])))
				return true;
		}
	}
	return false;
}
