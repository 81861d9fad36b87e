"""Browser tests: Debian's Chromium, driven by Playwright, against a real server.

The server is gunicorn with DEBUG=0 (whitenoise and collected static files, as in production),
on a database of its own, `browser_<name>` (`browser_<name>_gw0`… under pytest-xdist, where
tests/conftest.py keeps them all on one worker) on the server of DATABASE_URL, migrated and seeded
with the guide's data and the demo accounts. pytest-django's `live_server` is not used: it empties
the tables between tests, which would destroy the seeded tenants. These tests never request the
`db` fixture, so pytest-django's test database (`test_<name>`) and this one never meet.

The server, Playwright and the browser live as long as this package's tests (scope "package"):
Playwright's synchronous API runs an asyncio loop in the main thread, which makes Django refuse
ORM calls in the same process (SynchronousOnlyOperation), so it is stopped before the rest of the
suite runs.

Helpers for the tests, to import from here (not from playwright, so that a machine without it
skips the tests rather than failing to collect them): `DEMO_PASSWORD`, `expect`,
`login(page, live_site, slug, email)`, `axe_violations(page)`.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # every test here is then skipped, see pytest_collection_modifyitems
    expect = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",  # only loopback is ever reached
    # Chromium resolves localhost and *.localhost to [::1] first, and the server listens on
    # 127.0.0.1 only: without this, a connection refused on ::1 falls back to 127.0.0.1, but
    # another program listening on [::1] at the same port would answer instead.
    "--host-resolver-rules=MAP localhost 127.0.0.1, MAP *.localhost 127.0.0.1",
]
# Password of the demo accounts on the browser-test server (`seed --demo` reads DEMO_PASSWORD).
DEMO_PASSWORD = "navigateur-demo-2026"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AXE_JS = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
RESULTS_DIR = ROOT / "test-results"
SERVER_START_TIMEOUT = 60  # seconds
DEFAULT_TIMEOUT_MS = 15_000  # Playwright's own default is 30 s


def _missing_requirement() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return "Chromium absent: apt-get install chromium (CI installs it)"
    if expect is None:
        return "Playwright absent: .venv/bin/pip install -e '.[dev]' (CI installs it)"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip every test of this folder, before any fixture runs, when something is missing."""
    reason = _missing_requirement()
    if reason is None:
        return
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item):
    # pytest-playwright parametrizes tests that use `page` by its --browser option; we only
    # ever launch Debian's Chromium.
    callspec = getattr(item, "callspec", None)
    name = callspec.params.get("browser_name", "chromium") if callspec else "chromium"
    if name != "chromium":
        pytest.skip(f"only Chromium runs the browser tests (not {name})")


_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so that fixtures know whether the test failed."""
    report = yield
    if report.when == "setup":  # a fresh attempt (pytest-rerunfailures runs an item again)
        item.stash[_REPORTS] = {}
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(autouse=True)
def _public_schema():
    """Replace tests/conftest.py's autouse fixture of the same name, which requests `db`."""
    yield


# --- The server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSite:
    port: int
    demo_password: str = DEMO_PASSWORD
    database_url: str = ""  # the server's database (to read what it queued, e.g. an e-mail)

    def url(self, slug: str | None = None, path: str = "/") -> str:
        """Address on the public site (slug None) or on a collectivité's site."""
        host = "localhost" if slug is None else f"{slug}.localhost"
        return f"http://{host}:{self.port}/{path.lstrip('/')}"


def _server_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    # Without DATABASE_URL the settings started (or joined) the embedded server already.
    from config import embedded_db

    return embedded_db.uri()


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _drop_database(admin_url: str, name: str) -> None:
    """Drop our database, closing whatever connection is left (PostgreSQL 13 or later)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _create_database(admin_url: str, name: str) -> None:
    """Create the database afresh. A leftover of an interrupted run is dropped, but not one in
    use: that is another run's, which must not be pulled from under it."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        except psycopg.errors.ObjectInUse:
            pytest.fail(
                f"database {name} is in use: another browser-test run on the same server? "
                "Wait for it to end.",
                pytrace=False,
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _server_env(database_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    # Whatever the developer's shell or pytest-django set, the server runs the real settings
    # on the default domain.
    for name in (
        "ALLOWED_HOSTS",
        "PUBLIC_EXTRA_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_COOKIES",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        BASE_DOMAIN="localhost",
        DEBUG="0",
        SECRET_KEY="browser-tests-only-not-a-real-secret-key-0123456789",
        DEMO_PASSWORD=DEMO_PASSWORD,
        PORT=str(port),
        API_THROTTLE_ANON="100000/min",
        API_THROTTLE_USER="100000/min",
        API_THROTTLE_LOGIN="100000/min",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> float:
    """Run a management command for the server's database; return how long it took."""
    started = time.monotonic()
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(command[1:])}` failed (exit {done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}",
            pytrace=False,
        )
    return time.monotonic() - started


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port: int, server: subprocess.Popen, log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            last_error = f"gunicorn exited with code {server.returncode}"
            break
        try:
            with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"/healthz answered {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"/healthz answered {error.code}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.2)
    pytest.fail(
        f"the browser-test server on port {port} is not healthy ({last_error}). Its log:\n"
        f"{log.read_text(errors='replace')}",
        pytrace=False,
    )


def _die_with_parent() -> None:
    """Runs in the child before gunicorn: SIGTERM it if pytest dies (Linux prctl
    PR_SET_PDEATHSIG), so that no server outlives a killed run, holding the database."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="package")
def live_site(tmp_path_factory):
    """A real server (gunicorn, DEBUG=0) on a fresh, seeded database, for this package's tests.

    Yields a LiveSite: `.port`, `.url(slug_or_None, path)`, `.demo_password`.
    """
    admin_url = _server_database_url()
    name = f"browser_{urlsplit(admin_url).path.lstrip('/') or 'postgres'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1… under pytest-xdist
    if worker:  # like pytest-django's test_<name>_gw0: workers never share a database
        name = f"{name}_{worker}"
    port = _free_port()
    env = _server_env(_with_database(admin_url, name), port)
    log = tmp_path_factory.mktemp("browser-server") / "gunicorn.log"

    started = time.monotonic()
    _create_database(admin_url, name)
    server = None
    try:
        steps = {
            "migrate": _manage(env, "migrate_schemas", "--noinput", "-v", "0"),
            "seed": _manage(env, "seed", "--demo"),
            "collectstatic": _manage(env, "collectstatic", "--noinput", "-v", "0"),
        }
        serving = time.monotonic()
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                    "--access-logfile",
                    "-",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        _wait_healthy(port, server, log)
        steps["gunicorn"] = time.monotonic() - serving
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items())
        print(
            f"\n[browser] server ready on port {port} (database {name}) in "
            f"{time.monotonic() - started:.1f} s ({timings}); log: {log}"
        )
        yield LiveSite(port=port, database_url=env["DATABASE_URL"])
    finally:
        if server is not None:
            _stop(server)
        _drop_database(admin_url, name)


# --- The browser --------------------------------------------------------------------------


@pytest.fixture(scope="package")
def _sync_playwright():
    from playwright.sync_api import sync_playwright

    # Belt and braces: nothing here calls the ORM, but while Playwright's loop runs in this
    # thread Django would refuse to.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_sync_playwright):
    """Debian's Chromium, headless (never a browser downloaded by `playwright install`)."""
    chromium = _sync_playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser):
    """A fresh context (cookies, storage) for each test, in French."""
    ctx = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield ctx
    ctx.close()


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


@pytest.fixture
def page(context, request):
    """A page; when the test fails, a screenshot is kept in test-results/<test name>.png."""
    tab = context.new_page()
    yield tab
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{_safe_name(request.node.name)}.png"
        try:
            tab.screenshot(path=str(path), full_page=True)
        except Exception as error:  # the page may be gone: report it, do not mask the failure
            print(f"\n[browser] no screenshot of {request.node.nodeid}: {error}")
        else:
            print(f"\n[browser] screenshot of the failed test: {path} (at {tab.url})")


# --- Helpers ------------------------------------------------------------------------------


def login(page, live_site: LiveSite, slug: str | None, email: str, password: str | None = None):
    """Sign in through the form at /compte/connexion/ and wait until it has been left."""
    page.goto(live_site.url(slug, "/compte/connexion/"))
    form = page.locator("form").filter(has=page.locator("input[name='password']"))
    form.get_by_label("Adresse électronique").fill(email)
    form.locator("input[name='password']").fill(password or live_site.demo_password)
    with page.expect_navigation():
        form.get_by_role("button", name="Se connecter").click()
    if urlsplit(page.url).path.rstrip("/").endswith("/compte/connexion"):
        errors = page.locator("[role='alert'], .error").all_inner_texts()
        raise AssertionError(f"sign-in as {email} failed on {page.url}: {errors}")


SERIOUS_IMPACTS = ("serious", "critical")


class AxeViolations(list):
    """axe-core's violations, each a dict: id, impact, help, help_url, targets.

    `str()` gives a readable report: `assert not violations, str(violations)`.
    """

    def __str__(self) -> str:
        if not self:
            return "no accessibility violation found by axe-core"
        lines = [f"{len(self)} accessibility violation(s) found by axe-core:"]
        for violation in self:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                f" <{violation['help_url']}>"
            )
            lines.extend(f"    at {target}" for target in violation["targets"])
        return "\n".join(lines)


def _target(target) -> str:
    # A node inside an iframe or a shadow root has a list of selectors, one per level.
    if isinstance(target, list):
        return " >>> ".join(_target(part) for part in target)
    return str(target)


def axe_violations(page, serious_only: bool = True) -> AxeViolations:
    """Run axe-core on the page as it is; violations of impact serious or critical only unless
    `serious_only` is False."""
    from playwright.sync_api import Error as PlaywrightError

    if not page.evaluate("() => typeof window.axe === 'object'"):
        try:
            page.add_script_tag(path=str(AXE_JS))
        except PlaywrightError:
            # A Content-Security-Policy without 'unsafe-inline' blocks the injected <script>;
            # Playwright's evaluation is not subject to it.
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    raw = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    found = AxeViolations()
    for violation in raw:
        if serious_only and violation.get("impact") not in SERIOUS_IMPACTS:
            continue
        found.append(
            {
                "id": violation["id"],
                "impact": violation.get("impact"),
                "help": violation["help"],
                "help_url": violation.get("helpUrl", ""),
                "targets": [_target(node.get("target")) for node in violation["nodes"]],
            }
        )
    return found
