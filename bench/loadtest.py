"""Throughput under gunicorn (2 workers, DEBUG=0) with wrk, at N collectivités that have schemas.

`make loadtest` runs this script. On a private database (`lt_load` on DATABASE_URL's server,
dropped at the end unless --keep) it builds N collectivités with their schemas and published
entries (bench/tenants.py), runs collectstatic, starts gunicorn on 127.0.0.1:--port, then runs
wrk (16 connections, 2 threads, --duration seconds) against `/healthz`, the benchmark list, the
explorer, a use-case page and the tenant API list of a member (token, on the tenant's host), in
--rounds rounds: in each, every path is measured between two /healthz, and its ratio is to their
mean, so that it compares measures seconds apart (this shared machine's speed drifts by a
factor of two within minutes: CPU stolen by its neighbours). The median of the rounds' ratios
is reported.
The API throttles are lifted; the cache is CACHE_URL when set (the shared Redis of production),
else the project's default.

It ends with one line: for each path its median req/s, median ratio to /healthz, worst p99 and
all errors (socket
errors + non-2xx), and whether the targets are met (ratios ≥ 0.30 / 0.20 / 0.25 / 0.20, no
error, p99 < 250 ms).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/loadtest.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import time
import urllib.request

from bench import tenants as bench_tenants

ROOT = Path(__file__).resolve().parent.parent
# Ratio to /healthz, per path (issue 14).
TARGETS = {"list": 0.30, "explorer": 0.20, "usecase": 0.25, "tenant_api": 0.20}
MAX_P99_MS = 250.0
CONNECTIONS = 16


def wrk(base: str, host: str, path: str, headers: dict, duration: int) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "-H",
        f"Host: {host}",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, base + path], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return {"rate": rate, "p99_ms": p99_ms, "errors": errors}


def default_cache_url() -> str | None:
    """Redis DB 15 on localhost when it answers, else None (the database cache)."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/15"


def forget_keys(cache_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(cache_url)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per path and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8330)
    parser.add_argument("--database", default="lt_load")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again the database kept by an earlier --keep run (implies --keep)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk (make loadtest does it)")

    url, admin_url = bench_tenants.database_urls(options.database)
    options.keep |= options.reuse
    if not options.reuse:
        bench_tenants.recreate_database(admin_url, options.database)
    bench_tenants.setup(url)
    from django.db import connections

    server = None
    prefix = "loadtest-" + secrets.token_hex(4)
    cache_url = None
    log_path = ROOT / "var" / "loadtest-gunicorn.log"
    try:
        started = time.perf_counter()
        if options.reuse:
            requests = bench_tenants.targets(bench_tenants.first_domain())
        else:
            tenants = bench_tenants.Tenants()
            tenants.grow_to(options.tenants)
            requests = bench_tenants.targets(tenants.domain)
        rows, size, existing = bench_tenants.catalogue()
        connections.close_all()
        print(
            f"{existing} collectivités with schemas, pg_class {rows}, {size:.0f} MB, "
            f"built in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "PYTHONUNBUFFERED": "1"}
        env["SECRET_KEY"] = "loadtest-" + secrets.token_hex(24)
        cache_url = env.get("CACHE_URL") or default_cache_url()
        if cache_url:  # shared by the two workers, as in production; keys of this run only
            env["CACHE_URL"], env["CACHE_KEY_PREFIX"] = cache_url, prefix
        print(f"cache: {cache_url or 'database (django_cache)'}", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        log_path.parent.mkdir(exist_ok=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2",
             "--bind", f"127.0.0.1:{options.port}", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{options.port}"
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn stopped, see {log_path}") from None
                time.sleep(0.5)
        rounds = []
        for host, path, headers in requests.values():
            wrk(base, host, path, headers, 2)  # warm-up: caches, connections of both workers
        floor_request = requests["healthz"]
        for _ in range(options.rounds):
            # Each path between two /healthz: its floor is their mean, seconds away from it.
            measured = {"healthz": [wrk(base, *floor_request, options.duration)]}
            for name, (host, path, headers) in requests.items():
                if name != "healthz":
                    measured[name] = wrk(base, host, path, headers, options.duration)
                    measured["healthz"].append(wrk(base, *floor_request, options.duration))
            print(
                "  healthz="
                + "/".join(f"{r['rate']:.0f}" for r in measured["healthz"])
                + " "
                + " ".join(f"{n}={r['rate']:.0f}/s" for n, r in measured.items() if n != "healthz"),
                flush=True,
            )
            rounds.append(measured)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(15)
        connections.close_all()
        if cache_url:
            forget_keys(cache_url, prefix)
        if not options.keep:
            bench_tenants.recreate_database(admin_url, options.database, drop_only=True)

    paths = [name for name in requests if name != "healthz"]

    def floor_of(measured: dict, name: str) -> float:
        around = measured["healthz"][paths.index(name) : paths.index(name) + 2]
        return statistics.mean(result["rate"] for result in around)

    def summary(results: list[dict], ratios: list[float] | None = None) -> dict:
        return {
            "rate": statistics.median(result["rate"] for result in results),
            "ratio": statistics.median(ratios) if ratios else None,
            "p99_ms": max(result["p99_ms"] for result in results),
            "errors": sum(result["errors"] for result in results),
        }

    floor = summary([result for measured in rounds for result in measured["healthz"]])
    parts = [f"loadtest: tenants={existing} rounds={len(rounds)} healthz={floor['rate']:.0f}/s"]
    all_met = True
    for name, minimum in TARGETS.items():
        result = summary(
            [measured[name] for measured in rounds],
            [measured[name]["rate"] / floor_of(measured, name) for measured in rounds],
        )
        met = result["ratio"] >= minimum and result["errors"] == 0 and result["p99_ms"] < MAX_P99_MS
        all_met &= met
        parts.append(
            f"{name}={result['rate']:.0f}/s ratio={result['ratio']:.2f}(≥{minimum:.2f}) "
            f"p99={result['p99_ms']:.0f}ms errors={result['errors']} "
            f"{'met' if met else 'MISSED'}"
        )
    parts.append(f"healthz_p99={floor['p99_ms']:.0f}ms errors={floor['errors']}")
    parts.append("all targets met" if all_met else "targets missed")
    print(" ".join(parts))
    return 0 if all_met or not options.strict else 1


if __name__ == "__main__":
    sys.exit(main())
