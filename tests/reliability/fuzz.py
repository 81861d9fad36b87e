"""Schemathesis against the live OpenAPI schemas of both APIs, on a production-like stack.

The stack (tests/reliability/stack.py: its own PostgreSQL, seeded with the guide's data and the
demo accounts, gunicorn with 2 workers, DEBUG=0) is fuzzed three times, each with the schema that
caller is served:

- the public API (benchmark, catalogue, knowledge base, curation) anonymously;
- the public API as the CDG74's curator (token);
- grand-annecy's API (its use cases) as its contributor (token), on its own host.

Checks: no 5xx (`not_a_server_error`) and every response conforming to the schema (status code,
content type, headers, body). `negative_data_rejection` is left out: DRF reads a number sent for a
text field as its digits and an empty string sent for a link as "no link", which we accept (nothing
wrong is stored). Each run is bounded (`--max-time`, `--max-examples`). It ends with one line of figures per run and a total, and
exits non-zero on any failure:

    .venv/bin/python -m tests.reliability.fuzz [--max-time 60] [--max-examples 30]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

from tests.reliability.stack import BASE_DOMAIN, ROOT, Stack, log

TENANT_HOST = "grand-annecy.localhost"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
OUT = ROOT / "var" / "fuzz"


def run(stack, name, host, token, args) -> dict:
    status, _headers, schema = stack.request("GET", "/api/schema/?format=json", host=host,
                                             token=token)  # fmt: skip
    if status != 200 or not isinstance(schema, dict):
        raise RuntimeError(f"{name} : schéma introuvable ({status}).")
    schema_path = OUT / f"{name}.json"
    schema_path.write_text(json.dumps(schema))
    report = OUT / f"{name}-report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run", str(schema_path),
        "--url", stack.base, "--header", f"Host: {host}:{stack.port}",
        "--checks", CHECKS, "--max-time", str(args.max_time),
        "--max-examples", str(args.max_examples), "--seed", str(args.seed),
        "--workers", "1", "--request-timeout", "30", "--suppress-health-check", "all",
        "--report", "json", "--report-json-path", str(report), "--no-color",
    ]  # fmt: skip
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    log(f"schemathesis : {name} ({len(schema.get('paths', {}))} chemins)…")
    result = subprocess.run(command, cwd=ROOT, text=True, capture_output=True)
    (OUT / f"{name}.log").write_text(result.stdout + result.stderr)
    figures = summarise(report, result.returncode)
    figures["name"] = name
    if result.returncode != 0:
        print(result.stdout[-6000:], result.stderr[-2000:], sep="\n")
    return figures


SERVER_ERROR = {"ST101"}
SCHEMA_VIOLATIONS = {"ST103", "ST104", "ST105", "ST106", "ST107", "ST108"}


def summarise(report: Path, returncode: int) -> dict:
    """The figures of schemathesis's JSON report (its `--report json` format, version 4)."""
    data = json.loads(report.read_text()) if report.exists() else {}
    failures = data.get("failures", [])

    def count(codes):
        return sum(f.get("count", 0) for f in failures if f.get("code") in codes)

    return {
        "returncode": returncode,
        "operations": data.get("operations", {}).get("tested"),
        "examples": data.get("test_cases", {}).get("generated"),
        "server_errors": count(SERVER_ERROR),
        "schema_violations": count(SCHEMA_VIOLATIONS),
        "failures": data.get("test_cases", {}).get("with_failures", 0),
        "errors": sum(e.get("count", 0) for e in data.get("errors", [])),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=int, default=60, help="secondes par appelant")
    parser.add_argument("--max-examples", type=int, default=30, help="exemples par opération")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # The throttles are measured elsewhere (tests/registry, bench/bruteforce.py): here they would
    # turn most examples into 429s and leave the logic behind them untested.
    with Stack(env={"API_THROTTLE_ANON": "100000/min", "API_THROTTLE_USER": "100000/min"}) as stack:
        curator = stack.token("curateur@cdg74.example")
        contributor = stack.token("contributeur@grand-annecy.example", host=TENANT_HOST)
        runs = [
            run(stack, "public-anonyme", BASE_DOMAIN, None, args),
            run(stack, "public-curateur", BASE_DOMAIN, curator, args),
            run(stack, "grand-annecy-contributeur", TENANT_HOST, contributor, args),
        ]
    for f in runs:
        print(
            f"fuzz {f['name']}: operations={f['operations']} examples={f['examples']}"
            f" server_errors_5xx={f['server_errors']} schema_violations={f['schema_violations']}"
            f" failing_examples={f['failures']} errors={f['errors']} exit={f['returncode']}"
        )
    total = {
        key: sum(f[key] or 0 for f in runs)
        for key in ("operations", "examples", "server_errors", "schema_violations", "failures")
    }
    print(
        f"fuzz: operations={total['operations']} examples={total['examples']}"
        f" server_errors_5xx={total['server_errors']}"
        f" schema_violations={total['schema_violations']} failing_examples={total['failures']}",
        flush=True,
    )
    return 0 if all(f["returncode"] == 0 for f in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
