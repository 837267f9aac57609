#!/usr/bin/env python3
"""e2e intrusion_gen: mamori-gen's intrusion capture, its truth and its fixtures agree.

Writes `mamori-gen intrusion` (seed 1) twice and once with seed 2, and checks:

- the same seed gives the same capture, truth, rules and intel bytes; another seed other
  capture bytes but the same fixtures and fixed figures;
- tshark (when installed) reads as many packets and frame bytes as the truth's `capture`;
- `mamori rules check` loads every rule and `mamori intel check` every indicator;
- `mamori read` with the rules, the intel and tests/behaviour.yaml: each rule raises the
  truth's alert count; the fileinfo records of the two tools, the staged archive and the
  two uploads have the truth's sizes and digests; the flow records between the two hosts
  and the two servers sum to the truth's bytes_out / bytes_in (in all, per host, per
  channel) over the truth's number of flows; the intel records name the actor and never
  the exfiltration server; the internal scan is reported;
- `mamori intel import` of the bundle attributes its retro-hunt sightings to the actor.

The archive is 2 MiB, over mamori's default stream.reassembly.depth (1 MiB): the reads
raise the depth so that the whole request body, and its digests, are seen.

usage: intrusion_gen.py MAMORI MAMORI_GEN
"""
import collections, filecmp, json, os, shutil, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "behaviour.yaml")
env = dict(os.environ, TZ="UTC")
HOSTS = ("10.10.1.23", "10.10.1.55")
SERVERS = ("185.243.115.84", "45.67.230.12")
CHANNEL = {80: "http", 443: "tls"}
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def generate(tmp, name, *args):
    base = os.path.join(tmp, name)
    subprocess.run([gen, "intrusion", base + ".pcap"] + list(args), check=True)
    return {k: base + s for k, s in (("pcap", ".pcap"), ("truth", ".truth.json"),
                                     ("rules", ".rules"), ("intel", ".intel.json"))}


def run(*args):
    return subprocess.run([mamori] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def tshark_totals(pcap):
    p = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "frame.len"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lens = [int(x) for x in p.stdout.split()]
    return p.returncode, len(lens), sum(lens)


with tempfile.TemporaryDirectory() as tmp:
    a = generate(tmp, "a")
    b = generate(tmp, "b", "--seed", "1")
    c = generate(tmp, "c", "--seed", "2")
    for k in ("pcap", "truth", "rules", "intel"):
        check(filecmp.cmp(a[k], b[k], shallow=False), "seed 1 twice: same " + k)
    check(not filecmp.cmp(a["pcap"], c["pcap"], shallow=False), "seed 2: other capture bytes")
    for k in ("rules", "intel"):
        check(filecmp.cmp(a[k], c[k], shallow=False), "seed 2: same " + k)
    truth, truth2 = json.load(open(a["truth"])), json.load(open(c["truth"]))
    x, x2 = truth["intrusion"], truth2["intrusion"]
    check(truth["scenario"] == "intrusion" and truth["seed"] == 1, "scenario and seed")
    check([n["name"] for n in truth["behaviours"]] == ["scan-horizontal", "darknet"],
          "noise behaviours: scan-horizontal, darknet")
    check([h["ip"] for h in x["hosts"]] == list(HOSTS), "hosts A and B")
    check(x["flows"] == x2["flows"] == 38 and x["rules"] == x2["rules"],
          "fixed figures do not depend on the seed")
    check(x["dwell_seconds"] > 0 and x["first_seen"] == x["tools_in"][0]["ts"],
          "dwell from the first tool download")
    size = os.path.getsize(a["pcap"])
    cap = truth["capture"]
    check(cap["frame_bytes"] + 16 * cap["packets"] + 24 == size,
          "capture totals match the file size")

    if shutil.which("tshark"):
        rc, pkts, nbytes = tshark_totals(a["pcap"])
        check(rc == 0 and pkts == cap["packets"] and nbytes == cap["frame_bytes"],
              "tshark: %d packets, %d bytes; truth %d, %d" % (pkts, nbytes, cap["packets"],
                                                              cap["frame_bytes"]))
    else:
        print("tshark not installed: packet count not cross-checked")

    p = run("rules", "check", a["rules"])
    check(p.returncode == 0 and "%d loaded" % len(x["rules"]) in p.stdout + p.stderr,
          "rules check: every rule loads: " + (p.stdout + p.stderr)[-300:])
    p = run("intel", "check", a["intel"])
    check(p.returncode == 0 and "3 loaded" in p.stdout + p.stderr,
          "intel check: three indicators: " + (p.stdout + p.stderr)[-300:])

    out = os.path.join(tmp, "out")
    p = run("read", "--no-progress", "--no-store", "-c", CONFIG, "-o", out, "-S", a["rules"],
            "-I", a["intel"], "--set", "stream.reassembly.depth=4mb", a["pcap"])
    check(p.returncode == 0, "mamori read exits 0: " + p.stderr[-300:])
    events = collections.defaultdict(list)
    for line in open(os.path.join(out, "eve.json")):
        ev = json.loads(line)
        events[ev["event_type"]].append(ev)

    alerts = collections.Counter(str(e["alert"]["signature_id"]) for e in events["alert"])
    for sid, n in x["rules"].items():
        check(alerts.get(sid, 0) == n, "rule %s: %d alerts, truth %d" % (sid, alerts.get(sid, 0), n))
    check(set(alerts) == set(x["rules"]), "no other alert: %s" % dict(alerts))

    def fileinfo(src, dst, name):
        return [e["fileinfo"] for e in events["fileinfo"]
                if e["src_ip"] == src and e["dest_ip"] == dst and e["fileinfo"]["filename"] == name]

    def same_file(got, want, what):
        ok = len(got) == 1 and all(got[0].get(k) == want[k]
                                   for k in ("size", "md5", "sha1", "sha256"))
        check(ok, "%s: fileinfo %s, truth %s" % (what, got, {k: want[k] for k in
                                                            ("size", "md5", "sha256")}))

    for t in x["tools_in"]:
        same_file(fileinfo(t["peer"], t["host"], t["fileinfo_filename"]), t, "tool " + t["name"])
    for t in x["staged"]:
        same_file(fileinfo(t["host"], t["peer"], t["fileinfo_filename"]), t, "staged " + t["name"])
    uploads = fileinfo(HOSTS[1], SERVERS[1], "/upload")
    csv, mp = x["files_out"]
    # mamori does not take multipart bodies apart: its file is the whole request body
    same_file([f for f in uploads if f["size"] == csv["size"]], csv, "upload " + csv["name"])
    same_file([f for f in uploads if f["size"] == mp["http_body"]["size"]], mp["http_body"],
              "upload " + mp["name"] + " (the whole multipart body)")

    got = {"out": collections.Counter(), "in": collections.Counter()}
    nflows = 0
    for e in events["flow"]:
        if e["src_ip"] in HOSTS and e["dest_ip"] in SERVERS:
            nflows += 1
            ch = CHANNEL.get(e["dest_port"], "other")
            for d, k in (("out", "bytes_toserver"), ("in", "bytes_toclient")):
                for key in ("total", ch, e["src_ip"], e["src_ip"] + "/" + ch):
                    got[d][key] += e["flow"][k]
    check(nflows == x["flows"], "flows with the servers: %d, truth %d" % (nflows, x["flows"]))
    for d in ("out", "in"):
        want = x["bytes_" + d]
        check(got[d]["total"] == want["total"],
              "bytes_%s total: flows %d, truth %d" % (d, got[d]["total"], want["total"]))
        for ch, v in want["channels"].items():
            check(got[d][ch] == v, "bytes_%s %s: flows %d, truth %d" % (d, ch, got[d][ch], v))
        for h in want["by_host"]:
            check(got[d][h["host"]] == h["total"], "bytes_%s %s: flows %d, truth %d" %
                  (d, h["host"], got[d][h["host"]], h["total"]))
            for ch, v in h["channels"].items():
                k = h["host"] + "/" + ch
                check(got[d][k] == v, "bytes_%s %s: flows %d, truth %d" % (d, k, got[d][k], v))

    actors = {e["intel"].get("actor") for e in events["intel"]}
    check(actors == {"KOI SHADOW"}, "intel records name the actor: %s" % actors)
    check(not [e for e in events["intel"] if SERVERS[1] in (e["src_ip"], e["dest_ip"])],
          "no intel record for the exfiltration server")
    scans = [e for e in events["scan"] if e["src_ip"] == HOSTS[0] and e["scan"]["final"]]
    check(len(scans) == 1 and scans[0]["scan"]["internal_source"] and
          scans[0]["scan"]["distinct_hosts"] == x["discovery"]["distinct_targets"],
          "the internal scan is reported: %s" % [s["scan"] for s in scans])

    store = os.path.join(tmp, "store")
    p = run("read", "--no-progress", "-q", "-c", CONFIG, "-o", store, a["pcap"])
    check(p.returncode == 0, "mamori read into a store: " + p.stderr[-300:])
    p = run("intel", "import", "-q", "-c", CONFIG, "--store", os.path.join(store, "mamori.db"),
            "-o", os.path.join(store, "retro.json"), a["intel"])
    check(p.returncode == 0, "intel import exits 0: " + p.stderr[-300:])
    retro = [json.loads(l) for l in open(os.path.join(store, "retro.json"))]
    check(len(retro) > 0 and all(r["intel"].get("retro") and r["intel"].get("actor") ==
                                 "KOI SHADOW" for r in retro),
          "intel import: %d retro sightings, all of KOI SHADOW" % len(retro))

print("intrusion_gen: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
