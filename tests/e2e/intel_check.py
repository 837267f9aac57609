#!/usr/bin/env python3
"""intel_check: `mamori intel check` on the command line, end to end. Each format is
recognised by content and reported on one line per file ("FILE: FORMAT: N loaded, D
duplicates, S skipped[, K notes]") with its reasons; a MISP feed directory and its
manifest.json load the same events; --format misp-all loads what to_ids leaves out; a
malformed JSON file is one line naming the file, jansson's line and column, and exit 1,
the other files still loaded; exit 2 on a usage error.

usage: intel_check.py MAMORI
"""
import json, os, re, subprocess, sys, tempfile

mamori = sys.argv[1]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def run(*args):
    p = subprocess.run([mamori, "intel", "check"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def head(out, path):
    """(format, loaded, duplicates, skipped, notes) of a file's report line."""
    m = re.search(r"^" + re.escape(path) + r": (\S+): (\d+) loaded, (\d+) duplicates, (\d+) skipped"
                  r"(?:, (\d+) notes)?$", out, re.M)
    return (m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5) or 0)) if m else None


UUID1 = "5a610659-d718-4a1f-b020-04d80a016219"
UUID2 = "7a1f92cb-dba7-425f-aacd-85b80ff5cb9a"
stix = {"type": "bundle", "id": "bundle--1", "objects": [
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1", "pattern_type": "stix",
     "pattern": "[ipv4-addr:value = '198.51.100.7' OR domain-name:value = 'c2.example']",
     "valid_from": "2024-01-15T09:00:00Z"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--2", "pattern_type": "stix",
     "pattern": "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' AND file:name = 'x.exe']",
     "valid_from": "2024-01-15T09:00:00Z"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--3", "pattern_type": "yara",
     "pattern": "rule x { condition: true }", "valid_from": "2024-01-15T09:00:00Z"},
    {"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--1", "name": "Phishing"}]}
event = {"Event": {"info": "Operation Example", "Orgc": {"name": "Example CERT"}, "Attribute": [
    {"type": "ip-dst", "value": "192.0.2.8", "to_ids": True},
    {"type": "domain", "value": "context.example", "to_ids": False},
    {"type": "text", "value": "a note", "to_ids": False}]}}

with tempfile.TemporaryDirectory() as tmp:
    def put(name, content):
        p = os.path.join(tmp, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=1))
        return p

    b = put("bundle.json", stix)
    e = put("event.json", event)
    c = put("phish.csv", "date,URL,description\n2025/08/01 10:21:00,https://phish.example/login,brand\n")
    rc, out, err = run(b, e, c)
    check(rc == 0, f"three formats: exit 0, got {rc} {err!r}")
    check(head(out, b) == ("stix", 3, 0, 2, 1), f"stix line: {head(out, b)} in {out!r}")
    check("pattern_type yara (not STIX patterning) (first at 3)" in out, "stix: the yara pattern counted")
    check("note: AND pattern kept as its separate terms (first at 2)" in out, "stix: the AND note")
    check("object type attack-pattern (not an indicator) (first at 4)" in out, "stix: object type")
    check(head(out, e) == ("misp", 1, 0, 2, 0), f"misp line: {head(out, e)}")
    check("attribute not marked to_ids (context, not for detection)" in out, "misp: to_ids reason")
    check(head(out, c) == ("csv", 1, 0, 0, 0), f"csv line: {head(out, c)}")
    check(re.search(r"^intel: 5 loaded, 0 duplicates, 4 skipped;", out, re.M) is not None,
          f"the whole set: {out!r}")

    rc, out, err = run("--format", "misp-all", e)
    check(rc == 0 and head(out, e) == ("misp-all", 2, 0, 1, 0), f"misp-all: {head(out, e)}")

    # a feed: the directory and its manifest load the same; a missing event is counted
    feed = os.path.join(tmp, "feed")
    put(f"feed/{UUID1}.json", event)
    m = put("feed/manifest.json", {UUID1: {"info": "Operation Example"}, UUID2: {"info": "gone"}})
    rc, out, err = run(feed)
    check(rc == 0 and head(out, feed) == ("misp", 1, 0, 3, 0), f"feed directory: {head(out, feed)} {err!r}")
    check("event file missing from the feed (first at 2)" in out, "feed: the missing event")
    rc, out2, err = run(m)
    check(rc == 0 and head(out2, m) == ("misp", 1, 0, 3, 0), f"feed manifest: {head(out2, m)}")

    # malformed JSON: the file, jansson's line and column, exit 1; the next file still loads
    bad = put("bad.json", '{"type": "bundle",\n "objects": [\n  {,}]}\n')
    rc, out, err = run(bad, c)
    check(rc == 1, f"malformed: exit 1, got {rc}")
    check(err.startswith(f"mamori: {bad}: line 3, column 4:"), f"malformed: message {err!r}")
    check(head(out, c) == ("csv", 1, 0, 0, 0), "malformed: the next file loaded")
    trunc = put("trunc.json", '{"Event": {"info": "x", "Attribute": [{"type": "ip-d')
    rc, out, err = run(trunc)
    check(rc == 1 and f"{trunc}: line 1, column" in err, f"truncated: {rc} {err!r}")

    # JSON that is no intel format; a directory without a manifest; usage
    schema = put("schema.json", {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"})
    rc, out, err = run(schema)
    check(rc == 1 and "not a format mamori reads" in err, f"schema: {rc} {err!r}")
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    rc, out, err = run(empty)
    check(rc == 1 and "without a manifest.json" in err, f"directory without manifest: {rc} {err!r}")
    rc, out, err = run("--format", "nonesuch", b)
    check(rc == 1 and "unknown intel format 'nonesuch'" in err, f"unknown format: {rc} {err!r}")
    rc, out, err = run()
    check(rc == 2, f"no file: exit 2, got {rc}")

print(f"intel_check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
