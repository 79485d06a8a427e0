"""Shared fixtures: the real services check and the cast every view test uses."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.factories import MembershipFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Role, Team, User
from wbapp.celery import app as celery_app


def pytest_configure(config):
    # The suite runs on the real services only; it must never fall back quietly.
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            f"The tests need PostgreSQL, not {engine}. Run them with `make test`."
        )
    if not settings.REDIS_URL:
        raise pytest.UsageError(
            "The tests need Redis: set REDIS_URL, or run them with `make test`."
        )
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise pytest.UsageError(f"Redis at {settings.REDIS_URL} does not answer: {exc}") from exc


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_tasks(settings):
    """Clean caches for every test (Redis holds login throttling), tasks in-process.

    Tests that need a real Celery worker use the ``celery_worker`` fixture, which
    turns eager mode off for their duration.
    """
    from django.core.cache import caches

    from wbapp.celery import app

    # Every cast member gets a password; the production hasher would make that the slowest step.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _clear_caches(caches)
    app.conf.task_always_eager = True
    yield
    _clear_caches(caches)


def _clear_caches(caches) -> None:
    for cache in caches.all():
        cache.clear()


@dataclass
class Cast:
    team: Team
    owner: User
    editor: User
    reviewer: User
    viewer: User
    outsider: User

    def member(self, role: str) -> User:
        return getattr(self, role)


@pytest.fixture
def cast(db) -> Cast:
    team = TeamFactory(name="Returns", slug="returns")
    members = {}
    for role in Role.values:
        user = UserFactory(display_name=role.title(), email=f"{role}@example.com")
        MembershipFactory(team=team, user=user, role=role)
        members[role] = user
    outsider = UserFactory(display_name="Outsider", email="outsider@example.com")
    # Another team the outsider belongs to, so "outsider" is a real member elsewhere.
    MembershipFactory(user=outsider, role=Role.OWNER)
    return Cast(team=team, outsider=outsider, **members)


@pytest.fixture
def client_for(client):
    """``client_for(user)`` returns the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# --- Real processes: a Celery worker and a production web server --------------------
#
# These run Workback in other processes against the test database, so the tests
# that use them need committed data (``transactional_db``) and pass the test
# database's name to the child process explicitly.


def _test_database_url() -> str:
    db = connection.settings_dict
    if not db["NAME"].startswith("test_"):
        # pytest-django creates the test database only when a collected test asks for it.
        pytest.fail("A test that starts Workback in another process needs @pytest.mark.django_db.")
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _stop(process, timeout: float = 20) -> None:
    """SIGTERM (a warm shutdown for Celery, a graceful one for gunicorn), then SIGKILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class CeleryWorker:
    queue: str
    mail_dir: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real ``celery worker`` process consuming a queue of its own, on the test database.

    Send tasks to it with ``task.apply_async(args=[...], queue=celery_worker.queue)``;
    its e-mail is written to files in ``celery_worker.mail_dir``. Eager mode is off
    while it runs, and the worker is always stopped afterwards.
    """
    name = f"wbtest-{uuid.uuid4().hex[:12]}"
    nodename = f"{name}@localhost"
    worker = CeleryWorker(queue=name, mail_dir=tmp_path / "mail", log=tmp_path / "worker.log")
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(worker.mail_dir),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "wbapp", "worker",
        "--pool=solo", "--concurrency=1", "--loglevel=INFO",
        "-Q", worker.queue, "-n", nodename,
        "--without-heartbeat", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with worker.log.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    celery_app.conf.task_always_eager = False
    try:
        # Ready when it answers a ping over the broker; bounded so a broken worker fails fast.
        deadline = time.monotonic() + 30
        while not celery_app.control.ping(destination=[nodename], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start:\n{worker.output()}")
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        _stop(process)


@dataclass
class WebServer:
    port: int
    env: dict
    log: Path

    def get(self, path: str, *, https: bool = True, host: str = "workback.example"):
        """GET ``path`` as a browser behind the TLS-terminating proxy would (or plain http)."""
        headers = {"Host": host}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.body = response.read()
            return response
        finally:
            connection.close()


@pytest.fixture(scope="module")
def production_web_server(django_db_setup, tmp_path_factory):
    """gunicorn serving Workback with production settings: only the variables a deployment sets.

    DEBUG is unset (off), the SSL redirect and HSTS are on; static files are served
    unhashed (STATIC_MANIFEST=0) so no collectstatic is needed. Tests that use it are
    marked ``django_db(transaction=True)``: that makes pytest-django create the test
    database, and empties the tables the server may have written to afterwards.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "workback.example",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "STATIC_MANIFEST": "0",
        # gunicorn binds 0.0.0.0:$PORT, as in the container.
        "PORT": str(port),
    }
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = WebServer(port=port, env=env, log=log_path)
    command = [sys.executable, "-m", "gunicorn", "wbapp.wsgi:application", "--workers=1"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log_path.read_text()}")
                time.sleep(0.1)
        yield server
    finally:
        _stop(process)
