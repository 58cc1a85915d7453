"""Name normalisation of a whole article: the steps together, from model spans to mentions."""

from __future__ import annotations

from search.entities.normalize import NormalizedMention, folding_key, normalize_mentions


def span_of(text: str, surface: str, label: str, occurrence: int = 0) -> tuple[int, int, str]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface), label


def by_text(mentions: list[NormalizedMention]) -> dict[str, NormalizedMention]:
    return {m.text: m for m in mentions}


def test_short_person_mentions_resolve_to_the_one_full_name_they_abbreviate() -> None:
    text = "Koo Byoung-sam spoke. Later Koo said more. Volodymyr Zelensky agreed, Zelensky said."
    spans = [
        span_of(text, "Koo Byoung-sam", "PERSON"),
        span_of(text, "Koo", "PERSON", 1),
        span_of(text, "Volodymyr Zelensky", "PERSON"),
        span_of(text, "Zelensky", "PERSON", 1),
    ]
    names = [(m.text, m.name) for m in normalize_mentions(text, spans)]
    assert ("Koo", "Koo Byoung-sam") in names
    assert ("Zelensky", "Volodymyr Zelensky") in names


def test_a_short_name_shared_by_two_people_is_left_alone() -> None:
    text = "Lee Jae-myung and Lee Seong-kweun met. Lee said nothing."
    spans = [
        span_of(text, "Lee Jae-myung", "PERSON"),
        span_of(text, "Lee Seong-kweun", "PERSON"),
        span_of(text, "Lee", "PERSON", 2),
    ]
    mentions = normalize_mentions(text, spans)
    assert ("Lee", "Lee") in [(m.text, m.name) for m in mentions]


def test_mentions_keep_offsets_into_the_text() -> None:
    text = "Seoul’s National Intelligence Service (NIS) said North Korea’s troops left Kyiv."
    spans = [
        span_of(text, "Seoul’s National Intelligence Service", "ORG"),
        span_of(text, "NIS", "ORG"),
        span_of(text, "North Korea’s", "GPE"),
        span_of(text, "Kyiv", "PERSON"),
    ]
    mentions = normalize_mentions(text, spans)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    found = by_text(mentions)
    assert (found["Seoul"].type, found["Seoul"].country) == ("location", "South Korea")
    assert found["NIS"].name == "National Intelligence Service"
    assert found["North Korea"].name == "North Korea"
    assert found["Kyiv"].type == "location"


def test_a_name_the_model_found_once_is_found_again() -> None:
    text = "Anatoly Vereshchagin arrived. Officials said Vereshchagin would stay in Kazan."
    spans = [span_of(text, "Anatoly Vereshchagin", "PERSON"), span_of(text, "Kazan", "GPE")]
    found = by_text(normalize_mentions(text, spans))
    assert found["Vereshchagin"].name == "Anatoly Vereshchagin"


def test_a_dateline_names_a_place_even_when_the_model_saw_a_person() -> None:
    text = "KHOROG, Tajikistan, March 3 -\nTroops took Khorog on Friday."
    spans = [span_of(text, "KHOROG", "PERSON"), span_of(text, "Khorog", "PERSON", 0)]
    mentions = normalize_mentions(text, spans)
    assert {m.type for m in mentions if folding_key(m.text) == "khorog"} == {"location"}


def test_words_of_an_all_caps_line_are_not_names() -> None:
    text = "JOIN US ON TELEGRAM\nThe US said so."
    spans = [span_of(text, "US", "GPE"), span_of(text, "US", "GPE", 1)]
    mentions = normalize_mentions(text, spans)
    assert [m.start for m in mentions] == [text.index("US", text.index("\n"))]


def test_the_office_in_a_job_title_is_not_an_agency() -> None:
    text = "US Secretary of State Mike Pompeo spoke."
    spans = [span_of(text, "State", "ORG"), span_of(text, "Mike Pompeo", "PERSON")]
    assert [m.text for m in normalize_mentions(text, spans)] == ["Mike Pompeo"]


def test_a_state_named_like_a_country_takes_the_country_of_the_other_places() -> None:
    text = "Farmers in Georgia and Alabama expect rain; Georgia growers agree."
    spans = [span_of(text, "Georgia", "GPE"), span_of(text, "Alabama", "GPE")]
    spans.append(span_of(text, "Georgia", "GPE", 1))
    georgia = [m for m in normalize_mentions(text, spans) if m.text == "Georgia"]
    assert {m.country for m in georgia} == {"United States"}


def test_agency_keys_fold_the_legal_form_and_display_names_keep_it() -> None:
    text = "Zellweger Motors Corp said on Monday that Zellweger Motors would cut jobs."
    spans = [
        span_of(text, "Zellweger Motors Corp", "ORG"),
        span_of(text, "Zellweger Motors", "ORG", 1),
    ]
    mentions = normalize_mentions(text, spans)
    assert [m.key for m in mentions] == ["zellweger motors", "zellweger motors"]
    assert mentions[0].name == "Zellweger Motors Corp"


def test_wire_figures_at_the_end_of_a_span_are_cut() -> None:
    text = "The U.S. Dlrs rose."
    (mention,) = normalize_mentions(text, [span_of(text, "U.S. Dlrs", "PERSON")])
    assert (mention.text, mention.type) == ("U.S.", "location")


def test_a_one_word_name_only_ever_after_the_is_no_person() -> None:
    from search.entities.normalize import without_determined_persons
    from search.entities.spans import Candidate

    text = "Ministers stood by the Plaza accord. Later Hanson said the Hanson plan would work."
    plaza = text.index("Plaza")
    first, second = text.index("Hanson"), text.rindex("Hanson")
    candidates = [
        Candidate(plaza, plaza + 5, "person"),
        Candidate(first, first + 6, "person"),
        Candidate(second, second + 6, "person"),
    ]
    kept = without_determined_persons(text, candidates)
    assert [text[c.start : c.end] for c in kept] == ["Hanson", "Hanson"]


def test_parts_of_one_firms_name_are_one_agency() -> None:
    from search.entities.normalize import joined_firm_names
    from search.entities.spans import Candidate

    def spans(text: str, *pieces: tuple[str, str]) -> list[Candidate]:
        out, at = [], 0
        for surface, type_ in pieces:
            at = text.index(surface, at)
            out.append(Candidate(at, at + len(surface), type_))  # type: ignore[arg-type]
            at += len(surface)
        return out

    def named(text: str, found: list[Candidate]) -> list[tuple[str, str | None]]:
        return [(text[c.start : c.end], c.type) for c in found]

    text = "Gray and Pettit said it cut the rating. Banco do Lago will lend."
    found = joined_firm_names(
        text,
        spans(
            text, ("Gray", "agency"), ("Pettit", "person"), ("Banco", "agency"), ("Lago", "person")
        ),
    )
    assert named(text, found) == [("Gray and Pettit", "agency"), ("Banco do Lago", "agency")]
    chain = "The issue is led by R.K. Hollis, Vantner, Brody Inc and others."
    found = joined_firm_names(
        chain,
        spans(chain, ("R.K. Hollis", "person"), ("Vantner", "person"), ("Brody Inc", "agency")),
    )
    assert named(chain, found) == [("R.K. Hollis, Vantner, Brody Inc", "agency")]
    story = "Congress and Pettit clashed. Later Pettit said he would veto it."
    pieces = spans(story, ("Congress", "agency"), ("Pettit", "person"), ("Pettit", "person"))
    assert named(story, joined_firm_names(story, pieces)) == [
        ("Congress", "agency"),
        ("Pettit", "person"),
        ("Pettit", "person"),
    ]
    listing = "Smith, Wesson Corp and Acme Inc"  # commas without a legal form at the end
    pieces = spans(listing, ("Smith", "person"), ("Wesson Corp", "agency"))
    assert [c.type for c in joined_firm_names(listing, pieces)] == ["agency"]


def test_a_one_word_name_only_ever_after_a_or_an_is_no_person_either() -> None:
    text = "She won an Oscar in 1999 and a Grammy later; Grammy voters had backed her."
    spans = [span_of(text, "Oscar", "PERSON")]
    spans += [span_of(text, "Grammy", "PERSON", n) for n in (0, 1)]
    kept = normalize_mentions(text, spans)
    assert [(m.text, m.type) for m in kept] == [("Grammy", "person"), ("Grammy", "person")]


def test_a_full_name_after_the_stays_a_person() -> None:
    text = "Police reopened the Stephen Lawrence inquiry on Monday."
    (mention,) = normalize_mentions(text, [span_of(text, "Stephen Lawrence", "PERSON")])
    assert (mention.name, mention.type) == ("Stephen Lawrence", "person")
