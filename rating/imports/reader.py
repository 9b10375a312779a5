"""Reading CSV and XLSX files into rows, refusing what an office spreadsheet should never contain.

Rows are numbered as the spreadsheet numbers them: the header is line 1, the first record line 2.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask import current_app
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from rating.exports import FORMULA_STARTS
from rating.imports.vocab import COLUMN_HEADINGS, COLUMN_WORDS

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
#: What an XLSX may unpack to: 100,000 records of an office workbook unpack to about 20 MB.
DEFAULT_MAX_UNPACKED = 100 * 1024 * 1024
#: Columns read from an XLSX row; our files have fewer than ten, and a cell far to the right must not make every
#: row thousands of cells wide.
MAX_COLUMNS = 64


@dataclass(frozen=True)
class RowError:
    line: int  #: 0 for a problem with the whole file
    message: str
    #: The post the row is about ("DT-001 婚姻登记窗口岗"), once its code was found: people know their posts by name.
    subject: str = ""

    def __str__(self) -> str:
        if not self.line:
            return self.message
        if self.subject:
            return _(
                "第 %(line)d 行(%(subject)s):%(message)s", line=self.line, subject=self.subject, message=self.message
            )
        return _("第 %(line)d 行:%(message)s", line=self.line, message=self.message)


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


def _read_csv(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise ImportFailed([RowError(0, _("CSV 格式错误:%(error)s", error=str(exc)))]) from exc


def _unreadable_xlsx() -> ImportFailed:
    return ImportFailed([RowError(0, _("无法读取 XLSX 文件,请确认文件未损坏。"))])


def _check_unpacked_size(data: bytes, max_unpacked: int) -> None:
    """Refuse a workbook whose parts unpack to more than ``max_unpacked`` bytes before any XML is parsed (a zip
    bomb: a small file that expands to hundreds of megabytes). The sizes are the archive's own; Python's zipfile
    never inflates an entry beyond its stated size, so a lying archive fails its checksum instead."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable_xlsx() from exc
    if unpacked > max_unpacked:
        raise ImportFailed(
            [RowError(0, _("XLSX 文件解压后超过 %(mb)d MB 上限,已拒绝读取。", mb=max_unpacked // (1024 * 1024)))]
        )


def _read_xlsx(data: bytes, max_unpacked: int) -> Iterator[list[str]]:
    """The first sheet's rows, read one at a time (openpyxl's read-only mode), at most ``MAX_COLUMNS`` wide."""
    _check_unpacked_size(data, max_unpacked)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _unreadable_xlsx() from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS):
            yield [_FormulaCell(cell) if cell.data_type == "f" else _cell_text(cell.value) for cell in row]
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise _unreadable_xlsx() from exc
    finally:
        workbook.close()


class _FormulaCell(str):
    """A cell holding a formula: refused, naming its column."""

    def __new__(cls, cell):
        text = super().__new__(cls, str(cell.value or ""))
        text.column = getattr(cell, "column_letter", "")
        return text


def _screened(line: int, values: list[str], errors: list[RowError]) -> list[str]:
    """A record's cells as text. Formulas are refused (XLSX formula cells, and text beginning with ``=``, which a
    spreadsheet would run); other text beginning with ``+ - @`` is plain text (a phone number, a negative score).
    The apostrophe our downloads put before such text (see ``rating.exports.safe_cell``) is removed again, so a
    downloaded template goes back in unchanged."""
    screened = []
    for index, value in enumerate(values):
        if isinstance(value, _FormulaCell) or value.lstrip().startswith("="):
            column = getattr(value, "column", "") or get_column_letter(index + 1)
            errors.append(RowError(line, _("单元格 %(cell)s 含有公式,请粘贴为数值后再导入", cell=column)))
        elif value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
            value = value[1:]
        screened.append(str(value))
    return screened


@dataclass(frozen=True)
class Limits:
    """How much an import may hold: the file's bytes, an XLSX's unpacked bytes, and its records."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_unpacked: int = DEFAULT_MAX_UNPACKED

    @classmethod
    def configured(cls) -> "Limits":
        """The limits the settings give (``IMPORT_MAX_BYTES``, ``IMPORT_MAX_ROWS``, ``IMPORT_MAX_UNPACKED_BYTES``)."""
        config = current_app.config
        return cls(config["IMPORT_MAX_BYTES"], config["IMPORT_MAX_ROWS"], config["IMPORT_MAX_UNPACKED_BYTES"])


def read_table(
    data: bytes, filename: str, required: list[str], optional: tuple[str, ...] = (), limits: Limits | None = None
) -> Table:
    """Read a CSV or XLSX upload; check size, header and row count while reading. Raises ImportFailed."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        megabytes = limits.max_bytes // (1024 * 1024)
        raise ImportFailed([RowError(0, _("文件超过 %(mb)d MB 上限,请分批导入。", mb=megabytes))])
    if not data.strip():
        raise ImportFailed([RowError(0, _("文件是空的。"))])
    lines = _read_raw(data, filename, limits)
    first = next(lines, None)
    if not first or not any(cell.strip() for cell in first):
        raise ImportFailed([RowError(0, _("文件是空的。"))])
    columns = _header(first, required, optional)
    table = Table(columns, _records(lines, columns, limits.max_rows))
    if not table.rows:
        raise ImportFailed([RowError(0, _("文件只有表头,没有数据行。"))])
    return table


def _read_raw(data: bytes, filename: str, limits: Limits) -> Iterator[list[str]]:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        return _read_csv(data)
    if suffix == "xlsx":
        return _read_xlsx(data, limits.max_unpacked)
    raise ImportFailed([RowError(0, _("只接受 CSV 或 XLSX 文件。"))])


def _header(cells: list[str], required: list[str], optional: tuple[str, ...]) -> list[str]:
    """The column names of the first row (a Chinese heading of our templates stands for its column, see
    ``vocab.COLUMN_HEADINGS``); every required one present, none unknown."""
    columns = [str(cell).strip().lstrip("\ufeff") for cell in cells]
    columns = [COLUMN_WORDS.get(name, name.lower()) for name in columns]
    missing = [COLUMN_HEADINGS.get(name, name) for name in required if name not in columns]
    if missing:
        raise ImportFailed([RowError(1, _("缺少列:%(columns)s", columns=", ".join(missing)))])
    unknown = [name for name in columns if name and name not in required and name not in optional]
    if unknown:
        raise ImportFailed([RowError(1, _("无法识别的列:%(columns)s", columns=", ".join(unknown)))])
    return columns


def _records(lines: Iterator[list[str]], columns: list[str], max_rows: int) -> list[tuple[int, dict[str, str]]]:
    """Numbered records (the header is line 1); blank lines are skipped, overlong ones refused. Reading stops at
    the first record past ``max_rows``, so an oversized file is refused without being read to its end."""
    records, errors, count = [], [], 0
    for line, raw in enumerate(lines, start=2):
        if not any(value.strip() for value in raw):
            continue  # blank lines are not records
        count += 1
        if count > max_rows:
            raise ImportFailed([RowError(0, _("数据行超过 %(n)d 行上限,请分批导入。", n=max_rows))])
        values = _screened(line, raw, errors)
        if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
            errors.append(RowError(line, _("该行的值多于表头的列数")))
            continue
        padded = [*values, *[""] * (len(columns) - len(values))]
        records.append((line, {name: padded[i].strip() for i, name in enumerate(columns) if name}))
    if errors:
        raise ImportFailed(errors)
    return records
