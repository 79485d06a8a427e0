"""The budgets of `make bench`, checked against one run's results, and the report."""

from pathlib import Path

from server import ROOT, say

# A page's p50 over the query+template baseline's p50, measured in paired runs: the
# reading and discussion views since issue 7, every other page the bench drives since
# issue 15 (the home, the inbox, a save and a 500-comment iteration alike).
READING_P50_MAX_RATIO = 8.0
PAGE_P50_MAX_RATIO = 10.0
# The pages a signed-in reader GETs (the showcase's and its twin's "urls").
PAGES = [
    "home",
    "notifications",
    "board",
    "initiative",
    "draft",
    "iteration",
    "compare",
    "reading",
    "discussion",
]
READING_PAGES = {"reading", "discussion"}
PAGE_BUDGETS = {
    **{
        name: READING_P50_MAX_RATIO if name in READING_PAGES else PAGE_P50_MAX_RATIO
        for name in PAGES
    },
    "save": PAGE_P50_MAX_RATIO,
}
# Every page whose queries are counted on both scales, for the showcase and its twin.
QUERY_SCENARIOS = [*PAGES, "live", "live_200", "save"]
LIVE_MIN_THROUGHPUT_RATIO = 0.5  # live endpoint req/s / the minimal view's, 8 connections
COMPARE_MAX_MS = 50.0
CARRY_MAX_MS = 1_000.0
WORKER_PEAK_MAX_MB = 200.0


def query_budget(counts: dict) -> list[dict]:
    """Every scenario costs the same queries at both scales, and no more for 500 comments.

    The showcase (500 comments, 50 iterations) and its twin (5 comments, 2
    iterations) each make one count at the small and the large scale; the
    showcase's count may be lower than the twin's (a long discussion loads its
    margins on demand), never higher.
    """
    rows = []
    for key in QUERY_SCENARIOS:
        seen = {
            f"{part}@{scale}": counts[scale][part][key]
            for scale in ("large", "small")
            for part in ("showcase", "twin")
        }
        queries = {name: v["queries"] for name, v in seen.items()}
        statuses = {v["status"] for v in seen.values()}
        same_scale = all(
            queries[f"{part}@large"] == queries[f"{part}@small"] for part in ("showcase", "twin")
        )
        rows.append(
            {
                "scenario": key,
                "queries": queries,
                "statuses": sorted(statuses),
                "ok": same_scale
                and queries["showcase@large"] <= queries["twin@large"]
                and statuses <= {200, 304},
            }
        )
    return rows


def evaluate(results: dict) -> list[dict]:
    budgets = []

    def budget(name: str, ok: bool, measured: str, limit: str) -> None:
        budgets.append({"budget": name, "ok": bool(ok), "measured": measured, "limit": limit})

    pairs = results["pairs"]
    labels = {s["name"]: s["label"] for s in results["scenarios"]}
    for name, limit in PAGE_BUDGETS.items():
        pair = pairs[name]
        budget(
            f"{labels[name]} p50 ≤ {limit:g}× query+template baseline (paired runs)",
            pair["p50_ratio"] <= limit,
            f"{pair['p50_ratio']:.1f}× ("
            + ", ".join(f"{r['p50_ms']:.0f}/{r['baseline_p50_ms']:.1f} ms" for r in pair["rounds"])
            + ")",
            f"{limit:g}×",
        )
    live = pairs["live"]
    budget(
        f"live endpoint ≥ {LIVE_MIN_THROUGHPUT_RATIO:g}× minimal view throughput "
        "(8 conns, paired runs)",
        live["rps_ratio"] >= LIVE_MIN_THROUGHPUT_RATIO,
        f"{live['rps_ratio']:.2f}× ("
        + ", ".join(f"{r['rps']:.0f}/{r['baseline_rps']:.0f} req/s" for r in live["rounds"])
        + ")",
        f"{LIVE_MIN_THROUGHPUT_RATIO:g}×",
    )
    empty = [s["name"] for s in results["scenarios"] if not s["requests"]]
    budget(
        "every scenario completed requests",
        not empty,
        ", ".join(empty) or "all did",
        "> 0 requests",
    )
    broken = [s["name"] for s in results["scenarios"] if s["errors_total"]]
    budget(
        "every request answered (no errors, no 4xx/5xx)",
        not broken,
        ", ".join(broken) or "all answered",
        "0 errors",
    )
    for row in results["queries_budget"]:
        counts = sorted(set(row["queries"].values()))
        budget(
            f"queries of {row['scenario']}: same at small and large, no more for 500 comments",
            row["ok"],
            f"{'/'.join(map(str, counts))} (status {'/'.join(map(str, row['statuses']))})",
            "equal at both scales; 500 comments ≤ 5",
        )
    for pair, timing in results["timings"]["compare"].items():
        budget(
            f"compare iterations {pair} ({timing['words'][0]:,} and {timing['words'][1]:,} words)",
            timing["median_ms"] <= COMPARE_MAX_MS,
            f"{timing['median_ms']:.1f} ms (median)",
            f"{COMPARE_MAX_MS:g} ms",
        )
    carry = results["timings"]["carry"]
    budget(
        f"carry forward {carry['runs'][0]['threads']} threads",
        carry["median_ms"] <= CARRY_MAX_MS,
        f"{carry['median_ms']:.0f} ms (median of {len(carry['runs'])})",
        f"{CARRY_MAX_MS:g} ms",
    )
    peaks = results["memory"]["worker_peak_mb"]
    budget(
        "gunicorn worker peak RSS (VmHWM)",
        peaks and max(peaks.values()) <= WORKER_PEAK_MAX_MB,
        ", ".join(f"{mb:.0f} MB" for mb in peaks.values()) or "no workers found",
        f"{WORKER_PEAK_MAX_MB:g} MB",
    )
    for name, outcome in results["external"].items():
        if outcome["ran"]:
            budget(
                f"{name} (its own budgets)",
                outcome["exit_code"] == 0,
                f"exit {outcome['exit_code']}",
                "exit 0",
            )
    return budgets


def table(results: dict) -> str:
    by_name = {s["name"]: s for s in results["scenarios"]}
    minimal, query = by_name["minimal"]["p50_ms"], by_name["query"]["p50_ms"]
    head = (
        f"{'scenario':<34} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'bytes':>9} {'queries':>7} {'×min p50':>9} {'×query p50':>10}"
    )
    rows = [head, "-" * len(head)]
    for s in results["scenarios"]:
        if not s["requests"]:
            rows.append(f"{s['label']:<34} {s['connections']:>5}  no request completed")
            continue
        rows.append(
            f"{s['label']:<34} {s['connections']:>5} {s['rps']:>8.1f} {s['p50_ms']:>8.2f} "
            f"{s['p95_ms']:>8.2f} {s['p99_ms']:>8.2f} {s['bytes_per_response']:>9,} "
            f"{s['queries']!s:>7} {s['p50_ms'] / minimal:>9.1f} {s['p50_ms'] / query:>10.1f}"
        )
    return "\n".join(rows)


def report(results: dict, path: Path) -> None:
    say("")
    say(table(results))
    say("")
    for key, page in results["first_load"].items():
        say(
            f"{key} view, first load: {page['requests']} requests, "
            f"{page['total_bytes']:,} bytes transferred (HTML {page['html_bytes']:,} "
            f"{page['html_encoding']}, {page['html_bytes_uncompressed']:,} uncompressed; "
            f"{len(page['assets'])} static files {page['asset_bytes']:,})"
        )
    cpus = results["machine"]["cpus"] or 1
    load = results["load_average"]
    if max(load["before"][0], load["after"][0]) > cpus:
        say(
            f"Note: the machine was busy (load {load['before'][0]:.1f} before, "
            f"{load['after'][0]:.1f} after, {cpus} CPUs); every number is slower than alone."
        )
    say("")
    for b in results["budgets"]:
        mark = "ok  " if b["ok"] else "MISS"
        say(f"[{mark}] {b['budget']}: {b['measured']} (limit {b['limit']})")
    say("")
    say(f"Written to {path.relative_to(ROOT)} in {results['seconds']:.0f} s.")
