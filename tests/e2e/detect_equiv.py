#!/usr/bin/env python3
"""detect_equiv: the detection engine's shortcuts must not change what it finds.

For each input, three runs must write the same alerts (ordering aside):
  1. the engine as built (Vectorscan prefilter by port group, address index for
     IP-only rules, packet/stream split), one worker;
  2. `--set detect.prefilter=false`: every rule checked by brute force;
  3. the engine as built with four workers. Rules with thresholds are compared
     by count only there: which matches a shared threshold lets through depends
     on how the workers' packets interleave (as in Suricata).
Inputs: every generated scenario with the local rules below and etc/demo.rules;
with ../shared/data present, also ET Open over a few real captures.

usage: detect_equiv.py MAMORI MAMORI_GEN [SHARED_DATA_DIR]
"""
import json, os, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
shared = sys.argv[3] if len(sys.argv) > 3 else None
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
env = dict(os.environ, TZ="UTC")

# Rules that touch every grouping path: ports on either side, port lists and
# negations, <>, IP-only with wide and narrow sides, no-content rules, stream
# and packet rules, nocase, chopped fast patterns, relative chains.
LOCAL_RULES = r"""
alert tcp any any -> any 80 (msg:"GET to 80"; flow:established,to_server; content:"GET "; startswith; sid:1;)
alert tcp any 80 -> any any (msg:"HTTP reply"; flow:established,to_client; content:"HTTP/1."; sid:2;)
alert tcp any any -> any [80,443,8000:8100] (msg:"Host header"; content:"host|3a| "; nocase; sid:3;)
alert tcp any any -> any !22 (msg:"any a-z run"; content:"abcdefghijklmnop"; fast_pattern:2,8; sid:4;)
alert tcp any any <> any 80 (msg:"bidirectional"; content:"HTTP"; sid:5;)
alert udp any any -> any 53 (msg:"DNS query"; content:"|01 00 00 01|"; offset:2; depth:4; sid:6;)
alert udp any 53 -> any any (msg:"DNS answer"; content:"|81 80|"; offset:2; depth:2; sid:7;)
alert ip 10.0.0.0/8 any -> any any (msg:"from 10/8"; sid:8;)
alert ip any any -> 10.1.0.20 any (msg:"to the file server"; sid:9;)
alert ip [192.168.0.0/16,!192.168.1.1] any -> any any (msg:"from 192.168 but .1.1"; sid:10;)
alert tcp any any -> any any (msg:"SYN only"; flags:S; sid:11;)
alert icmp any any -> any any (msg:"echo"; itype:8; sid:12;)
alert tcp any any -> any any (msg:"packet payload"; flow:no_stream; content:"HTTP/1.1"; sid:13;)
alert tcp any any -> any any (msg:"relative chain"; content:"GET"; content:"HTTP/1.1"; distance:0; within:200; sid:14;)
alert udp any any -> any any (msg:"small UDP"; dsize:<40; sid:15;)
alert ip any any -> any any (msg:"everything once per rule"; threshold:type limit,track by_rule,count 3,seconds 3600; sid:16;)
alert tcp any any -> any any (msg:"marker across segments"; content:"split-across-segments"; sid:17;)
alert tcp any any -> any any (msg:"TLS client hello"; content:"|16 03|"; depth:2; content:"|01|"; distance:3; within:1; sid:18;)
"""

SHARED_CAPTURES = [
    "pcaps/malicious/markofu-pcaps/EvilFingers/XScan_unzipped/xscan_capture.pcap",
    "pcaps/malicious/markofu-pcaps/NetworkForensics/puzzle1.pcap",
    "pcaps/malicious/markofu-pcaps/EvilFingers/Praveen_unzipped/MySQL_Authentication_Bypass_with_ZeroLength_String2.pcap",
    "pcaps/benign/chrissanders-packets/http_espn.pcapng",
    "pcaps/benign/chrissanders-packets/ipv6_fragments.pcapng",
    "pcaps/benign/chrissanders-packets/tcp_handshake.pcapng",
    "pcaps/benign/chrissanders-packets/dns_query_response.pcapng",
]


THRESHOLD_SIDS = {16}


def alerts(pcaps, rules, workers, prefilter, tmp, tag):
    out = os.path.join(tmp, tag)
    argv = [mamori, "read", "-q", "--no-progress", "-w", str(workers), "-o", out,
            "--set", "stats.interval=0", "--set", "detect.prefilter=" + prefilter,
            "-S", rules] + pcaps
    subprocess.run(argv, env=env, check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    recs = []
    for line in open(os.path.join(out, "eve.json")):
        ev = json.loads(line)
        if ev["event_type"] == "alert":
            ev.pop("flow", None)  # its counters depend on when the alert was raised
            if workers > 1 and ev["alert"]["signature_id"] in THRESHOLD_SIDS:
                ev = {"thresholded sid": ev["alert"]["signature_id"]}
            recs.append(json.dumps(ev, sort_keys=True))
    return sorted(recs)


def compare(name, pcaps, rules, tmp):
    base = alerts(pcaps, rules, 1, "true", tmp, name + "-pf")
    brute = alerts(pcaps, rules, 1, "false", tmp, name + "-brute")
    four = alerts(pcaps, rules, 4, "true", tmp, name + "-w4")
    base4 = sorted(json.dumps({"thresholded sid": json.loads(r)["alert"]["signature_id"]})
                   if json.loads(r)["alert"]["signature_id"] in THRESHOLD_SIDS else r for r in base)
    ok = True
    for what, ref, other in (("brute force", base, brute), ("4 workers", base4, four)):
        if other != ref:
            ok = False
            only_a = [r for r in ref if r not in other][:2]
            only_b = [r for r in other if r not in ref][:2]
            print("FAIL %s: %d alerts as built, %d with %s" % (name, len(ref), len(other), what))
            for r in only_a:
                print("    only as built: " + r[:300])
            for r in only_b:
                print("    only with %s: %s" % (what, r[:300]))
    if ok:
        print("ok   %s: %d alerts" % (name, len(base)))
    return ok


def main():
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "local.rules")
        with open(local, "w") as f:
            f.write(LOCAL_RULES)
        names = [l.split()[0] for l in subprocess.run([gen, "--list"], check=True, text=True,
                 stdout=subprocess.PIPE).stdout.splitlines() if l.strip()]
        pcaps = []
        for n in names:
            if n.startswith("bad-") or n in ("many-flows", "behaviour", "background",
                                             "intrusion", "flood"):
                continue
            p = os.path.join(tmp, n + ".pcap")
            subprocess.run([gen, n, p], check=True)
            pcaps.append(p)
        for rules, tag in ((local, "local rules"), (os.path.join(root, "etc", "demo.rules"), "demo rules")):
            if compare(tag + " on every scenario", pcaps, rules, tmp):
                passed += 1
            else:
                failed += 1
        et = os.path.join(shared or "", "rules", "et-open", "rules")
        if shared and os.path.isdir(et):
            caps = [os.path.join(shared, c) for c in SHARED_CAPTURES
                    if os.path.exists(os.path.join(shared, c))]
            if caps and compare("ET Open on %d shared captures" % len(caps), caps, et, tmp):
                passed += 1
            elif caps:
                failed += 1
        else:
            print("skip ET Open: %s not present" % et)
    print("detect_equiv: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
