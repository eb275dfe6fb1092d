"""Write docs/errors.md from the taxonomy and the English catalogue (one section per code).

    python scripts/gen_errors_md.py          # (re)write docs/errors.md
    python scripts/gen_errors_md.py --check  # exit 1 when docs/errors.md is stale

tests/test_rules.py fails when the committed file differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convshape.features.rules import errors_markdown  # noqa: E402

TARGET = ROOT / "docs" / "errors.md"


def main(argv: list[str]) -> int:
    fresh = errors_markdown()
    if "--check" in argv:
        stale = not TARGET.exists() or TARGET.read_text("utf-8") != fresh
        if stale:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python scripts/gen_errors_md.py")
        return 1 if stale else 0
    TARGET.write_text(fresh, "utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
