"""The pipeline stages the benchmarks time, one function each, so the timed code is the product's.

Run as ``python -m bench.pipeline WORKBOOK CONFIG_DIR`` it runs the whole pipeline once (read,
clean, every overview indicator, report draft in Markdown and Word) and prints one JSON line with
the stage times and the peak resident memory of this process: the benchmark runs it in a fresh
subprocess to measure peak RSS without the harness's own memory.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from lib import indicators as ind
from lib import report
from lib.clean import clean, wanted_tabs
from lib.config import Config, load_config
from lib.dataset import Dataset
from lib.period import Period
from lib.source import RawData, RawTab, WorkbookSource, trim_rows


def read_calamine(path: Path, config: Config) -> RawData:
    """Our reader: python-calamine through lib.source."""
    return WorkbookSource(path).fetch(wanted_tabs(config))


def read_openpyxl(path: Path, config: Config) -> RawData:
    """The common way: openpyxl in read-only mode, values only, into the same RawData."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        names = workbook.sheetnames
        tabs = {
            name: RawTab(name, trim_rows([list(row) for row in workbook[name].iter_rows(values_only=True)]))
            for name in wanted_tabs(config)
            if name in names
        }
    finally:
        workbook.close()
    return RawData(
        tabs=tabs,
        available=list(names),
        source_id=f"file:{path}",
        source_label=path.name,
        fetched_at=dt.datetime.now().astimezone(),
    )


def overview_indicators(dataset: Dataset, config: Config) -> dict[str, Any]:
    """Every figure the overview and the per-dimension pages show for the latest year, computed
    from scratch each time (as after a refresh): the tables of one run share one ``SharedRows``."""
    shared = ind.SharedRows()
    acts = dataset.activities
    year = dataset.latest_year
    period = Period.year(year)
    return {
        "compare": ind.compare(acts, config, None, period, shared=shared),
        "by_commune": ind.compute(acts, config, None, period, "commune", shared=shared),
        "by_programme": ind.compute(acts, config, None, period, "programme", shared=shared),
        "by_organisation": ind.compute(acts, config, None, period, "organisation", shared=shared),
        "by_month": ind.compute(acts, config, None, period, "month", shared=shared),
        "coverage": ind.coverage(acts, config, period, shared=shared),
        "progress": ind.progress(acts, dataset.targets, config, year, shared=shared),
    }


def report_period(dataset: Dataset) -> Period:
    """The report covers the last full year of the data (the latest year is still running)."""
    years = dataset.years
    return Period.year(years[-2] if len(years) > 1 else years[-1])


def render_markdown(dataset: Dataset, config: Config) -> str:
    """The report draft in Markdown, from scratch (nothing is kept between runs)."""
    return report.render_markdown(dataset, config, report_period(dataset))


def render_docx(dataset: Dataset, config: Config) -> bytes:
    """The report draft in Word, from scratch (nothing is kept between runs)."""
    return report.render_docx(dataset, config, report_period(dataset))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    Read from VmHWM in /proc/self/status where there is one: getrusage's ru_maxrss survives exec, so
    in a process started by a large parent it can report the parent's size instead of its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str]) -> int:
    path, config_dir = Path(argv[0]), argv[1]
    config = load_config(config_dir)
    times: dict[str, float] = {}
    start = time.perf_counter()
    raw = read_calamine(path, config)
    times["read"] = time.perf_counter() - start
    mark = time.perf_counter()
    dataset = clean(raw, config)
    times["clean"] = time.perf_counter() - mark
    del raw
    mark = time.perf_counter()
    overview_indicators(dataset, config)
    times["indicators"] = time.perf_counter() - mark
    mark = time.perf_counter()
    render_markdown(dataset, config)
    render_docx(dataset, config)
    times["report"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    print(json.dumps({"times": times, "peak_rss_mb": peak_rss_mb(), "rows": int(dataset.tab_stats["rows"].sum())}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
