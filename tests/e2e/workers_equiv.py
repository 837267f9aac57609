#!/usr/bin/env python3
"""workers_equiv: `mamori read` with one worker and with four must write the
same set of flow records (ordering aside) for every generated scenario, and
for a few real captures from ../shared/data when it is present.

usage: workers_equiv.py MAMORI MAMORI_GEN [SHARED_DATA_DIR]
"""
import json, os, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
shared = sys.argv[3] if len(sys.argv) > 3 else None
env = dict(os.environ, TZ="UTC")

def flows(pcap, workers, tmp):
    out = os.path.join(tmp, f"w{workers}")
    subprocess.run([mamori, "read", "-q", "--no-progress", "-w", str(workers), "-o", out,
                    "--set", "stats.interval=0", pcap], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    recs = []
    for line in open(os.path.join(out, "eve.json")):
        ev = json.loads(line)
        if ev["event_type"] == "flow":
            recs.append(json.dumps(ev, sort_keys=True))
    return sorted(recs)

passed = failed = 0
with tempfile.TemporaryDirectory() as tmp:
    names = [l.split()[0] for l in subprocess.run([gen, "--list"], check=True, text=True,
             stdout=subprocess.PIPE).stdout.splitlines() if l.strip()]
    inputs = []
    for n in names:
        if n in ("behaviour", "background", "flood"):  # large; tests/e2e/behaviour.py
            continue
        p = os.path.join(tmp, n + ".pcap")
        subprocess.run([gen, n, p], check=True)
        inputs.append((n, p))
    if shared and os.path.isdir(shared):
        for rel in ["pcaps/benign/chrissanders-packets/http_espn.pcapng",
                    "pcaps/benign/chrissanders-packets/ipv6_fragments.pcapng",
                    "pcaps/benign/chrissanders-packets/ip_frag_source.pcapng"]:
            p = os.path.join(shared, rel)
            if os.path.exists(p):
                inputs.append((rel, p))
    else:
        print("workers_equiv: ../shared/data absent, real captures skipped")
    for name, pcap in inputs:
        a, b = flows(pcap, 1, tmp), flows(pcap, 4, tmp)
        if a == b:
            passed += 1
        else:
            failed += 1
            only1 = set(a) - set(b)
            only4 = set(b) - set(a)
            print(f"FAIL {name}: {len(a)} vs {len(b)} records; only -w1: {list(only1)[:2]} only -w4: {list(only4)[:2]}")
print(f"workers_equiv: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
