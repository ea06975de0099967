#!/usr/bin/env python3
"""gavelload.py - drives Gavel like its users do: POST submissions, follow them over WebSockets.

Theory of operation. Python 3 standard library only (it runs on any host of a test, inside
network namespaces too). Three small clients:
  - post(): one HTTP POST /api/submissions per call (http.client, a fresh connection each time).
  - Watcher: a thread holding one WebSocket to one gateway (RFC 6455 client written here: random
    key, masked frames, pings answered). It subscribes to the ids it is given; when the connection
    drops (gateway restarted) it reconnects with back-off and subscribes again to every id still
    without a final, so the snapshot (or the final at once) fills what was missed. Every final
    seen on a connection is counted: two finals for one id is a failure.
  - EventTap: a thread subscribed to gavel:events on Redis itself (RESP spoken here), counting the
    finals each submission published, independent of any gateway.
Three uses: `multihost` (the fault-injection run of tests/integration/test_multihost.sh: submissions
posted through two gateways, each followed on the other, a hook command run at progress marks)
and `bench` (tests/bench/e2e/run.sh: N submissions through one gateway, latency and stage stats
as JSON), and `floor` (the same binaries on the same tests with plain fork + exec, for
comparison). Every wait is bounded.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import shlex
import socket
import struct
import subprocess
import sys
import threading
import time

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
FRAME_MAX = 8 << 20          # largest WebSocket message we accept
HEAD_MAX = 8192              # largest handshake answer head
RESP_LINE_MAX = 1 << 20      # largest RESP line / bulk from Redis


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def split_hostport(s):
    host, _, port = s.rpartition(":")
    return host, int(port)


# --- HTTP ---

def post(gw, problem, language, source, timeout=15):
    """POSTs one submission; (status, body dict or None). Raises OSError when unreachable."""
    host, port = split_hostport(gw)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        body = json.dumps({"problem": problem, "language": language, "source": source})
        conn.request("POST", "/api/submissions", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, None
    finally:
        conn.close()


def get_json(gw, path, timeout=15):
    host, port = split_hostport(gw)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        conn.close()


# --- WebSocket client ---

class WsClosed(Exception):
    pass


class Ws:
    def __init__(self, gw, timeout=10):
        host, port = split_hostport(gw)
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET /ws HTTP/1.1\r\nHost: {gw}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > HEAD_MAX:
                raise WsClosed("handshake answer too long")
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise WsClosed(f"refused: {lines[0]}")
        want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        accept = [l.split(":", 1)[1].strip() for l in lines[1:]
                  if l.lower().startswith("sec-websocket-accept:")]
        if accept != [want]:
            raise WsClosed("bad Sec-WebSocket-Accept")
        self.lock = threading.Lock()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise WsClosed("EOF")
        self.buf += data

    def _need(self, n):
        while len(self.buf) < n:
            self._fill()

    def send(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        with self.lock:
            self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self.send(1, text.encode())

    def recv_text(self):
        """The next text message (pings answered, fragments joined); raises WsClosed."""
        parts = []
        while True:
            self._need(2)
            b0, b1 = self.buf[0], self.buf[1]
            n, off = b1 & 0x7F, 2
            if n == 126:
                self._need(4)
                n, off = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                self._need(10)
                n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
            if n > FRAME_MAX:
                raise WsClosed("frame too large")
            self._need(off + n)
            payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
            op = b0 & 0x0F
            if op == 9:
                self.send(10, payload)
            elif op == 8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                raise WsClosed(f"close {code}")
            elif op in (0, 1):
                parts.append(payload)
                if b0 & 0x80:
                    return b"".join(parts).decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --- Tracking ---

class Sub:
    def __init__(self, n, problem, language, expected, post_gw, follow_gw):
        self.n, self.problem, self.language, self.expected = n, problem, language, expected
        self.post_gw, self.follow_gw = post_gw, follow_gw
        self.id = None
        self.t_post = self.t_accepted = self.t_final = None
        self.wall_final_ms = None
        self.finals = 0           # finals seen by the watcher
        self.final = None         # the final message (dict)


class Tracker:
    def __init__(self):
        self.lock = threading.Condition()
        self.by_id = {}
        self.done = 0
        self.errors = []

    def add(self, sub):
        with self.lock:
            self.by_id[sub.id] = sub

    def on_final(self, sid, msg):
        with self.lock:
            s = self.by_id.get(sid)
            if s is None:
                return
            s.finals += 1
            if s.finals == 1:
                s.final, s.t_final, s.wall_final_ms = msg, time.monotonic(), time.time() * 1000
                self.done += 1
                self.lock.notify_all()
            else:
                self.errors.append(f"{sid}: {s.finals} finals on the WebSocket")

    def wait_done(self, n, timeout):
        end = time.monotonic() + timeout
        with self.lock:
            while self.done < n and time.monotonic() < end:
                self.lock.wait(0.2)
            return self.done


class Watcher(threading.Thread):
    """Follows ids over one gateway's WebSocket, reconnecting while the gateway is away."""

    def __init__(self, gw, tracker, name):
        super().__init__(daemon=True, name=name)
        self.gw, self.tracker = gw, tracker
        self.pending = set()
        self.lock = threading.Lock()
        self.ws = None
        self.stop = False
        self.reconnects = 0
        self.ready = threading.Event()

    def follow(self, sid):
        with self.lock:
            self.pending.add(sid)
            ws = self.ws
        if ws:
            try:
                ws.send_text(json.dumps({"op": "subscribe", "id": sid}))
            except OSError:
                pass  # the reader notices and resubscribes everything pending

    def run(self):
        delay = 0.1
        while not self.stop:
            try:
                ws = Ws(self.gw)
            except (OSError, WsClosed):
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            delay = 0.1
            with self.lock:
                self.ws = ws
                ids = list(self.pending)
            self.ready.set()
            try:
                for sid in ids:
                    ws.send_text(json.dumps({"op": "subscribe", "id": sid}))
                while not self.stop:
                    self.on_message(ws.recv_text())
            except (OSError, WsClosed) as e:
                if not self.stop:
                    self.reconnects += 1
                    log(f"{self.name}: connection lost ({e}); reconnecting")
            with self.lock:
                self.ws = None
            ws.close()

    def on_message(self, text):
        msg = json.loads(text)
        if msg.get("type") == "final":
            sid = msg.get("submission")
            with self.lock:
                self.pending.discard(sid)
            self.tracker.on_final(sid, msg)  # a second final for one id is counted as an error


class EventTap(threading.Thread):
    """Counts the finals published on gavel:events, straight from Redis."""

    def __init__(self, redis):
        super().__init__(daemon=True, name="events")
        self.redis = redis
        self.finals = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.error = None

    def run(self):
        host, port = split_hostport(self.redis)
        try:
            s = socket.create_connection((host, port), timeout=10)
            s.settimeout(None)
            s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$12\r\ngavel:events\r\n")
            f = s.makefile("rb")
            while True:
                item = self.read_resp(f)
                if isinstance(item, list) and len(item) == 3 and item[0] == b"subscribe":
                    self.ready.set()
                elif isinstance(item, list) and len(item) == 3 and item[0] == b"message":
                    ev = json.loads(item[2])
                    if ev.get("type") == "final":
                        with self.lock:
                            sid = ev.get("submission")
                            self.finals[sid] = self.finals.get(sid, 0) + 1
        except Exception as e:  # reported at the end: a lost tap is a failed check
            self.error = repr(e)
            self.ready.set()

    def read_resp(self, f):
        line = f.readline(RESP_LINE_MAX)
        if not line:
            raise EOFError("redis closed the subscription")
        kind, rest = line[:1], line[1:].strip()
        if kind == b"*":
            return [self.read_resp(f) for _ in range(int(rest))]
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = f.read(n + 2)
            return data[:-2]
        if kind in (b"+", b":"):
            return rest
        raise ValueError(f"redis: {line!r}")


# --- The submission mix ---

def load_mix(path, problems_dir):
    """A JSON list of {"problem","language","expected","file" (relative to problems_dir) or
    "source", "weight", "unique": true to append a per-submission comment}."""
    with open(path) as f:
        mix = json.load(f)
    for m in mix:
        if "file" in m:
            with open(os.path.join(problems_dir, m["file"])) as src:
                m["source"] = src.read()
        m.setdefault("weight", 1)
    return mix


RUN_TAG = os.urandom(6).hex()  # unique sources stay unique across runs (the compile cache lasts)


def make_source(m, n):
    if not m.get("unique"):
        return m["source"]
    mark = "#" if m["language"] == "python3" else "//"
    return m["source"] + f"\n{mark} submission {RUN_TAG}-{n}\n"


def pick(mix, n):
    """Deterministic round-robin over the mix by weight."""
    wheel = [m for m in mix for _ in range(m["weight"])]
    return wheel[n % len(wheel)]


def post_until_accepted(gws, first, m, n, deadline):
    """POSTs through gws[first], falling over to the other gateway while it is unreachable or
    busy; returns (gateway index, answer) or raises after the deadline."""
    i, last = first, None
    while time.monotonic() < deadline:
        try:
            status, body = post(gws[i], m["problem"], m["language"], make_source(m, n))
            if status == 202:
                return i, body
            last = f"HTTP {status} {body}"
            if status not in (429, 503):
                raise RuntimeError(f"submission {n}: {last}")
        except OSError as e:
            last = repr(e)
        i = (i + 1) % len(gws)
        time.sleep(0.05)
    raise RuntimeError(f"submission {n}: not accepted in time: {last}")


# --- multihost ---

def run_hook(hook, phase, marks, results):
    t0 = time.monotonic()
    r = subprocess.run(shlex.split(hook) + [phase], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dt = time.monotonic() - t0
    results.append((phase, dt, r.returncode))
    for line in r.stdout.splitlines():
        log(f"hook {phase}: {line}")
    log(f"hook {phase}: exit {r.returncode} after {dt:.1f} s")


def cmd_multihost(a):
    gws = a.gw
    mix = load_mix(a.mix, a.problems)
    tracker = Tracker()
    tap = EventTap(a.redis)
    tap.start()
    tap.ready.wait(10)
    if tap.error:
        sys.exit(f"event tap: {tap.error}")
    watchers = [Watcher(g, tracker, f"ws@{g}") for g in gws]
    for w in watchers:
        w.start()
    for w in watchers:
        if not w.ready.wait(20):
            sys.exit(f"{w.name}: no WebSocket")
    marks = sorted((float(f), name) for f, name in (x.split(":") for x in a.phase))
    hooks, hook_results, phase_times = [], [], []
    subs = []
    t0 = time.monotonic()
    last_mark = t0
    deadline = t0 + a.timeout
    log(f"posting {a.count} submissions through {len(gws)} gateways, at most {a.window} in flight")
    for n in range(a.count):
        # at most `window` in flight, so posting spans the whole run and the faults hit it
        while n - tracker.done >= a.window and time.monotonic() < deadline:
            tracker.wait_done(n - a.window + 1, 0.5)
        while marks and tracker.done >= marks[0][0] * a.count:
            _, name = marks.pop(0)
            now = time.monotonic()
            phase_times.append((f"until {name}", now - last_mark))
            last_mark = now
            log(f"phase {name} at {tracker.done} finals")
            th = threading.Thread(target=run_hook, args=(a.hook, name, marks, hook_results))
            th.start()
            hooks.append(th)
        m = pick(mix, n)
        first = n % len(gws)
        s = Sub(n, m["problem"], m["language"], m["expected"], None, None)
        s.t_post = time.monotonic()
        i, body = post_until_accepted(gws, first, m, n, deadline)
        s.post_gw = i
        s.follow_gw = (i + 1) % len(gws)
        s.id = body["id"]
        s.t_accepted = time.monotonic()
        tracker.add(s)
        subs.append(s)
        watchers[s.follow_gw].follow(s.id)
    now = time.monotonic()
    phase_times.append(("posting the rest", now - last_mark))
    last_mark = now
    got = tracker.wait_done(a.count, max(1, deadline - time.monotonic()))
    for th in hooks:
        th.join(180)
        if th.is_alive():
            tracker.errors.append("a fault-injection hook did not finish in 180 s")
    now = time.monotonic()
    phase_times.append(("drain (last post to last final)", now - last_mark))
    time.sleep(1.0)  # late duplicates, if any, would arrive now
    for w in watchers:
        w.stop = True
    return report_multihost(a, subs, tracker, tap, watchers, got, t0, phase_times, hook_results)


def report_multihost(a, subs, tracker, tap, watchers, got, t0, phase_times, hook_results):
    errors = list(tracker.errors)
    by_verdict, wrong = {}, []
    for s in subs:
        if s.final is None:
            errors.append(f"#{s.n} {s.id} ({s.problem} {s.language}): no final")
            continue
        v = s.final.get("verdict")
        by_verdict[v] = by_verdict.get(v, 0) + 1
        if v != s.expected:
            wrong.append(f"#{s.n} {s.id} {s.problem}/{s.language}: {v}, expected {s.expected}"
                         f" (worker {s.final.get('worker')}, attempt {s.final.get('attempt')})")
    with tap.lock:
        for s in subs:
            c = tap.finals.get(s.id, 0)
            if c != 1:
                errors.append(f"{s.id}: {c} finals published on gavel:events")
    if tap.error:
        errors.append(f"event tap: {tap.error}")
    posted_via = [sum(1 for s in subs if s.post_gw == i) for i in range(len(a.gw))]
    workers = {}
    for s in subs:
        if s.final:
            w = s.final.get("worker", "?")
            workers[w] = workers.get(w, 0) + 1
    retried = sum(1 for s in subs if s.final and (s.final.get("attempt") or 1) > 1)
    lat = sorted(s.t_final - s.t_post for s in subs if s.t_final)
    log("---- multihost summary ----")
    for name, dt in phase_times:
        log(f"phase {name}: {dt:.1f} s")
    for name, dt, rc in hook_results:
        log(f"action {name}: {dt:.1f} s (exit {rc})")
        if rc != 0:
            errors.append(f"hook {name} failed (exit {rc})")
    log(f"total: {time.monotonic() - t0:.1f} s for {len(subs)} submissions, {got} finals")
    log(f"verdicts: {by_verdict}; posted via gateway: {posted_via}; judged by: {workers}")
    log(f"re-judged after a worker died: {retried}; WebSocket reconnects: "
        f"{[w.reconnects for w in watchers]}")
    if lat:
        log(f"latency POST->final: p50 {lat[len(lat) // 2]:.2f} s, max {lat[-1]:.2f} s")
    for line in wrong + errors:
        log(f"FAIL {line}")
    return 1 if wrong or errors or got < a.count else 0


# --- bench ---

def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def cmd_bench(a):
    mix = load_mix(a.mix, a.problems)
    tracker = Tracker()
    w = Watcher(a.gw[0], tracker, "ws")
    w.start()
    if not w.ready.wait(20):
        sys.exit("no WebSocket")
    subs = []
    t0 = time.monotonic()
    deadline = t0 + a.timeout
    for n in range(a.count):
        m = pick(mix, n)
        s = Sub(n, m["problem"], m["language"], m["expected"], 0, 0)
        s.t_post = time.monotonic()
        s.wall_post_ms = time.time() * 1000
        _, body = post_until_accepted(a.gw, 0, m, n, deadline)
        s.id = body["id"]
        tracker.add(s)
        subs.append(s)
        w.follow(s.id)
    got = tracker.wait_done(a.count, max(1, deadline - time.monotonic()))
    t1 = max((s.t_final for s in subs if s.t_final), default=time.monotonic())
    w.stop = True
    done = [s for s in subs if s.final]
    bad = [s for s in done if s.final.get("verdict") != s.expected]
    tests = sum(len(s.final.get("tests") or []) for s in done)

    def stage(key):
        return [float((s.final.get("timings") or {}).get(key, 0)) for s in done]

    lat = [(s.t_final - s.t_post) * 1000 for s in done]
    # publish: from the worker writing the final (`finished` of GET /api/submissions/{id}, the
    # worker's wall clock; same machine here) to the final arriving on our WebSocket
    publish = []
    for s in done:
        status, body = get_json(a.gw[0], f"/api/submissions/{s.id}")
        finished = float(body.get("finished") or 0) if status == 200 and body else 0
        publish.append(max(0.0, s.wall_final_ms - finished) if finished else 0.0)
    wall = t1 - t0
    out = {
        "count": a.count, "finals": got, "wrong_verdicts": len(bad), "wall_s": wall,
        "subs_per_s": len(done) / wall if wall > 0 else 0, "tests": tests,
        "tests_per_s": tests / wall if wall > 0 else 0,
        "latency_ms": {"p50": pct(lat, 50), "p99": pct(lat, 99)},
        "stages_ms": {k: {"p50": pct(v, 50), "p99": pct(v, 99), "mean": sum(v) / max(1, len(v))}
                      for k, v in (("queue", stage("queued_ms")), ("compile", stage("compile_ms")),
                                   ("run", stage("run_ms")), ("publish", publish))},
    }
    json.dump(out, sys.stdout)
    print()
    return 0 if got == a.count and not bad else 1


# --- the sandbox floor: the same binaries on the same tests, fork + exec only ---

def cmd_floor(a):
    """Runs `count` submissions' worth of tests (alternating the given commands) with plain
    fork + exec, `procs` at a time: what the pipeline would cost if it did nothing else."""
    tests = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(a.problem, "data"))
                   for f in fs if f.endswith(".in"))
    cmds = [shlex.split(c) for c in a.commands]
    jobs = [(cmds[n % len(cmds)], t) for n in range(a.count) for t in tests]
    lock = threading.Lock()
    failures = []

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                cmd, t = jobs.pop()
            with open(t, "rb") as stdin:
                r = subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL)
            if r.returncode != 0:
                with lock:
                    failures.append(f"{cmd} < {t}: exit {r.returncode}")

    n_tests = len(jobs)
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(a.procs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.monotonic() - t0
    json.dump({"count": a.count, "procs": a.procs, "tests": n_tests, "wall_s": wall,
               "tests_per_s": n_tests / wall, "ms_per_test": wall * 1000 / n_tests * a.procs,
               "failures": failures[:5]}, sys.stdout)
    print()
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sp = ap.add_subparsers(dest="cmd", required=True)
    for name in ("multihost", "bench"):
        p = sp.add_parser(name)
        p.add_argument("--gw", action="append", required=True, help="HOST:PORT (repeatable)")
        p.add_argument("--mix", required=True, help="the submission mix (JSON)")
        p.add_argument("--problems", required=True, help="problems folder, for mix files")
        p.add_argument("--count", type=int, required=True)
        p.add_argument("--timeout", type=float, default=600)
        if name == "multihost":
            p.add_argument("--redis", required=True, help="HOST:PORT for the event tap")
            p.add_argument("--window", type=int, default=12, help="submissions in flight")
            p.add_argument("--hook", required=True, help="command run as HOOK PHASE (split like a shell)")
            p.add_argument("--phase", action="append", default=[],
                           help="FRACTION:NAME, run HOOK NAME when that share is final")
    p = sp.add_parser("floor")
    p.add_argument("--problem", required=True, help="problem folder (its data/**/*.in)")
    p.add_argument("--cmd", dest="commands", action="append", required=True,
                   help="command (repeatable)")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--procs", type=int, default=1)
    a = ap.parse_args()
    run = {"multihost": cmd_multihost, "bench": cmd_bench, "floor": cmd_floor}[a.cmd]
    sys.exit(run(a))


if __name__ == "__main__":
    main()
