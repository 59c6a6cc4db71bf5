"""Lighthouse (mobile preset) on a member's phone pages, and the home page's weight.

    (cd bench/lighthouse && npm ci)               # lighthouse, pinned in bench/lighthouse/package.json
    .venv/bin/python bench/lighthouse/run.py      # starts a demo server (bench/demo_server.py) and reports

Lighthouse drives Debian's chromium (CHROME_PATH, default /usr/bin/chromium) against the home page (logged
in as member1: the session cookie goes in with --extra-headers), a listing and a conversation, and prints
accessibility, best practices and performance for each. Then the home page's HTML plus the CSS and JS it
links, each gzip-compressed, against the 100 KB budget. `--base-url` measures a server already running
(`--email` picks who logs in). Reports land in bench/out/lighthouse/.
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from demo_server import conversation_with_messages, demo_server, log_in  # noqa: E402

LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
OUT = ROOT / "bench" / "out" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run --disable-quic"
)
CATEGORIES = ("accessibility", "best-practices", "performance")
BUDGET_BYTES = 100 * 1024


def first_id(opener, base: str, path: str) -> int:
    body = json.loads(opener.open(f"{base}/api/v1/{path}/?page_size=1").read())
    return body["results"][0]["id"]


def lighthouse(url: str, cookie: str, name: str) -> dict[str, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    headers = OUT / "headers.json"
    headers.write_text(json.dumps({"Cookie": cookie}))
    report = OUT / f"{name}.json"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--extra-headers={headers}",
            "--output=json",
            f"--output-path={report}",
        ],
        env=env,
        check=True,
    )
    data = json.loads(report.read_text())
    failing = [
        f"{a['id']} ({a['score']})"
        for a in data["audits"].values()
        if a.get("score") is not None
        and a["score"] < 1
        and a.get("scoreDisplayMode") in ("binary", "numeric")
        and any(
            ref["id"] == a["id"]
            for c in ("accessibility", "best-practices")
            for ref in data["categories"][c]["auditRefs"]
        )
    ]
    if failing:
        print(f"  {name}: below full marks: {', '.join(failing)}")
    return {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}


def home_weight(opener, base: str) -> tuple[int, dict[str, int]]:
    """The logged-in home page's HTML and every stylesheet and script it links, each gzip-compressed."""
    html = opener.open(base + "/").read()
    sizes = {"/ (HTML)": len(gzip.compress(html, 9))}
    for ref in re.findall(rb'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html):
        path = ref.decode()
        sizes[path] = len(gzip.compress(opener.open(urllib.parse.urljoin(base + "/", path)).read(), 9))
    return sum(sizes.values()), sizes


def measure(base: str, email: str) -> None:
    opener = log_in(base, email)
    cookie = f"sessionid={opener.cookies['sessionid']}"
    pages = {
        "home": base + "/",
        "listing": f"{base}/listings/{first_id(opener, base, 'listings')}/",
        "conversation": f"{base}/conversations/{conversation_with_messages(base, email, 'member2@example.org')}/",
    }
    print(f"{'page':<14}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, url in pages.items():
        scores = lighthouse(url, cookie, name)
        print(f"{name:<14}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES), flush=True)
    total, sizes = home_weight(opener, base)
    for path, size in sizes.items():
        print(f"  {path}: {size} B gzip")
    verdict = "within" if total <= BUDGET_BYTES else "OVER"
    print(f"home page HTML + CSS + JS, gzip: {total} B ({total / 1024:.1f} KB), {verdict} the 100 KB budget")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running server (default: start a demo server)")
    parser.add_argument("--email", default="member1@example.org")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is not installed: (cd bench/lighthouse && npm ci)")
    if args.base_url:
        measure(args.base_url.rstrip("/"), args.email)
    else:
        with demo_server() as base:
            measure(base, args.email)


if __name__ == "__main__":
    main()
