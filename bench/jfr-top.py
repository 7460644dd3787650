#!/usr/bin/env python3
"""Top Java methods in a JFR recording's execution samples: self time and inclusive time.

Usage: bench/jfr-top.py recording.jfr [N] [--java]
(JFR samples Java threads only; time inside system calls shows as the native method that made them.
--java: only jdk.ExecutionSample, i.e. threads running Java code; without it the native samples of
threads waiting in EPoll.wait & co. are counted too. The last table lists io.faultline frames with
their source lines, inclusive: where in our code the samples were taken.)
"""
import collections
import json
import subprocess
import sys


def main():
    argv = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = argv[0]
    n = int(argv[1]) if len(argv) > 1 else 25
    events_wanted = "jdk.ExecutionSample" if "--java" in sys.argv else "jdk.ExecutionSample,jdk.NativeMethodSample"
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", events_wanted, path],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    self_count, incl_count, line_count = collections.Counter(), collections.Counter(), collections.Counter()
    for e in events:
        frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
        names = [f"{f['method']['type']['name']}.{f['method']['name']}".replace("/", ".") for f in frames]
        if not names:
            continue
        self_count[names[0]] += 1
        for name in set(names):
            incl_count[name] += 1
        lines = set()
        for f, name in zip(frames, names):
            if name.startswith("io.faultline"):
                lines.add(f"{name}:{f.get('lineNumber')}")
        for line in lines:
            line_count[line] += 1
    total = sum(self_count.values())
    print(f"{total} samples ({events_wanted})")
    print("\nself:")
    for name, c in self_count.most_common(n):
        print(f"{c * 100 / total:6.1f} %  {name}")
    print("\ninclusive (io.faultline and io.netty frames):")
    shown = 0
    for name, c in incl_count.most_common():
        if name.startswith(("io.faultline", "io.netty")):
            print(f"{c * 100 / total:6.1f} %  {name}")
            shown += 1
            if shown >= n:
                break
    print("\ninclusive, io.faultline source lines:")
    for line, c in line_count.most_common(n):
        print(f"{c * 100 / total:6.1f} %  {line}")


if __name__ == "__main__":
    main()
