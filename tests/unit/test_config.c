/*
 * Configuration: defaults, --set overrides with validation, sizes, and YAML
 * files (nesting, sequences ignored but for list keys, dataset declarations,
 * errors naming file and line).
 */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/config.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/mamori-cfg-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) < 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

int main(void)
{
	struct config c;
	uint64_t v;

	config_defaults(&c);
	CHECK_EQ(c.flow_memcap, 128ull << 20);
	CHECK_EQ(c.timeout_est[FPC_TCP], 600);
	CHECK_EQ(c.reassembly_depth, 1u << 20);
	CHECK(!c.midstream);
	CHECK_EQ(c.stream_overlap, OVERLAP_FIRST);

	CHECK(config_set_kv(&c, "stream.midstream=true") == 0);
	CHECK(c.midstream);
	CHECK(config_set_kv(&c, "flow.memcap=2gb") == 0);
	CHECK_EQ(c.flow_memcap, 2ull << 30);
	CHECK(config_set_kv(&c, "defrag.overlap-policy=linux") == 0);
	CHECK_EQ(c.defrag_overlap, OVERLAP_LINUX);
	CHECK(config_set_kv(&c, "flow-timeouts.udp.new=7") == 0);
	CHECK_EQ(c.timeout_new[FPC_UDP], 7);
	/* Bad values are errors; unknown keys are accepted with a warning. */
	CHECK(config_set_kv(&c, "flow.memcap=lots") < 0);
	CHECK(config_set_kv(&c, "stream.midstream=maybe") < 0);
	CHECK(config_set_kv(&c, "flow-timeouts.udp.new=-1") < 0);
	CHECK(config_set_kv(&c, "flow-timeouts.udp.new=99999999999") < 0);
	CHECK(config_set_kv(&c, "outputs.eve.filename=../x") < 0);
	CHECK(config_set_kv(&c, "nonsense") < 0);
	CHECK(config_set_kv(&c, "app-layer.protocols.tls.enabled=yes") == 0);

	CHECK(config_parse_size("10kb", &v) == 0 && v == 10240);
	CHECK(config_parse_size("5", &v) == 0 && v == 5);
	CHECK(config_parse_size("", &v) < 0);
	CHECK(config_parse_size("99999999999999999999gb", &v) < 0);

	const char *yaml = "flow:\n  memcap: 64mb\n  hash-size: 4096\n"
			   "flow-timeouts:\n  tcp:\n    established: 120\n"
			   "vars:\n  - a\n  - b\n"
			   "stream:\n  reassembly:\n    depth: 0\n    overlap-policy: last\n";
	char *path = write_tmp(yaml);
	CHECK(path != NULL);
	config_defaults(&c);
	CHECK(config_load_file(&c, path) == 0);
	CHECK_EQ(c.flow_memcap, 64ull << 20);
	CHECK_EQ(c.flow_hash_size, 4096);
	CHECK_EQ(c.timeout_est[FPC_TCP], 120);
	CHECK_EQ(c.reassembly_depth, 0);
	CHECK_EQ(c.stream_overlap, OVERLAP_LAST);
	unlink(path);

	/* list keys join a YAML sequence with commas; datasets.NAME.* and
	 * datasets.defaults.* */
	yaml = "reputation-files:\n  - a.list\n  - b.list\n"
	       "default-reputation-path: /etc/rep\n"
	       "datasets:\n  defaults:\n    memcap: 1mb\n    hashsize: 1024\n"
	       "  ua-seen:\n    type: string\n    state: ua-seen.lst\n"
	       "  dns-sha256:\n    type: sha256\n    load: dns.lst\n    hashsize: 64\n"
	       "  limits:\n    single-hashsize: 65536\n";
	path = write_tmp(yaml);
	config_defaults(&c);
	CHECK(config_load_file(&c, path) == 0);
	CHECK_STR(c.reputation_files, "a.list,b.list");
	CHECK_STR(c.reputation_path, "/etc/rep");
	CHECK_EQ(c.dataset_memcap, 1u << 20);
	CHECK_EQ(c.dataset_hashsize, 1024);
	CHECK_EQ(c.n_datasets, 2);
	const struct config_dataset *d = config_dataset(&c, "ua-seen");
	CHECK(d && !strcmp(d->type, "string") && !strcmp(d->state, "ua-seen.lst"));
	d = config_dataset(&c, "dns-sha256");
	CHECK(d && !strcmp(d->load, "dns.lst") && d->hashsize == 64 && d->memcap == 0);
	CHECK(config_dataset(&c, "defaults") == NULL);
	CHECK(config_dataset(&c, "limits") == NULL); /* Suricata's, not a set: ignored */
	unlink(path);
	path = write_tmp("datasets:\n  bad:\n    type: sha1\n");
	CHECK(config_load_file(&c, path) < 0);
	unlink(path);

	path = write_tmp("flow:\n  memcap: [unclosed\n");
	CHECK(config_load_file(&c, path) < 0);
	unlink(path);
	path = write_tmp("flow:\n  memcap: 12q\n");
	CHECK(config_load_file(&c, path) < 0);
	unlink(path);
	CHECK(config_load_file(&c, "/nonexistent/mamori.yaml") < 0);
	return check_report("config");
}
