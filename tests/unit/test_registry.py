"""The registry's pure rules: resolving a key, and an article's entities mapped to identities."""

from __future__ import annotations

from datetime import UTC, datetime

from search.entities.registry import (
    DOMINANT,
    MIN_ALIAS_LINKS,
    Alias,
    Blocked,
    RegistryEntity,
    RegistryView,
    entity_id,
    learned,
)
from search.entities.resolution import (
    alias_observations,
    entity_fields,
    resolve_entities,
    sightings,
)
from search.models import Entity, EntityType, Mention

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _entity(name: str, type_: EntityType = "person", **extra: object) -> RegistryEntity:
    key = name.lower()
    fields: dict[str, object] = {
        "id": entity_id(type_, key),
        "type": type_,
        "name": name,
        "key": key,
    }
    fields.update(extra)
    return RegistryEntity.model_validate(fields)


def _mention(text: str, start: int = 0) -> Mention:
    return Mention(start=start, end=start + len(text), text=text)


def test_ids_are_stable_readable_and_differ_by_type() -> None:
    assert entity_id("person", "ronald reagan") == entity_id("person", "ronald reagan")
    assert entity_id("person", "ronald reagan").startswith("ronald-reagan-")
    assert entity_id("person", "georgia") != entity_id("location", "georgia")


def test_own_key_resolves_and_type_must_fit() -> None:
    georgia = _entity("Georgia", "location")
    view = RegistryView([georgia])
    assert view.resolve("location", "georgia") == georgia
    assert view.resolve("person", "georgia") is None


def test_learned_alias_needs_enough_links_and_one_holder() -> None:
    reagan = _entity("Ronald Reagan", aliases=[Alias(key="reagan", name="Reagan", count=1)])
    assert RegistryView([reagan]).resolve("person", "reagan") is None
    linked = learned(reagan, {"reagan": {"Reagan": MIN_ALIAS_LINKS}})
    assert RegistryView([linked]).resolve("person", "reagan") == linked
    nancy = _entity("Nancy Reagan", aliases=[Alias(key="reagan", name="Reagan", count=5)])
    assert RegistryView([linked, nancy]).resolve("person", "reagan") is None


def test_a_name_learned_by_several_goes_to_one_with_dominant_links() -> None:
    def cocoa(name: str, count: int) -> RegistryEntity:
        return _entity(name, "agency", aliases=[Alias(key="icco", name="ICCO", count=count)])

    usual, rare = cocoa("International Cocoa Organization", 3 * DOMINANT), cocoa("ICO", 3)
    assert RegistryView([usual, rare]).resolve("agency", "icco") == usual
    close = cocoa("International Cocoa Organization", 3 * DOMINANT - 1)
    assert RegistryView([close, rare]).resolve("agency", "icco") is None
    # Two holders one merge made one identity count together against the third.
    merged = cocoa("Cocoa Organisation", 3 * DOMINANT - 1).model_copy(
        update={"status": "merged", "merged_into": close.id}
    )
    assert RegistryView([close, merged, rare]).resolve("agency", "icco") == close


def test_the_holder_of_the_mentions_own_type_outranks_a_retyped_one() -> None:
    agency = _entity("Soybeans", "agency")
    group = _entity("Soybean", "group", retyped_from=["agency"])
    plural = _entity("Soybeans", "group", status="merged", merged_into=group.id)
    view = RegistryView([agency, group, plural])
    assert view.resolve("agency", "soybeans") == agency
    assert view.resolve("group", "soybeans") == group
    person = _entity("Soybeans", "person", retyped_from=["agency"])
    assert RegistryView([agency, person]).resolve("agency", "soybeans") == agency
    # Two of the mention's own type stay undecided: the rule picks no side between them.
    twin = _entity("Soybeans", "agency").model_copy(update={"id": "soybeans-twin"})
    assert RegistryView([agency, twin]).resolve("agency", "soybeans") is None
    # A name two identities learned goes by links, not by type: the party the model reads as
    # a person, linked to "labour" 50 times, over a person linked to it twice.
    party = _entity(
        "Labour Party",
        "agency",
        retyped_from=["person"],
        aliases=[Alias(key="labour", name="Labour", count=50)],
    )
    namesake = _entity("Tom Labour", aliases=[Alias(key="labour", name="Labour", count=2)])
    assert RegistryView([party, namesake]).resolve("person", "labour") == party


def test_curated_alias_outranks_an_entity_of_its_own_key() -> None:
    bare = _entity("Baker")
    james = _entity("James Baker", aliases=[Alias(key="baker", name="Baker", curated=True)])
    assert RegistryView([bare, james]).resolve("person", "baker") == james


def test_merges_are_followed_and_blocks_reported() -> None:
    full = _entity("Ronald Reagan")
    short = _entity("Reagan", status="merged", merged_into=full.id)
    blocked = _entity("Revs", status="blocked")
    view = RegistryView([full, short, blocked])
    assert view.resolve("person", "reagan") == full
    assert view.resolve("person", "revs") == Blocked(blocked.id)


def test_a_merge_cycle_does_not_hang() -> None:
    a = _entity("A A", status="merged", merged_into=entity_id("person", "b b"))
    b = _entity("B B", status="merged", merged_into=a.id)
    assert RegistryView([a, b]).final(a.id) is None


def test_retyped_entity_still_answers_to_its_old_type() -> None:
    spacex = _entity("SpaceX", "agency", retyped_from=["person"])
    view = RegistryView([spacex])
    assert view.resolve("person", "spacex") == spacex
    assert view.resolve("agency", "spacex") == spacex


def test_put_replaces_an_entity_and_its_alias_index() -> None:
    view = RegistryView([_entity("Chrysler", "agency", aliases=[Alias(key="cc", name="CC")])])
    replaced = _entity("Chrysler", "agency")
    view.put(replaced)
    assert view.by_alias.get("cc") == []
    assert view.resolve("agency", "chrysler") == replaced


def test_resolve_entities_joins_two_names_of_one_identity_and_drops_blocked() -> None:
    gm = _entity("General Motors", "agency", aliases=[Alias(key="gm", name="GM", curated=True)])
    revs = _entity("Revs", status="blocked")
    view = RegistryView([gm, revs])
    extracted = [
        Entity(
            type="agency",
            name="General Motors",
            key="general motors",
            mentions=[_mention("General Motors")],
        ),
        Entity(type="person", name="Revs", key="revs", mentions=[_mention("Revs", 40)]),
        Entity(type="agency", name="GM", key="gm", mentions=[_mention("GM", 20)]),
        Entity(type="location", name="Detroit", key="detroit", mentions=[_mention("Detroit", 30)]),
    ]
    resolved = resolve_entities(extracted, view)
    assert [(e.name, e.id, e.blocked) for e in resolved] == [
        ("General Motors", gm.id, False),
        ("Revs", revs.id, True),  # kept for a revert, counted nowhere
        ("Detroit", None, False),
    ]
    resolved = [e for e in resolved if not e.blocked]
    assert [m.start for m in resolved[0].mentions] == [0, 20]
    fields = entity_fields(resolved)
    assert fields["agencies"] == ["General Motors"]
    assert fields["agency_ids"] == [gm.id]
    assert fields["agency_facets"] == [f"{gm.id}|General Motors"]
    assert fields["location_facets"] == ["|Detroit"]
    assert fields["persons"] == []


def test_a_name_no_identity_claims_is_named_as_the_article_wrote_it() -> None:
    # Resolved once as Mike Moore; since then a second Moore learned the bare surname alike.
    mike, alan = (
        _entity(name, aliases=[Alias(key="moore", name="Moore", count=5)])
        for name in ("Mike Moore", "Alan Moore")
    )
    stored = Entity(
        type="person",
        id=mike.id,
        name="Mike Moore",
        key="moore",
        mentions=[_mention("Moore"), _mention("MOORE", 30)],
    )
    [again] = resolve_entities([stored], RegistryView([mike, alan]))
    assert (again.id, again.name) == (None, "Moore")
    assert entity_fields([again])["person_facets"] == ["|Moore"]
    # No mention written as the key itself: the name it had is kept.
    defined = Entity(
        type="agency",
        name="Security Service of Ukraine",
        key="security service of ukraine",
        mentions=[_mention("SBU")],
    )
    [kept] = resolve_entities([defined], RegistryView([]))
    assert kept.name == "Security Service of Ukraine"


def test_a_retyped_entity_moves_fields_and_remembers_the_extracted_type() -> None:
    house = _entity("White House", "location", retyped_from=["agency"])
    extracted = [Entity(type="agency", name="White House", key="white house")]
    resolved = resolve_entities(extracted, RegistryView([house]))
    assert resolved[0].type == "location"
    assert resolved[0].extracted_type == "agency"
    again = resolve_entities(
        resolved, RegistryView([house.model_copy(update={"type": "agency", "retyped_from": []})])
    )
    assert again[0].type == "agency"
    assert again[0].extracted_type is None


def test_every_surface_a_story_uses_becomes_an_alias_once() -> None:
    entity = Entity(
        type="person",
        name="Ronald Reagan",
        key="ronald reagan",
        mentions=[_mention("Ronald Reagan"), _mention("Reagan", 30), _mention("Reagan", 60)],
    )
    (sighting,) = sightings([entity])
    assert alias_observations(sighting) == {
        "ronald reagan": ("Ronald Reagan", 1),
        "reagan": ("Reagan", 1),
    }


def test_learned_counts_add_up_and_stay_bounded() -> None:
    entity = _entity("Paul Volcker", aliases=[Alias(key="volcker", name="Volcker", count=2)])
    more = learned(entity, {"volcker": {"Volcker": 3}, "paul volcker": {"Paul Volcker": 1}})
    assert {a.key: a.count for a in more.aliases} == {"volcker": 5, "paul volcker": 1}
    assert more.alias_keys == ["paul volcker", "volcker"]


def test_known_names_are_found_where_the_model_missed_them() -> None:
    from search.entities.known import KnownNames

    kohl = _entity(
        "Helmut Kohl",
        curated=True,
        aliases=[Alias(key="the chancellor", name="the Chancellor", curated=True)],
    )
    unreviewed = _entity("Bonn", "location")
    known = KnownNames([kohl, unreviewed])
    text = "Helmut Kohl spoke. Later the Chancellor left Bonn; the Chancellors met."
    taken = [
        Entity(
            type="person", name="Helmut Kohl", key="helmut kohl", mentions=[_mention("Helmut Kohl")]
        )
    ]
    (found,) = known.find(text, taken)
    assert (found.name, found.type, found.key) == ("Helmut Kohl", "person", "the chancellor")
    assert [m.text for m in found.mentions] == ["the Chancellor"]
    assert text[found.mentions[0].start : found.mentions[0].end] == "the Chancellor"


def test_an_ambiguous_short_form_is_read_by_the_company_it_keeps() -> None:
    treasury, kohl = _entity("Treasury", "agency"), _entity("Helmut Kohl")
    house, reagan = _entity("White House", "agency"), _entity("Ronald Reagan")
    james, howard = _entity("James Baker"), _entity("Howard Baker")
    bare = _entity(
        "Baker",
        candidates=[james.id, howard.id],
        candidate_context={james.id: [treasury.id, kohl.id], howard.id: [house.id, reagan.id]},
    )
    view = RegistryView([treasury, kohl, house, reagan, james, howard, bare])

    def read(*others: RegistryEntity) -> str:
        entities = [Entity(type="person", name="Baker", key="baker")]
        entities += [Entity(type=o.type, name=o.name, key=o.key) for o in others]
        return resolve_entities(entities, view)[0].name

    assert read(treasury, kohl) == "James Baker"
    assert read(house, reagan) == "Howard Baker"
    assert read(treasury) == "Baker"  # one shared name is not enough
    assert read(treasury, kohl, house, reagan) == "Baker"  # a tie is not a decision


def test_an_article_links_short_forms_to_the_full_name_beside_them() -> None:
    from search.entities.resolution import Sighting, short_form_links

    def seen(name: str, type_: EntityType = "agency") -> Sighting:
        key = " ".join(name.lower().replace(".", "").replace("'", "").split())
        return Sighting(type_, key, name, None, (name,))

    pairs = [
        ("Fed", "Federal Reserve"),  # clipped
        ("GM", "General Motors"),  # initials
        ("USDA", "U.S. Agriculture Department"),  # initials in another order
        ("Moody", "Moody's Investors Service"),  # possessive of a firm
        ("Ford", "Ford Motor"),  # head word
    ]
    for short, full in pairs:
        links = short_form_links([seen(short), seen(full)])
        assert [(f.name, key) for f, key, _ in links] == [(full, seen(short).key)], short
    person = seen("Gm", "person")
    assert short_form_links([person, seen("General Motors")]) == []
    assert short_form_links([seen("Dow"), seen("General Motors")]) == []


def test_a_word_that_merely_starts_a_longer_name_is_no_short_form_of_it() -> None:
    from search.entities.resolution import Sighting, short_form_links

    congress = Sighting("agency", "congress", "Congress", None, ("Congress",))
    caucus = Sighting(
        "agency", "congressional black caucus", "Congressional Black Caucus", None, ()
    )
    assert short_form_links([congress, caucus]) == []


def test_a_country_qualified_name_is_linked_to_the_bare_one_beside_it() -> None:
    from search.entities.resolution import Sighting, short_form_links

    def seen(name: str) -> Sighting:
        return Sighting("agency", " ".join(name.lower().replace(".", "").split()), name, None, ())

    links = short_form_links(
        [
            seen("U.S. Agriculture Department"),
            seen("Agriculture Department"),
            seen("Democratic Party"),
        ]
    )
    assert [(full.name, key) for full, key, _ in links] == [
        ("U.S. Agriculture Department", "agriculture department")
    ]


def test_a_person_named_inside_an_organisations_name_is_that_organisation() -> None:
    from search.entities.resolution import fold_partial_names

    firm = Entity(
        type="agency",
        name="Duff and Phelps",
        key="duff and phelps",
        mentions=[_mention("Duff and Phelps")],
    )
    cut = Entity(type="person", name="Phelps", key="phelps", mentions=[_mention("Phelps", 80)])
    lawson = Entity(
        type="person",
        name="Nigel Lawson",
        key="nigel lawson",
        mentions=[_mention("Nigel Lawson", 40)],
    )
    folded = fold_partial_names([firm, lawson, cut])
    assert [(e.name, e.type) for e in folded] == [
        ("Duff and Phelps", "agency"),
        ("Nigel Lawson", "person"),
    ]
    assert [m.start for m in folded[0].mentions] == [0, 80]
    assert fold_partial_names([lawson, cut]) == [lawson, cut]


def test_an_acronym_is_linked_by_its_letters_only() -> None:
    from search.entities.resolution import Sighting, short_form_links

    ec = Sighting("agency", "ec", "EC", None, ("EC",))
    commission = Sighting("agency", "ec commission", "EC Commission", None, ())
    community = Sighting("agency", "european community", "European Community", None, ())
    links = short_form_links([ec, commission, community])
    assert [full.name for full, _, _ in links] == ["European Community"]
