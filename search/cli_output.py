"""What the command line prints: JSON for machines, a summary of an ingest for people."""

from __future__ import annotations

import json
from typing import Any


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_summary(data: dict[str, Any]) -> None:
    rows = [
        "read", "indexed", "updated", "unchanged", "duplicates", "near_duplicates", "rejected",
        "docs_per_s",
    ]  # fmt: skip
    for key in rows:
        print(f"{key:>15}: {data[key]}")
    for reason, count in data["rejected_by_reason"].items():
        print(f"{'':>15}  rejected, {reason}: {count}")
    for warning, count in data["warnings"].items():
        print(f"{'warning':>15}: {warning}: {count}")
    if data["rejected"]:
        print(f"{'dead letters':>15}: {data['dead_letter']}")
