"""What the live endpoint costs for a session with 50 participants.

Run from the repository root against PostgreSQL and Redis, e.g.

    DATABASE_URL=postgres://… REDIS_URL=redis://… SECRET_KEY=x STATIC_MANIFEST=0 \
        python bench/live_bench.py

It creates a throwaway database (``bench_live_<pid>``, dropped at the end), a team
of 51 (a facilitator and 50 reviewers), a PR/FAQ iteration and a session in its
reading with 4 private comments per reviewer, signs the 51 in with Django's test
client, and measures in-process (no network, no web server):

- the 304 answer (nothing changed: what almost every poll gets),
- the full 200 answer to a reader and to the facilitator (after any change),
- the reveal: every page's poll answering HX-Refresh, then every page reloading
  into the discussion with all 200 comments.

Prints the median and 95th percentile in milliseconds and the queries per
request. Not a test; numbers depend on the machine.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbapp.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from people import bench_team  # noqa: E402

from documents.models import DocumentKind  # noqa: E402
from documents.services.drafting import section_save  # noqa: E402
from documents.services.initiatives import document_create, initiative_create  # noqa: E402
from documents.services.iterations import iteration_save  # noqa: E402
from reviews import live  # noqa: E402
from reviews.models import ParticipantRole  # noqa: E402
from reviews.services.comments import comment_create  # noqa: E402
from reviews.services.phases import (  # noqa: E402
    participant_open,
    session_start_discussion,
    session_start_reading,
)
from reviews.services.scheduling import session_schedule  # noqa: E402
from wbapp.celery import app  # noqa: E402

PARTICIPANTS = 50
COMMENTS_EACH = 4
ROUNDS = 10
HTMX = {"HTTP_HX_REQUEST": "true"}


def build():
    """The team, the iteration and a session in its reading, through the services."""
    team, facilitator, readers = bench_team(lead="Facilitator", members=PARTICIPANTS)
    initiative = initiative_create(user=facilitator, team=team, title="Bench")
    document = document_create(user=facilitator, initiative=initiative, kind=DocumentKind.PRFAQ)
    body = "Customers return items from home and the refund lands at the first scan. " * 12
    for section in document.sections.all():
        section_save(user=facilitator, section=section, body=body, base_version=section.version)
    revision = iteration_save(user=facilitator, document=document, note="Bench")
    session = session_schedule(
        user=facilitator,
        revision=revision,
        title="Bench review",
        starts_at=timezone.now() + timedelta(minutes=5),
        reading_minutes=30,
        facilitator=facilitator,
        participants=[(reader, ParticipantRole.REVIEWER) for reader in readers],
    )
    session_start_reading(user=facilitator, session=session)
    for reader in readers:
        participant_open(user=reader, session=session)
        for n in range(COMMENTS_EACH):
            comment_create(
                user=reader,
                revision=revision,
                session=session,
                kind="question",
                body=f"Question {n}",
                section_key=["summary", "problem", "solution", "headline"][n],
                quote="refund lands",
            )
    return session, facilitator, readers


def expect(response, status: int) -> None:
    if response.status_code != status:
        raise SystemExit(f"Expected {status}, got {response.status_code} for {response.request}")


def timed(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url, **headers)
        elapsed = (time.perf_counter() - start) * 1000
    return response, elapsed, len(queries)


def summary(name, samples, queries):
    samples = sorted(samples)
    p95 = samples[max(0, round(len(samples) * 0.95) - 1)]
    counts = sorted(set(queries))
    print(  # noqa: T201
        f"{name:<46} n={len(samples):<4} median {statistics.median(samples):6.2f} ms"
        f"   p95 {p95:6.2f} ms   queries/request {counts}"
    )


def run():

    session, facilitator, readers = build()
    cache.delete(live.cache_key(session.pk))
    url = reverse("session_live", args=[session.pk]) + "?phase=reading"
    clients = []
    for user in [facilitator, *readers]:
        client = Client()
        client.force_login(user)
        clients.append(client)

    full_reader, full_facilitator, not_modified = [], [], []
    q_reader, q_facilitator, q_304 = [], [], []
    etags = {}
    for _ in range(ROUNDS):
        for index, client in enumerate(clients):
            response, ms, queries = timed(client, url, **HTMX)
            expect(response, 200)
            etags[index] = response["ETag"]
            (full_facilitator if index == 0 else full_reader).append(ms)
            (q_facilitator if index == 0 else q_reader).append(queries)
        for index, client in enumerate(clients):
            response, ms, queries = timed(client, url, HTTP_IF_NONE_MATCH=etags[index], **HTMX)
            expect(response, 304)
            not_modified.append(ms)
            q_304.append(queries)

    print(  # noqa: T201
        f"\nLive endpoint, {PARTICIPANTS} participants + facilitator, "
        f"{PARTICIPANTS * COMMENTS_EACH} private comments, {ROUNDS} rounds "
        f"({connection.vendor}, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]})"
    )
    summary("304 Not Modified (nothing changed)", not_modified, q_304)
    summary("200 status fragment, reader", full_reader, q_reader)
    summary("200 status fragment + room, facilitator", full_facilitator, q_facilitator)

    # The reveal: one transition, then every open page learns it and reloads.
    session_start_discussion(user=facilitator, session=session)
    refresh, q_refresh, page, q_page = [], [], [], []
    detail = reverse("session_detail", args=[session.pk])
    for index, client in enumerate(clients):
        response, ms, queries = timed(client, url, HTTP_IF_NONE_MATCH=etags[index], **HTMX)
        expect(response, 204)  # with HX-Refresh: true
        refresh.append(ms)
        q_refresh.append(queries)
    for client in clients:
        response, ms, queries = timed(client, detail)
        expect(response, 200)
        page.append(ms)
        q_page.append(queries)
    summary("reveal: poll answering HX-Refresh", refresh, q_refresh)
    summary(f"reveal: discussion page, {PARTICIPANTS * COMMENTS_EACH} comments", page, q_page)
    total = sum(page) + sum(refresh)
    print(  # noqa: T201
        f"reveal: all {len(clients)} pages switched with {total:.0f} ms of server time "
        f"in total (one process, one request at a time)"
    )
    polls_per_second = len(clients)
    busy = statistics.median(not_modified) * polls_per_second / 10
    print(  # noqa: T201
        f"steady state: {polls_per_second} polls/s of 304s keep one process ~{busy:.1f}% busy"
    )


def main():

    # Tasks in-process: nothing is left in the broker for a worker to find later.
    app.conf.task_always_eager = True
    # A database of its own, so that a test run at the same time is not disturbed.
    connection.settings_dict["TEST"]["NAME"] = f"bench_live_{os.getpid()}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
