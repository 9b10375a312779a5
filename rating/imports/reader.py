"""Reading CSV and XLSX files into rows, refusing what an office spreadsheet should never contain.

Rows are numbered as the spreadsheet numbers them: the header is line 1, the first record line 2.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowError:
    line: int  #: 0 for a problem with the whole file
    message: str

    def __str__(self) -> str:
        return _("第 %(line)d 行:%(message)s", line=self.line, message=self.message) if self.line else self.message


class ImportFailed(Exception):
    """Nothing was written; ``errors`` says why, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed([RowError(0, _("无法识别文件编码,请以 UTF-8 保存 CSV 文件。"))])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ImportFailed([RowError(0, _("CSV 格式错误:%(error)s", error=str(exc)))]) from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFailed([RowError(0, _("无法读取 XLSX 文件,请确认文件未损坏。"))]) from exc
    sheet = workbook.worksheets[0]
    rows, errors = [], []
    for line, row in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in row:
            if cell.data_type == "f":
                column = getattr(cell, "column_letter", "")
                errors.append(RowError(line, _("单元格 %(cell)s 含有公式,请粘贴为数值后再导入", cell=column)))
            values.append(_cell_text(cell.value))
        rows.append(values)
    workbook.close()
    if errors:
        raise ImportFailed(errors)
    return rows


def read_table(
    data: bytes,
    filename: str,
    required: list[str],
    optional: tuple[str, ...] = (),
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Table:
    """Read a CSV or XLSX upload; check size, header and row count. Raises ImportFailed."""
    if len(data) > max_bytes:
        raise ImportFailed([RowError(0, _("文件超过 %(mb)d MB 上限,请分批导入。", mb=max_bytes // (1024 * 1024)))])
    if not data.strip():
        raise ImportFailed([RowError(0, _("文件是空的。"))])
    raw = _read_raw(data, filename)
    if not raw or not any(cell.strip() for cell in raw[0]):
        raise ImportFailed([RowError(0, _("文件是空的。"))])
    columns = _header(raw[0], required, optional)
    table = Table(columns, _records(raw[1:], columns))
    if not table.rows:
        raise ImportFailed([RowError(0, _("文件只有表头,没有数据行。"))])
    if len(table.rows) > max_rows:
        raise ImportFailed([RowError(0, _("数据行超过 %(n)d 行上限,请分批导入。", n=max_rows))])
    return table


def _read_raw(data: bytes, filename: str) -> list[list[str]]:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        return _read_csv(data)
    if suffix == "xlsx":
        return _read_xlsx(data)
    raise ImportFailed([RowError(0, _("只接受 CSV 或 XLSX 文件。"))])


def _header(cells: list[str], required: list[str], optional: tuple[str, ...]) -> list[str]:
    """The column names of the first row; every required one present, none unknown."""
    columns = [cell.strip().lstrip("\ufeff").lower() for cell in cells]
    missing = [name for name in required if name not in columns]
    if missing:
        raise ImportFailed([RowError(1, _("缺少列:%(columns)s", columns=", ".join(missing)))])
    unknown = [name for name in columns if name and name not in required and name not in optional]
    if unknown:
        raise ImportFailed([RowError(1, _("无法识别的列:%(columns)s", columns=", ".join(unknown)))])
    return columns


def _records(lines: list[list[str]], columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Numbered records (the header is line 1); blank lines are skipped, overlong ones refused."""
    records, errors = [], []
    for line, values in enumerate(lines, start=2):
        if not any(value.strip() for value in values):
            continue  # blank lines are not records
        if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
            errors.append(RowError(line, _("该行的值多于表头的列数")))
            continue
        padded = [*values, *[""] * (len(columns) - len(values))]
        records.append((line, {name: padded[i].strip() for i, name in enumerate(columns) if name}))
    if errors:
        raise ImportFailed(errors)
    return records
