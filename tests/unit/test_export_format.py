"""What an export writes: cells a spreadsheet cannot run, and a file name from the search."""

from __future__ import annotations

import pytest

from search.api.routes.search import csv_cell, export_filename
from search.query.request import SearchRequest


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        (["=cmd", "Kim Jong-un"], "'=cmd; Kim Jong-un"),
        ("Sinn Féin", "Sinn Féin"),
        ("Kim Jong-un", "Kim Jong-un"),
        (None, ""),
    ],
)
def test_formula_like_cells_start_with_a_quote(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    ("req", "name"),
    [
        (SearchRequest(q='"Sinn Féin" election'), "newsroom-sinn-fein-election.csv"),
        (SearchRequest(q="", filters={"person": ["김정은"]}), "newsroom-gimjeongeun.csv"),
        (SearchRequest(), "newsroom-all.csv"),
        (SearchRequest(q="../../etc/passwd\r\n"), "newsroom-etc-passwd.csv"),
        (SearchRequest(q="x" * 300), "newsroom-" + "x" * 60 + ".csv"),
    ],
)
def test_the_file_is_named_after_the_search(req: SearchRequest, name: str) -> None:
    assert export_filename(req, "csv") == name
