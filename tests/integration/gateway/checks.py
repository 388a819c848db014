"""Check bookkeeping for the gateway integration tests.

Every assertion of a scenario is one named check; a failed check records why and the scenario
goes on where it can (a scenario that cannot go on raises, and the runner records that as a
failed check too). The runner prints one line per check and the summary line
`gateway-integration: N checks, N passed`.

    checks = Checks()
    checks.equal("passthrough: echo", got, b"ping")
    checks.true("ready", status == 200, f"status {status}")
    expect_delta(checks, gw, "unknown SNI", "meshgw_unknown_sni", before, 1)  # exactly +1
    checks.summary()  # prints the summary line, returns the exit code

Thread-safety: use from one thread (the runner's).
"""

import sys
import time


class Checks:
    def __init__(self, out=sys.stdout):
        self.out = out
        self.results = []  # (name, ok, detail)
        self.scenario = ""

    def _record(self, name, ok, detail):
        full = f"{self.scenario}: {name}" if self.scenario else name
        self.results.append((full, ok, detail))
        line = f"[{'ok' if ok else 'FAIL'}] {full}"
        if not ok and detail:
            line += f" -- {detail}"
        print(line, file=self.out, flush=True)
        return ok

    def true(self, name, condition, detail=""):
        return self._record(name, bool(condition), detail)

    def equal(self, name, got, want):
        ok = got == want
        return self._record(name, ok, "" if ok else f"got {got!r}, want {want!r}")

    def at_least(self, name, got, want):
        ok = got is not None and got >= want
        return self._record(name, ok, "" if ok else f"got {got!r}, want at least {want!r}")

    def fail(self, name, detail):
        return self._record(name, False, detail)

    def failed(self):
        return [r for r in self.results if not r[1]]

    def summary(self):
        passed = sum(1 for r in self.results if r[1])
        print(f"gateway-integration: {len(self.results)} checks, {passed} passed", file=self.out,
              flush=True)
        return 0 if self.results and passed == len(self.results) else 1


COUNTER_WAIT = 3  # seconds for a gateway's counter to catch up with what a client saw


def expect_delta(checks, gw, label, name, before, want, **labels):
    """Checks that counter `name{labels}` of gateway `gw` moved from `before` by exactly `want`
    (waiting up to COUNTER_WAIT for it to get there)."""
    wait_for(lambda: gw.metric(name, **labels) - before >= want, COUNTER_WAIT)
    return checks.equal(f"{label}: {name}{labels or ''} +{want}",
                        gw.metric(name, **labels) - before, want)


def wait_for(predicate, timeout, interval=0.05):
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass; returns the
    last value (falsy on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
