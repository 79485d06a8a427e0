"""Settings: production passes Django's deployment checks; junk configuration stops start-up."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from wbapp.accounts.models import User


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py ARGS`` in a fresh process that sees only ``env`` (and PATH)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production(**overrides: str) -> dict[str, str]:
    """What a deployment sets; DEBUG and the security switches are left to their defaults."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "workback.example",
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "STATIC_MANIFEST": "0",
        **overrides,
    }


def test_production_settings_pass_the_deployment_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_deployment_checks_catch_a_debug_deployment():
    # The check above can fail: DEBUG on is reported (security.W018).
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production(DEBUG="1"))

    assert result.returncode != 0
    assert "security.W018" in result.stderr


@pytest.mark.parametrize(
    ("variable", "junk"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://db.example/workback"),
        ("REDIS_URL", "http://redis.example:6379/0"),
        ("EMAIL_PORT", "abc"),
        ("ALLOWED_HOSTS", "workback.example,,other.example"),
        ("SECURE_SSL_REDIRECT", "sometimes"),
        ("SITE_URL", "workback.example"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("TRUSTED_PROXY_COUNT", "one"),
        ("TRUSTED_PROXY_COUNT", "-1"),
    ],
)
def test_junk_configuration_stops_start_up_naming_the_variable(variable, junk):
    result = _manage("check", **_production(**{variable: junk}))

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert variable in last_line


def test_the_trusted_proxy_count_decides_where_allauth_reads_the_client_address():
    script = "from allauth import app_settings; print(app_settings.TRUSTED_PROXY_COUNT)"

    behind_two = _manage("shell", "-c", script, **_production(TRUSTED_PROXY_COUNT="2"))
    direct = _manage("shell", "-c", script, **_production())

    assert behind_two.stdout.strip().splitlines()[-1] == "2", behind_two.stderr
    # By default no proxy is trusted: X-Forwarded-For, which anyone can send, is ignored.
    assert direct.stdout.strip().splitlines()[-1] == "0", direct.stderr


def test_missing_secret_key_is_refused_in_production():
    env = _production()
    del env["SECRET_KEY"]

    result = _manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_a_query_asked_again_and_again_is_planned_once():
    # psycopg prepares a statement on its fifth run on a connection (prepare_threshold).
    for _ in range(6):
        list(User.objects.filter(email="nobody@example.com"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]

    assert any('FROM "accounts_user"' in statement for statement in prepared)


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"

    on = _manage("shell", "-c", show, **_production())
    off = _manage("shell", "-c", show, **_production(DB_PREPARED_STATEMENTS="0"))

    assert "'prepare_threshold': 5" in on.stdout, on.stderr
    assert off.stdout.strip().splitlines()[-1] == "{}", off.stderr


def test_development_runs_without_a_secret_key():
    result = _manage("check", DEBUG="1", DATABASE_URL="sqlite:///:memory:")

    assert result.returncode == 0, result.stderr


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.django_db(transaction=True)
def test_pages_carry_the_security_headers(production_web_server):
    response = production_web_server.get("/accounts/login/")

    assert response.status == 200, production_web_server.log.read_text()
    policy = _policy(response.getheader("Content-Security-Policy"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"
    assert (
        response.getheader("Strict-Transport-Security")
        == "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.django_db(transaction=True)
def test_csrf_cookie_is_secure(production_web_server):
    response = production_web_server.get("/accounts/login/")

    cookies = response.headers.get_all("Set-Cookie")
    csrf = next(cookie for cookie in cookies if cookie.startswith("csrftoken="))
    assert "Secure" in csrf


@pytest.mark.django_db(transaction=True)
def test_plain_http_is_redirected_to_https(production_web_server):
    response = production_web_server.get("/accounts/login/", https=False)

    assert response.status == 301
    assert response.getheader("Location") == "https://workback.example/accounts/login/"


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_plain_http(production_web_server):
    response = production_web_server.get("/healthz", https=False)

    assert response.status == 200, response.body
    assert b'"status": "ok"' in response.body


@pytest.mark.django_db(transaction=True)
def test_unknown_hosts_are_refused(production_web_server):
    assert production_web_server.get("/accounts/login/", host="evil.example").status == 400
