#!/usr/bin/env python3
"""End-to-end test runner for mamori, in the format of Suricata's verify suite.

Each test is a directory holding a test.yaml (requires, args, pcap, checks, ...),
optionally rules and a capture. The runner runs `mamori read` over the capture and
evaluates the test's checks against OUTDIR/eve.json. It serves both our own cases
(tests/cases, which may also say `generate: SCENARIO` and carry inline `rules:`) and
a copy of the third-party suite, where whatever mamori cannot do yet is skipped with
the reason.

Filter semantics follow suricata-verify: a filter's `count` is the number of eve.json
lines for which every `match` entry holds. Deliberate difference: a JSON boolean never
equals a number (upstream lets `true` equal `1`).

Standard library + PyYAML only.
"""

import argparse
import concurrent.futures
import json
import operator
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import types

import yaml

# Suricata version mamori is compared against for min-version/lt-version/...
COMPAT_VERSION = (8, 0, 0)
MAMORI_TIMEOUT = 120
CRASH_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
STDERR_TAIL_LINES = 15


class Skip(Exception):
    """The test cannot be run against this mamori; the message says why."""


class Fail(Exception):
    """The test failed: message is a one-line reason, details are extra lines."""

    def __init__(self, reason, details=()):
        super().__init__(reason)
        self.details = list(details)


# --------------------------------------------------------------------------------
# Matching EVE events
# --------------------------------------------------------------------------------

COMPARE_OPS = {"__lt": operator.lt, "__lte": operator.le,
               "__gt": operator.gt, "__gte": operator.ge}
STRING_OPS = ("__contains", "__find", "__startswith", "__endswith")
_PART = re.compile(r"^([^\[\]]*)((?:\[\d+\])*)$")


def find_value(path, obj):
    """Value at a dotted path such as `alert.metadata.tag[0]`, or None if absent.

    `path` is a string or a list of parts; each part is a key, optionally followed
    by one or more list indices.
    """
    parts = path.split(".") if isinstance(path, str) else path
    for part in parts:
        m = _PART.match(part)
        name, indices = (m.group(1), re.findall(r"\d+", m.group(2))) if m else (part, [])
        if name:
            if not isinstance(obj, dict) or name not in obj:
                return None
            obj = obj[name]
        for i in indices:
            if not isinstance(obj, list) or int(i) >= len(obj):
                return None
            obj = obj[int(i)]
    return obj


def split_key(key):
    """Split a match key into (path parts, take length?, operator suffix or None)."""
    parts = key.split(".")
    op = None
    if len(parts) > 1 and (parts[-1] in COMPARE_OPS or parts[-1] in STRING_OPS):
        op = parts.pop()
    length = False
    if len(parts) > 1 and parts[-1] == "__len":
        parts.pop()
        length = True
    return parts, length, op


def values_equal(actual, expected):
    """Equality across JSON/YAML values, strict about types (bool is not a number)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, (int, float)) and isinstance(expected, (int, float)):
        return actual == expected
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            values_equal(actual[k], expected[k]) for k in actual)
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(
            values_equal(a, e) for a, e in zip(actual, expected))
    return type(actual) is type(expected) and actual == expected


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _contains(container, item):
    if isinstance(container, list):
        return any(values_equal(x, item) for x in container)
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, dict):
        return isinstance(item, str) and item in container
    return False


def _as_list(v):
    return v if isinstance(v, list) else [v]


def entry_value(key, event):
    """The value a match key looks at (after __len), for diagnostics."""
    parts, length, _ = split_key(key)
    val = find_value(parts, event)
    if length:
        val = len(val) if isinstance(val, (list, dict, str)) else -1
    return val


def entry_matches(key, expected, event):
    """Whether one `match` entry holds for an event."""
    if key == "has-key":
        return all(find_value(k, event) is not None for k in _as_list(expected))
    if key == "not-has-key":
        return all(find_value(k, event) is None for k in _as_list(expected))
    if key == "not":  # mamori extension: not: {k: v, ...} holds unless all of them do
        return not match_event(expected, event)
    _, _, op = split_key(key)
    val = entry_value(key, event)
    if op is None:
        return values_equal(val, expected)
    if op in COMPARE_OPS:
        return _is_number(val) and _is_number(expected) and COMPARE_OPS[op](val, expected)
    if op == "__contains":
        return _contains(val, expected)
    if val is None:
        return False
    text, want = str(val), str(expected)
    if op == "__find":
        return want in text
    if op == "__startswith":
        return text.startswith(want)
    return text.endswith(want)  # __endswith


def match_event(match, event):
    """Whether every entry of a `match` mapping holds for an event."""
    return all(entry_matches(k, v, event) for k, v in (match or {}).items())


def count_matches(match, events):
    return sum(1 for ev in events if match_event(match, ev))


def _short(obj, limit=240):
    text = json.dumps(obj, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def explain_count(match, events, expected, actual):
    """Lines showing up to 3 events of the filter's event_type near the mismatch."""
    want_type = (match or {}).get("event_type")
    pool = [ev for ev in events if want_type is None or ev.get("event_type") == want_type]
    lines = ["%d event(s) with event_type %s" % (len(pool), want_type or "(any)")]
    if actual > expected:
        shown = [ev for ev in pool if match_event(match, ev)][:3]
        lines += ["matched: " + _short(ev) for ev in shown]
        return lines
    near = []  # the events missing the fewest entries first
    for ev in pool:
        wrong = [k for k, v in match.items() if not entry_matches(k, v, ev)]
        if wrong:
            near.append((len(wrong), len(near), wrong, ev))
    for _, _, wrong, ev in sorted(near, key=lambda t: t[:2])[:3]:
        lines.append("candidate: " + "; ".join("%s: want %s, got %s" % (
            k, _short(match[k], 60), _short(entry_value(k, ev), 60)) for k in wrong[:3]))
        lines.append("    " + _short(ev))
    return lines


# --------------------------------------------------------------------------------
# Requirements
# --------------------------------------------------------------------------------

def parse_version(v):
    nums = re.findall(r"\d+", str(v))
    if not nums:
        raise Skip("unparseable version %r" % (v,))
    return tuple(int(n) for n in nums[:3])


def _padded(v):
    return (v + (0, 0, 0))[:3]


def version_holds(kind, wanted):
    """Does COMPAT_VERSION satisfy a `min-version`/`lt-version`/... requirement?"""
    want = parse_version(wanted)
    if kind == "version":  # 7 matches 7.x.y, 7.0 matches 7.0.y
        return COMPAT_VERSION[:len(want)] == want
    ours = COMPAT_VERSION
    return {"min-version": ours >= _padded(want), "lt-version": ours < _padded(want),
            "gt-version": ours > _padded(want)}[kind]


VERSION_KEYS = ("min-version", "lt-version", "gt-version", "version")


def check_requires(requires, features, test_dir):
    """Raise Skip unless every requirement holds; unknown keys skip too."""
    for key, val in (requires or {}).items():
        if key in VERSION_KEYS:
            if not version_holds(key, val):
                raise Skip("requires %s %s (mamori counts as %s)"
                           % (key, val, ".".join(map(str, COMPAT_VERSION))))
        elif key == "features":
            for feat in _as_list(val):
                if feat not in features:
                    raise Skip("requires feature %s" % feat)
        elif key == "not-features":
            for feat in (val if isinstance(val, dict) else _as_list(val)):
                if feat in features:
                    raise Skip("requires feature %s absent" % feat)
        elif key == "env":
            for name in _as_list(val):
                if name not in os.environ:
                    raise Skip("requires env var %s" % name)
        elif key == "command":
            for cmd in _as_list(val):
                if shutil.which(cmd) is None:
                    raise Skip("requires command %s" % cmd)
        elif key in ("os", "arch"):
            here = platform.system() if key == "os" else platform.machine()
            if not here.lower().startswith(str(val).lower()):
                raise Skip("requires %s %s" % (key, val))
        elif key == "pcap":
            pass  # handled when the capture is located
        else:  # files, script, config, lambda, ...: Suricata-specific
            raise Skip("requires %s: not evaluated" % key)


def check_skip_block(entries, features):
    """Raise Skip if any entry of a test's `skip:` list applies."""
    for entry in entries or []:
        msg = entry.get("msg")
        for key, val in entry.items():
            if key == "msg":
                continue
            if key == "feature":
                applies = val in features
            elif key == "uid":
                applies = hasattr(os, "getuid") and os.getuid() == val
            elif key in VERSION_KEYS:
                applies = version_holds(key, val)
            else:
                raise Skip("skip.%s: not evaluated" % key)
            if applies:
                raise Skip("skip: %s" % (msg or "%s %s" % (key, val)))


# --------------------------------------------------------------------------------
# One test
# --------------------------------------------------------------------------------

# Top-level test.yaml keys that need a real Suricata; the test is skipped.
UNSUPPORTED_KEYS = ("command", "pre-check", "setup", "lambda")
# Top-level keys understood, or safely ignored (`count` repeats a run upstream).
KNOWN_KEYS = ("requires", "args", "pcap", "checks", "skip", "env", "exit-code",
              "count", "rules", "generate", "description", "comment", "info")


class Result:
    def __init__(self, name, directory):
        self.name, self.directory = name, directory
        self.status, self.reason, self.details, self.notes = "PASS", "", [], []
        self.seconds = 0.0
        self.checks, self.checks_failed = 0, 0  # the test's checks run, and those that failed

    def line(self):
        return "%s %s" % (self.status, self.name) + (": " + self.reason if self.reason else "")

    def as_dict(self):
        return {"name": self.name, "dir": self.directory, "status": self.status,
                "reason": self.reason, "details": self.details, "notes": self.notes,
                "checks": self.checks, "checks_failed": self.checks_failed,
                "seconds": round(self.seconds, 3)}


# EVE record types: a match key under one of these (`dns.type`) implies that record.
EVE_TYPES = set("""alert anomaly arp bittorrent_dht dcerpc dhcp dnp3 dns drop enip
    fileinfo flow frame ftp ftp_data http http2 ike krb5 ldap mdns modbus mqtt netflow
    nfs pgsql pop3 quic rdp rfb sdp sip smb smtp snmp ssh stats tftp tls websocket""".split())


def implied_features(match):
    """Features a filter needs: event:X for its event_type (or, without one, for the
    record types its keys look into) and app:X for the app_proto values it expects."""
    match = match or {}
    etype = match.get("event_type")
    if isinstance(etype, str):
        need = {"event:" + etype}
    else:
        heads = (re.split(r"[.\[]", k, maxsplit=1)[0] for k in match)
        need = {"event:" + h for h in heads if h in EVE_TYPES}
    for key in ("app_proto", "app_proto_ts", "app_proto_tc"):
        val = match.get(key)
        if isinstance(val, str) and val not in ("failed", "unknown"):
            need.add("app:" + val)
    return sorted(need)


def plan_checks(checks, ctx, test_dir, notes):
    """The checks to evaluate; raises Skip for checks mamori cannot serve."""
    planned = []
    for i, check in enumerate(checks or []):
        if not isinstance(check, dict) or len(check) != 1:
            raise Fail("check %d is not a single-key mapping" % (i + 1))
        (kind, body), = check.items()
        body = body or {}
        if kind not in ("filter", "stats"):
            raise Skip("check type %s not supported" % kind)
        try:
            check_requires(body.get("requires"), ctx.features, test_dir)
        except Skip as why:
            notes.append("check %d (%s) skipped: %s" % (i + 1, kind, why))
            continue
        if kind == "stats":
            if "event:stats" not in ctx.features:
                raise Skip("needs event:stats")
        else:
            if "count" not in body:
                raise Fail("filter check %d has no count" % (i + 1))
            filename = body.get("filename", "eve.json")
            if filename != "eve.json":
                raise Skip("output file %s not supported" % filename)
            for feat in implied_features(body.get("match")):
                if feat not in ctx.features:
                    raise Skip("needs " + feat)
        planned.append((i + 1, kind, body))
    return planned


def find_rules(config, test_dir, tmp):
    """Path of the test's rules file (or None) and whether it holds any rule."""
    path = None
    if config.get("rules"):
        path = os.path.join(tmp, "inline.rules")
        with open(path, "w") as f:
            f.write(str(config["rules"]))
    elif os.path.exists(os.path.join(test_dir, "test.rules")):
        path = os.path.join(test_dir, "test.rules")
    else:
        found = sorted(n for n in os.listdir(test_dir) if n.endswith(".rules"))
        if len(found) > 1:
            raise Fail("more than one rules file: %s" % ", ".join(found))
        if found:
            path = os.path.join(test_dir, found[0])
    if path is None:
        return None, False
    with open(path, errors="replace") as f:
        has_rule = any(ln.strip() and not ln.lstrip().startswith("#") for ln in f)
    return path, has_rule


def find_pcap(config, test_dir):
    """Path of the test's capture; Skip if there is none to read."""
    if config.get("pcap"):
        path = os.path.normpath(os.path.join(test_dir, str(config["pcap"])))
        if not os.path.exists(path):
            raise Skip("pcap missing: %s" % config["pcap"])
        return path
    found = sorted(n for n in os.listdir(test_dir) if n.endswith((".pcap", ".pcapng")))
    if len(found) > 1:
        raise Fail("more than one pcap: %s" % ", ".join(found))
    if not found:
        if (config.get("requires") or {}).get("pcap") is False:
            raise Skip("requires pcap: false (no capture to read)")
        raise Skip("pcap missing")
    return os.path.join(test_dir, found[0])


# suricata.yaml alert options mamori has under its own names
ALERT_OPTS = {"payload": "outputs.eve.alert.payload",
              "payload-printable": "outputs.eve.alert.payload-printable",
              "packet": "outputs.eve.alert.packet"}


def suricata_yaml_sets(path, notes):
    """--set options for the parts of a test's suricata.yaml mamori shares: rule
    variables, the EVE alert payload/packet options and whether http records are
    extended (Suricata's default without the option: not). The rest is ignored."""
    try:
        with open(path) as f:
            text = "\n".join(l for l in f.read().splitlines() if not l.startswith("%"))
        conf = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as err:
        notes.append("suricata.yaml unreadable: %s" % err)
        return []
    sets = []
    for group in ("address-groups", "port-groups"):
        for name, val in ((conf.get("vars") or {}).get(group) or {}).items():
            sets += ["--set", "vars.%s.%s=%s" % (group, name, val)]
    for out in conf.get("outputs") or []:
        eve = (out or {}).get("eve-log") if isinstance(out, dict) else None
        for t in (eve or {}).get("types") or []:
            if t == "http" or (isinstance(t, dict) and "http" in t):
                opts = t.get("http") if isinstance(t, dict) else None
                ext = (opts or {}).get("extended") in (True, "yes", "true", "on")
                sets += ["--set", "outputs.eve.http-extended=%s" % ("true" if ext else "false")]
                dump = (opts or {}).get("dump-all-headers")
                if dump in ("request", "response", "both"):
                    sets += ["--set", "outputs.eve.http-headers=%s" % dump]
            alert = t.get("alert") if isinstance(t, dict) else None
            for key, val in (alert or {}).items():
                if key in ALERT_OPTS:
                    on = val in (True, "yes", "true", "on")
                    sets += ["--set", "%s=%s" % (ALERT_OPTS[key], "true" if on else "false")]
    notes.append("suricata.yaml: used %d settings, ignored the rest" % (len(sets) // 2))
    return sets


def mamori_args(args, notes, test_dir=None, out_dir=None):
    """Keep the --set and -k options of a test's `args` (${TEST_DIR} and
    ${OUTPUT_DIR} expanded, as the verify suite does); drop (and note) the rest."""
    tokens = []
    for entry in _as_list(args or []):
        text = str(entry)
        if test_dir:
            text = text.replace("${TEST_DIR}", test_dir)
        if out_dir:
            text = text.replace("${OUTPUT_DIR}", out_dir)
        tokens += shlex.split(text)
    kept, dropped, i = [], [], 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "--set" and i + 1 < len(tokens):
            kept += tokens[i:i + 2]
            i += 2
        elif tok.startswith("--set="):
            kept += ["--set", tok[len("--set="):]]
            i += 1
        elif tok == "-k" and i + 1 < len(tokens):
            kept += tokens[i:i + 2]
            i += 2
        else:  # an unknown option, with its value if one follows
            take = 2 if (i + 1 < len(tokens) and not tokens[i + 1].startswith("-")) else 1
            dropped += tokens[i:i + take]
            i += take
    if dropped:
        notes.append("dropped args: " + " ".join(dropped))
    return kept


def run_cmd(argv, env, timeout):
    try:
        return subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        raise Fail("timed out after %d s: %s" % (timeout, " ".join(argv)))
    except OSError as err:
        raise Fail("cannot run %s: %s" % (argv[0], err))


def _tail(text):
    return ["stderr: " + ln for ln in text.rstrip().splitlines()[-STDERR_TAIL_LINES:]]


def read_eve(path):
    if not os.path.exists(path):
        raise Fail("no eve.json written")
    events = []
    with open(path, errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except ValueError as err:
                raise Fail("eve.json line %d is not valid JSON: %s" % (n, err),
                           [line.rstrip()[:240]])
    return events


def evaluate(planned, events):
    """Failure lines for the planned checks (empty if all hold)."""
    problems = []
    for num, kind, body in planned:
        if kind == "stats":
            stats = [ev["stats"] for ev in events
                     if ev.get("event_type") == "stats" and isinstance(ev.get("stats"), dict)]
            if not stats:
                problems.append(["check %d (stats): no stats event" % num])
                continue
            for key, want in body.items():
                if key != "requires" and not entry_matches(key, want, stats[-1]):
                    problems.append(["check %d (stats): %s: want %s, got %s" % (
                        num, key, _short(want, 60), _short(entry_value(key, stats[-1]), 60))])
            continue
        match, want = body.get("match") or {}, body["count"]
        got = count_matches(match, events)
        if got != want:
            label = body.get("comment") or _short(match, 160)
            problems.append(["check %d: expected %s, got %d: %s" % (num, want, got, label)]
                            + explain_count(match, events, want, got))
    return problems


def run_test(name, test_dir, ctx):
    result = Result(name, test_dir)
    start = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="mamori-verify-") as tmp:
            execute(test_dir, ctx, tmp, result)
    except Skip as why:
        result.status, result.reason = "SKIP", str(why)
    except Fail as why:
        result.status, result.reason, result.details = "FAIL", str(why), why.details
    except Exception as err:  # a malformed test must not stop the run
        result.status, result.reason = "FAIL", "runner error: %s: %s" % (
            type(err).__name__, err)
    result.seconds = time.monotonic() - start
    return result


def execute(test_dir, ctx, tmp, result):
    notes = result.notes
    try:
        with open(os.path.join(test_dir, "test.yaml")) as f:
            config = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as err:
        raise Fail("cannot load test.yaml: %s" % err)
    if not isinstance(config, dict):
        raise Fail("test.yaml is not a mapping")

    check_requires(config.get("requires"), ctx.features, test_dir)
    check_skip_block(config.get("skip"), ctx.features)
    for key in config:
        if key in UNSUPPORTED_KEYS:
            raise Skip("%s not supported" % key)
        if key not in KNOWN_KEYS:
            notes.append("ignored key: %s" % key)
    yaml_sets = []
    if os.path.exists(os.path.join(test_dir, "suricata.yaml")):
        yaml_sets = suricata_yaml_sets(os.path.join(test_dir, "suricata.yaml"), notes)

    rules, has_rule = find_rules(config, test_dir, tmp)
    if has_rule and "rules" not in ctx.features:
        raise Skip("rules not supported")
    planned = plan_checks(config.get("checks"), ctx, test_dir, notes)
    result.checks = result.checks_failed = len(planned)  # until they are evaluated

    env = dict(os.environ, TZ="UTC")
    env.update({str(k): str(v) for k, v in (config.get("env") or {}).items()})
    if config.get("generate"):
        if not ctx.gen:
            raise Skip("generate needs --gen")
        pcap = os.path.join(tmp, "input.pcap")
        proc = run_cmd([ctx.gen, str(config["generate"]), pcap], env, MAMORI_TIMEOUT)
        if proc.returncode != 0:
            raise Fail("mamori-gen %s exited %d" % (config["generate"], proc.returncode),
                       _tail(proc.stderr))
    else:
        pcap = find_pcap(config, test_dir)

    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    argv = [ctx.mamori, "read", "-o", outdir]
    if rules and "rules" in ctx.features:
        argv += ["-S", rules]
    argv += yaml_sets + mamori_args(config.get("args"), notes, test_dir, outdir) + [pcap]
    notes.append("ran: " + " ".join(shlex.quote(a) for a in argv))

    proc = run_cmd(argv, env, MAMORI_TIMEOUT)
    if any(marker in proc.stderr for marker in CRASH_MARKERS):
        raise Fail("sanitizer report (exit %d)" % proc.returncode, _tail(proc.stderr))
    if proc.returncode < 0:
        raise Fail("killed by signal %d" % -proc.returncode, _tail(proc.stderr))
    want_rc = config.get("exit-code", 0)
    if proc.returncode != want_rc:
        raise Fail("exit status %d, expected %d" % (proc.returncode, want_rc),
                   _tail(proc.stderr))

    events = read_eve(os.path.join(outdir, "eve.json"))
    problems = evaluate(planned, events)
    result.checks_failed = len({p[0].split(":")[0].split(" (")[0] for p in problems})
    if problems:
        more = " (+%d more failing checks)" % (len(problems) - 1) if len(problems) > 1 else ""
        lines = [ln for p in problems for ln in p]
        raise Fail(lines[0] + more, lines[1:])


# --------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------

def discover(paths, substr):
    """(name, dir) for every test under the given dirs, in a stable order."""
    tests = []
    for root in paths:
        root = os.path.normpath(root)
        if os.path.exists(os.path.join(root, "test.yaml")):
            tests.append((os.path.basename(os.path.abspath(root)), root))
            continue
        if not os.path.isdir(root):
            sys.exit("run.py: %s: not a directory" % root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            if "test.yaml" in filenames:
                tests.append((os.path.relpath(dirpath, root), dirpath))
    return [t for t in tests if not substr or substr in t[0]]


def load_features(mamori):
    try:
        out = subprocess.run([mamori, "features"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=30, errors="replace")
    except (OSError, subprocess.TimeoutExpired) as err:
        sys.exit("run.py: cannot run %s features: %s" % (mamori, err))
    if out.returncode != 0:
        sys.exit("run.py: %s features exited %d" % (mamori, out.returncode))
    return {ln.strip() for ln in out.stdout.splitlines() if ln.strip()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mamori", required=True, help="path of the mamori binary")
    ap.add_argument("--gen", help="path of mamori-gen, for tests that say generate:")
    ap.add_argument("--verbose", "-v", action="store_true", help="print notes per test")
    ap.add_argument("--filter", help="run only tests whose name contains SUBSTR")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="tests run in parallel")
    ap.add_argument("--report", help="write per-test results as JSON to this file")
    ap.add_argument("--allow-fail", action="store_true",
                    help="exit 0 even if tests fail (a measurement, not a gate)")
    ap.add_argument("dirs", nargs="+", metavar="DIR", help="a test dir or a tree of them")
    opts = ap.parse_args(argv)

    mamori = os.path.abspath(opts.mamori)
    gen = os.path.abspath(opts.gen) if opts.gen else None
    ctx = types.SimpleNamespace(mamori=mamori, gen=gen, features=load_features(mamori))
    tests = discover(opts.dirs, opts.filter)
    if opts.verbose:
        print("features: " + " ".join(sorted(ctx.features)))

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for res in pool.map(lambda t: run_test(t[0], t[1], ctx), tests):
            results.append(res)
            print(res.line())
            for ln in res.details:
                print("    " + ln)
            if opts.verbose:
                for ln in res.notes:
                    print("    note: " + ln)
            sys.stdout.flush()

    counts = {s: sum(1 for r in results if r.status == s) for s in ("PASS", "FAIL", "SKIP")}
    print("verify: %d passed, %d failed, %d skipped"
          % (counts["PASS"], counts["FAIL"], counts["SKIP"]))
    if opts.report:
        with open(opts.report, "w") as f:
            json.dump({"mamori": mamori, "features": sorted(ctx.features),
                       "summary": {"passed": counts["PASS"], "failed": counts["FAIL"],
                                   "skipped": counts["SKIP"]},
                       "tests": [r.as_dict() for r in results]}, f, indent=1)
            f.write("\n")
    return 1 if counts["FAIL"] and not opts.allow_fail else 0


if __name__ == "__main__":
    sys.exit(main())
