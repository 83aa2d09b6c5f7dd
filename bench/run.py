"""Run every benchmark in turn (``make bench``); each prints its baseline beside it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = [
    "bench_ids.py",
    "bench_generate.py",
    "bench_rules_packs.py",
    "bench_rules_compare.py",
    "bench_cases_submit.py",
]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        failed += subprocess.call([sys.executable, str(HERE / name)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
