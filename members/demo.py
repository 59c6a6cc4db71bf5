"""Demo history for seed_demo, written through the same services the product uses."""

from exchanges.matching.services import profile_skills_refresh
from members.models import Membership, Network, Skill

# (bio, neighbourhood, availability, skills offered, skills wanted), in the order of seed_demo's MEMBERS.
# Skill slugs that the shipped taxonomy does not have are skipped, so the taxonomy can change freely.
DEMO_PROFILES = [
    (
        "Retired bus driver. Happy to give lifts and to help with forms.",
        "Church End",
        ["mon-morning", "wed-morning", "fri-afternoon"],
        ["lifts-to-appointments", "form-filling", "reading-letters"],
        ["gardening", "using-a-smartphone"],
    ),
    (
        "I like fixing things: taps, shelves, bikes.",
        "Church End",
        ["sat-morning", "sat-afternoon", "sun-morning"],
        ["small-repairs", "putting-up-shelves", "bike-repairs"],
        ["cooking-a-meal", "company-and-a-chat"],
    ),
    (
        "Student nurse, good with phones and computers.",
        "Harlesden Town",
        ["tue-evening", "thu-evening"],
        ["using-a-smartphone", "video-calls", "email-and-online-forms"],
        ["dog-walking", "language-practice"],
    ),
    (
        "Cook for big family gatherings, can batch cook.",
        "Harlesden Town",
        ["mon-evening", "wed-evening", "sun-afternoon"],
        ["cooking-a-meal", "batch-cooking", "shopping"],
        ["lifts-to-appointments", "form-filling"],
    ),
    (
        "Loves a cup of tea and a chat. Knits for the whole street.",
        "Kensal Green",
        ["tue-afternoon", "thu-afternoon"],
        ["knitting-and-sewing", "company-and-a-chat"],
        ["shopping", "reading-letters", "lifts-to-appointments"],
    ),
    (
        "Gardener by trade. Dogs welcome.",
        "Kensal Green",
        ["mon-afternoon", "tue-morning", "sat-morning"],
        ["gardening", "dog-walking", "heavy-lifting"],
        ["using-a-smartphone"],
    ),
    (
        "Speaks Polish and Portuguese; can come along to appointments.",
        "Church End",
        ["wed-afternoon", "fri-morning"],
        ["interpreting", "language-practice", "company-and-a-chat"],
        ["small-repairs", "bike-repairs"],
    ),
    (
        "Just moved here. Strong, can help with moving furniture.",
        "Stonebridge",
        ["fri-evening", "sat-afternoon", "sun-afternoon"],
        ["heavy-lifting", "moving-house", "shopping"],
        ["email-and-online-forms", "cooking-a-meal"],
    ),
    (
        "Former teacher: reading, maths and homework help.",
        "Stonebridge",
        ["mon-morning", "thu-morning"],
        ["homework-help", "reading-letters", "form-filling"],
        ["gardening", "video-calls"],
    ),
]


def _skills(slugs: list[str]) -> list[Skill]:
    return list(Skill.objects.filter(slug__in=slugs))


def demo_profiles(*, network: Network, memberships: list[Membership]) -> None:
    """Bios, neighbourhoods, availability and skills for the demo members."""
    for membership, (bio, place, availability, offered, wanted) in zip(memberships, DEMO_PROFILES, strict=False):
        membership.bio = bio
        membership.neighbourhood = place
        membership.availability = availability
        membership.save(update_fields=["bio", "neighbourhood", "availability"])
        membership.skills_offered.set(_skills(offered))
        membership.skills_wanted.set(_skills(wanted))
        profile_skills_refresh(membership=membership)
