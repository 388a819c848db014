"""Runs meshgw processes for the integration tests: writes the bootstrap file, starts the binary,
waits for /ready, reads metrics from the admin endpoint, reloads with SIGHUP, stops.

    procs = Processes()                        # kills whatever is left in kill_all()
    gw = Gateway(procs, binary, workdir, "gw1")
    gw.start(hcl_text)                         # raises GatewayError (with the log's tail) if
                                               # it does not become ready in time
    gw.metric("meshgw_handshake_failures_total", reason="untrusted_ca")  # -> 0.0 if absent
    gw.reload(new_text)                        # rewrite + SIGHUP, waits for the new version
    code = gw.terminate()                      # SIGTERM, waits for the exit, returns the code

Metrics: `metric(name, **labels)` sums every sample of `name` whose labels include the given
ones, so that a counter keeps matching if more labels are added to it later. This is the one
place that knows how samples are matched.

Thread-safety: one thread per Gateway; Processes is guarded by a lock.
"""

import ctypes
import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time

from checks import wait_for

ADMIN_TIMEOUT = 5  # seconds per admin request


class GatewayError(RuntimeError):
    pass


def _die_with_parent():
    # PR_SET_PDEATHSIG(SIGKILL): a runner killed from outside (ctest's timeout) takes its
    # gateways with it.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


class Processes:
    """Every process the tests start, so that all of them are killed at the end, even on error."""

    def __init__(self):
        self._lock = threading.Lock()
        self._procs = []

    def start(self, args, log_path, **kwargs):
        log = open(log_path, "ab")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,
                                **kwargs)
        log.close()
        with self._lock:
            self._procs.append(proc)
        return proc

    def kill_all(self):
        with self._lock:
            procs, self._procs = self._procs, []
        for p in procs:
            if p.poll() is None:
                p.kill()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """[(name, {label: value}, float)] from Prometheus text exposition format."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        labels = {k: v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                  for k, v in _LABEL.findall(m.group(3) or "")}
        try:
            value = float(m.group(4))
        except ValueError:
            continue
        samples.append((m.group(1), labels, value))
    return samples


def match_metric(samples, name, **labels):
    return sum(v for n, ls, v in samples
               if n == name and all(ls.get(k) == str(want) for k, want in labels.items()))


class Gateway:
    def __init__(self, procs, binary, workdir, name):
        self.procs = procs
        self.binary = binary
        self.name = name
        self.folder = os.path.join(workdir, name)
        os.makedirs(self.folder, exist_ok=True)
        self.config_path = os.path.join(self.folder, "gateway.hcl")
        self.log_path = os.path.join(self.folder, "meshgw.log")
        self.proc = None
        self.admin = None  # "127.0.0.1:port", from the caller's bootstrap

    def write_config(self, text):
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)  # a reload never reads half a file

    def start(self, text, admin, extra_args=(), ready_timeout=20):
        self.admin = admin
        self.write_config(text)
        self.proc = self.procs.start([self.binary, "-config", self.config_path, *extra_args],
                                     self.log_path)
        if not wait_for(lambda: self.proc.poll() is not None or self.ready(), ready_timeout, 0.1):
            raise GatewayError(f"{self.name}: not ready after {ready_timeout}s\n{self.log_tail()}")
        if self.proc.poll() is not None:
            raise GatewayError(f"{self.name}: exited with {self.proc.returncode} before ready\n"
                               f"{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    # Admin -------------------------------------------------------------------------------------

    def request(self, method, path, address=None):
        """(status, body text); (None, error) when the request itself fails."""
        host, port = (address or self.admin).rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=ADMIN_TIMEOUT)
        try:
            conn.request(method, path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode(errors="replace")
        except OSError as e:
            return None, str(e)
        finally:
            conn.close()

    def ready(self):
        status, _ = self.request("GET", "/ready")
        return status == 200

    def samples(self):
        status, body = self.request("GET", "/stats/prometheus")
        if status != 200:
            raise GatewayError(f"{self.name}: /stats/prometheus answered {status}: {body[:200]}")
        return parse_prometheus(body)

    def metric(self, name, required=False, **labels):
        """Sum of the matching samples (0 when none). `required`: the metric must be exported at
        all, so that a check expecting no change cannot pass because the name is wrong."""
        samples = self.samples()
        if required and not any(n == name for n, _, _ in samples):
            raise GatewayError(f"{self.name}: /stats/prometheus has no metric {name}")
        return match_metric(samples, name, **labels)

    def config_version(self):
        """The installed snapshot's version: the gauge `meshgw_config_version` (earlier spelled
        `meshgw_config{field="version"}`), else /config_dump's "version"."""
        samples = self.samples()
        spellings = (("meshgw_config_version", {}), ("meshgw_config", {"field": "version"}))
        for name, labels in spellings:
            if any(n == name for n, _, _ in samples):
                return match_metric(samples, name, **labels)
        return self.config_dump().get("version", 0)

    def config_dump(self):
        status, body = self.request("GET", "/config_dump")
        if status != 200:
            raise GatewayError(f"{self.name}: /config_dump answered {status}")
        return json.loads(body)

    # Signals -----------------------------------------------------------------------------------

    def reload(self, text, timeout=10):
        """Rewrites the file, sends SIGHUP and waits until the installed version moves on."""
        before = self.config_version()
        self.write_config(text)
        self.proc.send_signal(signal.SIGHUP)
        if not wait_for(lambda: self.config_version() > before, timeout):
            raise GatewayError(f"{self.name}: config version still {before} {timeout}s after "
                               f"SIGHUP\n{self.log_tail()}")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.terminate()
        code = self.wait_exit(10)
        if code is None:
            self.proc.kill()
            code = self.wait_exit(10)
        return code


def run_binary(binary, args, timeout=20):
    """Runs meshgw to completion (for -version and bad configs): (exit code, stdout, stderr)."""
    proc = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def elapsed(start):
    return time.monotonic() - start
