"""The overview under many visitors, in headless Chromium: server CPU per view and server waits.

Starts the app through ``bench/timed_serve.py`` (``scripts/serve.py`` plus a record of each run's
server time, see there) on the synthetic workbook, loads the overview once to fill the caches, then:

- at rest: the server's CPU per second with no visitor (its own timers), for reference;
- sequential, returning visitor: ``views`` new tabs of one browser (the app's files in its cache) open
  the overview one after the other; the server process's CPU time (user + system, from /proc) over
  them, divided by ``views``, is the server CPU of one overview view; each view's server time is
  recorded;
- sequential, first visit: the same with a new browser context per view (the app's files downloaded
  each time);
- simultaneous: ``users`` browsers (one context each: own cookies, own cache, like different people)
  open the overview at the same moment, first as first visits, then once more with the app's files
  in their caches (returning visitors); every one must render the whole page (heading, cards,
  charts, table), and each one's wait on the server (request received → run finished) is recorded
  apart from the time the test browser itself takes to draw.

The load of the machine (1-minute load average) is recorded before and after, since the machine
may be shared.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.page import ARGS, CHROMIUM, RENDERED, serving

IDLE_SECONDS = 5.0


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _records(path: Path, since: float) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in lines if r["start"] >= since]


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": float("nan"), "max": float("nan"), "p95": float("nan"), "n": 0}
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "max": ordered[-1],
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "n": len(ordered),
    }


async def _new_context(browser):
    return await browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")


async def _open(browser, url: str, timeout_ms: int, context=None) -> tuple[bool, float]:
    """Open the overview in a new tab (of ``context``: a returning visitor, the app's files in its cache;
    else of a new context: a first visit) and wait until it is fully drawn."""
    own = context is None
    context = context or await _new_context(browser)
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    start = time.perf_counter()
    try:
        await page.goto(url)
        await page.wait_for_function(RENDERED, polling=100)
        return True, time.perf_counter() - start
    except Exception:  # a page that never renders is counted as not rendered, not a crash of the benchmark
        return False, time.perf_counter() - start
    finally:
        await (context.close() if own else page.close())


async def _views(browser, url: str, server: psutil.Process, timings: Path, views: int, context=None) -> dict:
    """``views`` overview views one after the other: server CPU per view and each view's server time."""
    mark, cpu = time.monotonic(), _cpu(server)
    rendered = [await _open(browser, url, 120_000, context) for _ in range(views)]
    cpu = _cpu(server) - cpu
    return {
        "views": views,
        "rendered": sum(ok for ok, _ in rendered),
        "cpu_per_view": cpu / views,
        "server_wait": _summary([r["seconds"] for r in _records(timings, mark)]),
        "browser": _summary([t for _, t in rendered]),
        "wall": time.monotonic() - mark,
    }


def _yield_to_server(servers: set[int]) -> None:
    """Run the test browser (and its driver) at the lowest priority: drawing 25 pages at once must not take
    the CPU the server needs, or the server's time would measure the browser. On Linux a priority belongs
    to a thread, so every thread of every browser process is lowered (lowering a process changes its main
    thread only, and Chromium's input, network and compositor threads would keep theirs). Processes and
    threads started later (a renderer per page) inherit the priority; the server processes (``servers``
    and theirs) keep theirs."""
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid in servers or servers & {p.pid for p in child.parents()}:
                continue
            for thread in child.threads():
                try:
                    os.setpriority(os.PRIO_PROCESS, thread.id, 19)
                except OSError:  # the thread has ended
                    pass
        except psutil.Error:
            pass


async def _wave(browser, url: str, server: psutil.Process, timings: Path, contexts: list) -> dict[str, Any]:
    """Every context opens the overview in a new tab at the same moment."""
    _yield_to_server({server.pid})  # the browser processes and threads started since
    await asyncio.sleep(1.0)
    load_before = os.getloadavg()[0]
    mark, cpu = time.monotonic(), _cpu(server)
    wall = time.perf_counter()
    opened = await asyncio.gather(*(_open(browser, url, 900_000, context) for context in contexts))
    wall = time.perf_counter() - wall
    cpu = _cpu(server) - cpu
    waits = [r["seconds"] for r in _records(timings, mark)]
    return {
        "users": len(contexts),
        "rendered": sum(ok for ok, _ in opened),
        "server_wait": _summary(waits),
        "runs": len(waits),
        "browser": _summary([t for _, t in opened]),
        "server_cpu": cpu,
        "wall": wall,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


async def _drive(url: str, timings: Path, server: psutil.Process, users: int, views: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _yield_to_server({server.pid})
        first_ok, first = await _open(browser, url, 300_000)  # cold: read + clean + first render
        ok, _ = await _open(browser, url, 120_000)  # warm every cache once more
        result: dict[str, Any] = {"first": first, "first_rendered": first_ok and ok}

        cpu, start = _cpu(server), time.monotonic()
        await asyncio.sleep(IDLE_SECONDS)
        result["idle_cpu_per_second"] = (_cpu(server) - cpu) / (time.monotonic() - start)
        returning = await _new_context(browser)
        await _open(browser, url, 120_000, returning)  # the app's files now in this browser's cache
        result["returning"] = await _views(browser, url, server, timings, views, returning)
        await returning.close()
        result["first_visit"] = await _views(browser, url, server, timings, views)

        contexts = [await _new_context(browser) for _ in range(users)]
        result["simultaneous"] = await _wave(browser, url, server, timings, contexts)  # first visits
        result["simultaneous_returning"] = await _wave(browser, url, server, timings, contexts)  # again, cached
        for context in contexts:
            await context.close()
        await browser.close()
    return result


def measure_load(workbook: Path, config_dir: Path, users: int = 25, views: int = 10) -> dict[str, Any]:
    """Server CPU per overview view and the server waits of ``users`` simultaneous visitors."""
    with tempfile.TemporaryDirectory() as directory:
        timings = Path(directory) / "timings.jsonl"
        env = {"BENCH_TIMINGS": str(timings)}
        with serving(workbook, config_dir, script="bench/timed_serve.py", env=env) as (url, process):
            server = psutil.Process(process.pid)
            result = asyncio.run(_drive(url, timings, server, users, views))
    result["machine_load"] = os.getloadavg()
    result["method"] = (
        "Headless Chromium (Playwright, async) against `bench/timed_serve.py` (the app as `scripts/serve.py` "
        "starts it, plus a record per run of the server's time from the browser's rerun request to the "
        "run's `script_finished` message) on a loopback port, BCD502_SOURCE = the 100k-row synthetic "
        f"workbook, data cache warm. Sequential: {views} new tabs open the overview one after the other, either "
        "in one browser that has the app's files cached (a returning visitor) or each in a new browser context "
        "(a first visit: the app's JavaScript is downloaded, and compressed by the server, each time); server CPU "
        "= the server process's user + system CPU over them ÷ views. Simultaneous: "
        f"{users} new browser contexts (own cookies and cache each) open the overview at once (first visits), "
        "then all again with the app's files in their caches (returning visitors); "
        "rendered = heading, KPI cards, every chart and the programme table drawn with no run in progress; "
        "server wait = rerun request received → `script_finished` queued, per visitor. The browser and its "
        "driver run at the lowest CPU priority (nice 19), so that drawing the pages does not take the server's CPU."
    )
    return result


if __name__ == "__main__":
    print(
        json.dumps(
            measure_load(Path(sys.argv[1]), Path(sys.argv[2]), *(int(a) for a in sys.argv[3:5])),
            indent=1,
            default=float,
        )
    )
