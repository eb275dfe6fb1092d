"""The engine against every recorded torch release (tests/torch_releases, recorded by
scripts/record_torch.py in each release): the same shape, or the same exception type and
exact message, for every case on CPU (default threads, one thread, oneDNN off) and verify's
verdict on meta. The live oracle (the installed torch 2.13.0) is tested elsewhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from releases import RELEASES, case_rows, cases, fixture, misses

from convshape.core.releases import LATEST, MODELLED, OLDEST, name, parse, resolve, span


def test_every_required_release_is_recorded() -> None:
    assert {"2.13.0", "2.15.0"} <= set(RELEASES)
    assert all(parse(r) in MODELLED for r in RELEASES)


def test_fixtures_hold_one_outcome_per_case() -> None:
    n = len(cases())
    assert n > 5000
    for release in RELEASES:
        doc = fixture(release)
        assert doc["torch"] == release and doc["cases"] == n == len(doc["outcomes"])
        assert doc["threads"] >= 1 and doc["onednn"]


# Releases whose recorded outcomes the engine does not all predict yet: at most this many
# misses (a ratchet: lower it as the differences are added; docs/releases.md has the
# per-release agreement). Every other recorded release must be predicted entirely.
NOT_YET: dict[str, int] = {}


@pytest.mark.parametrize("release", RELEASES)
def test_engine_predicts_every_recorded_outcome(release: str) -> None:
    total, missed = misses(release)
    assert total > len(cases())
    shown = "\n".join(m.describe() for m in missed[:10])
    allowed = NOT_YET.get(release, 0)
    assert len(missed) <= allowed, f"torch {release}: {len(missed)} of {total} missed\n{shown}"


# ---------------------------------------------------------------------------------------
# Which release: --torch, the installed one, the newest; outside the modelled range
# ---------------------------------------------------------------------------------------


def _calc(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from convshape.cli.app import cli

    r = CliRunner().invoke(cli, ["calc", *args])
    return r.exit_code, r.output


def _differing(old: str, new: str) -> tuple[int, list[Any], list[Any]]:
    """A recorded case whose CPU error differs between two releases and that the engine
    models for ``new`` (index, outcomes): calc --torch must then print ``new``'s."""
    a, b = fixture(old)["outcomes"], fixture(new)["outcomes"]
    missed = {(m.result.spec, m.result.input) for m in misses(new)[1]}
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x["cpu"] == y["cpu"] or len(y["cpu"]) != 2 or "weight" in case_rows()[i]:
            continue
        if cases()[i] not in missed:
            return i, x["cpu"], y["cpu"]
    raise AssertionError(f"no modelled case differs between {old} and {new}")


@pytest.mark.parametrize(("old", "new"), [("2.13.0", "2.15.0"), ("2.15.0", "2.1.2")])
def test_calc_prints_the_chosen_releases_message(old: str, new: str) -> None:
    if old not in RELEASES or new not in RELEASES:
        pytest.skip("release not recorded")
    i, _before, after = _differing(old, new)
    row = case_rows()[i]
    shape = ",".join(map(str, row["input"])) or "()"
    code, out = _calc(row["code"], "--input", shape, "--torch", new, "--json")
    doc = json.loads(out)
    assert code == 1, out
    assert [doc["error"]["exception"], doc["error"]["message"]] == after
    assert doc["torch"] == {
        "release": new.rsplit(".", 1)[0],
        "requested": new,
        "source": "--torch",
        "outside_modelled": False,
    }


def test_default_is_the_installed_release_read_without_importing_torch() -> None:
    from importlib import metadata

    code, out = _calc("nn.Conv2d(3, 8, 3)", "--input", "1,3,8,8", "--json")
    installed = metadata.version("torch")
    assert code == 0
    assert json.loads(out)["torch"]["requested"] == installed
    assert json.loads(out)["torch"]["source"] == "installed"
    code, out = _calc("nn.Conv2d(3, 8, 3)", "--input", "1,3,8,8")
    assert f"installed {installed}" in out


def test_without_torch_the_newest_modelled_release(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys, "path", [p for p in sys.path if "site-packages" not in p])
    code, out = _calc("nn.Conv2d(3, 8, 3)", "--input", "1,3,8,8", "--json")
    assert code == 0
    assert json.loads(out)["torch"]["release"] == name(LATEST)
    assert json.loads(out)["torch"]["source"] == "newest"


@pytest.mark.parametrize(("asked", "nearest"), [("3.1.0", LATEST), ("1.9.1", OLDEST)])
def test_outside_the_modelled_range_is_named(asked: str, nearest: tuple[int, int]) -> None:
    code, out = _calc("nn.Conv2d(3, 8, 3)", "--input", "1,3,8,8", "--torch", asked, "--json")
    doc = json.loads(out)["torch"]
    assert doc["outside_modelled"] is True and doc["release"] == name(nearest)
    code, out = _calc("nn.Conv2d(3, 8, 3)", "--input", "1,3,8,8", "--torch", asked)
    assert code == 0
    assert "outside the modelled releases" in " ".join(out.split()) and asked in out


@pytest.mark.parametrize("bad", ["foo", "2", "latest-ish", ""])
def test_a_bad_release_is_one_line_and_exit_2(bad: str) -> None:
    code, out = _calc("nn.Conv2d(3, 8, 3)", "--input", "1,3,8,8", "--torch", bad)
    assert code == 2 and len(out.strip().splitlines()) == 1 and "--torch" in out


def test_spans_and_parsing() -> None:
    assert parse("2.5.1+cu121") == (2, 5) and parse("2.6.0a0") == (2, 6)
    assert resolve("latest").release == LATEST
    assert (2, 1) in span("1.13-2.1") and (2, 2) not in span("1.13-2.1")
    assert (2, 15) in span("2.2-") and (1, 13) not in span("2.2-")
    assert str(span("2.15-")) == "2.15" and str(span("-2.2")) == "1.13-2.2"


def test_every_recorded_wording_is_printed_by_a_recorded_release_in_its_span() -> None:
    """Each other-release wording and release-only check in the taxonomy is data from a
    recording: some recorded release it names printed it."""
    from convshape.core import errors as E

    recorded = {r: parse(r) for r in RELEASES}
    for code, old in E.LEGACY.items():
        if old.source != E.RECORDED:
            continue
        kind = E.KINDS[code]
        releases = span(old.versions)
        printed = set()
        for release, version in recorded.items():
            for row in fixture(release)["outcomes"]:
                said = [o for run in ("cpu", "cpu1", "nomkldnn") if len(o := row.get(run, [])) == 2]
                if any(o[0] == kind.exc and kind.pattern.fullmatch(o[1]) for o in said):
                    printed.add(version)
                    break
        assert printed, f"{code}: no recorded release printed it"
        in_span = {v for v in printed if v in releases}
        assert in_span, f"{code}: printed only outside {old.versions}: {sorted(printed)}"


def test_meta_differences_live_with_their_families() -> None:
    """verify reads what meta does differently per release from the op families (each
    rule's differences in one module): known codes, spans within the modelled releases."""
    from convshape.core import errors as E
    from convshape.core.registry import families

    seen = 0
    for family in families():
        meta = family.meta
        for code, releases in {**meta.skips, **meta.checks}.items():
            assert code in E.KINDS, f"{family.name}: {code}"
            assert any(r in releases for r in MODELLED), f"{family.name}: {code} {releases}"
            seen += 1
        for op in meta.missing:
            assert op.startswith("aten::"), f"{family.name}: {op}"
    assert seen


def test_verify_refuses_a_release_other_than_the_installed_one() -> None:
    """verify runs the installed torch: --torch naming another release is one line, exit 2;
    the installed release itself is fine."""
    from importlib import metadata

    from click.testing import CliRunner

    from convshape.cli.app import cli

    pytest.importorskip("torch")
    installed = parse(metadata.version("torch"))
    other = OLDEST if installed != OLDEST else LATEST
    layer = ["verify", "nn.Conv2d(3, 8, 3)", "--input", "1,3,8,8", "--device", "meta"]
    r = CliRunner().invoke(cli, [*layer, "--torch", name(other)])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, r.output
    assert f"--torch {name(other)}" in r.output and "installed torch" in r.output
    r = CliRunner().invoke(cli, [*layer, "--torch", name(installed)])
    assert r.exit_code == 0, r.output


def test_transposed_negative_dilation_with_one_tap_in_2_1() -> None:
    """Seen live in torch 2.1.2 (verify --fuzz, cpu): oneDNN takes a negative dilation on
    an axis with one tap, as it takes a dilation of 0 there; torch returned (9, 16)."""
    from convshape.core.engine import Env, infer_spec
    from convshape.core.releases import using
    from convshape.readers.parse import parse_layer

    code = (
        "F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1, groups=3, dilation=-1)"
    )
    spec = parse_layer(code, weight=(9, 3, 1), bias=(9,))
    with using((2, 1)):
        assert infer_spec(spec, (9, 9), Env(num_threads=2, torch=(2, 1))).output == (9, 16)
