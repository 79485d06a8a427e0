"""How long comparing two ~3,300-word narratives takes.

Run from the repository root: ``python bench/compare_bench.py``. The second
narrative rewrites about one sentence in ten, deletes and inserts paragraphs
and reorders two sections, roughly what an author does between iterations.
Prints the median of several runs in milliseconds; not a test.
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.diffing import compare_contents  # noqa: E402
from documents.rendering import word_count  # noqa: E402

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


def main() -> None:
    rng = random.Random(3300)  # noqa: S311 - reproducible test text, not secrets
    old = narrative(rng)
    new = revise(rng, old)
    old_words = sum(word_count(s["body"]) for s in old["sections"])
    new_words = sum(word_count(s["body"]) for s in new["sections"])
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        diffs = compare_contents(old, new)
        timings.append((time.perf_counter() - start) * 1000)
    changed = sum(d.inserted + d.deleted for d in diffs)
    print(f"narratives: {old_words} and {new_words} words; {changed} words changed")  # noqa: T201
    print(  # noqa: T201
        f"compare: median {statistics.median(timings):.1f} ms, "
        f"min {min(timings):.1f} ms, max {max(timings):.1f} ms over {len(timings)} runs"
    )


if __name__ == "__main__":
    main()
