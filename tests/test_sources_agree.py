"""The same content read from the workbook and from (the fake) Google Sheets gives identical
Activities, Issues and indicators: both sources feed the same cleaning."""

import pandas as pd
from fake_sheets import service_account_info

from lib import indicators as ind
from lib.clean import wanted_tabs
from lib.loading import load_dataset
from lib.period import Period
from lib.source import WorkbookSource
from tests.conftest import DEMO

KEY = "1DemoDamRong502SpreadsheetKey0123456789"


def test_workbook_and_spreadsheet_agree(config, fake_sheets):
    raw = WorkbookSource(DEMO).fetch(wanted_tabs(config))
    fake_sheets.add_spreadsheet(KEY, {name: tab.values for name, tab in raw.tabs.items()})
    from_sheet = load_dataset(
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit",
        config,
        credentials_info=service_account_info(),
        use_snapshots=False,
    )
    from_file = load_dataset(str(DEMO), config)
    assert fake_sheets.count("batchGet") == 1
    pd.testing.assert_frame_equal(from_sheet.activities, from_file.activities)
    pd.testing.assert_frame_equal(from_sheet.issues, from_file.issues)
    pd.testing.assert_frame_equal(from_sheet.targets, from_file.targets)
    for period in (Period.year(2024), Period.year(2023), Period.half(2025, 1)):
        pd.testing.assert_frame_equal(
            ind.compare(from_sheet.activities, config, None, period, "commune"),
            ind.compare(from_file.activities, config, None, period, "commune"),
        )
    assert from_sheet.error_count == 4
