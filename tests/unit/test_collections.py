"""Collections without a server: names are bounded and tidied, a name's claim is one per owner
and exact name, export files are named in plain ASCII, and an export's cells are the search
export's, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pydantic import ValidationError

from search.collections.models import MAX_NAME_CHARS, ArticleRef, CollectionIn
from search.collections.names import claim_id
from search.collections.store import export_filename
from search.http.csv_cells import UTF8_BOM
from search.http.export_rows import EXPORT_COLUMNS, export_text


def test_a_name_is_one_line_with_single_spaces() -> None:
    assert CollectionIn(name="  Dock \n  strike\t").name == "Dock strike"


@pytest.mark.parametrize("name", ["", "   ", "x" * (MAX_NAME_CHARS + 1)])
def test_a_blank_or_overlong_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        CollectionIn(name=name)


def test_a_name_claim_is_one_per_owner_and_exact_name() -> None:
    claims = {claim_id(owner, name) for owner in ("a", "b") for name in ("Leads", "leads", "Léads")}
    assert len(claims) == 6  # compared exactly, as the `name` keyword's term query compares
    assert claim_id("a", "Leads") == claim_id("a", "Leads")
    assert claim_id('a", "b', "c") != claim_id("a", 'b", "c')  # the pair stays a pair


def test_an_article_reference_is_bounded() -> None:
    with pytest.raises(ValidationError):
        ArticleRef(article_id="")
    with pytest.raises(ValidationError):
        ArticleRef(article_id="x" * 301)


def test_export_files_are_named_in_plain_ascii() -> None:
    assert export_filename("Sinn Féin leads", "csv") == "collection-sinn-fein-leads.csv"
    assert export_filename("«»", "ndjson") == "collection-articles.ndjson"


def test_an_export_has_the_search_export_columns_and_safe_cells() -> None:
    rows = [
        {"id": "a", "title": "=SUM(A1)", "persons": ["Kohl", "Chirac"]},
        {"id": "b", "title": "Plain"},
    ]
    text = export_text(rows, "csv")
    assert text.startswith(UTF8_BOM)
    read = list(csv.reader(io.StringIO(text.removeprefix(UTF8_BOM))))
    assert read[0] == list(EXPORT_COLUMNS)
    assert read[1][EXPORT_COLUMNS.index("title")] == "'=SUM(A1)"
    assert read[1][EXPORT_COLUMNS.index("persons")] == "Kohl; Chirac"
    lines = export_text(rows, "ndjson").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a", "b"]
    assert json.loads(lines[0])["title"] == "=SUM(A1)"  # JSON is data, not a spreadsheet
    assert export_text([], "ndjson") == ""
