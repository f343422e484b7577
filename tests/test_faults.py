"""Fault injection on the fake Sheets API: every way a Google answer can go wrong ends as a
SheetsError with a Vietnamese message (or as fresh data after a retry), never as another exception;
the last snapshot is served whenever there is one; an outage is not asked again on every rerun."""

from __future__ import annotations

import json
import re
import threading

import pytest
import requests
from fake_sheets import SERVICE_ACCOUNT, Canned, FakeSheets, service_account_info

from lib.clean import clean
from lib.exceptions import CredentialsError, SheetsError, SourceError, SpreadsheetNotFound
from lib.sheets import GoogleSheetsSource, RetryPolicy
from lib.snapshot import RecentFailures, SnapshotStore, fetch_with_fallback

KEY = "1FaUlTiNjEcTiOnKeY0123456789abcdefgh"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, total_seconds=5)
TABS = {"BCHQS": [["Ngày", "Xã", "Người tham gia"], [45352, "Rô Men", 12]], "MTTQ": [["Ngày"]]}
HTML = Canned(200, "<!DOCTYPE html><html><body>Đăng nhập mạng nội bộ</body></html>", "text/html")

VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
# What the libraries say, which must go to the log and never to the user.
FOREIGN = re.compile(
    r"Traceback|Exception|Error\b|error\b|Expecting|line \d|char \d|column \d|[Ii]nvalid|[Rr]equest|[Rr]esponse|"
    r"token|JSONDecode|RefreshError|APIError|<html|<!DOCTYPE|/tmp/|/home/|site-packages|\.py\b"
)


def assert_vietnamese(message: str) -> None:
    assert VIETNAMESE.search(message.lower()), message
    assert not FOREIGN.search(message), message


def source(fake: FakeSheets) -> GoogleSheetsSource:
    """A source with a service-account key, as the app builds it (one token exchange first)."""
    return GoogleSheetsSource.from_spec(URL, credentials_info=service_account_info(), retry=FAST)


def not_shared(fake: FakeSheets) -> None:
    fake.spreadsheets[KEY].shared = False


def missing(fake: FakeSheets) -> None:
    del fake.spreadsheets[KEY]


def revoked(fake: FakeSheets) -> None:
    fake.token_error = "invalid_grant"


FAILURES = {
    # shape: (set-up of the fake, error class expected, words of the message)
    "5xx every time": (lambda f: f.fail(503, times=50), SheetsError, "sự cố"),
    "500 then 502 on the values": (lambda f: f.fail(500, times=50, kind="batchGet"), SheetsError, "sự cố"),
    "time-out every time": (lambda f: f.fail(requests.ReadTimeout("read timed out"), times=50), SheetsError, "mạng"),
    "connection reset": (lambda f: f.fail(requests.ConnectionError("reset by peer"), times=50), SheetsError, "mạng"),
    "429 every time": (lambda f: f.fail(429, times=50), SheetsError, "hạn mức"),
    "403 not shared": (not_shared, SpreadsheetNotFound, "chưa được chia sẻ"),
    "404 no such spreadsheet": (missing, SpreadsheetNotFound, "Không tìm thấy bảng tính"),
    "401 token refused": (lambda f: f.fail(401, times=50), CredentialsError, "thu hồi"),
    "revoked key": (revoked, CredentialsError, "thu hồi"),
    "HTML 200 from the token endpoint": (lambda f: f.fail_token(HTML, times=50), SheetsError, "không đúng dạng"),
    "HTML 502 from the token endpoint": (
        lambda f: f.fail_token(Canned(502, "<html>Bad Gateway</html>", "text/html"), times=50),
        SheetsError,
        "không đúng dạng",
    ),
    "empty JSON from the token endpoint": (lambda f: f.fail_token(Canned(200, "{}"), times=50), SheetsError, "dạng"),
    "HTML 200 from the Sheets API": (lambda f: f.fail(HTML, times=50), SheetsError, "không đúng dạng"),
    "metadata without sheets": (lambda f: f.fail(Canned(200, '{"properties": {}}'), kind="get"), SheetsError, "dạng"),
    "metadata as a list": (lambda f: f.fail(Canned(200, "[]"), kind="get"), SheetsError, "dạng"),
    "sheet without properties": (
        lambda f: f.fail(Canned(200, '{"sheets": [{"data": []}]}'), kind="get"),
        SheetsError,
        "dạng",
    ),
    "title not text": (
        lambda f: f.fail(Canned(200, '{"sheets": [{"properties": {"title": 5}}]}'), kind="get"),
        SheetsError,
        "dạng",
    ),
    "values without valueRanges": (
        lambda f: f.fail(Canned(200, json.dumps({"spreadsheetId": KEY})), kind="batchGet"),
        SheetsError,
        "dạng",
    ),
    "valueRanges of another shape": (
        lambda f: f.fail(Canned(200, '{"valueRanges": [{"values": "abc"}, 7]}'), kind="batchGet"),
        SheetsError,
        "dạng",
    ),
    "cells that are objects": (
        lambda f: f.fail(Canned(200, '{"valueRanges": [{"values": [[{"a": 1}]]}, {}]}'), kind="batchGet"),
        SheetsError,
        "dạng",
    ),
    "fewer ranges than asked": (
        lambda f: f.fail(Canned(200, '{"valueRanges": [{}]}'), kind="batchGet"),
        SheetsError,
        "chưa đầy đủ",
    ),
    "truncated JSON metadata": (
        lambda f: f.fail(Canned(200, '{"sheets": [{"properties": {"ti'), times=50, kind="get"),
        SheetsError,
        "không đúng dạng",
    ),
    "truncated JSON values": (
        lambda f: f.fail(Canned(200, '{"valueRanges": [{"values": [[1, 2'), times=50, kind="batchGet"),
        SheetsError,
        "không đúng dạng",
    ),
}


@pytest.fixture
def fake(fake_sheets: FakeSheets) -> FakeSheets:
    fake_sheets.add_spreadsheet(KEY, TABS)
    return fake_sheets


@pytest.mark.parametrize("shape", list(FAILURES))
def test_without_a_snapshot_every_failure_is_a_vietnamese_sheets_error(fake, tmp_path, shape):
    set_up, kind, words = FAILURES[shape]
    set_up(fake)
    try:
        fetch_with_fallback(source(fake), list(TABS), SnapshotStore(tmp_path))
    except Exception as error:  # what escapes is exactly what is checked
        assert isinstance(error, SheetsError), f"{shape}: {type(error).__name__} escaped"
        assert isinstance(error, kind) and words in error.message, error.message
        assert_vietnamese(error.message)
        if kind in (SpreadsheetNotFound, CredentialsError):
            assert SERVICE_ACCOUNT in error.message
    else:
        pytest.fail(f"{shape}: no error")


@pytest.mark.parametrize("shape", list(FAILURES))
def test_with_a_snapshot_every_failure_serves_it(fake, tmp_path, shape):
    store = SnapshotStore(tmp_path)
    good = fetch_with_fallback(source(fake), list(TABS), store)
    assert good.notice is None
    fake.spreadsheets[KEY].tab("BCHQS").rows.append([45400, "Phi Liêng", 99])
    set_up, _, words = FAILURES[shape]
    set_up(fake)
    served = fetch_with_fallback(source(fake), list(TABS), store)
    assert served.tabs == good.tabs and served.fetched_at == good.fetched_at
    assert served.notice.startswith("Đang hiển thị dữ liệu lúc ") and words in served.notice
    assert_vietnamese(served.notice)


@pytest.mark.parametrize(
    "first, kind", [(429, None), (500, None), (503, "batchGet"), (requests.ReadTimeout("slow"), None)]
)
def test_a_transient_failure_then_success_gives_fresh_data(fake, tmp_path, first, kind):
    fake.fail(first, kind=kind)
    raw = fetch_with_fallback(source(fake), list(TABS), SnapshotStore(tmp_path))
    assert raw.notice is None and raw.tabs["BCHQS"].values == TABS["BCHQS"]
    assert fake.count() == 4  # token, then get and batchGet with one of them repeated


def test_a_cut_off_answer_is_asked_again(fake, tmp_path):
    fake.fail(Canned(200, '{"valueRanges": [{"values": [[1, 2'), kind="batchGet")
    raw = fetch_with_fallback(source(fake), list(TABS), SnapshotStore(tmp_path))
    assert raw.tabs["BCHQS"].values == TABS["BCHQS"] and fake.count("batchGet") == 2


def test_an_unexpected_failure_of_any_kind_is_worded_and_logged(tmp_path, caplog):
    """Whatever a source raises (a bug, a library surprise) serves the snapshot or becomes a SourceError."""

    class Broken:
        source_id = f"gsheet:{KEY}"
        label = "Google Sheets"

        def fetch(self, tab_names):
            raise KeyError("valueRanges")

    with pytest.raises(SheetsError) as caught:
        fetch_with_fallback(Broken(), ["BCHQS"], SnapshotStore(tmp_path))
    assert_vietnamese(caught.value.message)
    assert "valueRanges" in caplog.text and "valueRanges" not in caught.value.message


# ---------------------------------------------------------------- an outage without a snapshot


def test_an_outage_is_not_asked_again_on_every_load(fake, tmp_path):
    """Three loads in a row while Google is down (a page rerun by three sessions): one fetch's worth
    of requests, then the same message from memory for the next 30 s."""
    fake.fail(503, times=1000)
    policy = RetryPolicy(initial_wait=0.001, max_wait=0.002)  # the default bounds, without the waiting
    messages, failures = [], RecentFailures()  # what the app's sessions share
    for _ in range(3):
        source = GoogleSheetsSource.from_spec(URL, credentials_info=service_account_info(), retry=policy)
        with pytest.raises(SheetsError) as caught:
            fetch_with_fallback(source, list(TABS), SnapshotStore(tmp_path), failures=failures)
        messages.append(caught.value.message)
    assert fake.count("get") == policy.attempts == 5 and fake.count("batchGet") == 0
    assert fake.count("token") == 1
    assert len(set(messages)) == 1 and "đã thử 5 lần" in messages[0]


def test_a_remembered_failure_is_forgotten_after_its_window(fake, tmp_path):
    failures = RecentFailures(seconds=0.5)
    first, second, third = source(fake), source(fake), source(fake)
    fake.fail(503, times=3)
    with pytest.raises(SheetsError):
        fetch_with_fallback(first, list(TABS), None, failures=failures)
    with pytest.raises(SheetsError):
        fetch_with_fallback(second, list(TABS), None, failures=failures)
    assert fake.count("get") == 3
    threading.Event().wait(0.55)
    raw = fetch_with_fallback(third, list(TABS), None, failures=failures)
    assert raw.notice is None and fake.count("get") == 4
    assert failures.get(f"gsheet:{KEY}") is None


def test_one_refresh_has_one_budget_of_retries(fake, tmp_path):
    """The metadata call and the values call share the retries of one refresh."""
    fake.fail(503, times=2, kind="get")
    fake.fail(503, times=5, kind="batchGet")
    with pytest.raises(SheetsError):
        fetch_with_fallback(source(fake), list(TABS), None, failures=None)
    assert fake.count("get") == 3 and fake.count("batchGet") == 1  # 2 retries spent on the metadata


def test_source_errors_stay_a_source_error(tmp_path):
    class Missing:
        source_id = "file:/srv/du-lieu.xlsx"
        label = "Tệp"

        def fetch(self, tab_names):
            raise OSError("/srv/du-lieu.xlsx: permission denied")

    with pytest.raises(SourceError) as caught:
        fetch_with_fallback(Missing(), ["BCHQS"], None)
    assert not isinstance(caught.value, SheetsError) and "/srv" not in caught.value.message
    assert_vietnamese(caught.value.message)


def test_a_lone_surrogate_in_an_answer_is_replaced_not_fatal(fake, config):
    """JSON may carry an invalid character («\\ud800»); it would merge distinct texts and break the text
    columns downstream. It arrives as U+FFFD, and the rows clean as usual."""
    header = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Người tham gia", "Ghi chú \ud800"]
    rows = [
        [45352 + n, "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", n, note]
        for n, note in enumerate(["a\ud800", "b\udfff", ""])
    ]
    fake.add_spreadsheet(KEY, {"BCHQS": [header, *rows]})
    raw = fetch_with_fallback(source(fake), ["BCHQS"], None)
    assert [row[5] for row in raw.tabs["BCHQS"].values[1:3]] == ["a\ufffd", "b\ufffd"]
    dataset = clean(raw, config)
    assert len(dataset.activities) == 3 and set(dataset.issues["code"]) == {"header.unknown", "tab.missing"}
    assert list(dataset.activities["extra:Ghi chú \ufffd"][:2]) == ["a\ufffd", "b\ufffd"]
