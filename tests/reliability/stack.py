"""A private production-like stack for the reliability scripts (fault test, API fuzzing).

Its own PostgreSQL server (pgserver's binaries, a temporary data folder): the fault test may kill
it without touching the machine's server nor anyone's data. The project is migrated and seeded with
the demo accounts, then served by gunicorn with 2 workers and DEBUG=0, as in production.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pgserver
import psutil

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO_PASSWORD = "reliability-demo-" + secrets.token_hex(4)
BASE_DOMAIN = "localhost"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Database:
    """A PostgreSQL server of our own, which can be killed (SIGKILL, like a crash) and restarted."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="registre-fiabilite-"))
        self.server = pgserver.get_server(self.folder / "pgdata", cleanup_mode="delete")
        self.uri = self.server.get_uri()
        self.socket_dir = urllib.parse.parse_qs(urllib.parse.urlparse(self.uri).query)["host"][0]

    def processes(self) -> list[psutil.Process]:
        postmaster = psutil.Process(self.server.get_pid())
        return [postmaster, *postmaster.children(recursive=True)]

    def kill(self) -> None:
        """Kill the postmaster and every backend at once: a crash, not a clean shutdown."""
        processes = self.processes()
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)
        psutil.wait_procs(processes, timeout=10)

    def restart(self) -> None:
        """Start the server again on the same data (it replays its write-ahead log)."""
        pgserver.pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.server.log),
             "start"],
            pgdata=self.server.pgdata,
            user=self.server.system_user,
            timeout=60,
        )  # fmt: skip
        # pgserver reads the new postmaster's pid from postmaster.pid on the next get_pid().
        self.server._postmaster_info = pgserver.postgres_server.PostmasterInfo.read_from_pgdata(
            self.server.pgdata
        )

    def stop(self) -> None:
        self.server.cleanup()


class Stack:
    """The database above, the project migrated and seeded, gunicorn (2 workers) in front."""

    def __init__(self, workers: int = 2, env: dict | None = None, db=None, port: int | None = None):
        """`db`: a started server of the caller's (an object with `uri` and `stop()`), stopped by
        the caller; by default the stack starts and stops its own."""
        self.workers = workers
        self.extra_env = env or {}
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.own_db = db is None
        self.db: Database | None = db
        self.web: subprocess.Popen | None = None

    def env(self) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": self.db.uri,
            "DEBUG": "0",
            "SECRET_KEY": "reliability-" + secrets.token_hex(24),
            "BASE_DOMAIN": BASE_DOMAIN,
            "PORT": str(self.port),
            "DEMO_PASSWORD": DEMO_PASSWORD,
            # E-mails stay in the job queue's table: no worker, no SMTP server needed here.
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        return env

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            text=True,
            check=True,
            capture_output=True,
        ).stdout

    def __enter__(self):
        started = time.monotonic()
        if self.own_db:
            self.db = Database()
            log(f"PostgreSQL privé démarré ({self.db.folder}).")
        self.manage("migrate_schemas", "--noinput", "-v", "0")
        self.manage("seed", "--demo")
        self.manage("collectstatic", "--noinput", "-v", "0")  # as a deployment does
        log(f"Base migrée et données du guide chargées en {time.monotonic() - started:.0f} s.")
        self.web_log = ROOT / "var" / "reliability-gunicorn.log"
        self.web_log.parent.mkdir(exist_ok=True)
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(self.workers),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5",
             "--log-level", "warning"],
            cwd=ROOT,
            env=self.env(),
            stdout=self.web_log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        for _ in range(120):
            if self.status("/healthz") == 200:
                break
            if self.web.poll() is not None:
                raise RuntimeError("gunicorn s'est arrêté au démarrage.")
            time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn ne répond pas sur /healthz.")
        log(f"gunicorn ({self.workers} workers) sert {self.base} (journal : {self.web_log}).")
        return self

    def __exit__(self, *exc):
        if self.web is not None and self.web.poll() is None:
            os.killpg(self.web.pid, signal.SIGTERM)
            try:
                self.web.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.web.pid, signal.SIGKILL)
        if self.own_db and self.db is not None:
            self.db.stop()

    # --- HTTP -------------------------------------------------------------------------------

    def request(self, method, path, *, host=BASE_DOMAIN, body=None, token=None, headers=None,
                timeout=30):  # fmt: skip
        """(status, headers, decoded JSON or text); status 0 when the connection failed."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Host", f"{host}:{self.port}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Token {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, _decode(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers, _decode(error.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return 0, {}, None

    def status(self, path, **kwargs) -> int:
        return self.request("GET", path, **kwargs)[0]

    def token(self, email: str, host: str = BASE_DOMAIN) -> str:
        status, _headers, body = self.request(
            "POST", "/api/v1/auth/token/", host=host,
            body={"email": email, "password": DEMO_PASSWORD},
        )  # fmt: skip
        if status != 200:
            raise RuntimeError(f"jeton refusé pour {email} sur {host} : {status} {body}")
        return body["token"]


def _decode(raw: bytes):
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
