#!/usr/bin/env python3
"""The shape the tree promises (README, Layout): no source file over 700
lines, and no include circle between folders -- a folder may use the
folders below it (lib/ under agent/rules/ under agent/sources/ under
agent/plan/ ...), never one that uses it back. Prints each breach and
exits 1; prints the folder graph with -v.

usage: tree_rules.py SOURCE_ROOT [-v]"""
import os
import re
import sys

MAX_LINES = 700
ROOTS = ("lib", "agent", "plugins")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(top):
    for root in ROOTS:
        for d, _, files in os.walk(os.path.join(top, root)):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.join(d, f)


def main():
    top = sys.argv[1]
    files = list(sources(top))
    folder_of = {}
    breaches = []
    for path in files:
        folder_of.setdefault(os.path.basename(path), set()).add(os.path.dirname(path))
    edges = {}
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        lines = text.count("\n")
        if lines > MAX_LINES:
            breaches.append("%s: %d lines (more than %d)" % (os.path.relpath(path, top), lines,
                                                             MAX_LINES))
        here = os.path.dirname(path)
        for inc in INCLUDE.findall(text):
            name = os.path.basename(inc)
            if inc.startswith("lethe/"):
                continue  # the public ABI, below everything
            there = folder_of.get(name, set())
            if here in there or len(there) != 1:
                continue  # its own folder, or not one of ours
            edges.setdefault(here, {}).setdefault(next(iter(there)), []).append(
                "%s includes %s" % (os.path.relpath(path, top), name))
    breaches += circles(edges, top)
    if "-v" in sys.argv:
        for a in sorted(edges):
            print("%s -> %s" % (os.path.relpath(a, top),
                                ", ".join(sorted(os.path.relpath(b, top) for b in edges[a]))))
    for b in breaches:
        print("FAIL: " + b)
    return 1 if breaches else 0


def circles(edges, top):
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in edges.get(node, {}):
            if state.get(nxt) == "open":
                loop = stack[stack.index(nxt):] + [nxt]
                why = "; ".join(edges[a][b][0] for a, b in zip(loop, loop[1:]))
                found.append("include circle %s (%s)" % (
                    " -> ".join(os.path.relpath(n, top) for n in loop), why))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


if __name__ == "__main__":
    sys.exit(main())
