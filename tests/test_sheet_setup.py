"""init-sheet against the fake Sheets API: one batchUpdate, idempotent, existing rows untouched, RAW headers."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from fake_sheets import SERVICE_ACCOUNT, Canned, FakeSheets, service_account_info

from lib.cli import main
from lib.config import DEFAULT_CONFIG_DIR, Config, load_config
from lib.exceptions import SheetsError, SpreadsheetNotFound
from lib.sheet_setup import TARGET_HEADERS, init_sheet, open_spreadsheet
from lib.sheets import RetryPolicy

KEY = "1SeTuPkEy0123456789abcdefghijklmn"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit"
FAST = RetryPolicy(attempts=2, initial_wait=0.001, max_wait=0.002, total_seconds=5)
EXISTING = [["Ngày", "Xã", "Nội dung"], [45352, "Rô Men", '=HYPERLINK("x")'], [], [45353, "Phi Liêng", "Đạ K'Nàng"]]
# an existing tab keeps every row; its header gains the entry columns it lacks, after its last header
EXTENDED = [[*EXISTING[0], "Ngày nhập", "Mã dòng"], *EXISTING[1:]]


@pytest.fixture
def custom_config(tmp_path) -> Config:
    """The default config with a formula-looking measure header and editors for one organisation."""
    directory = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, directory)
    columns = yaml.safe_load((directory / "columns.yaml").read_text(encoding="utf-8"))
    columns["measures"].append(
        {"code": "formula_like", "name": '=IMPORTRANGE("x";"A1")', "type": "integer", "unit": "cái"}
    )
    (directory / "columns.yaml").write_text(yaml.safe_dump(columns, allow_unicode=True), encoding="utf-8")
    orgs = yaml.safe_load((directory / "organisations.yaml").read_text(encoding="utf-8"))
    orgs["organisations"][0]["editors"] = ["quansu@example.org", "tro-ly@example.org"]
    (directory / "organisations.yaml").write_text(yaml.safe_dump(orgs, allow_unicode=True), encoding="utf-8")
    return load_config(directory)


def open_fake(fake: FakeSheets):
    spreadsheet = fake.client().open_by_key(KEY)
    fake.requests.clear()
    return spreadsheet


def org_headers(config: Config) -> list[str]:
    return [f.name for f in config.fields.values()] + [m.name for m in config.measures.values()]


def rules_by_header(fake: FakeSheets, title: str) -> dict[str, dict]:
    tab = fake.spreadsheets[KEY].tab(title)
    header = tab.values()[0]
    rules = {}
    for validation in tab.validations:
        grid = validation["range"]
        assert grid["startRowIndex"] == 1 and "endRowIndex" not in grid  # data rows, including rows added later
        assert grid["endColumnIndex"] == grid["startColumnIndex"] + 1
        rules[header[grid["startColumnIndex"]]] = validation["rule"]
    return rules


def test_creates_missing_tabs_in_one_batch_update(fake_sheets, config):
    first = next(iter(config.organisations.values())).tab
    fake_sheets.add_spreadsheet(KEY, {first: EXISTING, "Ghi chú": [["Không sửa"]]})
    result = init_sheet(open_fake(fake_sheets), config, retry=FAST)

    expected = [o.tab for o in config.organisations.values()][1:] + [config.settings.tabs.targets]
    assert result.created == expected and result.unchanged == [first] and result.changed
    assert [r.kind for r in fake_sheets.requests] == ["get", "batchGet", "batchUpdate"]
    sheet = fake_sheets.spreadsheets[KEY]
    assert [t.title for t in sheet.tabs] == [first, "Ghi chú", *expected]
    assert sheet.tab(first).rows == EXTENDED and sheet.tab("Ghi chú").values() == [["Không sửa"]]

    for title in expected[:-1]:
        tab = sheet.tab(title)
        assert tab.values() == [org_headers(config)]
        assert tab.grid["frozenRowCount"] == 1 and tab.grid["columnCount"] >= len(org_headers(config))
        assert all(f["textFormat"]["bold"] for f in tab.formats.values())
    targets = sheet.tab(config.settings.tabs.targets)
    assert targets.values() == [list(TARGET_HEADERS)] and targets.grid["frozenRowCount"] == 1
    assert not any(t.protected_ranges for t in sheet.tabs)


def test_a_tab_whose_grid_ends_at_its_last_header_is_widened_for_the_entry_columns(fake_sheets, config):
    """An uploaded workbook's tab has no spare column: the API refuses cells beyond the grid, so the same
    batch first appends the two columns; a tab with room is not widened."""
    sheet = fake_sheets.add_spreadsheet(KEY, {"BCHQS": EXISTING, "Công an": EXISTING})
    sheet.tab("BCHQS").grid["columnCount"] = len(EXISTING[0])
    init_sheet(open_fake(fake_sheets), config, retry=FAST)

    assert sheet.tab("BCHQS").rows == EXTENDED and sheet.tab("Công an").rows == EXTENDED
    assert sheet.tab("BCHQS").grid["columnCount"] == len(EXTENDED[0]) and sheet.tab("Công an").grid["columnCount"] == 26
    requests = fake_sheets.of_kind("batchUpdate")[0].body["requests"]
    widened = [r["appendDimension"] for r in requests if "appendDimension" in r]
    assert widened == [{"sheetId": sheet.tab("BCHQS").sheet_id, "dimension": "COLUMNS", "length": 2}]
    first_write = next(
        i
        for i, r in enumerate(requests)
        if r.get("updateCells", {}).get("start", {}).get("sheetId") == widened[0]["sheetId"]
    )
    assert requests.index({"appendDimension": widened[0]}) < first_write


def test_dropdowns_and_validations(fake_sheets, config):
    fake_sheets.add_spreadsheet(KEY, {})
    init_sheet(open_fake(fake_sheets), config, retry=FAST)
    tab_title = next(iter(config.organisations.values())).tab
    rules = rules_by_header(fake_sheets, tab_title)

    def choices(header: str) -> list[str]:
        condition = rules[header]["condition"]
        assert condition["type"] == "ONE_OF_LIST" and rules[header]["showCustomUi"]
        return [v["userEnteredValue"] for v in condition["values"]]

    assert choices("Xã") == [config.unit.whole_unit_label, *(c.name for c in config.unit.communes)]
    assert choices("Chương trình") == ["1", "2", "3", "4"]
    assert choices("Loại hoạt động") == [a.name for a in config.activity_types.values()]
    assert rules["Ngày"]["condition"] == {"type": "DATE_IS_VALID"}
    for measure in config.measures.values():
        assert rules[measure.name]["condition"] == {
            "type": "NUMBER_GREATER_THAN_EQ",
            "values": [{"userEnteredValue": "0"}],
        }
    assert {"Thôn", "Nội dung", "Đơn vị phối hợp"}.isdisjoint(rules)

    targets = rules_by_header(fake_sheets, config.settings.tabs.targets)
    assert set(targets) == set(TARGET_HEADERS)
    assert [v["userEnteredValue"] for v in targets["Xã"]["condition"]["values"]][0] == config.unit.whole_unit_label


def test_second_run_changes_nothing(fake_sheets, config):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": EXISTING})
    init_sheet(open_fake(fake_sheets), config, retry=FAST)
    state = [(t.properties, t.rows, t.validations) for t in fake_sheets.spreadsheets[KEY].tabs]
    fake_sheets.requests.clear()
    again = init_sheet(open_fake(fake_sheets), config, protect=False, retry=FAST)
    assert not again.changed and again.created == [] and len(again.unchanged) == len(config.organisations) + 1
    assert fake_sheets.count("batchUpdate") == 0
    assert [(t.properties, t.rows, t.validations) for t in fake_sheets.spreadsheets[KEY].tabs] == state
    assert "Không cần tạo tab nào" in again.summary()


def test_headers_are_raw_strings_never_formulas(fake_sheets, custom_config):
    fake_sheets.add_spreadsheet(KEY, {})
    init_sheet(open_fake(fake_sheets), custom_config, retry=FAST)
    (batch,) = fake_sheets.of_kind("batchUpdate")
    cells = [
        cell
        for request in batch.body["requests"]
        if "updateCells" in request
        for row in request["updateCells"]["rows"]
        for cell in row["values"]
    ]
    assert cells and all(set(cell["userEnteredValue"]) == {"stringValue"} for cell in cells)
    tab = fake_sheets.spreadsheets[KEY].tab("BCHQS")
    assert tab.values()[0][-1] == '=IMPORTRANGE("x";"A1")' and not tab.formulas


def test_protect_adds_one_protected_range_per_organisation_tab(fake_sheets, custom_config):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": EXISTING})
    init_sheet(open_fake(fake_sheets), custom_config, retry=FAST)
    fake_sheets.requests.clear()
    result = init_sheet(open_fake(fake_sheets), custom_config, protect=True, retry=FAST)

    organisation_tabs = [o.tab for o in custom_config.organisations.values()]
    assert result.created == [] and result.protected == organisation_tabs
    (batch,) = fake_sheets.of_kind("batchUpdate")
    assert {next(iter(r)) for r in batch.body["requests"]} == {"addProtectedRange"}
    sheet = fake_sheets.spreadsheets[KEY]
    (bchqs,) = sheet.tab("BCHQS").protected_ranges
    assert bchqs["editors"]["users"] == sorted(["quansu@example.org", "tro-ly@example.org", SERVICE_ACCOUNT])
    assert bchqs["range"] == {"sheetId": sheet.tab("BCHQS").sheet_id} and not bchqs["warningOnly"]
    assert sheet.tab("Công an").protected_ranges[0]["editors"]["users"] == [SERVICE_ACCOUNT]
    assert not sheet.tab(custom_config.settings.tabs.targets).protected_ranges
    assert sheet.tab("BCHQS").rows == EXTENDED
    assert any("Công an" in w and "editors" in w for w in result.warnings)

    fake_sheets.requests.clear()
    assert not init_sheet(open_fake(fake_sheets), custom_config, protect=True, retry=FAST).changed
    assert fake_sheets.count("batchUpdate") == 0


def test_new_tabs_and_protection_in_the_same_single_batch(fake_sheets, config):
    fake_sheets.add_spreadsheet(KEY, {})
    result = init_sheet(open_fake(fake_sheets), config, protect=True, retry=FAST)
    assert fake_sheets.count("batchUpdate") == 1 and len(result.protected) == len(config.organisations)
    assert all(fake_sheets.spreadsheets[KEY].tab(o.tab).protected_ranges for o in config.organisations.values())


def test_viewer_only_access_asks_for_editor(fake_sheets, config):
    fake_sheets.add_spreadsheet(KEY, {})
    fake_sheets.fail(403, kind="batchUpdate")
    with pytest.raises(SpreadsheetNotFound, match="Người chỉnh sửa") as caught:
        init_sheet(open_fake(fake_sheets), config, retry=FAST)
    assert SERVICE_ACCOUNT in caught.value.message
    assert [t.title for t in fake_sheets.spreadsheets[KEY].tabs] == []


def test_cli_init_sheet_and_template(fake_sheets, config, tmp_path, capsys, monkeypatch):
    fake_sheets.add_spreadsheet(KEY, {})
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(service_account_info()), encoding="utf-8")

    assert main(["init-sheet", "--source", URL, "--credentials", str(key_file), "--protect"]) == 0
    assert "Đã tạo" in capsys.readouterr().out
    assert [r.kind for r in fake_sheets.requests] == ["token", "get", "get", "batchUpdate"]
    (batch,) = fake_sheets.of_kind("batchUpdate")
    assert sum("addProtectedRange" in r for r in batch.body["requests"]) == len(config.organisations)
    assert main(["init-sheet", "--source", KEY, "--credentials", str(key_file)]) == 0
    assert "Không cần tạo tab nào" in capsys.readouterr().out and fake_sheets.count("batchUpdate") == 1

    monkeypatch.delenv("BCD502_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    assert main(["init-sheet", "--source", URL]) == 2
    assert "--credentials" in capsys.readouterr().err

    out = tmp_path / "mau.xlsx"
    assert main(["template", "--out", str(out), "--config", str(config.directory)]) == 0
    assert out.read_bytes()[:2] == b"PK" and "mẫu nhập liệu" in capsys.readouterr().out


def test_open_with_the_secrets_service_account(fake_sheets, config, monkeypatch):
    """The data-source page's admin button: credentials from secrets, no key file anywhere."""
    monkeypatch.delenv("BCD502_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    fake_sheets.add_spreadsheet(KEY, {})
    result = init_sheet(open_spreadsheet(URL, credentials_info=service_account_info()), config)
    assert sorted(result.created) == sorted([*config.organisation_tabs, config.settings.tabs.targets])
    assert fake_sheets.count("batchUpdate") == 1


def test_metadata_of_an_unexpected_shape_is_a_sheets_error(fake_sheets, config):
    fake_sheets.add_spreadsheet(KEY, {})
    spreadsheet = open_fake(fake_sheets)
    fake_sheets.fail(Canned(200, '{"sheets": [{"data": []}]}'), kind="get")
    with pytest.raises(SheetsError, match="không đúng dạng"):
        init_sheet(spreadsheet, config, retry=FAST)
    assert fake_sheets.count("batchUpdate") == 0
