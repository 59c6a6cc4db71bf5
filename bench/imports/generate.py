"""Write a TimeOverflow-shaped export ("download all": Members_, Offers_, Inquiries_, Transfers_…csv).

    python bench/imports/generate.py OUT_DIR [--members 500] [--transfers 5000] [--seed 1]

Columns and formats as TimeOverflow writes them: members' balances in seconds, transfers' quantities as
H:MM, people as "name (member number)", offers and requests grouped under category rows. Some members
have no real email (TimeOverflow leaves it empty), and some transfers come from the bank itself.
Prints the expected balance of every member, in minutes, to OUT_DIR/expected.json.
"""

import argparse
import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

BANK = "Banco de Tiempo Sant Andreu"
CATEGORIES = {
    "Gardening": ["Help weeding the garden", "Mowing a small lawn", "Pruning fruit trees", "Planting bulbs"],
    "Transport": ["Lift to the hospital", "Drive to the GP surgery", "Lift to the supermarket"],
    "Home": ["Putting up shelves", "Fixing a dripping tap", "Painting a bedroom", "Assembling flat-pack furniture"],
    "Company": ["A cup of tea and a chat", "Walking together in the park", "Reading the newspaper aloud"],
    "Learning": ["Spanish conversation", "Help with a smartphone", "Beginners' guitar", "Maths homework help"],
    "Cooking": ["Batch cooking for the week", "Baking bread together", "Shopping for groceries"],
}
DATE = "2026-11-30"


def ruby_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def generate(out: Path, *, members: int, transfers: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    start = datetime(2019, 1, 1, 10, 0, 0, tzinfo=UTC)
    people = []
    for uid in range(1, members + 1):
        email = "" if uid % 50 == 20 else f"socio{uid}@example.net"  # 2 %: no real email
        people.append(
            {
                "uid": uid,
                "name": f"Socio {uid}",
                "email": email,
                "created": start + timedelta(days=rng.randrange(0, 2000), minutes=rng.randrange(0, 1440)),
            }
        )
    balance = {p["uid"]: 0 for p in people}  # seconds
    rows = []
    for _ in range(transfers):
        seconds = rng.choice([15, 30, 45, 60, 60, 60, 90, 120, 180, 240]) * 60
        giver, taker = rng.sample(people, 2)
        from_label = f"{giver['name']} ({giver['uid']})"
        if rng.random() < 0.05:
            from_label = BANK  # the bank's own account pays a member
        else:
            balance[giver["uid"]] -= seconds
        balance[taker["uid"]] += seconds
        when = start + timedelta(days=rng.randrange(0, 2500), minutes=rng.randrange(0, 1440))
        post = rng.choice([t for ts in CATEGORIES.values() for t in ts])
        rows.append(
            [
                ruby_time(when),
                from_label,
                f"{taker['name']} ({taker['uid']})",
                post,
                f"{seconds // 3600}:{seconds % 3600 // 60:02d}",
            ]
        )
    rows.sort(key=lambda r: r[0], reverse=True)

    with (out / f"Members_{DATE}.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["N", "Name", "Email", "Phone", "Alternative Phone", "Created", "Last login", "Locale", "Balance"])
        for p in people:
            w.writerow(
                [
                    p["uid"],
                    p["name"],
                    p["email"],
                    f"6{p['uid']:08d}",
                    "",
                    ruby_time(p["created"]),
                    ruby_time(p["created"] + timedelta(days=30)),
                    "es",
                    balance[p["uid"]],
                ]
            )
    with (out / f"Transfers_{DATE}.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Date", "From", "To", "Post", "Quantity"])
        w.writerows(rows)
    post_id = 0
    for filename, header in ((f"Offers_{DATE}.csv", "Offer"), (f"Inquiries_{DATE}.csv", "Request")):
        with (out / filename).open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["", header, "Tags", "User", "Created"])
            for category, titles in CATEGORIES.items():
                w.writerow(["", category, "", "", ""])
                for _ in range(members // 10):
                    post_id += 1
                    p = rng.choice(people)
                    w.writerow(
                        [
                            post_id,
                            rng.choice(titles),
                            "",
                            f"{p['name']} ({p['uid']})",
                            ruby_time(p["created"] + timedelta(days=1)),
                        ]
                    )
    expected = {str(uid): seconds // 60 for uid, seconds in balance.items()}
    (out / "expected.json").write_text(json.dumps(expected))
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--transfers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(Path(args.out), members=args.members, transfers=args.transfers, seed=args.seed)
    print(f"Wrote a TimeOverflow export of {args.members} members and {args.transfers} transfers to {args.out}")


if __name__ == "__main__":
    main()
