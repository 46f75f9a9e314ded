"""The learner's own data (course_utils.userdata): every bad file gets its one-line message,
good files are read, fitted into the view and written back out unchanged."""

import numpy as np
import pytest

from course_utils.userdata import (FIT_HALF_WIDTH, MAX_BYTES, MAX_ROWS, UserData, fit_to_view, from_arrays,
                                   parse_csv, to_csv)

GOOD = b"x1,x2,label\n0,0,0\n1,0,1\n0,2,1\n-1,-1,0\n"


def rows(n, label=lambda i: i % 2):
    return "".join(f"{i * 0.01},{-i * 0.02},{label(i)}\n" for i in range(n)).encode()


# file -> (task, words every message must hold). Each message names the file and, where a row is
# at fault, its line in the file (the header is line 1).
CORPUS = {
    "empty": (b"", "auto", ["f.csv is empty", "x1,x2,label"]),
    "blank lines only": (b"\n \n\n", "auto", ["f.csv is empty"]),
    "header only": (b"x1,x2,label\n", "auto", ["header", "no data rows"]),
    "two columns": (b"x1,x2,label\n1,2,0\n3,4\n", "auto", ["line 3", "expected 3 values", "found 2", "'3,4'"]),
    "four columns": (b"1,2,0\n3,4,1,7\n", "auto", ["line 2", "expected 3 values", "found 4"]),
    "semicolons": (b"1;2;0\n3;4;1\n", "auto", ["line 1", "separated by commas", "found 1"]),
    "text in x2": (b"x1,x2,label\n1,2,0\n1,abc,1\n", "auto", ["line 3", "column 2 (x2)", "'abc' is not a number"]),
    "text label": (b"1,2,cat\n3,4,dog\n", "auto", ["line 1", "column 3 (label)", "'cat' is not a number"]),
    "NaN": (b"x1,x2,label\n1,2,0\nnan,1,1\n", "auto", ["line 3", "column 1 (x1)", "not a finite number"]),
    "infinity": (b"1,2,0\n3,4,1\n5,inf,1\n", "auto", ["line 3", "column 2 (x2)", "inf", "not a finite number"]),
    "infinite label": (b"1,2,0\n3,4,-inf\n", "regression", ["line 2", "column 3 (label)", "not a finite"]),
    "one class": (b"1,2,1\n3,4,1\n5,6,1\n", "auto", ["every row has label 1", "at least two classes"]),
    "too many rows": (rows(MAX_ROWS + 1), "auto", [f"{MAX_ROWS + 1:,} data rows", "the limit is 5,000"]),
    "not a class": (b"1,2,0\n3,4,1\n5,6,0.5\n", "classification", ["line 3", "0.5 is not a class", "whole numbers",
                                                                 "numbers, for regression"]),
    "negative class": (b"1,2,0\n3,4,-1\n", "classification", ["line 2", "-1 is not a class"]),
    "gap in classes": (b"1,2,1\n3,4,2\n", "classification", ["no row has label 0", "0 ... K-1"]),
    "50 MB": (b"1,2,0\n" * (50_000_000 // 6 + 1), "auto", ["50.0 MB", "the limit is 1 MB", "Nothing was read"]),
    "latin-1": ("x1,x2,label\n1,2,0\n3,4,1 # caf\u00e9\n".encode("latin-1"), "auto",
                ["line 3", "0xe9", "not UTF-8", "UTF-8"]),
    "utf-16": ("1,2,0\n3,4,1\n".encode("utf-16"), "auto", ["line 1", "not UTF-8"]),
    "one row": (b"1,2,0\n", "regression", ["only 1 data row", "at least 2"]),
    "one point": (b"1,2,0\n1,2,1\n", "auto", ["same point (1, 2)"]),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_every_bad_file_gets_its_one_line_message(case):
    content, task, words = CORPUS[case]
    with pytest.raises(ValueError) as info:
        parse_csv(content, "f.csv", task=task)
    message = str(info.value)
    assert message.startswith("f.csv") and "\n" not in message and "Traceback" not in message
    for word in words:
        assert word in message, (case, message)


class _Unreadable:
    """A file of a given size whose bytes must not be touched (only its length is asked)."""

    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __bytes__(self):
        raise AssertionError("the file's bytes were read")

    def __getitem__(self, item):
        raise AssertionError("the file's bytes were read")


def test_a_file_over_the_size_limit_is_refused_unread():
    with pytest.raises(ValueError, match="the limit is 1 MB"):
        parse_csv(_Unreadable(50_000_000), "big.csv", task="auto")


def test_the_size_limit_is_checked_before_decoding():
    # Not UTF-8 and too large: the size speaks first, so nothing of it is decoded.
    with pytest.raises(ValueError, match="limit is 1 MB"):
        parse_csv(b"\xff" * (MAX_BYTES + 1), "big.csv")


def test_a_good_file_is_read_with_or_without_header():
    a = parse_csv(GOOD, "a.csv")
    b = parse_csv(GOOD.split(b"\n", 1)[1], "a.csv")
    for d in (a, b):
        assert (d.task, d.n_classes, d.rows) == ("classification", 2, 4)
        np.testing.assert_array_equal(d.y, [0, 1, 1, 0])
        assert d.y.dtype == np.int64 and d.X.dtype == np.float64 and d.X.shape == (4, 2)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.describe() == "uploaded: a.csv, 4 rows, 2 classes"


def test_blank_lines_spaces_and_a_byte_order_mark_are_fine():
    d = parse_csv(b"\xef\xbb\xbfx1, x2, label\n\n 0 , 0 ,0\n1,0, 1\r\n0,2,1\n\n", "b.csv")
    assert d.rows == 3 and d.task == "classification"


def test_coordinates_are_fitted_into_the_view_keeping_shapes():
    # A square of side 100 far from the origin becomes the square [-5, 5]^2, in the same order.
    X = np.array([[1000.0, 2000.0], [1100.0, 2000.0], [1000.0, 2050.0], [1100.0, 2100.0]])
    fitted, scale = fit_to_view(X)
    assert scale == pytest.approx(FIT_HALF_WIDTH / 50.0)
    np.testing.assert_allclose(fitted, [[-5, -5], [5, -5], [-5, 0], [5, 5]])
    # already fitted: kept exactly
    again, scale2 = fit_to_view(fitted)
    assert scale2 == 1.0 and np.array_equal(again, fitted)
    d = parse_csv(b"1000,2000,0\n1100,2000,1\n1000,2050,0\n1100,2100,1\n", "far.csv")
    np.testing.assert_allclose(d.X, fitted)
    assert any("scaled x0.1" in note for note in d.notes)


@pytest.mark.parametrize("labels, task, K", [
    ("0 1 1 0", "classification", 2),
    ("0 1 2 1", "classification", 3),
    ("0 1 0.5 1", "regression", 0),  # not all whole numbers: numbers
    ("0 4 2 1 3", "classification", 5),
    ("3 5 2 1", "regression", 0),  # 5 is beyond the classes 0-4
    ("1 2 1 2", "classification", None),  # whole numbers 0-4, but no class 0: an error, not a guess
])
def test_auto_reads_whole_numbers_0_to_4_as_classes_else_numbers(labels, task, K):
    content = "".join(f"{i},{i * i % 3},{lab}\n" for i, lab in enumerate(labels.split())).encode()
    if K is None:
        with pytest.raises(ValueError, match="no row has label 0"):
            parse_csv(content, "f.csv")
        assert parse_csv(content, "f.csv", task="regression").task == "regression"
        return
    d = parse_csv(content, "f.csv")
    assert (d.task, d.n_classes) == (task, K)
    assert "labels read as" in d.notes[0]


def test_regression_targets_are_scaled_to_minus_one_one():
    d = parse_csv(b"0,0,10\n1,0,-40\n0,1,20\n", "r.csv", task="regression")
    np.testing.assert_allclose(d.y, [0.25, -1.0, 0.5])
    assert "divided by 40" in "; ".join(d.notes)
    small = parse_csv(b"0,0,0.1\n1,0,-0.4\n0,1,0.2\n", "r.csv")
    np.testing.assert_array_equal(small.y, [0.1, -0.4, 0.2])


@pytest.mark.parametrize("content, task", [(GOOD, "auto"), (b"3,1,0\n-7,2,2\n0.1,9,1\n5,5,0\n", "auto"),
                                           (b"0,0,10.5\n1,0,-40\n0,1,20\n", "regression")])
def test_what_to_csv_writes_reads_back_to_the_same_arrays(content, task):
    d = parse_csv(content, "d.csv", task=task)
    back = parse_csv(to_csv(d), "d.csv", task=task)
    assert back.X.tobytes() == d.X.tobytes() and back.y.tobytes() == d.y.tobytes()
    assert (back.task, back.n_classes) == (d.task, d.n_classes)
    assert not any("scaled" in n or "divided" in n for n in back.notes)  # nothing done twice


def test_arrays_get_the_same_checks_naming_the_row():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    d = from_arrays(X, y)
    assert isinstance(d, UserData) and d.rows == 30 and d.name == "your data"
    X[7, 1] = np.nan
    with pytest.raises(ValueError, match=r"row 8, column 2 \(x2\)"):
        from_arrays(X, y)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        from_arrays(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="at least two classes"):
        from_arrays(np.eye(2), [1, 1])
    with pytest.raises(ValueError, match="Choose one of: auto, classification, regression"):
        from_arrays(np.eye(2), [0, 1], task="softmax")


def test_there_are_as_many_classes_as_the_pictures_tell_apart():
    from course_utils.plots.style import CLASS_PALETTE
    from course_utils.userdata import MAX_CLASSES

    assert MAX_CLASSES == len(CLASS_PALETTE)
