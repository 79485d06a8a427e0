"""What a digest run costs for many users and many events.

Run from the repository root against PostgreSQL, e.g.

    DATABASE_URL=postgres://… SECRET_KEY=x STATIC_MANIFEST=0 \
        python bench/digest_bench.py --users 10000 --events 200000

(`make bench-digest` does this with the test settings.) It creates a throwaway
database (``bench_digest_<pid>``, dropped at the end) with one team of
``--users`` members and one initiative per five of them (each member follows
one, its owner follows it too), bulk-creates ``--events`` activities spread over
the initiatives, then measures, in-process:

1. the fan-out: every activity written into its recipients' inboxes
   (``fanout.fan_out_pending``), as the outbox task does after each commit;
2. the digest run: every member's daily digest due at once
   (``delivery.send_due_digests``), rendered and handed to a mail backend that
   discards it.

Prints wall time, queries, rows and the process's peak memory (ru_maxrss) after
each phase; with ``--tracemalloc`` also the peak of Python allocations during the
digest run (slower: tracing costs time). Not a test; numbers depend on the machine.
"""

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbapp.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

VERBS = ("comment_added", "iteration_saved", "reply_added", "initiative_updated")
FOLLOWERS_PER_INITIATIVE = 5
BATCH = 20_000


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(users: int, events: int, seed: int = 6) -> None:
    from documents.models import Initiative
    from wbapp.accounts.models import Membership, Role, Team, User
    from wbapp.activity.models import Activity

    rng = random.Random(seed)  # noqa: S311 — a repeatable spread, not a secret
    team = Team.objects.create(name="Bench", slug="bench")
    User.objects.bulk_create(
        (
            User(email=f"user{n}@bench.example", display_name=f"User {n}", password="!")  # noqa: S106
            for n in range(users)
        ),
        batch_size=BATCH,
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        (Membership(team=team, user_id=uid, role=Role.REVIEWER) for uid in user_ids),
        batch_size=BATCH,
    )
    count = max(1, users // FOLLOWERS_PER_INITIATIVE)
    Initiative.objects.bulk_create(
        (
            Initiative(team=team, title=f"Initiative {n}", owner_id=user_ids[n])
            for n in range(count)
        ),
        batch_size=BATCH,
    )
    initiative_ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
    through = Initiative.followers.through
    through.objects.bulk_create(
        (
            through(initiative_id=initiative_ids[n % count], user_id=uid)
            for n, uid in enumerate(user_ids)
        ),
        batch_size=BATCH,
    )
    start = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    created = 0
    while created < events:
        size = min(BATCH, events - created)
        batch = []
        for n in range(created, created + size):
            index = rng.randrange(count)
            # Someone who follows the initiative does it; the other followers hear of it.
            actor = user_ids[(index + count * rng.randrange(FOLLOWERS_PER_INITIATIVE)) % users]
            verb = VERBS[n % len(VERBS)]
            payload = {"document_id": n % 97 + 1, "document_title": "PR/FAQ", "number": 2}
            if verb in ("comment_added", "reply_added"):
                payload["comment_id"] = n + 1
                payload["kind"] = "question"
            batch.append(
                Activity(
                    team=team,
                    initiative_id=initiative_ids[index],
                    actor_id=actor,
                    verb=verb,
                    payload=payload,
                    created_at=start + timedelta(seconds=n % 80_000),
                )
            )
        Activity.objects.bulk_create(batch)
        created += size


def run(users: int, events: int, trace: bool) -> None:
    from django.conf import settings

    from wbapp.activity import delivery, fanout
    from wbapp.activity.models import DeliveryState, DigestDelivery, Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    print(  # noqa: T201
        f"Workback digest bench: {users:,} users, {events:,} events ({connection.vendor})"
    )

    began = time.perf_counter()
    build(users, events)
    print(  # noqa: T201
        f"  setup (bulk inserts)   {time.perf_counter() - began:8.1f} s"
    )

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        fanned = fanout.fan_out_pending(limit=2000)
        fan_out_seconds = time.perf_counter() - began
    notifications = Notification.objects.count()
    print(  # noqa: T201
        f"  fan-out                {fan_out_seconds:8.1f} s  {fanned:,} events → "
        f"{notifications:,} notifications, {counter.count:,} queries, "
        f"peak RSS {peak_rss_mb():,.0f} MB"
    )

    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    counter = QueryCounter()
    if trace:
        tracemalloc.start()
    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        sent = delivery.send_due_digests(now=now)
        digest_seconds = time.perf_counter() - began
    traced = ""
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        traced = f", Python heap peak {peak / 2**20:,.0f} MB (tracemalloc)"
    print(  # noqa: T201
        f"  digest run             {digest_seconds:8.1f} s  {sent:,} e-mails, "
        f"{counter.count:,} queries ({counter.count / max(sent, 1):.1f} per recipient), "
        f"{sent / digest_seconds:,.0f} e-mails/s, peak RSS {peak_rss_mb():,.0f} MB{traced}"
    )
    sent_rows = DigestDelivery.objects.filter(state=DeliveryState.SENT).count()
    unsent = Notification.objects.filter(delivery__isnull=True).count()
    print(  # noqa: T201
        f"  check: {sent_rows:,} deliveries sent, {unsent:,} notifications left uncovered"
    )

    began = time.perf_counter()
    again = delivery.send_due_digests(now=now + timedelta(minutes=15))
    print(  # noqa: T201
        f"  second run (nothing due) {time.perf_counter() - began:6.1f} s  {again} e-mails"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("The bench runs on PostgreSQL: set DATABASE_URL.")

    from wbapp.celery import app

    # Tasks in-process: nothing is left in the broker for a worker to find later.
    app.conf.task_always_eager = True
    # A database of its own, so that a test run at the same time is not disturbed.
    connection.settings_dict["TEST"]["NAME"] = f"bench_digest_{os.getpid()}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.users, args.events, args.tracemalloc)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
