"""Agency names, not only codes, in every workbook sheet (issue 18): a reader sees 臺北市政府人事處, not
379130000C alone. Declared in ``pdgov.exports.sheets``; checked here on the declarations, so a sheet
added later without the name fails at once."""

from __future__ import annotations

from pdgov.exports.sheets import AGENCY, AGENCY_NAME, LOOKUPS, SHEETS


def test_every_sheet_with_an_agency_code_shows_the_name_beside_it():
    lacking = [s.title for s in SHEETS if AGENCY in s.columns and AGENCY_NAME not in s.columns]
    assert lacking == []
    beside = [s.title for s in SHEETS if AGENCY in s.columns
              and s.columns.index(AGENCY_NAME) != s.columns.index(AGENCY) + 1]
    assert beside == []


def test_sheets_without_an_agency_column_are_city_wide():
    assert [s.title for s in SHEETS if AGENCY not in s.columns and not s.citywide] == []


def test_the_name_comes_from_the_agency_list():
    assert LOOKUPS["agency_name"] == ("city_agencies", "agency_code", "agency_name")
