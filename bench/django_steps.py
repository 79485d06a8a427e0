"""The parts of `make bench` that run inside Django, one process per step.

``run_bench.py`` starts this script with the bench's environment (the same
settings as the gunicorn it drives) and reads one JSON document from its
standard output:

- ``prepare``: a signed-in session for the reader and each participant of the
  running reading (created with Django's SessionStore, as a login would), and a
  CSRF secret for the htmx save;
- ``queries``: the queries each scenario's request makes, counted with the test
  client and CaptureQueriesContext on the showcase and on its small twin;
- ``timings``: comparing two ~3,300-word iterations with ``documents.diffing``,
  and carrying the discussion's 500 threads forward to a new iteration (in a
  transaction that is rolled back).

Not a test: numbers depend on the machine.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbapp.settings")

import django  # noqa: E402

django.setup()

from budgets import PAGES  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from documents.comparing import change_size, compare_revisions  # noqa: E402
from documents.models import DraftSection, Revision  # noqa: E402
from documents.rendering import length_report, render_markdown  # noqa: E402
from reviews.models import (  # noqa: E402
    Comment,
    CommentStatus,
    ReviewSession,
    SessionOutcome,
    SessionPhase,
)
from reviews.services import carry  # noqa: E402
from wbapp.accounts.models import User  # noqa: E402

HOST = "127.0.0.1"
SAVE_MARKER = " (saved by the bench)"


def login_session(user: User) -> str:
    """A session key that signs ``user`` in, as django.contrib.auth.login stores it."""
    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def prepare(manifest: dict) -> dict:
    showcase = manifest["showcase"]
    ids = {manifest["reader"]["id"], *showcase["participants"]}
    users = User.objects.in_bulk(ids)
    return {
        "reader": login_session(users[manifest["reader"]["id"]]),
        "participants": [login_session(users[pk]) for pk in showcase["participants"]],
        "csrf": get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS),
    }


def _count(client: Client, method: str, url: str, **kwargs) -> tuple[int, int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, **kwargs)
    return len(queries), response.status_code, response


def _section_version(url: str) -> tuple[DraftSection, int]:
    key = url.rstrip("/").split("/")[-2]
    document_id = int(url.split("/d/")[1].split("/")[0])
    section = DraftSection.objects.get(document_id=document_id, key=key)
    return section, section.version


def queries(manifest: dict) -> dict:
    """{showcase|twin: {scenario: {"queries": n, "status": code}}}, one request each."""
    reader = User.objects.get(pk=manifest["reader"]["id"])
    result = {}
    for part in ("showcase", "twin"):
        urls = manifest[part]["urls"]
        client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")
        client.force_login(reader)
        counts = {}
        # One request first, so that what every process does once (template
        # loading, the first session lookup) is not counted against a page.
        client.get(urls["board"])
        for scenario in PAGES:
            n, status, _ = _count(client, "get", urls[scenario])
            counts[scenario] = {"queries": n, "status": status}
        n, status, response = _count(client, "get", urls["live"], HTTP_HX_REQUEST="true")
        counts["live_200"] = {"queries": n, "status": status}
        n, status, _ = _count(
            client,
            "get",
            urls["live"],
            HTTP_HX_REQUEST="true",
            HTTP_IF_NONE_MATCH=response.get("ETag", ""),
        )
        counts["live"] = {"queries": n, "status": status}
        url = urls["save"][0]
        section, version = _section_version(url)
        n, status, _ = _count(
            client,
            "post",
            url,
            data={
                "body": section.body.removesuffix(SAVE_MARKER) + SAVE_MARKER,
                "base_version": version,
            },
            HTTP_HX_REQUEST="true",
        )
        counts["save"] = {"queries": n, "status": status}
        result[part] = counts
    for name in ("minimal", "query"):
        client = Client(HTTP_HOST=HOST)
        n, status, _ = _count(client, "get", f"/bench/{name}")
        result.setdefault("baselines", {})[name] = {"queries": n, "status": status}
    return result


def _median_ms(function, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


def _next_content(content: dict, rng: random.Random) -> dict:
    """The next iteration as an author writes it: a sentence rewritten here and there."""
    sections = []
    for section in content["sections"]:
        body = section["body"]
        if rng.random() < 0.3:
            sentences = body.split(". ")
            i = rng.randrange(len(sentences))
            sentences[i] = "Customers told us the refund must land before the parcel does"
            body = ". ".join(sentences)
        sections.append({**section, "body": body})
    return {"sections": sections, "faq": [dict(e) for e in content["faq"]]}


def timings(manifest: dict) -> dict:
    showcase = manifest["showcase"]
    narrative = {
        r.number: r
        for r in Revision.objects.filter(document_id=showcase["narrative"]).order_by("number")
    }
    newest = max(narrative)
    result = {"compare": {}}
    # Consecutive iterations (the usual comparison), five apart, and the first
    # against the newest: a near-total rewrite, the worst case.
    for a, b in ((newest - 1, newest), (max(newest - 5, 1), newest), (1, newest)):
        old, new = narrative[a], narrative[b]
        median, worst = _median_ms(lambda old=old, new=new: compare_revisions(old, new), 15)
        result["compare"][f"{a}...{b}"] = {
            "words": [old.word_count, new.word_count],
            "median_ms": round(median, 2),
            "max_ms": round(worst, 2),
        }

    # Carry forward: the discussion closes, the author saves the next iteration, and
    # its 500 threads move onto it. Timed around carry.carry_forward, then rolled back.
    rng = random.Random(500)  # noqa: S311 - reproducible text, not secrets
    latest = (
        Revision.objects.select_related("document__initiative__team", "author")
        .filter(document_id=showcase["prfaq"])
        .order_by("-number")
        .first()
    )
    runs = []
    for _ in range(3):
        with transaction.atomic():
            ReviewSession.objects.filter(pk=showcase["discussion_session"]).update(
                phase=SessionPhase.CLOSED,
                outcome=SessionOutcome.ITERATE,
                closed_at=timezone.now(),
            )
            # Every thread of the discussion still open: 500 threads to carry.
            Comment.objects.filter(session_id=showcase["discussion_session"]).update(
                status=CommentStatus.OPEN, resolved_by=None, resolved_at=None
            )
            threads = carry.carryable(latest.document_id, latest.number + 1).count()
            content = _next_content(latest.content, rng)
            rendered = {s["key"]: render_markdown(s["body"]) for s in content["sections"]}
            rendered.update({e["key"]: latest.rendered.get(e["key"], "") for e in content["faq"]})
            revision = Revision.objects.create(
                document=latest.document,
                number=latest.number + 1,
                author=latest.author,
                content=content,
                word_count=length_report(
                    latest.document.kind, content["sections"], content["faq"]
                ).total_words,
                change_size=change_size(latest.content, content),
                rendered=rendered,
                created_at=timezone.now() + timedelta(seconds=1),
            )
            start = time.perf_counter()
            carried = carry.carry_forward(revision=revision, previous=latest, user=latest.author)
            elapsed = (time.perf_counter() - start) * 1000
            copies = Comment.objects.filter(revision=revision).count()
            transaction.set_rollback(True)
        runs.append(
            {
                "ms": round(elapsed, 1),
                "threads": threads,
                "carried": carried.carried,
                "outdated": carried.outdated,
                "copies": copies,
            }
        )
    result["carry"] = {
        "median_ms": round(statistics.median(r["ms"] for r in runs), 1),
        "runs": runs,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["prepare", "queries", "timings"])
    parser.add_argument("--manifest", type=Path, required=True)
    args = parser.parse_args()
    manifest = json.loads(args.manifest.read_text())
    step = {"prepare": prepare, "queries": queries, "timings": timings}[args.step]
    print(json.dumps(step(manifest)))  # noqa: T201


if __name__ == "__main__":
    main()
