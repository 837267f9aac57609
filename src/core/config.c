/*
 * config — the registry of keys (one table line each), defaults, YAML
 * loading and --set overrides.
 */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/log.h"

enum ctype { T_SIZE, T_U32, T_BOOL, T_OVERLAP, T_STR };

struct ckey {
	const char *key;
	enum ctype type;
	size_t off;
	const char *def;
	const char *help;
};

#define O(f) offsetof(struct config, f)

static const struct ckey keys[] = {
	{"flow.memcap", T_SIZE, O(flow_memcap), "128mb", "memory for flows, per process; at the cap the idlest flow is evicted"},
	{"flow.hash-size", T_U32, O(flow_hash_size), "65536", "flow hash buckets (split over workers)"},
	{"flow-timeouts.default.new", T_U32, O(timeout_new[FPC_DEFAULT]), "30", "seconds"},
	{"flow-timeouts.default.established", T_U32, O(timeout_est[FPC_DEFAULT]), "300", "seconds"},
	{"flow-timeouts.default.closed", T_U32, O(timeout_closed[FPC_DEFAULT]), "0", "seconds"},
	{"flow-timeouts.tcp.new", T_U32, O(timeout_new[FPC_TCP]), "60", "seconds"},
	{"flow-timeouts.tcp.established", T_U32, O(timeout_est[FPC_TCP]), "600", "seconds"},
	{"flow-timeouts.tcp.closed", T_U32, O(timeout_closed[FPC_TCP]), "60", "seconds"},
	{"flow-timeouts.udp.new", T_U32, O(timeout_new[FPC_UDP]), "30", "seconds"},
	{"flow-timeouts.udp.established", T_U32, O(timeout_est[FPC_UDP]), "300", "seconds"},
	{"flow-timeouts.icmp.new", T_U32, O(timeout_new[FPC_ICMP]), "30", "seconds"},
	{"flow-timeouts.icmp.established", T_U32, O(timeout_est[FPC_ICMP]), "300", "seconds"},
	{"stream.midstream", T_BOOL, O(midstream), "false", "pick up TCP sessions without a handshake"},
	{"stream.async-oneside", T_BOOL, O(async_oneside), "false", "accept sessions seen in one direction only"},
	{"stream.reassembly.memcap", T_SIZE, O(reassembly_memcap), "256mb", "memory for buffered out-of-order TCP data; at the cap segments are dropped (counted)"},
	{"stream.reassembly.depth", T_SIZE, O(reassembly_depth), "1mb", "bytes reassembled per direction; 0 = no limit"},
	{"stream.reassembly.max-segments", T_U32, O(reassembly_max_segments), "1024", "out-of-order segments buffered per direction"},
	{"stream.reassembly.overlap-policy", T_OVERLAP, O(stream_overlap), "first", "first|last: which copy wins when buffered segments overlap"},
	{"defrag.memcap", T_SIZE, O(defrag_memcap), "32mb", "memory for fragments; at the cap new fragments are dropped (counted)"},
	{"defrag.timeout", T_U32, O(defrag_timeout), "60", "seconds an incomplete datagram is kept"},
	{"defrag.max-frags", T_U32, O(defrag_max_frags), "256", "fragments per datagram"},
	{"defrag.trackers", T_U32, O(defrag_trackers), "65536", "datagrams under reassembly at once"},
	{"defrag.overlap-policy", T_OVERLAP, O(defrag_overlap), "first", "first|last|bsd|linux"},
	{"workers", T_U32, O(workers), "0", "worker threads; 0 = one per core"},
	{"capture.ring-size", T_SIZE, O(ring_size), "8mb", "bytes of packet ring per worker"},
	{"capture.snaplen", T_U32, O(snaplen), "65535", "live capture snap length"},
	{"capture.promisc", T_BOOL, O(promisc), "true", "live capture in promiscuous mode"},
	{"stats.interval", T_U32, O(stats_interval), "8", "seconds between stats records; 0 = only the final one"},
	{"outputs.eve.filename", T_STR, O(eve_filename), "eve.json", "file name inside the output directory"},
	{"outputs.eve.flow", T_BOOL, O(eve_flow), "true", "write flow records"},
	{"outputs.eve.stats", T_BOOL, O(eve_stats), "true", "write stats records"},
};

#undef O

static const struct ckey *find_key(const char *key)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

int config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (*end == ' ')
		end++;
	uint64_t mul = 1;
	if (*end) {
		if (!strcasecmp(end, "kb") || !strcasecmp(end, "k") || !strcasecmp(end, "kib"))
			mul = 1024;
		else if (!strcasecmp(end, "mb") || !strcasecmp(end, "m") || !strcasecmp(end, "mib"))
			mul = 1024 * 1024;
		else if (!strcasecmp(end, "gb") || !strcasecmp(end, "g") || !strcasecmp(end, "gib"))
			mul = 1024ull * 1024 * 1024;
		else
			return -1;
	}
	if (v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "enabled"};
	static const char *const no[] = {"false", "no", "off", "0", "disabled"};
	for (size_t i = 0; i < 5; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_overlap(const char *s, int *out)
{
	static const char *const names[] = {"first", "last", "bsd", "linux"};
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

int config_set(struct config *c, const char *key, const char *value, const char *origin)
{
	const struct ckey *k = find_key(key);
	char *base = (char *)c;

	if (!k) {
		log_warn("%s: unknown setting '%s' (ignored)", origin, key);
		return 0;
	}
	switch (k->type) {
	case T_SIZE: {
		uint64_t v;
		if (config_parse_size(value, &v) < 0)
			goto bad;
		memcpy(base + k->off, &v, sizeof(v));
		return 0;
	}
	case T_U32: {
		uint64_t v;
		char *end;
		errno = 0;
		if (!isdigit((unsigned char)*value))
			goto bad;
		v = strtoull(value, &end, 10);
		if (errno || *end || v > UINT32_MAX)
			goto bad;
		uint32_t u = (uint32_t)v;
		memcpy(base + k->off, &u, sizeof(u));
		return 0;
	}
	case T_BOOL: {
		bool b;
		if (parse_bool(value, &b) < 0)
			goto bad;
		memcpy(base + k->off, &b, sizeof(b));
		return 0;
	}
	case T_OVERLAP: {
		int o;
		if (parse_overlap(value, &o) < 0)
			goto bad;
		memcpy(base + k->off, &o, sizeof(o));
		return 0;
	}
	case T_STR:
		if (strlen(value) >= sizeof(c->eve_filename) || strchr(value, '/'))
			goto bad;
		strcpy(base + k->off, value);
		return 0;
	}
bad:
	log_error("%s: invalid value '%s' for '%s' (%s)", origin, value, key, k->help);
	return -1;
}

int config_set_kv(struct config *c, const char *kv)
{
	char key[128];
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		log_error("--set: expected key=value, got '%s'", kv);
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	return config_set(c, key, eq + 1, "--set");
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (config_set(c, keys[i].key, keys[i].def, "default") < 0)
			abort(); /* a bad default is a programming error */
}

void config_dump(const struct config *c, FILE *out)
{
	const char *base = (const char *)c;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct ckey *k = &keys[i];
		char val[300];
		switch (k->type) {
		case T_SIZE: {
			uint64_t v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%" PRIu64, v);
			break;
		}
		case T_U32: {
			uint32_t v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%" PRIu32, v);
			break;
		}
		case T_BOOL: {
			bool v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%s", v ? "true" : "false");
			break;
		}
		case T_OVERLAP: {
			static const char *const names[] = {"first", "last", "bsd", "linux"};
			int v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%s", names[v & 3]);
			break;
		}
		case T_STR:
			snprintf(val, sizeof(val), "%s", base + k->off);
			break;
		}
		fprintf(out, "  %-36s %-12s %s (default %s)\n", k->key, val, k->help, k->def);
	}
}

/* YAML: nested mappings become dotted keys; scalars are values. */
#define MAX_DEPTH 16

int config_load_file(struct config *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_event_t ev;
	char stack[MAX_DEPTH][128];
	int depth = 0;        /* mapping nesting */
	bool want_key[MAX_DEPTH + 1];
	int seq_depth = 0;    /* inside a sequence: values are ignored */
	int rc = -1;
	bool done = false;

	if (!f) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		log_error("%s: out of memory", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	want_key[0] = true;

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			log_error("%s:%zu:%zu: YAML error: %s", path, parser.problem_mark.line + 1,
				  parser.problem_mark.column + 1,
				  parser.problem ? parser.problem : "parse error");
			goto out;
		}
		char origin[512];
		snprintf(origin, sizeof(origin), "%s:%zu", path, ev.start_mark.line + 1);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
			if (seq_depth)
				break;
			if (depth >= MAX_DEPTH) {
				log_error("%s: nesting too deep", origin);
				yaml_event_delete(&ev);
				goto out;
			}
			depth++;
			want_key[depth] = true;
			break;
		case YAML_MAPPING_END_EVENT:
			if (seq_depth)
				break;
			depth--;
			if (depth > 0)
				want_key[depth] = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
			seq_depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
			if (--seq_depth == 0 && depth > 0)
				want_key[depth] = true;
			break;
		case YAML_SCALAR_EVENT: {
			if (seq_depth || depth == 0)
				break;
			const char *s = (const char *)ev.data.scalar.value;
			if (want_key[depth]) {
				snprintf(stack[depth - 1], sizeof(stack[0]), "%s", s);
				want_key[depth] = false;
			} else {
				char key[1024] = "";
				size_t n = 0;
				for (int i = 0; i < depth; i++)
					n += (size_t)snprintf(key + n, sizeof(key) - n, "%s%s",
							      i ? "." : "", stack[i]);
				if (n >= sizeof(key) || config_set(c, key, s, origin) < 0) {
					yaml_event_delete(&ev);
					goto out;
				}
				want_key[depth] = true;
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
out:
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
