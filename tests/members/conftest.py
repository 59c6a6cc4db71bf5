"""Fixtures for people and networks: a supporter linked to Alice, a pending person, skills of our own."""

import pytest

from members.models import Membership, Skill, SkillCategory, SupportLink
from tests.factories import member, pending


@pytest.fixture
def supporter(network, alice):
    """Sam, a supporter linked to Alice (and to nobody else)."""
    sam = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(
        network=network, supporter=sam, member=Membership.objects.get(user=alice, network=network)
    )
    return sam.user


@pytest.fixture
def waiting(network):
    return pending(network).user


@pytest.fixture
def other_coordinator(other_network):
    return member(other_network, role=Membership.Role.COORDINATOR).user


@pytest.fixture
def skills(db):
    """Skills made here, so tests do not depend on the shipped taxonomy's slugs."""
    garden = SkillCategory.objects.create(slug="test-garden", name="Test garden")
    lifts = SkillCategory.objects.create(slug="test-lifts", name="Test lifts", sensitive=True)
    return {
        "weeding": Skill.objects.create(slug="test-weeding", name="Weeding", category=garden, synonyms=["garden"]),
        "mowing": Skill.objects.create(slug="test-mowing", name="Mowing", category=garden),
        "hospital": Skill.objects.create(slug="test-hospital-run", name="Hospital run", category=lifts),
    }
