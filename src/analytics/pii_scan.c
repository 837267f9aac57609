/*
 * pii_scan — personal-data records in cleartext streams (see pii_scan.h).
 *
 * The stream passes through a 4 KiB window. A first pass stops only at bytes
 * that can begin a record: a digit (My Number, card, phone, postal code), '@'
 * (an e-mail address, whose local part is read backwards) and '+' (+81 phone
 * numbers). Every such trigger is looked at exactly once, when the window holds
 * LOOKBEHIND bytes before it and LOOKAHEAD after it (or the stream has ended), so
 * the result does not depend on how the stream was cut into chunks; the window
 * then slides, keeping LOOKBEHIND bytes before the next trigger position.
 *
 * Digits are read as tokens: digit groups joined by one separator, a space or a
 * hyphen, the same one throughout ("1234 5678 9012", "090-1234-5678"). A token
 * is classified once, by its digit count and grouping, and only when it stands
 * alone: no letter, digit or '@' against it, and no other number joined to it
 * by a separator or a decimal point. Tokens of more than 24 digits or 8 groups
 * are long numbers and are skipped to their end, across windows if need be.
 */
#include "analytics/pii_scan.h"

/*
 * HMAC-SHA256 from two SHA-256 states keyed once (RFC 2104): each value costs
 * two state copies and no allocation. OpenSSL 3.0 marks the SHA256_* calls
 * deprecated, but its EVP interfaces allocate on every state copy before 3.3.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/pii_ids.h"

#define WIN	     4096
#define LOOKBEHIND   80	 /* e-mail local part (64) and context before a token */
#define LOOKAHEAD    272 /* e-mail domain (253) and the postal code's 64 bytes after */
#define TOK_DIGITS   24
#define TOK_GROUPS   8
#define LOCAL_MAX    64
#define DOMAIN_MAX   253
#define TLD_MAX	     24
#define SET_FIRST    64
#define DISTINCT_MAX (1u << 24)

struct pii_key {
	SHA256_CTX inner, outer; /* after key ^ ipad, key ^ opad */
};

struct pii_scan {
	const struct pii_key *key;
	struct pii_counts c;
	uint64_t *set; /* open addressing, 0 = empty, load <= 1/2 */
	uint32_t set_slots, set_used, set_max;
	uint64_t max_bytes;
	uint64_t base;	  /* stream offset of win[0] */
	uint64_t next;	  /* stream offset of the first position not yet looked at */
	uint64_t rec_end; /* stream offset just past the last record counted */
	uint32_t win_len;
	uint8_t long_sep; /* the separator of the long number being skipped */
	bool in_long;	  /* a long number runs on past the window */
	bool ended;
	uint8_t win[WIN];
};

/* A digit token: its digits as values, its groups' lengths, its separator. */
struct tok {
	size_t start, end; /* window offsets */
	uint8_t d[TOK_DIGITS];
	uint8_t glen[TOK_GROUPS];
	uint8_t nd, ng, sep;
	bool is_long;
};

enum { T_NONE, T_DIGIT, T_AT, T_PLUS };

static const uint8_t trig[256] = {
    ['0'] = T_DIGIT, ['1'] = T_DIGIT, ['2'] = T_DIGIT, ['3'] = T_DIGIT,
    ['4'] = T_DIGIT, ['5'] = T_DIGIT, ['6'] = T_DIGIT, ['7'] = T_DIGIT,
    ['8'] = T_DIGIT, ['9'] = T_DIGIT, ['@'] = T_AT,    ['+'] = T_PLUS,
};

static const char *const type_names[PII_TYPES] = {"mynumber", "card", "email", "phone_jp",
						  "postal_jp"};

const char *pii_type_name(enum pii_type t)
{
	return (unsigned)t < PII_TYPES ? type_names[t] : "?";
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(uint8_t c)
{
	return is_digit(c) || is_alpha(c);
}

static bool is_sep(uint8_t c)
{
	return c == ' ' || c == '-';
}

/* A character that would make a number part of a longer word. */
static bool is_word(uint8_t c)
{
	return is_alnum(c) || c == '_' || c == '@';
}

static bool is_local(uint8_t c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static bool is_domain(uint8_t c)
{
	return is_alnum(c) || c == '.' || c == '-';
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

struct pii_key *pii_key_new(const uint8_t *k, size_t n)
{
	if (!k || n == 0 || n > PII_KEY_MAX)
		return NULL;
	struct pii_key *key = malloc(sizeof(*key));
	if (!key)
		return NULL;
	uint8_t block[SHA256_CBLOCK] = {0}, pad[SHA256_CBLOCK];
	if (n > sizeof(block))
		SHA256(k, n, block); /* a long key is its hash */
	else
		memcpy(block, k, n);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = block[i] ^ 0x36;
	SHA256_Init(&key->inner);
	SHA256_Update(&key->inner, pad, sizeof(pad));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = block[i] ^ 0x5c;
	SHA256_Init(&key->outer);
	SHA256_Update(&key->outer, pad, sizeof(pad));
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(pad, sizeof(pad));
	return key;
}

void pii_key_free(struct pii_key *k)
{
	if (!k)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

/* Slots for a cap of max values: a power of two at least twice max. */
static uint32_t set_slots_for(uint32_t max)
{
	uint32_t n = 2;
	while (n < 2 * (uint64_t)max)
		n *= 2;
	return n;
}

struct pii_scan *pii_scan_new(const struct pii_key *k, uint32_t max_distinct, uint64_t max_bytes)
{
	if (!k)
		return NULL;
	struct pii_scan *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->key = k;
	s->max_bytes = max_bytes;
	s->set_max = max_distinct ? max_distinct : PII_DEFAULT_DISTINCT;
	if (s->set_max > DISTINCT_MAX)
		s->set_max = DISTINCT_MAX;
	s->set_slots = set_slots_for(s->set_max);
	if (s->set_slots > SET_FIRST)
		s->set_slots = SET_FIRST;
	s->set = calloc(s->set_slots, sizeof(*s->set));
	if (!s->set) {
		pii_scan_free(s);
		return NULL;
	}
	return s;
}

void pii_scan_free(struct pii_scan *s)
{
	if (!s)
		return;
	free(s->set);
	OPENSSL_cleanse(s->win, sizeof(s->win));
	free(s);
}

void pii_scan_reset(struct pii_scan *s)
{
	memset(&s->c, 0, sizeof(s->c));
	if (s->set_used) /* most directions found nothing: no need to clear */
		memset(s->set, 0, s->set_slots * sizeof(*s->set));
	s->set_used = 0;
	s->base = s->next = s->rec_end = 0;
	s->win_len = 0;
	s->long_sep = 0;
	s->in_long = s->ended = false;
}

const struct pii_counts *pii_scan_counts(const struct pii_scan *s)
{
	return &s->c;
}

uint32_t pii_scan_records(const struct pii_scan *s)
{
	uint32_t n = 0;
	for (int t = 0; t < PII_TYPES; t++)
		n += s->c.distinct[t];
	return n;
}

/* Double the set, up to the slots its cap needs. -1 when out of memory. */
static int set_grow(struct pii_scan *s)
{
	uint32_t slots = s->set_slots * 2, mask = slots - 1;
	uint64_t *set = calloc(slots, sizeof(*set));
	if (!set)
		return -1;
	for (uint32_t i = 0; i < s->set_slots; i++) {
		uint64_t x = s->set[i];
		if (!x)
			continue;
		uint32_t j = (uint32_t)x & mask;
		while (set[j])
			j = (j + 1) & mask;
		set[j] = x;
	}
	free(s->set);
	s->set = set;
	s->set_slots = slots;
	return 0;
}

/* 1: x is new and now in the set; 0: it was there; -1: new but the set is full
 * (or could not grow). */
static int set_add(struct pii_scan *s, uint64_t x)
{
	if (!x)
		x = 1;
	for (;;) {
		uint32_t mask = s->set_slots - 1, i = (uint32_t)x & mask;
		while (s->set[i]) {
			if (s->set[i] == x)
				return 0;
			i = (i + 1) & mask;
		}
		if (s->set_used >= s->set_max)
			return -1;
		if ((uint64_t)(s->set_used + 1) * 2 <= s->set_slots) {
			s->set[i] = x;
			s->set_used++;
			return 1;
		}
		if (set_grow(s) < 0)
			return -1;
	}
}

static void put_stars(char *o, size_t n)
{
	memset(o, '*', n);
}

/* The masked form of normalised value v (n bytes) into out (PII_SAMPLE_LEN).
 * aux: the e-mail's local part length; the phone's first group length. */
static void mask(enum pii_type t, const uint8_t *v, size_t n, size_t aux, char *out)
{
	char *o = out;
	switch (t) {
	case PII_MYNUMBER:
		put_stars(o, n - 4);
		memcpy(o + n - 4, v + n - 4, 4);
		o += n;
		break;
	case PII_CARD:
		memcpy(o, v, 6);
		put_stars(o + 6, n - 10);
		memcpy(o + n - 4, v + n - 4, 4);
		o += n;
		break;
	case PII_EMAIL: {
		size_t dn = n - aux - 1, room = PII_SAMPLE_LEN - 1 - 5;
		*o++ = (char)v[0];
		memcpy(o, "***@", 4);
		o += 4;
		if (dn > room)
			dn = room;
		memcpy(o, v + aux + 1, dn);
		o += dn;
		break;
	}
	case PII_PHONE:
		memcpy(o, v, aux);
		o += aux;
		*o++ = '-';
		put_stars(o, n - aux - 4);
		o += n - aux - 4;
		*o++ = '-';
		memcpy(o, v + n - 4, 4);
		o += 4;
		break;
	case PII_POSTAL:
		*o++ = (char)v[0];
		memcpy(o, "**-****", 7);
		o += 7;
		break;
	default:
		break;
	}
	*o = '\0';
}

/*
 * Count one record of type t: normalised value v (n bytes), ending at window
 * offset end. The value is hashed and forgotten; only its masked form is kept,
 * for the first record of each type.
 */
static void record(struct pii_scan *s, enum pii_type t, const uint8_t *v, size_t n, size_t aux,
		   size_t end)
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	SHA256_CTX c = s->key->inner;
	SHA256_Update(&c, v, n);
	SHA256_Final(h, &c);
	c = s->key->outer;
	SHA256_Update(&c, h, sizeof(h));
	SHA256_Final(h, &c);
	s->rec_end = s->base + end;
	s->c.total[t]++;
	uint64_t x;
	memcpy(&x, h, sizeof(x));
	int r = set_add(s, x);
	if (r > 0) {
		s->c.distinct[t]++;
	} else if (r < 0) {
		s->c.overflow = true;
		s->c.distinct_overflow++;
	}
	if (!s->c.sample[t][0]) {
		static const char hex[] = "0123456789abcdef";
		mask(t, v, n, aux, s->c.sample[t]);
		for (int i = 0; i < 8; i++) {
			s->c.sample_hash[t][2 * i] = hex[h[i] >> 4];
			s->c.sample_hash[t][2 * i + 1] = hex[h[i] & 15];
		}
		s->c.sample_hash[t][16] = '\0';
	}
}

/* Record a digit value d[0..n) (values 0..9) as ASCII digits. */
static void record_digits(struct pii_scan *s, enum pii_type t, const uint8_t *d, size_t n,
			  size_t aux, size_t end)
{
	uint8_t v[TOK_DIGITS + 1];
	for (size_t i = 0; i < n; i++)
		v[i] = (uint8_t)('0' + d[i]);
	record(s, t, v, n, aux, end);
	OPENSSL_cleanse(v, sizeof(v));
}

/* The digit token at w[at] (a digit), within w[..end). */
static void tok_parse(const uint8_t *w, size_t at, size_t end, struct tok *t)
{
	size_t i = at;
	t->start = at;
	t->nd = t->ng = t->sep = 0;
	t->is_long = false;
	for (;;) {
		uint8_t g = 0;
		while (i < end && is_digit(w[i])) {
			if (t->nd == TOK_DIGITS) {
				t->is_long = true;
				t->end = i;
				return;
			}
			t->d[t->nd++] = (uint8_t)(w[i++] - '0');
			g++;
		}
		if (t->ng == TOK_GROUPS) {
			t->is_long = true;
			t->end = i;
			return;
		}
		t->glen[t->ng++] = g;
		if (i + 1 < end && is_sep(w[i]) && (!t->sep || t->sep == w[i]) &&
		    is_digit(w[i + 1])) {
			t->sep = w[i++];
			continue;
		}
		break;
	}
	t->end = i;
}

/*
 * Past the rest of a long number from w[i]: digits, and its separator followed
 * by a digit. *more when the window ended first and the stream goes on.
 */
static size_t tok_extend(const uint8_t *w, size_t i, size_t end, uint8_t *sep, bool final,
			 bool *more)
{
	while (i < end) {
		if (is_digit(w[i])) {
			i++;
			continue;
		}
		if (is_sep(w[i]) && (!*sep || *sep == w[i])) {
			if (i + 1 == end)
				break;
			if (is_digit(w[i + 1])) {
				*sep = w[i];
				i += 2;
				continue;
			}
		}
		*more = false;
		return i;
	}
	*more = !final;
	return i;
}

/* Nothing joined to the front of a number at w[s]. */
static bool before_ok(const uint8_t *w, size_t s)
{
	if (s == 0)
		return true;
	uint8_t c = w[s - 1];
	if (is_word(c))
		return false;
	if (s >= 2 &&
	    (((c == '-' || c == '.') && is_alnum(w[s - 2])) || (c == ' ' && is_digit(w[s - 2]))))
		return false;
	return true;
}

/* Nothing joined to the back of a number ending at w[e]; the end of the window
 * (only in the last scan) is a boundary unless the stream was cut short. */
static bool after_ok(const struct pii_scan *s, size_t e, size_t end)
{
	bool clean_end = !s->c.truncated;
	if (e >= end)
		return clean_end;
	uint8_t c = s->win[e];
	if (is_word(c))
		return false;
	if (c == '-' || c == '.' || c == ' ') {
		if (e + 1 >= end)
			return clean_end;
		uint8_t n = s->win[e + 1];
		return c == ' ' ? !is_digit(n) : !is_alnum(n);
	}
	return true;
}

/* A 〒 right before w[at], maybe with a space between. */
static bool postal_mark_before(const uint8_t *w, size_t at)
{
	if (at >= 1 && w[at - 1] == ' ')
		at--;
	return at >= 3 && w[at - 3] == 0xe3 && w[at - 2] == 0x80 && w[at - 1] == 0x92;
}

static bool groups_are(const struct tok *t, uint8_t n, const uint8_t *len)
{
	return t->ng == n && memcmp(t->glen, len, n) == 0;
}

/* Card layouts: one run, 4-4-...-4-(1..4), or Amex/Diners 4-6-5 and 4-6-4. */
static bool card_layout(const struct tok *t)
{
	static const uint8_t g465[] = {4, 6, 5}, g464[] = {4, 6, 4};
	if (t->ng == 1 || groups_are(t, 3, g465) || groups_are(t, 3, g464))
		return true;
	for (int i = 0; i + 1 < t->ng; i++)
		if (t->glen[i] != 4)
			return false;
	return t->glen[t->ng - 1] <= 4;
}

/* A standalone digit token: which record it is, if any. */
static void classify(struct pii_scan *s, const struct tok *t, size_t end)
{
	static const uint8_t g444[] = {4, 4, 4}, g34[] = {3, 4};
	const uint8_t *w = s->win;
	size_t n = t->nd;
	if (n == 12 && (t->ng == 1 || groups_are(t, 3, g444))) {
		if (pii_ids_mynumber(t->d))
			record_digits(s, PII_MYNUMBER, t->d, n, 0, t->end);
		else
			s->c.rejected[PII_MYNUMBER]++;
	} else if (n >= 13 && n <= 19) {
		if (!card_layout(t) || !pii_ids_card_issuer(t->d, n))
			return;
		if (pii_ids_luhn(t->d, n))
			record_digits(s, PII_CARD, t->d, n, 0, t->end);
		else
			s->c.rejected[PII_CARD]++;
	} else if (n == 10 || n == 11) {
		/* hyphenated, or any form after a label such as "TEL:" */
		if (!(t->ng == 3 && t->sep == '-') && !pii_ids_phone_label(w, t->start))
			return;
		if (pii_ids_phone(t->d, n, t->glen, t->ng))
			record_digits(s, PII_PHONE, t->d, n, t->ng > 1 ? t->glen[0] : n - 8,
				      t->end);
	} else if (n == 7) {
		if (!(groups_are(t, 2, g34) && t->sep == '-') &&
		    !(t->ng == 1 && postal_mark_before(w, t->start)))
			return;
		size_t from = t->start > 16 ? t->start - 16 : 0;
		size_t to = end - t->end > 64 ? t->end + 64 : end;
		if (pii_ids_address_context(w, from, to))
			record_digits(s, PII_POSTAL, t->d, n, 0, t->end);
	}
}

/* A digit at w[p]; returns where to look next. */
static size_t on_digit(struct pii_scan *s, size_t p, size_t end, bool final)
{
	const uint8_t *w = s->win;
	if (p > 0 && is_digit(w[p - 1]))
		return p + 1;
	/* most digit runs are short and stand alone: no record has fewer than 7
	 * digits (p + 8 < end outside the last scan, see LOOKAHEAD) */
	size_t q = p + 1;
	while (q < end && q < p + 7 && is_digit(w[q]))
		q++;
	if (q < p + 7 && (q + 1 >= end || !is_sep(w[q]) || !is_digit(w[q + 1])))
		return q;
	struct tok t;
	tok_parse(w, p, end, &t);
	if (t.is_long) {
		bool more = false;
		size_t e = tok_extend(w, t.end, end, &t.sep, final, &more);
		s->in_long = more;
		s->long_sep = t.sep;
		return e;
	}
	if (before_ok(w, p) && after_ok(s, t.end, end))
		classify(s, &t, end);
	return t.end;
}

/* '+' at w[p]: +81 then a national number without its 0 ("+81-90-1234-5678",
 * "+81 3 1234 5678", "+819012345678"). */
static size_t on_plus(struct pii_scan *s, size_t p, size_t end)
{
	const uint8_t *w = s->win;
	if (p + 4 >= end || w[p + 1] != '8' || w[p + 2] != '1' || !before_ok(w, p))
		return p + 1;
	struct tok t;
	uint8_t d[TOK_DIGITS + 1], glen[TOK_GROUPS] = {0};
	size_t nd, ng;
	const uint8_t *nat;
	if (is_digit(w[p + 3])) {
		tok_parse(w, p + 1, end, &t);
		if (t.is_long || t.ng != 1 || t.nd < 11)
			return p + 1;
		nat = t.d + 2;
		nd = t.nd - 2;
		ng = 1;
	} else if (is_sep(w[p + 3]) && is_digit(w[p + 4])) {
		tok_parse(w, p + 4, end, &t);
		if (t.is_long)
			return p + 1;
		nat = t.d;
		nd = t.nd;
		ng = t.ng;
		memcpy(glen, t.glen, ng);
		glen[0]++;
	} else {
		return p + 1;
	}
	if (nd < 9 || nd > 10 || nat[0] == 0 || !after_ok(s, t.end, end))
		return p + 1;
	d[0] = 0;
	memcpy(d + 1, nat, nd);
	if (!pii_ids_phone(d, nd + 1, glen, ng))
		return p + 1;
	record_digits(s, PII_PHONE, d, nd + 1, ng > 1 ? glen[0] : nd - 7, t.end);
	return t.end;
}

/* Labels of an e-mail domain w[from..to): at least two, letters, digits and
 * inner hyphens, 63 at most each; the last all letters, 2..TLD_MAX. */
static bool domain_ok(const uint8_t *w, size_t from, size_t to)
{
	size_t labels = 0, i = from;
	while (i < to) {
		size_t j = i;
		bool alpha = true;
		while (j < to && w[j] != '.') {
			alpha = alpha && is_alpha(w[j]);
			j++;
		}
		if (j == i || j - i > 63 || w[i] == '-' || w[j - 1] == '-')
			return false;
		labels++;
		if (j == to)
			return labels >= 2 && alpha && j - i >= 2 && j - i <= TLD_MAX;
		i = j + 1;
	}
	return false;
}

/* '@' at w[p]: an e-mail address around it. */
static size_t on_at(struct pii_scan *s, size_t p, size_t end, bool final)
{
	const uint8_t *w = s->win;
	size_t j = p;
	while (j > 0 && p - j <= LOCAL_MAX && is_local(w[j - 1]))
		j--;
	if (p - j > LOCAL_MAX)
		return p + 1;
	while (j < p && w[j] == '.')
		j++;
	if (j == p || w[p - 1] == '.' || s->base + j < s->rec_end)
		return p + 1;
	size_t k = p + 1, lim = end - k > DOMAIN_MAX + 1 ? k + DOMAIN_MAX + 1 : end;
	while (k < lim && is_domain(w[k]))
		k++;
	if (k - (p + 1) > DOMAIN_MAX || (k == end && (!final || s->c.truncated)))
		return p + 1;
	size_t e = k;
	while (e > p + 1 && w[e - 1] == '.')
		e--;
	if (!domain_ok(w, p + 1, e))
		return p + 1;
	uint8_t v[LOCAL_MAX + 1 + DOMAIN_MAX];
	size_t n = e - j;
	for (size_t i = 0; i < n; i++)
		v[i] = lower(w[j + i]);
	record(s, PII_EMAIL, v, n, p - j, e);
	OPENSSL_cleanse(v, n);
	return e;
}

/*
 * Look at the positions not yet looked at whose LOOKAHEAD bytes are in the
 * window; all of them in the last scan (final).
 */
static void scan_window(struct pii_scan *s, bool final)
{
	const uint8_t *w = s->win;
	size_t end = s->win_len;
	size_t limit = final ? end : (end > LOOKAHEAD ? end - LOOKAHEAD : 0);
	size_t i = (size_t)(s->next - s->base);
	if (s->in_long) {
		bool more = false;
		i = tok_extend(w, i, end, &s->long_sep, final, &more);
		s->in_long = more;
	}
	while (i < limit) {
		while (i < limit && !trig[w[i]])
			i++;
		if (i >= limit)
			break;
		switch (trig[w[i]]) {
		case T_DIGIT:
			i = on_digit(s, i, end, final);
			break;
		case T_AT:
			i = on_at(s, i, end, final);
			break;
		default:
			i = on_plus(s, i, end);
			break;
		}
	}
	if (i > limit)
		limit = i;
	s->next = s->base + limit;
}

/* Make room: keep LOOKBEHIND bytes before the next position to look at. */
static void slide(struct pii_scan *s)
{
	size_t at = (size_t)(s->next - s->base);
	size_t drop = at > LOOKBEHIND ? at - LOOKBEHIND : 0;
	memmove(s->win, s->win + drop, s->win_len - drop);
	s->win_len -= (uint32_t)drop;
	s->base += drop;
}

void pii_scan_data(struct pii_scan *s, const uint8_t *buf, size_t len)
{
	if (s->ended || len == 0)
		return;
	if (s->max_bytes) {
		uint64_t room = s->max_bytes - s->c.bytes_scanned;
		if (len > room) {
			len = (size_t)room;
			s->c.truncated = true;
		}
	}
	s->c.bytes_scanned += len;
	while (len > 0) {
		if (s->win_len == WIN)
			slide(s);
		size_t n = WIN - s->win_len;
		if (n > len)
			n = len;
		memcpy(s->win + s->win_len, buf, n);
		s->win_len += (uint32_t)n;
		buf += n;
		len -= n;
		if (s->win_len == WIN || len == 0)
			scan_window(s, false);
	}
}

void pii_scan_end(struct pii_scan *s)
{
	if (s->ended)
		return;
	scan_window(s, true);
	s->ended = true;
}
