"""`make bench`: Workback under gunicorn on PostgreSQL, driven by wrk, against its own floor.

One run, on this machine, in this order:

1. the bench databases (``workback_bench`` at scale large, ``…_small`` at
   scale small) are created, migrated and seeded if they are not yet
   (``python -m bench.seed``), and their readings restarted;
2. in Django processes (bench/django_steps.py): the queries each scenario's
   request makes on both databases, for the 500-comment showcase and for its
   five-comment twin; comparing two ~3,300-word iterations; carrying 500
   threads forward;
3. gunicorn (2 workers, production settings: DEBUG off, hashed static files
   collected into a temporary directory, persistent database connections)
   serves the large database on 127.0.0.1:8765; wrk drives each scenario
   (bench/wrk/scenario.lua) as a signed-in user, and the two baseline views
   (wbapp/bench_views.py) in the same run;
   each page is then measured again between two runs of the query+template
   baseline, three times, for its budget (bench/budgets.py);
4. the reading view's first load: its HTML and every static file it pulls in,
   as a browser would fetch them (compressed);
5. the workers' peak memory (VmHWM); bench/carry_forward_bench.py, and with
   ``--digest`` the digest bench (``make bench-digest``, several minutes).

It prints a table and the budgets, writes everything to
bench/results/<UTC time>.json, and exits non-zero when a budget is missed.
The parts: server.py (processes, databases, gunicorn, HTTP), scenarios.py (what
wrk drives, paired runs, first loads), budgets.py (the limits and the report).
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from budgets import PAGE_BUDGETS, evaluate, query_budget, report
from scenarios import (
    MIN_REQUESTS,
    SLOW_PAGE_SECONDS,
    Scenario,
    build_scenarios,
    check,
    first_load,
    live_lines,
    paired,
    run_wrk,
    save_lines,
)
from server import (
    BENCH,
    HOST,
    PORT,
    PYTHON,
    ROOT,
    WORKERS,
    Gunicorn,
    bench_env,
    database_name,
    django_step,
    ensure_database,
    manage,
    run,
    say,
    with_database,
)

SEED = [PYTHON, "-m", "bench.seed"]
MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}


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
            seed = [*SEED, "--scale", scale, "--manifest", str(manifests[scale])]
            output = run([*seed, *(["--reset"] if args.reset else [])], scale_env)
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
        run([*SEED, "--scale", "large", "--manifest", str(manifests["large"])], env)

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
                name: paired(by_name[name], by_name["query"], measure) for name in PAGE_BUDGETS
            }
            pairs["live"] = paired(by_name["live"], by_name["minimal_8"], measure)
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


if __name__ == "__main__":
    sys.exit(main())
