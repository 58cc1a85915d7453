"""Line rules that drop page furniture left in already-extracted article text.

Extraction (trafilatura, feed content, wire copy) leaves calls to action, share prompts, credits
and headlines of other stories inside the body. They pollute search and entity extraction
("Telegram" becomes an organisation in every Kyiv Post story), so they go, line by line. The
rules err on the side of keeping a line: a short rule matches only short lines that start with
a capital, and the teaser rule needs prose on both sides. Every dropped line is returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PLATFORM = (
    r"(?:telegram|whatsapp|facebook|twitter|x|instagram|youtube|tiktok|linkedin|threads|viber"
    r"|bluesky|mastodon|signal|google\s+news|apple\s+news|flipboard)"
)
_SEP = r"\s*[:\-–—|»›>]"
_BUTTON = rf"(?:share|tweet|e-?mail|print|copy\s+link|pin\s+it|{_PLATFORM})"
_AGENCY = (
    r"(?:getty\s+images|afp(?:\s+via\s+getty\s+images)?|reuters|ap(?:\s+photo)?|epa(?:-efe)?"
    r"|shutterstock|alamy|bloomberg|anadolu)"
)


@dataclass(frozen=True)
class LineRule:
    """A named pattern that a whole (stripped) line must match to be dropped."""

    name: str
    pattern: re.Pattern[str]
    max_chars: int = 200  # longer lines are prose, whatever they start with
    needs_capital: bool = True  # wrapped wire copy continues lines in lower case


def _rule(name: str, regex: str, *, max_chars: int = 200, needs_capital: bool = True) -> LineRule:
    return LineRule(name, re.compile(regex, re.IGNORECASE), max_chars, needs_capital)


#: The furniture rules, checked in order; the first that matches names the removal.
RULES: tuple[LineRule, ...] = (
    _rule(
        "follow_coverage",
        r"follow\s+(?:our|all\s+(?:of\s+)?our|the\s+latest|live)\b.{0,40}?\bcoverage\b.{0,120}",
    ),
    _rule(
        "social_call_to_action",
        rf"(?:join|follow|subscribe\s+to|like|find|connect\s+with)\s+(?:us|our\b[^.!?]{{0,40}}?)"
        rf"\s*(?:\b(?:on|at|via|in)\s+(?:the\s+)?)?(?:{_PLATFORM}\b|@\w+).{{0,80}}",
    ),
    _rule(
        "typo_report",
        r"(?=.*\b(?:highlight|select|typo|mistake|error|spelling)).*\bctrl\s*\+\s*enter\b.*"
        r"|(?:found|spotted|noticed|see)\s+(?:a|an)\s+(?:typo|mistake|error)\s*\?.{0,150}",
    ),
    _rule(
        "read_more",
        rf"(?:read|see|watch|listen)\s+(?:more|also)(?:{_SEP}.{{0,150}}|\s+(?:here|stories)|)"
        rf"|(?:also\s+read|more\s+on\s+this(?:\s+story)?|most\s+read|don'?t\s+miss"
        rf"|related(?:\s+(?:stories|articles|coverage|content|news|reading))?"
        rf"|recommended(?:\s+(?:stories|reading|for\s+you))?)(?:{_SEP}.{{0,150}})?",
    ),
    _rule(
        "share_prompt",
        rf"share\s+(?:this|the)\s+(?:article|story|page|post|video)\b.{{0,60}}"
        rf"|share\s+(?:on|via|to)\s+(?:{_PLATFORM}|e-?mail)\b.{{0,40}}"
        rf"|{_BUTTON}(?:\s*[|/·•,]?\s*{_BUTTON})*",
    ),
    _rule(
        "newsletter",
        r"(?:sign\s+up|subscribe|register|get|receive)\b.{0,80}\b(?:newsletters?|briefing|bulletin"
        r"|daily\s+e-?mail|e-?mail\s+alerts?|news\s+alerts?|digest|inbox)\b.{0,100}",
        max_chars=140,
    ),
    _rule(
        "subscribe_prompt",
        r"(?:click|tap)\s+here\b.{0,150}|subscribe\s+(?:now|today|here)\b.{0,100}"
        r"|become\s+a\s+(?:member|subscriber|supporter)\b.{0,150}"
        r"|support\s+(?:our|independent)\s+journalism\b.{0,150}",
    ),
    _rule(
        "advertisement",
        r"[-–—\s]*(?:advertisement|advertising|sponsored(?:\s+content)?|promoted(?:\s+content)?|ad"
        r"|story\s+continues\s+below(?:\s+(?:advertisement|this\s+ad))?"
        r"|continue\s+reading\s+(?:below|the\s+main\s+story)"
        r"|scroll\s+(?:down\s+)?to\s+continue(?:\s+(?:reading|with\s+content))?)[-–—\s]*",
    ),
    _rule(
        "copyright",
        r"(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4})).{0,200}"
        r"|.{0,160}\ball\s+rights\s+reserved\b.{0,60}",
        needs_capital=False,
        max_chars=260,
    ),
    _rule(
        "photo_credit",
        r"[(\[]?(?:photo(?:graph)?s?|images?|pictures?|pics?|video|graphics?|illustration"
        r"|(?:photo|image)\s+credit|credit)\s*[:|©]\s*.{1,150}"
        r"|(?:photo(?:graph)?|image|picture)\s+(?:by|courtesy(?:\s+of)?)\s+[^.!?]{1,100}"
        rf"|[^.!?]{{1,60}}/\s*{_AGENCY}",
        max_chars=160,
    ),
    # A chart's key drawn with block characters: "██ Labour Party - 203 seats".
    _rule(
        "chart_legend",
        r"[\u2580-\u259f]+(?:\s*[^.!?]{1,80}[.!?]?)?",
        max_chars=100,
        needs_capital=False,
    ),
)

#: Words a title-case headline leaves in lower case.
_SMALL_WORDS = frozenset(
    {
        *("a", "an", "and", "as", "at", "but", "by", "de", "en", "for", "from", "in", "into"),
        *("nor", "of", "off", "on", "onto", "or", "over", "per", "than", "the", "to", "up"),
        *("upon", "via", "vs", "versus", "with"),
    }
)
_END_PUNCTUATION = tuple(".!?…\"”’'“«»:;,")
_PROSE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_BULLET = re.compile(r"^[\s\-–—•*·»›▶►→|]+")
# Lines that lead into or credit the text around them, never another story's headline.
_NOT_A_HEADLINE_START = tuple("-–—\"“‘'(*•")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MONTH_OR_DAY = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
    re.IGNORECASE,
)
TEASER_MAX_WORDS = 14
TEASER_MIN_WORDS = 3
PROSE_MIN_WORDS = 10


@dataclass(frozen=True)
class CleanText:
    """The kept lines (line structure as in the input) and the lines dropped, with the rule."""

    text: str
    removed: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # rule name of each removed line, same order


def clean(body: str, *, title: str | None = None) -> CleanText:
    """Drop furniture lines and teaser headlines; a line equal to `title` is never a teaser."""
    lines = body.split("\n")
    verdicts = [rule_for_line(line) for line in lines]
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    for index in range(first + 1, len(lines)):
        if verdicts[index] is None and _is_teaser(lines, verdicts, index, title):
            verdicts[index] = "teaser_headline"
    for index in _trailer(lines, verdicts):
        verdicts[index] = "page_footer"
    keep = [verdict is None for verdict in verdicts]
    _close_gaps(lines, keep)
    removed = [(line.strip(), v) for line, v in zip(lines, verdicts, strict=True) if v]
    return CleanText(
        text="\n".join(line for line, kept in zip(lines, keep, strict=True) if kept),
        removed=[line for line, _ in removed],
        rules=[rule for _, rule in removed],
    )


def rule_for_line(line: str) -> str | None:
    """The name of the furniture rule a line matches on its own, or None."""
    stripped = _BULLET.sub("", line).strip()
    if not stripped:
        return None
    initial = next((ch for ch in stripped if ch.isalpha()), "")
    for rule in RULES:
        if len(stripped) > rule.max_chars or (rule.needs_capital and initial.islower()):
            continue
        if rule.pattern.fullmatch(stripped):
            return rule.name
    return None


#: Headings that open the furniture at the end of a page (sources, categories, archive state).
_FOOTER_LABEL = re.compile(
    r"(?:sources?|references|external\s+links|see\s+also|related\s+news|notes|bibliography"
    r"|further\s+reading|published|archived|voir\s+aussi|références|liens\s+externes"
    r"|출처|참고\s*자료|관련\s*기사|같이\s*보기)\s*:?|categories\s*:.{0,60}",
    re.IGNORECASE,
)
FOOTER_MAX_CHARS = 200


def _trailer(lines: list[str], verdicts: list[str | None]) -> list[int]:
    """The lines of a page's closing furniture: from the first section label ("Sources",
    "Categories: ...") of the trailing run of lines that are not prose, to the end."""
    run: list[int] = []
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].strip()
        if not line:
            continue
        if not verdicts[index] and (len(line) > FOOTER_MAX_CHARS or _is_prose(line)):
            break
        run.append(index)
    labels = [index for index in run if _FOOTER_LABEL.fullmatch(lines[index].strip())]
    if not labels:
        return []
    first = min(labels)
    return [index for index in run if index >= first and not verdicts[index]]


def _is_teaser(lines: list[str], verdicts: list[str | None], index: int, title: str | None) -> bool:
    """A short title-case line without final punctuation, with a prose paragraph on each side."""
    line = lines[index].strip()
    words = line.split()
    if not TEASER_MIN_WORDS <= len(words) <= TEASER_MAX_WORDS or line.endswith(_END_PUNCTUATION):
        return False
    if title and line.casefold() == title.strip().casefold():
        return False
    if line.startswith(_NOT_A_HEADLINE_START) or line.isupper() or line.count(",") >= 2:
        return False  # an attribution, a label in capitals, a list or a place line
    if not _is_title_case(words) or _MONTH_OR_DAY.search(line):
        return False
    before = _neighbour(lines, verdicts, index, -1)
    after = _neighbour(lines, verdicts, index, +1)
    return _is_prose(before) and _is_prose(after) and not _shares_topic(line, before, after)


def _shares_topic(line: str, *paragraphs: str) -> bool:
    """True when most names of the line recur around it: a section heading or a caption of
    this story ("Group G — Belgium 3 – 0 Panama" above "Belgium faced Panama"), not a teaser."""
    names = {_stem(w) for w in _WORD.findall(line) if len(w) > 1 and w.lower() not in _SMALL_WORDS}
    if not names:
        return False
    around = {_stem(w) for paragraph in paragraphs for w in _WORD.findall(paragraph)}
    return len(names & around) * 2 >= len(names)


def _stem(word: str) -> str:
    """Crude but enough to match Ukraine/Ukrainian and Russia/Russian's."""
    return word.casefold()[:5]


def _is_title_case(words: list[str]) -> bool:
    capitals = 0
    for position, word in enumerate(words):
        core = word.strip("\"'“”‘’()[]-–—,:;")
        if not core or not core[0].isalpha():
            continue
        if core[0].isupper():
            capitals += 1
        elif position == 0 or core.lower() not in _SMALL_WORDS:
            return False
    return capitals >= 2


def _neighbour(lines: list[str], verdicts: list[str | None], index: int, step: int) -> str:
    """The nearest non-blank line in one direction that no furniture rule dropped."""
    other = index + step
    while 0 <= other < len(lines):
        if lines[other].strip() and verdicts[other] is None:
            return lines[other].strip()
        other += step
    return ""


def _is_prose(line: str) -> bool:
    return len(line.split()) >= PROSE_MIN_WORDS and bool(_PROSE_END.search(line))


def _close_gaps(lines: list[str], keep: list[bool]) -> None:
    """A dropped paragraph takes one of the blank lines around it, so no gap is left behind."""
    last_kept_blank = True  # the start of the text counts as a paragraph break
    for index, line in enumerate(lines):
        if keep[index]:
            last_kept_blank = not line.strip()
            continue
        if not line.strip():
            continue
        following = index + 1
        if last_kept_blank and following < len(lines) and not lines[following].strip():
            keep[following] = False
