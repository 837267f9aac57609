/*
 * engine — reader loop, workers, ticks, periodic stats, summary.
 */
#include "core/engine.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "analytics/analytics.h"
#include "app/file.h"
#include "app/http.h"
#include "app/yara.h"
#include "capture/capture.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "core/ring.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "detect/profile.h"
#include "detect/ruleset.h"
#include "flow/flow.h"
#include "incident/incident.h"
#include "intel/enrich.h"
#include "intel/match.h"
#include "output/eve.h"
#include "store/store.h"

#define NS	    1000000000ull
#define SNAP_EVERY  4096 /* packets between counter snapshots */
#define CHECK_EVERY 8192 /* packets between wall-clock checks on the reader */

struct worker {
	struct engine *eng;
	unsigned id;
	pthread_t thr;
	bool started;
	struct ring ring;
	struct pipeline pl;
	struct eve_out out;
	struct detect_thread *dt;
	struct intel_db *idb; /* the intel in force when last checked, or NULL */
	uint64_t igen;	      /* its generation */
	struct store_out *so; /* the store's records, or NULL */
	struct an_worker *aw; /* the analytics' side, or NULL */
	uint32_t since_snap;
	uint64_t pkts; /* packets given to this worker */
	double cpu_s;  /* its thread's CPU time, set when it stops */
	pthread_mutex_t snap_lock;
	struct counters snap;
};

struct engine {
	struct config cfg;
	struct eve eve;
	struct eve_out out;	  /* stats records, reader thread */
	struct counters cnt;	  /* reader-side counters (capture.*) */
	struct detect_engine *de; /* NULL without rules */
	struct app_yara *yara;	  /* YARA rules for files, or NULL */
	struct app_store *store;  /* the file store, or NULL */
	struct intel_live intel;  /* indicators matched live; swapped on reload */
	struct enrich *enrich;	  /* AS/country/hosting data, or NULL */
	char **intel_paths;	  /* what a reload reads again */
	int n_intel_paths;
	pthread_t intel_loader; /* a reload in progress */
	atomic_bool intel_loading;
	bool intel_loader_started;
	int intel_reload_rc;	     /* the loader's outcome: 0 ok, -1 failed */
	uint64_t intel_reload_total; /* indicators it loaded */
	char outdir[4096];
	struct store *db;     /* the SQLite store (store/), or NULL */
	struct store_out *so; /* its stats rows, reader thread */
	struct analytics *an; /* behaviour analytics, or NULL */
	pthread_t correlator; /* live: a correlation pass over the store (incident/) */
	atomic_bool correlating;
	bool correlator_started;
	double last_correlation;
	struct worker *w;
	unsigned nw;
	bool threaded;
	double reader_cpu0; /* the reader thread's CPU time when reading began */
	bool progress;
	bool live;
	uint64_t tick_lo, tick_hi; /* packet time [lo, hi) of the current second */
	bool have_tick;
	struct timespec t0;
	double last_stats, last_progress;
	bool progress_shown;
	uint64_t file_bytes_done;
	int rc;
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;
static struct capture *volatile current_capture;

void engine_request_stop(void)
{
	stop_requested = 1;
	struct capture *c = current_capture;
	if (c)
		capture_break(c);
}

void engine_request_reload(void)
{
	reload_requested = 1;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(const struct engine *e)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - e->t0.tv_sec) + (double)(t.tv_nsec - e->t0.tv_nsec) / 1e9;
}

/* ---- worker side ---- */

static void on_intel(void *ctx, const struct flow *f, const struct intel_sighting *s, int dir)
{
	struct worker *w = ctx;
	CNT_INC(&w->pl.cnt, INTEL_HITS);
	if (w->eng->cfg.eve_intel)
		eve_write_intel(&w->out, w->pl.cur, f, s, dir);
	store_out_intel(w->so, s);
}

static void on_flow_start(void *ctx, const struct packet *p, struct flow *f)
{
	struct worker *w = ctx;
	if (w->idb)
		intel_match_flow(w->idb, f, p->ts, on_intel, w, &w->pl.cnt.c[CNT_INTEL_EXPIRED]);
	an_worker_flow_start(w->aw, p, f);
}

static void on_flow_end(void *ctx, struct flow *f, enum flow_end_reason reason)
{
	struct worker *w = ctx;
	if (w->eng->cfg.eve_flow)
		eve_write_flow(&w->out, f, reason);
	store_out_flow(w->so, f, reason);
	an_worker_flow_end(w->aw, f);
}

static void on_data(void *ctx, struct flow *f, int dir, const uint8_t *d, uint32_t n)
{
	struct worker *w = ctx;
	an_worker_data(w->aw, f, dir, d, n);
}

static void on_tx(void *ctx, const struct packet *p, struct flow *f, const struct app_tx *tx,
		  int dir, uint8_t level)
{
	struct worker *w = ctx;
	eve_write_tx(&w->out, &w->eng->cfg, p, f, tx, dir, level);
	store_out_tx(w->so, p, f, tx, dir, level);
	an_worker_tx(w->aw, p, f, tx, dir, level);
	if (w->idb)
		intel_match_tx(w->idb, f, tx, dir, level, p ? p->ts : f->last_ts, on_intel, w,
			       &w->pl.cnt.c[CNT_INTEL_EXPIRED]);
}

static void on_app_event(void *ctx, const struct packet *p, struct flow *f, int dir,
			 uint16_t alproto, enum app_event ev)
{
	struct worker *w = ctx;
	if (w->eng->cfg.eve_anomaly)
		eve_write_app_anomaly(&w->out, p, f, dir, alproto, ev);
}

static void on_alert(void *ctx, const struct packet *p, struct flow *f,
		     const struct detect_alert *a)
{
	struct worker *w = ctx;
	if (w->eng->cfg.eve_alert)
		eve_write_alert(&w->out, &w->eng->cfg, detect_engine_ruleset(w->eng->de), p, f, a);
	const struct ruleset *rs = detect_engine_ruleset(w->eng->de);
	store_out_alert(w->so, rs, p, f, a);
	if (w->aw) {
		const struct rule *r = a->r;
		const struct classtype *ct = r->classtype ? &rs->classes[r->classtype] : NULL;
		uint8_t sev = r->priority ? r->priority : ct ? ct->priority : 3;
		an_worker_alert(w->aw, p, f, r->sid, sev, ct ? ct->name : "alert");
	}
}

static void publish(struct worker *w)
{
	pthread_mutex_lock(&w->snap_lock);
	w->snap = w->pl.cnt;
	pthread_mutex_unlock(&w->snap_lock);
	w->since_snap = 0;
}

static void worker_tick(struct worker *w, uint64_t ts)
{
	pipeline_tick(&w->pl, ts);
	store_out_tick(w->so, ts);
	an_worker_tick(w->aw, ts);
	if (w->eng->threaded)
		publish(w);
}

/* Take the intel in force when a reload has swapped it. */
static void worker_intel_refresh(struct worker *w)
{
	intel_db_release(w->idb);
	w->idb = intel_live_acquire(&w->eng->intel, &w->igen);
}

static void worker_packet(struct worker *w, uint64_t ts, int linktype, const uint8_t *data,
			  uint32_t caplen, uint32_t wirelen)
{
	if (intel_live_changed(&w->eng->intel, w->igen))
		worker_intel_refresh(w);
	pipeline_packet(&w->pl, ts, linktype, data, caplen, wirelen);
	if (w->eng->threaded && ++w->since_snap >= SNAP_EVERY)
		publish(w);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (;;) {
		const struct ring_rec *rec = ring_peek(&w->ring);
		switch (rec->kind) {
		case RING_PACKET:
			w->pl.pcap_cnt = rec->seq;
			w->pkts++;
			worker_packet(w, rec->ts, rec->linktype, rec->data, rec->caplen,
				      rec->wirelen);
			break;
		case RING_TICK:
			worker_tick(w, rec->ts);
			break;
		case RING_STOP:
			ring_pop(&w->ring, rec);
			goto done;
		default:
			break;
		}
		ring_pop(&w->ring, rec);
	}
done:
	pipeline_end(&w->pl);
	an_worker_stop(w->aw);
	eve_out_flush(&w->out);
	store_out_flush(w->so);
	publish(w);
	w->cpu_s = thread_cpu_s();
	return NULL;
}

static int worker_init(struct engine *e, struct worker *w, unsigned id)
{
	const struct config *c = &e->cfg;
	unsigned n = e->nw;

	w->eng = e;
	w->id = id;
	pthread_mutex_init(&w->snap_lock, NULL);
	if (pipeline_init(&w->pl, c, n) < 0 || eve_out_init(&w->out, &e->eve, &w->pl.cnt) < 0)
		return -1;
	w->pl.app.yara = e->yara;
	w->pl.app.want_magic =
	    c->file_magic || (e->de && detect_engine_uses_keyword(e->de, "filemagic"));
	w->pl.app.store = e->store;
	if (e->db && !(w->so = store_out_new(e->db, &w->pl.cnt)))
		return -1;
	w->out.enrich = e->enrich;
	w->aw = analytics_worker(e->an, id, &w->pl.cnt);
	struct pipeline_out po = {.tx = on_tx,
				  .event = on_app_event,
				  .flow_start = on_flow_start,
				  .flow_end = on_flow_end,
				  .data = an_worker_wants_data(w->aw) ? on_data : NULL,
				  .ctx = w};
	pipeline_set_out(&w->pl, &po);
	if (e->de) {
		w->dt = detect_thread_new(e->de, &w->pl.cnt, on_alert, w);
		if (!w->dt)
			return -1;
		pipeline_set_detect(&w->pl, w->dt);
	}
	if (e->threaded && ring_init(&w->ring, c->ring_size) < 0)
		return -1;
	return 0;
}

/* ---- engine ---- */

struct engine *engine_new(const struct config *cfg, const char *outdir, bool progress,
			  struct detect_engine *de)
{
	struct engine *e = calloc(1, sizeof(*e));
	if (!e) {
		log_error("out of memory");
		detect_engine_free(de);
		return NULL;
	}
	e->cfg = *cfg;
	e->de = de;
	intel_live_init(&e->intel, NULL);
	snprintf(e->outdir, sizeof(e->outdir), "%s", outdir);
	if (cfg->file_store_dir[0]) {
		e->store = app_store_new(cfg->file_store_dir, cfg->file_store_cap);
		if (!e->store) {
			engine_free(e);
			return NULL;
		}
	}
	if (enrich_open(cfg, &e->enrich) < 0) {
		engine_free(e);
		return NULL;
	}
	if (e->enrich) {
		struct enrich_stats st;
		enrich_get_stats(e->enrich, &st);
		log_info(
		    "enrich: %u IPv4 and %u IPv6 AS ranges (%u organisations), %s, %u hosting ASes",
		    st.v4_ranges, st.v6_ranges, st.orgs,
		    st.country ? "countries" : "no country data", st.hosting_asns);
	}
	http_set_body_limits((uint32_t)cfg->file_body_limit, (uint32_t)cfg->file_body_limit);
	http_set_decompress_layers(cfg->http_decompress_layers);
	if (cfg->yara_rules[0]) {
		e->yara = app_yara_load(cfg->yara_rules);
		if (!e->yara) {
			engine_free(e);
			return NULL;
		}
	}
	if (de) {
		const struct ruleset *rs = detect_engine_ruleset(de);
		CNT_SET(&e->cnt, DET_RULES_LOADED, rs->n_loaded);
		CNT_SET(&e->cnt, DET_RULES_SKIPPED, rs->n_skipped);
		CNT_SET(&e->cnt, DET_RULES_FAILED, rs->n_errors);
		CNT_SET(&e->cnt, DET_RULES_WAITING, rs->n_waiting);
		CNT_SET(&e->cnt, DET_LOAD_MS, detect_engine_load_ns(de) / 1000000);
		CNT_SET(&e->cnt, DET_PREFILTER_BYTES, detect_engine_db_bytes(de));
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		CNT_SET(&e->cnt, DET_RSS_AFTER_LOAD, (uint64_t)ru.ru_maxrss);
	}
	e->progress = progress && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &e->t0);
	e->nw = cfg->workers;
	if (e->nw == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		e->nw = n > 0 ? (unsigned)n : 1;
	}
	if (e->nw > 256)
		e->nw = 256;
	e->threaded = e->nw > 1;
	if (eve_open(&e->eve, outdir, cfg->eve_filename) < 0)
		goto fail;
	if (eve_out_init(&e->out, &e->eve, &e->cnt) < 0)
		goto oom;
	if (cfg->store_enabled) {
		/* the workers and the reader's stats write to it */
		e->db = store_open_for_run(cfg, outdir, e->nw + 2);
		if (!e->db)
			goto fail;
		if (!(e->so = store_out_new(e->db, &e->cnt)))
			goto oom;
	}
	if (analytics_new(&e->cfg, &e->eve, e->db, e->enrich, e->nw, e->threaded, &e->an) < 0)
		goto fail;
	e->w = calloc(e->nw, sizeof(*e->w));
	if (!e->w)
		goto oom;
	for (unsigned i = 0; i < e->nw; i++)
		if (worker_init(e, &e->w[i], i) < 0)
			goto oom;
	if (e->threaded) {
		for (unsigned i = 0; i < e->nw; i++) {
			if (pthread_create(&e->w[i].thr, NULL, worker_main, &e->w[i]) != 0) {
				log_error("cannot start worker thread: %s", strerror(errno));
				goto fail;
			}
			e->w[i].started = true;
		}
	}
	if (analytics_start(e->an) < 0)
		goto fail;
	return e;
oom:
	log_error("out of memory setting up %u workers (lower flow.memcap or workers)", e->nw);
fail:
	engine_free(e);
	return NULL;
}

/* Put one record to worker i; file input waits for room, live input drops. */
static void dispatch(struct engine *e, unsigned i, uint16_t kind, const struct capture_frame *fr)
{
	struct ring *r = &e->w[i].ring;
	uint32_t caplen = fr ? fr->caplen : 0;
	if (caplen > ring_max_payload(r))
		caplen = (uint32_t)ring_max_payload(r);
	for (int tries = 0;; tries++) {
		if (ring_put(r, kind, fr ? fr->linktype : 0, fr ? fr->ts : 0, fr ? fr->data : NULL,
			     caplen, fr ? fr->wirelen : 0, e->cnt.c[CNT_CAP_PKTS]) == 0)
			return;
		if (e->live && kind == RING_PACKET) {
			CNT_INC(&e->cnt, CAP_RING_DROPS);
			return;
		}
		if (tries == 0)
			CNT_INC(&e->cnt, CAP_RING_WAITS);
		if (tries < 1000)
			sched_yield();
		else
			usleep(20);
	}
}

/* Publish what the workers have not seen yet (before the reader may pause). */
static void flush_all(struct engine *e)
{
	if (!e->threaded)
		return;
	for (unsigned i = 0; i < e->nw; i++)
		ring_flush(&e->w[i].ring);
}

static void tick_all(struct engine *e, uint64_t ts)
{
	struct capture_frame fr = {.ts = ts};
	for (unsigned i = 0; i < e->nw; i++) {
		if (e->threaded)
			dispatch(e, i, RING_TICK, &fr);
		else
			worker_tick(&e->w[i], ts);
	}
}

/* Sum of everything counted so far (snapshots while workers run). */
static void totals(struct engine *e, struct counters *sum, bool final)
{
	*sum = e->cnt;
	for (unsigned i = 0; i < e->nw; i++) {
		struct worker *w = &e->w[i];
		if (!e->threaded || final) {
			counters_merge(sum, &w->pl.cnt);
		} else {
			pthread_mutex_lock(&w->snap_lock);
			counters_merge(sum, &w->snap);
			pthread_mutex_unlock(&w->snap_lock);
		}
	}
	analytics_counters(e->an, sum);
	if (e->db)
		store_counters(e->db, sum);
}

static void write_stats(struct engine *e, bool final)
{
	struct counters sum;
	if (!e->cfg.eve_stats && !e->so)
		return;
	totals(e, &sum, final);
	if (e->so) {
		store_out_stats(e->so, &sum, final);
		store_out_flush(e->so);
	}
	if (!e->cfg.eve_stats)
		return;
	eve_write_stats(&e->out, &sum, (uint64_t)now_s(e));
	eve_out_flush(&e->out);
}

static void progress_line(struct engine *e, const struct capture *c, double t)
{
	uint64_t pk = e->cnt.c[CNT_CAP_PKTS];
	fprintf(stderr, "\rmamori: %s: %" PRIu64 " packets, %.1f MB, %.0f packets/s   ", c->name,
		pk, (double)e->cnt.c[CNT_CAP_BYTES] / 1e6, t > 0 ? (double)pk / t : 0.0);
	e->progress_shown = true;
}

/* ---- intel, and its reload off the packet path ---- */

static int copy_paths(struct engine *e, char *const *paths, int n)
{
	e->intel_paths = calloc((size_t)n + 1, sizeof(char *));
	if (!e->intel_paths)
		return -1;
	for (int i = 0; i < n; i++)
		if (!(e->intel_paths[i] = strdup(paths[i])))
			return -1;
	e->n_intel_paths = n;
	return 0;
}

int engine_set_intel(struct engine *e, struct intel_db *db, char *const *paths, int n)
{
	if (copy_paths(e, paths, n) < 0) {
		intel_db_release(db);
		log_error("out of memory");
		return -1;
	}
	if (db) {
		struct ioc_stats st;
		ioc_set_stats(db->set, &st);
		uint64_t total = 0;
		for (int t = 0; t < IOC_TYPE_MAX; t++)
			total += st.count[t];
		CNT_SET(&e->cnt, INTEL_INDICATORS, total);
		log_info("intel: %" PRIu64 " indicators from %u files, loaded in %.2f s (%.1f MB)",
			 total, db->files, db->load_ns / 1e9, st.bytes / 1e6);
	}
	intel_live_publish(&e->intel, db);
	return 0;
}

static void *intel_loader_main(void *arg)
{
	struct engine *e = arg;
	struct intel_db *db =
	    intel_db_load(e->intel_paths, e->n_intel_paths, e->cfg.intel_dir, true);
	e->intel_reload_rc = -1;
	if (!db) {
		log_error("intel: reload failed; the indicators in force stay");
	} else {
		struct ioc_stats st;
		uint64_t total = 0;
		ioc_set_stats(db->set, &st);
		for (int t = 0; t < IOC_TYPE_MAX; t++)
			total += st.count[t];
		log_info("intel: reloaded %" PRIu64 " indicators from %u files in %.2f s", total,
			 db->files, db->load_ns / 1e9);
		e->intel_reload_total = total;
		e->intel_reload_rc = 0;
		intel_live_publish(&e->intel, db);
	}
	atomic_store(&e->intel_loading, false);
	return NULL;
}

/* A reload was asked for (SIGHUP): load in a thread of its own so the
 * reader keeps reading; workers take the new set at their next packet. */
static void intel_reload_start(struct engine *e)
{
	reload_requested = 0;
	atomic_store(&e->intel_loading, true);
	if (pthread_create(&e->intel_loader, NULL, intel_loader_main, e) != 0) {
		atomic_store(&e->intel_loading, false);
		CNT_INC(&e->cnt, INTEL_RELOAD_FAILURES);
		log_error("intel: cannot start the reload: %s", strerror(errno));
		return;
	}
	e->intel_loader_started = true;
}

/* A finished reload: its thread joined, its outcome counted (reader side). */
static void intel_reload_done(struct engine *e)
{
	if (!e->intel_loader_started || atomic_load(&e->intel_loading))
		return;
	pthread_join(e->intel_loader, NULL);
	e->intel_loader_started = false;
	if (e->intel_reload_rc == 0) {
		CNT_INC(&e->cnt, INTEL_RELOADS);
		CNT_SET(&e->cnt, INTEL_INDICATORS, e->intel_reload_total);
	} else {
		CNT_INC(&e->cnt, INTEL_RELOAD_FAILURES);
	}
}

static void *correlate_main(void *arg)
{
	struct engine *e = arg;
	incident_update_path(store_path(e->db), &e->cfg, e->enrich);
	atomic_store(&e->correlating, false);
	return NULL;
}

/* Live: a correlation pass every incident.interval seconds, in its own
 * thread (the store's writer goes on; SQLite's WAL lets both work). */
static void correlate_start(struct engine *e, double t)
{
	if (!e->live || !e->db || !e->cfg.inc_interval ||
	    t - e->last_correlation < e->cfg.inc_interval || atomic_load(&e->correlating))
		return;
	if (e->correlator_started)
		pthread_join(e->correlator, NULL);
	e->correlator_started = false;
	e->last_correlation = t;
	atomic_store(&e->correlating, true);
	if (pthread_create(&e->correlator, NULL, correlate_main, e) != 0) {
		atomic_store(&e->correlating, false);
		return;
	}
	e->correlator_started = true;
}

static void correlate_join(struct engine *e)
{
	if (e->correlator_started)
		pthread_join(e->correlator, NULL);
	e->correlator_started = false;
}

/* Wall-clock duties of the reader: periodic stats, progress, live counters. */
static void housekeeping(struct engine *e, struct capture *c)
{
	double t = now_s(e);
	correlate_start(e, t);
	intel_reload_done(e);
	if (reload_requested && !e->intel_loader_started)
		intel_reload_start(e);
	if (e->cfg.stats_interval && t - e->last_stats >= e->cfg.stats_interval) {
		if (e->live) {
			uint64_t recv, drop, ifdrop;
			if (capture_stats(c, &recv, &drop, &ifdrop) == 0) {
				CNT_SET(&e->cnt, CAP_KERNEL_PKTS, recv);
				CNT_SET(&e->cnt, CAP_KERNEL_DROPS, drop);
				CNT_SET(&e->cnt, CAP_KERNEL_IFDROPS, ifdrop);
			}
		}
		e->last_stats = t;
		write_stats(e, false);
	}
	if (e->progress && t > 2.0 && t - e->last_progress >= 1.0) {
		e->last_progress = t;
		progress_line(e, c, t);
	}
}

static int run_source(struct engine *e, struct capture *c)
{
	struct capture_frame fr;
	uint32_t n = 0;
	int rc = 0;

	current_capture = c;
	while (!stop_requested) {
		int r = capture_next(c, &fr);
		if (r == CAPTURE_AGAIN) {
			flush_all(e); /* idle live capture: hand over what is pending */
			housekeeping(e, c);
			continue;
		}
		if (r == CAPTURE_EOF)
			break;
		if (r == CAPTURE_ERROR) {
			if (e->progress_shown)
				fputc('\n', stderr);
			log_error("%s", c->err);
			CNT_INC(&e->cnt, CAP_FILE_ERRORS);
			rc = 1;
			break;
		}
		CNT_INC(&e->cnt, CAP_PKTS);
		CNT_ADD(&e->cnt, CAP_BYTES, fr.wirelen);
		if (fr.caplen < fr.wirelen)
			CNT_INC(&e->cnt, CAP_SNAP_TRUNC);
		else if (fr.caplen > fr.wirelen)
			CNT_INC(&e->cnt, CAP_CAPLEN_GT_LEN);

		/* A tick whenever packet time enters another second (no division
		 * on the common path). */
		if (!e->have_tick || fr.ts >= e->tick_hi || fr.ts < e->tick_lo) {
			if (e->have_tick)
				tick_all(e, fr.ts);
			e->have_tick = true;
			e->tick_lo = fr.ts - fr.ts % NS;
			e->tick_hi = e->tick_lo + NS;
		}
		if (e->threaded) {
			uint32_t h = decode_shard_hash(fr.linktype, fr.data, fr.caplen);
			dispatch(e, h % e->nw, RING_PACKET, &fr);
		} else {
			e->w[0].pl.pcap_cnt = e->cnt.c[CNT_CAP_PKTS];
			worker_packet(&e->w[0], fr.ts, fr.linktype, fr.data, fr.caplen, fr.wirelen);
		}
		if (++n % CHECK_EVERY == 0)
			housekeeping(e, c);
	}
	current_capture = NULL;
	flush_all(e);
	return rc;
}

int engine_read_files(struct engine *e, char *const *files, int nfiles)
{
	int rc = 0;
	e->reader_cpu0 = thread_cpu_s();
	for (int i = 0; i < nfiles && !stop_requested; i++) {
		struct capture c;
		if (capture_open_file(&c, files[i]) < 0) {
			log_error("%s", c.err);
			CNT_INC(&e->cnt, CAP_FILE_ERRORS);
			rc = 1;
			continue;
		}
		CNT_INC(&e->cnt, CAP_FILES);
		if (!decode_linktype_supported(c.linktype))
			log_warn(
			    "%s: link type %d (%s) is not supported; its packets are counted only",
			    files[i], c.linktype,
			    pcap_datalink_val_to_name(c.linktype)
				? pcap_datalink_val_to_name(c.linktype)
				: "?");
		if (run_source(e, &c) != 0)
			rc = 1;
		capture_close(&c);
	}
	return rc;
}

int engine_live(struct engine *e, const char *iface, const char *bpf)
{
	struct capture c;
	e->live = true;
	e->reader_cpu0 = thread_cpu_s();
	if (e->db)
		store_set_wait(e->db, false); /* at the store's cap: drop, never stall capture */
	analytics_set_live(e->an, true);
	if (capture_open_live(&c, iface, bpf, e->cfg.snaplen, e->cfg.promisc) < 0) {
		log_error("%s", c.err);
		return 1;
	}
	if (!decode_linktype_supported(c.linktype))
		log_warn("%s: link type %d is not supported; its packets are counted only", iface,
			 c.linktype);
	log_info("listening on %s%s%s", iface, bpf ? " with filter " : "", bpf ? bpf : "");
	int rc = run_source(e, &c);
	uint64_t recv, drop, ifdrop;
	if (capture_stats(&c, &recv, &drop, &ifdrop) == 0) {
		CNT_SET(&e->cnt, CAP_KERNEL_PKTS, recv);
		CNT_SET(&e->cnt, CAP_KERNEL_DROPS, drop);
		CNT_SET(&e->cnt, CAP_KERNEL_IFDROPS, ifdrop);
	}
	capture_close(&c);
	return rc;
}

static void stop_workers(struct engine *e)
{
	if (e->threaded) {
		for (unsigned i = 0; i < e->nw; i++)
			if (e->w[i].started)
				dispatch(e, i, RING_STOP, NULL);
		for (unsigned i = 0; i < e->nw; i++) {
			if (e->w[i].started)
				pthread_join(e->w[i].thr, NULL);
			e->w[i].started = false;
		}
	} else {
		for (unsigned i = 0; i < e->nw; i++) {
			pipeline_end(&e->w[i].pl);
			an_worker_stop(e->w[i].aw);
			eve_out_flush(&e->w[i].out);
			store_out_flush(e->w[i].so);
		}
	}
}

static void summary(struct engine *e, const struct counters *s)
{
	double t = now_s(e);
	uint64_t events = 0;
	if (!log_enabled(LOG_INFO))
		return;
	for (int i = 0; i < EV_MAX; i++)
		events += s->ev[i];
	if (e->progress_shown)
		fprintf(stderr, "\r%60s\r", "");
	fprintf(stderr,
		"mamori: %" PRIu64 " packets (%" PRIu64 " bytes) in %.2f s, %" PRIu64
		" flows (tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64 ", other %" PRIu64 ")\n",
		s->c[CNT_CAP_PKTS], s->c[CNT_CAP_BYTES], t, s->c[CNT_FLOW_TOTAL],
		s->c[CNT_FLOW_TCP], s->c[CNT_FLOW_UDP],
		s->c[CNT_FLOW_ICMPV4] + s->c[CNT_FLOW_ICMPV6], s->c[CNT_FLOW_OTHER]);
	fprintf(stderr,
		"mamori: %" PRIu64 " decoder anomalies in %" PRIu64 " packets, %" PRIu64
		" reassembled datagrams, %" PRIu64 " tcp gaps, %" PRIu64 " evicted flows, %" PRIu64
		" dropped packets\n",
		events, s->c[CNT_DEC_INVALID], s->c[CNT_DEFRAG_V4_DONE] + s->c[CNT_DEFRAG_V6_DONE],
		s->c[CNT_TCP_GAPS], s->c[CNT_FLOW_EVICT_MEMCAP],
		s->c[CNT_CAP_RING_DROPS] + s->c[CNT_CAP_KERNEL_DROPS] +
		    s->c[CNT_DEFRAG_MEMCAP_DROPS]);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	if (e->de)
		fprintf(stderr, "mamori: %" PRIu64 " alerts from %u rules\n", s->c[CNT_DET_ALERTS],
			detect_engine_ruleset(e->de)->n_loaded);
	fprintf(stderr, "mamori: %" PRIu64 " records written to %s; peak RSS %ld KiB\n",
		s->c[CNT_EVE_RECORDS], e->eve.path, ru.ru_maxrss);
	if (e->db)
		store_summary(e->db, s);
	/* how evenly the flows spread over the workers, and the reader's share */
	if (e->threaded && log_enabled(LOG_DEBUG))
		fprintf(stderr,
			"mamori: reader: %.2f s CPU, waited for a full ring %" PRIu64 " times\n",
			thread_cpu_s() - e->reader_cpu0, s->c[CNT_CAP_RING_WAITS]);
	for (unsigned i = 0; e->threaded && log_enabled(LOG_DEBUG) && i < e->nw; i++)
		fprintf(stderr, "mamori: worker %u: %" PRIu64 " packets, %.2f s CPU\n", i,
			e->w[i].pkts, e->w[i].cpu_s);
}

/* --profile-rules: merge the workers' counts, report. */
static void profile_summary(struct engine *e)
{
	if (!e->de || !e->cfg.profile_rules)
		return;
	const struct ruleset *rs = detect_engine_ruleset(e->de);
	struct detect_profile *sum = profile_new(rs->n_rules, detect_engine_n_dbs(e->de));
	if (!sum)
		return;
	for (unsigned i = 0; i < e->nw; i++)
		if (e->w[i].dt && detect_thread_profile(e->w[i].dt))
			profile_merge(sum, detect_thread_profile(e->w[i].dt));
	char path[4200];
	snprintf(path, sizeof(path), "%s", e->eve.path);
	char *slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path, sizeof(path) - (size_t)(slash ? slash + 1 - path : 0),
		 "rule_perf.json");
	FILE *json = fopen(path, "w");
	profile_report(sum, e->de, e->cfg.profile_top, stderr, json);
	if (json) {
		fclose(json);
		log_info("rule profile written to %s", path);
	}
	profile_free(sum);
}

int engine_finish(struct engine *e)
{
	struct counters s;
	if (e->db)
		store_set_wait(e->db, true); /* input is over: the last batches wait for room */
	stop_workers(e);
	analytics_finish(e->an);
	if (e->intel_loader_started) {
		while (atomic_load(&e->intel_loading))
			usleep(1000);
		intel_reload_done(e);
	}
	profile_summary(e);
	if (e->de)
		detect_engine_save_datasets(e->de);
	if (e->db)
		store_drain(e->db); /* the final stats count every record stored */
	write_stats(e, true);
	int stored = e->db ? store_finish(e->db) : 0;
	totals(e, &s, true);
	summary(e, &s);
	correlate_join(e);
	/* the incidents of what was just stored (a failed pass loses no record) */
	if (e->db && stored == 0)
		incident_update_path(store_path(e->db), &e->cfg, e->enrich);
	for (unsigned i = 0; i < e->nw; i++)
		eve_out_flush(&e->w[i].out);
	eve_out_flush(&e->out);
	return eve_close(&e->eve) < 0 || stored < 0 ? 3 : 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->intel_loader_started)
		pthread_join(e->intel_loader, NULL);
	e->intel_loader_started = false;
	correlate_join(e);
	if (e->w) {
		stop_workers(e);
		for (unsigned i = 0; i < e->nw; i++) {
			struct worker *w = &e->w[i];
			intel_db_release(w->idb);
			pipeline_free(&w->pl);
			detect_thread_free(w->dt);
			if (w->out.batch)
				eve_out_free(&w->out);
			if (w->ring.buf)
				ring_destroy(&w->ring);
			store_out_free(w->so);
			pthread_mutex_destroy(&w->snap_lock);
		}
		free(e->w);
	}
	analytics_free(e->an);
	e->an = NULL;
	if (e->out.batch)
		eve_out_free(&e->out);
	store_out_free(e->so);
	store_free(e->db);
	eve_close(&e->eve);
	detect_engine_free(e->de);
	app_yara_free(e->yara);
	app_store_free(e->store);
	intel_live_destroy(&e->intel);
	enrich_free(e->enrich);
	for (int i = 0; i < e->n_intel_paths; i++)
		free(e->intel_paths[i]);
	free(e->intel_paths);
	free(e);
}
