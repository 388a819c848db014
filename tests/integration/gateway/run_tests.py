#!/usr/bin/env python3
"""meshgw end-to-end tests with real clients on loopback (ctest `gateway_integration`).

    run_tests.py --meshgw build/release/gateway/meshgw            # every scenario
    run_tests.py --meshgw ... --only modes,drain --keep           # keep the work folder
    run_tests.py --harness-only                                   # the harness without meshgw

Scenarios: harness (the harness's own oracles), cli (-version, bad files, -log-json), modes
(passthrough, terminate, re-originate, egress, every refusal with its counter, admin pages),
relay (half-close, 1 MiB, route shapes, idle timeout, connection and circuit-breaker limits),
reload (200 connections across 50 reloads, a bad file, a removed listener), failover (endpoints
and priorities), drain (SIGTERM, /drain_listeners, /healthcheck/fail). Each prints a line per
check; the last line is `gateway-integration: N checks, N passed`; the exit code is non-zero on
any failure. Every process started is killed at the end, whatever happened; an overall deadline
bounds the run.

Python 3 standard library only, plus the `openssl` and `curl` command-line tools.
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import scenario_cli  # noqa: E402
import scenario_drain  # noqa: E402
import scenario_failover  # noqa: E402
import scenario_harness  # noqa: E402
import scenario_modes  # noqa: E402
import scenario_relay  # noqa: E402
import scenario_reload  # noqa: E402
from checks import Checks  # noqa: E402
from world import World  # noqa: E402

SCENARIOS = [
    ("harness", scenario_harness.run, False),  # (name, function, needs meshgw)
    ("cli", scenario_cli.run, True),
    ("modes", scenario_modes.run, True),
    ("relay", scenario_relay.run, True),
    ("reload", scenario_reload.run, True),
    ("failover", scenario_failover.run, True),
    ("drain", scenario_drain.run, True),
]


class Deadline(Exception):
    pass


def on_alarm(_signum, _frame):
    raise Deadline("overall deadline reached")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--meshgw", help="path of the meshgw binary")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--harness-only", action="store_true",
                        help="run only the harness's self-checks (no meshgw needed)")
    parser.add_argument("--workdir", help="work folder (default: a fresh temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--deadline", type=int, default=240, help="seconds for the whole run")
    args = parser.parse_args()

    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in {s[0] for s in SCENARIOS}]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; "
                     f"known: {', '.join(s[0] for s in SCENARIOS)}")
    if args.harness_only:
        names = ["harness"]
    if not args.harness_only:
        if not args.meshgw:
            parser.error("--meshgw is required (or --harness-only)")
        if not os.access(args.meshgw, os.X_OK):
            parser.error(f"--meshgw {args.meshgw}: not an executable file")
    for tool in ("openssl", "curl"):
        if shutil.which(tool) is None:
            parser.error(f"the {tool} command-line tool is required")

    workdir = args.workdir or tempfile.mkdtemp(prefix="meshgw-it-")
    checks = Checks()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, lambda *_: on_alarm(0, None))
    signal.alarm(args.deadline)
    world = None
    try:
        world = World(os.path.abspath(args.meshgw) if args.meshgw else None, workdir)
        for name, fn, _ in SCENARIOS:
            if names and name not in names:
                continue
            checks.scenario = name
            try:
                fn(world, checks)
            except Deadline:
                checks.fail("scenario finished", "overall deadline reached")
                break
            except Exception as e:  # noqa: BLE001 - a scenario that cannot go on is one failure
                checks.fail("scenario finished", f"{type(e).__name__}: {e}\n"
                            f"{traceback.format_exc(limit=4)}")
    except Deadline:
        checks.fail("run", "overall deadline reached")
    except Exception as e:  # noqa: BLE001
        checks.fail("setup", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=4)}")
    finally:
        signal.alarm(0)
        if world is not None:
            world.close()
        checks.scenario = ""
    code = checks.summary()
    if code != 0 or args.keep:
        print(f"work folder (logs, configs, PKI): {workdir}", flush=True)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
