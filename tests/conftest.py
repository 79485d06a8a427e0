"""Shared fixtures: the real services check and the cast every view test uses."""

from dataclasses import dataclass

import pytest
import redis
from django.conf import settings

from tests.factories import MembershipFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Role, Team, User


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
    """A clean Redis cache per test (login throttling lives there), tasks in-process.

    Tests that need a real Celery worker use the ``celery_worker`` fixture, which
    turns eager mode off for their duration.
    """
    from django.core.cache import cache

    from wbapp.celery import app

    cache.clear()
    app.conf.task_always_eager = True
    yield
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
