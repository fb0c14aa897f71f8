#!/usr/bin/python3
"""Validations per second of python-jsonschema (Debian's python3-jsonschema) on the
customer-support configs: a Draft7Validator built once with a FormatChecker; the valid config
through is_valid(), the invalid one through list(iter_errors()) so that every error is built.

    /usr/bin/python3 bench/compare/jsonschema_bench.py [--schema S] [--valid V] [--invalid I]
                                                       [--seconds 2] [--warmup 0.5]

Prints one JSON line: {"valid_per_s": ..., "invalid_per_s": ..., "errors_per_invalid": N, ...}
Note: its FormatChecker is not ajv-formats (its "email" only looks for an "@", "uri" needs an
optional package), so it may find fewer errors in the invalid config than ajv does.
"""
import argparse
import json
import os
import sys
import time

from importlib import metadata

from jsonschema import Draft7Validator, FormatChecker

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def measure(fn, seconds):
    batch = 64
    n = 0
    start = time.perf_counter()
    t = start
    while t - start < seconds:
        for _ in range(batch):
            fn()
        n += batch
        t = time.perf_counter()
    return n / (t - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--schema", default=os.path.join(DATA, "customer-support.schema.json"))
    p.add_argument("--valid", default=os.path.join(DATA, "customer-support.valid.json"))
    p.add_argument("--invalid", default=os.path.join(DATA, "customer-support.invalid.json"))
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=0.5)
    a = p.parse_args()

    schema = load(a.schema)
    valid = load(a.valid)
    invalid = load(a.invalid)
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema, format_checker=FormatChecker())

    if not validator.is_valid(valid):
        sys.exit("the valid config is invalid: %s" % [e.message for e in validator.iter_errors(valid)])
    errors = list(validator.iter_errors(invalid))
    if not errors:
        sys.exit("the invalid config is valid")

    measure(lambda: validator.is_valid(valid), a.warmup)
    valid_per_s = measure(lambda: validator.is_valid(valid), a.seconds)
    measure(lambda: list(validator.iter_errors(invalid)), a.warmup)
    invalid_per_s = measure(lambda: list(validator.iter_errors(invalid)), a.seconds)

    print(json.dumps({
        "valid_per_s": round(valid_per_s),
        "invalid_per_s": round(invalid_per_s),
        "errors_per_invalid": len(errors),
        "error_paths": ["/" + "/".join(str(x) for x in e.absolute_path) for e in errors],
        "seconds": a.seconds,
        "jsonschema": metadata.version("jsonschema"),
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
