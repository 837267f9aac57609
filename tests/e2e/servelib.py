"""servelib: what the tests of `mamori serve` share (tests/e2e/serve_*.py, bench/serve).

- build_store(): the behaviour scenario (`mamori-gen behaviour`) read with
  tests/behaviour.yaml and three rules of its own (so the store has alerts too),
  as scripts/demo reads it otherwise;
- Server: `mamori serve --port 0 --port-file F` on a store, started, asked and
  stopped;
- request() / raw(): one HTTP request through http.client, or raw bytes over a
  socket with the answer parsed by hand;
- expected_summary() and top_ok(): the figures of /api/summary computed from the
  store with sqlite3 alone, as docs/web.md defines them.

Python standard library only.
"""
import collections, datetime, http.client, ipaddress, json, os, select, signal, socket
import sqlite3, subprocess, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CONFIG = os.path.join(ROOT, "tests", "behaviour.yaml")
PSEUDONYM_KEY = "00112233445566778899aabbccddeeff"

# Three rules over the behaviour scenario: two uploads over HTTP and one TLS
# session to the exfiltration server, and every connection to the C2 server.
RULES = """\
alert http $HOME_NET any -> any any (msg:"MAMORI-TEST upload to share-drop"; \
flow:to_server,established; http.method; content:"POST"; http.host; content:"share-drop.net"; \
endswith; classtype:policy-violation; sid:9100001; rev:1;)
alert tls any any -> any any (msg:"MAMORI-TEST TLS to share-drop"; tls.sni; \
content:"share-drop.net"; classtype:policy-violation; sid:9100002; rev:2;)
alert tcp $HOME_NET any -> 185.243.115.84 443 (msg:"MAMORI-TEST connection to C2 address"; \
flags:S; classtype:trojan-activity; sid:9100003; rev:1;)
"""


def env():
    return dict(os.environ, TZ="UTC")


def settings():
    """The configuration every command of these tests uses (the server's too)."""
    return ["-c", CONFIG, "--set", "share.pseudonym-key=" + PSEUDONYM_KEY]


def build_store(mamori, gen, out, rules=True):
    """Writes OUT/behaviour.pcap and reads it into OUT/mamori.db; returns the store's path."""
    os.makedirs(out, exist_ok=True)
    pcap = os.path.join(out, "behaviour.pcap")
    subprocess.run([gen, "behaviour", pcap], check=True, stdout=subprocess.DEVNULL)
    args = [mamori, "read", "--no-progress", "-c", CONFIG, "-o", out]
    if rules:
        path = os.path.join(out, "serve-test.rules")
        with open(path, "w") as f:
            f.write(RULES)
        args += ["-S", path]
    p = subprocess.run(args + [pcap], env=env(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("mamori read exited %d: %s" % (p.returncode, p.stderr[-2000:]))
    return os.path.join(out, "mamori.db")


def cli(mamori, *args):
    """Runs `mamori ARGS`; returns the CompletedProcess (text)."""
    return subprocess.run([mamori, *args], env=env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


# ---- the server ----

class Server:
    """`mamori serve` on a store, on a free port of 127.0.0.1 (or --listen)."""

    def __init__(self, mamori, store, workdir, name="serve", extra=()):
        self.mamori, self.store, self.name = mamori, store, name
        os.makedirs(workdir, exist_ok=True)
        self.port_file = os.path.join(workdir, name + ".port")
        self.err_path = os.path.join(workdir, name + ".stderr")
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.rc = None

    def argv(self):
        return [self.mamori, "serve", "--store", self.store, *settings(), "--port", "0",
                "--port-file", self.port_file, *self.extra]

    def start(self, wait=90):
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(self.argv(), env=env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("%s: mamori serve exited %d before listening: %s" %
                                   (self.name, self.proc.returncode, self.stderr()[-2000:]))
            try:
                with open(self.port_file) as f:
                    text = f.read()
                if text.endswith("\n") and text.strip().isdigit():
                    self.port = int(text)
                    return self
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("%s: no port in %s after %d s: %s" %
                           (self.name, self.port_file, wait, self.stderr()[-2000:]))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, wait=30):
        """Sends SIG and waits; returns the exit status (None: it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.rc = None
                self.err.close()
                return None
        self.rc = self.proc.returncode
        self.err.close()
        return self.rc

    def stderr(self):
        try:
            with open(self.err_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def sanitizer_report(self):
        """The first lines of an ASan/UBSan report in the server's stderr, or ''."""
        text = self.stderr()
        for mark in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "ERROR: UndefinedBehaviorSanitizer", "WARNING: ThreadSanitizer"):
            i = text.find(mark)
            if i >= 0:
                return text[max(0, i - 200):i + 1500]
        return ""


# ---- HTTP ----

class Resp:
    def __init__(self, status, headers, body, reason=""):
        self.status, self.headers, self.body, self.reason = status, headers, body, reason

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "HTTP %s %r" % (self.status, self.body[:300])


def request(port, method, path, headers=None, body=None, timeout=60, conn=None,
            host="127.0.0.1"):
    """One request; returns a Resp. With conn, reuses that keep-alive connection."""
    own = conn is None
    c = conn or http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        hdrs = {}
        for k, v in r.getheaders():
            k = k.lower()
            hdrs[k] = hdrs[k] + ", " + v if k in hdrs and k != "set-cookie" else v
        return Resp(r.status, hdrs, data, r.reason)
    finally:
        if own:
            c.close()


def get(port, path, **kw):
    return request(port, "GET", path, **kw)


class SockReader:
    """Buffered reads from a socket until a deadline."""

    def __init__(self, sock, timeout):
        self.sock, self.buf, self.raw = sock, b"", b""
        self.end = time.monotonic() + timeout

    def more(self):
        left = self.end - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            d = self.sock.recv(65536)
        except (socket.timeout, OSError):
            return False
        if not d:
            return False
        self.buf += d
        self.raw += d
        return True

    def until(self, mark):
        """Bytes up to MARK (consumed with it), or None at the end."""
        while mark not in self.buf:
            if not self.more():
                return None
        out, _, self.buf = self.buf.partition(mark)
        return out

    def take(self, n):
        while len(self.buf) < n:
            if not self.more():
                break
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        while self.more():
            pass
        out, self.buf = self.buf, b""
        return out


def read_response(sock, timeout=15):
    """Reads one HTTP response from SOCK (until its length, its last chunk, or the
    connection's end); returns (status or None, headers dict, body, raw bytes)."""
    r = SockReader(sock, timeout)
    head = r.until(b"\r\n\r\n")
    if head is None:
        status, hdrs = parse_head(r.buf)
        return status, hdrs, b"", r.raw
    status, hdrs = parse_head(head)
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            line = r.until(b"\r\n")
            if line is None:
                break
            try:
                n = int(line.split(b";")[0], 16)
            except ValueError:
                break
            if n == 0:
                r.until(b"\r\n")
                break
            body += r.take(n)
            r.until(b"\r\n")
        return status, hdrs, body, r.raw
    n = hdrs.get("content-length")
    if n is not None and n.isdigit():
        return status, hdrs, r.take(int(n)), r.raw
    if status is not None and (status in (204, 304) or 100 <= status < 200):
        return status, hdrs, b"", r.raw
    return status, hdrs, r.rest(), r.raw


def parse_head(head):
    lines = head.split(b"\r\n")
    status = None
    if lines and lines[0].startswith(b"HTTP/"):
        parts = lines[0].split()
        if len(parts) >= 2 and parts[1].isdigit():
            status = int(parts[1])
    hdrs = {}
    for l in lines[1:]:
        k, sep, v = l.partition(b":")
        if sep:
            hdrs[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return status, hdrs


def raw(port, data, timeout=15, send_slowly=False):
    """Sends DATA (bytes) on a new connection and reads one response; returns
    (status or None, headers, body). A server that answers and closes before all of
    DATA is sent is fine: what it sent is read."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            if send_slowly:
                for i in range(0, len(data), 4096):
                    s.sendall(data[i:i + 4096])
                    r, _, _ = select.select([s], [], [], 0)
                    if r:
                        break
            else:
                s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, hdrs, body, _ = read_response(s, timeout)
        return status, hdrs, body
    finally:
        s.close()


def alive_and_answering(port):
    try:
        return get(port, "/api/session", timeout=20).status == 200
    except OSError:
        return False


# ---- the store ----

def open_ro(db):
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)


def counts(db):
    """Rows of every table and the meta values: what 'the store is unchanged' compares."""
    c = open_ro(db)
    try:
        tables = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {t: c.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0] for t in tables}
        out["meta"] = sorted(c.execute("SELECT key, value FROM meta").fetchall())
        out["incident.updated"] = sorted(c.execute("SELECT id, updated FROM incident"))
        return out
    finally:
        c.close()


def ip_text(blob):
    if blob is None:
        return None
    return str(ipaddress.ip_address(bytes(blob)))


def eve_time(us):
    """µs since the epoch as EVE writes it: 2024-01-15T09:05:00.000000+0000."""
    s, f = divmod(int(us), 1000000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%06d+0000" % f


def day_of(us):
    return datetime.datetime.fromtimestamp(us // 1000000, datetime.timezone.utc).date()


def day_start(d):
    return int(datetime.datetime(d.year, d.month, d.day,
                                 tzinfo=datetime.timezone.utc).timestamp()) * 1000000


def store_clock(db):
    c = open_ro(db)
    try:
        return int(c.execute("SELECT value FROM meta WHERE key='newest'").fetchone()[0])
    finally:
        c.close()


def expected_summary(db, days=30):
    """/api/summary?days=DAYS computed from the store as docs/web.md says."""
    c = open_ro(db)
    try:
        clock = int(c.execute("SELECT value FROM meta WHERE key='newest'").fetchone()[0])
        to = day_of(clock)
        frm = to - datetime.timedelta(days=days - 1)
        lo, hi = day_start(frm), day_start(to + datetime.timedelta(days=1))
        per = collections.OrderedDict()

        def day(ts):
            d = day_of(ts).isoformat()
            if d not in per:
                per[d] = {"date": d, "attacks": 0, "sources": 0, "darknet": 0,
                          "by_category": {}}
            return per[d]

        rows = c.execute("SELECT ts, kind, key, value FROM daily WHERE ts >= ? AND ts < ? AND"
                         " kind IN ('attacks', 'attack_sources', 'darknet') ORDER BY ts",
                         (lo, hi)).fetchall()
        for ts, kind, key, value in rows:
            d = day(ts)
            if kind == "attacks":
                if key == "total":
                    d["attacks"] += value
                else:
                    d["by_category"][key] = d["by_category"].get(key, 0) + value
            elif kind == "attack_sources":
                d["sources"] += value
            else:
                d["darknet"] += value
        days_list = [per[k] for k in sorted(per)]
        by_cat = collections.Counter()
        for d in days_list:
            by_cat.update(d["by_category"])

        def n(sql, *args):
            return c.execute(sql, args).fetchone()[0] or 0

        totals = {
            "attacks": sum(d["attacks"] for d in days_list),
            "by_category": dict(by_cat),
            "alerts": n("SELECT count(*) FROM alert WHERE ts >= ? AND ts < ?", lo, hi),
            "intel": n("SELECT count(*) FROM intel WHERE ts >= ? AND ts < ?", lo, hi),
            "events": n("SELECT count(*) FROM event WHERE ts >= ? AND ts < ?", lo, hi),
            "incidents": n("SELECT count(*) FROM incident WHERE merged_into IS NULL"),
            "incidents_open": n("SELECT count(*) FROM incident WHERE merged_into IS NULL"
                                " AND status = 'open'"),
            "darknet_packets": sum(d["darknet"] for d in days_list),
            "zone_violations": n("SELECT sum(value) FROM daily WHERE kind = 'zone' AND"
                                 " key LIKE '%|violations' AND ts >= ? AND ts < ?", lo, hi),
        }
        t = per.get(to.isoformat(), {"attacks": 0, "sources": 0})
        today = {"date": to.isoformat(), "attacks": t["attacks"], "sources": t["sources"]}
        sources, dests = collections.Counter(), collections.Counter()
        for table in ("alert", "intel", "event"):
            for s, d in c.execute('SELECT src, dst FROM "%s" WHERE ts >= ? AND ts < ?' % table,
                                  (lo, hi)):
                if s is not None:
                    sources[ip_text(s)] += 1
                if d is not None:
                    dests[ip_text(d)] += 1
        sigs = {}
        for sid, msg, cnt in c.execute(
                "SELECT sid, (SELECT v FROM str WHERE id = alert.msg), count(*) FROM alert"
                " WHERE ts >= ? AND ts < ? GROUP BY sid", (lo, hi)):
            sigs[sid] = (msg, cnt)
        return {"clock": eve_time(clock), "from": frm.isoformat(), "to": to.isoformat(),
                "days": days_list, "totals": totals, "today": today,
                "sources": dict(sources), "destinations": dict(dests), "signatures": sigs}
    finally:
        c.close()


def expected_darknet(db, days=30):
    """The darknet rows of the window as /api/darknet sums them: per day (packets,
    entries, distinct sources), per source (packets, distinct ports, classes) and per
    (protocol name, port) (packets, distinct sources)."""
    s = expected_summary(db, days)
    frm = datetime.date.fromisoformat(s["from"])
    to = datetime.date.fromisoformat(s["to"])
    c = open_ro(db)
    try:
        rows = c.execute("SELECT ts, key, value, json FROM daily WHERE kind='darknet' AND"
                         " ts >= ? AND ts < ?", (day_start(frm),
                                                 day_start(to + datetime.timedelta(days=1))))
        rows = rows.fetchall()
    finally:
        c.close()
    per_day = collections.defaultdict(lambda: {"packets": 0, "entries": 0, "sources": set()})
    src = collections.defaultdict(lambda: {"packets": 0, "ports": set(), "class": set()})
    ports = collections.defaultdict(lambda: {"packets": 0, "sources": set()})
    protos = {"1": "icmp", "6": "tcp", "17": "udp", "58": "icmp"}
    for ts, key, value, js in rows:
        d = per_day[day_of(ts).isoformat()]
        d["packets"] += value
        if key == "other":
            continue
        ip, proto, port = key.split("|")
        d["entries"] += 1
        d["sources"].add(ip)
        src[ip]["packets"] += value
        src[ip]["ports"].add((proto, port))
        src[ip]["class"].add(json.loads(js)["class"])
        k = (protos.get(proto, proto), int(port))
        ports[k]["packets"] += value
        ports[k]["sources"].add(ip)
    days_list = [{"date": k, "packets": v["packets"], "entries": v["entries"],
                  "sources": len(v["sources"])} for k, v in sorted(per_day.items())]
    return {"from": s["from"], "to": s["to"], "days": days_list,
            "totals": {"packets": sum(v["packets"] for v in per_day.values()),
                       "sources": len(src)},
            "sources": src, "ports": ports}


def top_ok(listed, count_of, key, k=10, count="count"):
    """Whether LISTED (a list of objects) is a correct top K of COUNT_OF (key -> count):
    as many items as there can be, each with its true count, largest first, none left
    out that counts more than the last one listed. Returns '' or what is wrong."""
    if not isinstance(listed, list):
        return "not a list: %r" % (listed,)
    want_len = min(k, len(count_of))
    if len(listed) != want_len:
        return "%d items, not %d" % (len(listed), want_len)
    seen = set()
    prev = None
    for item in listed:
        kv = item.get(key) if isinstance(item, dict) else None
        if kv in seen:
            return "%r listed twice" % (kv,)
        seen.add(kv)
        if kv not in count_of:
            return "%r is not in the store's figures" % (kv,)
        if item.get(count) != count_of[kv]:
            return "%r: %s %r, the store says %r" % (kv, count, item.get(count), count_of[kv])
        if prev is not None and item[count] > prev:
            return "not largest first at %r" % (kv,)
        prev = item[count]
    if listed:
        rest = [v for kk, v in count_of.items() if kk not in seen]
        if rest and max(rest) > listed[-1][count]:
            return "an item with %d left out" % max(rest)
    return ""


# ---- wrk ----

def wrk_parse(text):
    """Figures of one wrk run: requests, requests/s, latency, socket errors, non-2xx."""
    import re
    out = {"requests": None, "rps": None, "latency": None, "socket_errors": 0, "non2xx": 0,
           "errors_text": ""}
    m = re.search(r"(\d+) requests in", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s*([0-9.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    m = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", text)
    if m:
        out["latency"] = m.group(1)
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["socket_errors"] = sum(int(x) for x in m.groups())
        out["errors_text"] = m.group(0)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    return out
