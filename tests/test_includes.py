#!/usr/bin/env python3
"""The include graph of nn/ and app/: no cycles between modules, an engine that
includes nothing of the program and no SDL, and SDL only in the files of the
app_sdl library (the list in app/meson.build). A module is x.c and x.h
together, so "state.c includes lesson_play.h, lesson_play.c includes state.h"
is the cycle state <-> lesson_play. The module graph is printed as TAP
comments (for docs/ARCHITECTURE.md). TAP output.
Usage: test_includes.py SOURCE_ROOT"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402

DIRS = ("nn", "app")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
ROOT = None


def source_files(root):
    """{"app/state.c": text, ...} of every .c and .h in nn/ and app/."""
    files = {}
    for d in DIRS:
        for name in sorted(os.listdir(os.path.join(root, d))):
            if name.endswith((".c", ".h")):
                with open(os.path.join(root, d, name), encoding="utf-8", errors="replace") as f:
                    files[d + "/" + name] = f.read()
    return files


def includes(text):
    """[(kind, name)] of a file's #include lines: kind '"' or '<'."""
    return [(m.group(1), m.group(2)) for m in INCLUDE.finditer(text)]


def resolve(path, name, files):
    """The file `#include "name"` in `path` reads: beside it first, then in
    the other folder of the build's include path (app/ sees nn/ and the
    reverse would be a fault the engine check reports). None if neither."""
    here = path.split("/")[0]
    for d in (here,) + tuple(x for x in DIRS if x != here):
        if d + "/" + name in files:
            return d + "/" + name
    return None


def module(path):
    """app/state.c and app/state.h are the module app/state."""
    return os.path.splitext(path)[0]


def module_graph(files):
    """{module: set of modules it includes}, and the quoted includes that name
    no file (path, name)."""
    graph = {module(p): set() for p in files}
    unresolved = []
    for path, text in files.items():
        for kind, name in includes(text):
            if kind != '"':
                continue
            target = resolve(path, name, files)
            if target is None:
                unresolved.append((path, name))
            elif module(target) != module(path):
                graph[module(path)].add(module(target))
    return graph, unresolved


def cycles(graph):
    """One cycle (a list of modules, the first again at the end) for every
    group of modules that reach one another (Tarjan's strongly connected
    components of more than one module)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = [0]

    def connect(v):  # recursive: the graph has a few dozen modules
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    found = []
    for group in groups:
        # A shortest way back to the first module, inside the group (breadth first).
        start = min(group)
        previous, frontier, end = {start: None}, [start], None
        while frontier and end is None:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & group):
                    if w == start:
                        end = v
                        break
                    if w not in previous:
                        previous[w] = v
                        nxt.append(w)
                if end is not None:
                    break
            frontier = nxt
        path = [start]
        v = end
        while v != start:
            path.insert(1, v)
            v = previous[v]
        found.append((sorted(group), path + [start]))
    return found


def sdl_library_files(root):
    """The app/ files of app_sdl_sources in app/meson.build (None if missing)."""
    with open(os.path.join(root, "app", "meson.build"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"app_sdl_sources\s*=\s*files\((.*?)\)", text, re.S)
    if not m:
        return None
    return ["app/" + n for n in re.findall(r"'([^']+)'", m.group(1))]


def includes_sdl(text):
    return any(name.startswith("SDL") for _, name in includes(text))


def print_graph(graph):
    print("# the module graph (a module includes the headers after the arrow):")
    for m in sorted(graph):
        print("#   %s -> %s" % (m, ", ".join(sorted(graph[m])) if graph[m] else "(nothing of nn/ or app/)"))


def test_finder_finds_a_known_cycle():
    """the cycle finder reports a known three-module loop and nothing else"""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}}
    got = cycles(graph)
    tap.expect(got == [(["a", "b", "c"], ["a", "b", "c", "a"])], "found %r" % (got,))
    tap.expect(cycles({"a": {"b"}, "b": set()}) == [], "a chain is no cycle")


def test_no_module_cycles():
    """no two modules of nn/ and app/ include each other, directly or round a loop"""
    files = source_files(ROOT)
    graph, _ = module_graph(files)
    found = cycles(graph)
    report = []
    for group, path in found:
        report.append("  %s reach one another, e.g. %s; the includes among them:" % (
            ", ".join(group), " -> ".join(path)))
        report += ["    %s -> %s" % (m, ", ".join(sorted(graph[m] & set(group)))) for m in group]
    tap.expect(not found, "%d include cycle(s) between modules:\n%s" % (len(found), "\n".join(report)))


def test_every_quoted_include_is_a_file():
    """every #include "x.h" in nn/ and app/ names a file there (the graph misses nothing)"""
    _, unresolved = module_graph(source_files(ROOT))
    tap.expect(not unresolved, "includes of no file: " + ", ".join(
        "%s: \"%s\"" % u for u in unresolved))


def test_engine_includes_no_app_and_no_sdl():
    """nn/ includes nothing from app/ and no SDL"""
    files = source_files(ROOT)
    bad = []
    for path, text in files.items():
        if not path.startswith("nn/"):
            continue
        for kind, name in includes(text):
            target = resolve(path, name, files) if kind == '"' else None
            if (target and target.startswith("app/")) or name.startswith("SDL"):
                bad.append("%s includes %s%s" % (path, kind, name))
    tap.expect(not bad, "\n".join(bad))


def test_sdl_only_in_the_sdl_library():
    """only the modules of app_sdl (app/meson.build) include SDL"""
    listed = sdl_library_files(ROOT)
    tap.expect(listed, "app/meson.build has no app_sdl_sources = files(...)")
    sdl_modules = {module(p) for p in listed}
    files = source_files(ROOT)
    bad = sorted(p for p, text in files.items() if includes_sdl(text) and module(p) not in sdl_modules)
    tap.expect(not bad, "SDL included outside app_sdl (%s): %s" % (
        ", ".join(sorted(os.path.basename(p) for p in listed)), ", ".join(bad)))
    missing = sorted(p for p in listed if p not in files)
    tap.expect(not missing, "app_sdl lists files that do not exist: " + ", ".join(missing))


def main(argv):
    global ROOT
    if len(argv) != 2 or not os.path.isdir(os.path.join(argv[1], "app")):
        print("Bail out! usage: %s SOURCE_ROOT (the folder with nn/ and app/)" % os.path.basename(argv[0]))
        return 2
    ROOT = os.path.abspath(argv[1])
    graph, _ = module_graph(source_files(ROOT))
    print_graph(graph)
    checks = [test_finder_finds_a_known_cycle, test_no_module_cycles, test_every_quoted_include_is_a_file,
              test_engine_includes_no_app_and_no_sdl, test_sdl_only_in_the_sdl_library]
    # tap.main runs the checks; it takes the folder where other files take the program.
    return tap.main(argv, checks, "convstep-includes-", lambda root, scratch: None)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
