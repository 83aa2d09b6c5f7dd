"""Identifier generation and checking: vectorised (what the registry uses) against the
scalar functions (the baseline), side by side in one run.

    .venv/bin/python bench/bench_ids.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from onething.kit.ids import (
    make_credit_codes,
    make_mobiles,
    make_resident_id,
    make_resident_ids,
    resident_id_check_digits,
    shandong_county_codes,
    validate_resident_id,
)


def best(f: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - started)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--scalar-n", type=int, default=100_000)
    args = parser.parse_args()
    n, k = args.n, args.scalar_n

    rng = np.random.default_rng(42)
    areas = rng.choice(np.array(shandong_county_codes(), dtype=np.int64), size=n)
    births = np.datetime64("1940-01-01") + rng.integers(0, 365 * 80, size=n).astype(
        "timedelta64[D]"
    )
    y = births.astype("datetime64[Y]").astype(int) + 1970
    m = births.astype("datetime64[M]").astype(int) % 12 + 1
    d = (births - births.astype("datetime64[M]")).astype(int) + 1
    ymd = y * 10000 + m * 100 + d
    seqs = rng.integers(0, 1000, size=n)
    first17 = areas * 10**11 + ymd * 1000 + seqs
    bodies = rng.integers(0, 10**8, size=n)

    print(f"{'what':40s} {'time':>10s} {'rate':>12s}")
    for name, f in [
        (f"resident_id_check_digits ({n:,})", lambda: resident_id_check_digits(first17)),
        (f"make_resident_ids ({n:,})", lambda: make_resident_ids(areas, ymd, seqs)),
        (f"make_credit_codes ({n:,})", lambda: make_credit_codes(areas, bodies)),
        (f"make_mobiles ({n:,})", lambda: make_mobiles(np.random.default_rng(1), n)),
    ]:
        t, _ = best(f)
        print(f"{name:40s} {t * 1000:8.1f} ms {n / t / 1e6:9.2f} M/s")

    a = [str(x) for x in areas[:k]]
    b = [date(int(x // 10000), int(x // 100 % 100), int(x % 100)) for x in ymd[:k]]
    s = seqs[:k].tolist()
    t, ids = best(lambda: [make_resident_id(a[i], b[i], s[i]) for i in range(k)], repeat=1)
    label = f"baseline: make_resident_id loop ({k:,})"
    print(f"{label:40s} {t * 1000:8.1f} ms {k / t / 1e6:9.2f} M/s")
    t, _ = best(lambda: [validate_resident_id(x).ok for x in ids], repeat=1)
    print(f"{f'validate_resident_id loop ({k:,})':40s} {t * 1000:8.1f} ms {k / t / 1e6:9.2f} M/s")
    same = bool((make_resident_ids(areas[:k], ymd[:k], seqs[:k]) == np.array(ids)).all())
    print(f"vectorised == scalar on {k:,}: {same}")


if __name__ == "__main__":
    main()
