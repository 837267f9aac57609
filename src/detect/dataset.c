/*
 * dataset — see dataset.h.
 *
 * Each set is a chained hash table of `hashsize` buckets. A value is stored
 * in its normal form (an IPv4 address in an "ip" set as 16 bytes) with its
 * hash, so a lookup compares hashes before bytes. Bucket i is guarded by
 * lock i % DS_STRIPES; memory use is an atomic counter reserved before each
 * allocation, so concurrent adds never pass the memcap together.
 */
#include "detect/dataset.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/log.h"

#define DS_STRIPES 64

struct ds_entry {
	struct ds_entry *next;
	uint64_t hash;
	uint32_t len;
	uint16_t rep;
	uint8_t v[];
};

struct dataset {
	struct dataset *next;
	char name[DATASET_NAME_MAX + 1];
	int type;
	char load[DATASET_PATH_MAX];
	char save[DATASET_PATH_MAX];
	char origin[DATASET_PATH_MAX];
	bool writable; /* some rule adds or removes: lookups lock */
	bool has_rep;  /* its file gave reputations: saved with them */
	uint64_t memcap;
	uint64_t seed;
	uint32_t hashsize;
	struct ds_entry **b;
	_Atomic uint64_t memuse;
	_Atomic uint32_t n;
	pthread_rwlock_t lock[DS_STRIPES];
};

struct dataset_reg {
	struct dataset *sets;
	uint64_t def_memcap;
	uint32_t def_hashsize;
};

static const char *const type_names[] = {"string", "md5", "sha256", "ipv4", "ip"};

int dataset_type_parse(const char *name)
{
	if (!strcmp(name, "ipv6"))
		return DATASET_IP;
	for (int i = 0; i < (int)(sizeof(type_names) / sizeof(type_names[0])); i++)
		if (!strcmp(name, type_names[i]))
			return i;
	return DATASET_NOTSET;
}

const char *dataset_type_name(int type)
{
	return type >= 0 && type <= DATASET_IP ? type_names[type] : "?";
}

int dataset_type(const struct dataset *s)
{
	return s->type;
}

const char *dataset_name(const struct dataset *s)
{
	return s->name;
}

uint32_t dataset_count(const struct dataset *s)
{
	return atomic_load(&s->n);
}

uint64_t dataset_memuse(const struct dataset *s)
{
	return atomic_load(&s->memuse);
}

void dataset_mark_writable(struct dataset *s)
{
	s->writable = true;
}

struct dataset_reg *dataset_reg_new(uint64_t def_memcap, uint32_t def_hashsize)
{
	struct dataset_reg *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->def_memcap = def_memcap;
	r->def_hashsize = def_hashsize;
	return r;
}

static void set_free(struct dataset *s)
{
	for (uint32_t i = 0; s->b && i < s->hashsize; i++) {
		struct ds_entry *e = s->b[i];
		while (e) {
			struct ds_entry *next = e->next;
			free(e);
			e = next;
		}
	}
	for (int i = 0; i < DS_STRIPES; i++)
		pthread_rwlock_destroy(&s->lock[i]);
	free(s->b);
	free(s);
}

void dataset_reg_free(struct dataset_reg *r)
{
	if (!r)
		return;
	struct dataset *s = r->sets;
	while (s) {
		struct dataset *next = s->next;
		set_free(s);
		s = next;
	}
	free(r);
}

struct dataset *dataset_find(const struct dataset_reg *r, const char *name)
{
	for (struct dataset *s = r->sets; s; s = s->next)
		if (!strcasecmp(s->name, name))
			return s;
	return NULL;
}

/* The stored form of v in s: its length (key set), or 0 when v is not a
 * value of s's type. buf holds an IPv4 address widened for an "ip" set. */
static uint32_t normal(const struct dataset *s, const uint8_t *v, uint32_t len, uint8_t buf[16],
		       const uint8_t **key)
{
	*key = v;
	switch (s->type) {
	case DATASET_MD5:
		return len == 16 ? len : 0;
	case DATASET_SHA256:
		return len == 32 ? len : 0;
	case DATASET_IPV4:
		return len == 4 ? len : 0;
	case DATASET_IP:
		if (len == 4) {
			memset(buf, 0, 16);
			memcpy(buf, v, 4);
			*key = buf;
			return 16;
		}
		return len == 16 ? len : 0;
	default:
		return len > 0 && len <= DATASET_VALUE_MAX ? len : 0;
	}
}

static struct ds_entry *find(struct ds_entry *e, uint64_t h, const uint8_t *k, uint32_t kl,
			     struct ds_entry ***link)
{
	for (; e; e = e->next) {
		if (e->hash == h && e->len == kl && !memcmp(e->v, k, kl))
			return e;
		if (link)
			*link = &e->next;
	}
	return NULL;
}

static bool reserve(struct dataset *s, uint64_t n)
{
	uint64_t cur = atomic_load(&s->memuse);
	do {
		if (cur + n > s->memcap)
			return false;
	} while (!atomic_compare_exchange_weak(&s->memuse, &cur, cur + n));
	return true;
}

bool dataset_lookup(struct dataset *s, const uint8_t *v, uint32_t len, uint16_t *rep)
{
	uint8_t buf[16];
	const uint8_t *k;
	uint32_t kl = normal(s, v, len, buf, &k);
	if (!kl)
		return false;
	uint64_t h = XXH3_64bits_withSeed(k, kl, s->seed);
	uint32_t b = (uint32_t)(h % s->hashsize);
	pthread_rwlock_t *l = s->writable ? &s->lock[b % DS_STRIPES] : NULL;
	if (l)
		pthread_rwlock_rdlock(l);
	const struct ds_entry *e = find(s->b[b], h, k, kl, NULL);
	if (e && rep)
		*rep = e->rep;
	if (l)
		pthread_rwlock_unlock(l);
	return e != NULL;
}

int dataset_add(struct dataset *s, const uint8_t *v, uint32_t len, uint16_t rep)
{
	uint8_t buf[16];
	const uint8_t *k;
	uint32_t kl = normal(s, v, len, buf, &k);
	if (!kl)
		return DATASET_BAD_VALUE;
	uint64_t h = XXH3_64bits_withSeed(k, kl, s->seed);
	uint32_t b = (uint32_t)(h % s->hashsize);
	pthread_rwlock_t *l = &s->lock[b % DS_STRIPES];
	int rc = 1;
	pthread_rwlock_wrlock(l);
	if (find(s->b[b], h, k, kl, NULL)) {
		rc = 0;
		goto out;
	}
	size_t need = sizeof(struct ds_entry) + kl;
	if (!reserve(s, need)) {
		rc = DATASET_FULL;
		goto out;
	}
	struct ds_entry *e = malloc(need);
	if (!e) {
		atomic_fetch_sub(&s->memuse, need);
		rc = DATASET_FULL; /* out of memory: refused like the cap */
		goto out;
	}
	e->hash = h;
	e->len = kl;
	e->rep = rep;
	memcpy(e->v, k, kl);
	e->next = s->b[b];
	s->b[b] = e;
	atomic_fetch_add(&s->n, 1);
out:
	pthread_rwlock_unlock(l);
	return rc;
}

int dataset_remove(struct dataset *s, const uint8_t *v, uint32_t len)
{
	uint8_t buf[16];
	const uint8_t *k;
	uint32_t kl = normal(s, v, len, buf, &k);
	if (!kl)
		return 0;
	uint64_t h = XXH3_64bits_withSeed(k, kl, s->seed);
	uint32_t b = (uint32_t)(h % s->hashsize);
	pthread_rwlock_t *l = &s->lock[b % DS_STRIPES];
	pthread_rwlock_wrlock(l);
	struct ds_entry **link = &s->b[b];
	struct ds_entry *e = find(s->b[b], h, k, kl, &link);
	if (e) {
		*link = e->next;
		atomic_fetch_sub(&s->memuse, sizeof(*e) + e->len);
		atomic_fetch_sub(&s->n, 1);
		free(e);
	}
	pthread_rwlock_unlock(l);
	return e != NULL;
}

/* ---- files ---- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict base64 (padded, no blanks) into out (len / 4 * 3 bytes); the
 * decoded length, or -1. */
static long unbase64(const char *in, size_t len, uint8_t *out)
{
	if (len == 0 || len % 4)
		return -1;
	size_t pad = in[len - 1] == '=' ? (in[len - 2] == '=' ? 2 : 1) : 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t acc = 0;
		for (size_t j = 0; j < 4; j++) {
			int d = b64val((unsigned char)in[i + j]);
			if (d < 0 && !(i + 4 == len && j >= 4 - pad))
				return -1;
			acc = acc << 6 | (uint32_t)(d < 0 ? 0 : d);
		}
		out[o++] = (uint8_t)(acc >> 16);
		out[o++] = (uint8_t)(acc >> 8);
		out[o++] = (uint8_t)acc;
	}
	return (long)(o - pad);
}

static void base64(const uint8_t *in, uint32_t len, FILE *f)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (uint32_t i = 0; i < len; i += 3) {
		uint32_t acc = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			acc |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			acc |= in[i + 2];
		fputc(tbl[acc >> 18 & 63], f);
		fputc(tbl[acc >> 12 & 63], f);
		fputc(i + 1 < len ? tbl[acc >> 6 & 63] : '=', f);
		fputc(i + 2 < len ? tbl[acc & 63] : '=', f);
	}
}

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A value as the set's file writes it, into out; its length, or -1. */
static long parse_value(int type, char *text, size_t len, uint8_t *out)
{
	switch (type) {
	case DATASET_STRING:
		return unbase64(text, len, out);
	case DATASET_MD5:
	case DATASET_SHA256: {
		size_t n = type == DATASET_MD5 ? 16 : 32;
		if (len != n * 2)
			return -1;
		for (size_t i = 0; i < n; i++) {
			int hi = hexv((unsigned char)text[2 * i]),
			    lo = hexv((unsigned char)text[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return -1;
			out[i] = (uint8_t)(hi << 4 | lo);
		}
		return (long)n;
	}
	case DATASET_IPV4:
		return inet_pton(AF_INET, text, out) == 1 ? 4 : -1;
	default: {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		memset(out, 0, 16);
		if (!strchr(text, ':'))
			return inet_pton(AF_INET, text, out) == 1 ? 16 : -1;
		if (inet_pton(AF_INET6, text, out) != 1)
			return -1;
		if (!memcmp(out, mapped, 12)) { /* ::ffff:a.b.c.d is the IPv4 address */
			memmove(out, out + 12, 4);
			memset(out + 4, 0, 12);
		}
		return 16;
	}
	}
}

static const char *const value_forms[] = {"a base64 string", "32 hex digits", "64 hex digits",
					  "an IPv4 address", "an IP address"};

/* Read s->load into s. 0, 1 when it is missing and may be, or -1 with err
 * naming file and line. */
static int load_file(struct dataset *s, bool may_be_missing, char *err, size_t errlen)
{
	FILE *f = fopen(s->load, "r");
	if (!f) {
		if (errno == ENOENT && may_be_missing)
			return 1;
		snprintf(err, errlen, "%s: cannot open: %s", s->load, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", s->load);
		fclose(f);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;
	uint8_t *val = malloc(DATASET_VALUE_MAX + 4);
	int rc = -1;
	if (!val) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		while (len && isspace((unsigned char)line[len - 1]))
			len--;
		line[len] = '\0';
		if (!len || line[0] == '#')
			continue;
		uint16_t rep = 0;
		char *comma = strchr(line, ',');
		if (comma) {
			*comma = '\0';
			len = (size_t)(comma - line);
			char *end;
			const char *r = comma + 1;
			errno = 0;
			unsigned long v = strtoul(r, &end, 10);
			if (!isdigit((unsigned char)*r) || *end || errno || v > UINT16_MAX) {
				snprintf(err, errlen, "%s:%llu: '%s' is not a reputation (0-65535)",
					 s->load, (unsigned long long)lineno, r);
				goto out;
			}
			rep = (uint16_t)v;
			s->has_rep = true;
		}
		long vl = -1;
		if (len <= (size_t)DATASET_VALUE_MAX / 3 * 4 + 4)
			vl = parse_value(s->type, line, len, val);
		if (vl <= 0) {
			snprintf(err, errlen, "%s:%llu: not %s", s->load,
				 (unsigned long long)lineno, value_forms[s->type]);
			goto out;
		}
		int r = dataset_add(s, val, (uint32_t)vl, rep);
		if (r == DATASET_FULL) {
			snprintf(err, errlen, "%s:%llu: set '%s' is full (memcap %llu bytes)",
				 s->load, (unsigned long long)lineno, s->name,
				 (unsigned long long)s->memcap);
			goto out;
		}
		if (r == DATASET_BAD_VALUE) {
			snprintf(err, errlen, "%s:%llu: not %s", s->load,
				 (unsigned long long)lineno, value_forms[s->type]);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", s->load);
		goto out;
	}
	rc = 0;
out:
	free(val);
	free(line);
	fclose(f);
	return rc;
}

static uint64_t random_seed(void)
{
	uint64_t seed;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
}

static const char *or_none(const char *s)
{
	return *s ? s : "(none)";
}

struct dataset *dataset_get(struct dataset_reg *r, const char *name, const struct dataset_decl *d,
			    char *err, size_t errlen)
{
	struct dataset *s = dataset_find(r, name);
	if (s) {
		if (d->type != DATASET_NOTSET && d->type != s->type) {
			snprintf(err, errlen, "set '%s' is of type %s (declared by %s), not %s",
				 s->name, type_names[s->type], s->origin, type_names[d->type]);
			return NULL;
		}
		if ((d->load[0] || d->save[0]) &&
		    (strcmp(d->load, s->load) || strcmp(d->save, s->save))) {
			snprintf(err, errlen,
				 "set '%s' was declared by %s with load %s and save %s; here "
				 "load %s and save %s",
				 s->name, s->origin, or_none(s->load), or_none(s->save),
				 or_none(d->load), or_none(d->save));
			return NULL;
		}
		return s;
	}
	if (strlen(name) > DATASET_NAME_MAX) {
		snprintf(err, errlen, "dataset name '%s' is longer than %d characters", name,
			 DATASET_NAME_MAX);
		return NULL;
	}
	if (d->type == DATASET_NOTSET) {
		snprintf(err, errlen,
			 "set '%s' is not declared: give its type (type "
			 "string|md5|sha256|ipv4|ip)",
			 name);
		return NULL;
	}
	uint64_t memcap = d->memcap ? d->memcap : r->def_memcap;
	uint32_t hashsize = d->hashsize ? d->hashsize : r->def_hashsize;
	if (hashsize == 0 || hashsize > DATASET_HASH_MAX) {
		snprintf(err, errlen, "set '%s': hashsize %u out of range (1 to %u)", name,
			 hashsize, DATASET_HASH_MAX);
		return NULL;
	}
	if ((uint64_t)hashsize * sizeof(struct ds_entry *) > memcap) {
		snprintf(err, errlen,
			 "set '%s': %u hash buckets take %llu bytes, more than the memcap (%llu)",
			 name, hashsize, (unsigned long long)hashsize * sizeof(struct ds_entry *),
			 (unsigned long long)memcap);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->b = calloc(hashsize, sizeof(*s->b)))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->load, sizeof(s->load), "%s", d->load);
	snprintf(s->save, sizeof(s->save), "%s", d->save);
	snprintf(s->origin, sizeof(s->origin), "%s", d->origin ? d->origin : "a rule");
	s->type = d->type;
	s->memcap = memcap;
	s->hashsize = hashsize;
	s->seed = random_seed();
	atomic_init(&s->memuse, (uint64_t)hashsize * sizeof(struct ds_entry *));
	atomic_init(&s->n, 0);
	for (int i = 0; i < DS_STRIPES; i++)
		pthread_rwlock_init(&s->lock[i], NULL);
	int lr = s->load[0] ? load_file(s, d->state, err, errlen) : 1;
	if (lr < 0) {
		set_free(s);
		return NULL;
	}
	s->next = r->sets;
	r->sets = s;
	if (lr == 0)
		log_info("dataset %s: %u values from %s", s->name, dataset_count(s), s->load);
	return s;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ds_entry *x = *(const struct ds_entry *const *)a;
	const struct ds_entry *y = *(const struct ds_entry *const *)b;
	int c = memcmp(x->v, y->v, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void write_value(const struct dataset *s, const struct ds_entry *e, FILE *f)
{
	char text[INET6_ADDRSTRLEN];
	switch (s->type) {
	case DATASET_STRING:
		base64(e->v, e->len, f);
		break;
	case DATASET_MD5:
	case DATASET_SHA256:
		for (uint32_t i = 0; i < e->len; i++)
			fprintf(f, "%02x", e->v[i]);
		break;
	case DATASET_IPV4:
		fputs(inet_ntop(AF_INET, e->v, text, sizeof(text)), f);
		break;
	default: {
		static const uint8_t zero[12];
		bool v4 = !memcmp(e->v + 4, zero, 12);
		fputs(inet_ntop(v4 ? AF_INET : AF_INET6, e->v, text, sizeof(text)), f);
		break;
	}
	}
	if (s->has_rep)
		fprintf(f, ",%u", e->rep);
	fputc('\n', f);
}

int dataset_save(const struct dataset *cs, const char *path, char *err, size_t errlen)
{
	struct dataset *s = (struct dataset *)cs; /* the locks change, not the set */
	struct ds_entry **v = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	FILE *f = NULL;
	char tmp[DATASET_PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* copy the values out bucket by bucket, each under its lock */
	for (uint32_t b = 0; b < s->hashsize; b++) {
		pthread_rwlock_t *l = &s->lock[b % DS_STRIPES];
		pthread_rwlock_rdlock(l);
		for (const struct ds_entry *e = s->b[b]; e; e = e->next) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct ds_entry **nv = realloc(v, nc * sizeof(*nv));
				if (!nv) {
					pthread_rwlock_unlock(l);
					snprintf(err, errlen, "out of memory");
					goto out;
				}
				v = nv;
				cap = nc;
			}
			v[n] = malloc(sizeof(*e) + e->len);
			if (!v[n]) {
				pthread_rwlock_unlock(l);
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			memcpy(v[n++], e, sizeof(*e) + e->len);
		}
		pthread_rwlock_unlock(l);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_entry);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		write_value(s, v[i], f);
	if (fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen, "%s: write error: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		snprintf(err, errlen, "%s: write error: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc < 0)
		unlink(tmp);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}

int dataset_reg_save(struct dataset_reg *r)
{
	int rc = 0;
	for (const struct dataset *s = r ? r->sets : NULL; s; s = s->next) {
		if (!s->save[0])
			continue;
		char err[DATASET_PATH_MAX + 200];
		if (dataset_save(s, s->save, err, sizeof(err)) < 0) {
			log_error("dataset %s: %s", s->name, err);
			rc = -1;
		} else {
			log_info("dataset %s: %u values saved to %s", s->name, dataset_count(s),
				 s->save);
		}
	}
	return rc;
}
