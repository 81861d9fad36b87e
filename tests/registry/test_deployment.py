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
