"""Reading spreadsheets: header checks, row numbering, limits, and the SPEC §7 vocabulary."""

import pytest

from rating import create_app
from rating.imports.reader import ImportFailed, Limits, read_table
from rating.imports.vocab import CATEGORIES, CHANNELS, FINDINGS, GRADES, UNIT_KINDS, split_items, to_code


@pytest.fixture(autouse=True)
def _ctx(tmp_path):
    # Messages are translated through Flask-Babel, so an app context is needed (no database is touched).
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        yield


def test_rows_are_numbered_like_the_spreadsheet_and_blank_lines_skipped():
    table = read_table(b"a,b\n1,2\n\n3,4\n", "f.csv", ["a", "b"])
    assert [line for line, _ in table.rows] == [2, 4]
    assert table.rows[1][1] == {"a": "3", "b": "4"}


def test_header_is_case_and_space_insensitive_and_bom_tolerant():
    table = read_table("\ufeff Code ,B\nx,y\n".encode(), "f.csv", ["code", "b"])
    assert table.rows[0][1]["code"] == "x"


def test_unknown_columns_are_refused():
    with pytest.raises(ImportFailed, match="无法识别的列"):
        read_table(b"a,zzz\n1,2\n", "f.csv", ["a"])


def test_optional_columns_are_allowed():
    table = read_table(b"a,note\n1,2\n", "f.csv", ["a"], optional=("note",))
    assert table.rows[0][1] == {"a": "1", "note": "2"}


def test_a_row_longer_than_the_header_is_reported_with_its_line():
    with pytest.raises(ImportFailed) as error:
        read_table(b"a,b\n1,2\n1,2,3\n", "f.csv", ["a", "b"])
    assert [e.line for e in error.value.errors] == [3]


def test_size_and_row_limits():
    with pytest.raises(ImportFailed, match="MB"):
        read_table(b"a\n" + b"1\n" * 100, "f.csv", ["a"], limits=Limits(max_bytes=50))
    with pytest.raises(ImportFailed, match="上限"):
        read_table(b"a\n" + b"1\n" * 11, "f.csv", ["a"], limits=Limits(max_rows=10))


def test_a_50_megabyte_file_is_refused_before_parsing():
    with pytest.raises(ImportFailed, match="50 MB"):
        read_table(b"a\n" + b"x" * (50 * 1024 * 1024), "big.csv", ["a"])


@pytest.mark.parametrize(
    ("vocabulary", "label", "code"),
    [
        (UNIT_KINDS, "驻市省属机关", "provincial"),
        (GRADES, "基本称职", "basically_competent"),
        (FINDINGS, "部分属实", "partly"),
        (CATEGORIES, "违规违纪", "discipline"),
        (CHANNELS, "来信", "letter"),
    ],
)
def test_labels_and_codes_both_map_to_the_code(vocabulary, label, code):
    assert to_code(label, vocabulary) == code
    assert to_code(code.upper(), vocabulary) == code
    assert to_code("nonsense", vocabulary) is None


def test_split_items_accepts_line_breaks_and_semicolons():
    assert split_items("甲；乙;丙\n丁\r\n戊\n\n") == ["甲", "乙", "丙", "丁", "戊"]
