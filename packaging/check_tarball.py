#!/usr/bin/env python3
"""Checks the release tarball against what the Nomad jobs expect of it.

    check_tarball.py BUILD_DIR SOURCE_DIR

Runs `cpack -G TGZ` into a scratch folder of BUILD_DIR, then checks that the tarball has no
top-level folder, holds the three programs as executables, and that every
`command = "local/meshgw/<path>"` of jobs/*.nomad.hcl (where the `artifact` blocks unpack it) names
a file in it. Prints what it checked; exits 1 naming the first mismatch.
"""
import re
import subprocess
import sys
import tarfile
from pathlib import Path


def main():
    build, source = Path(sys.argv[1]), Path(sys.argv[2])
    scratch = build / "packaging-check"
    scratch.mkdir(exist_ok=True)
    r = subprocess.run(["cpack", "-G", "TGZ", "-B", str(scratch)], cwd=build,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        print(f"check_tarball: cpack failed:\n{r.stdout}{r.stderr}")
        return 1
    tarballs = sorted(scratch.glob("meshgw-*-Linux.tar.gz"))
    if not tarballs:
        print(f"check_tarball: cpack made no meshgw-*-Linux.tar.gz in {scratch}")
        return 1
    with tarfile.open(tarballs[-1]) as tar:
        members = {m.name.lstrip("./"): m for m in tar.getmembers()}
    problems = []
    for program in ("meshgw", "meshgw-control", "meshgw-fake-service"):
        m = members.get(f"bin/{program}")
        if m is None or not m.isfile() or not m.mode & 0o111:
            problems.append(f"bin/{program} is missing or not executable")
    for name in ("share/meshgw/jobs/mesh-gateway.nomad.hcl",
                 "share/meshgw/configs/consul/mesh.hcl"):
        if name not in members:
            problems.append(f"{name} is missing")
    commands = 0
    for job in sorted((source / "jobs").glob("*.nomad.hcl")):
        for path in re.findall(r'command\s*=\s*"local/meshgw/([^"]+)"', job.read_text()):
            commands += 1
            if path not in members:
                problems.append(f"{job.name}: command local/meshgw/{path} is not in the tarball")
    print(f"check_tarball: {tarballs[-1].name}: {len(members)} entries, "
          f"{commands} job commands checked")
    for p in problems:
        print(f"check_tarball: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
