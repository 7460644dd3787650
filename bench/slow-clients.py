#!/usr/bin/env python3
"""Slow HTTP clients for the memory benchmark (started by bench/bench.py, usable alone).

Opens N keep-alive connections to HOST:PORT; each first completes one GET (so a proxy has its
upstream connection open too), then sends a second request's header block ONE BYTE PER SECOND
(all connections in step), then reads the answers. Prints one line per stage on stdout:
  READY {"open": N, "first_ok": N}         every connection open, first request answered
  TRICKLE {"sent": k, "of": total}          after each second's byte (k bytes of the header so far)
  DONE {"ok": n, "failed": n, "errors": {...}}   second answers read (status 200 = ok)
It waits for a line on stdin before closing the connections, so the caller can measure while
they are still open.
"""
import argparse
import asyncio
import json
import sys


def out(tag, obj):
    print(f"{tag} {json.dumps(obj)}", flush=True)


async def read_response(reader):
    """Reads one response with a Content-Length body; returns the status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def open_one(host, port, path, sem):
    async with sem:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(read_response(reader), 30)
        return reader, writer, status


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=60, help="length of the trickled header block (1 byte/s)")
    ap.add_argument("--path", default="/100b")
    a = ap.parse_args()
    sem = asyncio.Semaphore(100)  # at most 100 connects in flight (the listen backlog)
    conns = await asyncio.gather(*(open_one(a.host, a.port, a.path, sem) for _ in range(a.conns)))
    out("READY", {"open": len(conns), "first_ok": sum(1 for c in conns if c[2] == 200)})
    base = f"GET {a.path} HTTP/1.1\r\nHost: bench\r\nX-Slow: ".encode()
    pad = max(0, a.seconds - len(base) - 4)
    request = base + b"s" * pad + b"\r\n\r\n"
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(len(request)):
        for _, writer, _ in conns:
            writer.write(request[i:i + 1])
        await asyncio.gather(*(w.drain() for _, w, _ in conns))
        out("TRICKLE", {"sent": i + 1, "of": len(request)})
        await asyncio.sleep(max(0.0, start + i + 1 - loop.time()))
    results = await asyncio.gather(*(asyncio.wait_for(read_response(r), 30) for r, _, _ in conns),
                                   return_exceptions=True)
    errors = {}
    for r in results:
        if r != 200:
            key = type(r).__name__ if isinstance(r, BaseException) else f"status {r}"
            errors[key] = errors.get(key, 0) + 1
    out("DONE", {"ok": sum(1 for r in results if r == 200), "failed": sum(errors.values()), "errors": errors})
    await loop.run_in_executor(None, sys.stdin.readline)
    for _, w, _ in conns:
        w.close()


if __name__ == "__main__":
    asyncio.run(main())
