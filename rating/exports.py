"""Spreadsheet downloads: CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX, as Flask responses."""

import csv
import io
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

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


def xlsx_bytes(header: list[str], rows, notes: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([safe_cell(name) for name in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, min(40, len(name) * 2 + 4))
    if notes:
        help_sheet = book.create_sheet("说明")
        for note in notes:
            help_sheet.append([safe_cell(note)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, header: list[str], rows, notes: list[str] | None = None) -> Response:
    return Response(
        xlsx_bytes(header, rows, notes), mimetype=XLSX_TYPE, headers={"Content-Disposition": _disposition(filename)}
    )
