"""`make bench`: Workback under gunicorn on PostgreSQL, driven by wrk, against its own floor.

One run, on this machine, in this order:

1. the bench databases (``workback_bench`` at scale large, ``…_small`` at
   scale small) are created, migrated and seeded if they are not yet
   (``manage.py seed_bench``), and their readings restarted;
2. in Django processes (bench/django_steps.py): the queries each scenario's
   request makes on both databases, for the 500-comment showcase and for its
   five-comment twin; comparing two ~3,300-word iterations; carrying 500
   threads forward;
3. gunicorn (2 workers, production settings: DEBUG off, hashed static files
   collected into a temporary directory, persistent database connections)
   serves the large database on 127.0.0.1:8765; wrk drives each scenario
   (bench/wrk/scenario.lua) as a signed-in user, and the two baseline views
   (wbapp/bench_views.py) in the same run;
4. the reading view's first load: its HTML and every static file it pulls in,
   as a browser would fetch them (compressed);
5. the workers' peak memory (VmHWM); bench/carry_forward_bench.py, and with
   ``--digest`` the digest bench (``make bench-digest``, several minutes).

It prints a table and the budgets, writes everything to
bench/results/<UTC time>.json, and exits non-zero when a budget is missed.
"""

import argparse
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = 2
LUA = BENCH / "wrk" / "scenario.lua"

# Budgets (issue 7).
PAGE_P50_MAX_RATIO = 8.0  # reading and discussion p50 / the query+template baseline's p50
LIVE_MIN_THROUGHPUT_RATIO = 0.5  # live endpoint req/s / the minimal view's, 8 connections
COMPARE_MAX_MS = 50.0
CARRY_MAX_MS = 1_000.0
WORKER_PEAK_MAX_MB = 200.0

MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
# A page slower than this many requests in the usual run is measured again for longer.
MIN_REQUESTS = 10
SLOW_PAGE_SECONDS = 30
PAIR_SECONDS = 3
GZIP = "gzip"
BROWSER_ENCODINGS = "gzip, deflate, br"


def say(message: str) -> None:
    print(message, flush=True)  # noqa: T201


# --- Processes ----------------------------------------------------------------------


def run(command: list[str], env: dict, *, capture: bool = True, timeout: int = 900) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands, no shell
        command,
        cwd=ROOT,
        env=env,
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout or "") + (result.stderr or "")
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{output[-4000:]}")
    return result.stdout or ""


def django_step(step: str, env: dict, manifest: Path) -> dict:
    output = run([PYTHON, str(BENCH / "django_steps.py"), step, "--manifest", str(manifest)], env)
    return json.loads(output.strip().splitlines()[-1])


def manage(env: dict, *args: str) -> str:
    return run([PYTHON, "manage.py", *args], env)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> None:
    """Create the database ``url`` names if it does not exist (PostgreSQL only)."""
    import psycopg

    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')  # our own name, not input


def bench_env(database_url: str, redis_url: str, secret: str, static_root: Path) -> dict:
    """Production settings as a deployment sets them, plus the baselines."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only if HOME is unset
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "wbapp.settings",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": HOST,
        # Plain http on the loopback: no TLS proxy in front.
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "wbbench",
        "BENCH_BASELINES": "1",
        "LOG_LEVEL": "WARNING",
    }


class Gunicorn:
    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.process = None

    def __enter__(self):
        # Another server on the port would answer our requests instead of gunicorn.
        with socket.socket() as probe:
            if probe.connect_ex((HOST, PORT)) == 0:
                raise SystemExit(f"Port {PORT} is in use; set BENCH_PORT to a free one.")
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "wbapp.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind={HOST}:{PORT}",
            "--log-level=warning",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, _ = fetch("/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)

    def peak_memory_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each worker, in MB."""
        peaks = {}
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks[pid] = round(int(match[1]) / 1024, 1)
        return peaks

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- HTTP ---------------------------------------------------------------------------


def fetch(path: str, headers: dict | None = None, *, method: str = "GET", body: str = ""):
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def cookie(session_key: str, csrf: str = "") -> str:
    value = f"sessionid={session_key}"
    return f"{value}; csrftoken={csrf}" if csrf else value


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
        page("board", "team board", "board"),
        page("initiative", "initiative page", "initiative"),
        page("draft", "drafting page", "draft"),
        page("iteration", "iteration view", "iteration"),
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


# --- Budgets and report ------------------------------------------------------------------


def query_budget(counts: dict) -> list[dict]:
    """Every scenario costs the same queries at both scales, and no more for 500 comments.

    The showcase (500 comments, 50 iterations) and its twin (5 comments, 2
    iterations) each make one count at the small and the large scale; the
    showcase's count may be lower than the twin's (a long discussion loads its
    margins on demand), never higher.
    """
    rows = []
    keys = ["board", "initiative", "draft", "iteration", "compare", "reading", "discussion"]
    for key in [*keys, "live", "live_200", "save"]:
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
    reading = pairs["reading"]
    budget(
        f"reading view p50 ≤ {PAGE_P50_MAX_RATIO:g}× query+template baseline (paired runs)",
        reading["p50_ratio"] <= PAGE_P50_MAX_RATIO,
        f"{reading['p50_ratio']:.1f}× ("
        + ", ".join(f"{r['p50_ms']:.0f}/{r['baseline_p50_ms']:.1f} ms" for r in reading["rounds"])
        + ")",
        f"{PAGE_P50_MAX_RATIO:g}×",
    )
    discussion = pairs["discussion"]
    budget(
        f"discussion view p50 ≤ {PAGE_P50_MAX_RATIO:g}× query+template baseline (paired runs)",
        discussion["p50_ratio"] <= PAGE_P50_MAX_RATIO,
        f"{discussion['p50_ratio']:.1f}× ("
        + ", ".join(
            f"{r['p50_ms']:.0f}/{r['baseline_p50_ms']:.1f} ms" for r in discussion["rounds"]
        )
        + ")",
        f"{PAGE_P50_MAX_RATIO:g}×",
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


def external(name: str, command: list[str], env: dict, timeout: int) -> dict:
    """Another bench, run as its author wrote it: its output is kept, its exit code counts.

    It runs in a process group of its own, so that a timeout stops it and whatever
    it started (``make`` runs Python), not only the first process.
    """
    say(f"• {name}: {' '.join(command)}")
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate()
        output += f"\n(stopped after {timeout} s)"
        code = None
    output = output.strip()
    say("\n".join("    " + x for x in output.splitlines()[-12:]))
    return {
        "ran": True,
        "exit_code": code,
        "seconds": round(time.monotonic() - started, 1),
        "output_tail": output.splitlines()[-40:],
    }


def externals(env: dict, scratch_url: str, *, digest: bool) -> dict:
    """The carry-forward bench always; the digest bench (minutes long) when asked."""
    outcomes = {}
    if (BENCH / "carry_forward_bench.py").exists():
        outcomes["bench/carry_forward_bench.py"] = external(
            "carry-forward bench",
            [PYTHON, "bench/carry_forward_bench.py"],
            env | {"DATABASE_URL": scratch_url, "STATIC_MANIFEST": "0"},
            timeout=300,
        )
    makefile = (ROOT / "Makefile").read_text()
    if not digest:
        outcomes["make bench-digest"] = {"ran": False, "reason": "not asked (--digest)"}
    elif re.search(r"^bench-digest:", makefile, re.MULTILINE):
        # A clean environment for the sub-make: not this make's variables.
        clean = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
        outcomes["make bench-digest"] = external(
            "make bench-digest",
            ["make", "--no-print-directory", "bench-digest"],
            clean,
            timeout=1_200,
        )
    return outcomes


# --- Main ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark Workback (make bench).")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/workback_bench"
        ),
        help="The large bench database; the small one is the same name with _small.",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "6")))
    parser.add_argument("--reset", action="store_true", help="Re-seed both bench databases.")
    parser.add_argument(
        "--digest",
        action="store_true",
        help="Also run `make bench-digest` (10,000 users, 200,000 events: minutes long).",
    )
    parser.add_argument(
        "--skip-external", action="store_true", help="Skip bench/carry_forward_bench.py too."
    )
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        say("wrk is not installed: apt-get install wrk")
        return 2
    started = time.monotonic()
    load_before = os.getloadavg()
    large_url = args.database_url
    small_url = with_database(large_url, database_name(large_url) + "_small")
    scratch_url = with_database(large_url, database_name(large_url) + "_scratch")
    secret = secrets.token_urlsafe(50)
    workdir = Path(tempfile.mkdtemp(prefix="workback-bench-"))
    static_root = workdir / "static"
    env = bench_env(large_url, args.redis_url, secret, static_root)
    # Its own cache keys: both databases number their sessions alike.
    small_env = env | {"DATABASE_URL": small_url, "CACHE_KEY_PREFIX": "wbbench-small"}
    manifests = {"large": workdir / "large.json", "small": workdir / "small.json"}
    try:
        import redis

        # The bench's own Redis database: no cached live version from an earlier seed.
        redis.Redis.from_url(args.redis_url).flushdb()
        for scale, url, scale_env in (("large", large_url, env), ("small", small_url, small_env)):
            say(f"• {database_name(url)}: migrate and seed (scale {scale})")
            ensure_database(url)
            manage(scale_env, "migrate", "--noinput", "-v0")
            seed = ["seed_bench", "--scale", scale, "--manifest", str(manifests[scale])]
            output = manage(scale_env, *seed, *(["--reset"] if args.reset else []))
            say("    " + next((x for x in output.splitlines() if "eeded" in x), ""))
        ensure_database(scratch_url)
        manifest = json.loads(manifests["large"].read_text())
        say("• collectstatic (hashed and compressed, into a temporary directory)")
        manage(env, "collectstatic", "--noinput", "-v0")

        say("• queries per request (test client, both scales)")
        counts = {
            "large": django_step("queries", env, manifests["large"]),
            "small": django_step("queries", small_env, manifests["small"]),
        }
        say("• compare and carry-forward timings")
        timings = django_step("timings", env, manifests["large"])
        # The readings' clocks again: the steps above took a while.
        manage(env, "seed_bench", "--scale", "large", "--manifest", str(manifests["large"]))

        sessions = django_step("prepare", env, manifests["large"])

        scenarios = build_scenarios(manifest, sessions)
        say(f"• gunicorn ({WORKERS} workers) on {HOST}:{PORT}; wrk {args.seconds} s per scenario")
        with Gunicorn(env, workdir / "gunicorn.log") as server:
            dynamic = {"save": save_lines, "live": live_lines}

            def measure(scenario: Scenario, seconds: int) -> dict:
                build = dynamic.get(scenario.kind)
                if build:
                    # Fresh ETags (they age out) and the sections' current versions.
                    scenario.lines = build(manifest, sessions)
                return run_wrk(scenario, seconds, workdir)

            for scenario in scenarios:
                if scenario.kind in dynamic:
                    scenario.lines = dynamic[scenario.kind](manifest, sessions)
                check(scenario)
                measure(scenario, 1)  # a second to warm both workers up
                scenario.result = measure(scenario, args.seconds)
                if scenario.result["requests"] < MIN_REQUESTS:
                    # A page of seconds: long enough for a p50 worth the name.
                    scenario.result = measure(scenario, SLOW_PAGE_SECONDS)
                say(
                    f"    {scenario.label:<34} {scenario.result['rps']:>8.1f} req/s  "
                    f"p50 {scenario.result['p50_ms']:.2f} ms"
                )
            by_name = {s.name: s for s in scenarios}
            say("• budget pairs: each measured between two runs of its baseline")
            pairs = {
                "reading": paired(by_name["reading"], by_name["query"], measure),
                "discussion": paired(by_name["discussion"], by_name["query"], measure),
                "live": paired(by_name["live"], by_name["minimal_8"], measure),
            }
            say("• first load of the reading and discussion views")
            pages = {
                key: first_load(manifest["showcase"]["urls"][key], sessions["reader"])
                for key in ("reading", "discussion")
            }
            memory = {"worker_peak_mb": {str(k): v for k, v in server.peak_memory_mb().items()}}
        outside = {} if args.skip_external else externals(env, scratch_url, digest=args.digest)

        results = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "git": subprocess.run(  # noqa: S603
                    ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.strip(),
            },
            # Other work on the machine skews every number: say how busy it was.
            "load_average": {"before": load_before, "after": os.getloadavg()},
            "settings": {
                "workers": WORKERS,
                "seconds_per_scenario": args.seconds,
                "database": database_name(large_url),
            },
            "data": {
                "large": manifest["counts"],
                "small": json.loads(manifests["small"].read_text())["counts"],
            },
            "scenarios": [
                {
                    "name": s.name,
                    "label": s.label,
                    "connections": s.connections,
                    "queries": counts["large"]
                    .get("showcase", {})
                    .get(s.queries_key, {})
                    .get(
                        "queries",
                        counts["large"]["baselines"].get(s.queries_key, {}).get("queries"),
                    ),
                    **s.result,
                }
                for s in scenarios
            ],
            "queries": counts,
            "queries_budget": query_budget(counts),
            "pairs": pairs,
            "timings": timings,
            "first_load": pages,
            "memory": memory,
            "external": outside,
        }
        results["budgets"] = evaluate(results)
        results["seconds"] = round(time.monotonic() - started, 1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    path = BENCH / "results" / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    report(results, path)
    return 0 if all(b["ok"] for b in results["budgets"]) else 1


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


if __name__ == "__main__":
    sys.exit(main())
