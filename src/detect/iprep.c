/*
 * iprep — see iprep.h.
 *
 * Loading collects each line as an address range (a network, or one host)
 * per category and family. Building sorts the ranges by start, wider first,
 * and sweeps them with a stack of the networks open at that point: listed
 * networks are nested or disjoint, so the innermost open one gives the score
 * of the addresses up to the next start or end. The result is a sorted list
 * of disjoint ranges; adjacent ranges with one score are merged.
 */
#include "detect/iprep.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect/addrset.h"

struct seg4 {
	uint32_t lo, hi;
	uint8_t score;
};

struct seg6 {
	u128 lo, hi;
	uint8_t score;
};

struct table {
	struct seg4 *v4;
	uint32_t n4;
	struct seg6 *v6;
	uint32_t n6;
};

struct iprep {
	char names[IPREP_MAX_CATS][IPREP_NAME_MAX + 1]; /* "" = no such category */
	struct table t[IPREP_MAX_CATS];
	uint32_t entries;
};

/* A listed network while loading. */
struct pend {
	u128 lo, hi;
	uint32_t seq; /* line order: a later listing of the same network wins */
	uint8_t score;
};

struct pend_list {
	struct pend *v;
	uint32_t n, cap;
};

struct loader {
	struct iprep *r;
	struct pend_list p[IPREP_MAX_CATS][2]; /* [cat][v4, v6] */
	uint32_t seq;
};

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Split at commas into at most n trimmed fields; the count, or -1 for more. */
static int split(char *s, char **f, int n)
{
	int k = 0;
	for (;;) {
		char *c = strchr(s, ',');
		if (k == n)
			return -1;
		if (c)
			*c = '\0';
		f[k++] = trim(s);
		if (!c)
			return k;
		s = c + 1;
	}
}

static int parse_uint(const char *s, long max)
{
	if (!*s)
		return -1;
	long v = 0;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return (int)v;
}

/* Each non-blank line that is not a '#' comment, trimmed; fn returns 0 or -1. */
static int each_line(const char *path, char *err, size_t errlen,
		     int (*fn)(void *ctx, char *line, const char *path, unsigned long no, char *err,
			       size_t errlen),
		     void *ctx)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned long no = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		no++;
		char *s = trim(line);
		if (*s && *s != '#')
			rc = fn(ctx, s, path, no, err, errlen);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

static int category_line(void *ctx, char *line, const char *path, unsigned long no, char *err,
			 size_t errlen)
{
	struct iprep *r = ctx;
	char *f[3];
	/* the description may hold commas: only the first two split */
	char *c1 = strchr(line, ',');
	char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	if (c2)
		*c2 = '\0';
	int n = split(line, f, 2);
	int id = n == 2 ? parse_uint(f[0], IPREP_MAX_CATS - 1) : -1;
	if (id < 0 || !*f[1] || strlen(f[1]) > IPREP_NAME_MAX) {
		snprintf(err, errlen,
			 "%s:%lu: expected id,shortname,description (id 0-%d, name up to %d "
			 "characters)",
			 path, no, IPREP_MAX_CATS - 1, IPREP_NAME_MAX);
		return -1;
	}
	if (r->names[id][0]) {
		snprintf(err, errlen, "%s:%lu: category %d is already named %s", path, no, id,
			 r->names[id]);
		return -1;
	}
	if (iprep_category(r, f[1]) >= 0) {
		snprintf(err, errlen, "%s:%lu: category name %s is already used", path, no, f[1]);
		return -1;
	}
	snprintf(r->names[id], sizeof(r->names[id]), "%s", f[1]);
	return 0;
}

/* "a.b.c.d[/len]" or an IPv6 address[/len] as a range; family 0 (v4) or 1. */
static int parse_net(char *s, u128 *lo, u128 *hi, int *fam)
{
	char *slash = strchr(s, '/');
	int len = -1;
	if (slash) {
		*slash = '\0';
		len = parse_uint(slash + 1, 128);
		if (len < 0)
			return -1;
	}
	uint8_t a[16];
	int bits;
	if (inet_pton(AF_INET, s, a) == 1) {
		*fam = 0;
		bits = 32;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		*fam = 1;
		bits = 128;
	} else {
		return -1;
	}
	if (len > bits)
		return -1;
	if (len < 0)
		len = bits;
	u128 v = 0;
	for (int i = 0; i < bits / 8; i++)
		v = v << 8 | a[i];
	u128 all = bits == 128 ? ~(u128)0 : 0xffffffffu;
	u128 host = len == 0 ? all : len == bits ? 0 : (((u128)1 << (bits - len)) - 1);
	*lo = v & ~host;
	*hi = *lo | host;
	return 0;
}

static int rep_line(void *ctx, char *line, const char *path, unsigned long no, char *err,
		    size_t errlen)
{
	struct loader *ld = ctx;
	char *f[3];
	int n = split(line, f, 3);
	if (n == 3 && !strcmp(f[0], "ip"))
		return 0; /* a header line, as Suricata allows */
	if (n != 3) {
		snprintf(err, errlen, "%s:%lu: expected address[/len],category,score", path, no);
		return -1;
	}
	u128 lo, hi;
	int fam;
	char net[64];
	snprintf(net, sizeof(net), "%s", f[0]);
	if (strlen(f[0]) >= sizeof(net) || parse_net(net, &lo, &hi, &fam) < 0) {
		snprintf(err, errlen, "%s:%lu: '%s' is not an address or network", path, no, f[0]);
		return -1;
	}
	int cat = parse_uint(f[1], IPREP_MAX_CATS - 1);
	if (cat < 0) {
		snprintf(err, errlen, "%s:%lu: category '%s' is not a number from 0 to %d", path,
			 no, f[1], IPREP_MAX_CATS - 1);
		return -1;
	}
	int score = parse_uint(f[2], IPREP_MAX_SCORE);
	if (score < 0) {
		snprintf(err, errlen, "%s:%lu: score '%s' is not a number from 0 to %d", path, no,
			 f[2], IPREP_MAX_SCORE);
		return -1;
	}
	struct pend_list *pl = &ld->p[cat][fam];
	if (pl->n == pl->cap) {
		uint32_t nc = pl->cap ? pl->cap * 2 : 64;
		struct pend *nv = realloc(pl->v, nc * sizeof(*nv));
		if (!nv) {
			snprintf(err, errlen, "%s:%lu: out of memory", path, no);
			return -1;
		}
		pl->v = nv;
		pl->cap = nc;
	}
	pl->v[pl->n++] = (struct pend){lo, hi, ld->seq++, (uint8_t)score};
	ld->r->entries++;
	return 0;
}

static int cmp_pend(const void *a, const void *b)
{
	const struct pend *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1; /* wider first */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct segs {
	struct seg6 *v;
	uint32_t n;
};

static void emit(struct segs *o, u128 lo, u128 hi, uint8_t score)
{
	if (lo > hi)
		return;
	if (o->n && o->v[o->n - 1].score == score && o->v[o->n - 1].hi + 1 == lo) {
		o->v[o->n - 1].hi = hi;
		return;
	}
	o->v[o->n++] = (struct seg6){lo, hi, score};
}

/* Flatten nested networks into disjoint ranges (o->v holds 2n + 1). */
static void flatten(struct pend *p, uint32_t n, u128 max, struct segs *o)
{
	struct pend stack[130]; /* networks nest at most 129 deep */
	int sp = 0;
	u128 cur = 0;
	qsort(p, n, sizeof(*p), cmp_pend);
	for (uint32_t i = 0; i < n; i++) {
		const struct pend *e = &p[i];
		while (sp && stack[sp - 1].hi < e->lo) {
			emit(o, cur, stack[sp - 1].hi, stack[sp - 1].score);
			cur = stack[sp - 1].hi + 1;
			sp--;
		}
		if (sp) {
			struct pend *top = &stack[sp - 1];
			if (top->lo == e->lo && top->hi == e->hi) {
				top->score = e->score; /* listed again: the later line wins */
				continue;
			}
			if (cur < e->lo)
				emit(o, cur, e->lo - 1, top->score);
		}
		cur = e->lo;
		stack[sp++] = *e;
	}
	while (sp) {
		emit(o, cur, stack[sp - 1].hi, stack[sp - 1].score);
		if (stack[sp - 1].hi == max)
			break; /* the networks still open end there too */
		cur = stack[sp - 1].hi + 1;
		sp--;
	}
}

static int build(struct loader *ld, char *err, size_t errlen)
{
	for (int c = 0; c < IPREP_MAX_CATS; c++) {
		for (int fam = 0; fam < 2; fam++) {
			struct pend_list *pl = &ld->p[c][fam];
			if (!pl->n)
				continue;
			struct segs o = {malloc((2 * (size_t)pl->n + 1) * sizeof(struct seg6)), 0};
			if (!o.v) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			u128 max = fam ? ~(u128)0 : 0xffffffffu;
			flatten(pl->v, pl->n, max, &o);
			struct table *t = &ld->r->t[c];
			if (fam) {
				struct seg6 *v = realloc(o.v, o.n * sizeof(*v));
				t->v6 = v ? v : o.v;
				t->n6 = o.n;
				continue;
			}
			t->v4 = malloc(o.n * sizeof(*t->v4));
			if (!t->v4) {
				free(o.v);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			for (uint32_t i = 0; i < o.n; i++)
				t->v4[i] = (struct seg4){(uint32_t)o.v[i].lo, (uint32_t)o.v[i].hi,
							 o.v[i].score};
			t->n4 = o.n;
			free(o.v);
		}
	}
	return 0;
}

struct iprep *iprep_load(const char *categories, const char *files, const char *dir, char *err,
			 size_t errlen)
{
	struct loader *ld = calloc(1, sizeof(*ld));
	struct iprep *r = calloc(1, sizeof(*r));
	char *list = strdup(files ? files : "");
	bool ok = false;
	if (!ld || !r || !list) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ld->r = r;
	if (each_line(categories, err, errlen, category_line, r) < 0)
		goto out;
	char *save = NULL;
	for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		name = trim(name);
		if (!*name)
			continue;
		char path[4096];
		if (name[0] != '/' && dir && *dir)
			snprintf(path, sizeof(path), "%s/%s", dir, name);
		else
			snprintf(path, sizeof(path), "%s", name);
		if (each_line(path, err, errlen, rep_line, ld) < 0)
			goto out;
	}
	ok = build(ld, err, errlen) == 0;
out:
	for (int c = 0; ld && c < IPREP_MAX_CATS; c++)
		for (int fam = 0; fam < 2; fam++)
			free(ld->p[c][fam].v);
	free(ld);
	free(list);
	if (!ok) {
		iprep_free(r);
		return NULL;
	}
	return r;
}

void iprep_free(struct iprep *r)
{
	if (!r)
		return;
	for (int c = 0; c < IPREP_MAX_CATS; c++) {
		free(r->t[c].v4);
		free(r->t[c].v6);
	}
	free(r);
}

int iprep_category(const struct iprep *r, const char *shortname)
{
	for (int c = 0; r && c < IPREP_MAX_CATS; c++)
		if (r->names[c][0] && !strcmp(r->names[c], shortname))
			return c;
	return -1;
}

void iprep_category_names(const struct iprep *r, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (int c = 0; r && c < IPREP_MAX_CATS && n < outlen; c++)
		if (r->names[c][0])
			n += (size_t)snprintf(out + n, outlen - n, "%s%s", n ? ", " : "",
					      r->names[c]);
}

uint32_t iprep_entries(const struct iprep *r)
{
	return r ? r->entries : 0;
}

int iprep_score(const struct iprep *r, unsigned cat, const uint8_t *addr, int ver)
{
	if (!r || cat >= IPREP_MAX_CATS)
		return -1;
	const struct table *t = &r->t[cat];
	if (ver == 4) {
		uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
			     (uint32_t)addr[2] << 8 | addr[3];
		uint32_t lo = 0, hi = t->n4; /* first range starting past a */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (t->v4[mid].lo <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo && a <= t->v4[lo - 1].hi ? t->v4[lo - 1].score : -1;
	}
	u128 a = 0;
	for (int i = 0; i < 16; i++)
		a = a << 8 | addr[i];
	uint32_t lo = 0, hi = t->n6;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->v6[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a <= t->v6[lo - 1].hi ? t->v6[lo - 1].score : -1;
}
