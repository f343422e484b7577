"""Dashboard timing in headless Chromium: the overview after navigation (warm cache) and a filter change.

Starts the app the way ``scripts/run-app.sh`` does (``scripts/serve.py``) on a free loopback port with BCD502_SOURCE / BCD502_CONFIG pointing
at the synthetic workbook and config, loads the overview once to warm the data cache, then:
- navigation: a new tab opens the overview; timed until the heading, the KPI cards, every chart
  and the last table are on screen and the script run is over;
- filter change: the sidebar year is switched; timed from choosing the option until the KPI card
  "Số hoạt động" shows the other year's figure and the script run is over.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
# Overview complete: heading, KPI cards, three charts drawn and the programme table, with no script running.
RENDERED = """() => {
  const heading = [...document.querySelectorAll('h1, h2')].some(h => h.textContent.trim().startsWith('Tổng quan'));
  const metrics = document.querySelectorAll('[data-testid="stMetric"]').length;
  const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').length;
  const tables = document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]').length;
  return heading && metrics >= 4 && charts >= 3 && tables >= 1
    && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stats(times: list[float]) -> dict[str, float]:
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times)}


def _metric(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


@contextlib.contextmanager
def serving(
    workbook: Path,
    config_dir: Path | None = None,
    *,
    script: str = "scripts/serve.py",
    env: dict[str, str] | None = None,
    port: int | None = None,
    options: tuple[str, ...] = (),
) -> Iterator[tuple[str, subprocess.Popen]]:
    """The app started like ``scripts/run-app.sh`` on a loopback port (a free one unless given), with the
    workbook, the config directory (the project's by default) and extra ``streamlit run`` options: its URL
    and process, stopped on exit. The benchmarks and the browser tests start the app through it."""
    port = port or free_port()
    env = {**os.environ, "BCD502_SOURCE": str(workbook), **(env or {})}
    if config_dir is not None:
        env["BCD502_CONFIG"] = str(config_dir)
    else:
        env.pop("BCD502_CONFIG", None)
    errors = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server never blocks on a full pipe
    server = subprocess.Popen(
        [
            sys.executable,
            script,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise RuntimeError(
                        "streamlit did not start: " + errors.read().decode(errors="replace")[-2000:]
                    ) from None
                time.sleep(0.3)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        errors.close()


def measure_page(workbook: Path, config_dir: Path, runs: int = 5) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with serving(workbook, config_dir) as (url, _):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
            page = context.new_page()
            page.set_default_timeout(120_000)
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_function(RENDERED, polling=50)
            first = time.perf_counter() - start
            page.close()
            navigation = []
            for _ in range(runs):
                page = context.new_page()
                page.set_default_timeout(60_000)
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_function(RENDERED, polling=50)
                navigation.append(time.perf_counter() - start)
                page.close()
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_function(RENDERED, polling=50)
            years = (
                page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
                .filter(has=page.get_by_text("Năm", exact=True))
                .first
            )
            filters = []
            for _ in range(runs):
                before = _metric(page, "Số hoạt động")
                years.click()
                options = page.get_by_role("option").all()
                choices = [(o.inner_text().strip(), o.get_attribute("aria-selected")) for o in options]
                shown = [c for c, selected in choices if selected == "true"]
                target = next(c for c, selected in choices if c and selected != "true")
                option = page.get_by_role("option", name=target, exact=True)
                if os.environ.get("BENCH_DEBUG"):
                    print("filter", repr(shown), choices, target, before, file=sys.stderr)
                start = time.perf_counter()
                option.click()
                page.wait_for_function(
                    """([label, before]) => {
                      const cards = [...document.querySelectorAll('[data-testid="stMetric"]')];
                      const card = cards.find(c => [...c.querySelectorAll('*')].some(e => e.textContent.trim() === label));
                      const value = card && card.querySelector('[data-testid="stMetricValue"]');
                      return value && value.textContent.trim() !== before
                        && !document.querySelector('[data-testid="stStatusWidget"]');
                    }""",
                    arg=["Số hoạt động", before],
                    polling=20,
                )
                filters.append(time.perf_counter() - start)
                page.wait_for_function(RENDERED, polling=50)
            browser.close()
    return {
        "first": _stats([first]),
        "navigation": _stats(navigation),
        "filter": _stats(filters),
        "method": (
            "Headless Chromium (Playwright) against the app started by `scripts/serve.py` on a loopback port, "
            "BCD502_SOURCE = the 100k-row synthetic workbook. Navigation: a new tab opens the overview, "
            "timed until the heading, the KPI cards, every chart and the programme table are drawn and no "
            "script run is in progress (data cache warm from an earlier load). Filter change: the sidebar "
            "year is switched; timed from choosing the option until the KPI card «Số hoạt động» shows the new "
            "figure and the run is over."
        ),
    }


if __name__ == "__main__":
    import json

    print(
        json.dumps(
            measure_page(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3), indent=1
        )
    )
