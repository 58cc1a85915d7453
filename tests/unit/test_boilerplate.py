"""Boilerplate rules: each drops its furniture and leaves look-alike news lines alone."""

from __future__ import annotations

import gzip
import json

import pytest

from search.ingest.boilerplate import RULES, clean, rule_for_line
from tests.conftest import FIXTURES, corpus

SEED = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
SEED_FURNITURE = {
    "JOIN US ON TELEGRAM": "social_call_to_action",
    "Follow our coverage of the war on the @Kyivpost_official.": "follow_coverage",
    "A Rapid Ceasefire in Ukraine Could Lead Trump into a Russian Trap": "teaser_headline",
    "You can also highlight the text and press Ctrl + Enter": "typo_report",
}

POSITIVES = [
    ("follow_coverage", "Follow our coverage of the war on the @Kyivpost_official."),
    ("follow_coverage", "Follow our live coverage of the election here"),
    ("social_call_to_action", "JOIN US ON TELEGRAM"),
    ("social_call_to_action", "Join our WhatsApp channel for breaking news"),
    ("social_call_to_action", "Follow us on X and Facebook"),
    ("social_call_to_action", "Subscribe to our YouTube channel"),
    ("social_call_to_action", "Like us on Facebook"),
    ("typo_report", "You can also highlight the text and press Ctrl + Enter"),
    ("typo_report", "If you found an error, select it and press Ctrl+Enter to tell us."),
    ("typo_report", "Spotted a typo? Let us know."),
    ("read_more", "Read more: Russia launches drone attack on Kyiv"),
    ("read_more", "READ ALSO - Ukraine's energy grid under strain"),
    ("read_more", "Read also"),
    ("chart_legend", "██ Harbour Party - 312 seats"),
    ("read_more", "Related: How the Kursk incursion unfolded"),
    ("read_more", "• See also: Zelensky offers prisoner swap"),
    ("share_prompt", "Share this article"),
    ("share_prompt", "Share on Facebook"),
    ("share_prompt", "Share | Tweet | Email"),
    ("newsletter", "Sign up for our newsletter"),
    ("newsletter", "Get the day's science stories in your inbox every morning."),
    ("subscribe_prompt", "Click here to subscribe"),
    ("subscribe_prompt", "Support independent journalism in Ukraine"),
    ("advertisement", "Advertisement"),
    ("advertisement", "- ADVERTISEMENT -"),
    ("advertisement", "Story continues below advertisement"),
    ("copyright", "© 2025 Kyiv Post. All rights reserved."),
    ("copyright", "Copyright 2019 The Associated Press"),
    ("copyright", "(c) 2004 Reuters Limited"),
    ("photo_credit", "Photo: Ukraine's Security Service (SBU)"),
    ("photo_credit", "Image: Wikimedia Commons"),
    ("photo_credit", "Photo by Genya Savilov/AFP"),
    ("photo_credit", "Soldiers at a checkpoint near Kursk / Getty Images"),
]

NEGATIVES = [
    # News sentences that share words with the rules.
    "Follow-up talks are planned for Monday, officials said.",
    "Zelensky said Ukraine would follow the ceasefire talks closely.",
    "Telegram founder Pavel Durov was detained in France.",
    "The ministry posted the video on its Telegram channel on Monday.",
    "Read the full statement on the ministry's website, the spokesman said, adding nothing.",
    "Related talks in Geneva ended without agreement.",
    "She shared the article with colleagues before it was published.",
    "Advertising revenue fell 8% in the quarter, the company said.",
    "Copyright law in the EU was reformed in 2019.",
    "Photographs showed the aircraft, sans wings, with the cockpit buried within a house.",
    "(c) the company shall repay the loan by 2026",
    "Subscribers to the newsletter fell by half, its editor said.",
    # Wire copy wraps lines; continuations start in lower case.
    "read more than 50 pct of the reports, the official said",
    "sign up for the programme before March 31, the bank said.",
    # Furniture-like words inside long prose.
    "Click here was the name of a 1990s campaign that the agency revived this year to promote "
    "online banking among older customers, according to people familiar with the plans.",
    # Structure lines of real articles.
    "Preston, Victoria, Australia",
    "Tuesday, May 21, 2019",
    "WASHINGTON, Feb 26",
    "((WN)) How did you come to be involved with this discovery?",
]


@pytest.mark.parametrize(("rule", "line"), POSITIVES)
def test_each_rule_drops_its_furniture(rule: str, line: str) -> None:
    assert rule_for_line(line) == rule


@pytest.mark.parametrize("line", NEGATIVES)
def test_news_lines_that_look_like_furniture_are_kept(line: str) -> None:
    assert rule_for_line(line) is None


def test_every_rule_has_a_positive_example() -> None:
    assert {rule.name for rule in RULES} == {rule for rule, _ in POSITIVES}


def test_seed_article_loses_its_furniture_and_nothing_else() -> None:
    cleaned = clean(SEED, title=None)
    for furniture in (
        "JOIN US ON TELEGRAM",
        "Follow our coverage",
        "Ctrl + Enter",
        "A Rapid Ceasefire in Ukraine Could Lead Trump into a Russian Trap",
    ):
        assert furniture not in cleaned.text
    kept = cleaned.text.split("\n")
    for line in SEED.split("\n"):
        if line not in SEED_FURNITURE:
            assert line in kept
    assert dict(zip(cleaned.removed, cleaned.rules, strict=True)) == SEED_FURNITURE


def test_kept_lines_stay_in_their_order() -> None:
    expected = [line for line in SEED.split("\n") if line not in SEED_FURNITURE]
    assert clean(SEED).text.split("\n") == expected


PROSE_A = (
    "Zelensky said in a Sunday social media update that Kyiv is ready to talk to North Korean "
    "leader Kim Jong-un to exchange the captured soldiers."
)
PROSE_B = (
    "Lee Seong-kweun, one of the lawmakers who attended the briefing, said North Korean troops "
    "struggle with drones and other elements of modern warfare."
)
TEASER = "A Rapid Ceasefire in Ukraine Could Lead Trump into a Russian Trap"


def test_teaser_between_prose_paragraphs_goes_with_one_blank_line() -> None:
    body = f"{PROSE_A}\n\n{TEASER}\n\n{PROSE_B}"
    cleaned = clean(body)
    assert cleaned.text == f"{PROSE_A}\n\n{PROSE_B}"
    assert cleaned.rules == ["teaser_headline"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"{TEASER}\n{PROSE_A}\n{PROSE_B}", id="first line may be the headline"),
        pytest.param(f"{PROSE_A}\n{TEASER}.\n{PROSE_B}", id="ends with sentence punctuation"),
        pytest.param(f"{PROSE_A}\n“{TEASER}”\n{PROSE_B}", id="a quotation"),
        pytest.param(f"{PROSE_A}\n{TEASER}\nShort line", id="not between prose"),
        pytest.param(
            f"{PROSE_A}\nRapid ceasefire could lead to a trap\n{PROSE_B}",
            id="sentence case, not title case",
        ),
        pytest.param(f"{PROSE_A}\nPreston, Victoria, Australia\n{PROSE_B}", id="place line"),
        pytest.param(f"{PROSE_A}\nTuesday, May 21, 2019\n{PROSE_B}", id="dateline"),
        pytest.param(f"{PROSE_A}\n—Sabrina Bennoui, of RSF\n{PROSE_B}", id="attribution"),
        pytest.param(
            f"{PROSE_A}\nTOO FAST TOO FURIOUS (DIGITAL BRIDGES)\n{PROSE_B}", id="label in capitals"
        ),
        pytest.param(
            "Sweden defeated South Korea 1 – 0 in Nizhny Novgorod on the fifth day of the cup.\n\n"
            "Group F — Sweden 1 – 0 Korea Republic\n\n"
            "In the first game of the day, Sweden faced South Korea at the Nizhny Novgorod "
            "Stadium.",
            id="section heading about the next paragraph",
        ),
    ],
)
def test_lines_that_are_not_teasers_are_kept(body: str) -> None:
    assert clean(body).removed == []


def test_a_line_repeating_the_title_is_not_a_teaser() -> None:
    body = f"{PROSE_A}\n{TEASER}\n{PROSE_B}"
    assert clean(body, title=TEASER).removed == []
    assert clean(body).removed == [TEASER]


def test_text_without_furniture_is_returned_unchanged() -> None:
    body = f"{PROSE_A}\n\n{PROSE_B}\n"
    assert clean(body).text == body


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["wikinews-en", "reuters21578", "bbc_news"])
def test_real_corpora_lose_no_line(name: str) -> None:
    """These corpora were cleaned when converted, but for chart keys and Wikinews' closing
    furniture (sources, categories): any other removal there would be a false positive."""
    removed: list[tuple[str, str]] = []
    with gzip.open(corpus(f"{name}.ndjson.gz"), "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            cleaned = clean(record["body"], title=record.get("title"))
            pairs = zip(cleaned.removed, cleaned.rules, strict=True)
            for text, rule in pairs:
                if rule == "chart_legend":
                    assert text.startswith("█"), text
                elif rule != "page_footer":
                    removed.append((record["id"], text))
    assert removed == []
