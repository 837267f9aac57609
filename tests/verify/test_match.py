#!/usr/bin/env python3
"""Unit tests for the verify runner: the EVE matcher, requirements, argument
handling, and a small end-to-end pass over a fake mamori.

Run: python3 tests/verify/test_match.py
"""

import io
import json
import os
import stat
import sys
import tempfile
import textwrap
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

EVENT = {
    "event_type": "alert",
    "src_port": 80,
    "proto": "TCP",
    "alert": {"signature_id": 7, "severity": 2, "metadata": {"tag": ["a", "b", "c"]}},
    "dns": {"answers": [{"rrname": "example.com", "ttl": 300}], "qr": True},
    "flow": {"alerted": False, "bytes": 1500.0},
    "grid": [[1, 2], [3, 4]],
    "nothing": None,
}


def m(match, event=EVENT):
    return run.match_event(match, event)


class FindValue(unittest.TestCase):
    def test_dotted_paths(self):
        self.assertEqual(run.find_value("event_type", EVENT), "alert")
        self.assertEqual(run.find_value("alert.signature_id", EVENT), 7)
        self.assertEqual(run.find_value("alert.metadata.tag", EVENT), ["a", "b", "c"])
        self.assertIsNone(run.find_value("alert.missing", EVENT))
        self.assertIsNone(run.find_value("src_port.deeper", EVENT))  # through a scalar

    def test_list_indices(self):
        self.assertEqual(run.find_value("alert.metadata.tag[0]", EVENT), "a")
        self.assertEqual(run.find_value("alert.metadata.tag[2]", EVENT), "c")
        self.assertIsNone(run.find_value("alert.metadata.tag[3]", EVENT))
        self.assertEqual(run.find_value("dns.answers[0].rrname", EVENT), "example.com")
        self.assertEqual(run.find_value("grid[1][0]", EVENT), 3)
        self.assertIsNone(run.find_value("proto[0]", EVENT))  # index into a string


class Equality(unittest.TestCase):
    def test_scalars(self):
        self.assertTrue(m({"event_type": "alert", "src_port": 80}))
        self.assertFalse(m({"event_type": "alert", "src_port": 81}))
        self.assertTrue(m({"dns.qr": True, "flow.alerted": False}))

    def test_mismatching_types(self):
        self.assertFalse(m({"src_port": "80"}))        # string vs number
        self.assertFalse(m({"alert.signature_id": "7"}))
        self.assertFalse(m({"dns.qr": 1}))             # bool vs number
        self.assertFalse(m({"flow.alerted": 0}))
        self.assertFalse(m({"proto": ["TCP"]}))        # list vs scalar
        self.assertTrue(m({"flow.bytes": 1500}))       # int vs float: same number
        self.assertFalse(m({"alert": "x"}))            # object vs string

    def test_null_and_missing(self):
        self.assertTrue(m({"missing": None}))          # as upstream: absent == null
        self.assertTrue(m({"nothing": None}))
        self.assertFalse(m({"missing": 0}))

    def test_containers_compare_whole(self):
        self.assertTrue(m({"alert.metadata.tag": ["a", "b", "c"]}))
        self.assertFalse(m({"alert.metadata.tag": ["a", "b"]}))
        self.assertTrue(m({"dns.answers[0]": {"rrname": "example.com", "ttl": 300}}))
        self.assertFalse(m({"dns.answers[0]": {"rrname": "example.com"}}))

    def test_empty_match_matches_everything(self):
        self.assertTrue(m({}))
        self.assertTrue(m(None))


class Operators(unittest.TestCase):
    def test_len(self):
        self.assertTrue(m({"alert.metadata.tag.__len": 3}))
        self.assertFalse(m({"alert.metadata.tag.__len": 2}))
        self.assertTrue(m({"proto.__len": 3}))
        self.assertTrue(m({"dns.answers.__len": 1}))
        self.assertTrue(m({"missing.__len": -1}))
        self.assertTrue(m({"src_port.__len": -1}))       # numbers have no length
        self.assertTrue(m({"alert.metadata.tag.__len.__gt": 2}))

    def test_contains(self):
        self.assertTrue(m({"alert.metadata.tag.__contains": "b"}))
        self.assertFalse(m({"alert.metadata.tag.__contains": "z"}))
        self.assertTrue(m({"proto.__contains": "CP"}))
        self.assertFalse(m({"missing.__contains": "x"}))
        self.assertFalse(m({"src_port.__contains": 8}))

    def test_find_startswith_endswith(self):
        self.assertTrue(m({"dns.answers[0].rrname.__find": "ample"}))
        self.assertFalse(m({"dns.answers[0].rrname.__find": "nope"}))
        self.assertTrue(m({"dns.answers[0].rrname.__startswith": "exam"}))
        self.assertFalse(m({"dns.answers[0].rrname.__startswith": "ample"}))
        self.assertTrue(m({"dns.answers[0].rrname.__endswith": ".com"}))
        self.assertFalse(m({"dns.answers[0].rrname.__endswith": ".org"}))
        self.assertFalse(m({"missing.__startswith": ""}))

    def test_comparisons(self):
        self.assertTrue(m({"src_port.__gt": 79, "src_port.__lt": 81}))
        self.assertFalse(m({"src_port.__gt": 80}))
        self.assertTrue(m({"src_port.__gte": 80, "src_port.__lte": 80}))
        self.assertFalse(m({"src_port.__lte": 79}))
        self.assertFalse(m({"proto.__gt": 1}))         # not a number
        self.assertFalse(m({"dns.qr.__gte": 0}))       # bool is not a number
        self.assertFalse(m({"missing.__lt": 10}))

    def test_has_key_and_not(self):
        self.assertTrue(m({"has-key": "alert.severity"}))
        self.assertTrue(m({"has-key": ["alert.severity", "dns.qr"]}))
        self.assertFalse(m({"has-key": "alert.rule"}))
        self.assertTrue(m({"not-has-key": "alert.rule"}))
        self.assertFalse(m({"not-has-key": ["alert.rule", "proto"]}))
        self.assertTrue(m({"not": {"src_port": 81}}))
        self.assertFalse(m({"not": {"src_port": 80}}))
        self.assertTrue(m({"not": {"src_port": 80, "proto": "UDP"}}))  # not all of them


class Count(unittest.TestCase):
    EVENTS = [
        {"event_type": "flow", "proto": "TCP"},
        {"event_type": "flow", "proto": "UDP"},
        {"event_type": "alert", "proto": "TCP", "alert": {"signature_id": 1}},
        {"event_type": "alert", "proto": "TCP", "alert": {"signature_id": 2}},
    ]

    def test_count_lines_matching_all_entries(self):
        self.assertEqual(run.count_matches({"event_type": "flow"}, self.EVENTS), 2)
        self.assertEqual(run.count_matches({"proto": "TCP"}, self.EVENTS), 3)
        self.assertEqual(run.count_matches({"event_type": "alert", "proto": "TCP"},
                                           self.EVENTS), 2)
        self.assertEqual(run.count_matches({"event_type": "alert",
                                            "alert.signature_id": 2}, self.EVENTS), 1)
        self.assertEqual(run.count_matches({"event_type": "dns"}, self.EVENTS), 0)

    def test_evaluate_reports_counts_and_candidates(self):
        planned = [(1, "filter", {"count": 1, "match": {"event_type": "alert",
                                                        "alert.signature_id": 3}})]
        problems = run.evaluate(planned, self.EVENTS)
        self.assertEqual(len(problems), 1)
        text = "\n".join(problems[0])
        self.assertIn("expected 1, got 0", text)
        self.assertIn("2 event(s) with event_type alert", text)
        self.assertIn("alert.signature_id: want 3, got 1", text)
        ok = [(1, "filter", {"count": 2, "match": {"event_type": "flow"}})]
        self.assertEqual(run.evaluate(ok, self.EVENTS), [])

    def test_stats_check_uses_last_stats_event(self):
        events = [{"event_type": "stats", "stats": {"decoder": {"pkts": 1}}},
                  {"event_type": "stats", "stats": {"decoder": {"pkts": 5}}}]
        self.assertEqual(run.evaluate([(1, "stats", {"decoder.pkts": 5})], events), [])
        self.assertEqual(len(run.evaluate([(1, "stats", {"decoder.pkts": 1})], events)), 1)


class Requirements(unittest.TestCase):
    def test_versions(self):
        self.assertTrue(run.version_holds("min-version", 8))
        self.assertTrue(run.version_holds("min-version", "7.0.7"))
        self.assertFalse(run.version_holds("min-version", "8.0.1"))
        self.assertFalse(run.version_holds("min-version", 9))
        self.assertFalse(run.version_holds("lt-version", 8))
        self.assertTrue(run.version_holds("lt-version", "8.0.1"))
        self.assertTrue(run.version_holds("version", "8"))
        self.assertTrue(run.version_holds("version", 8.0))
        self.assertFalse(run.version_holds("version", "7"))

    def test_requires(self):
        run.check_requires({"min-version": 7, "features": ["rules"]}, {"rules"}, ".")
        for req, why in (({"features": ["HAVE_JA3"]}, "HAVE_JA3"),
                         ({"min-version": 9}, "min-version"),
                         ({"files": ["src/x.c"]}, "files"),
                         ({"script": ["true"]}, "script")):
            with self.assertRaisesRegex(run.Skip, why):
                run.check_requires(req, {"rules"}, ".")

    def test_skip_block(self):
        run.check_skip_block([{"feature": "RUST", "msg": "no rust"}], set())
        with self.assertRaisesRegex(run.Skip, "no rust"):
            run.check_skip_block([{"feature": "RUST", "msg": "no rust"}], {"RUST"})
        with self.assertRaisesRegex(run.Skip, "skip.config"):
            run.check_skip_block([{"config": {"a": "b"}}], set())

    def test_implied_features(self):
        self.assertEqual(run.implied_features({"event_type": "alert", "http.url": "/"}),
                         ["event:alert"])
        self.assertEqual(run.implied_features({"dns.type": "query", "pcap_cnt": 3}),
                         ["event:dns"])
        self.assertEqual(run.implied_features({"event_type": "flow", "app_proto": "smb",
                                               "app_proto_tc": "failed"}),
                         ["app:smb", "event:flow"])
        self.assertEqual(run.implied_features({"src_port": 80}), [])

    def test_args_keep_set_and_k(self):
        notes = []
        argv = run.mamori_args(["-k none", "--set stream.midstream=true",
                                "--no-random", "--set=a.b=c"], notes)
        self.assertEqual(argv, ["-k", "none", "--set", "stream.midstream=true", "--set", "a.b=c"])
        self.assertEqual(notes, ["dropped args: --no-random"])


FAKE = r'''
import json, os, sys
a = sys.argv[1:]
if a == ["features"]:
    print("event:flow\nevent:stats"); sys.exit(0)
out = a[a.index("-o") + 1]
if any(t.startswith("-") and t not in ("-o", "--set", "-k") for t in a[1:]):
    sys.exit(2)
mode = open(a[-1]).read().strip()
with open(os.path.join(out, "eve.json"), "w") as f:
    f.write(json.dumps({"event_type": "flow", "proto": "TCP"}) + "\n")
    if mode == "badjson":
        f.write("{oops\n")
if mode == "ubsan":
    sys.stderr.write("x.c:1:1: runtime error: shift exponent\n")
sys.exit(3 if mode == "exit3" else 0)
'''


class EndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.fake = os.path.join(self.root, "fake-mamori")
        with open(self.fake, "w") as f:
            f.write("#!" + sys.executable + "\n" + FAKE)
        os.chmod(self.fake, os.stat(self.fake).st_mode | stat.S_IEXEC)

    def tearDown(self):
        self.tmp.cleanup()

    def add(self, name, yaml_text, pcap="ok", extra=None):
        d = os.path.join(self.root, "cases", name)
        os.makedirs(d)
        with open(os.path.join(d, "test.yaml"), "w") as f:
            f.write(textwrap.dedent(yaml_text))
        if pcap is not None:
            with open(os.path.join(d, "input.pcap"), "w") as f:
                f.write(pcap)
        for fname, text in (extra or {}).items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text)

    def run_all(self, *more):
        report = os.path.join(self.root, "report.json")
        out = io.StringIO()
        with redirect_stdout(out):
            rc = run.main(["--mamori", self.fake, "--report", report, "--jobs", "2",
                           *more, os.path.join(self.root, "cases")])
        with open(report) as f:
            results = {t["name"]: t for t in json.load(f)["tests"]}
        return rc, out.getvalue(), results

    def test_statuses(self):
        flow1 = "checks:\n  - filter:\n      count: 1\n      match:\n        event_type: flow\n"
        self.add("pass", "args:\n  - -k none\n  - --set x.y=1\n" + flow1)
        self.add("wrong-count", flow1.replace("count: 1", "count: 2"))
        self.add("needs-alert", flow1.replace("flow", "alert"))
        self.add("needs-rules", flow1, extra={"test.rules": "alert ip any any -> any any "
                                                            "(sid:1;)\n"})
        self.add("comment-rules", flow1, extra={"test.rules": "# nothing\n"})
        self.add("shell", "checks:\n  - shell:\n      args: true\n")
        self.add("old", "requires:\n  min-version: 9\n" + flow1)
        self.add("no-pcap", flow1, pcap=None)
        self.add("bad-json", flow1, pcap="badjson")
        self.add("ubsan", flow1, pcap="ubsan")
        self.add("exit3", flow1, pcap="exit3")
        self.add("exit3-expected", "exit-code: 3\n" + flow1, pcap="exit3")
        rc, out, res = self.run_all()
        want = {"pass": "PASS", "wrong-count": "FAIL", "needs-alert": "SKIP",
                "needs-rules": "SKIP", "comment-rules": "PASS", "shell": "SKIP",
                "old": "SKIP", "no-pcap": "SKIP", "bad-json": "FAIL", "ubsan": "FAIL",
                "exit3": "FAIL", "exit3-expected": "PASS"}
        self.assertEqual({n: r["status"] for n, r in res.items()}, want, out)
        self.assertIn("check type shell not supported", res["shell"]["reason"])
        self.assertIn("needs event:alert", res["needs-alert"]["reason"])
        self.assertIn("sanitizer", res["ubsan"]["reason"])
        self.assertIn("verify: 3 passed, 4 failed, 5 skipped", out)
        self.assertEqual(rc, 1)
        rc, _, _ = self.run_all("--allow-fail")
        self.assertEqual(rc, 0)
        rc, out, res = self.run_all("--filter", "pass")
        self.assertEqual((rc, list(res)), (0, ["pass"]))


if __name__ == "__main__":
    unittest.main()
