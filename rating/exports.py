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


def _safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed, so a download can never execute anything."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not value[1:2].isdigit():
        return "'" + value
    return value


def csv_text(header: list[str], rows) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return buffer.getvalue()


def csv_response(filename: str, header: list[str], rows) -> Response:
    return Response(
        csv_text(header, rows), mimetype="text/csv", headers={"Content-Disposition": _disposition(filename)}
    )


def xlsx_bytes(header: list[str], rows, notes: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, min(40, len(name) * 2 + 4))
    if notes:
        help_sheet = book.create_sheet("说明")
        for note in notes:
            help_sheet.append([note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, header: list[str], rows, notes: list[str] | None = None) -> Response:
    return Response(
        xlsx_bytes(header, rows, notes), mimetype=XLSX_TYPE, headers={"Content-Disposition": _disposition(filename)}
    )
