"""Where every benchmark writes its figures: ``benchmarks/results/NAME.json`` (not committed)."""
from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def save_results(name: str, results) -> Path:
    """Write ``results`` (JSON-ready; anything else as its ``str``) to ``benchmarks/results/NAME.json``
    and say where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written to {path.relative_to(RESULTS.parents[1])}")
    return path
