#!/usr/bin/env python3
"""Faultline sidecar benchmark, side by side with HAProxy 2.6 (TCP and HTTP mode), on 127.0.0.1 only.

Started by bench/run.sh (which installs the tools and builds the jar). Every process it starts is
tracked and stopped at the end (also on Ctrl-C); every phase has a bounded duration. Results go to
bench/results/<UTC timestamp>.json and a Markdown summary to stdout and bench/results/<ts>.md.

Phases (each repeated --rounds times, proxies interleaved in a rotating order; medians reported):
  startup     time from exec to GET /readyz 200 for each JVM flag set (+ AppCDS)
  rss         RSS idle, then with --idle-conns open idle connections through each proxy
  passthrough wrk (keep-alive, 100 B body) -> proxy -> nginx: req/s, latency, proxy CPU s / request
  bulk        iperf3 -> proxy -> iperf3 server: throughput, proxy CPU per GB
  latency     50 ms downstream latency fault vs. the same sidecar without a fault, 50 connections
  bandwidth   downstream bandwidth fault; download from nginx through the sidecar, achieved rate
  http        HTTP mode: wrk -> HAProxy (mode http) / sidecar http listeners (0 rules, 1 and 100
              non-matching rules, 1 matching headers rule) -> nginx: proxy CPU s / request
  httpslow    1,000 keep-alive clients trickling a request header 1 byte/s: proxy RSS before/during/after
"""
import argparse
import http.client
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"

# JVM flag sets compared. RECOMMENDED below is the one the sidecar image runs (images/pom.xml, see BENCHMARKS.md). An "ENV:K=V" entry is
# put in the process environment, an "ARG:x" entry is appended to the sidecar's own arguments.
SMALL = ["-XX:+UseSerialGC", "-Xms16m", "-Xmx64m", "-Xss256k", "-XX:MaxMetaspaceSize=48m",
         "-XX:ReservedCodeCacheSize=32m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError"]
TRIM = ["ENV:MALLOC_ARENA_MAX=2", "-XX:TrimNativeHeapInterval=5000"]
# The code cache reservation is address space, not RSS; but a small one makes JDK 17's sweeper flush
# methods that were idle for a while (its hotness threshold scales with the size), which then get
# compiled again: the "-cc240" sets keep the JVM's default 240 MiB reservation.
SMALL_CC240 = [f for f in SMALL if not f.startswith("-XX:ReservedCodeCacheSize")]
# "APPCDS" stands for -XX:SharedArchiveFile=<the AppCDS archive this run dumps first> (dump_appcds).
APPCDS = "APPCDS"
# Lean sets (issue 5, JVM flags): a smaller initial heap, native-heap trimming every second, an AppCDS
# archive; "c2-lean" keeps C2 but delays it (tier-4 thresholds 10x the defaults) so that start-up and
# an idle sidecar do not pay for C2 compilations, while a busy one still gets its hot path compiled.
LEAN = [f.replace("-Xms16m", "-Xms8m") for f in SMALL] + [APPCDS]
LAZY_C2 = ["-XX:Tier4InvocationThreshold=50000", "-XX:Tier4MinInvocationThreshold=20000",
           "-XX:Tier4CompileThreshold=60000", "-XX:Tier4BackEdgeThreshold=400000"]
TRIM_1S = ["ENV:MALLOC_ARENA_MAX=2", "-XX:TrimNativeHeapInterval=1000"]
FLAG_SETS = {
    "c2-lean": LEAN + TRIM_1S + LAZY_C2,
    "c2-lean-eager": LEAN + TRIM_1S,
    # c2-lean without its AppCDS archive (the image as it was before it carried one; -Xshare:off on the image).
    "c2-lean-nocds": [f for f in LEAN if f != APPCDS] + TRIM_1S + LAZY_C2,
    "c1-lean": LEAN + ["-XX:TieredStopAtLevel=1"],
    "jvm-defaults": [],
    "small": SMALL,
    "small-c1": SMALL + ["-XX:TieredStopAtLevel=1"],
    "small-trim": SMALL + TRIM,
    "small-c1-trim": SMALL + TRIM + ["-XX:TieredStopAtLevel=1"],
    "small-cc240": SMALL_CC240,
    "small-trim-cc240": SMALL_CC240 + TRIM,
    "small-epoll": SMALL + ["ARG:--transport", "ARG:epoll"],
    "small-c1-epoll": SMALL + ["-XX:TieredStopAtLevel=1", "ARG:--transport", "ARG:epoll"],
}
DEFAULT_FLAG_SETS = "jvm-defaults,small,small-c1,c2-lean,c2-lean-nocds"
RECOMMENDED = "c2-lean"  # what the sidecar image runs: these flags and an AppCDS archive dumped at package time


def miss_rule(i):
    """A realistic rule that does NOT match the benchmark's `GET /100b` (Host 127.0.0.1:port, no other
    headers): four kinds in turn, so 100 of them exercise path globs, header (exact and regex), host
    and query conditions. Rule 0 (path matches, header differs) is also the 1-rule variant."""
    kind = i % 4
    if kind == 0:
        return {"match": {"methods": ["GET", "POST"], "path": "/**", "headers": {"x-tenant": f"tenant-{i}"}},
                "latency": {"fixed": "100ms"}}
    if kind == 1:
        return {"match": {"path": f"/api/v1/service-{i}/**"}, "abort": {"status": 503}}
    if kind == 2:
        return {"match": {"path": "/*", "headers": {"x-canary": {"regex": f"v[0-9]+-{i}"}}},
                "abort": {"status": 500, "body": "injected"}}
    return {"match": {"host": f"svc-{i}.*.svc", "query": {"debug": {"present": True}}},
            "headers": {"response": {"set": {"x-rule": str(i)}}}}


# HTTP-phase listeners of one sidecar process: name -> rules (each rule bound to that listener only).
HTTP_VARIANTS = {
    "rules0": [],
    "miss1": [miss_rule(0)],
    "miss100": [miss_rule(i) for i in range(100)],
    "hit1": [{"headers": {"response": {"set": {"x-faultline": "bench"}}}}],
}
HTTP_VARIANT_LABELS = {"rules0": "no rules", "miss1": "1 non-matching rule", "miss100": "100 non-matching rules",
                       "hit1": "1 matching rule (response header set)"}

STARTED = []  # every subprocess.Popen we started, stopped by stop_all()


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def pinned(cmd, cpus):
    return (["taskset", "-c", cpus] + cmd) if cpus else cmd


ARCHIVE = {}  # "path": the AppCDS archive of this run, once dumped


def java_cmd(flags, args):
    """(command, environment) for java with a flag set (ENV: entries go to the environment)."""
    env = dict(os.environ)
    jvm, extra = [], []
    for f in flags:
        if f == APPCDS:
            jvm.append(f"-XX:SharedArchiveFile={ARCHIVE['path']}")
        elif f.startswith("ENV:"):
            k, v = f[4:].split("=", 1)
            env[k] = v
        elif f.startswith("ARG:"):
            extra.append(f[4:])
        else:
            jvm.append(f)
    return ["java"] + jvm + args + extra, env


def start(cmd, logfile, cpus=None, env=None):
    out = open(logfile, "ab")
    p = subprocess.Popen(pinned(cmd, cpus), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         env=env, start_new_session=True)
    out.close()
    STARTED.append(p)
    return p


def stop(p, grace=5.0):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    if p in STARTED:
        STARTED.remove(p)


def stop_all():
    for p in list(STARTED):
        try:
            stop(p)
        except Exception as e:  # keep stopping the others
            log(f"could not stop pid {p.pid}: {e}")


def wait_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout}s")


def cpu_split(pid):
    """(user, system) CPU seconds of the whole process, all threads: /proc/PID/stat fields 14 and 15."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def cpu_seconds(pid):
    return sum(cpu_split(pid))


def set_nice(pid, nice):
    """Nice value for every thread of a process (Linux nice is per thread)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.setpriority(os.PRIO_PROCESS, int(tid), nice)
        except OSError:
            pass  # a thread that ended meanwhile


class Boosted:
    """Raises the scheduling priority of the processes under test for a light-load phase, so that
    other work on a shared machine distorts the latency less; restores nice 0 afterwards."""

    def __init__(self, env, pids):
        self.env, self.pids = env, pids

    def __enter__(self):
        for pid in self.pids:
            set_nice(pid, self.env.args.boost_nice)
        return self

    def __exit__(self, *exc):
        for pid in self.pids:
            set_nice(pid, 0)


def jit_cpu_seconds(pid):
    """CPU seconds of the JVM's JIT compiler threads (C1/C2), to tell warm-up from steady state."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if "CompilerThre" not in f.read():
                    continue
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, IndexError, ValueError):
            pass
    return total


def runqueue_wait_seconds(pid):
    """Seconds the process's threads spent runnable but waiting for a CPU (noise from other load)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            pass  # a thread that ended meanwhile
    return total / 1e9


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def mib(kib):
    return round(kib / 1024, 1) if kib is not None else None


# ---------------------------------------------------------------- admin API

def http_call(port, method, path, body=None, timeout=5.0):
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


def wait_ready(admin_port, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sidecar exited with {proc.returncode} before ready")
        try:
            if http_call(admin_port, "GET", "/readyz", timeout=0.5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.002)
    raise RuntimeError("sidecar not ready in time")


# ---------------------------------------------------------------- the system under test

class Env:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.gen_cpus = args.gen_cpus if args.pin else None
        self.proxy_cpus = args.proxy_cpus if args.pin else None
        self.proxies = {}  # name -> dict(proc, web, bulk, admin?, kind)
        self.http_targets = {}  # HTTP phases: name -> dict(proc, port, kind, admin?, variant?)

    # upstreams -----------------------------------------------------------
    def start_upstreams(self):
        root = os.path.join(self.work, "www")
        os.makedirs(os.path.join(root, "logs"), exist_ok=True)
        with open(os.path.join(root, "100b"), "wb") as f:
            f.write(b"x" * 99 + b"\n")
        with open(os.path.join(root, "big"), "wb") as f:
            f.truncate(self.args.big_file_mib << 20)  # sparse zeros; nginx sends it with sendfile
        self.nginx_port = free_port()
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; worker_processes 1; worker_rlimit_nofile 8192;
pid {root}/nginx.pid; error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{ access_log off; keepalive_requests 100000000; keepalive_timeout 300s; client_header_timeout 300s;
  server {{ listen {HOST}:{self.nginx_port}; root {root}; default_type text/plain; }} }}
""")
        self.nginx = start(["nginx", "-p", root, "-c", conf], os.path.join(self.work, "nginx.log"), self.gen_cpus)
        self.iperf_port = free_port()
        self.iperf = start(["iperf3", "-s", "-B", HOST, "-p", str(self.iperf_port)],
                           os.path.join(self.work, "iperf3-server.log"), self.gen_cpus)
        wait_port(self.nginx_port)
        wait_port(self.iperf_port)
        st, body = http_get_raw(self.nginx_port, "/100b")
        assert st == 200 and len(body) == 100, (st, body)
        log(f"nginx on {self.nginx_port}, iperf3 server on {self.iperf_port}")

    # proxies ---------------------------------------------------------------
    def start_haproxy(self):
        web, bulk = free_port(), free_port()
        conf = os.path.join(self.work, "haproxy.cfg")
        with open(conf, "w") as f:
            f.write(f"""global
    maxconn 8000
defaults
    mode tcp
    timeout connect 5s
    timeout client 300s
    timeout server 300s
listen web
    bind {HOST}:{web}
    server nginx {HOST}:{self.nginx_port}
listen bulk
    bind {HOST}:{bulk}
    server iperf {HOST}:{self.iperf_port}
""")
        # -db: foreground, one process (no master/worker); threads = CPUs in its affinity mask.
        p = start(["haproxy", "-db", "-f", conf], os.path.join(self.work, "haproxy.log"), self.proxy_cpus)
        wait_port(web)
        self.proxies["haproxy"] = dict(kind="haproxy", proc=p, web=web, bulk=bulk)
        log(f"haproxy pid {p.pid}: web {web}, bulk {bulk}")

    def sidecar_config(self, web, bulk, rules=()):
        return json.dumps({"version": "bench", "listeners": [
            {"name": "web", "listen": f"{HOST}:{web}", "upstream": f"{HOST}:{self.nginx_port}"},
            {"name": "bulk", "listen": f"{HOST}:{bulk}", "upstream": f"{HOST}:{self.iperf_port}"}],
            "rules": list(rules)})

    def start_sidecar(self, name, flags):
        web, bulk, admin = free_port(), free_port(), free_port()
        cfg = os.path.join(self.work, f"{name}.json")
        with open(cfg, "w") as f:
            f.write(self.sidecar_config(web, bulk))
        cmd, jenv = java_cmd(flags, ["-jar", self.args.jar, "--config", cfg, "--admin", f"{HOST}:{admin}"])
        p = start(cmd, os.path.join(self.work, f"sidecar-{name}.log"), self.proxy_cpus, jenv)
        wait_ready(admin, p)
        self.proxies[f"faultline/{name}"] = dict(kind="faultline", proc=p, web=web, bulk=bulk, admin=admin,
                                                 flags=flags)
        log(f"faultline/{name} pid {p.pid}: web {web}, bulk {bulk}, admin {admin}")

    def put_rules(self, proxy, rules):
        p = self.proxies[proxy]
        st, body = http_call(p["admin"], "PUT", "/v1/config", self.sidecar_config(p["web"], p["bulk"], rules))
        return st, body

    # HTTP mode ---------------------------------------------------------------
    def start_haproxy_http(self):
        """HAProxy in `mode http` (keep-alive on both sides, its default), its own process."""
        web = free_port()
        conf = os.path.join(self.work, "haproxy-http.cfg")
        with open(conf, "w") as f:
            f.write(f"""global
    maxconn 8000
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-request 300s
    timeout http-keep-alive 300s
listen web
    bind {HOST}:{web}
    server nginx {HOST}:{self.nginx_port}
""")
        p = start(["haproxy", "-db", "-f", conf], os.path.join(self.work, "haproxy-http.log"), self.proxy_cpus)
        wait_port(web)
        self.http_targets["haproxy-http"] = dict(kind="haproxy", proc=p, port=web)
        log(f"haproxy-http pid {p.pid}: {web}")

    def start_http_sidecar(self, name, flags, variants, jar=None):
        """One sidecar process with one http listener per variant (rules bound to their listener)."""
        ports = {v: free_port() for v in variants}
        admin = free_port()
        rules = []
        for v in variants:
            for i, r in enumerate(HTTP_VARIANTS[v]):
                rules.append(dict(r, name=f"{v}-{i}", listeners=[v]))
        cfg = os.path.join(self.work, f"http-{name.replace('/', '-')}.json")
        with open(cfg, "w") as f:
            json.dump({"version": "bench-http", "listeners": [
                {"name": v, "listen": f"{HOST}:{ports[v]}", "upstream": f"http://{HOST}:{self.nginx_port}"}
                for v in variants], "rules": rules}, f)
        cmd, jenv = java_cmd(flags, ["-jar", jar or self.args.jar, "--config", cfg, "--admin", f"{HOST}:{admin}"])
        p = start(cmd, os.path.join(self.work, f"sidecar-http-{name.replace('/', '-')}.log"), self.proxy_cpus, jenv)
        wait_ready(admin, p)
        for v in variants:
            st, body = http_get_raw(ports[v], "/100b")
            assert st == 200 and len(body) == 100, (name, v, st, body)
            self.http_targets[f"faultline/{name}:{v}"] = dict(kind="faultline", proc=p, port=ports[v], admin=admin,
                                                             flags=flags, variant=v)
        log(f"faultline/{name} (http) pid {p.pid}: " + ", ".join(f"{v} {ports[v]}" for v in variants)
            + f", admin {admin}")


def http_get_raw(port, path):
    c = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def rotate(items, i):
    i %= len(items)
    return items[i:] + items[:i]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values):
    values = [v for v in values if v is not None]
    return (min(values), max(values)) if values else (None, None)


# ---------------------------------------------------------------- phases

def run_wrk(env, port, duration, conns, path="/100b", pace_ms=0, nice=0):
    """wrk, one thread; pace_ms > 0: each connection waits that long before each request (not timed)."""
    script = "wrk-paced.lua" if pace_ms else "wrk-report.lua"
    cmd = pinned(["nice", "-n", str(nice), "wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--timeout", "5s",
                  "-s", os.path.join(HERE, script), f"http://{HOST}:{port}{path}"], env.gen_cpus)
    wenv = dict(os.environ, WRK_PACE_MS=str(pace_ms))
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, env=wenv).stdout
    for line in out.splitlines():
        if line.startswith("WRK_JSON "):
            r = json.loads(line[len("WRK_JSON "):])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            return r
    raise RuntimeError("wrk printed no result:\n" + out)


def phase_passthrough(env, res):
    a = env.args
    targets = ["direct"] + list(env.proxies)
    log(f"passthrough: warm-up {a.warmup}s each")
    for name in targets[1:]:
        run_wrk(env, env.proxies[name]["web"], a.warmup, a.conns)
    rows = {t: [] for t in targets}
    for rnd in range(a.rounds):
        for name in rotate(targets, rnd):
            if name == "direct":
                r = run_wrk(env, env.nginx_port, a.duration, a.conns)
                r["cpu_us_per_req"] = None
            else:
                pid = env.proxies[name]["proc"].pid
                u0, s0 = cpu_split(pid)
                w0 = runqueue_wait_seconds(pid)
                j0 = jit_cpu_seconds(pid)
                r = run_wrk(env, env.proxies[name]["web"], a.duration, a.conns)
                u1, s1 = cpu_split(pid)
                r["cpu_jit_s"] = jit_cpu_seconds(pid) - j0
                r["runqueue_wait_s"] = runqueue_wait_seconds(pid) - w0
                r["cpu_user_s"], r["cpu_sys_s"] = u1 - u0, s1 - s0
                r["cpu_s"] = r["cpu_user_s"] + r["cpu_sys_s"]
                r["cpu_us_per_req"] = r["cpu_s"] * 1e6 / r["requests"] if r["requests"] else None
            rows[name].append(r)
            log(f"  round {rnd + 1} {name}: {r['rps']:.0f} req/s, p50 {r['lat_p50_us']} us, "
                f"p99 {r['lat_p99_us']} us, cpu/req {r['cpu_us_per_req'] and round(r['cpu_us_per_req'], 1)} us, "
                f"JIT {r.get('cpu_jit_s') and round(r['cpu_jit_s'], 2)} s, errors {r['errors']}, waited for CPU {r.get('runqueue_wait_s') and round(r['runqueue_wait_s'], 2)} s")
    res["passthrough"] = rows


def run_iperf(env, port, duration, reverse=False):
    cmd = pinned(["iperf3", "-c", HOST, "-p", str(port), "-t", str(duration), "-J"] + (["-R"] if reverse else []),
                 env.gen_cpus)
    for attempt in range(10):
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30).stdout
        j = json.loads(out)
        if "busy" in j.get("error", ""):  # the server still finishes the previous test
            time.sleep(1)
            continue
        if "error" in j:
            raise RuntimeError("iperf3: " + j["error"])
        return j["end"]["sum_received"]["bits_per_second"], j["end"]["sum_received"]["bytes"]
    raise RuntimeError("iperf3 server stayed busy")


def phase_bulk(env, res):
    a = env.args
    targets = ["direct"] + list(env.proxies)
    rows = {t: [] for t in targets}
    for rnd in range(a.rounds):
        for name in rotate(targets, rnd):
            port = env.iperf_port if name == "direct" else env.proxies[name]["bulk"]
            pid = None if name == "direct" else env.proxies[name]["proc"].pid
            c0 = cpu_seconds(pid) if pid else 0
            w0 = runqueue_wait_seconds(pid) if pid else 0
            bps, nbytes = run_iperf(env, port, a.iperf_seconds)
            cpu = cpu_seconds(pid) - c0 if pid else None
            r = dict(gbps=bps / 1e9, bytes=nbytes, cpu_s=cpu,
                     runqueue_wait_s=runqueue_wait_seconds(pid) - w0 if pid else None,
                     cpu_s_per_gb=(cpu / (nbytes / 1e9)) if cpu is not None else None)
            rows[name].append(r)
            log(f"  round {rnd + 1} {name}: {r['gbps']:.2f} Gbit/s, cpu {cpu and round(cpu, 2)} s, "
                f"waited for CPU {r['runqueue_wait_s'] and round(r['runqueue_wait_s'], 2)} s")
    res["bulk"] = rows


def phase_latency(env, res):
    out = {}
    for name in (env.args.latency_sets or RECOMMENDED).split(","):
        out[name] = latency_for(env, f"faultline/{name}")
    res["latency_by_set"] = out
    res["latency"] = out[(env.args.latency_sets or RECOMMENDED).split(",")[0]]


def latency_for(env, proxy):
    """50 ms latency fault vs. no fault at the same offered load.

    With the fault, each of the 50 connections sends a request every ~50 ms (~1,000 req/s). An unpaced
    no-fault run would saturate the proxy (~20,000 req/s) and measure queueing instead, so the
    baseline connections wait 50 ms between requests (wrk's delay(), not part of the timed latency).
    """
    rule = {"name": "lat50", "listeners": ["web"], "stream": "downstream", "latency": {"fixed": "50ms"}}
    cases = {"no-fault (paced 50 ms)": ([], 50), "latency-50ms": ([rule], 0)}
    rows = {c: [] for c in cases}
    log(f"latency fault on {proxy}")
    with Boosted(env, [env.proxies[proxy]["proc"].pid, env.nginx.pid]):
        latency_rounds(env, proxy, cases, rows)
    env.put_rules(proxy, [])
    return rows


def latency_rounds(env, proxy, cases, rows):
    a = env.args
    for rnd in range(a.rounds):
        for case in rotate(list(cases), rnd):
            rules, pace = cases[case]
            st, body = env.put_rules(proxy, rules)
            if st != 200:
                raise RuntimeError(f"PUT /v1/config: {st} {body}")
            nice = a.boost_nice
            run_wrk(env, env.proxies[proxy]["web"], 2, a.latency_conns, pace_ms=pace, nice=nice)  # warm-up
            r = run_wrk(env, env.proxies[proxy]["web"], a.duration, a.latency_conns, pace_ms=pace, nice=nice)
            rows[case].append(r)
            log(f"  round {rnd + 1} {case}: p50 {r['lat_p50_us']} us, p99 {r['lat_p99_us']} us, "
                f"{r['rps']:.0f} req/s")


def download(port, seconds, path="/big"):
    """Reads an HTTP response for `seconds`; returns (bytes, seconds) from the first body byte on."""
    s = socket.create_connection((HOST, port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
    t0 = time.monotonic()
    got, first, header_done, buf = 0, None, False, b""
    samples = []
    s.settimeout(1.0)
    try:
        while time.monotonic() - t0 < seconds:
            try:
                chunk = s.recv(256 * 1024)
            except socket.timeout:
                continue
            if not chunk:
                break
            now = time.monotonic()
            if not header_done:
                buf += chunk
                i = buf.find(b"\r\n\r\n")
                if i < 0:
                    continue
                header_done, chunk, first = True, buf[i + 4:], now
            got += len(chunk)
            samples.append((now, got))
    finally:
        s.close()
    end = samples[-1][0] if samples else time.monotonic()
    return got, (end - first) if first else 0.0, first, samples


def phase_bandwidth(env, res):
    a = env.args
    proxy = f"faultline/{RECOMMENDED}"
    out = {}
    for label, rate, bytes_per_s in (("1MiB/s", "1MiB", 1 << 20), ("10Mbps", "10Mbps", 10_000_000 / 8)):
        rule = {"name": "bw", "listeners": ["web"], "stream": "downstream", "bandwidth": {"rate": rate}}
        st, body = env.put_rules(proxy, [rule])
        if st != 200:
            out[label] = dict(error=f"PUT /v1/config answered {st}: {body}")
            log(f"  bandwidth {label}: not supported by this sidecar build: {body}")
            continue
        runs = []
        for rnd in range(a.bw_rounds):
            with Boosted(env, [env.proxies[proxy]["proc"].pid, env.nginx.pid, os.getpid()]):
                got, secs, first, samples = download(env.proxies[proxy]["web"], a.bw_seconds)
            # Steady state: skip the first second (TCP/socket buffers fill at full speed first).
            steady = [x for x in samples if x[0] - first >= 1.0]
            steady_rate = ((steady[-1][1] - steady[0][1]) / (steady[-1][0] - steady[0][0])
                           if len(steady) > 1 else None)
            r = dict(bytes=got, seconds=secs, rate=got / secs if secs else None, steady_rate=steady_rate,
                     target=bytes_per_s)
            r["error_pct"] = (r["rate"] / bytes_per_s - 1) * 100 if r["rate"] else None
            r["steady_error_pct"] = (steady_rate / bytes_per_s - 1) * 100 if steady_rate else None
            runs.append(r)
            log(f"  bandwidth {label} run {rnd + 1}: {r['rate']:.0f} B/s over {secs:.2f}s "
                f"({r['error_pct']:+.2f} %), steady {r['steady_error_pct'] and round(r['steady_error_pct'], 2)} %")
        out[label] = dict(runs=runs)
    env.put_rules(proxy, [])
    res["bandwidth"] = out


def loadavg():
    return [float(x) for x in open("/proc/loadavg").read().split()[:3]]


def measure_wrk(env, pid, port, duration, conns):
    """One wrk run against `port`, with the CPU of process `pid` (None: no proxy) over that run."""
    load = loadavg()
    if pid is None:
        r = run_wrk(env, port, duration, conns)
        r["cpu_us_per_req"] = None
    else:
        u0, s0 = cpu_split(pid)
        w0 = runqueue_wait_seconds(pid)
        j0 = jit_cpu_seconds(pid)
        r = run_wrk(env, port, duration, conns)
        u1, s1 = cpu_split(pid)
        r["cpu_jit_s"] = jit_cpu_seconds(pid) - j0
        r["runqueue_wait_s"] = runqueue_wait_seconds(pid) - w0
        r["cpu_user_s"], r["cpu_sys_s"] = u1 - u0, s1 - s0
        r["cpu_s"] = r["cpu_user_s"] + r["cpu_sys_s"]
        r["cpu_us_per_req"] = r["cpu_s"] * 1e6 / r["requests"] if r["requests"] else None
    r["loadavg_before"] = load
    r["loadavg_after"] = loadavg()
    return r


def http_response_headers(port, path="/100b"):
    c = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}
    finally:
        c.close()


def phase_http(env, res):
    """HTTP-mode pass-through CPU per request: nginx direct, HAProxy mode http, sidecar http listeners."""
    a = env.args
    targets = ["direct"] + list(env.http_targets)
    for name, t in env.http_targets.items():
        st, headers = http_response_headers(t["port"])
        want = "bench" if t.get("variant") == "hit1" else None
        if st != 200 or headers.get("x-faultline") != want:
            raise RuntimeError(f"{name}: unexpected answer {st} {headers}")
    log(f"http: warm-up {a.http_warmup}s each")
    for name in targets[1:]:
        run_wrk(env, env.http_targets[name]["port"], a.http_warmup, a.conns)
    rows = {t: [] for t in targets}
    for rnd in range(a.rounds):
        for name in rotate(targets, rnd):
            t = env.http_targets.get(name)
            r = measure_wrk(env, t["proc"].pid if t else None, t["port"] if t else env.nginx_port,
                            a.duration, a.conns)
            rows[name].append(r)
            log(f"  http round {rnd + 1} {name}: {r['rps']:.0f} req/s, cpu/req "
                f"{r['cpu_us_per_req'] and round(r['cpu_us_per_req'], 1)} us, JIT {r.get('cpu_jit_s')}, "
                f"errors {r['errors']}, load {r['loadavg_before'][0]}")
    res["http"] = rows
    # Memory after the load (C2's compiler arenas, code cache, heap growth): idle RSS of every http sidecar.
    time.sleep(6)
    res["http_rss_after"] = {}
    for name, t in env.http_targets.items():
        proc_name = name.split(":")[0]
        if t["kind"] == "faultline" and proc_name not in res["http_rss_after"] and t["proc"].poll() is None:
            res["http_rss_after"][proc_name] = dict(rss_idle_mib=rss_mib(t["proc"].pid),
                                                    hwm_mib=mib(status_kib(t["proc"].pid, "VmHWM")))
    log(f"  RSS after the http load: {res['http_rss_after']}")
    # Evidence that the rules were evaluated as intended: per-rule counters of every sidecar.
    stats = {}
    for name, t in env.http_targets.items():
        if t["kind"] == "faultline" and name.split(":")[0] not in stats:
            st, body = http_call(t["admin"], "GET", "/v1/stats")
            stats[name.split(":")[0]] = json.loads(body) if st == 200 else {"error": body}
    res["http_rule_stats"] = {}
    for proc_name, s in stats.items():
        for rule, c in s.get("rules", {}).items():
            variant = proc_name + ":" + rule.rsplit("-", 1)[0]
            agg = res["http_rule_stats"].setdefault(variant, dict(rules=0, matched=0, injected=0))
            agg["rules"] += 1
            agg["matched"] += c.get("matched", 0)
            agg["injected"] += c.get("injected", 0)
    log(f"  rule counters: {res['http_rule_stats']}")


def rss_mib(pid):
    return mib(status_kib(pid, "VmRSS"))


def phase_http_slow(env, res):
    """--slow-conns keep-alive clients trickling a request header one byte per second (bench/slow-clients.py)."""
    a = env.args
    out = {}
    seen = set()
    for name, t in env.http_targets.items():
        pid = t["proc"].pid
        if t.get("variant") not in (None, "rules0") or pid in seen or name.startswith("faultline/baseline"):
            continue  # one listener per process; memory does not depend on the rule count
        seen.add(pid)
        row = dict(conns=a.slow_conns, trickle_s=a.slow_seconds, load_before=loadavg(),
                   rss_before_mib=rss_mib(pid), samples=[])
        cmd = pinned([sys.executable, os.path.join(HERE, "slow-clients.py"), "--port", str(t["port"]),
                      "--conns", str(a.slow_conns), "--seconds", str(a.slow_seconds)], env.gen_cpus)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True,
                             start_new_session=True)
        STARTED.append(p)
        t0 = time.monotonic()
        try:
            for line in p.stdout:
                tag, _, body = line.partition(" ")
                info = json.loads(body)
                rss = rss_mib(pid)
                if tag == "READY":
                    row["ready"] = info
                    row["rss_open_mib"] = rss
                elif tag == "TRICKLE":
                    if info["sent"] % 5 == 0 or info["sent"] == info["of"]:
                        row["samples"].append(dict(t=round(time.monotonic() - t0, 1), sent=info["sent"], rss_mib=rss))
                elif tag == "DONE":
                    row["done"] = info
                    row["rss_answered_mib"] = rss
                    break
                if time.monotonic() - t0 > a.slow_seconds + 120:
                    raise RuntimeError("slow clients did not finish in time")
            p.stdin.write("\n")
            p.stdin.flush()
            p.wait(30)
        finally:
            stop(p)
        time.sleep(3)
        row["rss_after_mib"] = rss_mib(pid)
        row["hwm_mib"] = mib(status_kib(pid, "VmHWM"))
        row["load_after"] = loadavg()
        trickle = [s["rss_mib"] for s in row["samples"]]
        row["rss_trickle_max_mib"] = max(trickle) if trickle else None
        if row["rss_trickle_max_mib"] is not None:
            row["kib_per_conn"] = round((row["rss_trickle_max_mib"] - row["rss_before_mib"]) * 1024 / a.slow_conns, 1)
        out[name.split(":")[0]] = row
        log(f"  slow clients {name}: before {row['rss_before_mib']}, open {row.get('rss_open_mib')}, trickle max "
            f"{row['rss_trickle_max_mib']}, answered {row.get('rss_answered_mib')}, after {row['rss_after_mib']} MiB; "
            f"{row.get('done')}")
    res["http_slow"] = out


def open_idle(port, n):
    """n keep-alive connections through the proxy, each has done one request; returns the sockets."""
    socks = []
    for _ in range(n):
        s = socket.create_connection((HOST, port), timeout=5)
        s.sendall(b"GET /100b HTTP/1.1\r\nHost: bench\r\n\r\n")
        socks.append(s)
    for s in socks:
        data = b""
        while not (b"\r\n\r\n" in data and len(data.split(b"\r\n\r\n", 1)[1]) >= 100):
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError("connection closed before the response")
            data += chunk
    return socks


def phase_rss(env, res, when):
    a = env.args
    out = {}
    for name, p in env.proxies.items():
        pid = p["proc"].pid
        row = dict(rss_idle_mib=mib(status_kib(pid, "VmRSS")))
        socks = open_idle(p["web"], a.idle_conns)
        time.sleep(2)
        row["rss_conns_mib"] = mib(status_kib(pid, "VmRSS"))
        row["conns"] = a.idle_conns
        for s in socks:
            s.close()
        time.sleep(0.5)
        row["hwm_mib"] = mib(status_kib(pid, "VmHWM"))
        out[name] = row
        log(f"  rss {when} {name}: {row}")
    res[f"rss_{when}"] = out


def dump_appcds(env):
    """AppCDS: a dynamic archive of the classes a real start loads, dumped at a clean exit (once per run)."""
    if "path" in ARCHIVE:
        return ARCHIVE["path"]
    cfg = os.path.join(env.work, "startup.json")
    with open(cfg, "w") as f:
        f.write(env.sidecar_config(0, 0))  # port 0: ephemeral listeners, never in conflict
    jsa = os.path.join(env.work, "faultline.jsa")
    admin = free_port()
    flags = [f for f in FLAG_SETS[RECOMMENDED] if f != APPCDS] + [f"-XX:ArchiveClassesAtExit={jsa}"]
    cmd, jenv = java_cmd(flags, ["-jar", env.args.jar, "--config", cfg, "--admin", f"{HOST}:{admin}"])
    p = start(cmd, os.path.join(env.work, "cds-dump.log"), None, jenv)
    wait_ready(admin, p)
    http_call(admin, "GET", "/v1/config")
    stop(p, grace=30)
    if not os.path.exists(jsa):
        raise RuntimeError("the AppCDS archive was not written; see cds-dump.log in " + env.work)
    ARCHIVE["path"] = jsa
    return jsa


def phase_startup(env, res):
    a = env.args
    cfg = os.path.join(env.work, "startup.json")
    jsa = dump_appcds(env)
    sets = {k: FLAG_SETS[k] for k in a.flag_sets.split(",")}
    if os.path.exists(jsa):
        for k in list(sets):
            if k != "jvm-defaults" and APPCDS not in FLAG_SETS[k]:
                sets[k + "+appcds"] = FLAG_SETS[k] + [f"-XX:SharedArchiveFile={jsa}"]
    else:
        log("  AppCDS archive was not written; skipping that variant")
    out = {name: [] for name in sets}
    for rnd in range(a.startup_runs):
        for name in rotate(list(sets), rnd):
            admin = free_port()
            t0 = time.monotonic()
            cmd, jenv = java_cmd(sets[name], ["-jar", a.jar, "--config", cfg, "--admin", f"{HOST}:{admin}"])
            p = start(cmd, os.path.join(env.work, "startup.log"), env.proxy_cpus, jenv)
            wait_ready(admin, p)
            ms = (time.monotonic() - t0) * 1000
            cpu_ms = cpu_seconds(p.pid) * 1000
            time.sleep(1.0)
            rss = mib(status_kib(p.pid, "VmRSS"))
            stop(p)
            out[name].append(dict(ready_ms=ms, cpu_ms_to_ready=cpu_ms, rss_after_1s_mib=rss))
            log(f"  startup {name}: ready in {ms:.0f} ms (CPU {cpu_ms:.0f} ms), RSS 1 s later {rss} MiB")
    res["startup"] = out
    res["startup_flags"] = sets


# ---------------------------------------------------------------- report

def round_ratios(rows_by_target, name, key):
    """Per round: value of `name` / value of haproxy in the same round (robust to load that drifts)."""
    out = []
    for mine, ref in zip(rows_by_target.get(name, []), rows_by_target.get("haproxy", [])):
        if mine.get(key) is not None and ref.get(key):
            out.append(mine[key] / ref[key])
    return out


def ratio_cell(values):
    return f"{med(values):.2f} [{min(values):.2f}–{max(values):.2f}]" if values else "–"


def fmt(x, nd=1):
    return "n/a" if x is None else f"{x:.{nd}f}"


def per_round_ratio(rows_by_target, name, ref, key="cpu_us_per_req"):
    return [m[key] / r[key] for m, r in zip(rows_by_target.get(name, []), rows_by_target.get(ref, []))
            if m.get(key) is not None and r.get(key)]


def summarize_http(res):
    ht = res["http"]
    L = ["### HTTP mode pass-through: wrk → proxy → nginx (100 B body, keep-alive)", "",
         "| target | req/s | p50 µs | p99 µs | proxy CPU µs/req | of which user | of which JIT "
         "| CPU/req ÷ HAProxy http's (per round) | CPU/req ÷ same process, no rules (per round) "
         "| proxy waited for CPU s | load avg 1 min | wrk errors |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, rows in ht.items():
        cpu = [r["cpu_us_per_req"] for r in rows]
        rps = [r["rps"] for r in rows]
        c, lo_hi = med(cpu), spread(cpu)
        base = name.split(":")[0] + ":rules0"
        L.append(f"| {name} | {med(rps):.0f} [{min(rps):.0f}–{max(rps):.0f}] | "
                 f"{med([r['lat_p50_us'] for r in rows]):.0f} | {med([r['lat_p99_us'] for r in rows]):.0f} | "
                 + (f"{c:.1f} [{lo_hi[0]:.1f}–{lo_hi[1]:.1f}]" if c is not None else "–") + " | "
                 + (f"{med([r['cpu_user_s'] * 1e6 / r['requests'] for r in rows]):.1f}" if c is not None else "–")
                 + " | "
                 + (f"{med([r['cpu_jit_s'] * 1e6 / r['requests'] for r in rows]):.1f}" if c is not None else "–")
                 + " | " + (ratio_cell(per_round_ratio(ht, name, "haproxy-http")) if c is not None else "–")
                 + " | " + (ratio_cell(per_round_ratio(ht, name, base)) if base in ht and c is not None else "–")
                 + " | " + fmt(med([r.get("runqueue_wait_s") for r in rows]), 2)
                 + f" | {med([r['loadavg_before'][0] for r in rows]):.1f} "
                 f"[{min(r['loadavg_before'][0] for r in rows):.1f}–{max(r['loadavg_before'][0] for r in rows):.1f}]"
                 + f" | {sum(r['errors'] for r in rows)} |")
    L.append("")
    for name in ht:
        if name.endswith(":miss100") and name.replace(":miss100", ":miss1") in ht:
            one = name.replace(":miss100", ":miss1")
            L.append(f"100 rules ÷ 1 rule ({name.split(':')[0]}), CPU/req per round: "
                     + ratio_cell(per_round_ratio(ht, name, one)) + " (target ≤ 1.10)")
    stats = res.get("http_rule_stats")
    if stats:
        L.append("Rule counters after the phase (all rounds and warm-ups): " + "; ".join(
            f"{v}: {c['rules']} rules, matched {c['matched']}, injected {c['injected']}" for v, c in stats.items()))
    after = res.get("http_rss_after")
    if after:
        L.append("RSS 6 s after the http load (idle), MiB [peak VmHWM]: " + "; ".join(
            f"{n}: {r['rss_idle_mib']} [{r['hwm_mib']}]" for n, r in after.items()))
    L.append("")
    return L


def summarize_http_slow(res):
    a = res["args"]
    L = [f"### {a['slow_conns']} slow keep-alive clients (one request done, then a {a['slow_seconds']}-byte "
         "header block trickled at 1 byte/s)", "",
         "| proxy | RSS before MiB | all open MiB | while trickling: max MiB | answered MiB | closed (+3 s) MiB "
         "| peak (VmHWM) MiB | KiB per slow conn | answers ok / failed | load avg 1 min |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in res["http_slow"].items():
        d = r.get("done", {})
        L.append(f"| {name} | {r['rss_before_mib']} | {r.get('rss_open_mib')} | {r.get('rss_trickle_max_mib')} | "
                 f"{r.get('rss_answered_mib')} | {r['rss_after_mib']} | {r['hwm_mib']} | {r.get('kib_per_conn')} | "
                 f"{d.get('ok')} / {d.get('failed')} | {r['load_before'][0]}–{r['load_after'][0]} |")
    L.append("")
    for name, r in res["http_slow"].items():
        L.append(f"{name} RSS while trickling (s → MiB): "
                 + ", ".join(f"{x['t']:.0f}→{x['rss_mib']}" for x in r["samples"]))
    L.append("")
    return L


def summarize(res):
    L = []
    L.append(f"Run {res['started']} UTC, host: {res['host']['cpus']} CPUs ({res['host']['cpu_model']}), "
             f"kernel {res['host']['kernel']}, load average at start {res['host']['loadavg_start']}, "
             f"at end {res.get('loadavg_end')}; pinning: {res['pinning']}.")
    L.append(f"Rounds: {res['args']['rounds']} (medians; [min–max] in brackets), wrk {res['args']['duration']} s "
             f"× {res['args']['conns']} connections, iperf3 {res['args']['iperf_seconds']} s.")
    L.append("")
    if "passthrough" in res:
        pt = res["passthrough"]
        ha = med([r["cpu_us_per_req"] for r in pt.get("haproxy", [])])
        ha_rps = med([r["rps"] for r in pt.get("haproxy", [])])
        L.append("### Pass-through: wrk → proxy → nginx (100 B body, keep-alive)")
        L.append("")
        L.append("| target | req/s | p50 µs | p99 µs | proxy CPU µs/req | of which user | of which JIT "
                 "| CPU/req ÷ HAProxy's (per round) | req/s ÷ HAProxy's (per round) | proxy waited for CPU s |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for name, rows in pt.items():
            cpu = [r["cpu_us_per_req"] for r in rows]
            rps = [r["rps"] for r in rows]
            c, lo_hi = med(cpu), spread(cpu)
            L.append(f"| {name} | {med(rps):.0f} [{min(rps):.0f}–{max(rps):.0f}] | "
                     f"{med([r['lat_p50_us'] for r in rows]):.0f} | {med([r['lat_p99_us'] for r in rows]):.0f} | "
                     + (f"{c:.1f} [{lo_hi[0]:.1f}–{lo_hi[1]:.1f}]" if c is not None else "–") + " | "
                     + (f"{med([r['cpu_user_s'] * 1e6 / r['requests'] for r in rows]):.1f}"
                        if c is not None and "cpu_user_s" in rows[0] else "–") + " | "
                     + (f"{med([r['cpu_jit_s'] * 1e6 / r['requests'] for r in rows]):.1f}"
                        if c is not None and "cpu_jit_s" in rows[0] else "–") + " | "
                     + ratio_cell(round_ratios(pt, name, "cpu_us_per_req")) + " | "
                     + ratio_cell(round_ratios(pt, name, "rps")) + " | "
                     + fmt(med([r.get("runqueue_wait_s") for r in rows]), 2) + " |")
        L.append("")
    if "bulk" in res:
        bk = res["bulk"]
        ha = med([r["gbps"] for r in bk.get("haproxy", [])])
        L.append("### Bulk throughput: iperf3 → proxy → iperf3")
        L.append("")
        L.append("| target | Gbit/s | Gbit/s ÷ HAProxy's (per round) | proxy CPU s per GB | CPU/GB ÷ HAProxy's "
                 "(per round) | proxy waited for CPU s |")
        L.append("|---|---|---|---|---|---|")
        ha_cpu = med([r["cpu_s_per_gb"] for r in bk.get("haproxy", [])])
        for name, rows in bk.items():
            g = [r["gbps"] for r in rows]
            L.append(f"| {name} | {med(g):.2f} [{min(g):.2f}–{max(g):.2f}] | "
                     + ratio_cell(round_ratios(bk, name, "gbps")) + f" | {fmt(med([r['cpu_s_per_gb'] for r in rows]), 2)} | "
                     + ratio_cell(round_ratios(bk, name, "cpu_s_per_gb"))
                     + f" | {fmt(med([r['runqueue_wait_s'] for r in rows]), 2)} |")
        L.append("")
    for lat_set, lt in (res.get("latency_by_set") or ({RECOMMENDED: res["latency"]} if "latency" in res else {})).items():
        L.append(f"### Latency fault 50 ms downstream, {res['args']['latency_conns']} connections "
                 f"(faultline/{lat_set})")
        L.append("")
        L.append("| case | p50 µs | p90 µs | p99 µs | p99.9 µs | req/s |")
        L.append("|---|---|---|---|---|---|")
        for case, rows in lt.items():
            p50 = [r["lat_p50_us"] for r in rows]
            p99 = [r["lat_p99_us"] for r in rows]
            L.append(f"| {case} | {med(p50):.0f} [{min(p50)}–{max(p50)}] | {med([r['lat_p90_us'] for r in rows]):.0f} "
                     f"| {med(p99):.0f} [{min(p99)}–{max(p99)}] | {med([r['lat_p999_us'] for r in rows]):.0f} | "
                     f"{med([r['rps'] for r in rows]):.0f} |")
        base, fault = lt["no-fault (paced 50 ms)"], lt["latency-50ms"]
        add50 = (med([r["lat_p50_us"] for r in fault]) - med([r["lat_p50_us"] for r in base])) / 1000
        add99 = (med([r["lat_p99_us"] for r in fault]) - med([r["lat_p99_us"] for r in base])) / 1000
        L.append("")
        d50 = [(f["lat_p50_us"] - b["lat_p50_us"]) / 1000 for f, b in zip(fault, base)]
        d99 = [(f["lat_p99_us"] - b["lat_p99_us"]) / 1000 for f, b in zip(fault, base)]
        L.append(f"Added delay (median of fault − median of no fault): p50 {add50:.2f} ms (target 50 ± 1), "
                 f"p99 {add99:.2f} ms (target ≤ 52). Per round (adjacent runs): p50 {ratio_cell(d50)} ms, "
                 f"p99 {ratio_cell(d99)} ms.")
        L.append("")
    if "bandwidth" in res:
        L.append(f"### Bandwidth fault, {res['args']['bw_seconds']} s download through faultline/{RECOMMENDED}")
        L.append("")
        for label, v in res["bandwidth"].items():
            if "error" in v:
                L.append(f"- {label}: not measured: {v['error']}")
                continue
            for i, r in enumerate(v["runs"]):
                L.append(f"- {label} run {i + 1}: {r['rate']:.0f} B/s over {r['seconds']:.2f} s "
                         f"({r['error_pct']:+.2f} % of {r['target']:.0f} B/s); without the first second "
                         f"{fmt(r['steady_error_pct'], 2)} %")
        L.append("")
    for when in ("fresh", "after"):
        key = f"rss_{when}"
        if key in res:
            L.append("### RSS " + ("of fresh processes" if when == "fresh" else "after all load phases")
                     + f": idle, then with {res['args']['idle_conns']} idle connections open through the proxy")
            L.append("")
            L.append("| proxy | RSS idle MiB | RSS with conns MiB | peak (VmHWM) MiB |")
            L.append("|---|---|---|---|")
            for name, r in res[key].items():
                L.append(f"| {name} | {r['rss_idle_mib']} | {r.get('rss_conns_mib', '–')} | {r['hwm_mib']} |")
            L.append("")
    if "startup" in res:
        L.append("### Start to /readyz 200 (ms) and RSS 1 s after ready")
        L.append("")
        L.append("| flags | ready ms | process CPU ms until ready | RSS MiB |")
        L.append("|---|---|---|---|")
        for name, rows in res["startup"].items():
            ms = [r["ready_ms"] for r in rows]
            L.append(f"| {name} | {med(ms):.0f} [{min(ms):.0f}–{max(ms):.0f}] | "
                     f"{med([r['cpu_ms_to_ready'] for r in rows]):.0f} | {med([r['rss_after_1s_mib'] for r in rows])} |")
        L.append("")
    if "http" in res:
        L.extend(summarize_http(res))
    if "http_slow" in res:
        L.extend(summarize_http_slow(res))
    tcp_ran = any(k in res for k in ("rss_fresh", "passthrough", "bulk", "latency", "bandwidth", "startup"))
    used = res.get("startup_flags") or {k: FLAG_SETS[k] for k in res["args"]["flag_sets"].split(",") if k and tcp_ran}
    for k in filter(None, (res["args"].get("http_flag_sets", "") + "," + res["args"].get("http_extra_sets", "")).split(",")):
        used.setdefault(k, FLAG_SETS[k])
    L.append("Flag sets: " + "; ".join(f"`{k}` = `{' '.join(v) or '(none)'}`" for k, v in used.items()))
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", default=os.path.join(ROOT, "sidecar/target/faultline-sidecar.jar"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--warmup", type=int, default=20, help="seconds of wrk warm-up per proxy (JIT)")
    ap.add_argument("--conns", type=int, default=50, help="wrk connections for pass-through")
    ap.add_argument("--latency-conns", type=int, default=50)
    ap.add_argument("--latency-sets", default=None,
                    help=f"flag sets whose sidecar gets the latency-fault phase (default {RECOMMENDED})")
    ap.add_argument("--iperf-seconds", type=int, default=10)
    ap.add_argument("--bw-seconds", type=int, default=10)
    ap.add_argument("--bw-rounds", type=int, default=2)
    ap.add_argument("--idle-conns", type=int, default=1000)
    ap.add_argument("--startup-runs", type=int, default=5)
    ap.add_argument("--big-file-mib", type=int, default=256)
    ap.add_argument("--flag-sets", default=DEFAULT_FLAG_SETS, help="sidecar flag sets to run")
    ap.add_argument("--phases", default="startup,rss,passthrough,bulk,latency,bandwidth,http,httpslow")
    ap.add_argument("--no-pin", dest="pin", action="store_false")
    ap.add_argument("--proxy-cpus", default="1", help="taskset CPU list for the proxies")
    ap.add_argument("--gen-cpus", default="0", help="taskset CPU list for wrk/iperf3/nginx")
    ap.add_argument("--boost-nice", type=int, default=-10 if os.geteuid() == 0 else 0,
                    help="nice value for the processes under test in the latency and bandwidth phases "
                         "(light load; shields them from other work on a shared machine)")
    ap.add_argument("--http-flag-sets", default=RECOMMENDED,
                    help="flag sets whose sidecar gets every HTTP variant (no rules, 1/100 non-matching, 1 matching)")
    ap.add_argument("--http-extra-sets", default="small-c1-epoll",
                    help="flag sets whose sidecar runs only the no-rules HTTP listener (comparison; '' for none)")
    ap.add_argument("--http-baseline-sets", default=RECOMMENDED,
                    help="flag sets the --http-baseline-jar runs with (rules0, miss1, miss100 each)")
    ap.add_argument("--http-baseline-jar", default=None,
                    help=f"another sidecar jar run with {RECOMMENDED} flags in the HTTP phases (before/after a change)")
    ap.add_argument("--http-warmup", type=int, default=15, help="seconds of wrk warm-up per HTTP target")
    ap.add_argument("--slow-conns", type=int, default=1000)
    ap.add_argument("--slow-seconds", type=int, default=60, help="bytes (= seconds) of the trickled header")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    if not os.path.exists(args.jar):
        sys.exit(f"no sidecar jar at {args.jar}: build it (bench/run.sh does)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    phases = args.phases.split(",")

    def on_signal(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ts = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    res = dict(started=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), args=vars(args),
               host=dict(cpus=os.cpu_count(), cpu_model=cpu_model, kernel=os.uname().release,
                         loadavg_start=open("/proc/loadavg").read().split()[:3],
                         java=subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0],
                         haproxy=subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.splitlines()[0]),
               pinning=(f"proxies on CPU {args.proxy_cpus}, wrk/iperf3/nginx on CPU {args.gen_cpus}"
                        if args.pin else "none") + f"; latency/bandwidth phases at nice {args.boost_nice}",
               git=subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                                  text=True).stdout.strip())
    work = tempfile.mkdtemp(prefix="faultline-bench-")
    log(f"work dir {work}")
    try:
        env = Env(args, work)
        env.start_upstreams()
        used_sets = [args.flag_sets, args.http_flag_sets, args.http_extra_sets]
        if any(APPCDS in FLAG_SETS[k] for k in filter(None, ",".join(used_sets).split(","))):
            dump_appcds(env)
        if "startup" in phases:
            phase_startup(env, res)
        tcp_phases = {"rss", "passthrough", "bulk", "latency", "bandwidth"}
        if tcp_phases & set(phases):
            env.start_haproxy()
            for name in filter(None, args.flag_sets.split(",")):
                env.start_sidecar(name, FLAG_SETS[name])
        if {"http", "httpslow"} & set(phases):
            env.start_haproxy_http()
            for name in filter(None, args.http_flag_sets.split(",")):
                env.start_http_sidecar(name, FLAG_SETS[name], list(HTTP_VARIANTS))
            for name in filter(None, args.http_extra_sets.split(",")):
                env.start_http_sidecar(name, FLAG_SETS[name], ["rules0"])
            if args.http_baseline_jar:
                # The same flags on another build (e.g. before a change), side by side in the same rounds.
                for name in filter(None, args.http_baseline_sets.split(",")):
                    env.start_http_sidecar(f"baseline/{name}", FLAG_SETS[name], ["rules0", "miss1", "miss100"],
                                           jar=args.http_baseline_jar)
        time.sleep(2)
        if "rss" in phases:
            phase_rss(env, res, "fresh")
        if "passthrough" in phases:
            phase_passthrough(env, res)
        if "bulk" in phases:
            phase_bulk(env, res)
        if "latency" in phases:
            phase_latency(env, res)
        if "bandwidth" in phases:
            phase_bandwidth(env, res)
        if "rss" in phases:
            phase_rss(env, res, "after")
        if "http" in phases:
            phase_http(env, res)
        if "httpslow" in phases:
            phase_http_slow(env, res)
    finally:
        stop_all()
    res["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    os.makedirs(args.out, exist_ok=True)
    md = summarize(res)
    with open(os.path.join(args.out, f"{ts}.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(args.out, f"{ts}.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    log(f"results: {args.out}/{ts}.json and .md (logs in {work})")


if __name__ == "__main__":
    main()
