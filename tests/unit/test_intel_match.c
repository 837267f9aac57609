/*
 * test_intel_match — live matching's rules that the end-to-end case does not
 * reach: validity windows at packet time, an attribution chosen among
 * several, and the reference counting of the db a reload swaps.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow/flow.h"
#include "intel/match.h"

#define DAY (86400ull * 1000000000ull)

struct seen {
	unsigned n;
	char field[32], source[32];
};

static void on_hit(void *ctx, const struct flow *f, const struct intel_sighting *s, int dir)
{
	struct seen *sn = ctx;
	(void)f;
	(void)dir;
	sn->n++;
	snprintf(sn->field, sizeof(sn->field), "%s", s->matched_field);
	snprintf(sn->source, sizeof(sn->source), "%s", s->meta->source);
}

static struct intel_db *db_new(void)
{
	struct intel_db *db = calloc(1, sizeof(*db));
	db->set = ioc_set_new();
	atomic_init(&db->refs, 1);
	return db;
}

static void test_validity(void)
{
	struct intel_db *db = db_new();
	/* 2024-01-01 .. 2024-01-31, and another feed from 2024-03-01 on */
	struct ioc_meta jan = {.source = "jan", .confidence = -1, .valid_from = 1704067200,
			       .valid_until = 1706659200};
	struct ioc_meta mar = {.source = "mar", .confidence = -1, .valid_from = 1709251200};
	uint32_t mj = ioc_meta_add(db->set, &jan), mm = ioc_meta_add(db->set, &mar);
	CHECK_EQ(ioc_add(db->set, IOC_IPV4, "192.0.2.0/24", 12, mj), 1);
	CHECK_EQ(ioc_add(db->set, IOC_IPV4, "192.0.2.0/24", 12, mm), 0);

	struct flow f;
	memset(&f, 0, sizeof(f));
	f.ip_ver = 4;
	f.proto = 6;
	inet_pton(AF_INET, "10.0.0.1", f.src.a);
	inet_pton(AF_INET, "192.0.2.7", f.dst.a);
	uint64_t expired = 0;
	struct seen sn = {0};

	uint64_t jan15 = 1705276800ull * 1000000000ull;
	CHECK_EQ(intel_match_flow(db, &f, jan15, on_hit, &sn, &expired), 1);
	CHECK_STR(sn.field, "dest_ip");
	CHECK_STR(sn.source, "jan");
	/* February: neither attribution holds */
	CHECK_EQ(intel_match_flow(db, &f, jan15 + 30 * DAY, on_hit, &sn, &expired), 0);
	CHECK_EQ(expired, 1);
	/* March: the second feed's */
	CHECK_EQ(intel_match_flow(db, &f, jan15 + 60 * DAY, on_hit, &sn, &expired), 1);
	CHECK_STR(sn.source, "mar");
	/* the source end too */
	memcpy(f.src.a, f.dst.a, 4);
	CHECK_EQ(intel_match_flow(db, &f, jan15, on_hit, &sn, &expired), 2);
	CHECK_STR(sn.field, "dest_ip");
	/* no db: nothing */
	CHECK_EQ(intel_match_flow(NULL, &f, jan15, on_hit, &sn, &expired), 0);
	intel_db_release(db);
}

static void test_live_swap(void)
{
	struct intel_live l;
	uint64_t g0, g1;
	intel_live_init(&l, NULL);
	CHECK(intel_live_acquire(&l, &g0) == NULL);
	CHECK(!intel_live_changed(&l, g0));

	struct intel_db *a = db_new();
	intel_live_publish(&l, a); /* the live holder owns a's reference */
	CHECK(intel_live_changed(&l, g0));
	struct intel_db *w = intel_live_acquire(&l, &g1); /* a worker's */
	CHECK(w == a);
	CHECK_EQ(atomic_load(&a->refs), 2);

	struct intel_db *b = db_new();
	intel_live_publish(&l, b); /* a stays while the worker holds it */
	CHECK_EQ(atomic_load(&a->refs), 1);
	CHECK(intel_live_changed(&l, g1));
	intel_db_release(w); /* a freed here (ASan checks) */
	w = intel_live_acquire(&l, &g1);
	CHECK(w == b);
	intel_db_release(w);
	intel_live_destroy(&l);
}

int main(void)
{
	test_validity();
	test_live_swap();
	return check_report("test_intel_match");
}
