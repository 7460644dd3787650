#!/usr/bin/env python3
"""CPU one sidecar process spends per PUT /v1/config, from its first PUT on (the cold path) to steady state.

Usage: bench/sidecar_put_cost.py JAR "JVM FLAGS" [PUTS=300]
Starts the jar with an ephemeral admin port and no token, PUTs a one-listener one-rule config (the shape the operator
pushes in PropagationBenchmark) with a new version each time over one keep-alive connection, and prints the process's
user+system CPU (/proc/PID/stat, 10 ms clock ticks) per PUT for PUT 1, 2, 3, 4-12, 13-62 and 63-PUTS, then per
GET /v1/stats. Single PUTs are only good to +-10 ms (the tick); the later ranges average over many.
Used for the "Cold path of a sidecar's PUT" table in BENCHMARKS.md (operator propagation).
"""
import http.client, json, subprocess, sys, time, re, os
jar, flags = sys.argv[1], sys.argv[2].split()
n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
p = subprocess.Popen(["java"] + flags + ["-jar", jar, "--admin", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
port = None
for line in p.stdout:
    m = re.search(r"admin_listening address=127\.0\.0\.1:(\d+)", line)
    if m: port = int(m.group(1)); break
import threading
threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
def cpu():
    f = open(f"/proc/{p.pid}/stat").read(); f = f[f.rindex(')')+2:].split()
    return (int(f[11]) + int(f[12])) * 10
c = http.client.HTTPConnection("127.0.0.1", port)
def put(i):
    body = json.dumps({"version": "v%d" % i, "expiresAt": None, "listeners": [{"name": "app", "listen": "127.0.0.2:0", "upstream": "127.0.0.1:9", "protocol": "tcp"}],
                       "rules": [{"name": "bench.slow", "listeners": ["app"], "latency": {"fixed": "%dms" % (100 + i % 50)}}]})
    c.request("PUT", "/v1/config", body, {"Content-Type": "application/json"}); r = c.getresponse(); r.read(); assert r.status == 200, r.status
def get():
    c.request("GET", "/v1/stats"); r = c.getresponse(); r.read()
def main():
  time.sleep(1.0)
  marks = [m for m in [1, 2, 3, 12, 62] if m < n] + [n]
  out = []; done = 0
  for m in marks:
    t0 = cpu()
    for i in range(done, m): put(i)
    time.sleep(0.3)  # let the JIT and GC work this batch caused land in it
    out.append("PUT %d-%d: %.1f ms/PUT" % (done + 1, m, (cpu() - t0) / (m - done)))
    done = m
  t0 = cpu()
  for i in range(200): get()
  out.append("GET /v1/stats x200: %.2f ms/GET" % ((cpu() - t0) / 200))
  print(" | ".join(out))
try:
  main()
finally:
  p.terminate(); p.wait()
