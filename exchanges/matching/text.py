"""Free text to skills: what members write, mapped onto the shipped taxonomy.

Words are stemmed (Snowball) and typos are corrected against the skill vocabulary only, never by a
fuzzy scan of listings, so the cost depends on the taxonomy's size, not the number of listings.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from exchanges.matching.taxonomy import Taxonomy

# Words that say nothing about the kind of help. Kept short on purpose: a word that names help
# ("lift", "walk", "read") must never be here. To leave is not the garden's leaves, though both stem
# alike ("I can't just leave that with anybody"), nor a mind mindfulness ("would you mind", "who'll mind
# Bonnie"): what is minded is read from `IDIOMS`.
STOP_WORDS = frozenset(
    """
    a about above after again all also am an and any anyone anything are around as at away be been
    before being bit both but by can cant could did do does doing done dont for from get getting
    go going got had has have having he her here hers him his how i id if im in into is it its ive
    just let lot lots me more most much my myself need needed needs no not now of off on once one
    only or other our out over own please pop really round same she should so some someone
    something still such than thank thanks that the their them then there these they thing things
    this those through to too up us very want wanted wants was we were what when where which while
    who whom why will with would you your youre yours able anybody happy help helping helps like
    looking love would week weeks day days time times sure ok okay also maybe well else every
    shouldnt wouldnt couldnt mustnt mightnt neednt shouldve wouldve couldve mustve mightve
    leave leaving mind minding minded
    """.split()
)

_WORD = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("english")

# A listing's title usually names the help in a word or two ("Dog", "PIP form"); its description
# often wanders ("the council sent a letter about the hedge").
TITLE_WEIGHT = 2.0
# Words after a conjunction that gives the circumstances or the purpose rather than the need ("... while
# I'm in hospital", "... so the plumber can get behind it") count for this much.
CONTEXT_WEIGHT = 0.5
# Words that say who the help is for, not what it is: "Mum" above a request about her post is not a
# new mum, "my daughter's birthday cake" is not homework. They complete a skill's phrase ("sit with my
# mum") but are no evidence alone.
WHO_WORDS = frozenset(
    "mum mums mom mother dad father nan nana gran granny grandma grandad grandpa husband wife son"
    " daughter neighbour".split()
)
# Words that say which or when, not what, are the same: "small print", "small pets", "evening sitting"
# are help, "his English is small", "some mornings" and "on Thursday evenings" are not.
WHICH_WORDS = frozenset("small big little large morning mornings evening evenings".split())
# Words no evidence alone of one skill: a lift on its own is a ride, so lifting needs something lifted
# ("heavy lifting", "help me lift a wardrobe": `_lift_read`) and carrying shopping upstairs its stairs,
# floors or bags.
NOT_ALONE = {
    "lifting-and-carrying": frozenset({"lift"}),
    # Helpers welcomed to an event are no newcomers: the newcomer is new, settling in or shown around.
    "welcoming-newcomers": frozenset({"welcome"}),
    # Someone to talk to gives no talks: public speaking is said as such, or as confidence.
    "public-speaking-and-confidence": frozenset({"talk"}),
    # A floor is no stairs ("get down on the floor", "mop the floor"), starting no business.
    "carrying-shopping-upstairs": frozenset({"lift", "floor"}),
    "starting-a-small-business": frozenset({"start"}),
    # A pal is a friend ("ma pal's 80th"); a pen pal is written to.
    "pen-pals": frozenset({"pal"}),
}
# A phrase of several words found scattered through a text ("pack up the flat" for "flat pack")
# counts for this much of one written out whole (chosen on the dev parts, flat from 0.67 to 0.85).
SCATTERED_PHRASE = 0.75
# A skill weaker than this share of the strongest skill in the same text is noise, not a need.
KEEP_SHARE = 0.3
# Typos: the shortest word we try to correct, and the edits allowed by word length.
MIN_TYPO_LENGTH = 5
LONG_WORD_LENGTH = 8
# A common English word ("lovely", "wedding", "couch") is not a misspelling of a skill word
# ("lonely", "weeding", "coach"); it may still be another form of one ("complain" ->
# "complaint") when the two share a beginning this long.
SAME_WORD_PREFIX = 6
# The sentence-embedding model's WordPiece vocabulary: its whole words are ~20,000 common ones.
TOKENIZER_JSON = Path(__file__).with_name("data") / "minilm-tokenizer.json"


# Everyday words people use for things the taxonomy names more plainly: pet names, dialect, text
# speak and shortenings. Only words that are not themselves skill words; applied before typo
# correction, so "moggy" is a cat and "fone" a phone.
COLLOQUIAL_WORDS = """
pooch doggy doggie doggo mutt: dog
pup pups: puppy
moggy moggie kitty puss pussycat kitten kittens: cat
bunny: rabbit
bairn bairns wean weans kiddies kiddos nipper nippers toddler toddlers: children
tele telle: tv
loo lav lavvy: toilet
sarnie sarnies butty: sandwich
pressie prezzie pressies: present
xmas: christmas
bday: birthday
jumper: clothes
lappy lappie puter compooter: computer
fone phn: phone
mobe: mobile
txt txts: text
msg msgs: message
pic pics piccies: photos
fb: facebook
insta: instagram
veggies spuds: vegetables
motor: car
docs: documents
hosp: hospital
appt appts apt: appointment
offy offie: shop
skint brassic quid dosh: money
lonesome: lonely
"""
COLLOQUIAL = {
    word: plain
    for line in COLLOQUIAL_WORDS.strip().splitlines()
    for plain in [line.split(":")[1].strip()]
    for word in line.split(":")[0].split()
}
_WHOSE = ("my", "the", "your", "our", "his", "her", "their", "mums", "dads")
# Sayings whose words mislead one by one: "me boiler's packed in" is broken, not packing.
# Someone helped in person, as members name them ("my nan", "dad").
_GROWN_UPS_NAMED = tuple(
    f"{whose}{who}"
    for whose in ("", "my ")
    for who in ("mum", "dad", "nan", "nana", "gran", "grandad", "husband", "wife", "hubby", "partner")
)
_PEOPLE_NAMED = _GROWN_UPS_NAMED + ("me", "him", "her", "them")
# Grown-ups minded ("mind my elderly father"): a pronoun may be a child, or a polite "would you mind me".
_GROWN_UPS_MINDED = (*_GROWN_UPS_NAMED, "my mother", "my father", "my granny", "my grandma", "my grandpa", "my elderly")
IDIOMS_BY_MEANING = {
    "broken": (
        "packed in",
        "conked out",
        "on the blink",
        "playing up",
        "acting up",
        "gone funny",
        "gone kaput",
        "kaput",
        "gave up the ghost",
        "given up the ghost",
        "on its last legs",
        "stopped working",
        "wont work",
        "doesnt work",
        "not working",
        "gone wrong",
    ),
    "cold": ("stone cold", "freezing cold"),
    "feeling low": ("fed up", "down in the dumps", "feeling down", "feeling blue"),
    "lonely": (
        "at a loose end",
        "stuck indoors",
        "stuck in the house",
        "cooped up",
        "no one to talk to",
        "nobody to talk to",
        "all on my own",
        "been on my own",
        "on my own all day",
        "live alone",
        "living alone",
        "lives alone",
    ),
    # Going to the toilet is personal care; only a toilet that is broken is plumbing.
    "personal care": (
        *(
            f"{verb} the {room}"
            for verb in ("to", "on", "off", "use", "using")
            for room in ("toilet", "toilets", "loo", "lav", "lavvy")
        ),
        *(f"{whose} washing and {what}" for whose in _WHOSE for what in ("dressing", "dressed")),
        # So is helping someone into or out of bed, or up from the floor when they fall: not the bed's sheets,
        # not lifting. Only said of a person: a fall that is the reason for other help ("I had a fall so I
        # need help with the garden"), a fence that has fallen over or boxes off the floor are not.
        "into bed",
        "in to bed",
        "out of bed",
        "in and out of bed",
        *(f"put {who} to bed" for who in _PEOPLE_NAMED),
        *(f"{who} {up}{where} the floor" for who in _PEOPLE_NAMED for up in ("", "up ") for where in ("off", "from")),
        *(f"{get} up {where} the floor" for get in ("get", "gets", "getting") for where in ("off", "from")),
        *(f"{when} {who} falls" for when in ("when", "if") for who in ("she", "he", "they")),
        *(f"{when} i fall" for when in ("when", "if")),
        *(
            f"{who} {verb}"
            for who in ("she", "he", "i", *_PEOPLE_NAMED)
            for verb in ("keeps falling", "keep falling", "falls over", "fell over", "has fallen")
        ),
    ),
    # Washing that "needs doing" or is hung out is clothes; "her washing" alone may be washing herself, so
    # it stays both (help with it is held as personal care: the safe reading).
    "laundry": (
        "washing needs doing",
        "washing need doing",
        "load of washing",
        "loads of washing",
        "dirty washing",
        "do the washing",
        "do my washing",
        "hang out the washing",
        "hang the washing out",
    ),
    # Dishes and the machine are neither: "do the washing up", "the washing machine is leaking".
    "washing up": tuple(f"{verb}the washing up" for verb in ("", "do ", "doing ")),
    "washing machine": tuple(f"{whose} washing machine" for whose in _WHOSE),
    # A care home is where someone lives: neither care at home, nor meals or a haircut at home.
    "carehome": tuple(
        f"{kind} {home}"
        for kind in ("care", "nursing", "residential", "retirement", "old peoples", "old folks")
        for home in ("home", "homes")
    ),
    # "Docs" alone are documents ("scanning some docs"); the place one goes is the doctor's.
    "doctor": ("to the docs", "at the docs", "down the docs", "up the docs", "to the doc", "at the doc"),
    # "Need a hand" asks for help, not a hand massage.
    "help": (
        "need a hand",
        "give me a hand",
        "give us a hand",
        "lend a hand",
        "give a hand",
        "a helping hand",
        *(
            f"{which}{pair} of hands"
            for which in ("", "a ", "an extra ", "a spare ", "a second ", "another ", "extra ", "spare ", "two ")
            for pair in ("pair", "pairs", "set", "sets")
        ),
    ),
    # "Play" alone is playing with children; songs and tunes played are music ("come in and play a few of
    # the old songs" at a care home).
    "play music": tuple(
        f"{verb} {which}{old}{what}"
        for verb in ("play", "playing")
        for which in ("", "a ", "a few ", "a few of the ", "some ", "some of the ", "the ", "them ", "us ")
        for old in ("", "old ")
        for what in ("song", "songs", "tune", "tunes", "hymns", "carols", "records")
    ),
    # A dress or a skirt worn is clothes, not getting dressed or a skirting board ("my wedding dress taken
    # in"); "help her dress" stays personal care.
    "clothes": (
        "skirt",
        "skirts",
        *(
            f"{which}{kind}{dress}"
            for which in ("a ", "my ", "the ", "this ", "that ", "your ", "our ", "their ", "")
            for kind in ("", "wedding ", "party ", "prom ", "bridesmaid ", "bridesmaids ", "evening ", "summer ")
            for dress in ("dress", "dresses")
            if which or kind
        ),
    ),
    # A bath that drains, leaks or has a tap is plumbing, not a bath given (personal care).
    "plumbing": (
        *(
            f"bath {what}"
            for what in (
                *("is draining", "drains", "draining", "wont drain", "not draining", "is blocked", "blocked"),
                *("is leaking", "leaking", "leaks", "tap", "taps", "plug", "plughole", "panel", "waste", "overflow"),
            )
        ),
        *(f"{what} bath" for what in ("blocked", "leaking", "leaky")),
    ),
    # A sitter alone minds children; a dog's or a house's minds those.
    "pet sit": tuple(
        f"{pet} {sitter}"
        for pet in ("dog", "dogs", "cat", "cats", "pet", "pets", "puppy", "rabbit")
        for sitter in ("sitter", "sitters", "sitting")
    ),
    "house sit": (
        *(f"{home} {sitter}" for home in ("house", "home") for sitter in ("sitter", "sitters")),
        # Waiting in at someone's home for a delivery or an engineer, not in a queue or the car.
        *(f"{wait} in {what}" for wait in ("wait", "waiting") for what in ("for", "at")),
    ),
    # Cards and board games played are games, not playing with children ("we played crib every night").
    "board games": tuple(
        f"{verb} {game}"
        for verb in ("play", "plays", "played", "playing", "game of", "games of")
        for game in (
            *("crib", "cribbage", "cards", "chess", "draughts", "dominoes", "scrabble", "bingo", "bridge"),
            *("whist", "rummy", "backgammon", "monopoly"),
        )
    ),
    # A place that is a tip needs a clean; a tip run takes rubbish to the tip.
    "cleaning": tuple(
        f"{like} {tip}"
        for like in ("is a", "looks like a", "looks a", "a right", "an absolute", "a total", "a complete")
        for tip in ("tip", "pigsty", "bomb site", "bombsite")
    ),
    # A visitor wanted is a visit ("she'd love a visitor"); a visitor's parking permit or visa is not.
    "visit": tuple(
        f"{verb} {which}{visitor}"
        for verb in ("love", "like", "want", "enjoy", "welcome", "appreciate", "get", "gets", "no", "never")
        for which in ("a ", "", "some ", "the odd ", "more ", "any ")
        for visitor in ("visitor", "visitors")
    ),
    # Universal Credit's journal is its online account, kept up on the website, not a diary.
    "online form": (
        *(
            f"{uc} {journal}"
            for uc in ("uc", "universal credit", "dwp")
            for journal in ("journal", "jornal", "account")
        ),
        *(
            f"{verb} my {journal}"
            for verb in ("update", "updated", "updating", "fill in", "filling in")
            for journal in ("journal", "jornal")
        ),
    ),
    # Someone's own legs are not a table's ("ma legs are awfy bad").
    "poorly": tuple(
        f"{whose} {leg}"
        for whose in (
            "my",
            "ma",
            "me",
            "his",
            "her",
            "their",
            "our",
            "mums",
            "dads",
            "nans",
            "grans",
            "husbands",
            "wifes",
        )
        for leg in ("leg", "legs", "knee", "knees")
    ),
    # Someone who has just moved here is a newcomer, not asking for help to move (one word: "new" beside
    # "mum" would be a new mum, and the whole synonym would outweigh the help they ask for).
    "newcomer": tuple(
        f"{when}moved {where}"
        for when in ("just ", "only just ", "recently ", "newly ")
        for where in ("here", "to the area", "into the area", "round here", "to london", "to brent")
    ),
    # In Scotland the messages are the shopping ("get the messages", "cannae get doon tae the shops for
    # the messages"), not those on a phone.
    "shopping": (
        *(f"{verb} the messages" for verb in ("for", "wi", "fetch", "fetching", "carry", "carrying")),
        *(f"{verb} the messages in" for verb in ("get", "getting", "bring", "bringing")),
    ),
    # What someone struggles with is the help ("struggling with his English essays", "struggling with
    # the stairs"), not their mind; struggling alone, or to cope, still is.
    "with": tuple(f"{verb} with" for verb in ("struggling", "strugglin", "struggle", "struggles", "struggled")),
    # Shifts worked say when someone is busy, not that something heavy is shifted ("busy" would be a
    # business: both stem alike); so does being at work, not looking for it. What someone used to do,
    # or fitting them in, is no computer used and no fitness.
    "when": (
        "at work",
        "used to",
        *(f"fit {whom} in" for whom in ("me", "us", "you", "it", "them", "her", "him")),
    )
    + tuple(
        f"{when} {shift}"
        for when in ("work", "working", "do", "doing", "night", "early", "late", "long", "on")
        for shift in ("shift", "shifts")
    )
    + ("shift work", "shift worker"),
    # The Scots' dug is a dog, where it is someone's ("naebody tae see tae the dug"; not "we dug the
    # garden").
    "the dog": tuple(f"{whose} {dug}" for whose in ("the", "ma", "my", "oor", "wee") for dug in ("dug", "dugs")),
    # Children or a house minded are looked after; a pet minded is read from its own word ("mind" alone
    # is none: `STOP_WORDS`), so it never outweighs care asked for beside it ("mind the dog and sit with
    # mum"); "would you mind" and "peace of mind" are nothing.
    "look after the kids": tuple(
        f"{verb} {whose} {who}"
        for verb in ("mind", "minding")
        for whose in ("the", "my", "ma", "me", "our", "your")
        for who in (
            "kids",
            "kiddies",
            "children",
            "child",
            "bairns",
            "weans",
            "little ones",
            "wee ones",
            "baby",
            "grandkids",
            "grandchildren",
            "boy",
            "boys",
            "girl",
            "girls",
            "son",
            "sons",
            "daughter",
            "daughters",
            "grandson",
            "granddaughter",
            "little one",
            "wee one",
        )
    ),
    # A grown-up minded is sat with ("mind my mum while I'm at work", "someone to mind dad"), unless it is
    # asked whether someone minds ("do you mind my partner coming", "would you mind me asking").
    "sit with": tuple(f"{verb} {who}" for verb in ("mind", "minding") for who in _GROWN_UPS_MINDED),
    "you": tuple(f"{asked} mind {who}" for asked in ("you", "dont", "not") for who in _GROWN_UPS_MINDED),
    "house sitting": tuple(
        f"{verb} {whose} house" for verb in ("mind", "minding") for whose in ("the", "my", "our", "me", "ma")
    ),
    # A call for a chat is a phone chat ("ring me 4 a natter"); "ring me if you can take me" is only how
    # to arrange the help.
    "phone chat": tuple(
        f"{call} {whom} {purpose} a {chat}"
        for call in ("ring", "call", "phone")
        for whom in ("me", "us")
        for purpose in ("for", "4")
        for chat in ("natter", "chat", "chinwag", "catch up")
    ),
    # English at school is the subject, not the language: "her English literature marks", "GCSE English".
    "homework": (
        *(
            f"english {what}"
            for what in (
                "literature",
                "lit",
                "essay",
                "essays",
                "homework",
                "coursework",
                "gcse",
                "exam",
                "exams",
                "mocks",
                "teacher",
                "marks",
                "grades",
            )
        ),
        *(f"{level} english" for level in ("gcse", "a level", "alevel", "sats", "11 plus")),
    ),
    # A summer fair is a fair, not the summer holidays' childcare (and no more: a ride or children beside it
    # still read as they did).
    "fair": tuple(
        f"summer {what}"
        for what in ("fair", "fayre", "fete", "party", "bbq", "barbecue", "festival", "event", "show", "picnic")
    ),
    # A school year names a child at school ("my two (Reception and Year 2)", "my son is in year 6").
    "school": (
        *(f"{year} {n}" for year in ("in year", "in yr", "yr") for n in range(1, 12)),
        "reception class",
        "reception and year",
    ),
    # A light still out after its bulb was changed is the electrics ("I change bulb already, still
    # nothing"), not a bulb to change.
    "electrical": (
        *(
            f"{changed} {the}bulb{s}"
            for changed in ("changed", "replaced", "tried a new", "tried another", "put a new", "put in a new")
            for the in ("", "the ", "a ")
            for s in ("", "s")
        ),
        *(
            f"change {the}bulb {when}"
            for the in ("", "the ")
            for when in ("already", "two times", "twice", "three times", "but", "and still")
        ),
        "new bulb and still",
        "new bulb still",
    ),
    # Exercise books are for writing in, not exercise.
    "notebook": ("exercise book", "exercise books"),
    # Lifts given are rides in a car; "lift" alone is also lifting ("lift the sofa", "do a lift of my
    # piano", "offering a lift up the stairs").
    "driving": (
        *(
            f"{verb} {whom}{what}"
            for verb in ("give", "gives", "giving")
            for whom in ("", "you ", "people ", "folk ", "anyone ", "someone ", "neighbours ", "me ", "us ")
            for what in ("lifts", "a lift", "lift", "the odd lift")
        ),
        *(f"{verb} lifts" for verb in ("offer", "offering", "do")),
        "do the odd lift",
    ),
    # Picked up and dropped off, the writer or a grown-up they name is given a lift ("could somebody
    # drop me and pick me up", "pick mum up from the day centre"), not a parcel collected; what is
    # picked up for them stays an errand ("pick me up some milk"), and "pick them up from school" the
    # school run.
    "lift driving": (
        *(
            f"{verb} {who}{particle}"
            for verb, particles in (
                ("pick", (" up",)),
                ("picking", (" up",)),
                ("drop", (" off", " at", " to", " there", " home", " back", " and")),
                ("dropping", (" off",)),
            )
            for who in (*_GROWN_UPS_NAMED, "me", "us")
            for particle in particles
        ),
        *(f"{verb} up {who}" for verb in ("pick", "picking") for who in _GROWN_UPS_NAMED if " " in who),
    ),
    "pick up": tuple(
        f"{verb} {who} up {what}"
        for verb in ("pick", "picking")
        for who in ("me", "us")
        for what in ("a", "an", "some", "a few", "any", "something", "anything")
    ),
    # Lifting spirits is cheering up, neither a ride nor lifting; so is a pick-me-up ("a natter would pick
    # me up no end").
    "cheer up": (
        *(
            f"lift {whose} {what}"
            for whose in ("my", "your", "her", "his", "their", "the")
            for what in ("spirits", "mood")
        ),
        *(f"{a} pick me up" for a in ("a", "a little", "a bit of a", "would", "would really", "really")),
        "pick me up no end",
    ),
}
IDIOMS = {saying: plain for plain, sayings in IDIOMS_BY_MEANING.items() for saying in sayings}
# Help given in the helper's own car (or van). An offer whose writer says they have none ("I don't drive
# but I know all the buses", "No car but I have a trolley!") offers none of it, whatever else its words
# share with it ("Go with you to appointments"). In a request the same words ask for it: "I can't drive
# any more" needs a lift.
BY_CAR = frozenset(
    {
        "lifts-to-appointments",
        "lifts-to-the-shops",
        "lifts-to-social-events",
        "station-and-airport-runs",
        "collecting-someone-from-hospital",
        "van-and-driver",
    }
)
# Said by the writer of the text, in one clause: "I don't drive", "I haven't got a car", "I'm not a driver",
# "No car but I have a trolley!". Not someone else's ("for people who can't drive", "great if you have no
# car"), a limit ("I can't drive at night"), nor a car park, boot or seat.
_ME = r"(?:i|we)"
_A_CAR = r"(?:a |my own |)(?:car|motor)(?! (?:park|boot|seat|share|sharing|wash|insurance|boot sale))"
_NOT_LIMIT = (
    r"(?! (?:at night|after dark|in the dark|on motorways?|far|long distances|abroad|in london|in town|stick|manual))"
)
_NO_CAR = re.compile(
    rf"\b{_ME} (?:really |just |personally )?(?:dont|do not|cant|cannot|can not|no longer|never) drive\b{_NOT_LIMIT}"
    rf"|\b{_ME} (?:dont|do not) (?:have|own) {_A_CAR}\b"
    rf"|\b(?:{_ME} (?:havent|have not|aint) got|ive not got|weve not got|{_ME} have no) {_A_CAR}\b"
    r"|(?:^|\b(?:im|i am|were|we are) )(?:not|no longer) (?:a |much of a )?drivers?\b(?! by trade)"
    r"|\b(?:im|i am) a non driver\b|\bi gave up (?:driving|my car)\b|\b(?:im|i am) no longer driving\b"
    r"|^(?:no car|no motor|non driver)(?: but\b.*| sorry| im afraid| i walk everywhere)?$"
)
# The writer drives after all: "I don't drive at night but I have a car", "happy to drive".
_DRIVES = re.compile(
    rf"\b{_ME} (?:have|own|have got) (?:a |my own )?(?:car|van|motor)\b(?! (?:park|boot|seat))|\b(?:ive|weve) got (?:a |my own )?(?:car|van|motor)\b"
    rf"|\b(?:happy|glad|willing|able) to drive\b|\b{_ME}(?: can| will| do| often| usually)? drive\b|\bill drive\b"
)


def says_no_car(text: str) -> bool:
    """Whether a text's writer says they do not drive or have no car ("I don't drive", "No car but I
    have a trolley!"), and nowhere that they do."""
    clauses = [" ".join(words(clause)) for clause in CLAUSE_END.split(text)]
    if any(_DRIVES.search(clause) for clause in clauses):
        return False
    return any(_NO_CAR.search(clause) for clause in clauses)


# Sayings that take a sensitive reading away: "play" with children, getting "dressed", a "bath" given, a
# "sitter" for children. They are read plainly only in a text that names no child and no one being
# washed, dressed or put to bed, so the safe reading stays wherever it could be meant ("play cards with
# my son", "help her into her wedding dress", "help mum out of the bath, the bath is blocked").
_CHILD_OR_BODY = re.compile(
    r"\b(?:kids?|child|children|childs|sons?|daughters?|grandsons?|granddaughters?|grandchild|grandchildren"
    r"|grandkids?|boys?|girls?|lads?|little ones?|wee ones?|bab(?:y|ies)|toddlers?|teens?|teenagers?|nephews?"
    r"|nieces?|youth|years? old|yr old|\d+ ?(?:yo|yrs?)|school|bedtime|nursery|into (?:my|her|his|their|your) \w+"
    r"|dress(?:es)? on|dressed|dressing|dress (?:me|her|him|them)|get dressed|getting dressed|wash|washed|washing"
    r"|shower|bathe|bathing|toilet|bed|(?:have|having|give|giving) (?:a|her|him) bath"
    r"|(?:in|into|out of|in and out of) the bath)\b"
)
# Messages on a screen are not the Scots' shopping.
_ON_A_SCREEN = re.compile(
    r"\b(?:phone|mobile|whatsapp|facebook|email|emails|text|texts|inbox|voicemail|app|tablet|computer)\b"
)
_GUARDS = {
    **dict.fromkeys(("play music", "board games", "clothes", "plumbing", "pet sit", "house sit"), _CHILD_OR_BODY),
    "shopping": _ON_A_SCREEN,
}


def _idioms(sayings: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(sayings, key=len, reverse=True)) + r")\b")


@lru_cache(maxsize=8)
def _idioms_but(unsaid: frozenset[str]) -> re.Pattern[str]:
    """The sayings, except those whose plain meaning is `unsaid`."""
    return _idioms([saying for saying, plain in IDIOMS.items() if plain not in unsaid])


_IDIOM = _idioms(list(IDIOMS))
# Conjunctions that start the circumstances of a need, or its purpose, rather than the need itself. "So"
# starts a purpose ("so that ...", "so the plumber can ...", "so I can visit her") only then: followed
# by a subject and no "can", it gives the result, which is usually the need itself ("I've hurt my back
# so I need help with the garden").
_SUBJECT = r"(?:i|we|he|she|they|you|my \w+|our \w+)"
_PURPOSE = (
    rf"so that|so the|so {_SUBJECT}(?:'ll| will| can| could| may| might| wont| won't| dont have to| don't have to)"
)
_CONTEXT = re.compile(rf"\b(while|whilst|because|cos|coz|since|{_PURPOSE})\b")
CLAUSE_END = re.compile(r"[.!?;,\n]")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Whole, alphabetic words of the model's vocabulary; empty when the file is missing."""
    try:
        vocabulary = json.loads(TOKENIZER_JSON.read_text(encoding="utf-8"))["model"]["vocab"]
    except (OSError, ValueError, KeyError):
        return frozenset()
    return frozenset(w for w in vocabulary if w.isalpha() and w.isascii())


# Contractions that would join into another word: "she'd" is not a shed, "he'll" not hell.
_JOINS_INTO_A_WORD = re.compile(
    r"\b(i|you|he|she|it|we|they|who|that|there|someone|somebody|anyone|anybody|everyone|nobody)['\u2019](d|ll)\b"
)


def words(text: str) -> list[str]:
    """Lower-case words, accents and apostrophes dropped ("don't" -> "dont", "café" -> "cafe");
    "she'd" -> "she would", "he'll" -> "he will"."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = _JOINS_INTO_A_WORD.sub(lambda m: f"{m[1]} {'would' if m[2] == 'd' else 'will'}", folded)
    folded = folded.replace("'", "").replace("\u2019", "").replace("&", " and ")
    return _WORD.findall(folded)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS]


# "Lift" is a ride unless its words say otherwise (`NOT_ALONE`), as a ride needs a checked helper and lifting
# does not: where a text is unclear, it is read the safe way. It is lifting said of a thing: "help me lift a
# wardrobe", "could you lift my nan's shopping up", "lifting some paving slabs", "give us a lift with the bins"
# (read as carrying, a word no lift to the shops shares). Said of a person, a
# place or anything else it stays a ride: "lift my elderly mother to church", "who can lift Mama Ngozi to
# church", "give me a lift with my bags from the station", "I have no lift to church"; lifting something
# unknown with no place to go reads as both ("can you lift Mrs Patel"). A building's lift that is not there
# or broken is the stairs ("2nd floor, no lift", "the lift's been out for weeks"), not "my lift".
_MAKES_A_VERB = (
    "help to can could cant cannot will would i we you me us u ya ye yu yuh someone somebody anyone anybody"
    " able please pls plz cud dont not and"
).split()
_WHAT = (
    r" (?:(?:a|an|the|my|our|his|her|your|their|some|this|that|these|those|up|down|in|out|new|old|big|heavy"
    r"|little|small|huge|wee) )*(?P<what>\w+)(?: (?P<then>\w+))?"
)
_LIFT_SAID = re.compile(
    r"(?P<lift>(?:^|"
    + "|".join(rf"(?<=\b{word} )" for word in _MAKES_A_VERB)
    + r")lift|(?<!\bheavy )\blifting|\ba lift (?:up )?(?:with|getting|carrying|moving|shifting))(?:"
    + _WHAT
    + r"|(?P<end>$))"
)
_LIFT_OUT = (
    r"lifts? (?:is |are |has been |have been |been |s |keeps? )?(?:broken|breaking|out of order|out|not working"
    r"|isnt working|arent working|never works?|knackered|bust|busted|kaput|down)\b"
)
# "The lift" is a building's; "no lift" or "our lift is out" is only where a building is named, as it may be
# one's ride ("no lift so I need someone to drive me", "our lift is out tonight so can anyone run us to bingo").
_BUILDINGS_LIFT = re.compile(rf"\bbroken lifts?\b|\bthe {_LIFT_OUT}")
_NO_LIFT_IN_A_BUILDING = re.compile(rf"\bno lifts?(?! to\b| home\b| back\b)\b|\b(?:our|their) {_LIFT_OUT}")
_A_BUILDING = re.compile(r"\b(?:floors?|block|flats?|stairs|upstairs|storeys?|tower|building|\d+(?:st|nd|rd|th))\b")
_GOING_TO = re.compile(r"\b(?:to|2|tae|go|home|back|from|fae|frae)\b")
_LIFTED_THINGS = frozenset(
    (
        "it something things thing stuff this that these those anything everything heavy"
        " wardrobe wardrobes sofa sofas settee couch armchair chair chairs table tables desk drawers chest bookcase"
        " cabinet cupboard fridge freezer cooker oven washer washing dishwasher dryer mattress bed beds cot frame"
        " headboard piano tv telly television boxes box crate crates furniture bins bin slabs paving compost sand"
        " cement bags bag shopping suitcase suitcases case cases luggage parcel parcels delivery logs wood rug"
        " carpet mirror bike bicycle pram buggy plants pots pot planter planters boiler radiator door doors"
        " weights shelves shelf"
    ).split()
)
# Ridden with, not lifted: "give me a lift with my shopping" is a lift to the shops.
_RIDDEN_WITH = frozenset("shopping bags bag suitcase suitcases case cases luggage messages trolley".split())
# People, and words said before them ("my elderly mother", "my old man").
_PEOPLE = WHO_WORDS | frozenset(
    (
        "me us him her you them someone somebody people person patient partner mam mama mummy grandmother"
        " grandfather aunty auntie uncle sister brother friend kids kid child children baby babies toddler"
        " toddlers boy boys girl girls grandson granddaughter grandkids grandchildren wheelchair folk folks"
        " neighbours elderly disabled poorly old man missus hubby fella nanna aunt cousin stepmum stepdad"
        " stepmother stepfather fiance fiancee mr mrs ms miss residents resident clients client users service"
        " m8 mate mates pal pals"
    ).split()
)
_UNSAID = frozenset("spirits mood".split())  # lifted spirits are cheering up (`IDIOMS`)
# Said after who or what is lifted, only these name a thing: not "this" in "lift our Kev this Saturday".
_LIFTED_NAMES = _LIFTED_THINGS - frozenset(
    "it this that these those something things thing stuff anything everything heavy".split()
)


def _buildings_lift(clause: str, *, building: bool) -> str:
    """A clause with a building's lift that is missing or broken put as the stairs; `building`: the text
    names one ("2nd floor, no lift")."""
    clause = _BUILDINGS_LIFT.sub("stairs", clause)
    return _NO_LIFT_IN_A_BUILDING.sub("stairs", clause) if building else clause


def _lift_read(clause: str, *, building: bool) -> str:
    """A clause with each "lift" read as its words say (above): lifting put as carrying, a building's
    lift as the stairs; a ride is left as it is."""
    clause = _buildings_lift(clause, building=building)

    def read(match: re.Match[str]) -> str:
        said, what, then = match["lift"], match["what"], match["then"]
        rest = clause[match.end() :]
        carried = said.replace("lifting", "carry").replace("lift", "carry")
        if said.startswith("a lift"):  # a lift with something: a ride unless it is a thing with no place
            ride = what in _RIDDEN_WITH or what not in _LIFTED_THINGS or _GOING_TO.search(f"{then or ''} {rest}")
            return match[0] if ride else match[0].replace(said, carried, 1)
        if what in _UNSAID or what in _PEOPLE:
            return match[0]
        if said == "lifting" and match["end"] is not None:  # "help with lifting", but "Lifts and lifting" is both
            lifting_to_do = clause[: match.start()].split()[-1:] in (["with"], ["at"], ["some"], ["any"], ["do"])
            return match[0].replace(said, carried, 1) if lifting_to_do else match[0]
        going = _GOING_TO.search(f"{what} {then or ''} {rest}")
        if going and (what in _RIDDEN_WITH or then in _RIDDEN_WITH):  # "lift my shopping home from Asda"
            return match[0]
        if what in _LIFTED_THINGS or then in _LIFTED_NAMES:
            return match[0].replace(said, carried, 1)
        if said == "lifting" or match["end"] is not None or going or what in STOP_WORDS:
            return match[0]
        return match[0].replace(said, f"{said} {carried}", 1)

    return _LIFT_SAID.sub(read, clause)


def plain_words(text: str) -> list[str]:
    """Content words with sayings and everyday words put plainly ("packed in" -> "broken",
    "telly" -> "tv")."""
    # Clause by clause: a saying never spans a comma or a full stop ("Personal care, home visits").
    parts = [" ".join(words(clause)) for clause in CLAUSE_END.split(text)]
    # Guarded sayings are read plainly only where their guard finds nothing in the whole text, its
    # everyday words put plainly ("the bairns" are children).
    plainly = " ".join(COLLOQUIAL.get(w, w) for part in parts for w in part.split())
    unsaid = frozenset(plain for plain, guard in _GUARDS.items() if guard.search(plainly))
    idioms = _idioms_but(unsaid) if unsaid else _IDIOM
    # Lifting is never read into a text about a child or someone's body (a bath, a bed, getting dressed):
    # whoever is lifted there, the check the help needs is read from those words.
    building = bool(_A_BUILDING.search(plainly))
    if _CHILD_OR_BODY.search(plainly):
        parts = [_buildings_lift(part, building=building) for part in parts]
    else:
        parts = [_lift_read(part, building=building) for part in parts]
    clauses = (idioms.sub(lambda m: IDIOMS[m.group(1)], part) for part in parts)
    return [COLLOQUIAL.get(w, w) for clause in clauses for w in clause.split() if w not in STOP_WORDS]


def need_and_context(text: str) -> tuple[str, str]:
    """A text split into the need and its circumstances: each clause's words after "while",
    "because", "so the", "so I can" ... go to the circumstances; after "so I need" they stay the need."""
    need, context = [], []
    for clause in CLAUSE_END.split(text.lower().replace("\u2019", "'")):
        found = _CONTEXT.search(clause)
        if found and found.start() > 0:
            need.append(clause[: found.start()])
            context.append(clause[found.start() :])
        else:
            need.append(clause)
    return " . ".join(need), " . ".join(context)


@dataclass(frozen=True)
class SkillMatch:
    """How strongly a text asks for (or offers) each skill; the strongest skill weighs 1.0."""

    weights: Mapping[str, float]

    def __bool__(self) -> bool:
        return bool(self.weights)

    def strongest(self, limit: int = 3) -> list[str]:
        return sorted(self.weights, key=lambda slug: (-self.weights[slug], slug))[:limit]


class SkillMatcher:
    """Maps free text onto taxonomy skills; build once per taxonomy and reuse."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._phrases: dict[str, list[tuple[str, ...]]] = {}
        skills_by_stem: dict[str, set[str]] = defaultdict(set)
        vocabulary: set[str] = set()
        for skill in taxonomy.skills.values():
            phrases = []
            for phrase in (skill.name, *skill.synonyms):
                phrase_words = content_words(phrase)
                vocabulary.update(phrase_words)
                stems = tuple(dict.fromkeys(stem(w) for w in phrase_words))
                if stems:
                    phrases.append(stems)
                    for s in stems:
                        skills_by_stem[s].add(skill.slug)
            self._phrases[skill.slug] = phrases
        total = len(taxonomy.skills)
        # Rarer words say more: "dialysis" points at one skill, "appointment" at several.
        self._idf = {s: math.log(1 + total / len(slugs)) for s, slugs in skills_by_stem.items()}
        self._skills_by_stem = {s: frozenset(slugs) for s, slugs in skills_by_stem.items()}
        self._vocabulary_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(vocabulary):
            self._vocabulary_by_initial[word[0]].append(word)
        self._no_evidence_alone = frozenset(stem(w) for w in WHO_WORDS | WHICH_WORDS)
        self._not_alone = {slug: frozenset(stem(w) for w in words) for slug, words in NOT_ALONE.items()}
        self._correct = lru_cache(maxsize=65536)(self._correct_uncached)
        # Listings are read far more often than written, so their text is mapped once per process;
        # bounded, as a description may be 4,000 characters (at most ~70 MB, typically ~3 MB).
        self._skills_in = lru_cache(maxsize=16384)(self._skills_in_uncached)

    def _correct_uncached(self, word: str) -> str | None:
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return None
        common = common_words()
        if word.endswith("in") and word not in common:
            # The dropped g of speech and texts: "hoovrin" is "hoovring", then "hoovering".
            word += "g"
            if stem(word) in self._idf:
                return word
        # Misspellings rarely change the first letter; requiring it avoids "booking" -> "cooking".
        candidates = self._vocabulary_by_initial.get(word[0], ())
        max_edits = 2 if len(word) >= LONG_WORD_LENGTH else 1
        found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=max_edits)
        if not found:
            return None
        real_word = word in common or stem(word) in common  # "stinks" as well as "stink"
        if real_word and len(os.path.commonprefix([word, found[0]])) < SAME_WORD_PREFIX:
            return None
        return found[0]

    def correct(self, word: str) -> str:
        """The vocabulary word a misspelt (or colloquial) word was meant to be, or the word itself."""
        word = COLLOQUIAL.get(word, word)
        if stem(word) in self._idf:
            return word
        return self._correct(word) or word

    def stems(self, text: str) -> set[str]:
        """Known stems of a text after typo correction; unknown words are dropped."""
        return {s for s in self._stem_sequence(text) if s in self._idf}

    def _stem_sequence(self, text: str) -> list[str]:
        """Every content word's stem after typo correction, in the text's order."""
        return [stem(self.correct(word)) for word in plain_words(text)]

    def skills_in(self, text: str, *, title: str = "") -> SkillMatch:
        """Skills a listing is about; pass its title separately so it counts for more."""
        return self._skills_in(text, title)

    def _skills_in_uncached(self, text: str, title: str) -> SkillMatch:
        need, context = need_and_context(text)
        parts = {
            part: self._stem_sequence(words) for part, words in (("context", context), ("need", need), ("title", title))
        }
        emphasis = dict.fromkeys((s for s in parts["context"] if s in self._idf), CONTEXT_WEIGHT)
        emphasis.update(dict.fromkeys((s for s in parts["need"] if s in self._idf), 1.0))
        emphasis.update(dict.fromkeys((s for s in parts["title"] if s in self._idf), TITLE_WEIGHT))
        present = emphasis.keys()
        slugs = {k for s in present for k in self._skills_by_stem[s]}
        # A phrase written out whole (`_written_together`: "flat pack", "hedge trimming" or "trim my
        # front hedge" for "trim hedge") owns its words where it is written: "pack" there is not also
        # packing on its own, nor "washed" in "getting washed and dressed" the laundry; the same word
        # elsewhere in the text ("then pack my books") still counts. Its words scattered ("pack up
        # the old flat") say it less surely.
        sequences = list(parts.values())
        places: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for n, sequence in enumerate(sequences):
            for at, s in enumerate(sequence):
                places[s].append((n, at))
        written: dict[tuple[str, ...], set[tuple[int, int]]] = {}
        for slug in slugs:
            for phrase in self._phrases[slug]:
                if len(phrase) > 1 and phrase not in written and all(s in present for s in phrase):
                    written[phrase] = _written_together(phrase, sequences, places[phrase[0]])
        whole = {phrase for phrase, where in written.items() if where}
        owned_places = {place for where in written.values() for place in where}
        # Stems every place of which lies inside a phrase written out, the title aside: it names
        # what the text says ("Getting washed" over "help getting washed and dressed").
        title_at = list(parts).index("title")
        owned = {s for phrase in whole for s in phrase if all(p in owned_places or p[0] == title_at for p in places[s])}
        raw: dict[str, float] = {}
        for slug in slugs:
            # Each phrase is a unit of meaning: "kitchen" alone is half of "kitchen clean", so it
            # is weaker evidence for cleaning than "paint" is for decorating.
            own = {s for phrase in self._phrases[slug] if phrase in whole for s in phrase}
            best: dict[str, float] = {}
            for phrase in self._phrases[slug]:
                matched = [s for s in phrase if s in present]
                if not matched or all(s in self._no_evidence_alone for s in matched):
                    continue
                if len(phrase) == 1 and phrase[0] in owned and phrase[0] not in own:
                    continue
                fraction = len(matched) / len(phrase)
                if len(phrase) > 1 and fraction == 1 and phrase not in whole:
                    fraction = SCATTERED_PHRASE
                for s in matched:
                    best[s] = max(best.get(s, 0.0), fraction)
            if best.keys() <= self._not_alone.get(slug, frozenset()):
                continue
            if best:
                raw[slug] = sum(self._idf[s] * f * emphasis[s] for s, f in best.items())
        return _normalised(raw)


def _written_together(
    phrase: tuple[str, ...], sequences: list[list[str]], starts: list[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Where a phrase's words are written together in the sequences, as (sequence, position) of each
    of its words: side by side in any order ("hedge trimming" for "trim hedge"), or in the phrase's
    order with one other word between ("trim my front hedge"). Empty when nowhere. `starts`: where
    its first word is. Linear in the places of that word, however often a text repeats it."""
    size, wanted = len(phrase), set(phrase)
    found: set[tuple[int, int]] = set()
    for n, at in starts:
        sequence = sequences[n]
        side_by_side = next(
            (start for start in range(max(0, at - size + 1), at + 1) if set(sequence[start : start + size]) == wanted),
            None,
        )
        if side_by_side is not None:
            found.update((n, i) for i in range(side_by_side, side_by_side + size))
            continue
        matched, position = [], at
        for word in phrase:
            while position < at + size + 1 and position < len(sequence) and sequence[position] != word:
                position += 1
            if position >= at + size + 1 or position >= len(sequence):
                break
            matched.append((n, position))
            position += 1
        if len(matched) == size:
            found.update(matched)
    return found


def _normalised(raw: Mapping[str, float]) -> SkillMatch:
    top = max(raw.values(), default=0.0)
    # Nothing, or only words saying who the help is for ("Mum"), which weigh nothing.
    if top <= 0:
        return SkillMatch({})
    # Read-only: the same result is handed out by the cache to every caller.
    kept = {slug: w / top for slug, w in raw.items() if w >= KEEP_SHARE * top}
    return SkillMatch(MappingProxyType(kept))


def combine(*matches: SkillMatch | Mapping[str, float]) -> SkillMatch:
    """Merge skill weights from several sources (chosen skills and free text): strongest wins."""
    merged: dict[str, float] = {}
    for match in matches:
        weights = match.weights if isinstance(match, SkillMatch) else match
        for slug, weight in weights.items():
            merged[slug] = max(merged.get(slug, 0.0), weight)
    return SkillMatch(merged)


def chosen(slugs: Iterable[str]) -> SkillMatch:
    """Skills a member picked themselves: full weight."""
    return SkillMatch(dict.fromkeys(slugs, 1.0))


def evidence_words(matcher: SkillMatcher, text: str, slug: str) -> list[str]:
    """The words of a text that name a skill (after typo correction), in the text's order."""
    stems = {s for phrase in matcher._phrases.get(slug, ()) for s in phrase}
    return list(dict.fromkeys(w for w in content_words(text) if stem(matcher.correct(w)) in stems))
