"""`manage.py import_timebank`: TimeOverflow's exports and the plain CSV, dry runs, re-runs, bad rows."""

import importlib.util
import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from exchanges.imports.models import ImportedRecord
from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.selectors import ledger_verify
from exchanges.matching.models import ListingSkill
from exchanges.models import Listing
from members.models import Membership, User
from tests.factories import NetworkFactory, UserFactory, member

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "bench/imports/generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_timebank", *args, stdout=out, stderr=out)
    return out.getvalue()


def balances(network) -> dict[str, int]:
    records = ImportedRecord.objects.filter(network=network, kind=ImportedRecord.Kind.MEMBER)
    by_membership = dict(Account.objects.filter(network=network).values_list("membership_id", "balance"))
    return {r.source_id: by_membership[r.object_id] for r in records}


def writes(network) -> tuple:
    return (
        Membership.objects.filter(network=network).count(),
        Listing.objects.filter(network=network).count(),
        Transfer.objects.filter(network=network).count(),
        User.objects.count(),
    )


@pytest.fixture
def network():
    return NetworkFactory(slug="andreu", welcome_minutes=120)


@pytest.fixture
def export(tmp_path):
    expected = _generator().generate(tmp_path, members=40, transfers=400, seed=7)
    return tmp_path, expected


def test_timeoverflow_export_brings_in_members_listings_and_the_sources_balances(network, export):
    folder, expected = export
    out = run("--network", "andreu", "--format", "timeoverflow", str(folder))

    assert "Members: 40 new, 0 updated, 0 unchanged." in out
    assert balances(network) == expected
    assert ledger_verify(network=network) == []
    openings = Transfer.objects.filter(network=network, kind=Transfer.Kind.ISSUE, reason="opening balance")
    assert openings.exists()
    # Members joined when they joined the bank they come from.
    first = Membership.objects.get(pk=ImportedRecord.objects.get(kind="member", source_id="1").object_id)
    assert first.approved_at.year < 2026 and first.status == Membership.Status.ACTIVE
    offers = Listing.objects.filter(network=network, kind=Listing.Kind.OFFER)
    assert offers.count() == 24 and Listing.objects.filter(network=network, kind=Listing.Kind.REQUEST).count() == 24
    # What each listing is about is read from its words, for matching and the reports' categories.
    assert ListingSkill.objects.filter(listing__in=offers).exists()


def test_running_the_same_import_again_changes_nothing(network, export):
    folder, expected = export
    run("--network", "andreu", "--format", "timeoverflow", str(folder))
    before = writes(network)

    out = run("--network", "andreu", "--format", "timeoverflow", str(folder))

    assert "Members: 0 new, 0 updated, 40 unchanged." in out
    assert "Listings: 0 new, 0 updated, 48 unchanged." in out
    assert "Balances: 0 moved" in out
    assert writes(network) == before
    assert balances(network) == expected


def test_a_dry_run_says_what_would_change_and_writes_nothing(network, export):
    folder, _ = export
    before = writes(network)

    out = run("--network", "andreu", "--format", "timeoverflow", str(folder), "--dry-run")

    assert "Members: 40 new" in out and "Listings: 48 new" in out and "Dry run: nothing was written." in out
    assert writes(network) == before
    assert not ImportedRecord.objects.exists()


def test_members_without_an_email_become_supported_members_without_a_login(network, export):
    folder, expected = export
    out = run("--network", "andreu", "--format", "timeoverflow", str(folder))

    assert "Members_2026-11-30.csv:21: no email" in out  # member 20: TimeOverflow left the address empty
    record = ImportedRecord.objects.get(kind="member", source_id="20")
    membership = Membership.objects.get(pk=record.object_id)
    assert membership.is_supported and membership.user.email is None
    assert not membership.user.has_usable_password()
    assert balances(network)["20"] == expected["20"]


def test_bad_rows_are_named_by_line_and_nothing_is_written(network, export):
    folder, _ = export
    members = folder / "Members_2026-11-30.csv"
    lines = members.read_text().splitlines()
    lines[3] = lines[3].replace("socio3@example.net", "not-an-email")
    lines[5] = ",".join(lines[5].split(",")[:-1] + ["lots"])
    members.write_text("\n".join(lines) + "\n")
    before = writes(network)

    with pytest.raises(CommandError, match="Nothing was imported: [0-9]+ row"):
        out = io.StringIO()
        call_command("import_timebank", "--network", "andreu", "--format", "timeoverflow", str(folder),
                     stdout=out, stderr=out)  # fmt: skip
    text = out.getvalue()
    assert "Members_2026-11-30.csv:4: “not-an-email” is not an email address." in text
    assert "Members_2026-11-30.csv:6: balance “lots” is not a whole number." in text
    assert "Traceback" not in text
    assert writes(network) == before


def test_files_that_are_not_csv_are_refused_without_a_traceback(network, tmp_path):
    (tmp_path / "Members_x.csv").write_bytes(b"N,Name\n\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="Nothing was imported"):
        run("--network", "andreu", "--format", "timeoverflow", str(tmp_path))
    with pytest.raises(CommandError, match="No network"):
        run("--network", "nowhere", "--format", "plain", str(tmp_path))


def test_a_file_larger_than_the_limit_is_refused_never_read_past_it(network, tmp_path, monkeypatch):
    from exchanges.imports import sources

    monkeypatch.setattr(sources, "FILE_MAX_BYTES", 1024)
    (tmp_path / "members.csv").write_text("email,name\n" + "a@example.org,A\n" * 100)
    (tmp_path / "listings.csv").write_text("member_email,kind,title\n")
    before = writes(network)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_timebank", "--network", "andreu", "--format", "plain", str(tmp_path), stdout=out, stderr=out
        )
    assert "members.csv: is larger than 1.0\xa0KB; split it and try again." in out.getvalue()
    assert writes(network) == before


def test_a_pipe_or_a_device_is_refused_not_read_forever(network, tmp_path):
    (tmp_path / "members.csv").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "listings.csv")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_timebank", "--network", "andreu", "--format", "plain", str(tmp_path), stdout=out, stderr=out
        )
    assert "members.csv: is not a plain file." in out.getvalue()
    assert "listings.csv: is not a plain file." in out.getvalue()


def test_plain_csv_finds_existing_people_by_email_and_brings_in_negative_balances(network, tmp_path):
    existing = member(network, user=UserFactory(email="edna@example.org")).user
    (tmp_path / "members.csv").write_text(
        "id,email,name,joined_on,balance_minutes\n"
        "m1,Edna@Example.org,Edna,2024-03-01,90\n"
        "m2,bob@example.org,Bob,2025-01-15,-900\n"
        "m3,,Iris,,\n"
    )
    (tmp_path / "listings.csv").write_text(
        "id,member_id,kind,title,description\n"
        "l1,m2,offer,Lift to the hospital,I can drive you to the hospital or GP\n"
        "l2,m1,request,Help in the garden,\n"
    )

    out = run("--network", "andreu", "--format", "plain", str(tmp_path))

    assert "Members: 2 new, 1 updated, 0 unchanged." in out
    assert Membership.objects.filter(network=network, user=existing).count() == 1
    assert balances(network) == {"m1": 90, "m2": -900, "m3": 120}  # Iris keeps her welcome hours
    bob = Account.objects.get(membership__user__email="bob@example.org")
    assert bob.floor <= -900 and "opening balance" in bob.floor_reason
    assert ledger_verify(network=network) == []
    assert set(Listing.objects.filter(network=network).values_list("title", flat=True)) == {
        "Lift to the hospital",
        "Help in the garden",
    }

    # Changed in the source: the listing is updated, the balance moved by the difference only.
    (tmp_path / "members.csv").write_text("id,email,name,joined_on,balance_minutes\nm1,edna@example.org,Edna,,150\n")
    (tmp_path / "listings.csv").write_text("id,member_id,kind,title\nl2,m1,request,Help in the back garden\n")
    out = run("--network", "andreu", "--format", "plain", str(tmp_path))
    assert "Members: 0 new, 0 updated, 1 unchanged." in out and "Listings: 0 new, 1 updated" in out
    assert "Balances: 1 moved (60 minutes issued" in out
    assert balances(network)["m1"] == 150


def test_plain_csv_reports_a_listing_for_an_unknown_member(network, tmp_path):
    (tmp_path / "members.csv").write_text("id,email,name\nm1,a@example.org,A\n")
    (tmp_path / "listings.csv").write_text("id,member_id,kind,title\nl1,m9,offer,Ironing\nl2,m1,swap,Ironing\n")
    with pytest.raises(CommandError):
        out = io.StringIO()
        call_command("import_timebank", "--network", "andreu", "--format", "plain", str(tmp_path),
                     stdout=out, stderr=out)  # fmt: skip
    assert "listings.csv:2: member m9 is not among the members imported." in out.getvalue()
    assert "listings.csv:3: kind “swap” is neither offer nor request." in out.getvalue()
    assert not Membership.objects.filter(network=network, user__email="a@example.org").exists()


def test_expected_balances_file_matches_the_members_export(export):
    folder, expected = export
    assert json.loads((folder / "expected.json").read_text()) == expected


@pytest.mark.parametrize(
    ("row", "said"),
    [
        # An opening balance beyond what one ledger transfer may carry, either way.
        ("m1,a@example.org,A,,999999999999", "members.csv:2: balance 999999999999 minutes cannot be brought in"),
        ("m1,a@example.org,A,,-999999999999", "members.csv:2: balance -999999999999 minutes cannot be brought in"),
        # A time whose zone puts it outside the years a database holds.
        ("m1,a@example.org,A,0001-01-01 00:00:00 +1400,", "members.csv:2: “0001-01-01 00:00:00 +1400” is not a date"),
        ("m1,a@example.org,A,9999-12-31 23:59:59 -1400,", "members.csv:2: “9999-12-31 23:59:59 -1400” is not a date"),
        # Longer than any address the product stores (254 characters).
        (f"m1,{'a' * 300}@example.org,A,,", "is not an email address"),
    ],
)
def test_values_out_of_range_are_named_by_line_and_nothing_is_written(network, tmp_path, row, said):
    (tmp_path / "members.csv").write_text(f"id,email,name,joined_on,balance_minutes\n{row}\n")
    before = writes(network)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_timebank", "--network", "andreu", "--format", "plain", str(tmp_path),
                     stdout=out, stderr=out)  # fmt: skip
    assert said in out.getvalue()
    assert writes(network) == before


def test_an_import_never_lifts_a_suspension(network, tmp_path):
    """A suspension is a coordinator's decision, lifted by reinstating with a reason: an import that names
    the suspended person is refused on that row, and they stay suspended."""
    from members.services import membership_suspend

    coordinator = member(network, role=Membership.Role.COORDINATOR).user
    suspended = member(network, user=UserFactory(email="sam@example.org"))
    membership_suspend(membership=suspended, actor=coordinator, reason="Safeguarding concern")
    (tmp_path / "members.csv").write_text("id,email,name,joined_on,balance_minutes\nm1,sam@example.org,Sam,,60\n")
    before = writes(network)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_timebank", "--network", "andreu", "--format", "plain", str(tmp_path),
                     stdout=out, stderr=out)  # fmt: skip
    assert "members.csv:2: sam@example.org is suspended in this network" in out.getvalue()
    suspended.refresh_from_db()
    assert suspended.status == Membership.Status.SUSPENDED
    assert writes(network) == before
