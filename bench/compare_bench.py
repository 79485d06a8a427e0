"""How long comparing two ~3,300-word narratives takes.

Run from the repository root: ``python bench/compare_bench.py``. Prints the
median of several runs in milliseconds for each pair; not a test.

- ``revised``: one narrative against a revision that rewrites about one
  sentence in ten, deletes and inserts paragraphs and reorders two sections,
  roughly what an author does between iterations.
- ``49...50``, ``45...50``, ``1...50``: iterations of a 12-section narrative
  written and revised 49 times the way the bench seeder (``bench/seed/``) writes the
  showcase's (same text generator, same revision rates). 1 against 50 is a
  near-total rewrite: the worst case of the ``make bench`` timings.
- ``consecutive``: the slowest of the 49 pairs of consecutive iterations.
- ``unrelated``: two unrelated 3,300-word texts without a single sentence end,
  the pathological case ``diffing.DIFF_BUDGET`` is there for (the result is
  coarse: marked "(coarse)").
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import text as seed_text  # noqa: E402
from documents.comparing import compare_contents  # noqa: E402
from documents.rendering import word_count  # noqa: E402

RUNS = 15

VOCABULARY = " ".join(
    [
        "customer return refund label parcel carrier warehouse store credit fraud policy",
        "experience",
        "benefit problem opportunity evidence survey week month quarter team launch price cost",
        "risk metric goal tenet priority lesson growth retention support the a an of to in",
        "on for with by from and but or so because when while after before we they you it this",
        "that these those our their is are was were will would can could fast simple clear",
        "secure cheaper easier better worse higher lower new old most least",
    ]
).split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))


def narrative(rng: random.Random, words: int = 3_300) -> dict:
    sections = []
    headings = [
        "Introduction",
        "Goals",
        "Tenets",
        "State of the business",
        "Lessons learned",
        "Strategic priorities",
    ]
    per_section = words // len(headings)
    for index, heading in enumerate(headings):
        paragraphs = []
        while word_count("\n\n".join(paragraphs)) < per_section:
            paragraphs.append(paragraph(rng))
        sections.append(
            {"key": f"s-{index:08x}", "heading": heading, "body": "\n\n".join(paragraphs)}
        )
    return {"sections": sections, "faq": []}


def revise(rng: random.Random, content: dict) -> dict:
    sections = []
    for section in content["sections"]:
        paragraphs = section["body"].split("\n\n")
        revised = []
        for text in paragraphs:
            roll = rng.random()
            if roll < 0.05:
                continue  # paragraph deleted
            sentences = text.split(". ")
            sentences = [sentence(rng) if rng.random() < 0.1 else s for s in sentences]
            revised.append(". ".join(sentences))
            if roll > 0.95:
                revised.append(paragraph(rng))  # paragraph inserted
        sections.append({**section, "body": "\n\n".join(revised)})
    sections[1], sections[4] = sections[4], sections[1]
    return {"sections": sections, "faq": []}


def seeded_iterations(
    seed: int = 20_250_707, iterations: int = 50, words: int = 3_300
) -> list[dict]:
    """A showcase-like narrative's iterations, as the seeder's ``Seeder.iterations`` writes them:
    12 sections, each revised with probability 0.3 per iteration, paragraphs added
    while under ``words`` and cut while over."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test text, not secrets
    writer = seed_text.Writer(rng, seed_text.SHOWCASE_TOPIC)
    sections = [
        {"key": f"s-{rng.getrandbits(32):08x}", "heading": heading, "body": body, "part": ""}
        for heading, body in writer.narrative_sections(12, words)
    ]
    snapshots = [{"sections": [dict(s) for s in sections], "faq": []}]
    for _ in range(iterations - 1):
        grow = sum(len(s["body"].split()) for s in sections) < words
        for section in sections:
            if rng.random() < 0.3:
                section["body"] = writer.revise(section["body"], grow=grow)
        snapshots.append({"sections": [dict(s) for s in sections], "faq": []})
    return snapshots


def unrelated(rng: random.Random, words: int = 3_300) -> dict:
    body = " ".join(rng.choice(VOCABULARY) for _ in range(words))
    return {"sections": [{"key": "s-1", "heading": "Everything", "body": body}], "faq": []}


def words_of(content: dict) -> int:
    return sum(word_count(s["body"]) for s in content["sections"])


def timed(old: dict, new: dict, runs: int) -> tuple[list[float], list]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        diffs = compare_contents(old, new)
        timings.append((time.perf_counter() - start) * 1000)
    return timings, diffs


def measure(name: str, old: dict, new: dict) -> None:
    timings, diffs = timed(old, new, RUNS)
    changed = sum(d.inserted + d.deleted for d in diffs)
    coarse = " (coarse)" if any(d.coarse for d in diffs) else ""
    print(  # noqa: T201
        f"{name:>10}: {words_of(old):>6} and {words_of(new):>6} words, "
        f"{changed:>5} changed{coarse:9} median {statistics.median(timings):6.1f} ms, "
        f"min {min(timings):6.1f}, max {max(timings):6.1f} over {RUNS} runs"
    )


def main() -> None:
    rng = random.Random(3300)  # noqa: S311 - reproducible test text, not secrets
    old = narrative(rng)
    measure("revised", old, revise(rng, old))
    iterations = seeded_iterations()
    newest = len(iterations)
    for a in (newest - 1, newest - 5, 1):
        measure(f"{a}...{newest}", iterations[a - 1], iterations[newest - 1])
    slowest = max(
        range(1, newest),
        key=lambda a: statistics.median(timed(iterations[a - 1], iterations[a], 3)[0]),
    )
    measure("consecutive", iterations[slowest - 1], iterations[slowest])
    measure("unrelated", unrelated(rng), unrelated(rng))


if __name__ == "__main__":
    main()
