/*
 * hunt_cmd — the hunt and intel import commands: load the feeds
 * (intel/import.h), keep them (import), hunt the store (hunt.c), print and
 * store the sightings, and report what was checked.
 */
#include "store/hunt_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "intel/import.h"
#include "intel/intel_cmd.h"
#include "incident/incident.h"
#include "store/hunt.h"
#include "store/query.h"
#include "store/store.h"
#include "store/store_util.h"

struct out {
	FILE *f;
	struct jbuf jb;
	struct store_out *so;
};

static void on_sighting(void *ctx, const struct intel_sighting *s)
{
	struct out *o = ctx;
	hunt_write_record(&o->jb, s);
	if (o->f && !o->jb.overflow) {
		fwrite(o->jb.p, 1, o->jb.len, o->f);
		fputc('\n', o->f);
	}
	store_out_intel(o->so, s);
}

static const char *var(void *ctx, const char *name, bool port)
{
	return config_var(ctx, name, port);
}

/* Incidents not merged into another. */
static int64_t count_incidents(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM incident WHERE merged_into IS NULL", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(FILE *out, const char *cmd, bool keep)
{
	fprintf(out,
		"usage: mamori %s [options] FEED...\n"
		"%s"
		"Check every indicator of the feeds against the store's records since --since\n"
		"(flow ends and DNS answers for addresses and CIDRs; DNS questions, HTTP hosts\n"
		"and TLS server names for domains, exact or with everything below; HTTP for\n"
		"URLs; TLS for JA3/JA4 and certificates; files for hashes) and report every\n"
		"past sighting as an EVE intel record with \"retro\": true (first and last time,\n"
		"count, internal hosts, bytes each way), also added to the store.\n\n"
		"options:\n"
		"      --store PATH     the store (default: mamori.db)\n"
		"      --since T        how far back: an age (180d, the default; 24h) before the\n"
		"                       store's newest record, a date or RFC 3339\n"
		"  -f, --format NAME    the feeds' format (default: recognised by content)\n"
		"  -o, --output FILE    write the intel records there (default: stdout)\n"
		"  -c, --config FILE    YAML configuration (HOME_NET, intel.dir, store.*)\n"
		"      --set KEY=VALUE  override one setting (repeatable)\n"
		"  -q, --quiet          errors only\n\n"
		"exit status: 0 ok (also without sightings); 1 a feed could not be read, or\n"
		"the store could not be read or written; 2 usage.\n",
		keep ? "intel import" : cmd,
		keep ? "Keep the feeds in the intel folder (intel.dir; default: intel/ beside the\n"
		       "store), where mamori read and mamori live load them, then hunt with them.\n"
		     : "The feeds are not kept (mamori intel import keeps them).\n");
}

/* Copy a feed into dir (created if needed), through a temporary file. */
static int keep_feed(const char *path, const char *dir)
{
	char dst[4200], tmp[4210], buf[65536];
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_error("%s: cannot create the intel folder: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(dst, sizeof(dst), "%s/%s", dir, base);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	int in = open(path, O_RDONLY), out = -1, rc = -1;
	if (in < 0 || (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		log_error("%s: %s", in < 0 ? path : tmp, strerror(errno));
		goto done;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			log_error("%s: copying failed: %s", dst, strerror(errno));
			goto done;
		}
	}
	if (close(out) < 0 || rename(tmp, dst) < 0) {
		out = -1;
		log_error("%s: %s", dst, strerror(errno));
		goto done;
	}
	out = -1;
	log_info("intel: %s kept as %s", path, dst);
	rc = 0;
done:
	if (in >= 0)
		close(in);
	if (out >= 0) {
		close(out);
		unlink(tmp);
	}
	return rc;
}

int hunt_run(const struct hunt_job *j, struct hunt_result *r)
{
	const struct config *cfg = j->cfg;
	const char *path = j->store;
	struct ioc_set *set = NULL;
	struct ipset home;
	bool have_home = false;
	sqlite3 *db = NULL;
	struct store *st = NULL;
	struct out o = {j->out, {0}, NULL};
	int rc = 2;

	memset(r, 0, sizeof(*r));
	memset(&home, 0, sizeof(home));
	const char *hn = config_var(cfg, "HOME_NET", false);
	struct addrset_err aerr;
	if (hn && ipset_parse(&home, hn, var, (void *)cfg, &aerr) < 0) {
		snprintf(r->err, sizeof(r->err), "HOME_NET: %s", aerr.msg);
		log_error("%s", r->err);
		goto out;
	}
	have_home = hn != NULL;

	/* the feeds */
	rc = 1;
	if (!(set = ioc_set_new()) || jb_init(&o.jb, 4096, 1u << 20) < 0) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		log_error("%s", r->err);
		goto out;
	}
	bool feed_failed = false;
	char dir[4200];
	if (j->keep && store_intel_dir(cfg, path, dir, sizeof(dir)) < 0) {
		snprintf(r->err, sizeof(r->err), "%s: intel folder path too long", path);
		log_error("%s", r->err);
		goto out;
	}
	for (int i = 0; i < j->n_feeds; i++) {
		struct ioc_report ir;
		char err[512];
		const char *feed = j->feeds[i];
		if (ioc_import_file(set, feed, j->format, NULL, &ir, err, sizeof(err)) < 0) {
			log_error("%s", err);
			if (!r->err[0])
				snprintf(r->err, sizeof(r->err), "%s", err);
			feed_failed = true;
			continue;
		}
		log_info("intel: %s: %s: %" PRIu64 " loaded, %" PRIu64 " duplicates, %" PRIu64
			 " skipped ('mamori intel check' tells why)",
			 feed, ir.format, ir.loaded, ir.duplicates, ir.skipped);
		r->format = ir.format;
		r->loaded += ir.loaded;
		r->duplicates += ir.duplicates;
		r->skipped += ir.skipped;
		if (j->keep && keep_feed(feed, dir) < 0) {
			if (!r->err[0])
				snprintf(r->err, sizeof(r->err), "%s: cannot keep it in %s", feed,
					 dir);
			feed_failed = true;
		}
	}
	r->feed_failed = feed_failed;
	if (j->keep && !feed_failed) {
		/* a 'mamori live' writing beside the store matches the new feeds now */
		char live[4200];
		const char *slash = strrchr(path, '/');
		snprintf(live, sizeof(live), "%.*s", slash ? (int)(slash - path) : 1,
			 slash ? path : ".");
		int pid = intel_reload_running(live);
		if (pid)
			log_info("intel: asked the running mamori (process %d) to reload its intel",
				 pid);
	}
	if (j->keep && access(path, F_OK) != 0) {
		log_info("intel: no store at %s yet: nothing to hunt", path);
		rc = feed_failed ? 1 : 0;
		goto out;
	}
	if (j->stop_on_feed_error && feed_failed)
		goto out;

	/* the hunt */
	if (store_open_reader(path, &db) < 0) {
		snprintf(r->err, sizeof(r->err), "%s: cannot open the store", path);
		goto out;
	}
	if (store_parse_time(j->since ? j->since : "180d", store_reader_clock(db), &r->since_us) <
	    0) {
		snprintf(r->err, sizeof(r->err),
			 "since: a time is an age (180d, 24h), a date (YYYY-MM-DD) or RFC 3339");
		log_error("%s", r->err);
		rc = 2;
		goto out;
	}
	struct store_opts so;
	store_opts_from_config(&so, cfg, 1);
	struct counters cnt;
	memset(&cnt, 0, sizeof(cnt));
	if (!(st = store_open(path, &so)) || !(o.so = store_out_new(st, &cnt))) {
		snprintf(r->err, sizeof(r->err), "%s: cannot write the store", path);
		goto out;
	}
	double t0 = now_s();
	int hr = store_hunt(db, set, r->since_us < 0 ? 0 : (uint64_t)r->since_us * 1000,
			    have_home ? &home : NULL, on_sighting, &o, &r->hs);
	r->seconds = now_s() - t0;
	store_out_free(o.so);
	o.so = NULL;
	int fr = store_finish(st);
	r->hunted = hr == 0 && fr == 0;
	/* the sightings join incidents (or open them) */
	if (r->hunted) {
		r->incidents_before = r->incidents_after = count_incidents(db);
		if (r->hs.sightings) {
			incident_update_path(path, cfg, NULL);
			r->incidents_after = count_incidents(db);
		}
	}
	if (o.f && fflush(o.f) != 0) {
		snprintf(r->err, sizeof(r->err), "the sightings could not be written");
		log_error("%s", r->err);
		hr = -1;
	}
	if (!r->hunted && !r->err[0])
		snprintf(r->err, sizeof(r->err), "%s: the hunt failed", path);
	rc = hr < 0 || fr < 0 || feed_failed ? 1 : 0;
out:
	store_out_free(o.so);
	store_free(st);
	sqlite3_close(db);
	jb_free(&o.jb);
	ioc_set_free(set);
	if (have_home)
		ipset_free(&home);
	return rc;
}

int hunt_cmd(int argc, char **argv, bool keep)
{
	enum { O_STORE = 256, O_SINCE, O_SET };
	static const struct option opts[] = {
	    {"store", required_argument, NULL, O_STORE},
	    {"since", required_argument, NULL, O_SINCE},
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"config", required_argument, NULL, 'c'},
	    {"set", required_argument, NULL, O_SET},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *output = NULL, *cfgfile = NULL;
	char **sets = calloc((size_t)argc + 1, sizeof(char *));
	struct config cfg;
	struct hunt_job j = {&cfg, "mamori.db", NULL, 0, NULL, "180d", keep, stdout, false};
	struct hunt_result r;
	int nsets = 0, c, rc = 2;

	if (!sets)
		return 1;
	config_defaults(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:c:qvh", opts, NULL)) != -1) {
		switch (c) {
		case O_STORE:
			j.store = optarg;
			break;
		case O_SINCE:
			j.since = optarg;
			break;
		case 'f':
			j.format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'c':
			cfgfile = optarg;
			break;
		case O_SET:
			sets[nsets++] = optarg;
			break;
		case 'q':
			log_set_level(LOG_ERROR);
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout, argv[0], keep);
			rc = 0;
			goto out;
		default:
			usage(stderr, argv[0], keep);
			goto out;
		}
	}
	if (optind >= argc) {
		usage(stderr, argv[0], keep);
		goto out;
	}
	if (cfgfile && config_load_file(&cfg, cfgfile) < 0)
		goto out;
	for (int i = 0; i < nsets; i++)
		if (config_set_kv(&cfg, sets[i]) < 0)
			goto out;
	if (output && !(j.out = fopen(output, "w"))) {
		log_error("%s: %s", output, strerror(errno));
		rc = 1;
		goto out;
	}
	j.feeds = (const char *const *)(argv + optind);
	j.n_feeds = argc - optind;
	rc = hunt_run(&j, &r);
	if (j.out != stdout && fclose(j.out) != 0) {
		log_error("%s: write failed", output);
		rc = 1;
	}
	if (r.hunted && log_enabled(LOG_INFO)) {
		const struct store_hunt_stats *hs = &r.hs;
		char ts[48];
		json_format_ts(r.since_us < 0 ? 0 : (uint64_t)r.since_us * 1000, ts, sizeof(ts));
		fprintf(stderr,
			"hunt: %" PRIu64 " indicators checked against the records since %s:",
			hs->indicators - hs->unchecked, ts);
		for (int t = 0; t < IOC_TYPE_MAX; t++)
			if (hs->by_type[t])
				fprintf(stderr, " %s%s %" PRIu64 "/%" PRIu64,
					ioc_type_name((enum ioc_type)t),
					t == IOC_DOMAIN_SUFFIX ? " (and below)" : "",
					hs->found_type[t], hs->by_type[t]);
		fprintf(stderr, " (seen/checked)\n");
		fprintf(stderr,
			"hunt: %" PRIu64 " sightings of %" PRIu64 " indicators over %" PRIu64
			" stored records in %.2f s\n",
			hs->sightings, hs->matched, hs->records, r.seconds);
		if (hs->unchecked)
			fprintf(stderr,
				"hunt: %" PRIu64 " e-mail indicators not checked (nothing stored "
				"holds addresses of mail)\n",
				hs->unchecked);
	}
out:
	free(sets);
	return rc;
}
