"""What the meaning model costs a process: memory and start-up, then one text's embedding.

    python bench/matching/model_cost.py [--texts 200]

Runs in this fresh process, with no database: loads the model (as the first match or search in a web
process does), embeds the taxonomy's skills (first process ever: read from the cache file after that; pass
`--cold` to use an empty cache directory), then embeds the plain set's requests one by one, each afresh.
Memory is the process's resident set (`/proc/self/status` VmRSS); time is wall and CPU (this process).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(step):
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--cold", action="store_true", help="an empty skills cache: embed the taxonomy afresh")
    args = parser.parse_args()
    if args.cold:
        os.environ["TIMEBANK_MATCHING_CACHE"] = tempfile.mkdtemp(prefix="timebank-cold-")
    before = rss_mb()
    from exchanges.matching import semantic  # noqa: PLC0415 - measured: the import is part of the cost

    model, wall, cpu = timed(semantic.model)
    if model is None:
        sys.exit("the meaning model is not available (TIMEBANK_SEMANTIC=0, or its packages are missing)")
    loaded = rss_mb()
    print(f"load the model: {wall:.0f} ms wall, {cpu:.0f} ms CPU, RSS {before:.0f} -> {loaded:.0f} MB")

    from exchanges.matching.meaning import MeaningMatcher  # noqa: PLC0415
    from exchanges.matching.taxonomy import Taxonomy  # noqa: PLC0415
    from exchanges.matching.text import SkillMatcher  # noqa: PLC0415

    matcher = MeaningMatcher(SkillMatcher(Taxonomy.from_file()))
    _, wall, cpu = timed(matcher.skill_vectors)
    print(
        f"the taxonomy's skills as vectors ({'embedded afresh' if args.cold else 'from the cache file if there'}): "
        f"{wall:.0f} ms wall, {cpu:.0f} ms CPU, RSS now {rss_mb():.0f} MB"
    )
    requests = json.loads((ROOT / "bench" / "matching" / "dataset_plain.json").read_text())["requests"]
    texts = [f"{r['title']}. {r['description']}" for r in requests]
    walls, cpus = [], []
    for n in range(args.texts):
        text = texts[n % len(texts)] + f" ({n})"  # never the query cache's
        _, wall, cpu = timed(lambda t=text: semantic.embed(t))
        walls.append(wall)
        cpus.append(cpu)
    print(
        f"one text's embedding, {args.texts} texts: wall p50 {statistics.median(walls):.1f} ms, "
        f"p95 {percentile(walls, 95):.1f} ms; CPU p50 {statistics.median(cpus):.1f} ms, p95 {percentile(cpus, 95):.1f} ms"
    )
    print(f"RSS at the end: {rss_mb():.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
