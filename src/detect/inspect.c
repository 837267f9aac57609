/*
 * inspect — see inspect.h.
 */
#include "detect/inspect.h"

#include <ctype.h>
#include <string.h>

#include "core/counters.h"
#include "detect/content.h"
#include "detect/dataset.h"
#include "detect/keyword.h"
#include "detect/kw_inspect.h"
#include "detect/kw_pcre.h"

static const uint8_t *find_nocase(const uint8_t *h, uint32_t hl, const uint8_t *p, uint32_t pl)
{
	uint8_t f0 = (uint8_t)tolower(p[0]), f1 = (uint8_t)toupper(p[0]);
	for (uint32_t i = 0; i + pl <= hl; i++) {
		if (h[i] != f0 && h[i] != f1)
			continue;
		uint32_t k = 1;
		while (k < pl && tolower(h[i + k]) == tolower(p[k]))
			k++;
		if (k == pl)
			return h + i;
	}
	return NULL;
}

const uint8_t *inspect_find(const uint8_t *hay, uint32_t hlen, const uint8_t *pat, uint32_t plen,
			    bool nocase)
{
	if (plen == 0 || plen > hlen)
		return NULL;
	if (nocase)
		return find_nocase(hay, hlen, pat, plen);
	return memmem(hay, hlen, pat, plen);
}

static int64_t val(const struct inspect *in, int32_t lit, int8_t var)
{
	return var >= 0 ? (int64_t)in->vars[var] : lit;
}

/* Read nbytes at off as a number; false when out of the buffer or not a number. */
static bool read_num(const struct inspect *in, const struct byte_common *b, int64_t off,
		     uint64_t *out, uint32_t *used)
{
	if (off < 0 || off >= in->len)
		return false;
	uint32_t n = b->nbytes;
	if (n == 0) /* string up to the end (Suricata 7) */
		n = in->len - (uint32_t)off > 20 ? 20 : in->len - (uint32_t)off;
	if ((uint64_t)off + n > in->len)
		return false;
	const uint8_t *p = in->buf + off;
	uint64_t v = 0;
	if (b->base) {
		uint32_t i = 0;
		for (; i < n; i++) {
			int d;
			int c = tolower(p[i]);
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (b->base == 16 && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else
				break;
			if (d >= b->base)
				break;
			v = v * b->base + (uint64_t)d;
		}
		if (i == 0)
			return false;
		if (b->nbytes && i < n)
			return false; /* a fixed width must be all digits */
		n = b->nbytes ? n : i;
	} else if (b->endian == BYTE_LITTLE) {
		for (uint32_t i = n; i > 0; i--)
			v = v << 8 | p[i - 1];
	} else {
		for (uint32_t i = 0; i < n; i++)
			v = v << 8 | p[i];
	}
	if (b->bitmask) {
		v &= b->bitmask;
		uint64_t m = b->bitmask;
		while (m && !(m & 1)) {
			m >>= 1;
			v >>= 1;
		}
	}
	*out = v;
	*used = n;
	return true;
}

static bool match_from(struct inspect *in, const struct sm_list *l, uint16_t i, uint32_t cur);

static bool content_at(struct inspect *in, const struct sm_list *l, uint16_t i, uint32_t cur)
{
	const struct content *c = l->v[i].ctx;
	int64_t start, end;
	if (c->flags & CT_RELATIVE) {
		start = (int64_t)cur + val(in, c->distance, c->distance_var);
		end =
		    c->flags & CT_WITHIN ? start + val(in, c->within, c->within_var) - 0 : in->len;
		if (c->flags & CT_WITHIN && !(c->flags & CT_DISTANCE))
			end = (int64_t)cur + val(in, c->within, c->within_var);
		if (start < 0)
			start = 0;
	} else {
		start = c->flags & CT_OFFSET ? val(in, c->offset, c->offset_var) : 0;
		end = c->flags & CT_DEPTH ? start + val(in, c->depth, c->depth_var) : in->len;
	}
	if (end > in->len)
		end = in->len;
	bool nocase = c->flags & CT_NOCASE;
	if (c->flags & CT_NEGATED) {
		bool found = false;
		if (end - start >= (int64_t)c->len) {
			const uint8_t *m = inspect_find(in->buf + start, (uint32_t)(end - start),
							c->pat, c->len, nocase);
			if (m && (c->flags & CT_ENDSWITH))
				found = (uint32_t)(m - in->buf) + c->len == in->len ||
					inspect_find(in->buf + in->len - c->len, c->len, c->pat,
						     c->len, nocase);
			else
				found = m != NULL;
		}
		return !found && match_from(in, l, (uint16_t)(i + 1), cur);
	}
	while (start + (int64_t)c->len <= end) {
		if (++in->steps > INSPECT_MAX_STEPS) {
			in->capped = true;
			return false;
		}
		const uint8_t *m;
		if (c->flags & CT_ENDSWITH) {
			/* only the occurrence that ends the buffer counts */
			int64_t at = (int64_t)in->len - c->len;
			if (at < start || at + (int64_t)c->len > end)
				return false;
			m = inspect_find(in->buf + at, c->len, c->pat, c->len, nocase);
			if (!m)
				return false;
			return match_from(in, l, (uint16_t)(i + 1), in->len);
		}
		m = inspect_find(in->buf + start, (uint32_t)(end - start), c->pat, c->len, nocase);
		if (!m)
			return false;
		uint32_t pos = (uint32_t)(m - in->buf);
		if (match_from(in, l, (uint16_t)(i + 1), pos + c->len))
			return true;
		if (!(l->v[i].flags & SM_RELNEXT))
			return false;
		start = pos + 1;
	}
	return false;
}

static bool pcre_at(struct inspect *in, const struct sm_list *l, uint16_t i, uint32_t cur)
{
	const struct pcre_ctx *c = l->v[i].ctx;
	/* A relative expression sees the buffer from the previous match on, so
	 * that ^ anchors there, as in Suricata. */
	uint32_t base = c->flags & PCRE_RELATIVE ? cur : 0;
	uint32_t start = 0;
	if (base > in->len)
		return false;
	for (;;) {
		if (++in->steps > INSPECT_MAX_STEPS) {
			in->capped = true;
			return false;
		}
		if (base + start > in->len)
			return false;
		int rc = pcre2_match(c->re, in->buf + base, in->len - base, start, 0, in->md, NULL);
		if (c->flags & PCRE_NEGATED)
			return rc < 0 && match_from(in, l, (uint16_t)(i + 1), cur);
		if (rc < 0)
			return false;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(in->md);
		uint32_t mstart = (uint32_t)ov[0], mend = (uint32_t)ov[1];
		if (match_from(in, l, (uint16_t)(i + 1), base + mend))
			return true;
		if (!(l->v[i].flags & SM_RELNEXT))
			return false;
		start = mstart + 1;
	}
}

static bool byte_test(struct inspect *in, const struct byte_test_ctx *c, uint32_t cur)
{
	int64_t off = val(in, c->b.offset, c->b.offset_var) + (c->b.relative ? cur : 0);
	uint64_t v, used, want = c->value_var >= 0 ? in->vars[c->value_var] : c->value;
	uint32_t u;
	if (!read_num(in, &c->b, off, &v, &u))
		return false;
	(void)used;
	bool r;
	switch (c->op) {
	case BOP_LT:
		r = v < want;
		break;
	case BOP_GT:
		r = v > want;
		break;
	case BOP_LE:
		r = v <= want;
		break;
	case BOP_GE:
		r = v >= want;
		break;
	case BOP_AND:
		r = (v & want) != 0;
		break;
	case BOP_XOR:
		r = (v ^ want) != 0;
		break;
	default:
		r = v == want;
		break;
	}
	return r != c->negated;
}

/* dataset: an empty buffer never matches, as in Suricata */
static bool dataset_match(struct inspect *in, const struct dataset_ctx *c)
{
	if (!in->len)
		return false;
	int r;
	switch (c->cmd) {
	case DATASET_CMD_ISSET:
		return dataset_lookup(c->set, in->buf, in->len, NULL);
	case DATASET_CMD_ISNOTSET:
		return !dataset_lookup(c->set, in->buf, in->len, NULL);
	case DATASET_CMD_SET:
		r = dataset_add(c->set, in->buf, in->len, 0);
		if (in->cnt && r == 1)
			CNT_INC(in->cnt, DET_DATASET_ADDED);
		if (in->cnt && r == DATASET_FULL)
			CNT_INC(in->cnt, DET_DATASET_FULL);
		return r == 1;
	default:
		r = dataset_remove(c->set, in->buf, in->len);
		if (in->cnt && r == 1)
			CNT_INC(in->cnt, DET_DATASET_REMOVED);
		return r == 1;
	}
}

/* datarep: the buffer's reputation in the set; a buffer not there never matches */
static bool datarep_match(const struct inspect *in, const struct datarep_ctx *c)
{
	uint16_t rep;
	if (!in->len || !dataset_lookup(c->set, in->buf, in->len, &rep))
		return false;
	switch (c->op) {
	case DATAREP_GT:
		return rep > c->value;
	case DATAREP_LT:
		return rep < c->value;
	case DATAREP_GE:
		return rep >= c->value;
	case DATAREP_LE:
		return rep <= c->value;
	case DATAREP_EQ:
		return rep == c->value;
	default:
		return rep != c->value;
	}
}

static bool match_from(struct inspect *in, const struct sm_list *l, uint16_t i, uint32_t cur)
{
	for (; i < l->n; i++) {
		const struct sm *sm = &l->v[i];
		switch (sm->kw) {
		case KW_content:
			return content_at(in, l, i, cur);
		case KW_pcre:
			return pcre_at(in, l, i, cur);
		case KW_isdataat: {
			const struct isdataat_ctx *c = sm->ctx;
			int64_t n = c->var >= 0 ? (int64_t)in->vars[c->var] : c->n;
			/* Suricata: relative asks for n bytes after the previous match,
			 * absolute for a byte at offset n */
			bool has = c->relative ? (int64_t)cur + n <= in->len : n < in->len;
			if (has == c->negated)
				return false;
			break;
		}
		case KW_bsize: {
			const struct bsize_ctx *c = sm->ctx;
			if (!ucmp_match(&c->cmp, in->len))
				return false;
			break;
		}
		case KW_byte_test:
			if (!byte_test(in, sm->ctx, cur))
				return false;
			break;
		case KW_dataset:
			if (!dataset_match(in, sm->ctx))
				return false;
			break;
		case KW_datarep:
			if (!datarep_match(in, sm->ctx))
				return false;
			break;
		case KW_byte_jump: {
			const struct byte_jump_ctx *c = sm->ctx;
			int64_t off =
			    val(in, c->b.offset, c->b.offset_var) + (c->b.relative ? cur : 0);
			uint64_t v;
			uint32_t used;
			if (!read_num(in, &c->b, off, &v, &used))
				return false;
			int64_t to = (int64_t)(v * c->multiplier);
			if (c->align && to % 4)
				to += 4 - to % 4;
			if (c->from_beginning)
				to += c->post_offset;
			else if (c->from_end)
				to = (int64_t)in->len + to + c->post_offset;
			else
				to += off + used + c->post_offset;
			if (to < 0 || to > in->len)
				return false;
			cur = (uint32_t)to;
			break;
		}
		case KW_byte_extract: {
			const struct byte_extract_ctx *c = sm->ctx;
			int64_t off = c->b.offset + (c->b.relative ? cur : 0);
			uint64_t v;
			uint32_t used;
			if (!read_num(in, &c->b, off, &v, &used))
				return false;
			v *= c->multiplier;
			if (c->align && v % c->align)
				v += c->align - v % c->align;
			in->vars[c->var] = v;
			cur = (uint32_t)(off + used);
			break;
		}
		case KW_byte_math: {
			const struct byte_math_ctx *c = sm->ctx;
			int64_t off =
			    val(in, c->b.offset, c->b.offset_var) + (c->b.relative ? cur : 0);
			uint64_t v, r = c->rvalue_var >= 0 ? in->vars[c->rvalue_var] : c->rvalue;
			uint32_t used;
			if (!read_num(in, &c->b, off, &v, &used))
				return false;
			switch (c->op) {
			case BM_ADD:
				v += r;
				break;
			case BM_SUB:
				v -= r;
				break;
			case BM_MUL:
				v *= r;
				break;
			case BM_DIV:
				if (!r)
					return false;
				v /= r;
				break;
			case BM_SHL:
				v = r >= 64 ? 0 : v << r;
				break;
			default:
				v = r >= 64 ? 0 : v >> r;
				break;
			}
			in->vars[c->var] = v;
			cur = (uint32_t)(off + used);
			break;
		}
		default:
			break; /* not an inspection keyword */
		}
	}
	return true;
}

bool inspect_list(struct inspect *in, const struct sm_list *l)
{
	in->steps = 0;
	in->capped = false;
	return match_from(in, l, 0, 0);
}
