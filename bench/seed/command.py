"""The seeder's command line: seed an empty database, re-seed one, or restart its readings."""

import argparse
import json
import sys
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from wbapp.accounts.models import User

from .manifest import (
    SeedError,
    build_manifest,
    restart_readings,
    seeded_before_inboxes,
    seeded_scale,
)
from .plans import SCALES
from .seeder import Seeder


def say(message: str) -> None:
    print(message, flush=True)  # noqa: T201 - a command line's output


def seed(*, scale: str, reset: bool = False, manifest: Path | None = None) -> dict:
    """Seed this database at ``scale`` (or only restart its readings); return the manifest."""
    current = seeded_scale()
    if current is None and User.objects.exists():
        raise SeedError(
            "This database has data the bench seeder did not write. Seed a dedicated, empty "
            "database (the bench users share a published password)."
        )
    if current is not None and not reset and seeded_before_inboxes():
        # Still only the bench's own data (it has the bench team): safe to seed again.
        say("Seeded by an older bench seeder (no inbox for the reader): seeding again.")
        reset = True
    if current is not None and (reset or current != scale):
        if not reset:
            raise SeedError(
                f"This database was seeded at scale “{current}”; add --reset to re-seed it."
            )
        say("Emptying the bench database…")
        call_command("flush", interactive=False, verbosity=0)
        current = None
    if current is None:
        started = timezone.now()
        with transaction.atomic():
            Seeder(SCALES[scale], say).run()
        seconds = (timezone.now() - started).total_seconds()
        say(f"Seeded scale “{scale}” in {seconds:.0f} s.")
    else:
        say(f"Already seeded at scale “{scale}”.")
        restart_readings()
    analyze()
    data = build_manifest(scale)
    if manifest is not None:
        manifest.write_text(json.dumps(data, indent=2))
    report(data)
    return data


def analyze() -> None:
    """Fresh planner statistics, as a database in service has them.

    Rows written in bulk have none until autovacuum comes by, and it may not before
    the bench runs: without them PostgreSQL planned the home page's "waiting on
    you" query as a nested loop over every comment (1.1 s instead of 8 ms).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def report(data: dict) -> None:
    counts = ", ".join(f"{n:,} {what}" for what, n in data["counts"].items())
    say(counts)
    say(f"Sign in as {data['reader']['email']} / {data['password']}")
    for label, key in (("Showcase", "showcase"), ("Twin", "twin")):
        part = data[key]
        say(
            f"{label}: initiative {part['initiative']}, PR/FAQ {part['prfaq']} "
            f"({part['prfaq_iterations']} iterations), narrative {part['narrative']}, "
            f"discussion session {part['discussion_session']} "
            f"({part['discussion_comments']} comments), reading session "
            f"{part['reading_session']} ({len(part['participants'])} participants)"
        )
        for scenario, url in part["urls"].items():
            urls = url if isinstance(url, list) else [url]
            say(f"  {scenario:<13} {' '.join(urls)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed",
        description="Seed a dedicated bench database with realistic teams, documents and reviews.",
    )
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    # The test suite's scale: the same shape with a handful of everything.
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--reset", action="store_true", help="Empty the database first (only one it seeded)."
    )
    parser.add_argument("--manifest", type=Path, help="Write the showcase's ids here (JSON).")
    args = parser.parse_args(argv)
    try:
        seed(scale="tiny" if args.tiny else args.scale, reset=args.reset, manifest=args.manifest)
    except SeedError as error:
        print(error, file=sys.stderr)  # noqa: T201
        return 1
    return 0
