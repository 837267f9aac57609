/*
 * main — command-line dispatch: `mamori read`, `mamori live`, and helpers.
 * Exit status: 0 success; 1 some input could not be read completely (the
 * rest was processed and the output is valid); 2 usage or configuration
 * error; 3 output could not be written.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/applayer.h"
#include "core/config.h"
#include "core/engine.h"
#include "core/log.h"
#include "detect/detect.h"
#include "detect/ruleset.h"
#include "incident/incident_cmd.h"
#include "intel/intel_cmd.h"
#include "intel/match.h"
#include "store/hunt_cmd.h"
#include "store/store.h"
#include "store/audit.h"
#include "store/query.h"
#include "web/web.h"

#include "core/version.h"

enum {
	OPT_SET = 256,
	OPT_BPF,
	OPT_NO_PROGRESS,
	OPT_HELP_CONFIG,
	OPT_PROFILE,
	OPT_STORE,
	OPT_NO_STORE
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"config", required_argument, NULL, 'c'},
    {"set", required_argument, NULL, OPT_SET},
    {"workers", required_argument, NULL, 'w'},
    {"rules", required_argument, NULL, 'S'},
    {"intel", required_argument, NULL, 'I'},
    {"checksum", required_argument, NULL, 'k'},
    {"profile-rules", optional_argument, NULL, OPT_PROFILE},
    {"bpf", required_argument, NULL, OPT_BPF},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"store", required_argument, NULL, OPT_STORE},
    {"no-store", no_argument, NULL, OPT_NO_STORE},
    {"help-config", no_argument, NULL, OPT_HELP_CONFIG},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage_read(FILE *out)
{
	fprintf(out,
		"usage: mamori read [options] FILE...\n"
		"Analyse capture files (pcap, pcap-ns, pcapng) in order; '-' reads stdin.\n"
		"Writes Suricata-compatible EVE JSON to DIR/eve.json and adds every record to the\n"
		"store (DIR/mamori.db, kept across runs).\n\n"
		"options:\n"
		"  -o, --output DIR     output directory (default: .)\n"
		"  -c, --config FILE    YAML configuration\n"
		"      --set KEY=VALUE  override one setting (repeatable)\n"
		"  -w, --workers N      worker threads (default: one per core)\n"
		"  -S, --rules PATH     load Suricata rules from a file, or every *.rules file of\n"
		"                       a folder (repeatable); alerts go to eve.json\n"
		"  -I, --intel PATH     match the indicators of an intel file or MISP feed folder\n"
		"                       (repeatable); intel records go to eve.json\n"
		"  -k none|all|auto     checksum validation, as Suricata's -k\n"
		"      --profile-rules[=N]  time every rule check and prefilter scan; print the\n"
		"                       top N (10) at exit, all of it to DIR/rule_perf.json\n"
		"      --store PATH     the SQLite store records are added to (default:\n"
		"                       DIR/mamori.db; 'mamori query', 'mamori hunt' read it)\n"
		"      --no-store       no store, only eve.json\n"
		"      --no-progress    no progress line on a terminal\n"
		"      --help-config    list every setting with its default\n"
		"  -q, --quiet          errors only\n"
		"  -v, --verbose        more messages\n\n"
		"exit status: 0 ok; 1 an input was missing or damaged (named with its byte\n"
		"offset; everything before the damage was analysed); 2 usage or configuration\n"
		"error; 3 the output could not be written.\n");
}

static void usage_live(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori live [options] IFACE\n"
	    "Monitor an interface until SIGINT or SIGTERM; stats are flushed on exit.\n\n"
	    "options:\n"
	    "  -o, --output DIR     output directory (default: .)\n"
	    "  -c, --config FILE    YAML configuration\n"
	    "      --set KEY=VALUE  override one setting (repeatable)\n"
	    "  -w, --workers N      worker threads (default: one per core)\n"
	    "  -S, --rules PATH     load Suricata rules: a file or a folder (repeatable)\n"
	    "  -I, --intel PATH     match an intel file or MISP feed folder (repeatable);\n"
	    "                       SIGHUP or 'mamori intel reload' reads intel again\n"
	    "  -k none|all|auto     checksum validation, as Suricata's -k\n"
	    "      --bpf FILTER     capture filter (pcap-filter syntax)\n"
	    "      --store PATH     the SQLite store (default: DIR/mamori.db); --no-store: none\n"
	    "  -q, --quiet / -v, --verbose\n\n"
	    "exit status: 0 ok; 1 the interface could not be opened or failed; 2 usage;\n"
	    "3 output error.\n");
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mamori COMMAND [options]\n\n"
		"commands:\n"
		"  read FILE...    analyse capture files, write EVE JSON and the store\n"
		"  live IFACE      monitor a network interface\n"
		"  rules check FILE...  load rules and report what loads, what is skipped and why\n"
		"  intel check FILE...  load intel files and report what loads, what is skipped "
		"and why\n"
		"  intel reload    make a running 'mamori live' read its intel again\n"
		"  intel import FEED...  keep intel feeds and retro-hunt the store with them\n"
		"  hunt FEED...    retro-hunt the store with intel feeds (the feeds are not kept)\n"
		"  query           records of the store: for a host, a domain, a time range\n"
		"  audit           zone policy compliance report from the store\n"
		"  incidents       the incidents correlated from the store\n"
		"  report ID       damage report of an incident (Markdown, HTML, JSON)\n"
		"  share ID        an incident as a STIX 2.1 bundle (TLP, pseudonymised hosts)\n"
		"  serve           the dashboard and JSON API over the store (docs/web.md)\n"
		"  features        list what this build supports (one per line)\n"
		"  version         print the version\n\n"
		"'mamori COMMAND --help' describes each command.\n");
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		engine_request_reload();
	else
		engine_request_stop();
}

/* The intel files: intel.files (comma-separated), then -I; with intel.dir,
 * what is matched live. *db stays NULL when none is configured. 0, or 2. */
static int load_intel(const struct config *cfg, char **cli, int ncli, char ***paths, int *n,
		      struct intel_db **db)
{
	static char files[sizeof(cfg->intel_files)];
	*db = NULL;
	*n = 0;
	*paths = calloc((size_t)ncli + sizeof(files) / 2 + 1, sizeof(char *));
	if (!*paths)
		return 2;
	snprintf(files, sizeof(files), "%s", cfg->intel_files);
	for (char *save = NULL, *t = strtok_r(files, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (*t)
			(*paths)[(*n)++] = t;
	}
	for (int i = 0; i < ncli; i++)
		(*paths)[(*n)++] = cli[i];
	struct stat st;
	if (!*n && (!cfg->intel_dir[0] || stat(cfg->intel_dir, &st) != 0))
		return 0; /* none yet (a reload reads intel.dir when it appears) */
	*db = intel_db_load(*paths, *n, cfg->intel_dir, false);
	return *db ? 0 : 2;
}

/* OUTDIR/mamori.pid while `mamori live` runs: what 'mamori intel reload' signals. */
static void pidfile(const char *outdir, bool create)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/mamori.pid", outdir);
	if (!create) {
		unlink(path);
		return;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		log_warn("%s: cannot write: 'mamori intel reload' will need --pid", path);
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

static void classification_beside(struct ruleset *rs, const struct config *cfg, const char *rules);

/* Load the rule files and build the detection engine; *de stays NULL
 * without rules. 0, or 2 (a file could not be read, or out of memory). */
static int load_rules(const struct config *cfg, char **files, int n, struct detect_engine **de)
{
	*de = NULL;
	if (n == 0)
		return 0;
	struct ruleset *rs = ruleset_new(cfg);
	if (!rs)
		return 2;
	classification_beside(rs, cfg, files[0]);
	for (int i = 0; i < n; i++) {
		if (ruleset_load_path(rs, files[i]) < 0) {
			ruleset_free(rs);
			return 2;
		}
	}
	log_info("rules: %u loaded, %u skipped as unsupported, %u with errors, %u waiting for the "
		 "application layer ('mamori rules check' lists them); loaded in %.2f s",
		 rs->n_loaded, rs->n_skipped, rs->n_errors, rs->n_waiting, rs->load_ns / 1e9);
	*de = detect_engine_build(rs, cfg);
	return *de ? 0 : 2;
}

static int run(int argc, char **argv, bool live)
{
	struct config cfg;
	const char *outdir = ".";
	const char *bpf = NULL;
	const char *cfgfile = NULL;
	bool progress = true;
	char **sets = calloc((size_t)argc, sizeof(char *));
	char **rules = calloc((size_t)argc, sizeof(char *));
	char **intel = calloc((size_t)argc, sizeof(char *));
	char **intel_paths = NULL;
	int nsets = 0, nrules = 0, nintel = 0, nintel_paths = 0, c, rc = 2;

	if (!sets || !rules || !intel) {
		free(sets);
		free(rules);
		free(intel);
		return 2;
	}
	config_defaults(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:c:w:S:I:k:qvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			rules[nrules++] = optarg;
			break;
		case 'I':
			intel[nintel++] = optarg;
			break;
		case 'k': {
			char kv[64];
			snprintf(kv, sizeof(kv), "pcap-file.checksum-checks=%s", optarg);
			if (config_set_kv(&cfg, kv) < 0)
				goto out;
			break;
		}
		case 'o':
			outdir = optarg;
			break;
		case 'c':
			cfgfile = optarg;
			break;
		case OPT_SET:
			sets[nsets++] = optarg;
			break;
		case 'w': {
			char kv[64];
			snprintf(kv, sizeof(kv), "workers=%s", optarg);
			if (config_set_kv(&cfg, kv) < 0)
				goto out;
			break;
		}
		case OPT_BPF:
			bpf = optarg;
			break;
		case OPT_PROFILE: {
			char kv[64];
			if (config_set_kv(&cfg, "profiling.rules.enabled=true") < 0)
				goto out;
			snprintf(kv, sizeof(kv), "profiling.rules.limit=%s",
				 optarg ? optarg : "10");
			if (config_set_kv(&cfg, kv) < 0)
				goto out;
			break;
		}
		case OPT_NO_PROGRESS:
			progress = false;
			break;
		case OPT_STORE:
			if (config_set(&cfg, "store.path", optarg, "--store") < 0 ||
			    config_set(&cfg, "store.enabled", "yes", "--store") < 0)
				goto out;
			break;
		case OPT_NO_STORE:
			if (config_set(&cfg, "store.enabled", "no", "--no-store") < 0)
				goto out;
			break;
		case OPT_HELP_CONFIG:
			printf("settings (YAML keys; --set KEY=VALUE):\n");
			config_dump(&cfg, stdout);
			rc = 0;
			goto out;
		case 'q':
			log_set_level(LOG_ERROR);
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			live ? usage_live(stdout) : usage_read(stdout);
			rc = 0;
			goto out;
		default:
			live ? usage_live(stderr) : usage_read(stderr);
			goto out;
		}
	}
	if (cfgfile && config_load_file(&cfg, cfgfile) < 0)
		goto out;
	/* --set wins over the file, whatever the order on the command line. */
	for (int i = 0; i < nsets; i++)
		if (config_set_kv(&cfg, sets[i]) < 0)
			goto out;
	int nargs = argc - optind;
	if (live ? nargs != 1 : nargs < 1) {
		live ? usage_live(stderr) : usage_read(stderr);
		goto out;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct detect_engine *de;
	struct intel_db *idb;
	char db[4096];
	/* intel.dir defaults to intel/ beside the store, where 'mamori intel
	 * import' keeps feeds */
	if (!cfg.intel_dir[0] && cfg.store_enabled &&
	    (store_path_for(&cfg, outdir, db, sizeof(db)) < 0 ||
	     store_intel_dir(&cfg, db, cfg.intel_dir, sizeof(cfg.intel_dir)) < 0)) {
		log_error("%s: path too long", outdir);
		goto out;
	}
	rc = load_intel(&cfg, intel, nintel, &intel_paths, &nintel_paths, &idb);
	if (rc)
		goto out;
	rc = load_rules(&cfg, rules, nrules, &de);
	if (rc) {
		intel_db_release(idb);
		goto out;
	}
	rc = 2;
	struct engine *e = engine_new(&cfg, outdir, progress, de);
	if (!e) {
		intel_db_release(idb);
		rc = 3;
		goto out;
	}
	if (engine_set_intel(e, idb, intel_paths, nintel_paths) < 0) {
		engine_free(e);
		goto out;
	}
	if (live)
		pidfile(outdir, true);
	int r =
	    live ? engine_live(e, argv[optind], bpf) : engine_read_files(e, argv + optind, nargs);
	if (live)
		pidfile(outdir, false);
	int f = engine_finish(e);
	engine_free(e);
	rc = f ? f : r;
out:
	free(sets);
	free(rules);
	free(intel);
	free(intel_paths);
	return rc;
}

static void usage_rules(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori rules check [options] PATH...\n"
	    "Load rule files or folders of *.rules (Suricata syntax) and report: rules loaded, "
	    "rules skipped as\n"
	    "unsupported (counted by keyword or reason), rules with errors (file:line:column\n"
	    "and keyword), rules waiting for the application layer, load time and memory.\n"
	    "A classification.config beside the first file is used when present.\n\n"
	    "options:\n"
	    "  -c, --config FILE    YAML configuration (rule variables ...)\n"
	    "      --set KEY=VALUE  override one setting, e.g. vars.address-groups.HOME_NET=...\n"
	    "  -v, --verbose        print a line for every rule skipped or in error\n"
	    "  -q, --quiet          print the summary only\n\n"
	    "exit status: 0 every rule loaded or was skipped as unsupported; 1 some rule\n"
	    "has an error; 2 usage error or a file could not be read.\n");
}

/* Use the classification.config and reference.config beside the first rules
 * file (or in the rules folder), unless configured. */
static void config_files_beside(struct ruleset *rs, const struct config *cfg, const char *rules,
				const char *name)
{
	if (!strcmp(rules, "-"))
		return;
	if (!strcmp(name, "classification.config") ? cfg->classification_file[0]
						   : cfg->reference_file[0])
		return;
	char path[4096];
	struct stat st;
	if (stat(rules, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(path, sizeof(path), "%s/%s", rules, name);
	} else {
		const char *slash = strrchr(rules, '/');
		int n = slash ? (int)(slash - rules) : 0;
		snprintf(path, sizeof(path), "%.*s%s%s", n, rules, slash ? "/" : "", name);
	}
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	fclose(f);
	int rc = !strcmp(name, "classification.config") ? ruleset_load_classification(rs, path)
							: ruleset_load_references(rs, path);
	if (rc == 0)
		log_debug("%s from %s", name, path);
}

static void classification_beside(struct ruleset *rs, const struct config *cfg, const char *rules)
{
	config_files_beside(rs, cfg, rules, "classification.config");
	config_files_beside(rs, cfg, rules, "reference.config");
}

static long peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int rules_check(int argc, char **argv)
{
	struct config cfg;
	const char *cfgfile = NULL;
	char **sets = calloc((size_t)argc, sizeof(char *));
	int nsets = 0, c, rc = 2;
	bool verbose = false, quiet = false;

	if (!sets)
		return 2;
	config_defaults(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:qvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfgfile = optarg;
			break;
		case OPT_SET:
			sets[nsets++] = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage_rules(stdout);
			rc = 0;
			goto out;
		default:
			usage_rules(stderr);
			goto out;
		}
	}
	if (cfgfile && config_load_file(&cfg, cfgfile) < 0)
		goto out;
	for (int i = 0; i < nsets; i++)
		if (config_set_kv(&cfg, sets[i]) < 0)
			goto out;
	if (optind >= argc) {
		usage_rules(stderr);
		goto out;
	}
	struct ruleset *rs = ruleset_new(&cfg);
	if (!rs)
		goto out;
	rs->report = stdout;
	if (verbose)
		rs->max_messages = UINT32_MAX;
	if (quiet)
		rs->max_messages = 0;
	classification_beside(rs, &cfg, argv[optind]);
	bool unreadable = false;
	for (int i = optind; i < argc; i++)
		if (ruleset_load_path(rs, argv[i]) < 0)
			unreadable = true;
	if (quiet)
		rs->n_messages = 0;
	ruleset_report(rs, stdout);
	printf("memory: peak RSS %.1f MB\n", peak_rss_kib() / 1024.0);
	rc = unreadable ? 2 : rs->n_errors ? 1 : 0;
	ruleset_free(rs);
out:
	free(sets);
	return rc;
}

static void features(void)
{
	static const char *const list[] = {
	    "capture:pcap",	 "capture:pcapng", "capture:live",
	    "decode:ethernet",	 "decode:vlan",	   "decode:qinq",
	    "decode:sll",	 "decode:sll2",	   "decode:null",
	    "decode:raw",	 "decode:ipv4",	   "decode:ipv6",
	    "decode:tcp",	 "decode:udp",	   "decode:icmpv4",
	    "decode:icmpv6",	 "defrag",	   "stream",
	    "community-id",	 "event:flow",	   "event:stats",
	    "event:alert",	 "event:fileinfo", "rules",
	    "detect:vectorscan", "detect:pcre2",   "HAVE_JA3",
	    "HAVE_JA4", /* Suricata's build features, as verify tests name them */
	};
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		puts(list[i]);
	/* each app-layer parser: its protocol, and its EVE record type */
	for (uint16_t a = 1; a < ALPROTO_MAX; a++) {
		const struct app_parser *ap = app_parser_for(a);
		if (!ap || ap->alproto != a)
			continue;
		printf("app:%s\nevent:%s\n", alproto_name(a), alproto_name(a));
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "read"))
		return run(argc - 1, argv + 1, false);
	if (!strcmp(cmd, "live"))
		return run(argc - 1, argv + 1, true);
	bool help = argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
	if (!strcmp(cmd, "rules")) {
		if (argc > 2 && !strcmp(argv[2], "check"))
			return rules_check(argc - 2, argv + 2);
		usage_rules(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	if (!strcmp(cmd, "intel"))
		return intel_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "hunt"))
		return hunt_cmd(argc - 1, argv + 1, false);
	if (!strcmp(cmd, "query"))
		return query_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "audit"))
		return audit_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "incidents") || !strcmp(cmd, "report") || !strcmp(cmd, "share"))
		return incident_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "serve"))
		return serve_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "features")) {
		if (help)
			printf(
			    "usage: mamori features\nList what this build supports, one per line "
			    "(capture:, decode:, event: ...).\n");
		else
			features();
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		if (help)
			printf("usage: mamori version\nPrint the version.\n");
		else
			printf("mamori %s\n", MAMORI_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mamori: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
