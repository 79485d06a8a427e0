"""/healthz: what a load balancer or `docker compose` asks to decide if a web process is up."""

import socket

import pytest
from django.db import OperationalError

from wbapp import views


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _assert_never_cached(response):
    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "max-age=0"):
        assert directive in cache_control


@pytest.mark.django_db
def test_healthy_services_answer_200_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    _assert_never_cached(response)


@pytest.mark.django_db
def test_unreachable_redis_answers_503_naming_redis(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["redis"].startswith("error: ")
    assert body["database"] == "ok"
    _assert_never_cached(response)


@pytest.mark.django_db
def test_failing_database_answers_503_naming_the_database(client, monkeypatch):
    def database_down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "_check_database", database_down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error: OperationalError",
        "redis": "ok",
    }
    _assert_never_cached(response)


@pytest.mark.django_db
def test_without_redis_only_the_database_counts(client, settings):
    settings.REDIS_URL = None

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["redis"].startswith("not configured")


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(client, settings):
    # Probes talk plain http to the container; every other page is redirected.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
