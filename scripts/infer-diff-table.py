#!/usr/bin/env python3
"""The infer/diff table of issue 18: for each lab scenario in pcaps/, whether
`crosswire infer` followed by `crosswire verify` with the inferred plan exits 0,
and what `crosswire diff` of the intended plan reports (its different and extra
keys, and the checks that fail even with the inferred plan).

    scripts/infer-diff-table.py [BIN] > table.md     (BIN: .build/debug/crosswire)

Healthy means: the scenario's expected.json has no failing check. On a healthy
scenario verify should exit 0 and diff should report nothing; on a broken one
diff should name the breakage.
"""
import json
import os
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/debug/crosswire"))
os.chdir(root)


def crosswire(subcommand, *args):
    p = subprocess.run([binary, subcommand, *args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


rows = []
for name in sorted(os.listdir("pcaps")):
    d = os.path.join("pcaps", name)
    if not os.path.isfile(os.path.join(d, "plan.yaml")):
        continue
    expected = json.load(open(os.path.join(d, "expected.json")))
    captures = [os.path.join(d, c) for c in expected["captures"]]
    failing = sorted(k for k, v in expected["checks"].items() if v == "fail")
    with tempfile.TemporaryDirectory() as tmp:
        plan = os.path.join(tmp, "inferred.yaml")
        rc, _, err = crosswire("infer", *captures, "--output", plan)
        if rc != 0:
            rows.append((name, failing, f"infer exit {rc}: {err.strip()}", "", ""))
            continue
        rc, out, _ = crosswire("verify", "--plan", plan, *captures, "--format", "json", "--output", tmp, "--quiet")
        verdict = json.load(open(os.path.join(tmp, "crosswire.json")))
        failed = [c["id"] for c in verdict["checks"] if c["status"] == "fail"]
        verify = f"{rc}" + (f" ({', '.join(failed)})" if failed else "")
    rc, out, _ = crosswire("diff", "--format", "json", os.path.join(d, "plan.yaml"), *captures)
    diff = json.loads(out)
    keys = [f"{k['status']} `{k['key']}`" for k in diff["keys"] if k["status"] in ("different", "extra")]
    rows.append((name, failing, verify, str(rc), "; ".join(keys) or "nothing differs"))

print("| scenario | expected failing checks | infer → verify exit | diff exit | diff: different / extra keys |")
print("|---|---|---|---|---|")
for name, failing, verify, rc, keys in rows:
    print(f"| {name} | {', '.join(failing) or 'healthy'} | {verify} | {rc} | {keys} |")
healthy = [r for r in rows if not r[1]]
broken = [r for r in rows if r[1]]
print()
print(f"Healthy: {sum(1 for r in healthy if r[2] == '0')} of {len(healthy)} verify with their inferred plan, "
      f"{sum(1 for r in healthy if r[3] == '0')} of {len(healthy)} diff clean. "
      f"Broken: diff exits 1 on {sum(1 for r in broken if r[3] == '1')} of {len(broken)}.")
