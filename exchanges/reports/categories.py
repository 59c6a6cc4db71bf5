"""Which kind of help an exchange was, for "hours by kind of help": the skill its member ticked, or,
where none was ticked (members often just write), what matching reads from the words."""

from collections.abc import Iterable

from exchanges.matching.skills import skill_ids, skill_matcher
from exchanges.models import Exchange
from exchanges.reports.models import UNCATEGORISED, RollupExchangeCategory
from members.models import Skill


def _ticked(listing_ids: set[int]) -> dict[int, int]:
    """Each listing's ticked skill with the lowest id, as its category."""
    found: dict[int, tuple[int, int]] = {}
    rows = Skill.objects.filter(listings__in=listing_ids).values_list("listings", "pk", "category_id")
    for listing, skill, category in rows:
        if listing not in found or skill < found[listing][0]:
            found[listing] = (skill, category)
    return {listing: category for listing, (_, category) in found.items()}


def _from_words(title: str, text: str) -> int:
    match = skill_matcher().skills_in(text, title=title)
    strongest = match.strongest(1)
    if not strongest:
        return UNCATEGORISED
    taxonomy = skill_matcher().taxonomy
    return skill_ids().category.get(taxonomy.skills[strongest[0]].category.slug, UNCATEGORISED)


def categories_derive(exchange_pks: Iterable[int]) -> dict[int, int]:
    """The category of each exchange (UNCATEGORISED when neither ticks nor words tell)."""
    exchanges = list(
        Exchange.objects.filter(pk__in=list(exchange_pks))
        .select_related("listing")
        .only("pk", "description", "listing__title", "listing__description")
    )
    ticked = _ticked({e.listing_id for e in exchanges if e.listing_id})
    out = {}
    for exchange in exchanges:
        if exchange.listing_id in ticked:
            out[exchange.pk] = ticked[exchange.listing_id]
            continue
        listing = exchange.listing
        title = listing.title if listing else ""
        text = " ".join(t for t in (listing.description if listing else "", exchange.description) if t)
        out[exchange.pk] = _from_words(title, text)
    return out


def exchange_category(*, exchange_pk: int) -> int:
    """The exchange's category as first rolled up (deriving and keeping it the first time)."""
    kept = RollupExchangeCategory.objects.filter(exchange_pk=exchange_pk).values_list("category_pk", flat=True).first()
    if kept is not None:
        return kept
    category = categories_derive([exchange_pk]).get(exchange_pk, UNCATEGORISED)
    RollupExchangeCategory.objects.get_or_create(exchange_pk=exchange_pk, defaults={"category_pk": category})
    return category


def categories_rebuild(*, network_pks: list[int] | None) -> int:
    """Derive afresh the category of every exchange with a posted transfer (in some networks, or all)."""
    exchanges = Exchange.objects.filter(transfers__isnull=False).distinct()
    if network_pks is not None:
        exchanges = exchanges.filter(network_id__in=network_pks)
    pks = list(exchanges.values_list("pk", flat=True))
    RollupExchangeCategory.objects.filter(exchange_pk__in=pks).delete()
    derived = {}
    for start in range(0, len(pks), 2000):
        derived.update(categories_derive(pks[start : start + 2000]))
    RollupExchangeCategory.objects.bulk_create(
        [RollupExchangeCategory(exchange_pk=e, category_pk=c) for e, c in derived.items()], batch_size=5000
    )
    return len(derived)
