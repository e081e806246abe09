"""Drop-down lists in a written sheet: the words a person may type back into a column.

The sample sheet (WebIR抽查樣本) is returned by the auditor with 查核結果 filled; offering 正常/異常 as
an Excel list (data validation) keeps the word one the intake understands (pdgov.audit.intake),
instead of 無異常, OK or a typo that would refuse the whole file the next night.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pdgov.exports.excel import Column


def add_choices(ws, columns: Sequence[Column], choices: Mapping[str, Sequence[str]], rows: int) -> None:
    """A list validation on each ``choices`` column, over the sheet's data rows (at least one row).

    Works on a write-only sheet: openpyxl writes a sheet's validations when it closes it, at save.
    """
    keys = [c.key for c in columns]
    for key, words in choices.items():
        if key not in keys:
            continue
        letter = get_column_letter(keys.index(key) + 1)
        dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="查核結果", error="請選擇：" + "、".join(words))
        dv.add(f"{letter}2:{letter}{max(rows, 1) + 1}")
        ws.data_validations.append(dv)
