"""Digest e-mails under kill -9: how many are lost or sent twice while workers die.

Run from the repository root against PostgreSQL, e.g.

    DATABASE_URL=postgres://… SECRET_KEY=x STATIC_MANIFEST=0 \\
        python bench/digest_kill_bench.py --users 500 --rounds 5

It starts a Redis of its own (``--redis-port``, restarted during the run: never the
machine's shared one), an SMTP sink in this process that counts every accepted
message by its Message-ID, and a throwaway database (``bench_kill_<pid>``, dropped
at the end) with ``--users`` members who all get something new every day. Each
round is one day's digest run, as beat starts it, on ``--workers`` real Celery
workers; while the workers send, the round SIGKILLs a worker's pool process, then
a whole worker (started again), terminates every PostgreSQL connection of the
bench database, and (every ``--broker-every`` rounds) kills and restarts the
broker. This process then plays beat: the sweep every few seconds, the digest run
again now and then, until every due digest is sent or ``--settle`` seconds pass.

Reports per round and in total: due, sent (distinct Message-IDs the sink
accepted), lost (due, never accepted), duplicated (accepted more than once), and
for each duplicate how long after its first acceptance the nearest kill came: the
documented window is a sender killed between the server's acceptance and its
"sent" commit. Writes the figures as JSON (``--json``). Not a test: it takes
minutes and kills processes.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=500, help="digests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="Celery workers")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--lease", type=int, default=10, help="NOTIFICATION_LEASE_SECONDS")
    parser.add_argument("--broker-every", type=int, default=2, help="restart the broker every …")
    parser.add_argument("--settle", type=float, default=240, help="seconds to wait per round")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--json", type=Path, help="write the figures here")
    return parser.parse_args()


# --- The SMTP sink ------------------------------------------------------------------------


class Sink:
    """An SMTP server that accepts everything and counts it by Message-ID (in a thread)."""

    def __init__(self):
        self.accepted: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _session(self, reader, writer):
        async def reply(line: str):
            writer.write(f"{line}\r\n".encode())
            await writer.drain()

        try:
            await reply("220 sink ESMTP")
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    await reply("250 sink")
                elif verb == b"DATA":
                    await reply("354 go ahead")
                    message_id = None
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        if message_id is None and data.lower().startswith(b"message-id:"):
                            message_id = data.split(b":", 1)[1].strip().decode()
                    if not data:
                        return
                    # Counted as accepted when the 250 is sent: what the sender sees.
                    with self.lock:
                        self.accepted[message_id or "?"].append(time.monotonic())
                        self.wall[message_id or "?"].append(time.time())
                    await reply("250 accepted")
                elif verb == b"QUIT":
                    await reply("221 bye")
                    return
                else:
                    await reply("250 ok")
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    def counts(self) -> dict[str, list[float]]:
        with self.lock:
            return {key: list(times) for key, times in self.accepted.items()}

    def first_accepted(self) -> dict[str, float]:
        """Message-ID → when it was first accepted (wall clock, to compare with sent_at)."""
        with self.lock:
            return {key: times[0] for key, times in self.wall.items()}


# --- The broker --------------------------------------------------------------------------


class Broker:
    """A redis-server of the bench's own, persisted (AOF) so that a restart keeps its queues."""

    def __init__(self, port: int):
        if not shutil.which("redis-server"):
            raise SystemExit("The bench needs redis-server on PATH.")
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="bench-kill-redis-")
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--appendonly", "yes", "--appendfsync", "always",
                "--save", "", "--protected-mode", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while (
            subprocess.run(  # noqa: S603
                [shutil.which("redis-cli"), "-p", str(self.port), "ping"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            != "PONG"
        ):
            if time.monotonic() > deadline:
                raise SystemExit("The bench's Redis did not start.")
            time.sleep(0.1)

    def restart(self, down: float = 2.0):
        self.process.kill()
        self.process.wait()
        time.sleep(down)
        self.start()

    def stop(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Everything else needs Django, on the bench's Redis -------------------------------------


def main() -> int:
    args = arguments()
    broker = Broker(args.redis_port)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbapp.settings")
    sink = Sink()
    try:
        return run(args, broker, sink)
    finally:
        broker.stop()


def run(args, broker: Broker, sink: Sink) -> int:  # noqa: C901, PLR0915 - one script, read top to bottom
    import django

    django.setup()

    from celery.exceptions import AlwaysEagerIgnored
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    # Project modules load only now: Django is set up on the bench's own Redis, whose
    # URL main() chose after starting it.
    from bench.digest_bench import add_events, analyze, build, fan_out, say

    # (Django set up on the bench's Redis, as above.)
    from wbapp.activity.models import DeliveryState, DigestDelivery

    # (The Celery app reads its broker from the settings: the bench's Redis.)
    from wbapp.celery import app

    # (As above.)
    from wbapp.notifications import digests

    if connection.vendor != "postgresql":
        raise SystemExit("The bench runs on PostgreSQL: set DATABASE_URL.")
    rng = random.Random(args.seed)  # noqa: S311 - a repeatable schedule of kills
    app.conf.task_always_eager = True
    connection.settings_dict["TEST"]["NAME"] = f"bench_kill_{os.getpid()}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    logs = Path(tempfile.mkdtemp(prefix="bench-kill-logs-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/"
        + quote(db["NAME"], safe=""),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NOTIFICATION_LEASE_SECONDS": str(args.lease),
    }
    workers: list[subprocess.Popen] = []
    events: list[tuple[float, str]] = []

    started: dict[int, float] = {}

    def start_worker(n: int) -> subprocess.Popen:
        started[n] = time.monotonic()
        log = (logs / f"worker-{n}.log").open("ab")
        return subprocess.Popen(  # noqa: S603 - our own command line
            [
                sys.executable, "-m", "celery", "-A", "wbapp", "worker",
                f"--concurrency={args.concurrency}", "--loglevel=WARNING",
                "-n", f"bench-kill-{os.getpid()}-{n}@localhost",
                "--without-heartbeat", "--without-gossip", "--without-mingle",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def children(pid: int) -> list[int]:
        found = subprocess.run(  # noqa: S603
            [shutil.which("pgrep"), "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(p) for p in found]

    def kill_child():
        # Of a worker that is up: one whose pool dies while it boots exits (Celery's
        # "Could not start worker processes"), which is its supervisor's business.
        alive = [
            w
            for n, w in enumerate(workers)
            if w.poll() is None and time.monotonic() - started[n] > 10 and children(w.pid)
        ]
        if alive:
            victim = rng.choice(children(rng.choice(alive).pid))
            os.kill(victim, signal.SIGKILL)
            events.append((time.monotonic(), "child"))

    def kill_worker():
        n = rng.randrange(len(workers))
        for pid in [*children(workers[n].pid), workers[n].pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        events.append((time.monotonic(), "worker"))
        if workers[n].wait() not in (-signal.SIGKILL, 128 + signal.SIGKILL):
            # It had exited by itself before this kill.
            nonlocal exited
            exited += 1
        workers[n] = start_worker(n)

    def kill_database_connections():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            )
        events.append((time.monotonic(), "database"))

    def restart_broker():
        events.append((time.monotonic(), "broker"))
        broker.restart()

    def send(name: str, **kwargs):
        # By name, to the broker; retried here while it is restarting.
        for _ in range(50):
            try:
                with warnings.catch_warnings(action="ignore", category=AlwaysEagerIgnored):
                    app.send_task(name, kwargs=kwargs)
                return
            except Exception:  # noqa: BLE001 - the broker is away; try again
                time.sleep(0.2)

    totals = {"due": 0, "sent": 0, "lost": 0, "duplicated": 0}
    rounds, duplicates, windows = [], [], []
    exited = 0
    try:
        say(f"Digest kill bench: {args.users:,} users × {args.rounds} rounds")
        build(args.users, args.users * 10)
        fan_out()
        analyze()
        workers.extend(start_worker(n) for n in range(args.workers))
        time.sleep(5)
        for number in range(args.rounds):
            now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC) + timedelta(days=number)
            if number:
                add_events(args.users * 10, start=now - timedelta(hours=20), seed=number)
                fan_out()
            due = set(digests.due_digests(now=now))
            began = time.monotonic()
            send("wbapp.notifications.tasks.send_due_digests", now=now.isoformat())
            # The kills, while the chunks are being sent.
            plan = [kill_child, kill_worker, kill_database_connections, kill_child]
            if number % args.broker_every == args.broker_every - 1:
                plan.append(restart_broker)
            rng.shuffle(plan)
            for kill in plan:
                time.sleep(rng.uniform(0.3, 1.5))
                kill()
            # Beat: the sweep every 3 s, the digest run every 15 s, until all are sent.
            deadline = began + args.settle
            tick = 0
            while time.monotonic() < deadline:
                # A worker that exited by itself is started again, as its supervisor would.
                for n, worker in enumerate(workers):
                    if worker.poll() is not None:
                        exited += 1
                        workers[n] = start_worker(n)
                rows = DigestDelivery.objects.filter(period=f"daily:{now.date().isoformat()}")
                if rows.filter(state=DeliveryState.SENT).count() >= len(due):
                    break
                if tick % 5 == 4:
                    send("wbapp.notifications.tasks.send_due_digests", now=now.isoformat())
                send("wbapp.notifications.tasks.sweep_notifications")
                tick += 1
                time.sleep(3)
            seconds = time.monotonic() - began
            period = f"daily:{now.date().isoformat()}"
            rows = DigestDelivery.objects.filter(period=period)
            ids = dict(rows.values_list("pk", "created_at"))
            # The duplicate window: from the server's acceptance to the "sent" commit.
            # (Of the e-mails accepted once: a duplicate's "sent" is its second copy's.)
            first, copies = sink.first_accepted(), sink.counts()
            for pk, created_at, sent_at in rows.values_list("pk", "created_at", "sent_at"):
                key = f"<workback.{pk}.{int(created_at.timestamp())}@"
                mid = next((mid for mid in first if mid.startswith(key)), None)
                if sent_at and mid and len(copies[mid]) == 1:
                    windows.append(sent_at.timestamp() - first[mid])
            accepted = sink.counts()
            by_delivery = {}
            for pk, created_at in ids.items():
                key = f"<workback.{pk}.{int(created_at.timestamp())}@"
                by_delivery[pk] = next(
                    (times for mid, times in accepted.items() if mid.startswith(key)), []
                )
            sent = sum(1 for times in by_delivery.values() if times)
            # Taken more than once: a sender died (or its task failed) while holding them.
            retaken = DigestDelivery.objects.filter(period=period, attempts__gt=1).count()
            twice = {pk: times for pk, times in by_delivery.items() if len(times) > 1}
            for pk, times in twice.items():
                after = [at - times[0] for at, _ in events if at >= times[0]]
                kinds = [kind for at, kind in events if at >= times[0]]
                duplicates.append(
                    {
                        "round": number + 1,
                        "delivery": pk,
                        "copies": len(times),
                        "next_kill_after_acceptance_s": round(min(after), 3) if after else None,
                        "kill": kinds[after.index(min(after))] if after else None,
                    }
                )
            row = {
                "round": number + 1,
                "due": len(due),
                "sent": sent,
                "lost": len(due) - sent,
                "duplicated": sum(len(times) - 1 for times in twice.values()),
                "taken_again": retaken,
                "seconds": round(seconds, 1),
                "kills": [kind for _, kind in events[-len(plan) :]],
            }
            rounds.append(row)
            for key in totals:
                totals[key] += row[key]
            say(
                f"  round {row['round']}: due {row['due']:,}, sent {row['sent']:,}, "
                f"lost {row['lost']}, duplicated {row['duplicated']}, "
                f"taken again {row['taken_again']} "
                f"({row['seconds']} s; {', '.join(row['kills'])})"
            )
        # A worker the bench did not kill that is gone gave up by itself.
        exited += sum(1 for worker in workers if worker.poll() is not None)
    finally:
        for worker in workers:
            for pid in [*children(worker.pid), worker.pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            worker.wait()
        connection.close()
        time.sleep(1)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    fatal = []
    for log in logs.glob("*.log"):
        lines = log.read_text(errors="replace").splitlines()
        for n, line in enumerate(lines):
            if "Unrecoverable error" in line:
                fatal.append(line)
                say("\n".join(lines[n : n + 200]))
    shutil.rmtree(logs, ignore_errors=True)
    say(
        f"Total: due {totals['due']:,}, sent {totals['sent']:,}, lost {totals['lost']}, "
        f"duplicated {totals['duplicated']}; workers that gave up: {len(fatal)}"
    )
    for duplicate in duplicates:
        say(f"  duplicate: {duplicate}")
    windows.sort()
    window_ms = {
        "p50": round(1000 * windows[len(windows) // 2], 2) if windows else None,
        "p99": round(1000 * windows[int(len(windows) * 0.99)], 2) if windows else None,
        "max": round(1000 * windows[-1], 2) if windows else None,
        "measured": len(windows),
    }
    say(
        f"Window between the server's acceptance and the 'sent' commit: p50 {window_ms['p50']} ms,"
        f" p99 {window_ms['p99']} ms, max {window_ms['max']} ms; workers that exited: {exited}"
    )
    figures = {
        "window_ms": window_ms,
        "workers_exited_by_themselves": exited,
        "bench": "digest_kill_bench",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": args.users,
        "rounds": rounds,
        "total": totals,
        "duplicates": duplicates,
        "unrecoverable_worker_errors": fatal,
        "lease_seconds": args.lease,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "machine_load": os.getloadavg()[0],
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        say(f"Figures written to {args.json}")
    return 0 if totals["lost"] == 0 and not fatal and not exited else 1


if __name__ == "__main__":
    sys.exit(main())
