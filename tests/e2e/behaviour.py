#!/usr/bin/env python3
"""behaviour: mamori-gen's behaviour captures are deterministic and self-consistent.

Same seed twice: identical capture and truth; another seed: different bytes, same fixed
figures. The truth file is JSON with the ten behaviours; the background's lists none. The
analyser reads the capture with no decoder anomaly and finds the beacon's SNI, the PII upload
and the exfil flow's exact packet and byte counts. The flood streams to a pipe.

usage: behaviour.py MAMORI MAMORI_GEN
"""
import filecmp, json, os, re, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
env = dict(os.environ, TZ="UTC")
passed = failed = 0
NAMES = ["scan-horizontal", "scan-vertical", "icmp-sweep", "backscatter", "darknet", "beacon",
         "dns-tunnel", "exfil", "pii-upload", "zone"]


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def generate(tmp, name, scenario, *args):
    pcap = os.path.join(tmp, name + ".pcap")
    subprocess.run([gen, scenario, pcap] + list(args), check=True)
    return pcap, os.path.join(tmp, name + ".truth.json")


with tempfile.TemporaryDirectory() as tmp:
    a, ta = generate(tmp, "a", "behaviour")
    b, tb = generate(tmp, "b", "behaviour", "--seed", "1")
    c, tc = generate(tmp, "c", "behaviour", "--seed", "2")
    check(filecmp.cmp(a, b, shallow=False), "seed 1 twice: same capture")
    check(filecmp.cmp(ta, tb, shallow=False), "seed 1 twice: same truth")
    check(not filecmp.cmp(a, c, shallow=False), "seed 2: other bytes")
    truth, truth2 = json.load(open(ta)), json.load(open(tc))
    check([x["name"] for x in truth["behaviours"]] == NAMES, "ten behaviours in order")
    check(truth["seed"] == 1 and truth2["seed"] == 2, "seed recorded")
    size = os.path.getsize(a)
    check(size < 64 << 20, "capture %d bytes, under 64 MiB" % size)
    check(truth["capture"]["frame_bytes"] + 16 * truth["capture"]["packets"] + 24 == size,
          "capture totals match the file size")
    beh = {x["name"]: x for x in truth["behaviours"]}
    beh2 = {x["name"]: x for x in truth2["behaviours"]}
    for n in ("scan-horizontal", "scan-vertical", "icmp-sweep", "backscatter"):
        check(beh[n]["packets"] == beh2[n]["packets"], n + ": packets do not depend on seed")
    check(beh["beacon"]["count"] == 24 and beh["beacon"]["max_rel_deviation"] <= 0.1,
          "beacon: 24 sessions within 10% jitter")
    check(beh["exfil"]["bytes_payload_up"] == 25165824, "exfil: 24 MiB")
    check(beh["dns-tunnel"]["queries"] == 400, "dns-tunnel: 400 queries")

    g, tg = generate(tmp, "g", "background")
    bg = json.load(open(tg))
    check(bg["behaviours"] == [] and bg["background"] == truth["background"],
          "background: no behaviours, the same background figures")

    out = os.path.join(tmp, "out")
    p = subprocess.run([mamori, "read", "--no-progress", "-o", out, a], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(p.returncode == 0, "mamori read exits 0: " + p.stderr[-300:])
    m = re.search(r"(\d+) decoder anomalies", p.stderr)
    check(m is not None and m.group(1) == "0", "no decoder anomaly")
    sni = url = False
    flows = {}
    for line in open(os.path.join(out, "eve.json")):
        ev = json.loads(line)
        sni |= ev.get("tls", {}).get("sni") == "update.cdn-sync.net"
        url |= ev.get("http", {}).get("url") == "/upload"
        if ev["event_type"] == "flow" and ev["dest_ip"] == "45.67.230.12":
            flows[ev["dest_port"]] = ev["flow"]
    check(sni, "tls.sni update.cdn-sync.net")
    check(url, "http url /upload")
    want, got = beh["exfil"]["flow"], flows.get(443, {})
    check((got.get("pkts_toserver"), got.get("pkts_toclient"), got.get("bytes_toserver"),
           got.get("bytes_toclient")) ==
          (want["packets_up"], want["packets_down"], want["bytes_up"], want["bytes_down"]),
          "exfil flow figures: truth %s, eve %s" % (want, got))

    fl = subprocess.run("%s flood - --count 2000 | cat" % gen, shell=True, check=True,
                        stdout=subprocess.PIPE).stdout
    f2, _ = generate(tmp, "f", "flood", "--count", "2000")
    check(fl == open(f2, "rb").read() and len(fl) == 24 + 2000 * 76,
          "flood: 2000 SYNs, the same through a pipe")
    check(subprocess.run([gen, "office", os.path.join(tmp, "o.pcap"), "--seed", "3"]).returncode
          == 2, "options refused by a scenario without them")

print("behaviour: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
