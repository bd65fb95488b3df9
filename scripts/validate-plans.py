#!/usr/bin/env python3
"""Validates plan files against the plan JSON Schema, as an editor would.

    scripts/validate-plans.py SCHEMA [--reject] PLAN.yaml...

Reads each plan with PyYAML's safe_load (YAML 1.1, so an unquoted all-digit
MAC becomes a number and fails, as it would in other 1.1 tools: quote MACs).
Prints one line per plan: "accepted PATH" or "rejected PATH: why".
Exit 0 when every plan is accepted (with --reject: every plan rejected),
1 otherwise, 3 when python3 lacks jsonschema or PyYAML
(scripts/install-deps.sh test installs them).
"""
import json
import sys

try:
    import jsonschema
    import yaml
except ImportError as error:
    print(f"validate-plans: {error} (scripts/install-deps.sh test installs jsonschema and PyYAML)")
    sys.exit(3)


def main(argv):
    args = argv[1:]
    reject = "--reject" in args
    args = [a for a in args if a != "--reject"]
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    with open(args[0], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    ok = True
    for path in args[1:]:
        try:
            with open(path, encoding="utf-8") as f:
                document = yaml.safe_load(f)
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
            why = "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}" for e in errors)
        except yaml.YAMLError as error:
            why = "not YAML: " + " ".join(str(error).split())
        print(f"rejected {path}: {why}" if why else f"accepted {path}")
        ok = ok and (bool(why) == reject)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
