"""Spreadsheet downloads: CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX, as Flask responses."""

import csv
import io
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


#: A text cell beginning with one of these is run by a spreadsheet as a formula (or starts one after a tab or CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """What is written to a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe, whatever follows it (``-1+cmd|…`` as much as ``=HYPERLINK(…)``), so a download never executes
    anything. Numbers stay numbers: only text is neutralised, so a negative score is still a number."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def csv_response(filename: str, header: list[str], rows) -> Response:
    return Response(
        csv_text(header, rows), mimetype="text/csv", headers={"Content-Disposition": _disposition(filename)}
    )


#: Rows below the data that a column's drop-down still covers (a holder's second row added by hand).
CHOICE_SPARE_ROWS = 200


def _choices(sheet, column: int, words: list[str], rows: int) -> None:
    """A drop-down of ``words`` on a column's data cells (openpyxl data validation). Other values stay allowed (a
    score where the column also takes one): the list offers, the import checks."""
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
    validation.showErrorMessage = False
    validation.add(f"{letter}2:{letter}{rows + 1 + CHOICE_SPARE_ROWS}")
    sheet.add_data_validation(validation)


def xlsx_bytes(
    header: list[str],
    rows,
    notes: list[str] | None = None,
    *,
    title: str | None = None,
    choices: dict[int, list[str]] | None = None,
) -> bytes:
    """A workbook of one table: the bold header, the rows, and ``notes`` on a second sheet (说明). ``title`` names
    the sheet (at most 31 characters, as Excel allows); ``choices`` maps a column (1 = A) to its drop-down words."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.title = title[:31]
    sheet.append([safe_cell(name) for name in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for column, words in (choices or {}).items():
        _choices(sheet, column, words, sheet.max_row - 1)
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, min(40, len(name) * 2 + 4))
    if notes:
        help_sheet = book.create_sheet("说明")
        for note in notes:
            help_sheet.append([safe_cell(note)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, header: list[str], rows, notes: list[str] | None = None, **sheet) -> Response:
    """An XLSX download; ``sheet`` passes ``title`` and ``choices`` on to ``xlsx_bytes``."""
    return Response(
        xlsx_bytes(header, rows, notes, **sheet),
        mimetype=XLSX_TYPE,
        headers={"Content-Disposition": _disposition(filename)},
    )
