"""Benchmarks of the whole pipeline at 10k, 100k and 1M rows, against the naive ways.

    python -m bench            every benchmark, results in bench/RESULTS.md
    python -m bench --quick    10k rows only, no page timing (a smoke run)

Synthetic workbooks are generated once (deterministic) and kept in bench/out/ (not committed).
Figures are medians of repeated runs; peak memory is measured in a fresh subprocess running the
whole pipeline. This is a measuring script, not a test: nothing here fails on a slow figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import pipeline
from bench.restart import measure_restart
from bench.synthetic import generate, write_config, write_xlsx
from lib.clean import clean, wanted_tabs
from lib.config import load_config
from lib.problems import ERROR
from lib.sheets import GoogleSheetsSource

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
SIZES = (10_000, 100_000, 1_000_000)
COMMUNES = 40
SEED = 502

# Targets on a 2-core machine (issue #6).
TARGETS = {
    "clean_100k": 0.5,
    "indicators_100k": 0.3,
    "report_100k": 0.3,
    "clean_indicators_1m": 5.0,
    "rss_1m_mb": 2048,
    "page_s": 3.0,
    "filter_s": 1.0,
    "scaling": 12.0,
    "cpu_per_view_s": 0.15,
    "restart_1m_s": 3.0,
    "simultaneous_wait_s": 2.0,
}
USERS = 25


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def repeats(rows: int) -> int:
    return 5 if rows <= 100_000 else 3


def measure(fn: Callable[[], Any], runs: int) -> tuple[dict[str, float], Any]:
    """Median, min and max wall time of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": runs}, result


def _generator_version() -> str:
    return hashlib.sha256((ROOT / "bench" / "synthetic.py").read_bytes()).hexdigest()[:12]


def _config_version() -> str:
    """The generator and the project's config files: the synthetic config is rewritten when either changes
    (a config key renamed in the project would otherwise leave a config the app refuses)."""
    digest = hashlib.sha256(_generator_version().encode())
    for path in sorted((ROOT / "config").iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def config_dir() -> Path:
    directory = OUT / "config"
    stamp = directory / ".version"
    if not stamp.is_file() or stamp.read_text() != _config_version():
        write_config(directory, communes=COMMUNES)
        stamp.write_text(_config_version())
    return directory


def workbook(rows: int, config_path: Path) -> tuple[Path, dict[str, Any]]:
    """The cached synthetic workbook of ``rows`` rows and its manifest (ground truth)."""
    path = OUT / f"synthetic-{rows}.xlsx"
    manifest_path = path.with_suffix(".json")
    if path.is_file() and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("version") == _generator_version():
            return path, manifest
    log(f"  generating {rows:,} rows…")
    start = time.perf_counter()
    synthetic = generate(load_config(config_path), rows, seed=SEED)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    write_xlsx(synthetic, path)
    written = time.perf_counter() - start
    manifest = {
        "version": _generator_version(),
        "rows": synthetic.rows,
        "faulty": synthetic.faulty_count,
        "blank_rows": synthetic.blank_rows,
        "tabs": len(synthetic.data_rows),
        "generate_s": generated,
        "write_s": written,
        "bytes": path.stat().st_size,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return path, manifest


def bench_size(rows: int, config_path: Path, report: bool = True) -> dict[str, Any]:
    config = load_config(config_path)
    path, manifest = workbook(rows, config_path)
    runs = repeats(rows)
    result: dict[str, Any] = {"rows": rows, "manifest": manifest}
    log(f"  read (calamine) ×{runs}")
    result["read_calamine"], raw = measure(lambda: pipeline.read_calamine(path, config), runs)
    openpyxl_runs = 3 if rows <= 100_000 else 1
    log(f"  read (openpyxl) ×{openpyxl_runs}")
    result["read_openpyxl"], raw_openpyxl = measure(lambda: pipeline.read_openpyxl(path, config), openpyxl_runs)
    result["same_values"] = all(raw.tabs[n].values == raw_openpyxl.tabs[n].values for n in raw.tabs)
    del raw_openpyxl
    log(f"  clean ×{runs}")
    result["clean"], dataset = measure(lambda: clean(raw, config), runs)
    raw = None
    stats = dataset.tab_stats
    errors = dataset.issues[dataset.issues["severity"] == ERROR]
    result["check"] = {
        "generated": manifest["rows"],
        "accepted": int(stats["accepted"].sum()),
        "excluded": int(stats["excluded"].sum()),
        "faulty_injected": manifest["faulty"],
        "faulty_found": int(errors[["tab", "row"]].drop_duplicates().shape[0]),
        "issues": len(dataset.issues),
    }
    log(f"  indicators ×{runs}")
    result["indicators"], _ = measure(lambda: pipeline.overview_indicators(dataset, config), runs)
    if report:
        log(f"  report ×{runs}")
        result["report_md"], _ = measure(lambda: pipeline.render_markdown(dataset, config), runs)
        result["report_docx"], _ = measure(lambda: pipeline.render_docx(dataset, config), runs)
    dataset = None
    log("  cleaned data from disk after a restart")
    result["restart"] = measure_restart(path, config_path)
    log("  whole pipeline in a subprocess (peak RSS)")
    answer = subprocess.run(
        [sys.executable, "-m", "bench.pipeline", str(path), str(config_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result["pipeline"] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------- Google Sheets requests


def bench_sheets(tab_counts: tuple[int, ...] = (8, 40), rows_per_tab: int = 200) -> list[dict[str, Any]]:
    """HTTP requests per refresh against the fake Sheets API: our reader and a naive gspread loop."""
    import tempfile

    import responses

    sys.path.insert(0, str(ROOT / "tests"))
    from fake_sheets import FakeSheets  # the project's fake Sheets v4 API (gspread's real HTTP traffic)

    results = []
    for count in tab_counts:
        with tempfile.TemporaryDirectory() as directory:
            config = load_config(write_config(directory, communes=COMMUNES, tabs=count))
        synthetic = generate(config, rows_per_tab * count, seed=SEED)
        key = "1BenchSheetKey0123456789abcdefghijklmnop"
        fake = FakeSheets()
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            fake.install(mock)
            fake.add_spreadsheet(key, synthetic.tabs)
            start = time.perf_counter()
            raw = GoogleSheetsSource(key, fake.client()).fetch(wanted_tabs(config))
            ours_s = time.perf_counter() - start
            ours = fake.count()
            ours_kinds = [r.kind for r in fake.requests]
            fake.requests.clear()
            start = time.perf_counter()
            spreadsheet = fake.client().open_by_key(key)
            naive_values = {ws.title: ws.get_all_values() for ws in spreadsheet.worksheets()}
            naive_s = time.perf_counter() - start
            naive = fake.count()
        results.append(
            {
                "tabs": len(synthetic.tabs),
                "organisation_tabs": count,
                "rows": synthetic.rows,
                "ours": ours,
                "ours_kinds": ours_kinds,
                "ours_s": ours_s,
                "naive": naive,
                "naive_s": naive_s,
                "tabs_read": len(raw.tabs),
                "naive_tabs_read": len(naive_values),
            }
        )
    return results


# ---------------------------------------------------------------- page timing


def bench_page(workbook_path: Path, config_path: Path, runs: int = 5) -> dict[str, Any]:
    """Overview render time after navigation (warm cache) and a filter change, in headless Chromium."""
    import shutil

    from bench.page import measure_page

    # a cold start: no cleaned data kept on disk from an earlier run (the many-visitor run after this one
    # then starts from the data this one stored, as a restarted server does)
    shutil.rmtree(load_config(config_path).resolve_path(load_config(config_path).settings.data_dir) / "cleaned", True)
    return measure_page(workbook_path, config_path, runs)


def bench_load(workbook_path: Path, config_path: Path, users: int = USERS) -> dict[str, Any]:
    """Server CPU per overview view and the server waits of ``users`` simultaneous visitors, in headless Chromium."""
    from bench.load import measure_load

    result = measure_load(workbook_path, config_path, users)
    result["date"] = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return result


# ---------------------------------------------------------------- machine and report


def machine() -> dict[str, str]:
    import numpy
    import pandas
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "python-calamine": version("python-calamine"),
        "openpyxl": version("openpyxl"),
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def _s(stat: dict[str, float] | None) -> str:
    if not stat:
        return "–"
    value = stat["median"]
    text = f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return text


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def write_results(
    info: dict[str, str],
    sizes: list[dict[str, Any]],
    sheets: list[dict[str, Any]],
    page: dict[str, Any] | None,
    load: dict[str, Any] | None = None,
    path: Path = RESULTS,
) -> str:
    by = {r["rows"]: r for r in sizes}
    lines = [
        "# Benchmark results",
        "",
        "Produced by `python -m bench` (section «Hiệu năng» of the README). Medians of repeated runs "
        "(5 runs at 10k and 100k rows, 3 at 1M; openpyxl 3 runs, 1 at 1M); wall-clock time on the machine below. "
        "Indicators and report drafts are computed from scratch in every run (nothing shared from the run before). "
        "Peak RSS is the whole pipeline's high-water mark (VmHWM) in a fresh subprocess.",
        "",
        "| machine | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += [
        "",
        "## Pipeline stages",
        "",
        "Synthetic workbook: rows spread over the 9 organisation tabs of a district of "
        f"{COMMUNES} communes, realistic mix of activity types, text numbers and dates as people type them, "
        "~1 % faulty rows (bench/synthetic.py).",
        "",
    ]
    header = "| stage | " + " | ".join(f"{r['rows']:,} rows" for r in sizes) + " |"
    lines += [header, "|---|" + "---|" * len(sizes)]

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in sizes) + " |")

    row("workbook size", lambda r: f"{r['manifest']['bytes'] / 2**20:.1f} MiB")
    row("read: python-calamine (ours)", lambda r: _s(r["read_calamine"]))
    row("read: openpyxl read-only", lambda r: _s(r["read_openpyxl"]))
    row("openpyxl ÷ calamine", lambda r: f"{r['read_openpyxl']['median'] / r['read_calamine']['median']:.1f}×")
    row("same values from both readers", lambda r: "yes" if r["same_values"] else "**no**")
    row("clean + validate", lambda r: _s(r["clean"]))
    row("indicators (overview and pages)", lambda r: _s(r["indicators"]))
    row("clean + indicators", lambda r: f"{(r['clean']['median'] + r['indicators']['median']):.2f} s")
    row("report draft (Markdown)", lambda r: _s(r.get("report_md")))
    row("report draft (Word)", lambda r: _s(r.get("report_docx")))
    row("whole pipeline, one run (subprocess)", lambda r: f"{r['pipeline']['times']['total']:.2f} s")
    row("cleaned data stored on disk (Parquet)", lambda r: f"{r['restart']['store_mb']:.1f} MiB")
    row("read + clean + store (workbook changed)", lambda r: f"{r['restart']['cold']:.2f} s")
    row(
        "restart: cleaned data from disk (fresh process)",
        lambda r: f"{_s(r['restart']['restart'])} (max {_s({'median': r['restart']['restart']['max']})})",
    )
    row("unchanged workbook, data in memory: one stat", lambda r: f"{r['restart']['warm'] * 1e6:.0f} µs")
    row(
        "restart ÷ read + clean",
        lambda r: f"1/{r['restart']['cold'] / r['restart']['restart']['median']:.0f}",
    )
    row("peak RSS of the whole pipeline", lambda r: f"{r['pipeline']['peak_rss_mb']:.0f} MiB")
    row(
        "rows generated / accepted / excluded",
        lambda r: f"{r['check']['generated']:,} / {r['check']['accepted']:,} / {r['check']['excluded']:,}",
    )
    row("faulty rows injected / found", lambda r: f"{r['check']['faulty_injected']:,} / {r['check']['faulty_found']:,}")
    row("workbook written once (xlsxwriter)", lambda r: f"{r['manifest']['write_s']:.1f} s")

    lines += ["", "## Targets (2-core machine)", "", "| target | figure | |", "|---|---|---|"]
    if 100_000 in by:
        r = by[100_000]
        report = r["report_md"]["median"] if r.get("report_md") else None
        lines.append(
            f"| 100k rows: cleaning ≤ 0.5 s | {_s(r['clean'])} | {_mark(r['clean']['median'] <= TARGETS['clean_100k'])} |"
        )
        lines.append(
            f"| 100k rows: all overview indicators ≤ 0.3 s | {_s(r['indicators'])} | {_mark(r['indicators']['median'] <= TARGETS['indicators_100k'])} |"
        )
        if report is not None:
            lines.append(
                f"| 100k rows: report draft (Markdown) ≤ 0.3 s | {_s(r['report_md'])} | {_mark(report <= TARGETS['report_100k'])} |"
            )
    if 1_000_000 in by:
        r = by[1_000_000]
        both = r["clean"]["median"] + r["indicators"]["median"]
        lines.append(
            f"| 1M rows: cleaning + indicators ≤ 5 s | {both:.2f} s | {_mark(both <= TARGETS['clean_indicators_1m'])} |"
        )
        rss = r["pipeline"]["peak_rss_mb"]
        lines.append(f"| 1M rows: peak RSS ≤ 2 GB | {rss:.0f} MiB | {_mark(rss <= TARGETS['rss_1m_mb'])} |")
        restart = r["restart"]["restart"]["median"]
        lines.append(
            f"| 1M rows: server restart or expired cache ≤ 3 s (was a full read + clean: {r['restart']['cold']:.1f} s) | "
            f"{restart:.2f} s | {_mark(restart <= TARGETS['restart_1m_s'] and r['restart']['same_rows'])} |"
        )
        if 100_000 in by:
            ratio = r["clean"]["median"] / by[100_000]["clean"]["median"]
            lines.append(
                f"| cleaning scales linearly: 1M ≤ ~12× the 100k time | {ratio:.1f}× | {_mark(ratio <= TARGETS['scaling'])} |"
            )
    if load:
        cpu = load["returning"]["cpu_per_view"]
        lines.append(
            f"| 100k rows: server CPU per overview view ≤ 0.15 s (returning visitor) | {cpu:.3f} s | "
            f"{_mark(cpu <= TARGETS['cpu_per_view_s'])} |"
        )
        for key, who in (("simultaneous", "first visits"), ("simultaneous_returning", "returning visitors")):
            wave = load[key]
            worst = wave["server_wait"]["max"]
            ok = wave["rendered"] == wave["users"] and worst <= TARGETS["simultaneous_wait_s"]
            lines.append(
                f"| {wave['users']} simultaneous users ({who}): all rendered, server wait ≤ 2 s | "
                f"{wave['rendered']}/{wave['users']} rendered, longest wait {worst:.2f} s | {_mark(ok)} |"
            )
    if sheets:
        ok = all(s["ours"] == 2 for s in sheets)
        lines.append(
            "| Google Sheets: 2 requests per refresh, any number of tabs | "
            + ", ".join(f"{s['ours']} at {s['tabs']} tabs" for s in sheets)
            + f" | {_mark(ok)} |"
        )
    if page:
        lines.append(
            f"| overview rendered ≤ 3 s after navigation (100k rows, warm cache) | {page['navigation']['median']:.2f} s | "
            f"{_mark(page['navigation']['median'] <= TARGETS['page_s'])} |"
        )
        lines.append(
            f"| filter change ≤ 1 s | {page['filter']['median']:.2f} s | {_mark(page['filter']['median'] <= TARGETS['filter_s'])} |"
        )

    if sheets:
        lines += [
            "",
            "## Google Sheets: HTTP requests per refresh",
            "",
            "Against the project's fake Sheets v4 API (tests/fake_sheets.py: gspread's real HTTP traffic, intercepted; "
            f"{sheets[0]['rows'] // sheets[0]['organisation_tabs']} rows per organisation tab). Ours: one metadata call and one "
            "`values:batchGet`. Naive: `open_by_key`, then `worksheet.get_all_values()` for each worksheet. "
            "Times are in-process (no network latency); on the real API every request costs a round trip and counts "
            "against the per-minute read quota.",
            "",
            "| tabs in the spreadsheet | ours: requests | naive loop: requests | ours: time | naive: time |",
            "|---|---|---|---|---|",
        ]
        for s in sheets:
            lines.append(
                f"| {s['tabs']} ({s['organisation_tabs']} organisation tabs + targets and narrative tabs) | "
                f"{s['ours']} ({' + '.join(s['ours_kinds'])}) | {s['naive']} | {s['ours_s'] * 1000:.0f} ms | {s['naive_s'] * 1000:.0f} ms |"
            )
    if page:
        lines += [
            "",
            "## Dashboard page timing",
            "",
            page["method"],
            "",
            "| measure | median | min | max | runs |",
            "|---|---|---|---|---|",
        ]
        for key, label in (
            ("first", "first load (nothing cached in memory or on disk: read + clean + render)"),
            ("navigation", "overview fully rendered after navigation (warm cache)"),
            ("filter", "filter change → KPI cards updated"),
        ):
            if key in page:
                stat = page[key]
                lines.append(
                    f"| {label} | {stat['median']:.2f} s | {stat['min']:.2f} s | {stat['max']:.2f} s | {stat['runs']} |"
                )
    if load:
        lines += [
            "",
            "## Many visitors on the overview (100k rows)",
            "",
            load["method"],
            "",
            f"Measured {load.get('date', '')}. Machine load (1-minute load average, other work included) during the "
            f"simultaneous runs: {_loads(load)}. The server's "
            f"own CPU at rest: {load['idle_cpu_per_second'] * 1000:.1f} ms per second. First overview after the server "
            f"started, the cleaned data on disk from the run above (a restart): {load['first']:.2f} s in the browser.",
            "",
            "| measure | server CPU per view | server wait: median | p95 | max | rendered | browser: median |",
            "|---|---|---|---|---|---|---|",
        ]
        for key, label in (
            ("returning", "one after the other, returning visitor"),
            ("first_visit", "one after the other, first visit"),
        ):
            m = load[key]
            lines.append(
                f"| {label} ({m['views']} views) | {m['cpu_per_view']:.3f} s | {m['server_wait']['median']:.2f} s | "
                f"{m['server_wait']['p95']:.2f} s | {m['server_wait']['max']:.2f} s | {m['rendered']}/{m['views']} | "
                f"{m['browser']['median']:.2f} s |"
            )
        for key, label in (("simultaneous", "first visits"), ("simultaneous_returning", "returning visitors")):
            m = load[key]
            lines.append(
                f"| {m['users']} at once, {label} | {m['server_cpu'] / m['users']:.3f} s | {m['server_wait']['median']:.2f} s | "
                f"{m['server_wait']['p95']:.2f} s | {m['server_wait']['max']:.2f} s | {m['rendered']}/{m['users']} | "
                f"{m['browser']['median']:.2f} s |"
            )
        base = load.get("baseline")
        if base:
            lines += [
                "",
                f"Before {base['change']} (the same measure run against {base['commit']}, "
                f"{base['date']}, machine load {_loads(base)}):",
                "",
                "| measure | before | now | ratio |",
                "|---|---|---|---|",
            ]
            pairs = [
                (
                    "server CPU per view, returning visitor",
                    base["returning"]["cpu_per_view"],
                    load["returning"]["cpu_per_view"],
                ),
                (
                    "server CPU per view, first visit",
                    base["first_visit"]["cpu_per_view"],
                    load["first_visit"]["cpu_per_view"],
                ),
                (
                    "server CPU, 25 returning visitors at once",
                    base["simultaneous_returning"]["server_cpu"],
                    load["simultaneous_returning"]["server_cpu"],
                ),
                (
                    "longest server wait, 25 first visits at once",
                    base["simultaneous"]["server_wait"]["max"],
                    load["simultaneous"]["server_wait"]["max"],
                ),
                (
                    "longest server wait, 25 returning visitors at once",
                    base["simultaneous_returning"]["server_wait"]["max"],
                    load["simultaneous_returning"]["server_wait"]["max"],
                ),
            ]
            for label, before, now in pairs:
                lines.append(f"| {label} | {before:.3f} s | {now:.3f} s | {before / now:.1f}× less |")
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def _loads(load: dict[str, Any]) -> str:
    waves = [load[k] for k in ("simultaneous", "simultaneous_returning") if k in load]
    seen = [w["load_before"] for w in waves] + [w["load_after"] for w in waves]
    return f"{min(seen):.1f} to {max(seen):.1f} on {os.cpu_count()} cores" if seen else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k rows only, no 1M run and no browser timing")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="row counts, e.g. 10000,100000")
    parser.add_argument("--no-page", action="store_true", help="skip the browser page timing and the many-visitor run")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the Markdown results")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="run the many-visitor measure again, keep the other figures of the last full run (bench/out/results.json)",
    )
    args = parser.parse_args(argv)
    if args.load_only:
        kept = json.loads((OUT / "results.json").read_text())
        path, _ = workbook(100_000, config_dir())
        log(f"many visitors on the overview (100k rows, {USERS} at once)")
        kept["load"] = bench_load(path, config_dir())
        if (OUT / "base_load.json").is_file():  # the same measure run against the code before this change, if kept
            kept["load"]["baseline"] = json.loads((OUT / "base_load.json").read_text())
        print(write_results(kept["machine"], kept["sizes"], kept["sheets"], kept["page"], kept["load"], args.output))
        (OUT / "results.json").write_text(json.dumps(kept, indent=1, default=str))
        return 0
    sizes = args.sizes or ([10_000] if args.quick else list(SIZES))
    OUT.mkdir(parents=True, exist_ok=True)
    config_path = config_dir()
    info = machine()
    results = []
    for rows in sizes:
        log(f"{rows:,} rows")
        results.append(bench_size(rows, config_path))
        (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))
    log("Google Sheets requests")
    sheets = bench_sheets()
    page = load = None
    if not args.quick and not args.no_page:
        log("dashboard page timing (100k rows)")
        path, _ = workbook(100_000, config_path)
        page = bench_page(path, config_path)
        log(f"many visitors on the overview (100k rows, {USERS} at once)")
        load = bench_load(path, config_path)
    text = write_results(info, results, sheets, page, load, args.output)
    (OUT / "results.json").write_text(
        json.dumps(
            {"machine": info, "sizes": results, "sheets": sheets, "page": page, "load": load}, indent=1, default=str
        )
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
