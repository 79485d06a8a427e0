"""What a digest run costs for many users and many events, as production runs it.

Run from the repository root against PostgreSQL and Redis, e.g.

    DATABASE_URL=postgres://… REDIS_URL=redis://… SECRET_KEY=x STATIC_MANIFEST=0 \
        python bench/digest_bench.py --users 10000 --events 200000

(`make bench-digest` does this with the test settings.) It creates a throwaway
database (``bench_digest_<pid>``, dropped at the end) with one team of
``--users`` members and one initiative per five of them (each member follows
one, its owner follows it too), bulk-creates ``--events`` activities spread over
the initiatives, then measures:

1. the fan-out, in this process: every activity written into its recipients'
   inboxes (``fanout.fan_out_pending``), as the outbox task does after each commit;
2. the digest run as Celery beat starts it: the ``send_due_digests`` task on a
   real Celery worker (``--workers`` processes, one per core by default) hands
   its chunks to the ``send_digest_chunk`` task, and the worker's processes claim,
   render and send them to a mail backend that discards them; the time runs from
   the dispatch to the last chunk done;
3. the next day's run, after a tenth as many events: the same recipients, so
   its queries per recipient must be the same if they do not grow with events.

The worker's processes count their queries and their peak memory and report
them through Redis (see the end of this file). ``--in-process`` runs the same
digest run in this process instead, its chunks one after the other (with
``--tracemalloc``, also the peak of Python allocations: slower).

The tables are analyzed after each bulk load, as autovacuum would have done long
before a nightly run (the bench's PostgreSQL may run without it): otherwise the
planner guesses at tables it has no statistics for, which no production database
does. Prints wall time, queries and peak memory (ru_maxrss) after each phase,
then the budgets of issue 7, and exits non-zero when one is missed: the digest
run within DIGEST_MAX_SECONDS, peak memory within PEAK_RSS_MAX_MB (of this
process and of each worker process), and the same queries per recipient on both
days. Not a test; numbers depend on the machine.
"""

import argparse
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbapp.settings")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from celery.exceptions import AlwaysEagerIgnored  # noqa: E402
from celery.signals import task_failure, task_postrun  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from documents.models import Initiative  # noqa: E402
from wbapp.accounts.models import Membership, Role, Team, User  # noqa: E402
from wbapp.activity.models import Activity, DeliveryState, DigestDelivery, Notification  # noqa: E402
from wbapp.celery import app  # noqa: E402  (`celery -A bench.digest_bench worker` runs it)
from wbapp.notifications import digests, fanout  # noqa: E402

VERBS = ("comment_added", "iteration_saved", "reply_added", "initiative_updated")
FOLLOWERS_PER_INITIATIVE = 5
BATCH = 20_000
DISCARD_MAIL = "django.core.mail.backends.dummy.EmailBackend"

# Budgets (issue 7), for 10,000 users and 200,000 events, on the worker of a
# two-core machine (two processes).
DIGEST_MAX_SECONDS = 60.0
PEAK_RSS_MAX_MB = 500.0
# Queries per recipient may differ between the two days by this much: a chunk's
# queries are fixed, but one may be skipped (no reply to quote, every line shown
# already described earlier in the chunk).
QUERIES_PER_RECIPIENT_SLACK = 0.02
# A run that has not finished by then is reported as failed.
RUN_TIMEOUT_SECONDS = 600


class QueryCounter:
    """Counts the queries of every database connection opened while it is on."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def _opened(self, sender, connection, **kwargs):
        # A connection closed and opened again keeps its wrappers: count it once.
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)

    def __enter__(self):
        connection.execute_wrappers.append(self)
        connection_created.connect(self._opened)
        return self

    def __exit__(self, *exc):
        connection_created.disconnect(self._opened)
        connection.execute_wrappers.remove(self)


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say(message: str) -> None:
    print(message, flush=True)  # noqa: T201


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def build(users: int, events: int, seed: int = 6) -> None:
    team = Team.objects.create(name="Bench", slug="bench")
    User.objects.bulk_create(
        (
            User(email=f"user{n}@bench.example", display_name=f"User {n}", password="!")  # noqa: S106
            for n in range(users)
        ),
        batch_size=BATCH,
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    # Members since before the events: a recipient hears nothing from before they joined.
    joined_at = datetime(2026, 11, 1, tzinfo=UTC)
    Membership.objects.bulk_create(
        (
            Membership(team=team, user_id=uid, role=Role.REVIEWER, joined_at=joined_at)
            for uid in user_ids
        ),
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
    add_events(events, start=datetime(2026, 11, 22, 9, 0, tzinfo=UTC), seed=seed)


def add_events(events: int, *, start: datetime, seed: int) -> None:
    """``events`` activities over the bench team's initiatives, each by one of its followers."""
    rng = random.Random(seed)  # noqa: S311 — a repeatable spread, not a secret
    team = Team.objects.get(slug="bench")
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    initiative_ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
    users, count = len(user_ids), len(initiative_ids)
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


def fan_out() -> tuple[float, int, int]:
    with QueryCounter() as counter:
        began = time.perf_counter()
        fanned = fanout.fan_out_pending(limit=2000)
        seconds = time.perf_counter() - began
    return seconds, fanned, counter.count


# --- The worker ------------------------------------------------------------------------------


class Worker:
    """A ``celery worker`` of ``processes`` processes on the bench database and a queue of its own.

    Its processes load this module (``-A bench.digest_bench``), whose hooks below
    add up their queries, finished tasks, failures and peak memory in Redis.
    """

    def __init__(self, processes: int):
        self.name = f"bench-digest-{os.getpid()}"
        self.redis = redis.Redis.from_url(settings.REDIS_URL)
        self.log = Path(tempfile.mkstemp(prefix=f"{self.name}-", suffix=".log")[1])
        db = connection.settings_dict
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        port = f":{db['PORT']}" if db["PORT"] else ""
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/"
            + quote(db["NAME"], safe=""),
            "EMAIL_BACKEND": DISCARD_MAIL,
            "DIGEST_BENCH_KEY": f"{self.name}:stats",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "bench.digest_bench", "worker",
            f"--concurrency={processes}", "--loglevel=WARNING", "-Q", self.name,
            "-n", f"{self.name}@localhost",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{self.name}@localhost"], timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The Celery worker did not start:\n{self.log.read_text()}")

    def stat(self, field: str) -> int:
        return int(self.redis.hget(f"{self.name}:stats", field) or 0)

    def peak_rss_mb(self) -> float:
        peaks = self.redis.hvals(f"{self.name}:stats:rss")
        return max((float(mb) for mb in peaks), default=0.0)

    def run(self, now: datetime) -> dict:
        """The due-digests task at ``now``, on this worker; returns when its chunks are done."""
        due = len(digests.due_digests(now=now))
        tasks = 1 + math.ceil(due / digests.DIGEST_CHUNK)
        self.redis.delete(f"{self.name}:stats")
        sent_before = DigestDelivery.objects.filter(state=DeliveryState.SENT).count()
        began = time.perf_counter()
        # By name, to the broker: this process runs its other tasks eagerly.
        with warnings.catch_warnings(action="ignore", category=AlwaysEagerIgnored):
            app.send_task(
                "wbapp.notifications.tasks.send_due_digests",
                kwargs={"now": now.isoformat()},
                queue=self.name,
            )
        while self.stat("tasks") < tasks:
            if self.stat("failed") or time.perf_counter() - began > RUN_TIMEOUT_SECONDS:
                raise RuntimeError(f"The digest run failed:\n{self.log.read_text()[-5000:]}")
            time.sleep(0.05)
        seconds = time.perf_counter() - began
        sent = DigestDelivery.objects.filter(state=DeliveryState.SENT).count() - sent_before
        return result(seconds, sent, self.stat("queries"))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.redis.delete(f"{self.name}:stats", f"{self.name}:stats:rss")
        self.log.unlink(missing_ok=True)


def result(seconds: float, sent: int, queries: int, heap_mb: float | None = None) -> dict:
    return {
        "seconds": seconds,
        "sent": sent,
        "queries": queries,
        "per_recipient": queries / max(sent, 1),
        "heap_mb": heap_mb,
    }


def run_in_process(now: datetime, *, trace: bool = False) -> dict:
    if trace:
        tracemalloc.start()
    with QueryCounter() as counter:
        began = time.perf_counter()
        sent = digests.send_due_digests(now=now)
        seconds = time.perf_counter() - began
    heap = None
    if trace:
        heap = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result(seconds, sent, counter.count, heap)


def report(label: str, run: dict) -> None:
    traced = f", Python heap peak {run['heap_mb']:,.0f} MB (tracemalloc)" if run["heap_mb"] else ""
    say(
        f"  {label:22s} {run['seconds']:8.1f} s  {run['sent']:,} e-mails, "
        f"{run['queries']:,} queries ({run['per_recipient']:.2f} per recipient), "
        f"{run['sent'] / run['seconds']:,.0f} e-mails/s{traced}"
    )


def bench(users: int, events: int, digest_run, worker: Worker | None) -> list[tuple]:
    say(f"Workback digest bench: {users:,} users, {events:,} events ({connection.vendor})")
    began = time.perf_counter()
    build(users, events)
    analyze()
    say(f"  setup (bulk inserts)   {time.perf_counter() - began:8.1f} s")

    seconds, fanned, queries = fan_out()
    analyze()
    say(
        f"  fan-out                {seconds:8.1f} s  {fanned:,} events → "
        f"{Notification.objects.count():,} notifications, {queries:,} queries, "
        f"peak RSS {peak_rss_mb():,.0f} MB"
    )

    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    first = digest_run(now)
    report("digest run", first)
    sent_rows = DigestDelivery.objects.filter(state=DeliveryState.SENT).count()
    unsent = Notification.objects.filter(delivery__isnull=True).count()
    say(f"  check: {sent_rows:,} deliveries sent, {unsent:,} notifications left uncovered")

    again = digest_run(now + timedelta(minutes=15))
    say(f"  second run (nothing due) {again['seconds']:6.1f} s  {again['sent']} e-mails")

    # The next day: a tenth of the events, the same recipients.
    add_events(events // 10, start=datetime(2026, 11, 23, 10, 0, tzinfo=UTC), seed=7)
    fan_out()
    analyze()
    second = digest_run(now + timedelta(days=1))
    report(f"next day ({events // 10:,} ev.)", second)

    rss = max(peak_rss_mb(), worker.peak_rss_mb() if worker else 0.0)
    difference = abs(first["per_recipient"] - second["per_recipient"])
    return [
        (
            "digest run time",
            first["seconds"] <= DIGEST_MAX_SECONDS,
            f"{first['seconds']:.1f} s for {first['sent']:,} e-mails",
            f"{DIGEST_MAX_SECONDS:g} s",
        ),
        (
            "peak memory (ru_maxrss, per process)",
            rss <= PEAK_RSS_MAX_MB,
            f"{rss:,.0f} MB",
            f"{PEAK_RSS_MAX_MB:g} MB",
        ),
        (
            "queries per recipient, not per event",
            first["sent"] == users
            and again["sent"] == 0
            and second["sent"] > 0
            and difference <= QUERIES_PER_RECIPIENT_SLACK,
            f"{first['per_recipient']:.2f} with {events:,} events, "
            f"{second['per_recipient']:.2f} with {events // 10:,}",
            f"the same (±{QUERIES_PER_RECIPIENT_SLACK:g}), every user e-mailed once",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument(
        "--in-process", action="store_true", help="run the digests here, chunk after chunk"
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="with --in-process: trace Python allocations"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("The bench runs on PostgreSQL: set DATABASE_URL.")
    if not settings.REDIS_URL and not args.in_process:
        parser.error("The worker needs Redis: set REDIS_URL, or pass --in-process.")

    # Nothing this process enqueues (the fan-out's) is left in the broker for a
    # worker to find later: it runs here. The digest run is sent to the worker.
    app.conf.task_always_eager = True
    # A database of its own, so that a test run at the same time is not disturbed.
    connection.settings_dict["TEST"]["NAME"] = f"bench_digest_{os.getpid()}"
    setup_test_environment()
    # After the test environment, which would keep every e-mail in memory (locmem).
    settings.EMAIL_BACKEND = DISCARD_MAIL
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    worker = None
    try:
        if args.in_process:
            budgets = bench(
                args.users,
                args.events,
                lambda now: run_in_process(now, trace=args.tracemalloc),
                None,
            )
        else:
            worker = Worker(args.workers)
            say(f"  (a Celery worker of {args.workers} processes sends the digests)")
            budgets = bench(args.users, args.events, worker.run, worker)
    finally:
        if worker is not None:
            worker.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    say("")
    if load > cpus:
        say(f"Note: the machine was busy (load {load:.1f}, {cpus} CPUs): every number is slower.")
    if (args.users, args.events) != (10_000, 200_000):
        say("Note: the budgets are for 10,000 users and 200,000 events.")
    for name, ok, measured, limit in budgets:
        say(f"[{'ok  ' if ok else 'MISS'}] {name}: {measured} (limit {limit})")
    return 0 if all(ok for _, ok, _, _ in budgets) else 1


# --- Inside the worker's processes -------------------------------------------------------------
#
# Each process counts the queries of its database connections and, after every
# task, adds them (with the task itself, and its peak memory) to the run's Redis
# hash, which Worker.run reads.

if os.environ.get("DIGEST_BENCH_KEY"):
    _key = os.environ["DIGEST_BENCH_KEY"]
    _counter = QueryCounter()
    _reported = 0
    connection_created.connect(_counter._opened)

    @task_postrun.connect
    def _report(**kwargs):
        global _reported
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.hincrby(_key, "queries", _counter.count - _reported)
        _reported = _counter.count
        client.hset(f"{_key}:rss", str(os.getpid()), peak_rss_mb())
        client.hincrby(_key, "tasks", 1)

    @task_failure.connect
    def _failed(**kwargs):
        redis.Redis.from_url(settings.REDIS_URL).hincrby(_key, "failed", 1)


if __name__ == "__main__":
    sys.exit(main())
