"""How long carrying 500 threads onto a revised ~3,300-word narrative takes.

Run from the repository root against PostgreSQL, e.g.

    DATABASE_URL=postgres://… REDIS_URL=redis://… SECRET_KEY=x STATIC_MANIFEST=0 \
        python bench/carry_forward_bench.py

It creates a throwaway database (``bench_carry_<pid>``, dropped at the end), a
narrative of ~3,300 words (the generator of compare_bench.py), iteration 1 with
500 threads on random passages of 2–14 words (a third with a reply, a quarter
with a +1), then revises the draft as compare_bench does — about one sentence in
ten rewritten, paragraphs deleted and inserted, a section moved — and saves
iteration 2, which carries the threads in its transaction.

Prints how the threads were re-anchored, the time of that whole "Save
iteration" and the median of carrying the same 500 threads again several times
(each in a transaction rolled back afterwards), with the queries it made. Not a
test; numbers depend on the machine.
"""

import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbapp.settings")

import django  # noqa: E402

django.setup()

from compare_bench import narrative, revise  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from people import bench_team  # noqa: E402

from documents.models import DocumentKind, Revision  # noqa: E402
from documents.services.drafting import section_move, section_save  # noqa: E402
from documents.services.initiatives import document_create, initiative_create  # noqa: E402
from documents.services.iterations import iteration_save  # noqa: E402
from reviews.anchoring import anchor_targets, section_plain_text  # noqa: E402
from reviews.models import Comment  # noqa: E402
from reviews.services.carry import carry_forward  # noqa: E402
from reviews.services.comments import (  # noqa: E402
    comment_create,
    comment_toggle_plus_one,
    reply_create,
)
from wbapp.celery import app  # noqa: E402

THREADS = 500
ROUNDS = 7


def build(rng: random.Random):
    """A narrative's first iteration with THREADS threads, and its revised draft."""
    team, editor, reviewers = bench_team(lead="Editor", members=10)
    initiative = initiative_create(user=editor, team=team, title="Bench")
    document = document_create(user=editor, initiative=initiative, kind=DocumentKind.NARRATIVE)
    old = narrative(rng)
    sections = list(document.sections.order_by("position"))
    for section, content in zip(sections, old["sections"], strict=True):
        section_save(
            user=editor, section=section, body=content["body"], base_version=section.version
        )
    first = iteration_save(user=editor, document=document, note="First draft")

    targets = [(t.key, section_plain_text(t.html)) for t in anchor_targets(first)]
    for n in range(THREADS):
        key, text = rng.choice(targets)
        spaces = [i for i, char in enumerate(text) if char == " "]
        start = rng.choice(spaces[:-20]) + 1
        length = rng.randint(2, 14)
        end = spaces[spaces.index(start - 1) + length]
        comment = comment_create(
            user=rng.choice(reviewers),
            revision=first,
            kind=rng.choice(["question", "suggestion", "concern", "blocker"]),
            body=f"Thread {n}: is this what the customer needs?",
            section_key=key,
            quote=text[start:end],
            prefix=text[max(0, start - 32) : start],
            suffix=text[end : end + 32],
            start=start,
            end=end,
        )
        if n % 3 == 0:
            reply_create(user=editor, comment=comment, body="Good point.")
        if n % 4 == 0:
            comment_toggle_plus_one(user=rng.choice(reviewers), comment=comment)

    new = revise(rng, old)
    revised = {s["key"]: s["body"] for s in new["sections"]}
    for section in document.sections.all():
        body = revised[old["sections"][sections.index(section)]["key"]]
        section_save(user=editor, section=section, body=body, base_version=section.version)
    section_move(user=editor, section=sections[4], position=1)
    return editor, document


def run():
    rng = random.Random(3300)  # noqa: S311 - reproducible test text, not secrets
    editor, document = build(rng)
    first = document.revisions.get()
    words = first.word_count

    start = time.perf_counter()
    second = iteration_save(user=editor, document=document, note="Revised")
    save_ms = (time.perf_counter() - start) * 1000
    copies = Comment.objects.filter(revision=second)
    how = Counter(copies.values_list("anchoring", flat=True))

    timings, cpu, queries = [], [], set()
    for _ in range(ROUNDS):
        with transaction.atomic():
            Comment.objects.filter(revision=second).delete()
            # As iteration_save has them: the new iteration in memory, the previous
            # one as _latest() reads it (without its rendered HTML).
            revision = Revision.objects.select_related("document__initiative__team").get(
                pk=second.pk
            )
            previous = Revision.objects.only("document", "number", "content").get(pk=first.pk)
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                result = carry_forward(revision=revision, previous=previous, user=editor)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            queries.add(len(captured))
            assert result.carried == THREADS  # noqa: S101 - a benchmark's sanity check
            transaction.set_rollback(True)

    print(  # noqa: T201
        f"narrative: {words} words in iteration 1, {second.word_count} in iteration 2 "
        f"({second.change_size} words changed)"
    )
    print(  # noqa: T201
        f"threads: {copies.count()} carried — "
        + ", ".join(f"{how[name]} {name}" for name in ("exact", "fuzzy", "moved", "lost"))
    )
    print(f"save iteration 2 with carry-forward: {save_ms:.0f} ms")  # noqa: T201
    print(  # noqa: T201
        f"carry_forward of {THREADS} threads: median {statistics.median(timings):.0f} ms, "
        f"min {min(timings):.0f} ms, max {max(timings):.0f} ms over {ROUNDS} runs "
        f"(this process's CPU: median {statistics.median(cpu):.0f} ms; the rest is waiting on "
        f"PostgreSQL, or for the CPU on a busy machine); queries {sorted(queries)}"
    )


def main():
    # Tasks in-process: nothing is left in the broker for a worker to find later.
    app.conf.task_always_eager = True
    # A database of its own, so that a test run at the same time is not disturbed.
    connection.settings_dict["TEST"]["NAME"] = f"bench_carry_{os.getpid()}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
