"""Demo history for seed_demo, written through the same services the product uses."""

from exchanges.matching.services import profile_skills_refresh
from members.models import Membership, Network, Skill

# (bio, neighbourhood, availability, skills offered, skills wanted), in the order of seed_demo's MEMBERS:
# Aisha, Bernard, Chloe, Dev, Edna, Femi, Grace, Hamid, Irene; each as their listings and history show them
# (exchanges/demo.py). Slugs of the shipped taxonomy (a test holds them to it); a database whose taxonomy
# lacks one skips it.
DEMO_PROFILES = [
    (
        "Retired bus driver. Happy to give lifts and to help with forms and letters.",
        "Church End",
        ["mon-morning", "wed-morning", "fri-afternoon"],
        ["lifts-to-appointments", "filling-in-forms", "reading-letters"],
        ["gardening", "smartphone-help"],
    ),
    (
        "Retired postman with a bad knee. Good with phones, and always up for a chat.",
        "Church End",
        ["tue-afternoon", "sat-morning", "sat-afternoon"],
        ["smartphone-help", "digital-photos", "coffee-and-a-chat"],
        ["lifts-to-appointments", "cooking-a-meal"],
    ),
    (
        "Student nurse. I walk my dog round Roundwood Park every morning.",
        "Harlesden Town",
        ["mon-morning", "tue-evening", "thu-evening"],
        ["dog-walking", "pet-sitting"],
        ["bike-repair", "english-conversation-practice"],
    ),
    (
        "I like fixing things: taps, shelves, bikes. I have a car.",
        "Harlesden Town",
        ["tue-evening", "thu-morning", "sat-morning"],
        ["bike-repair", "putting-up-shelves-and-pictures", "fixing-taps-and-leaks", "odd-jobs"],
        ["knitting-and-crochet", "cooking-a-meal"],
    ),
    (
        "Loves a cup of tea and a chat. Knits for the whole street.",
        "Kensal Green",
        ["tue-afternoon", "thu-afternoon"],
        ["knitting-and-crochet", "coffee-and-a-chat"],
        ["food-shopping", "reading-letters", "befriending-visits"],
    ),
    (
        "Cook for big family gatherings, can batch cook.",
        "Kensal Green",
        ["mon-evening", "wed-evening", "sun-afternoon"],
        ["batch-cooking", "cooking-a-meal", "world-cooking"],
        ["cvs-and-job-applications", "gardening"],
    ),
    (
        "Speaks Polish and Portuguese; can come along to appointments. Helped friends with their CVs.",
        "Church End",
        ["wed-afternoon", "fri-morning"],
        ["interpreting-at-appointments", "polish", "portuguese", "cvs-and-job-applications"],
        ["smartphone-help", "video-calls", "fixing-furniture"],
    ),
    (
        "Just moved here. Good with computers, and strong: happy to move furniture or dig a garden.",
        "Stonebridge",
        ["fri-evening", "sat-morning", "sat-afternoon", "sun-afternoon"],
        ["computer-basics", "video-calls", "online-banking", "moving-furniture-around", "food-shopping", "gardening"],
        ["filling-in-forms", "cooking-a-meal"],
    ),
    (
        "Former teacher: reading, maths and homework help. Good at sorting things out.",
        "Stonebridge",
        ["mon-morning", "thu-morning"],
        ["homework-help", "maths-tutoring", "reading-and-writing-practice", "decluttering-and-sorting"],
        ["food-shopping", "gardening"],
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
