"""One system over the chosen datasets, in its own process (so its peak memory is its own).

Usage (internal): python -m bench.worker SYSTEM DATASETS LIMIT [HALF]  -> one JSON document on stdout.
"""
from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path

from .datasets import load
from .systems import SYSTEMS


def _rss_kib() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    system_name, dataset_names, limit = argv[0], argv[1].split(","), int(argv[2])
    half = argv[3] if len(argv) > 3 else "all"
    system = SYSTEMS[system_name]()
    cases = []
    for name in dataset_names:
        cases.extend(load(name, limit, half))
    inputs = [system.prepare(case) for case in cases]
    if inputs:  # warm-up: lazy imports, compiled patterns, OpenCC tables
        system.run(inputs[0])
    gc.collect()
    base = _rss_kib()
    results = []
    for case, data in zip(cases, inputs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            out = system.run(data)
        except Exception as exc:  # a crash is a miss, not the end of the benchmark
            out = {"text": None, "reason": "crash", "detail": f"{type(exc).__name__}: {exc}"}
        out["ms"] = (time.perf_counter() - start) * 1000
        out["cpu_ms"] = (time.process_time() - cpu) * 1000   # (unlike wall time, not inflated by other load)
        out["dataset"], out["id"] = case.dataset, case.id
        results.append(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({"system": system_name, "results": results, "rss_base_kib": base, "rss_peak_kib": peak},
              sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
