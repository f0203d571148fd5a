"""CPU seconds and peak memory of a command and of every process it starts (the parse workers, the
grouping process), read from /proc every 0.1 s: on a busy machine the CPU seconds are the figure to
trust, and a wall-clock time is not (see the brief's note on load).

    python benchmarks/cpu_tree.py [--cache DIR] -- reader --list --filter zzzq-no-match FOLDER

`--cache DIR`: a fresh, empty XDG cache (so a cold index build) in DIR, emptied first. Not part of the
test run: it prints figures, it asserts nothing. Linux only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _processes() -> dict[int, tuple[int, float, int]]:
    """pid -> (parent pid, CPU seconds, resident bytes) of every process."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        found[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK, int(fields[21]) * _PAGE)
    return found


def _tree(root: int, processes: dict[int, tuple[int, float, int]]) -> set[int]:
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, (parent, _, _) in processes.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    return tree


def main() -> None:
    args = sys.argv[1:]
    env = dict(os.environ)
    if args[:1] == ["--cache"]:
        cache = args[1]
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(cache)
        env["XDG_CACHE_HOME"] = cache
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    load = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    seen: dict[int, list] = {}  # pid -> [first seen, last seen, CPU s, peak bytes, peak at, command]
    while process.poll() is None:
        now = time.perf_counter() - started
        processes = _processes()
        for pid in _tree(process.pid, processes):
            _, cpu, resident = processes[pid]
            if pid not in seen:
                try:
                    with open(f"/proc/{pid}/cmdline") as cmdline:
                        command = cmdline.read().replace("\0", " ")[:70]
                except OSError:
                    command = "?"
                seen[pid] = [now, now, 0.0, 0, now, command]
            entry = seen[pid]
            entry[1], entry[2] = now, max(entry[2], cpu)
            if resident > entry[3]:
                entry[3], entry[4] = resident, now
        time.sleep(0.1)
    wall = time.perf_counter() - started
    for pid, (first, last, cpu, peak, peak_at, command) in sorted(seen.items()):
        print(f"pid {pid}: {first:6.1f}-{last:6.1f} s, CPU {cpu:7.2f} s, peak {peak / 2**20:6.0f} MiB "
              f"(at {peak_at:.1f} s)  {command}")
    print(f"wall {wall:.1f} s, CPU {sum(entry[2] for entry in seen.values()):.1f} s in all, exit "
          f"{process.returncode}; load {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
