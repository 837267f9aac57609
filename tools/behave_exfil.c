/*
 * behave_exfil — data leaving the site: a 24 MB TLS upload from one office host, and HTTP
 * uploads of customer records (Japanese personal data: My Number, card numbers, e-mail,
 * mobile numbers, postal addresses) in cleartext.
 */
#include "behave.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXFIL_SRC   BEH_IP(10, 10, 1, 55)
#define EXFIL_DST   BEH_IP(45, 67, 230, 12)
#define EXFIL_BYTES 25165824ull /* 24 MiB */

void beh_exfil_run(struct behave *b, struct scen_rng *r, struct beh_exfil *e)
{
	struct pcapw_host cli = beh_host(e->src, 0), srv = beh_host(e->dst, 443);

	beh_count(b, &e->a, e->src);
	beh_tls(b, r, e->t, &cli, &srv, e->sni, 12 * SCEN_MS, e->up, 1200);
	beh_count(b, NULL, 0);
}

void beh_exfil_truth(struct behave *b, const struct beh_exfil *e)
{
	beh_jip(b, "src_ip", e->src);
	beh_jip(b, "dest_ip", e->dst);
	beh_ju64(b, "dest_port", 443);
	beh_jstr(b, "proto", "TCP");
	beh_jstr(b, "sni", e->sni);
	beh_ju64(b, "bytes_payload_up", e->up);
	beh_ju64(b, "app_bytes_down", 1200);
	beh_jtime(b, "first_seen", e->a.first);
	beh_jtime(b, "last_seen", e->a.last);
	beh_jacct(b, "flow", &e->a);
}

/*
 * exfil: at 10:30:10, 10.10.1.55 opens one TLS 1.3 session (beh_tls, SNI
 * files.share-drop.net, 12 ms per packet) to 45.67.230.12:443 and sends 25,165,824 bytes of
 * application data (1,536 full 16 KiB records); the server answers 1,200 bytes; FIN at about
 * 10:35:30. Truth: src_ip, dest_ip, dest_port, bytes_payload_up (the record contents),
 * app_bytes_down, sni, and "flow": packets, frame bytes (Ethernet included) and TCP payload
 * bytes each way, first_seen / last_seen, exactly as written.
 */
void beh_exfil(struct behave *b, struct scen_rng *r)
{
	struct beh_exfil e = {
	    .src = EXFIL_SRC,
	    .dst = EXFIL_DST,
	    .sni = "files.share-drop.net",
	    .t = BEH_MIN(10, 30) + 10 * SCEN_S,
	    .up = EXFIL_BYTES,
	};

	beh_exfil_run(b, r, &e);
	beh_truth_begin(b, "exfil");
	beh_exfil_truth(b, &e);
	beh_truth_end(b);
}

/* ---- personal data ------------------------------------------------------------------- */

#define PII_N	 600 /* 500 in the CSV post, 100 in the multipart file */
#define PII_POST 500
#define PII_BAD	 20

struct person {
	char name[32], mynum[16], card[20], email[64], phone[16], addr[128];
	int issuer;
};

static const char *const family[30] = {
    "Sato",	 "Suzuki",    "Takahashi", "Tanaka", "Watanabe", "Ito",
    "Yamamoto",	 "Nakamura",  "Kobayashi", "Kato",   "Yoshida",	 "Yamada",
    "Sasaki",	 "Yamaguchi", "Matsumoto", "Inoue",  "Kimura",	 "Hayashi",
    "Shimizu",	 "Yamazaki",  "Mori",	   "Abe",    "Ikeda",	 "Hashimoto",
    "Yamashita", "Ishikawa",  "Nakajima",  "Maeda",  "Fujita",	 "Ogawa"};
static const char *const given[30] = {"Haruto", "Yuto",	  "Sota",    "Yuki",  "Hayato",	 "Haruki",
				      "Ren",	"Takumi", "Riku",    "Kaito", "Yui",	 "Hina",
				      "Aoi",	"Yuna",	  "Sakura",  "Mei",   "Rin",	 "Koharu",
				      "Mio",	"Akari",  "Hiroshi", "Kenji", "Takashi", "Makoto",
				      "Naoko",	"Yoko",	  "Keiko",   "Emi",   "Daiki",	 "Shota"};
static const char *const places[10] = {
    "東京都千代田区丸の内",	"大阪府大阪市北区梅田",	      "神奈川県横浜市西区みなとみらい",
    "愛知県名古屋市中区栄",	"北海道札幌市中央区北一条西", "福岡県福岡市博多区博多駅前",
    "京都府京都市下京区烏丸通", "兵庫県神戸市中央区三宮町",   "埼玉県さいたま市大宮区桜木町",
    "千葉県千葉市中央区富士見"};
static const char *const mail_domains[4] = {"example.jp", "example.co.jp", "example.ne.jp",
					    "example.com"};

static void digits(struct scen_rng *r, char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('0' + scen_rand(r) % 10);
	out[n] = 0;
}

/* My Number check digit of the 11 digits d (left to right). */
static char mynum_check(const char *d)
{
	unsigned s = 0, rem;

	for (unsigned n = 1; n <= 11; n++)
		s += (unsigned)(d[11 - n] - '0') * (n <= 6 ? n + 1 : n - 5);
	rem = s % 11;
	return (char)('0' + (rem <= 1 ? 0 : 11 - rem));
}

/* Luhn check digit for the len digits of d. */
static char luhn_check(const char *d, size_t len)
{
	unsigned s = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned v = (unsigned)(d[len - 1 - i] - '0');

		if (i % 2 == 0) /* doubled: the digit next to the check digit, and every other */
			v = v * 2 > 9 ? v * 2 - 9 : v * 2;
		s += v;
	}
	return (char)('0' + (10 - s % 10) % 10);
}

/* A card number of issuer k (0 Visa 16, 1 Mastercard 51-55 16, 2 JCB 3528-3589 16, 3 Amex
 * 34/37 15 digits) with a valid Luhn digit. */
static void card(struct scen_rng *r, int k, char *out)
{
	size_t len = k == 3 ? 15 : 16, pre;

	if (k == 0)
		pre = (size_t)snprintf(out, 8, "4");
	else if (k == 1)
		pre = (size_t)snprintf(out, 8, "5%u", (unsigned)beh_range(r, 1, 5));
	else if (k == 2)
		pre = (size_t)snprintf(out, 8, "%u", (unsigned)beh_range(r, 3528, 3589));
	else
		pre = (size_t)snprintf(out, 8, "3%c", scen_rand(r) % 2 ? '7' : '4');
	digits(r, out + pre, len - 1 - pre);
	out[len - 1] = luhn_check(out, len - 1);
	out[len] = 0;
}

/* A wrong digit in place of the right check digit c. */
static char wrong(struct scen_rng *r, char c)
{
	return (char)('0' + (c - '0' + 1 + (int)(scen_rand(r) % 9)) % 10);
}

static bool taken(const struct person *p, size_t n, size_t off, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp((const char *)&p[i] + off, v) == 0)
			return true;
	return false;
}

#define FIELD(f) offsetof(struct person, f)

/* Person i: every field distinct from persons 0..i-1. */
static void person(struct scen_rng *r, struct person *p, size_t i)
{
	struct person *q = &p[i];
	size_t k = i * 7 % 900; /* 7 is prime to 900: distinct names */
	char d[16];

	snprintf(q->name, sizeof(q->name), "%s %s", given[k % 30], family[k / 30]);
	do {
		digits(r, q->mynum, 11);
		q->mynum[11] = mynum_check(q->mynum);
		q->mynum[12] = 0;
	} while (taken(p, i, FIELD(mynum), q->mynum));
	q->issuer = (int)(i % 4);
	do
		card(r, q->issuer, q->card);
	while (taken(p, i, FIELD(card), q->card));
	snprintf(q->email, sizeof(q->email), "%s.%s@%s", given[k % 30], family[k / 30],
		 mail_domains[i % 4]);
	for (char *c = q->email; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	do {
		digits(r, d, 8);
		snprintf(q->phone, sizeof(q->phone), "090-%.4s-%.4s", d, d + 4);
	} while (taken(p, i, FIELD(phone), q->phone));
	do {
		unsigned a = (unsigned)beh_range(r, 1, 9);
		unsigned b2 = (unsigned)beh_range(r, 1, 30);
		unsigned c2 = (unsigned)beh_range(r, 1, 20);

		digits(r, d, 7);
		snprintf(q->addr, sizeof(q->addr), "%.3s-%.4s %s%u-%u-%u", d, d + 3, places[i % 10],
			 a, b2, c2);
	} while (taken(p, i, FIELD(addr), q->addr));
}

/* CSV of persons [from, to) (and bad rows if nbad), header first. Returns its length. */
static size_t csv(char *out, size_t cap, const struct person *p, size_t from, size_t to,
		  struct scen_rng *r, unsigned nbad)
{
	size_t n = (size_t)snprintf(out, cap, "name,my_number,card_number,email,phone,address\n");

	for (size_t i = from; i < to && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s,%s,%s,%s,%s,%s\n", p[i].name,
				      p[i].mynum, p[i].card, p[i].email, p[i].phone, p[i].addr);
	for (unsigned j = 0; j < nbad && n < cap; j++) {
		struct person x = p[j];

		x.mynum[11] = wrong(r, x.mynum[11]);
		x.card[strlen(x.card) - 1] = wrong(r, x.card[strlen(x.card) - 1]);
		n += (size_t)snprintf(out + n, cap - n, "%s,%s,%s,,,\n", x.name, x.mynum, x.card);
	}
	return n < cap ? n : cap;
}

static void counts(struct behave *b, unsigned n)
{
	char s[200];

	snprintf(s, sizeof(s),
		 ",\"distinct\":{\"name\":%u,\"my_number\":%u,\"card\":%u,\"email\":%u,"
		 "\"phone\":%u,\"postal_address\":%u}",
		 n, n, n, n, n, n);
	beh_jraw(b, s);
}

void beh_pii_run(struct behave *b, struct scen_rng *r, struct beh_pii *q)
{
	static const char bound[] = "----mamoriFormBoundary7MA4YWxkTrZu0gW";
	struct person *p = calloc(PII_N, sizeof(*p));
	size_t cap = 200000, n, m, part;
	char *body = malloc(cap), *file = malloc(cap), extra[200];
	struct pcapw_host cli = beh_host(q->src, 0), srv = beh_host(q->dst, 80);

	if (!p || !body || !file) {
		beh_fail(b, -ENOMEM);
		goto out;
	}
	for (size_t i = 0; i < PII_N; i++)
		person(r, p, i);
	n = csv(body, cap, p, 0, PII_POST, r, PII_BAD);
	snprintf(extra, sizeof(extra), "Content-Type: text/csv\r\nContent-Length: %zu\r\n", n);
	beh_count(b, &q->a_csv, q->src);
	beh_http(b, r, q->t_csv, &cli, &srv, q->host, "POST", "/upload", extra, body, n, 120);
	beh_count(b, NULL, 0);
	beh_file_hash(b, &q->csv, body, n);

	m = (size_t)snprintf(file, cap,
			     "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
			     "filename=\"customers.xlsx.csv\"\r\nContent-Type: text/csv\r\n\r\n",
			     bound);
	part = csv(file + m, cap - m, p, PII_POST, PII_N, r, 0);
	beh_file_hash(b, &q->part, file + m, part);
	m += part;
	m += (size_t)snprintf(file + m, cap - m, "\r\n--%s--\r\n", bound);
	snprintf(extra, sizeof(extra),
		 "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %zu\r\n", bound,
		 m);
	beh_count(b, &q->a_multipart, q->src);
	beh_http(b, r, q->t_multipart, &cli, &srv, q->host, "POST", "/upload", extra, file, m, 120);
	beh_count(b, NULL, 0);
	beh_file_hash(b, &q->multipart, file, m);
out:
	free(p);
	free(body);
	free(file);
}

void beh_pii_truth(struct behave *b, const struct beh_pii *q)
{
	beh_jip(b, "src_ip", q->src);
	beh_jip(b, "dest_ip", q->dst);
	beh_ju64(b, "dest_port", 80);
	beh_jstr(b, "direction", "to_server");
	beh_jraw(b, ",\"csv\":{\"url\":\"/upload\",\"content_type\":\"text/csv\"");
	beh_ju64(b, "content_length", q->csv.size);
	beh_ju64(b, "rows", PII_POST + PII_BAD);
	counts(b, PII_POST);
	beh_jraw(b, ",\"rejected\":{\"my_number\":20,\"card\":20}");
	beh_jraw(b, ",\"card_issuers\":{\"visa\":125,\"mastercard\":125,\"jcb\":125,"
		    "\"amex\":125}");
	beh_jacct(b, "flow", &q->a_csv);
	beh_jraw(b, "}");
	beh_jraw(b, ",\"multipart\":{\"url\":\"/upload\",\"file_name\":\"customers.xlsx.csv\"");
	beh_ju64(b, "content_length", q->multipart.size);
	beh_ju64(b, "rows", PII_N - PII_POST);
	counts(b, PII_N - PII_POST);
	beh_jacct(b, "flow", &q->a_multipart);
	beh_jraw(b, "}");
}

void beh_pii_total(struct behave *b)
{
	beh_ju64(b, "uploads", 2);
	beh_ju64(b, "rows", PII_POST + PII_BAD + PII_N - PII_POST);
	beh_ju64(b, "records", PII_N);
	counts(b, PII_N);
}

/*
 * pii-upload: 10.10.1.55 -> 45.67.230.12:80, two sessions (beh_http, answer 200 with 120
 * bytes). At 10:37:00 "POST /upload" (Host upload.share-drop.net, Content-Type: text/csv,
 * Content-Length) whose body is a CSV (header
 * name,my_number,card_number,email,phone,address) of 500 people: romaji name, My Number
 * (12 digits, valid check digit), card number (Luhn-valid; by row i % 4 Visa 16 digits,
 * Mastercard 51-55, JCB 3528-3589, Amex 34/37 15 digits: 125 each), e-mail, 090-XXXX-XXXX,
 * "NNN-NNNN <prefecture...>" address in UTF-8; every value distinct; then 20 rows repeating
 * the first 20 names with a wrong My Number check digit and a card failing Luhn, other
 * fields empty (they must not count). At 10:38:30 "POST /upload" multipart/form-data with
 * one part, filename customers.xlsx.csv, text/csv: 100 more people (distinct from the
 * 500). Truth: src_ip, dest_ip, dest_port, direction to_server, csv {url, content_type,
 * content_length, rows, distinct per type 500, rejected my_number 20 / card 20,
 * card_issuers, flow} and multipart {file_name, content_length, distinct per type 100,
 * flow}; flow = packets / frame bytes / TCP payload each way.
 */
void beh_pii_upload(struct behave *b, struct scen_rng *r)
{
	struct beh_pii q = {
	    .src = EXFIL_SRC,
	    .dst = EXFIL_DST,
	    .host = "upload.share-drop.net",
	    .t_csv = BEH_MIN(10, 37),
	    .t_multipart = BEH_MIN(10, 38) + 30 * SCEN_S,
	};

	beh_pii_run(b, r, &q);
	beh_truth_begin(b, "pii-upload");
	beh_pii_truth(b, &q);
	beh_truth_end(b);
}
