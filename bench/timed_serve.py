"""``scripts/serve.py`` with a record of how long each browser waits on the server (benchmarks only).

For every ``rerun_script`` request a browser sends, one line is appended to the file named by
BENCH_TIMINGS: the session, when the request reached the server, when the run's ``script_finished``
message was queued for the browser, and the seconds between the two (waiting for a thread, the
script run itself and the serialisation of what it drew). The browser's own work (drawing charts
and tables) is not in it, so this is the server's share of a page view however busy the test
browser makes the machine.
"""

from __future__ import annotations

import json
import os
import runpy
import threading
import time
from pathlib import Path

from streamlit.runtime.app_session import AppSession

ROOT = Path(__file__).resolve().parent.parent
_started: dict[str, float] = {}
_lock = threading.Lock()


def _install(path: str) -> None:
    handle_backmsg = AppSession.handle_backmsg
    enqueue = AppSession._enqueue_forward_msg

    def timed_backmsg(self, msg):
        if msg.WhichOneof("type") == "rerun_script":
            with _lock:
                _started[self.id] = time.monotonic()
        return handle_backmsg(self, msg)

    def timed_enqueue(self, msg):
        result = enqueue(self, msg)
        if msg.WhichOneof("type") == "script_finished":
            end = time.monotonic()
            with _lock:
                start = _started.pop(self.id, None)
                if start is not None:
                    with open(path, "a", encoding="utf-8") as file:
                        record = {"session": self.id, "start": start, "end": end, "seconds": end - start}
                        file.write(json.dumps(record) + "\n")
        return result

    AppSession.handle_backmsg = timed_backmsg
    AppSession._enqueue_forward_msg = timed_enqueue


if __name__ == "__main__":
    _install(os.environ["BENCH_TIMINGS"])
    runpy.run_path(str(ROOT / "scripts" / "serve.py"), run_name="__main__")
