#!/usr/bin/env python3
"""Write docs/rules/<ID>.md and the rule indexes (README.md, schema-rules.md) from the lint rules' docstrings.

    .venv/bin/python scripts/gen_rule_docs.py          # (re)write the pages
    .venv/bin/python scripts/gen_rule_docs.py --check  # exit 1 if a page is missing or out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from schemawright.lint.docs import (
    HEADER,
    SCHEMA_HEADER,
    migration_rule_docs,
    schema_rule_docs,
    stale_files,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"
GENERATORS = ((HEADER, migration_rule_docs), (SCHEMA_HEADER, schema_rule_docs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale pages")
    args = parser.parse_args()
    if args.check:
        stale = []
        for header, generate in GENERATORS:
            expected = generate()
            stale += stale_files(DOCS, expected, header=header) if DOCS.is_dir() else sorted(expected)
        for name in stale:
            print(f"stale: docs/rules/{name}")
        return 1 if stale else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    written = 0
    for header, generate in GENERATORS:
        expected = generate()
        for name, text in expected.items():
            (DOCS / name).write_text(text, encoding="utf-8")
        for page in DOCS.glob("*.md"):
            if page.name not in expected and page.read_text(encoding="utf-8").startswith(header):
                page.unlink()
        written += len(expected)
    print(f"wrote {written} pages to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
