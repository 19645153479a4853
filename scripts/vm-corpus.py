#!/usr/bin/env python3
"""Runs `faultline vm statetest` over the whole GeneralStateTests corpus, one folder per
job (JOBS at a time, default: the number of cores), and sums the figures each run prints
(docs/fault-vm.md, "Measured"). Usage:

    scripts/vm-corpus.py [--bin target/debug/faultline] [--jobs N] [--logs DIR] [--l1] [--resume] [CORPUS]

With --l1 every step also runs through the Solidity verifier (`vm statetest --l1`) and
the L1 figures are summed too (steps measured, mismatches, unsupported, over 2 M, max).

CORPUS defaults to ../shared/fixtures/ethereum-tests/GeneralStateTests. Each folder's
output is kept in DIR (default: a temporary folder) and the sum is printed at the end.
With --resume, folders whose log in DIR is complete are summed from it, not run again:
a run over several sittings (the whole corpus with --l1 takes hours).
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time


SUMMARY = re.compile(r"(\d+) passed, (\d+) failed, (\d+) skipped")
TRAILER = re.compile(r"^# exit (-?\d+) after ([\d.]+) s$", re.M)


def run(binary, folder, logs, l1, resume):
    log = os.path.join(logs, os.path.basename(folder.rstrip("/")) + ".log")
    if resume and os.path.exists(log):
        with open(log) as f:
            text = f.read()
        t = TRAILER.search(text)
        if t and SUMMARY.search(text):
            return folder, int(t.group(1)), text, float(t.group(2))
    start = time.time()
    out = subprocess.run([binary, "vm", "statetest", *(["--l1"] if l1 else []), folder], capture_output=True, text=True)
    secs = time.time() - start
    text = out.stdout + out.stderr + f"\n# exit {out.returncode} after {secs:.1f} s\n"
    with open(log, "w") as f:
        f.write(text)
    return folder, out.returncode, text, secs


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(root, "target/debug/faultline"))
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--logs", default=None)
    p.add_argument("--l1", action="store_true", help="also run every step through the L1 verifier")
    p.add_argument("--resume", action="store_true", help="reuse the finished folders' logs in --logs instead of running them again")
    p.add_argument("corpus", nargs="?", default=os.path.join(root, "../shared/fixtures/ethereum-tests/GeneralStateTests"))
    a = p.parse_args()
    logs = a.logs or tempfile.mkdtemp(prefix="vm-corpus-")
    os.makedirs(logs, exist_ok=True)
    folders = sorted(os.path.join(a.corpus, d) for d in os.listdir(a.corpus) if os.path.isdir(os.path.join(a.corpus, d)))
    totals = {"passed": 0, "failed": 0, "skipped": 0, "cases": 0, "steps": 0, "machine_secs": 0.0}
    reasons = {}
    worst = (0.0, "")
    worst_l2 = (0.0, "")
    witness = (0, "")
    over = over_l2 = over_cap = 0
    failures = []
    l1 = {"steps": 0, "measured": 0, "over": 0, "unsupported": 0, "mismatches": 0}
    l1_max = (0, "")
    l1_l2 = {"steps": 0, "over": 0}
    l1_l2_max = (0, "")
    busy = 0.0
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for folder, rc, text, secs in pool.map(lambda f: run(a.bin, f, logs, a.l1, a.resume), folders):
            name = os.path.basename(folder)
            busy += secs
            m = SUMMARY.search(text)
            if not m:
                failures.append(f"{name}: no summary (exit {rc})")
                continue
            for k, v in zip(("passed", "failed", "skipped"), m.groups()):
                totals[k] += int(v)
            if int(m.group(2)) or rc:
                failures.extend(f"{name}: {l}" for l in text.splitlines() if l.startswith("FAIL"))
            c = re.search(r"revm harness: (\d+) Cancun cases", text)
            totals["cases"] += int(c.group(1)) if c else 0
            for n, why in re.findall(r"^skipped (\d+): (.*)$", text, re.M):
                reasons[why] = reasons.get(why, 0) + int(n)
            s = re.search(r"step machine: (\d+) steps checked in ([\d.]+) s", text)
            if s:
                totals["steps"] += int(s.group(1))
                totals["machine_secs"] += float(s.group(2))
            w = re.search(r"largest witness (\d+) bytes at (\S+)", text)
            if w and int(w.group(1)) > witness[0]:
                witness = (int(w.group(1)), w.group(2))
            b = re.search(r"bounds \(Osaka's L1 rules\): (\d+) of \d+ steps over .*?\((\d+) over the EIP-7825 transaction cap\); the most expensive step is estimated at ([\d.]+) M L1 gas, at (\S+)", text)
            if b:
                over += int(b.group(1))
                over_cap += int(b.group(2))
                if float(b.group(3)) > worst[0]:
                    worst = (float(b.group(3)), b.group(4))
            l2 = re.search(r"bounds on the L2: (\d+) of \d+ steps over the target, the most expensive at ([\d.]+) M L1 gas", text)
            if l2:
                over_l2 += int(l2.group(1))
                if float(l2.group(2)) > worst_l2[0]:
                    worst_l2 = (float(l2.group(2)), name)
            g = re.search(r"^all: (\d+) steps \((\d+) measured\), median (\d+) L1 gas, max (\d+), (\d+) over 2000000.*?; (\d+) unsupported, (\d+) mismatches", text, re.M)
            if g:
                for k, v in zip(("steps", "measured"), g.group(1, 2)):
                    l1[k] += int(v)
                l1["over"] += int(g.group(5))
                l1["unsupported"] += int(g.group(6))
                l1["mismatches"] += int(g.group(7))
                if int(g.group(4)) > l1_max[0]:
                    l1_max = (int(g.group(4)), name)
            h = re.search(r"^L1 verifier on pre-states the L2 can hold: (\d+) steps, median \d+ L1 gas, max (\d+) at (\S+), (\d+) over", text, re.M)
            if h:
                l1_l2["steps"] += int(h.group(1))
                l1_l2["over"] += int(h.group(4))
                if int(h.group(2)) > l1_l2_max[0]:
                    l1_l2_max = (int(h.group(2)), h.group(3))
            print(f"{name}: {m.group(0)} ({secs:.0f} s)" + (f"; L1 median {g.group(3)}, max {g.group(4)}" if g else ""), flush=True)
    wall = time.time() - start
    print(f"\nwhole corpus ({len(folders)} folders, {a.jobs} jobs, {wall / 60:.1f} min wall, "
          f"{busy / 60:.1f} min summed over the folders' runs): "
          f"{totals['cases']} Cancun cases: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    for why, n in sorted(reasons.items(), key=lambda x: -x[1]):
        print(f"  skipped {n}: {why}")
    print(f"steps checked: {totals['steps']} in {totals['machine_secs']:.0f} s of machine time "
          f"({totals['steps'] / max(totals['machine_secs'], 1e-9):.0f} checked steps/s)")
    print(f"largest witness: {witness[0]} bytes at {witness[1]}")
    print(f"over the 2 M L1 gas target: {over} steps ({over_cap} over the EIP-7825 cap); worst {worst[0]:.2f} M at {worst[1]}")
    print(f"on pre-states the L2 can hold: {over_l2} steps over the target; worst {worst_l2[0]:.2f} M (folder {worst_l2[1]})")
    if a.l1:
        print(f"L1 verifier: {l1['steps']} steps ({l1['measured']} measured), {l1['mismatches']} mismatches, "
              f"{l1['unsupported']} unsupported, {l1['over']} over 2 M L1 gas; max {l1_max[0]} (folder {l1_max[1]})")
        print(f"L1 verifier on pre-states the L2 can hold: {l1_l2['steps']} steps, {l1_l2['over']} over 2 M L1 gas; "
              f"max {l1_l2_max[0]} at {l1_l2_max[1]}")
    print(f"logs: {logs}")
    for f in failures:
        print("FAIL", f)
    return 1 if totals["failed"] or failures else 0


if __name__ == "__main__":
    sys.exit(main())
