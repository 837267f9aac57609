#!/usr/bin/env python3
"""bad_input: damaged and wrong input files give one clear line naming the
file (and the byte offset of the damage), everything before the damage is
analysed, the output stays valid JSON, and the exit status is as documented
(0 ok, 1 input missing or damaged, 2 usage).

usage: bad_input.py MAMORI MAMORI_GEN
"""
import json, os, re, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
env = dict(os.environ, TZ="UTC")
passed = failed = 0

def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)

def run(args, tmp):
    out = os.path.join(tmp, "out")
    p = subprocess.run([mamori, "read", "--no-progress", "-w", "1", "-o", out] + args, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    recs = []
    path = os.path.join(out, "eve.json")
    valid = True
    if os.path.exists(path):
        for line in open(path):
            try:
                recs.append(json.loads(line))
            except ValueError:
                valid = False
    stats = [r for r in recs if r["event_type"] == "stats"]
    return p.returncode, p.stderr, recs, valid, (stats[-1]["stats"] if stats else None)

with tempfile.TemporaryDirectory() as tmp:
    def g(name):
        p = os.path.join(tmp, name + ".pcap")
        subprocess.run([gen, name, p], check=True)
        return p

    # Truncated: 10 good records, the 11th header promises 1500 bytes, the file ends.
    trunc = g("bad-truncated")
    rc, err, recs, valid, st = run([trunc], tmp)
    check(rc == 1, f"truncated: exit 1, got {rc}")
    check(trunc in err and "byte offset 904" in err, f"truncated: message names file and offset: {err!r}")
    check(valid and st and st["capture"]["packets"] == 10, "truncated: 10 packets analysed, valid JSON")
    check(any(r["event_type"] == "flow" for r in recs), "truncated: the flow before the damage is written")

    # A record whose caplen lies (0x7fffffff).
    lying = g("bad-lying-len")
    rc, err, recs, valid, st = run([lying], tmp)
    check(rc == 1 and "byte offset 472" in err, f"lying length: exit 1 and offset 472: {rc} {err!r}")
    check(valid and st and st["capture"]["packets"] == 5, "lying length: 5 packets analysed")

    # Missing file, a text file, an empty file: named, and the good file after them is still read.
    good = g("tcp-basic")
    text = os.path.join(tmp, "notes.txt")
    open(text, "w").write("this is not a capture\n" * 10)
    empty = os.path.join(tmp, "empty.pcap")
    open(empty, "w").close()
    missing = os.path.join(tmp, "missing.pcap")
    rc, err, recs, valid, st = run([missing, text, empty, good], tmp)
    check(rc == 1, f"bad files: exit 1, got {rc}")
    for f in (missing, text, empty):
        check(f in err, f"bad files: {f} named in {err!r}")
    check(valid and st and st["capture"]["packets"] == 13, "bad files: the good file after them is analysed")
    check(st and st["capture"]["file_errors"] == 3, "bad files: 3 file errors counted")

    # Snaplen shorter than the headers and lying length fields: anomalies, not errors.
    mal = g("malformed")
    rc, err, recs, valid, st = run([mal], tmp)
    check(rc == 0 and valid, f"malformed: exit 0 and valid JSON ({rc})")
    check(st and st["decoder"]["invalid"] >= 15, "malformed: the defective packets are counted")
    check(st and st["capture"]["truncated_by_snaplen"] >= 1, "malformed: snaplen truncation counted")

    # stdin
    p = subprocess.run([mamori, "read", "--no-progress", "-q", "-w", "1", "-o", os.path.join(tmp, "stdin"), "-"],
                       stdin=open(good, "rb"), env=env)
    recs = [json.loads(l) for l in open(os.path.join(tmp, "stdin", "eve.json"))]
    check(p.returncode == 0 and sum(r["event_type"] == "flow" for r in recs) == 1, "stdin: one flow")

    # A YARA rule file with an error: refused before any packet, naming file and line.
    bad_yar = os.path.join(tmp, "bad.yar")
    with open(bad_yar, "w") as f:
        f.write('rule broken\n{\n  strings: $a = "abc"\n  condition: $b\n}\n')
    rc, err, recs, valid, st = run(["--set", "file.yara-rules=" + bad_yar, good], tmp)
    check(rc != 0 and re.search(re.escape(bad_yar) + r":\d+: yara: undefined string", err) is not None,
          f"bad yara: refused with file:line: {rc} {err!r}")

    # Usage errors exit 2.
    for args in (["read"], ["read", "--set", "flow.memcap=lots", good], ["nonsense"],
                 ["read", "-c", os.path.join(tmp, "nope.yaml"), good]):
        q = subprocess.run([mamori] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(q.returncode == 2, f"usage {args}: exit 2, got {q.returncode}")
    for args in (["read", "--help"], ["live", "--help"], ["--help"], ["features"],
                 ["features", "--help"], ["version", "--help"], ["version"]):
        q = subprocess.run([mamori] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(q.returncode == 0 and q.stdout, f"{args}: exit 0 with text")

print(f"bad_input: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
