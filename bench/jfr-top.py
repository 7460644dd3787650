#!/usr/bin/env python3
"""Top Java methods in a JFR recording's execution samples: self time and inclusive time.

Usage: bench/jfr-top.py recording.jfr [N]
(JFR samples Java threads only; time inside system calls shows as the native method that made them.)
"""
import collections
import json
import subprocess
import sys


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    self_count, incl_count = collections.Counter(), collections.Counter()
    for e in events:
        frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
        names = [f"{f['method']['type']['name']}.{f['method']['name']}" for f in frames]
        if not names:
            continue
        self_count[names[0]] += 1
        for name in set(names):
            incl_count[name] += 1
    total = sum(self_count.values())
    print(f"{total} samples")
    print("\nself:")
    for name, c in self_count.most_common(n):
        print(f"{c * 100 / total:6.1f} %  {name}")
    print("\ninclusive (io.faultline and io.netty.channel frames):")
    shown = 0
    for name, c in incl_count.most_common():
        if name.startswith(("io.faultline", "io.netty.channel", "io.netty.buffer", "io.netty.util")):
            print(f"{c * 100 / total:6.1f} %  {name}")
            shown += 1
            if shown >= n:
                break


if __name__ == "__main__":
    main()
