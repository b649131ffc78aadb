#!/usr/bin/env python3
"""Fails when a function of the product crates is longer than the limit.

Product crates are crates/*/src except the benchmark (crates/cfggen-bench);
`#[cfg(test)]` modules are left out. A function is counted from its `fn`
line to the line that closes its body (braces in strings and comments are
ignored). Usage: long-functions.py [LIMIT]  (default 120)
"""
import os
import re
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 120
FN = re.compile(r"\s*(pub(\([a-z]+\))? )?(const )?(async )?fn (\w+)")


def code(line):
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return line.split("//")[0]


def long_functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    end = len(lines)
    for i, line in enumerate(lines):
        if line.startswith("#[cfg(test)]"):
            end = i
            break
    i = 0
    while i < end:
        m = FN.match(lines[i])
        if m:
            depth, started, j = 0, False, i
            while j < end:
                s = code(lines[j])
                depth += s.count("{") - s.count("}")
                started = started or "{" in s
                if (started and depth <= 0) or (not started and s.rstrip().endswith(";")):
                    break
                j += 1
            if j - i + 1 > LIMIT:
                yield (j - i + 1, i + 1, m.group(5))
        i += 1


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates")
    found = []
    for crate in sorted(os.listdir(root)):
        if crate == "cfggen-bench":
            continue
        for folder, _, files in os.walk(os.path.join(root, crate, "src")):
            for name in sorted(files):
                if name.endswith(".rs"):
                    path = os.path.join(folder, name)
                    for n, line, fn in long_functions(path):
                        found.append(f"{os.path.relpath(path, os.path.join(root, '..'))}:{line}: fn {fn} is {n} lines")
    for f in found:
        print(f, file=sys.stderr)
    if found:
        print(f"error: {len(found)} function(s) over {LIMIT} lines; split them by concern", file=sys.stderr)
        sys.exit(1)
    print(f"no function of the product crates is over {LIMIT} lines")


main()
