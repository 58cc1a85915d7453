"""Language detection: real Wikinews snippets, deterministic answers, None instead of errors."""

from __future__ import annotations

import pytest

from search.ingest.language import detect_language

# Wikinews (CC BY 2.5), Wikinews contributors:
# en: "SpaceX Crew Dragon capsule docks with International Space Station" (2019-03-05)
ENGLISH = (
    "On Sunday, the SpaceX Crew Dragon capsule successfully docked with the International Space "
    "Station in orbit around the Earth. Most of the docking process was automatic by the capsule, "
    "though the crew of the ISS were able to send the capsule commands to perform simple movements."
)
# fr: "États-Unis : Lancement réussi pour Space X Dragon" (2012-05-22)
FRENCH = (
    "La fusée Falcon 9, développée par une société privée : SpaceX, a décollé sans problème ce "
    "matin à 7h44 UTC. Prévu initialement pour samedi dernier, le lancement a été reporté à la "
    "dernière seconde, suite à la défaillance d'une valve dans un des neuf moteurs du premier "
    "étage du lanceur."
)
# ko: "버락 오바마 미국 대통령 공식 취임" (2009-01-20)
KOREAN = (
    "버락 오바마 미국 제44대 대통령이 공식 취임하였다. 2008년 8월 27일에 열린 민주당 전당대회에서 "
    "만장일치로 지명된 미국연방상원의원 조셉 바이든(Joseph Biden)이 오바마의 부통령이며, "
    "관례에 따라 먼저 취임선서를 하였다."
)


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (FRENCH, "fr"), (KOREAN, "ko")])
def test_wikinews_snippets_are_recognised(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_the_same_text_always_gets_the_same_answer() -> None:
    mixed = ENGLISH[:120] + " " + FRENCH[:120]
    answers = {detect_language(mixed) for _ in range(5)}
    assert len(answers) == 1


def test_only_the_beginning_of_a_long_text_is_read() -> None:
    assert detect_language(" ".join([ENGLISH] * 8) + " " + KOREAN * 200) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        "Kyiv",
        "12:30 — 4,500 / 17%",
        "https://en.wikinews.org/wiki/Main_Page",
        "🙂🙂🙂 !!! ???",
        "\x00\x01\x02" * 50,
        "\ud800 lone surrogate",
    ],
)
def test_too_short_or_odd_text_gives_none_without_raising(text: str) -> None:
    assert detect_language(text) is None
