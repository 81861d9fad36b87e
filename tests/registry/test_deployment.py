"""Deployment settings (issue 10, defect 6): no start on the development key, check --deploy clean
with production settings, a Content-Security-Policy without inline script, a Permissions-Policy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def _run(code: str, **extra):
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(**extra), capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_the_server_refuses_to_start_without_a_secret_key_when_debug_is_off():
    done = _run("import config.wsgi", DEBUG="0")
    assert done.returncode != 0
    assert "SECRET_KEY manquante" in done.stderr


def test_the_server_starts_with_a_secret_key_or_in_debug():
    assert (
        _run("import config.wsgi", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50)).returncode == 0
    )
    assert _run("import config.wsgi", DEBUG="1").returncode == 0


def test_check_deploy_is_clean_with_production_settings():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            BASE_DOMAIN="registre.cdg74.example",
            ALLOWED_HOSTS="registre.cdg74.example,.registre.cdg74.example",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.parametrize("slug, path", [(None, "/"), (None, "/api/v1/tools/"),
                                        (None, "/page-inconnue/"), ("grand-annecy", "/")])  # fmt: skip
def test_every_answer_has_a_strict_csp_and_a_permissions_policy(client_for, slug, path):
    response = client_for(slug).get(path)
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{template}: event handler or javascript: URL")
    assert offenders == []


def test_the_api_docs_load_their_script_from_a_file(client_for):
    page = client_for(None).get("/api/docs/").content.decode()
    assert re.findall(r"<script>", page) == []
    assert "?script" in page


def test_the_policy_kept_per_process_is_django_csps_and_decorated_views_keep_theirs(rf):
    from csp.decorators import csp_update
    from csp.utils import build_policy
    from django.http import HttpResponse

    from config.middleware import CSPMiddleware

    middleware = CSPMiddleware(lambda request: HttpResponse("ok"))
    plain = middleware(rf.get("/"))
    assert plain["Content-Security-Policy"] == build_policy()

    @csp_update({"img-src": ["https://tuiles.example"]})
    def decorated(request):
        return HttpResponse("carte")

    request = rf.get("/carte/")
    middleware = CSPMiddleware(decorated)
    policy = middleware(request)["Content-Security-Policy"]
    assert "img-src 'self' data: https://tuiles.example" in policy
    # A nonce asked for after the header is written is refused, as by django-csp.
    from csp.exceptions import CSPNonceError

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_changed_policy_setting_is_followed(client_for, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client_for(None).get("/")["Content-Security-Policy"] == "default-src 'none'"


def test_messages_storage_is_made_only_when_used_and_still_carries_messages(rf):
    from django.contrib import messages
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from config.middleware import MessageMiddleware

    quiet = rf.get("/")
    response = MessageMiddleware(lambda request: HttpResponse("ok"))(quiet)
    from django.utils.functional import empty

    assert quiet._messages._wrapped is empty  # never built
    assert "messages" not in response.cookies

    def speaks(request):
        messages.success(request, "Cas d'usage enregistré.")
        return HttpResponse("ok")

    request = rf.get("/")
    request.session = SessionStore()
    response = MessageMiddleware(speaks)(request)
    assert "messages" in response.cookies  # stored for the next page (cookie storage first)
    follow = rf.get("/", HTTP_COOKIE=f"messages={response.cookies['messages'].value}")
    follow.session = SessionStore()
    MessageMiddleware(lambda r: HttpResponse("ok"))(follow)
    assert [str(m) for m in messages.get_messages(follow)] == ["Cas d'usage enregistré."]
