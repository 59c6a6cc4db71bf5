"""Reading another time bank's exports into plain records, with every bad row named by file and line.

Two formats (docs/import.md):

- `timeoverflow`: the CSV files TimeOverflow's "download all" report writes (Members_…, Offers_…, Inquiries_…,
  Transfers_…). Columns are read by position, since TimeOverflow translates its headers. Amounts are in
  seconds (members' balances) or "H:MM" (transfers).
- `plain`: `members.csv` and `listings.csv` with the headers documented in docs/import.md.
"""

import csv
import io
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

FORMATS = ("timeoverflow", "plain")
TITLE_MAX = 140
DESCRIPTION_MAX = 4000
NAME_MAX = 80
EMAIL_MAX = 254  # User.email's length
# The biggest export a time bank of thousands of members writes is a few megabytes: a larger file is
# refused, never read past this, not held whole in memory.
FILE_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class SourceMember:
    where: str  # "file:line"
    source_id: str
    email: str | None
    name: str
    joined: datetime | None
    balance_minutes: int | None


@dataclass
class SourceListing:
    where: str
    source_id: str
    member_id: str
    kind: str  # "offer" or "request"
    title: str
    description: str
    created: datetime | None


@dataclass
class Source:
    format: str
    members: list[SourceMember] = field(default_factory=list)
    listings: list[SourceListing] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # rows that stop the import
    notes: list[str] = field(default_factory=list)  # rows imported with a caveat


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        else:
            found.append(path)
    return found


def _rows(path: Path, errors: list[str]) -> list[tuple[int, list[str]]]:
    """(line number, cells) for each row after the header; a file that cannot be read is one error."""
    try:
        # A pipe or a device (a link to /dev/zero) says nothing of its size, and opening a pipe waits for a
        # writer: only plain files are opened, and never read past the limit, however they grow meanwhile.
        if not stat.S_ISREG(path.stat().st_mode):
            errors.append(f"{path.name}: is not a plain file.")
            return []
        with path.open("rb") as handle:
            raw = handle.read(FILE_MAX_BYTES + 1)
        if len(raw) > FILE_MAX_BYTES:
            errors.append(f"{path.name}: is larger than {filesizeformat(FILE_MAX_BYTES)}; split it and try again.")
            return []
        text = raw.decode("utf-8-sig")
    except OSError as error:
        errors.append(f"{path.name}: cannot be read ({error.strerror or error}).")
        return []
    except UnicodeDecodeError:
        errors.append(f"{path.name}: is not UTF-8 text; save it as CSV UTF-8 and try again.")
        return []
    if "\x00" in text:
        errors.append(f"{path.name}: holds a NUL character; it is not a CSV file.")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        errors.append(f"{path.name}:{reader.line_num}: not valid CSV ({error}).")
        return []
    return rows


def _when(value: str) -> datetime | None:
    """A date or time as TimeOverflow (Ruby's Time#to_s) or a person writes it; None if empty."""
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            when = datetime.strptime(value, pattern)  # noqa: DTZ007 (the pattern carries %z)
        except ValueError:
            continue
        try:
            # Stored in UTC: year 1 at +14:00 or year 9999 at -14:00 has no UTC time a database holds.
            return when.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"“{value}” is not a date (write it as YYYY-MM-DD)") from None
    for pattern in ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"“{value}” is not a date (write it as YYYY-MM-DD)") from None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


def _email(value: str) -> str | None:
    value = value.strip().lower()
    if not value:
        return None
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError(f"“{value}” is not an email address") from None
    if len(value) > EMAIL_MAX:
        raise ValueError(f"“{value}” is not an email address (longer than {EMAIL_MAX} characters)")
    return value


def _integer(value: str, what: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"[+-]?\d{1,12}", value):
        raise ValueError(f"{what} “{value}” is not a whole number")
    return int(value)


def _text(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


# --- TimeOverflow -----------------------------------------------------------------------------------

UID_AT_END = re.compile(r"\((\d+)\)\s*$")
HOURS_MINUTES = re.compile(r"^(-?)(\d{1,7}):([0-5]\d)$")


def _timeoverflow_kind(path: Path) -> str | None:
    name = path.name.lower()
    for prefix, kind in (("member", "members"), ("user", "members"), ("offer", "offers"), ("inquir", "requests"),
                         ("request", "requests"), ("transfer", "transfers")):  # fmt: skip
        if name.startswith(prefix):
            return kind
    return None


def _timeoverflow_members(path: Path, source: Source) -> None:
    # N, username, email, phone, alt phone, created, last login, locale, balance (seconds)
    for line, cells in _rows(path, source.errors)[1:]:
        where = f"{path.name}:{line}"
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 9:
            source.errors.append(f"{where}: expected 9 columns (N … Balance), found {len(cells)}.")
            continue
        uid, name, email, *_phones, created, _login, _locale, balance = cells[:9]
        try:
            if not uid.strip().isdigit():
                raise ValueError(f"member number “{uid}” is not a number")
            seconds = _integer(balance, "balance")
            minutes = None if seconds is None else round(seconds / 60)
            if seconds is not None and seconds % 60:
                source.notes.append(f"{where}: balance {seconds} seconds rounded to {minutes} minutes.")
            member = SourceMember(
                where=where,
                source_id=uid.strip(),
                email=_email(email),
                name=_text(name, NAME_MAX),
                joined=_when(created),
                balance_minutes=minutes,
            )
        except ValueError as error:
            source.errors.append(f"{where}: {error}.")
            continue
        source.members.append(member)


def _timeoverflow_posts(path: Path, source: Source, kind: str) -> None:
    # A category row ("", name, "", "", ""), then its posts: id, title, tags, "user (member number)", created
    category = ""
    for line, cells in _rows(path, source.errors)[1:]:
        where = f"{path.name}:{line}"
        cells = [*cells, "", "", "", "", ""][:5]
        if not any(c.strip() for c in cells):
            continue
        post_id, title, tags, user, created = cells
        if not post_id.strip() and not tags.strip() and not user.strip():
            category = "" if title.strip() == "-" else title.strip()
            continue
        owner = UID_AT_END.search(user)
        try:
            if not post_id.strip().isdigit():
                raise ValueError(f"post id “{post_id}” is not a number")
            if owner is None:
                raise ValueError(f"the member “{user}” has no member number in brackets")
            if not title.strip():
                raise ValueError("the title is empty")
            words = [w for w in (category, tags.strip()) if w]
            listing = SourceListing(
                where=where,
                source_id=f"{kind}-{post_id.strip()}",
                member_id=owner[1],
                kind="offer" if kind == "offers" else "request",
                title=_text(title, TITLE_MAX),
                description=_text(". ".join(words), DESCRIPTION_MAX),
                created=_when(created),
            )
        except ValueError as error:
            source.errors.append(f"{where}: {error}.")
            continue
        source.listings.append(listing)


def _timeoverflow_transfers(path: Path, source: Source) -> dict[str, int]:
    # date, from, to, post, quantity (H:MM); from and to are "name (member number)" or the bank itself.
    net: dict[str, int] = defaultdict(int)
    for line, cells in _rows(path, source.errors)[1:]:
        where = f"{path.name}:{line}"
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 5:
            source.errors.append(f"{where}: expected 5 columns (Date, From, To, Post, Quantity), found {len(cells)}.")
            continue
        amount = HOURS_MINUTES.match(cells[4].strip())
        if amount is None:
            source.errors.append(f"{where}: quantity “{cells[4]}” is not hours and minutes (H:MM).")
            continue
        minutes = int(amount[2]) * 60 + int(amount[3])
        for side, sign in ((cells[1], -1), (cells[2], 1)):
            uid = UID_AT_END.search(side)
            if uid:
                net[uid[1]] += sign * minutes
    return net


def _read_timeoverflow(files: list[Path], source: Source) -> None:
    transfer_sums: dict[str, int] | None = None
    for path in files:
        kind = _timeoverflow_kind(path)
        if kind == "members":
            _timeoverflow_members(path, source)
        elif kind in ("offers", "requests"):
            _timeoverflow_posts(path, source, kind)
        elif kind == "transfers":
            sums = _timeoverflow_transfers(path, source)
            transfer_sums = sums if transfer_sums is None else {**transfer_sums, **sums}
        else:
            source.errors.append(
                f"{path.name}: not a TimeOverflow export (expected Members_, Offers_, Inquiries_ or Transfers_…csv)."
            )
    if transfer_sums is None:
        return
    # The balance column is the source's own figure; the transfers check it, or stand in where it is empty.
    for member in source.members:
        from_transfers = transfer_sums.get(member.source_id, 0)
        if member.balance_minutes is None:
            member.balance_minutes = from_transfers
        elif member.balance_minutes != from_transfers:
            source.notes.append(
                f"{member.where}: balance {member.balance_minutes} minutes, but the transfers add up to "
                f"{from_transfers}; the balance column is used."
            )


# --- plain ------------------------------------------------------------------------------------------

PLAIN_MEMBERS = {"id", "email", "name"}  # required; optional: joined_on, balance_minutes
PLAIN_LISTINGS = {"id", "member_id", "kind", "title"}  # required; optional: description, created_on


def _plain_table(path: Path, source: Source, required: set[str]):
    rows = _rows(path, source.errors)
    if not rows:
        return
    header = [h.strip().lower() for h in rows[0][1]]
    missing = required - set(header)
    if missing:
        source.errors.append(f"{path.name}:1: missing column(s): {', '.join(sorted(missing))}.")
        return
    for line, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        yield f"{path.name}:{line}", dict(zip(header, [*cells, *[""] * len(header)], strict=False))


def _read_plain(files: list[Path], source: Source) -> None:
    for path in files:
        name = path.name.lower()
        if name.startswith("member"):
            for where, row in _plain_table(path, source, PLAIN_MEMBERS):
                try:
                    if not row["id"].strip():
                        raise ValueError("the id is empty")
                    source.members.append(
                        SourceMember(
                            where=where,
                            source_id=row["id"].strip()[:100],
                            email=_email(row["email"]),
                            name=_text(row["name"], NAME_MAX),
                            joined=_when(row.get("joined_on", "")),
                            balance_minutes=_integer(row.get("balance_minutes", ""), "balance_minutes"),
                        )
                    )
                except ValueError as error:
                    source.errors.append(f"{where}: {error}.")
        elif name.startswith("listing"):
            for where, row in _plain_table(path, source, PLAIN_LISTINGS):
                kind = row["kind"].strip().lower()
                try:
                    if not row["id"].strip():
                        raise ValueError("the id is empty")
                    if kind not in ("offer", "request"):
                        raise ValueError(f"kind “{row['kind']}” is neither offer nor request")
                    if not row["title"].strip():
                        raise ValueError("the title is empty")
                    source.listings.append(
                        SourceListing(
                            where=where,
                            source_id=row["id"].strip()[:100],
                            member_id=row["member_id"].strip(),
                            kind=kind,
                            title=_text(row["title"], TITLE_MAX),
                            description=row.get("description", "").strip()[:DESCRIPTION_MAX],
                            created=_when(row.get("created_on", "")),
                        )
                    )
                except ValueError as error:
                    source.errors.append(f"{where}: {error}.")
        else:
            source.errors.append(f"{path.name}: expected members.csv or listings.csv.")


def source_read(*, format: str, paths: list[str]) -> Source:
    """Every record in the given files (or the CSV files in the given folders), with what is wrong."""
    source = Source(format=format)
    if format not in FORMATS:
        source.errors.append(f"Unknown format “{format}”: use {' or '.join(FORMATS)}.")
        return source
    files = _files(paths)
    if not files:
        source.errors.append("No CSV files found.")
        return source
    (_read_timeoverflow if format == "timeoverflow" else _read_plain)(files, source)
    seen: dict[str, str] = {}
    for member in source.members:
        if member.source_id in seen:
            source.errors.append(
                f"{member.where}: member {member.source_id} already given at {seen[member.source_id]}."
            )
        seen[member.source_id] = member.where
    emails: dict[str, str] = {}
    for member in source.members:
        if member.email and member.email in emails:
            source.errors.append(f"{member.where}: email {member.email} already given at {emails[member.email]}.")
        elif member.email:
            emails[member.email] = member.where
    listing_ids: dict[str, str] = {}
    for listing in source.listings:
        if listing.member_id not in seen:
            source.errors.append(f"{listing.where}: member {listing.member_id} is not among the members imported.")
        if listing.source_id in listing_ids:
            source.errors.append(f"{listing.where}: listing {listing.source_id} already given at "
                                 f"{listing_ids[listing.source_id]}.")  # fmt: skip
        listing_ids[listing.source_id] = listing.where
    return source
