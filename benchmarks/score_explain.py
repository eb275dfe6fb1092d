"""Score ``convshape explain`` on real reports: tests/corpus_explain/reports.json.

Each report is text a user pasted into a public issue thread or Q&A page (its ``source``),
with the error kind torch raised (``expect``: a CS code, or ``out:<category>`` for an error
that is not a shape error of the layers convshape knows) and, where the thread makes it
known, the category of the real cause (``cause``).

Prints, for the in-scope reports, how many ``explain`` recognised as the expected kind;
for the out-of-scope ones, how many it misread as a shape error and how many it refused
naming their category (device, dtype, view, loss, cat, ...); and for the recognised
reports whose cause is known, how many had that cause named in the likely cause or the
first two fixes (the words that name each category are ``CAUSE_WORDS``).

    python benchmarks/score_explain.py [-v]
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from convshape.core.errors import UsageError
from convshape.features.explain import explain_text, find_errors, refusal

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus_explain" / "reports.json"

# What an explanation has to say for a cause category to count as named.
CAUSE_WORDS: dict[str, str] = {
    "channels-last": r"permute|channels-last",
    "data-channels": r"grayscale|RGB|image mode|convert",
    "model-mismatch": r"checkpoint|pretrained|mismatch of models|encoder",
    "config": r"in_channels|option|config",
    "missing-batch": r"unsqueeze\(0\)|batch dimension",
    "missing-channel": r"unsqueeze\(1\)|channel dimension",
    "extra-dim": r"extra dimension|one dimension too many|squeeze|flatten the|fold",
    "squeezed-batch": r"squeeze",
    "batch-of-one": r"batch of 1|batch size|drop_last|eval\(\)",
    "input-too-small": r"too small|larger input|resize|smaller kernel",
    "flatten-size": r"in_features|nn\.Linear\(",
    "not-flattened": r"flatten",
    "bn1d-nlc": r"permute|transpose",
    "wrong-layer": r"BatchNorm[123]d|Conv[123]d",
    "layout": r"permute|transpose|channels-last",
    "not-reshaped": r"view|reshape",
}


@dataclass
class Score:
    in_scope: int = 0
    recognised: int = 0
    out_scope: int = 0
    misread: int = 0
    refused: int = 0  # out-of-scope reports whose refusal names their category
    judged: int = 0
    cause_right: int = 0
    misses: list[str] = field(default_factory=list)


def expected_codes(report: dict[str, object]) -> list[str]:
    also = report.get("also") or []
    return [str(report["expect"]), *(str(c) for c in also)]  # type: ignore[union-attr]


def score(reports: list[dict[str, object]]) -> Score:
    s = Score()
    for r in reports:
        text = str(r["text"])
        expect = str(r["expect"])
        if expect.startswith("out:"):
            s.out_scope += 1
            if find_errors(text):
                s.misread += 1
                s.misses.append(f"{r['id']} misread ({expect}) {r['source']}")
                continue
            refused = refusal(text)
            if refused is not None and refused.category == expect.removeprefix("out:"):
                s.refused += 1
            else:
                s.misses.append(f"{r['id']} refusal does not name {expect} {r['source']}")
            continue
        s.in_scope += 1
        codes = [m.kind.code for m in find_errors(text)]
        if codes[: len(expected_codes(r))] != expected_codes(r):
            s.misses.append(f"{r['id']} {expect} got {codes} {r['source']}")
            continue
        s.recognised += 1
        cause = r.get("cause")
        if cause is None:
            continue
        s.judged += 1
        try:
            ex = explain_text(text)
        except UsageError:
            continue
        said = " ".join([ex.advice.cause or "", *ex.advice.fixes[:2]])
        if re.search(CAUSE_WORDS[str(cause)], said, re.IGNORECASE):
            s.cause_right += 1
        else:
            s.misses.append(f"{r['id']} cause {cause} not named {r['source']}")
    return s


def load() -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return data


def main(argv: list[str]) -> int:
    s = score(load())
    print(f"recognised / in-scope: {s.recognised} / {s.in_scope}")
    print(f"misread / out-of-scope: {s.misread} / {s.out_scope}")
    print(f"refusal named / out-of-scope: {s.refused} / {s.out_scope}")
    print(f"cause-right / judged: {s.cause_right} / {s.judged}")
    if "-v" in argv:
        for line in s.misses:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
