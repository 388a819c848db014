"""Processes of a benchmark run: start them (pinned to CPUs), account their CPU and memory from
/proc, and stop them, always.

ProcessGroup is the one owner of every process a run starts: its close() (also called from an
atexit hook and the SIGTERM/SIGINT handlers of compare.py) terminates each process it started, by
its own process id, then kills what did not exit within a grace period.
"""

import os
import signal
import socket
import subprocess
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def _children_map():
    """parent pid -> [child pids], for every process visible in /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(roots):
    """Every live pid under (and including) the given root pids."""
    children = _children_map()
    seen, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen or not os.path.exists(f"/proc/{pid}"):
            continue
        seen.append(pid)
        todo.extend(children.get(pid, []))
    return seen


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    return stat[stat.rindex(")") + 2:].split()  # fields from 3 (state) on


def tree_cpu_seconds(roots):
    """User + system CPU seconds of the whole process tree: live processes, plus the children the
    roots already reaped (cutime/cstime), e.g. nginx workers retired by a reload."""
    total = 0
    root_set = set(roots)
    for pid in process_tree(roots):
        try:
            f = _stat_fields(pid)
        except OSError:
            continue
        total += int(f[11]) + int(f[12])  # utime, stime
        if pid in root_set:
            total += int(f[13]) + int(f[14])  # cutime, cstime
    return total / CLOCK_TICKS


def tree_rss_kib(roots):
    """Resident memory (KiB) of the whole process tree (sum of each process's RSS)."""
    total = 0
    for pid in process_tree(roots):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_KIB
        except OSError:
            continue
    return total


def machine_busy_seconds():
    """CPU seconds all CPUs spent busy (user, nice, system, irq, softirq, steal) since boot."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def wait_port(port, timeout=10.0, proc=None):
    """Waits until 127.0.0.1:port accepts a TCP connection; False on timeout or if proc died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class ProcessGroup:
    """Starts processes and guarantees they are stopped (by pid, TERM then KILL)."""

    def __init__(self):
        self.procs = []

    def start(self, argv, cpus=None, log=None, **kw):
        if cpus is not None:
            argv = ["taskset", "-c", cpus] + list(argv)
        out = open(log, "ab") if log else subprocess.DEVNULL
        proc = subprocess.Popen(argv, stdout=kw.pop("stdout", out), stderr=out,
                                stdin=subprocess.DEVNULL, **kw)
        self.procs.append(proc)
        return proc

    def stop(self, proc, grace=3.0):
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def close(self):
        for proc in list(self.procs):
            self.stop(proc)
