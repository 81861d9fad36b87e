"""The embedded PostgreSQL used when DATABASE_URL is unset (a fresh machine with no server).

`python -m config.embedded_db CMD…` starts the server, runs CMD with DATABASE_URL pointing at it,
then stops the server once CMD ends (Ctrl-C included). Processes that import the settings without
DATABASE_URL also get a handle on the same server; pgserver stops it when the last handle exits.
"""

import contextlib
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "var" / "pgdata"


def start():
    """Start (or join) the embedded server and return its handle."""
    with warnings.catch_warnings():
        # pgserver falls back to /tmp when XDG_RUNTIME_DIR is unset: harmless, not worth a warning.
        warnings.simplefilter("ignore")
        import pgserver

        DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
        return pgserver.get_server(DATA_DIR, cleanup_mode="stop")


def uri() -> str:
    return start().get_uri()


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m config.embedded_db COMMAND [ARGS…]", file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(argv)
    server = start()
    print(f"Base embarquée PostgreSQL démarrée ({DATA_DIR}).", flush=True)
    env = {**os.environ, "DATABASE_URL": server.get_uri()}
    # The command runs in its own process group, and Ctrl-C (SIGINT) or SIGTERM sent to us is
    # passed to the whole group (runserver's reloader included). Once it has ended, pgserver's
    # exit handler stops the database cleanly.
    child = subprocess.Popen(argv, env=env, process_group=0)

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    code = child.wait()
    print("Arrêt de la base embarquée.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
