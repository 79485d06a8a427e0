"""The scenarios wrk drives, the paired runs the budgets read, and a page's first load."""

import gzip
import json
import os
import re
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from server import BENCH, HOST, PORT, cookie, fetch

LUA = BENCH / "wrk" / "scenario.lua"
# A page slower than this many requests in the usual run is measured again for longer.
MIN_REQUESTS = 10
SLOW_PAGE_SECONDS = 30
PAIR_SECONDS = 3
GZIP = "gzip"
BROWSER_ENCODINGS = "gzip, deflate, br"


# --- Scenarios ----------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    label: str
    lines: list[str] = field(default_factory=list)
    connections: int = 2
    kind: str = "page"  # page, baseline, live, save
    track_version: bool = False
    count_status: bool = False
    queries_key: str = ""
    result: dict = field(default_factory=dict)


def line(method: str, path: str, headers: dict, body: str = "", version: str = "") -> str:
    pairs = "|".join(f"{name}: {value}" for name, value in headers.items())
    for part in (path, pairs, body):
        if "\t" in part or "\n" in part:
            raise ValueError("wrk request lines cannot hold tabs or newlines")
    return "\t".join([method, path, pairs, body, version])


def check(scenario: Scenario) -> None:
    """The scenario's first request answers what it should: a redirect to the login
    page or an error would be measured as happily as the page itself."""
    method, path, pairs, body, version = scenario.lines[0].split("\t")
    headers = dict(pair.split(": ", 1) for pair in pairs.split("|") if pair)
    expected = {"live": 304}.get(scenario.kind, 200)
    status, _, _ = fetch(path, headers, method=method, body=body.replace("{version}", version))
    if status != expected:
        raise SystemExit(f"{scenario.label}: {method} {path} answered {status}, not {expected}.")


def run_wrk(scenario: Scenario, seconds: int, workdir: Path) -> dict:
    requests = workdir / f"{scenario.name}.requests"
    requests.write_text("\n".join(scenario.lines) + "\n")
    env = {**os.environ, "BENCH_REQUESTS": str(requests)}
    if scenario.track_version:
        env["BENCH_TRACK_VERSION"] = "1"
    if scenario.count_status:
        env["BENCH_COUNT_STATUS"] = "1"
    threads = min(2, scenario.connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{scenario.connections}",
        f"-d{seconds}s",
        "--timeout=60s",
        "-s",
        str(LUA),
        f"http://{HOST}:{PORT}",
    ]
    result = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    marker = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or marker is None:
        raise SystemExit(f"wrk failed for {scenario.name}:\n{result.stdout}\n{result.stderr}")
    data = json.loads(marker.removeprefix("BENCH_JSON "))
    seconds_run = data["duration_us"] / 1e6
    data["rps"] = round(data["requests"] / seconds_run, 1) if seconds_run else 0.0
    data["bytes_per_response"] = round(data["bytes"] / data["requests"]) if data["requests"] else 0
    for key in ("p50", "p90", "p95", "p99", "max"):
        data[f"{key}_ms"] = round(data[key] / 1000, 2)
    data["errors_total"] = sum(data["errors"].values())
    return data


def paired(scenario: Scenario, baseline: Scenario, measure, rounds: int = 3) -> dict:
    """The scenario against its baseline, alternating B S B S B S B.

    On a machine doing other work the load drifts; each run of the scenario is
    compared with the baseline runs just before and after it, and the budget
    takes the median of those ratios.
    """
    runs = [measure(baseline, PAIR_SECONDS)]
    ratios = []
    for _ in range(rounds):
        result = measure(scenario, PAIR_SECONDS)
        runs.append(measure(baseline, PAIR_SECONDS))
        before, after = runs[-2], runs[-1]
        base_p50 = (before["p50_ms"] + after["p50_ms"]) / 2
        base_rps = (before["rps"] + after["rps"]) / 2
        ratios.append(
            {
                "p50_ms": result["p50_ms"],
                "rps": result["rps"],
                "baseline_p50_ms": round(base_p50, 2),
                "baseline_rps": round(base_rps, 1),
                "p50_ratio": round(result["p50_ms"] / base_p50, 2) if base_p50 else None,
                "rps_ratio": round(result["rps"] / base_rps, 3) if base_rps else None,
                "requests": result["requests"],
            }
        )
    return {
        "baseline": baseline.name,
        "rounds": ratios,
        "p50_ratio": statistics.median(r["p50_ratio"] or float("inf") for r in ratios),
        "rps_ratio": statistics.median(r["rps_ratio"] or 0.0 for r in ratios),
    }


def build_scenarios(manifest: dict, sessions: dict) -> list[Scenario]:
    urls = manifest["showcase"]["urls"]
    reader = {"Cookie": cookie(sessions["reader"]), "Accept-Encoding": GZIP}
    # The floors are anonymous: a signed-in request pays the session and user
    # lookups, and that is part of what the pages cost above the floor.
    anonymous = {"Accept-Encoding": GZIP}

    def page(name, label, key):
        return Scenario(name, label, [line("GET", urls[key], reader)], queries_key=key)

    scenarios = [
        Scenario(
            "minimal",
            "baseline: minimal view",
            [line("GET", "/bench/minimal", anonymous)],
            kind="baseline",
            queries_key="minimal",
        ),
        Scenario(
            "query",
            "baseline: 1 query + template",
            [line("GET", "/bench/query", anonymous)],
            kind="baseline",
            queries_key="query",
        ),
        page("home", "“My reviews” home", "home"),
        page("notifications", "notifications inbox", "notifications"),
        page("board", "team board", "board"),
        page("initiative", "initiative page", "initiative"),
        page("draft", "drafting page", "draft"),
        page("iteration", "iteration view (500 comments)", "iteration"),
        page("compare", "compare two iterations", "compare"),
        page("reading", "reading view", "reading"),
        page("discussion", "discussion view (500 comments)", "discussion"),
        Scenario("save", "htmx section save", kind="save", track_version=True, queries_key="save"),
        Scenario(
            "minimal_8",
            "baseline: minimal view",
            [line("GET", "/bench/minimal", anonymous)],
            connections=8,
            kind="baseline",
            queries_key="minimal",
        ),
        Scenario(
            "live",
            "live endpoint, 50 participants",
            connections=8,
            kind="live",
            count_status=True,
            queries_key="live",
        ),
    ]
    return scenarios


def live_lines(manifest: dict, sessions: dict) -> list[str]:
    """Each participant's poll, with the ETag their page holds (fresh: ETags age out)."""
    path = manifest["showcase"]["urls"]["live"]
    lines = []
    for key in sessions["participants"]:
        headers = {"Cookie": cookie(key), "HX-Request": "true", "Accept-Encoding": GZIP}
        status, response_headers, _ = fetch(path, headers)
        etag = response_headers.get("ETag", "")
        if status != 200 or not etag:
            raise SystemExit(f"The live endpoint answered {status} without an ETag for a reader.")
        lines.append(line("GET", path, headers | {"If-None-Match": etag}))
    return lines


def save_lines(manifest: dict, sessions: dict) -> list[str]:
    """One line per section of the scratch memo: each wrk thread saves its own section."""
    csrf = sessions["csrf"]
    base = {"Cookie": cookie(sessions["reader"], csrf), "Accept-Encoding": GZIP}
    lines = []
    for url, section in zip(
        manifest["showcase"]["urls"]["save"], manifest["showcase"]["scratch_sections"], strict=True
    ):
        editor = url.removesuffix("save/") + "?edit=1"
        status, _, html = fetch(editor, {"Cookie": base["Cookie"], "HX-Request": "true"})
        match = re.search(rb'name="base_version"\s+value="(\d+)"', html)
        if status != 200 or match is None:
            raise SystemExit(f"Could not read the section's version at {editor} ({status}).")
        text = section["body"].replace("\n", "\r\n")
        body = f"body={quote(text, safe='')}&base_version={{version}}"
        headers = base | {
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        }
        lines.append(line("POST", url, headers, body, match[1].decode()))
    return lines


# --- The first load of a page -----------------------------------------------------------


ASSET = re.compile(r"""<(?:link|script|img)\b[^>]*?\b(?:href|src)="(/static/[^"]+)"[^>]*>""")
CSS_URL = re.compile(r"""url\(\s*['"]?(/static/[^'")]+|[^'")/:][^'"):]*)['"]?\s*\)""")


def first_load(path: str, session_key: str) -> dict:
    """What a browser transfers to show ``path`` the first time: the HTML, then its assets."""
    headers = {"Cookie": cookie(session_key), "Accept-Encoding": BROWSER_ENCODINGS}
    status, response_headers, body = fetch(path, headers)
    _, _, raw = fetch(path, {"Cookie": cookie(session_key)})
    html = gzip.decompress(body) if response_headers.get("Content-Encoding") == GZIP else body
    assets, queue, seen = [], ASSET.findall(html.decode()), set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        asset_status, asset_headers, content = fetch(url, {"Accept-Encoding": BROWSER_ENCODINGS})
        assets.append(
            {
                "url": url,
                "status": asset_status,
                "bytes": len(content),
                "encoding": asset_headers.get("Content-Encoding", "identity"),
            }
        )
        if url.endswith(".css") and asset_status == 200:
            _, _, plain = fetch(url)
            for ref in CSS_URL.findall(plain.decode(errors="replace")):
                if not ref.startswith("/"):
                    ref = url.rsplit("/", 1)[0] + "/" + ref
                queue.append(ref.split("#")[0].split("?")[0])
    return {
        "path": path,
        "status": status,
        "html_bytes": len(body),
        "html_encoding": response_headers.get("Content-Encoding", "identity"),
        "html_bytes_uncompressed": len(raw),
        "assets": assets,
        "asset_bytes": sum(a["bytes"] for a in assets),
        "requests": 1 + len(assets),
        "total_bytes": len(body) + sum(a["bytes"] for a in assets),
    }
