"""What a server restart or an expired cache costs: the cleaned data served from disk (Parquet).

``measure_restart`` reads and cleans the workbook once through the app's ``DatasetCache`` (which
writes the cleaned data to a store), then starts fresh processes that ask the same cache for it,
as a restarted server does: nothing in memory, the workbook unchanged. Each prints how long its
``get`` took (stat of the workbook, Parquet read, types restored) and its peak memory. Also timed:
a visit with the data in memory (one ``stat``) and, for comparison, a read when the workbook has
changed (read + clean + store).

    python -m bench.restart WORKBOOK CONFIG_DIR STORE     one restart, one JSON line
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.pipeline import peak_rss_mb
from lib.config import Config, load_config
from lib.dataset import Dataset
from lib.loading import DatasetCache, load_dataset
from lib.snapshot import CleanedStore

ROOT = Path(__file__).resolve().parent.parent
TTL = 300


def _never(spec: str, config: Config) -> Dataset:
    raise RuntimeError(f"{spec} was read again instead of coming from the store")


def measure_restart(workbook: Path, config_dir: Path, restarts: int = 3) -> dict[str, Any]:
    config = load_config(config_dir)
    with tempfile.TemporaryDirectory() as directory:
        store = Path(directory) / "cleaned"
        cache = DatasetCache(TTL, CleanedStore(store))
        start = time.perf_counter()
        dataset = cache.get(str(workbook), config, load_dataset)
        cold = time.perf_counter() - start
        rows = len(dataset.activities)
        start = time.perf_counter()
        for _ in range(100):
            cache.get(str(workbook), config, _never)
        warm = (time.perf_counter() - start) / 100
        del dataset, cache
        size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
        runs = []
        for _ in range(restarts):
            answer = subprocess.run(
                [sys.executable, "-m", "bench.restart", str(workbook), str(config_dir), str(store)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(answer.stdout.strip().splitlines()[-1]))
    times = [r["seconds"] for r in runs]
    return {
        "rows": rows,
        "cold": cold,
        "warm": warm,
        "restart": {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times)},
        "restart_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "store_mb": size / 2**20,
        "same_rows": all(r["rows"] == rows for r in runs),
    }


def main(argv: list[str]) -> int:
    workbook, config_dir, store = argv
    config = load_config(config_dir)
    cache = DatasetCache(TTL, CleanedStore(Path(store)))
    start = time.perf_counter()
    dataset = cache.get(workbook, config, _never)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": len(dataset.activities), "peak_rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
