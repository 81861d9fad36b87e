"""How many password guesses one account gets per 15 minutes, across hosts and processes.

Under gunicorn with 2 workers on a free port (the database of DATABASE_URL, or the embedded one
when it is unset), for one account that belongs to two collectivités, from one client address:

1. N wrong passwords (default 30), spread in turn over the web sign-in of grand-annecy's host,
   the web sign-in of cdg74's host, the token endpoint of the public host and the token
   endpoint of grand-annecy's host, each on a new connection (so both workers answer);
2. then the right password on each of those four.

An attempt is "allowed" when the server checked the password (web: the form's "incorrect"
error, or a sign-in; token: 401 or a token); it is refused when the answer is the lockout (web:
« Trop de tentatives… », token: 429). The script ends with one line:
`bruteforce: allowed_per_15min=<passwords checked> wrong_checked=<n> right_password_accepted=<n>/4
limit=<AXES_FAILURE_LIMIT>` (allowed_per_15min: every password the server checked for the account,
wrong or right, within the lockout's 15 minutes).

    .venv/bin/python bench/bruteforce.py [--attempts 30] [--port 0]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bruteforce.py
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "force-brute@bench.example"
BASE_DOMAIN = "localhost"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    ).stdout


PREPARE = """
from axes.models import AccessAttempt
from accounts.models import Role, User
from accounts.services import membership_set
from registry.models import Collectivite
user = User.objects.filter(email={email!r}).first()
if user is None:
    from accounts.services import user_create
    user = user_create(email={email!r}, password={password!r})
else:
    user.set_password({password!r}); user.is_active = True; user.save()
for slug in ("grand-annecy", "cdg74"):
    membership_set(user=user, collectivite=Collectivite.objects.get(slug=slug), role=Role.READER)
AccessAttempt.objects.filter(username={email!r}).delete()
"""


class Channel:
    def __init__(self, base: str, host: str, kind: str):
        self.base, self.host, self.kind = base, host, kind

    def _open(self, request):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        try:
            response = opener.open(request, timeout=30)
            return response.status, response.read().decode(), response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), request.full_url

    def attempt(self, password: str) -> str:
        """'checked-wrong', 'accepted' or 'locked'."""
        headers = {"Host": self.host, "Connection": "close"}
        if self.kind == "token":
            body = json.dumps({"email": EMAIL, "password": password}).encode()
            request = urllib.request.Request(
                f"{self.base}/api/v1/auth/token/",
                data=body,
                headers={**headers, "Content-Type": "application/json"},
            )
            code, text, _url = self._open(request)
            if code == 200 and "token" in text:
                return "accepted"
            if code == 401:
                return "checked-wrong"
            if code == 429 and "Trop de tentatives" in text:
                return "locked"
            raise RuntimeError(f"token endpoint on {self.host}: {code} {text[:200]}")
        # Web form: GET for the CSRF cookie and token, then POST, in one cookie jar.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        url = f"{self.base}/compte/connexion/"
        page = opener.open(urllib.request.Request(url, headers=headers), timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": EMAIL, "password": password}
        ).encode()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener.add_handler(NoRedirect())
        try:
            response = opener.open(urllib.request.Request(url, data=data, headers=headers))
            code, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            code, text = error.code, error.read().decode()
        if code == 302:
            return "accepted"
        if "Trop de tentatives" in text:
            return "locked"
        if "mot de passe incorrect" in text:
            return "checked-wrong"
        raise RuntimeError(f"sign-in on {self.host}: {code} {text[:300]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=30, help="wrong passwords (30)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        # Re-run under the embedded database's wrapper (started, then stopped at the end).
        return subprocess.call(
            [sys.executable, "-m", "config.embedded_db", sys.executable, *sys.argv], cwd=ROOT
        )
    port = options.port or free_port()
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DEBUG": "1",  # static files without collectstatic; no effect on the lockout
        "BASE_DOMAIN": BASE_DOMAIN,
        "ALLOWED_HOSTS": f".{BASE_DOMAIN},{BASE_DOMAIN}",
        "API_THROTTLE_ANON": "100000/min",  # measure the lockout, not the request rate
        "EMAIL_QUEUE": "0",
    }
    manage(env, "migrate_schemas", "--noinput", "-v", "0")
    manage(env, "seed")
    manage(env, "shell", "-v", "0", "-c", PREPARE.format(email=EMAIL, password=password))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        channels = [
            Channel(base, f"grand-annecy.{BASE_DOMAIN}", "web"),
            Channel(base, f"cdg74.{BASE_DOMAIN}", "web"),
            Channel(base, BASE_DOMAIN, "token"),
            Channel(base, f"grand-annecy.{BASE_DOMAIN}", "token"),
        ]
        outcomes = []
        for index in range(options.attempts):
            channel = channels[index % len(channels)]
            outcomes.append((channel, channel.attempt(f"faux-{index}")))
        allowed = sum(1 for _channel, outcome in outcomes if outcome == "checked-wrong")
        right = [(channel, channel.attempt(password)) for channel in channels]
        accepted = sum(1 for _channel, outcome in right if outcome == "accepted")
        for channel, outcome in right:
            print(f"right password, {channel.kind} on {channel.host}: {outcome}")
        limit = manage(env, "shell", "-v", "0", "-c", "from django.conf import settings; "
                       "print(settings.AXES_FAILURE_LIMIT)").strip()  # fmt: skip
        # Passwords the server checked = failures axes recorded (a refused attempt is not
        # checked, nor recorded). The last recorded one got the lockout as its answer.
        count = (
            "from django.db.models import Sum; from axes.models import AccessAttempt; "
            f"print(AccessAttempt.objects.filter(username={EMAIL!r})"
            ".aggregate(n=Sum('failures_since_start'))['n'] or 0)"
        )
        checked = int(manage(env, "shell", "-v", "0", "-c", count).strip())
        print(
            f"{options.attempts} wrong passwords over 2 collectivité hosts and the token endpoint, "
            f"gunicorn 2 workers: {checked} checked by the server ({allowed} answered "
            f"'incorrect', then the lockout), then the right one accepted {accepted}/4 times."
        )
        print(
            f"bruteforce: allowed_per_15min={checked + accepted} wrong_checked={checked} "
            f"right_password_accepted={accepted}/4 limit={limit}"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        manage(env, "shell", "-v", "0", "-c",
               f"from axes.models import AccessAttempt; "
               f"AccessAttempt.objects.filter(username={EMAIL!r}).delete()")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
