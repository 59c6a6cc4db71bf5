"""The skills taxonomy as the matcher needs it, cached per process, the skills one listing is
about, and `skills_from_text`: free text to skills and their categories for any caller."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max

from exchanges.matching.meaning import Meaning, MeaningMatcher
from exchanges.matching.taxonomy import Category, Taxonomy
from exchanges.matching.taxonomy import Skill as TaxonomySkill
from exchanges.matching.text import BY_CAR, SkillMatch, SkillMatcher, chosen, combine, evidence_words, says_no_car
from exchanges.models import Listing
from members.models import Skill


@dataclass(frozen=True)
class SkillIds:
    """Database keys of the taxonomy, to read and write stored listing skills."""

    skill: dict[str, int]
    category: dict[str, int]
    slug: dict[int, str]
    # The skills themselves by key, in their listing order (category, then name).
    rows: dict[int, Skill]


TAXONOMY_RECHECK_SECONDS = 10.0
_checked_at = 0.0
_matcher_lock = threading.Lock()
_matcher_cache: dict[tuple, tuple[SkillMatcher, SkillIds]] = {}
_meaning_cache: dict[int, MeaningMatcher] = {}


def taxonomy_and_ids() -> tuple[SkillMatcher, SkillIds]:
    """Rebuilt when skills are added or removed. Edited names or synonyms arrive with a
    migration, and a deploy restarts the processes."""
    global _checked_at
    with _matcher_lock:
        # One query per call would be a tenth of a match's time: look again every few seconds.
        if _matcher_cache and time.monotonic() - _checked_at < TAXONOMY_RECHECK_SECONDS:
            return next(iter(_matcher_cache.values()))
        key = tuple(Skill.objects.aggregate(n=Count("id"), last=Max("id")).values())
        _checked_at = time.monotonic()
        if key not in _matcher_cache:
            _matcher_cache.clear()
            _matcher_cache[key] = _taxonomy_from_db()
        return _matcher_cache[key]


def skill_matcher() -> SkillMatcher:
    """The matcher for the skills in the database."""
    return taxonomy_and_ids()[0]


def meaning_matcher() -> MeaningMatcher:
    """The taxonomy's skills as vectors, for the matcher in use (embedded once per taxonomy)."""
    matcher = skill_matcher()
    with _matcher_lock:
        found = _meaning_cache.get(id(matcher))
        if found is None or found.matcher is not matcher:
            _meaning_cache.clear()
            found = _meaning_cache[id(matcher)] = MeaningMatcher(matcher)
        return found


def skill_ids() -> SkillIds:
    return taxonomy_and_ids()[1]


def _taxonomy_from_db() -> tuple[SkillMatcher, SkillIds]:
    categories: dict[str, Category] = {}
    skills: dict[str, TaxonomySkill] = {}
    ids = SkillIds(skill={}, category={}, slug={}, rows={})
    for skill in Skill.objects.select_related("category"):
        c = skill.category
        category = categories.setdefault(c.slug, Category(c.slug, c.name, c.sensitive))
        skills[skill.slug] = TaxonomySkill(skill.slug, skill.name, tuple(skill.synonyms), category)
        ids.skill[skill.slug] = skill.pk
        ids.slug[skill.pk] = skill.slug
        ids.rows[skill.pk] = skill
        ids.category[c.slug] = c.pk
    taxonomy = Taxonomy(skills=skills, categories=categories)
    return SkillMatcher(taxonomy), ids


def listing_meaning(*, listing: Listing) -> Meaning:
    """What a listing is about: the skills its owner picked, those its words name (weighed by
    meaning), and its vector."""
    picked = [skill.slug for skill in listing.skills.all()]
    offer = listing.kind == Listing.Kind.OFFER
    found = meaning_matcher().meaning(listing.description, title=listing.title, offer=offer)
    return Meaning(combine(chosen(picked), found.skills), found.vector)


def listing_skill_weights(*, listing: Listing) -> SkillMatch:
    """The skills a listing is about: those its owner picked, and those its words name."""
    return listing_meaning(listing=listing).skills


def _forget_in_forked_child() -> None:
    """A process forked from one that already matched (a server's workers, a test's live server) must not
    trust the parent's cached skill ids: the skills may have been loaded again since, with new ids, and the
    ten-second grace would hide it. No lock is taken: another thread of the parent may have held it."""
    global _matcher_lock, _checked_at
    _matcher_lock = threading.Lock()
    _matcher_cache.clear()
    _meaning_cache.clear()
    _checked_at = 0.0


os.register_at_fork(after_in_child=_forget_in_forked_child)


def taxonomy_cache_clear() -> None:
    """Forget the cached taxonomy (tests that add and roll back skills need this)."""
    global _checked_at
    with _matcher_lock:
        _matcher_cache.clear()
        _meaning_cache.clear()
        _checked_at = 0.0


@dataclass(frozen=True)
class SkillHit:
    """One skill a text is about, strongest first: its category (which reports count and the
    sensitive-help rule reads) and why, in words a coordinator can check."""

    slug: str
    category_slug: str
    sensitive: bool
    weight: float
    evidence: str


def skills_from_text(text: str, *, title: str = "", limit: int = 5) -> list[SkillHit]:
    """Free text to the taxonomy's skills in the database, by its words and its meaning: the one
    function the coordinator desk (sensitive by meaning) and the reports (categories) call.

    "Dog walking round Roundwood Park" gives dog walking first, "Trim my front hedge" hedge
    trimming; sensitive is True for lifts, personal care and childcare."""
    meanings = meaning_matcher()
    found = meanings.meaning(text, title=title)
    taxonomy = meanings.taxonomy
    hits = []
    for slug in found.skills.strongest(limit):
        skill = taxonomy.skills[slug]
        named = evidence_words(meanings.matcher, f"{title} {text}", slug)
        why = "words: " + ", ".join(named) if named else "close in meaning"
        hits.append(SkillHit(slug, skill.category.slug, skill.category.sensitive, found.skills.weights[slug], why))
    return hits


# A bio is read for what its writer offers, and a bio often says what they need instead: "My support
# worker helps me with my shopping", "Since my stroke I rely on lifts to the GP". So a sentence (or
# the part of one after "but") counts only when it says its writer offers something ("I can",
# "happy to", "retired gardener", "I'm good at" ...) and never when it also says they need or get
# help ("helps me", "for me", "rely on", "looking for", "need", "my carer", "can't" ...).
_BIO_SENTENCES = re.compile(r"[.!?;:\n]+")
_BIO_BUT = re.compile(r"\bbut\b|\bthough\b|\bhowever\b", re.IGNORECASE)
_I_AM = r"(?:i\s*['’]?m|i\s+am|i\s+was|i['’]?ve\s+been|i\s+have\s+been)"
# The trades and pastimes a member may name themselves by: "I'm a keen gardener", "retired plumber".
_TRADES = (
    r"(?:gardener|plumber|electrician|carpenter|joiner|builder|decorator|painter|handy\s*(?:man|woman|person)"
    r"|cook|chef|baker|caterer|cleaner|teacher|tutor|lecturer|nurse|midwife|doctor|gp|physio\w*|therapist"
    r"|driver|cabbie|hairdresser|barber|beautician|chiropodist|podiatrist|nanny|childminder|babysitter"
    r"|dog\s+walker|knitter|crocheter|seamstress|tailor|dressmaker|photographer|musician|pianist"
    r"|guitarist|singer|artist|potter|crafter|writer|accountant|bookkeeper|secretary|administrator|typist"
    r"|translator|interpreter|engineer|mechanic|technician|programmer|developer|librarian|counsellor"
    r"|coach|trainer|instructor|mentor|volunteer|linguist|speaker|listener|dancer|swimmer|walker|cyclist|fixer)s?"
)
_BIO_OFFERS = re.compile(
    r"\b(?:i|we)\s+(?:also\s+|really\s+|often\s+|sometimes\s+)?(?:can|could)\b(?!\s*['’]?\s*t\b|\s+not\b)"
    r"|(?:^|[,\-–]|\bso\b|\band\b)\s*(?:also\s+)?can\s+(?!['’]?t\b|not\b)|\b(?:i['’]?ll|i\s+will)\b(?!\s+need)"
    r"|\b(?:happy|glad|willing|pleased|keen|able|available|free)\s+to\b|\bavailable\s+for\b"
    r"|\b(?:i|we)(?:['’]?d|\s+would)\s+(?:really\s+)?(?:love|like|be\s+happy|be\s+glad)\s+to\b"
    r"|\b(?:i|we)\s+(?:really\s+|also\s+)?(?:love|enjoy|like)\s+(?:helping|to\s+help)\b"
    r"|\b(?:i|we)\s+(?:also\s+)?(?:offer|teach|tutor|coach|volunteer|mend|fix|repair|bake|knit|crochet|sew|speak"
    r"|translate|run|lead|play|drive|make)\b|\boffering\b|\bqualified\s+(?:in|as)\b|\bi\s+work\s+(?:in|as|with)\b"
    r"|\bused\s+to\s+(?:work|be)\b|\bworked\s+as\b|\btrained\s+as\b|\bby\s+trade\b"
    r"|\b(?:retired|former|ex|qualified|experienced|keen|avid|trained|professional|amateur|native|fluent)[\s-]+"
    rf"(?:\w+\s+){{0,2}}?{_TRADES}\b"
    rf"|\b{_I_AM}\s+an?\s+(?:\w+\s+){{0,2}}?{_TRADES}\b"
    rf"|(?:\b{_I_AM}\s+|^\s*)(?:\w+\s+)?(?:good|great|handy|skilled|experienced|confident|fluent)\s+(?:at|with|in)\b"
    r"|\b(?:i\s+have|i['’]?ve(?:\s+got)?|with)\s+(?:\w+\s+){0,4}?experience\b"
    r"|\b(?:i\s+have|i['’]?ve\s+got)\s+(?:a|an|my\s+own)\s+(?:\w+\s+)?"
    r"(?:car|van|ladder|drill|tools|trailer|chainsaw|trimmer|machine|lawn\s*mower|mower)\b",
    re.IGNORECASE,
)
# An offer taken back, to where the sentence goes on to another: "Not available for: lifts", "no
# longer offering gardening", "computers, not able to do ladders", "not free weekdays so I can help at
# weekends", "not available for lifts - I can do shopping" (the computers, the weekends and the shopping
# stay offered; "not happy to do washing and dressing" takes both back). "Nothing I'm not willing to try"
# takes nothing back.
_NOT_OFFERED = re.compile(
    r"\b(?:not|no\s+longer|never|nor)\s+(?:really\s+|currently\s+|always\s+)?"
    r"(?:available|offering|able|happy|willing|free|keen)\b"
    r"(?:(?![,;.]|\s[\-–—]\s|\b(?:and|then)\s+(?:i|we|can)\b|\b(?:so|but|i\s+can|i\s+could|happy\s+to|glad\s+to)\b).)*",
    re.IGNORECASE,
)
_NOTHING_NOT = re.compile(r"\b(?:nothing|no\s+job)\s+(?:(?:i|we)\s*(?:['’]?m|am|are|['’]?re)?\s+)?not\b", re.IGNORECASE)
# Liking one thing reads as an offer of it ("I like walking dogs"); liking a list of things is a
# pastimes line ("I love gardening, baking and walks"), like "Hobbies: ...", and offers nothing.
_BIO_LIKES = re.compile(r"(?:\b(?:i|we)\s+|^\s*)(?:really\s+|also\s+)?(?:love|enjoy|like|adore)\b", re.IGNORECASE)
_HELP = r"(?:some\s+|a\s+bit\s+of\s+|a\s+little\s+)?(?:help|someone|somebody|a\s+hand|support)\b"
# What others need is no need of the writer's: "happy to help anyone who needs a lift", "can cut hair
# for people who can't get out", "whatever you need".
_OTHERS_NEEDS = re.compile(
    r"\b(?:anyone|anybody|people|those|others|neighbours|whoever|folk|someone|somebody|families)\s+"
    r"(?:who|that|whos|who['’]s)\b[^,;]*"
    r"|\b(?:someone|somebody|anyone|people|those)\s+(?:who\s+(?:is|are)\s+)?housebound\b"
    r"|\byou\s+(?:\w+\s+)?need\b|\bwhatever\s+needs\b|\bin\s+need\b(?!\s+of)",
    re.IGNORECASE,
)
# Saying they once did the work is an offer: "retired carer", "I used to be a support worker".
_PAST_CARE_WORK = re.compile(
    r"\b(?:retired|former|ex|qualified|trained|used\s+to\s+(?:be|work\s+as)|worked\s+as|i\s+was)[\s-]+"
    r"(?:an?\s+)?(?:\w+\s+)?(?:carers?|support\s+workers?|care\s+workers?)\b",
    re.IGNORECASE,
)
_BIO_NEEDS = re.compile(
    r"\bneed(?:s|ed|ing)?\b|\brequired?\b|\bwant(?:s|ed)\b|\bin\s+need\s+of\b"
    rf"|\b(?:i|we)\s+(?:really\s+)?want\s+{_HELP}"
    rf"|\b(?:looking|searching|hoping)\s+for\b"
    rf"|\b(?:could|would|i['’]?d|we['’]?d)\s+(?:really\s+)?(?:do\s+with|use|love|like|appreciate)\s+{_HELP}"
    r"|\b(?:help|take|drive|bring|give|read|walk|visit|collect|pick|support|look|do|cook|shop)(?:s|ed|es|ing)?\s+"
    r"(?:(?:after|for)\s+)?(?:me|us)\b"
    r"|\b(?:for|to)\s+(?:me|us)\b|\b(?:do|does|did|doing)\s+(?:my|our)\b"
    r"|\b(?:rely|relies|relying|depend|depends|depending)\s+on\b"
    r"|\b(?:get|gets|getting|got|have|has|receive)\s+(?:some\s+|a\s+bit\s+of\s+)?(?:help|support|care)\b"
    r"|\bcarers?\b|\bsupport\s+workers?\b|\bcare\s+workers?\b"
    r"|\b(?:find|found)\s+(?:someone|somebody|anyone)\b|\b(?:to|trying\s+to)\s+find\b"
    r"|\b(?:someone|somebody)\s+(?:to|who\s+(?:can|could|would|will))\b"
    r"|\b(?:i|we)(?:['’]?d|\s+would)?\s+(?:really\s+)?(?:love|like|want|hope|wish)\s+to\s+learn\b|\b(?:i['’]?m|i\s+am)\s+learning\b"
    r"|\b(?:can['’]?t|cannot|can\s+no\s+longer|unable\s+to|no\s+longer|housebound)\b"
    r"|\b(?:i|we)\s+(?:\w+\s+)?struggle\b|\bstruggling\b"
    # Saying how they get about or see is about what they need: "I use a wheelchair and I can knit".
    r"|\b(?:i|we)\s+(?:use|have|rely\s+on)\s+(?:a\s+)?(?:wheelchair|walking\s+frame|zimmer|mobility\s+scooter|walking\s+stick)"
    r"|\bwheelchair\s+users?\b|\bregistered\s+(?:blind|disabled)\b|\bpartially\s+sighted\b|\b(?:i['’]?m|i\s+am)\s+disabled\b",
    re.IGNORECASE,
)


def _needs(part: str) -> bool:
    return bool(_BIO_NEEDS.search(_PAST_CARE_WORK.sub(" ", _OTHERS_NEEDS.sub(" ", part))))


def _offered_parts(bio: str) -> list[str]:
    """The parts of a bio that say what its writer offers and nothing of what they need. A sentence
    is read in parts split at "but": a need takes back what came before it ("I love my garden but
    can't manage it" offers nothing), not what follows ("I can't drive, but happy to teach French")."""
    offered = []
    for sentence in _BIO_SENTENCES.split(bio or ""):
        kept: list[str] = []
        for part in (p.strip() for p in _BIO_BUT.split(sentence)):
            if _needs(part):
                kept = []
                continue
            if not _NOTHING_NOT.search(part):
                part = " ".join(_NOT_OFFERED.sub(" ", part).split()).strip(" ,;:")
            if part and (_BIO_OFFERS.search(part) or _likes_one_thing(part)):
                kept.append(part)
        offered += kept
    return offered


def _likes_one_thing(part: str) -> bool:
    """ "I like walking dogs": one bare thing liked ("I like it when my neighbour brings shopping" is not)."""
    liked = _BIO_LIKES.search(part)
    if liked is None:
        return False
    items = _list_items(part[liked.end() :])
    return len(items) == 1 and _is_bare_item(items[0])


# A bio may list what its writer does instead of saying it: "Gardening, baking, dog walking.",
# "Retired plumber. DIY, odd jobs, lifts to the shops", one item a line, or "Skills: knitting; Welsh
# lessons". Such a list offers what its items name, but only when nothing could make it a list of
# needs or of pastimes, as a wrong offer is worse than a missed one:
# - it has two items or more, or a label that offers ("Skills:", "I offer:", "Can do:"); any other
#   label ("Hobbies:", "Interests:", "Needs:") and the list offers nothing;
# - every item is bare: a few words naming something to do, with no person, verb, "no" or liking
#   in it ("my garden", "can't drive", "no lifts, sorry", "dog lover", "mum of three"), nor an
#   offer, as a sentence that says it offers is read whole (above);
# - the bio says nowhere that its writer needs help, since a list of needs may be named sentences
#   away ("Shopping, cleaning, lifts. Since my fall I need help with all three").
LIST_ITEM_WORDS = 5
# Each item is read on its own for the skills it is mainly about; a long list is read to here.
LIST_ITEMS = 8
LIST_ITEM_SKILLS = 2
LIST_ITEM_SHARE = 0.75
_LIST_SENTENCES = re.compile(r"[.!?]+(?=\s|$)")
_LIST_SEPARATORS = re.compile(r"[,;/&+•·*]|\s[-–—]\s|\b(?:and|or|etc)\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-–—*•·]|\d{1,2}[.)])\s*")
_LABEL = re.compile(r"^([a-z][a-z '’/&-]{0,39}?)\s*:(?!\d)\s*(.*)$", re.IGNORECASE)
_OFFER_LABEL = re.compile(
    r"(?:my\s+)?skills(?:\s+(?:offered|to\s+offer))?|(?:i\s+)?offer(?:s|ing|ed)?|what\s+i\s+(?:can\s+)?offer"
    r"|(?:i\s+)?can\s+(?:do|help\s+with|offer)|(?:help\s+)?offered|services",
    re.IGNORECASE,
)
# A sentence that gives the writer's situation makes a list beside it a list of what they need now:
# "After my operation. Shopping, cleaning", "Recently widowed, shopping, lifts".
_SITUATION = re.compile(
    r"\s*(?:after|since|following|because|while|whilst|recovering|recently|due\s+to|ever\s+since)\b", re.IGNORECASE
)
_REFUSING_LABEL = re.compile(r"\b(?:not|no|never|nothing)\b|n['’]t\b", re.IGNORECASE)
_ITEM_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?", re.IGNORECASE)
# Words that make an item a sentence about the writer rather than a thing to do.
_NOT_AN_ACTIVITY = frozenset(
    # who: "my garden", "our dog"
    "i me my mine we us our you your he him his she her they them their it its"
    # a verb: "can drive", "need lifts", "got a car"
    " am is are was were be been have has had do does did can could will would shall should may might"
    " must need needs needed want wants wanted wanting required get gets got cannot"
    # asked for: "lifts please", "shopping asap"
    " please pls plz urgent urgently asap"
    # not offered: "no lifts", "not heavy lifting"
    " no not never none nothing nobody without sorry except"
    # liked, not offered: "dog lover", "keen reader", "football fan"
    " love loves lover lovers like likes enjoy enjoys adore fan fans keen enthusiast interest interests"
    " interested hobby hobbies passion passionate"
    # who they are: "mum of three", "dog owner", "church member", "Welsh speaker"
    " mum mother dad father nan nana gran granny grandma grandmother grandad grandfather grandparent"
    " grandchildren children kids wife husband partner widow widower owner owners member members user"
    " users patient resident pensioner reader readers speaker speakers family".split()
)
# "Retired plumber" offers plumbing, not pension forms.
_FORMERLY = re.compile(r"\b(?:retired|former|ex|qualified|experienced|trained|professional)\b[\s-]*", re.IGNORECASE)


def _list_items(text: str) -> list[str]:
    """The items of a list, without bullets or empty ones ("etc.")."""
    items = (_BULLET.sub("", item).strip() for item in _LIST_SEPARATORS.split(text))
    return [item for item in items if _ITEM_WORD.search(item)]


def _is_bare_item(item: str) -> bool:
    found = [w.lower().replace("’", "'") for w in _ITEM_WORD.findall(item)]
    # "I'm", "we've" are their "I" and "we"; "don't", "won't" their "not".
    if len(found) > LIST_ITEM_WORDS or any(w.split("'")[0] in _NOT_AN_ACTIVITY or w.endswith("n't") for w in found):
        return False
    # A sentence that says it offers ("Retired gardener, happy to help with borders and lawns") is
    # read whole, for what it is mainly about, not item by item.
    return not (_BIO_OFFERS.search(item) or _BIO_LIKES.search(item))


def _offers_list(label: str | None, items: list[str]) -> bool:
    if not items or not all(_is_bare_item(item) for item in items):
        return False
    if label is None:
        # Without a label every item must name something to do: "Recently widowed, shopping,
        # lifts" is a situation and its needs, not three offers.
        return len(items) >= 2 and all(_item_skills(item) for item in items)
    if _REFUSING_LABEL.search(label):
        return False  # "Not offering:", "No longer available for:"
    return bool(_OFFER_LABEL.fullmatch(label.strip()) or _BIO_OFFERS.search(label)) and not _needs(label)


def _listed(bio: str) -> list[str]:
    """The items of the lists in a bio that offer what they name (the rule above)."""
    if any(_needs(sentence) or _SITUATION.match(sentence) for sentence in _BIO_SENTENCES.split(bio or "")):
        return []
    offered: list[str] = []
    lines: list[str] = []  # lines of one item each, in a row: a list written one item a line
    label = None  # a label alone on its line ("Skills:") is over the lines below it, to a blank line
    # The line just above a list written one item a line leads into it: "After my operation" or
    # "Help wanted" makes it a list of needs; only a line that offers ("Happy to help with") keeps it.
    lead_in: str | None = None

    def end_of_lines() -> None:
        led_to_offers = lead_in is None or bool(_BIO_OFFERS.search(lead_in))
        if len(lines) >= 2 and led_to_offers and _offers_list(None, lines):
            offered.extend(lines)
        lines.clear()

    for line in (bio or "").splitlines():
        line = _BULLET.sub("", line).strip()
        labelled = _LABEL.match(line)
        if not line or labelled:
            end_of_lines()
            label = labelled[1] if labelled and not labelled[2] else None
            lead_in = None
        over, line = (labelled[1], labelled[2]) if labelled else (label, line)
        sentences = [items for sentence in _LIST_SENTENCES.split(line) if (items := _list_items(sentence))]
        if over is None and len(sentences) == 1 and len(sentences[0]) == 1 and _is_bare_item(sentences[0][0]):
            lines += sentences[0]
            continue
        end_of_lines()
        lead_in = line if over is None and line else None
        for items in sentences:
            if _offers_list(over, items):
                offered += items
    end_of_lines()
    return offered[:LIST_ITEMS]


def _item_skills(item: str) -> list[SkillHit]:
    """The skills one listed item names in its own words, those it is mainly about."""
    item = _FORMERLY.sub("", item)
    matcher = meaning_matcher().matcher
    return [
        hit
        for hit in skills_from_text(item, limit=LIST_ITEM_SKILLS)
        if hit.weight >= LIST_ITEM_SHARE and evidence_words(matcher, item, hit.slug)
    ]


# Only the few skills a bio is clearly about: it brings a member into searches, nothing more.
BIO_SKILLS = 3
BIO_SKILL_WEIGHT = 0.5


def offered_in_bio(bio: str) -> list[SkillHit]:
    """The skills a member's own words about themselves say they offer: the few their sentences that
    say they offer something are mainly about (strongest first, nothing they need), then what each
    item of a bare list of theirs names, in the order written. "Retired gardener, happy to help with
    borders and lawns" gives gardening, "Gardening, dog walking" gardening and dog walking; "I need
    lifts to the surgery" and "My support worker helps me with my shopping" give nothing."""
    offering = ". ".join(_offered_parts(bio))
    said = skills_from_text(offering, limit=BIO_SKILLS) if offering else []
    hits = [hit for hit in said if hit.weight >= BIO_SKILL_WEIGHT]
    for item in _listed(bio):
        hits += _item_skills(item)
    if says_no_car(bio):
        # "Happy to go with you to appointments. I don't drive."
        hits = [hit for hit in hits if hit.slug not in BY_CAR]
    first: dict[str, SkillHit] = {}
    for hit in hits:
        first.setdefault(hit.slug, hit)
    return list(first.values())
