"""Primary + streaming replica, for real: the router of config/replica.py against two servers.

Starts its own PostgreSQL primary (wal_level=replica) and a streaming replica made by
`pg_basebackup -R` (pgserver's binaries, temporary folders, ports 5440-5449; as root they run as
the `pgserver` user), migrates and seeds the primary, checks that the replica received it, serves
the project with DATABASE_URL=primary and DATABASE_REPLICA_URL=replica (gunicorn, DEBUG=0), then:

1. public reads (benchmark API, explorer, dashboard, knowledge) are answered by the replica, on
   the public schema (debug header REPLICA_DEBUG_HEADER: alias, pg_is_in_recovery(), search_path),
   and the replica's transaction counter grows; other pages read the primary;
2. a curator's write then their immediate read hit the primary and see the write, while an
   anonymous client still reads the replica (which receives the write);
3. with the replica stopped, the public reads still answer 200, from the primary.

Everything it started is stopped at the end. `make replica-test`; part of .ci/run.
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pgserver

from tests.reliability.stack import Stack, log

BIN = Path(pgserver.__file__).resolve().parent / "pginstall" / "bin"
PORTS = range(5440, 5450)
WEB_PORTS = range(8340, 8350)
SYSTEM_USER = "pgserver" if os.geteuid() == 0 else None
TENANT_HOST = "grand-annecy.localhost"
PUBLIC_READS = [
    "/api/v1/benchmark/use-cases/",
    "/api/v1/benchmark/stats/?by=domain",
    "/api/v1/benchmark/export.csv",
    "/api/v1/knowledge/articles/",
    "/cas-d-usage/",
    "/tableau-de-bord/",
    "/connaissances/",
]


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(candidates, count: int) -> list[int]:
    free = [port for port in candidates if _free(port)]
    if len(free) < count:
        raise RuntimeError(f"pas assez de ports libres parmi {candidates}")
    return free[:count]


def _run(*args: str, timeout: int = 120) -> str:
    """A PostgreSQL binary, as the `pgserver` user when we are root (PostgreSQL refuses root)."""
    command = [str(BIN / args[0]), *args[1:]]
    if SYSTEM_USER:
        command = ["su", SYSTEM_USER, "-s", "/bin/sh", "-c", subprocess.list2cmdline(command)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"{args[0]} : {result.stderr or result.stdout}")
    return result.stdout


class Server:
    def __init__(self, folder: Path, port: int):
        self.pgdata = folder
        self.port = port
        self.uri = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def start(self) -> None:
        _run("pg_ctl", "-w", "-D", str(self.pgdata), "-l", str(self.pgdata / "server.log"),
             "-o", f"-p {self.port}", "start", timeout=60)  # fmt: skip

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            _run("pg_ctl", "-w", "-D", str(self.pgdata), "-m", "fast", "stop", timeout=60)

    def sql(self, query: str) -> str:
        return _run("psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                    "-d", "postgres", "-c", query).strip()  # fmt: skip


class Pair:
    """Primary and streaming replica in one temporary folder; `stop()` stops and deletes both."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="registre-replique-"))
        primary_port, replica_port = _ports(PORTS, 2)
        self.primary = Server(self.folder / "primary", primary_port)
        self.replica = Server(self.folder / "replica", replica_port)
        # The interface Stack expects of a database.
        self.uri = self.primary.uri

    def start(self) -> None:
        if SYSTEM_USER:
            account = pwd.getpwnam(SYSTEM_USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        _run("initdb", "-D", str(self.primary.pgdata), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        with (self.primary.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "fsync = off\nfull_page_writes = off\n"  # a throwaway test server
            )
        with (self.primary.pgdata / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.primary.start()
        _run("pg_basebackup", "-R", "-X", "stream", "-c", "fast", "-D", str(self.replica.pgdata),
             "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres")  # fmt: skip
        self.replica.start()
        for _ in range(60):
            if self.replica.sql("SELECT pg_is_in_recovery()") == "t":
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("la réplique n'est pas en récupération")

    def wait_caught_up(self, timeout: float = 30) -> None:
        target = self.primary.sql("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lag = self.replica.sql(f"SELECT pg_wal_lsn_diff('{target}', pg_last_wal_replay_lsn())")
            if float(lag) <= 0:
                return
            time.sleep(0.2)
        raise RuntimeError("la réplique n'a pas rattrapé le primaire")

    def stop(self) -> None:
        for server in (self.replica, self.primary):
            try:
                server.stop()
            except RuntimeError as error:
                log(f"arrêt : {error}")
        shutil.rmtree(self.folder, ignore_errors=True)


def _commits(server: Server) -> int:
    return int(
        server.sql("SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'") or 0
    )


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)
    log(f"ok : {message}")


def _base(headers) -> str:
    return headers.get("X-Registre-Base", "") if headers else ""


def main() -> int:
    started = time.monotonic()
    pair = Pair()
    try:
        pair.start()
        log(f"Primaire :{pair.primary.port} et réplique :{pair.replica.port} démarrés.")
        env = {
            "DATABASE_REPLICA_URL": pair.replica.uri,
            "REPLICA_DEBUG_HEADER": "1",
            "REPLICA_PIN_SECONDS": "30",
        }
        with Stack(db=pair, env=env, port=_ports(WEB_PORTS, 1)[0]) as stack:
            pair.wait_caught_up()
            rows = "SELECT count(*) FROM public.knowledge_article"
            check(
                pair.replica.sql(rows) == pair.primary.sql(rows) != "0",
                f"la réplique a reçu les données semées ({pair.replica.sql(rows)} articles)",
            )

            # 1. Public reads from the replica, on the public schema.
            before = _commits(pair.replica)
            for path in PUBLIC_READS:
                status, headers, _body = stack.request("GET", path)
                base = _base(headers)
                check(
                    status == 200 and base == "replica; recovery=on; search_path=public",
                    f"GET {path} : {status}, {base!r}",
                )
            check(_commits(pair.replica) > before, "la réplique a servi des transactions")
            status, headers, _body = stack.request("GET", "/api/v1/collectivites/")
            check(
                status == 200 and _base(headers).startswith("default; recovery=off"),
                f"GET /api/v1/collectivites/ (non routée) lit le primaire : {_base(headers)!r}",
            )

            status, headers, _body = stack.request("GET", "/", host=TENANT_HOST)
            check(
                status in (200, 302) and _base(headers).startswith("default; recovery=off"),
                f"le site d'une collectivité lit le primaire : {status}, {_base(headers)!r}",
            )

            # 2. A write, then the writer's immediate read: the primary, with the write.
            token = stack.token("curateur@cdg74.example")
            _status, _headers, articles = stack.request("GET", "/api/v1/knowledge/articles/")
            items = articles["results"] if isinstance(articles, dict) else articles
            slug = items[0]["slug"]
            marker = f"Résumé relu {uuid.uuid4().hex[:8]}"
            path = f"/api/v1/knowledge/articles/{slug}/"
            status, _headers, _body = stack.request(
                "PATCH", path, token=token, body={"summary": marker}
            )
            check(status == 200, f"PATCH {path} par un curateur : {status}")
            status, headers, body = stack.request("GET", path, token=token)
            check(
                status == 200
                and body["summary"] == marker
                and _base(headers).startswith("default; recovery=off"),
                f"lecture immédiate par l'auteur : le primaire, avec l'écriture ({_base(headers)!r})",
            )
            status, headers, body = stack.request("GET", path)
            check(
                status == 200 and _base(headers).startswith("replica"),
                f"un anonyme lit toujours la réplique ({_base(headers)!r})",
            )
            pair.wait_caught_up()
            check(
                stack.request("GET", path)[2]["summary"] == marker,
                "la réplique a reçu l'écriture",
            )

            # 3. The replica stopped: the reads fall back to the primary.
            pair.replica.stop()
            log("Réplique arrêtée.")
            for path in PUBLIC_READS:
                status, headers, _body = stack.request("GET", path)
                check(
                    status == 200 and _base(headers).startswith("default; recovery=off"),
                    f"réplique arrêtée, GET {path} : {status}, {_base(headers)!r}",
                )
    finally:
        pair.stop()
    log(f"Test de la réplique réussi en {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
