"""Lint output formats and the command line: text, JSON, GitHub annotations, SARIF 2.1.0,
exit codes, configuration."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from convshape.cli.app import cli
from convshape.features.lint.extract import DEBUG_ENV
from convshape.features.lint.output import escape_data, escape_property, github, sarif
from convshape.features.lint.values import Finding

BUGGY = """\
import torch.nn as nn

net = nn.Sequential(
    nn.Conv2d(3, 16, 3),
    nn.BatchNorm2d(8),
)
head = nn.Sequential(nn.Linear(10, 20), nn.Linear(30, 5))
"""


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text(BUGGY)
    (tmp_path / "pkg" / "clean.py").write_text("import torch.nn as nn\nm = nn.Conv2d(3, 8, 3)\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", *args])
    return result.exit_code, result.output


# -- text ---------------------------------------------------------------------------------


def test_text_output_and_exit_codes(project: Path) -> None:
    code, out = lint("pkg")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("pkg/model.py:5:5: CS802 nn.BatchNorm2d(8) normalises 8 channels")
    assert lines[1].startswith("pkg/model.py:7:41: CS801 nn.Linear(30, 5) expects 30 input")
    assert lines[2].startswith("Explain a code: convshape rule CS801 (all codes: https://")
    assert lines[3] == "Found 2 findings (2 errors) in 2 files."
    assert lint("pkg", "--exit-zero")[0] == 0
    assert lint("pkg/clean.py") == (0, "All checks passed (1 file).\n")


def test_select_ignore_and_show_fixes(project: Path) -> None:
    code, out = lint("pkg", "--select", "CS8", "--ignore", "CS802", "--show-fixes")
    assert code == 1
    assert out.splitlines()[:2] == [
        "pkg/model.py:7:41: CS801 nn.Linear(30, 5) expects 30 input features, but "
        "nn.Linear(10, 20) at 7:22 gives 20: in_features should be 20",
        "    fix: use in_features=20",
    ]


def test_usage_errors_exit_2(project: Path) -> None:
    assert lint("missing/")[0] == 2
    assert lint("pkg", "--select", "XY1")[0] == 2
    code, out = lint("pkg", "--output-format", "xml")
    assert code == 2
    (project / "pyproject.toml").write_text("[tool.convshape]\nselekt = ['CS1']\n")
    code, out = lint("pkg")
    assert code == 2
    assert "unknown key 'selekt'" in out and out.count("\n") == 1
    (project / "pyproject.toml").write_text("[tool.convshape\n")
    assert lint("pkg")[0] == 2
    (project / "pyproject.toml").write_text("[tool.convshape]\nignore = 'CS1'\n")
    assert lint("pkg")[0] == 2
    (project / "pyproject.toml").write_text("[tool.convshape.inputs]\nNet = '1,x'\n")
    assert lint("pkg")[0] == 2
    (project / "pyproject.toml").write_text('[[tool.convshape.models]]\nfactory = "m"\n')
    assert lint("pkg")[0] == 2
    (project / "pyproject.toml").unlink()
    assert lint("--input", "1,2")[0] == 2  # --input without --model
    assert lint("--model", "pkg.model:net")[0] == 2  # --model without --input


def test_config_file(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.convshape]
            ignore = ["CS802"]
            exclude = ["pkg/clean.py"]

            [tool.convshape.per-file-ignores]
            "pkg/other.py" = ["CS801"]
            """
        )
    )
    code, out = lint("pkg")
    assert code == 1
    assert "CS802" not in out and "CS801" in out
    assert out.splitlines()[-1] == "Found 1 finding (1 error) in 1 file."
    (project / "pkg" / "other.py").write_text(BUGGY)
    assert "pkg/other.py" not in lint("pkg")[1]


def test_config_inputs_and_directive(project: Path) -> None:
    source = textwrap.dedent(
        """
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.fc = nn.Linear(8 * 30 * 30, 10)
            def forward(self, x):
                return self.fc(self.conv(x).flatten(1))
        """
    )
    (project / "pkg" / "net.py").write_text(source)
    assert lint("pkg/net.py")[0] == 0  # no input: the flattened size is not known
    (project / "pyproject.toml").write_text('[tool.convshape.inputs]\n"Net" = "2,3,32,32"\n')
    assert lint("pkg/net.py")[0] == 0  # 32 - 2 = 30: right
    (project / "pyproject.toml").write_text('[tool.convshape.inputs]\n"Net" = "2,3,33,33"\n')
    code, out = lint("pkg/net.py")
    assert code == 1
    assert "(2x7688 and 7200x10)" in out  # 8 * 31 * 31 = 7688
    (project / "pyproject.toml").unlink()
    (project / "pkg" / "net.py").write_text(
        source.replace("class Net", "# convshape: input=2,3,33,33\nclass Net")
    )
    assert lint("pkg/net.py")[0] == 1


def test_inputs_keys_that_match_nothing_are_reported(project: Path) -> None:
    (project / "pkg" / "net.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    pass\n\n\n"
        "stem = nn.Conv2d(3, 8, 3)\n"
    )
    (project / "pyproject.toml").write_text(
        "[tool.convshape.inputs]\n"
        '"Net" = "2,3,32,32"\n'
        '"stem" = "2,3,32,32"\n'
        '"pkg/net.py:Net" = "2,3,32,32"\n'
        '"Nte" = "2,3,32,32"\n'
        '"pkg/net.py:Stem" = "2,3,32,32"\n'
        '"pkg/gone.py:Net" = "2,3,32,32"\n'
    )
    code, out = lint("pkg/net.py", "pkg/clean.py", "--exit-zero")
    found = [line for line in out.splitlines() if ": CS907 " in line]
    # a bare name may be defined in a file this run does not read (pre-commit passes
    # only the changed files); a key with its file is checked against that file
    assert [line.split(": CS907")[0] for line in found] == [
        "pyproject.toml:6:1",
        "pyproject.toml:7:1",
    ]
    assert "'pkg/net.py:Stem' matches no model: pkg/net.py has no model 'Stem'" in found[0]
    assert "'pkg/gone.py:Net' matches no model: no file pkg/gone.py" in found[1]
    code, out = lint(".")
    found = [line for line in out.splitlines() if ": CS907 " in line]
    assert [line.split(": CS907")[0] for line in found] == [
        "pyproject.toml:5:1",
        "pyproject.toml:6:1",
        "pyproject.toml:7:1",
    ]
    assert "'Nte' matches no model: no file linted defines 'Nte'" in found[0]
    assert code == 1
    assert lint(".", "--ignore", "CS907")[1].count("CS907") == 0


def test_output_file(project: Path) -> None:
    assert lint("pkg", "--output-format", "sarif", "-o", "report.sarif")[0] == 1
    doc = json.loads((project / "report.sarif").read_text())
    validate_sarif(doc)
    assert len(doc["runs"][0]["results"]) == 2


# -- JSON ---------------------------------------------------------------------------------


def test_json_document(project: Path) -> None:
    code, out = lint("pkg", "--output-format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "convshape.lint/1"
    assert doc["files"] == 2
    assert doc["summary"] == {"findings": 2, "errors": 2, "warnings": 0}
    first = doc["findings"][0]
    assert set(first) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "name",
        "severity",
        "message",
        "fixes",
        "related",
        "url",
    }
    assert first["url"].endswith(f"docs/errors.md#{first['code'].lower()}")
    assert (first["path"], first["line"], first["column"], first["code"]) == (
        "pkg/model.py",
        5,
        5,
        "CS802",
    )
    assert (first["end_line"], first["end_column"]) == (5, 22)  # nn.BatchNorm2d(8) ends there
    assert first["name"] == "batchnorm-features"


# -- GitHub annotations -------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    f = Finding("dir:x/a,b.py", 3, 7, "CS112", "50% of\nchannels: 3, 4", "error", 3, 20)
    (line,) = github([f])
    assert line == (
        "::error file=dir%3Ax/a%2Cb.py,line=3,col=7,endLine=3,endColumn=20,"
        "title=CS112 channel-mismatch::CS112 50%25 of%0Achannels: 3, 4"
    )
    w = Finding("m.py", 1, 1, "CS901", "rows", "warning", 1, 2)
    assert github([w])[0].startswith("::warning file=m.py,")


def test_github_format_from_cli(project: Path) -> None:
    code, out = lint("pkg", "--output-format", "github")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "::error file=pkg/model.py,line=5,col=5,endLine=5,endColumn=22,"
        "title=CS802 batchnorm-features::CS802 nn.BatchNorm2d(8) normalises"
    )


# -- SARIF 2.1.0 --------------------------------------------------------------------------

# The SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json), the parts this log uses: for each
# object, its required properties and every property the schema allows (the schema sets
# additionalProperties: false on them).
_SARIF: dict[str, tuple[set[str], set[str]]] = {
    "log": ({"version", "runs"}, {"$schema", "version", "runs", "inlineExternalProperties"}),
    "run": (
        {"tool"},
        {
            "tool",
            "invocations",
            "conversion",
            "language",
            "versionControlProvenance",
            "originalUriBaseIds",
            "artifacts",
            "logicalLocations",
            "graphs",
            "results",
            "automationDetails",
            "runAggregates",
            "baselineGuid",
            "redactionTokens",
            "defaultEncoding",
            "defaultSourceLanguage",
            "newlineSequences",
            "columnKind",
            "externalPropertyFileReferences",
            "threadFlowLocations",
            "taxonomies",
            "addresses",
            "translations",
            "policies",
            "webRequests",
            "webResponses",
            "specialLocations",
        },
    ),
    "tool": ({"driver"}, {"driver", "extensions"}),
    "toolComponent": (
        {"name"},
        {
            "guid",
            "name",
            "organization",
            "product",
            "productSuite",
            "shortDescription",
            "fullDescription",
            "fullName",
            "version",
            "semanticVersion",
            "dottedQuadFileVersion",
            "releaseDateUtc",
            "downloadUri",
            "informationUri",
            "globalMessageStrings",
            "notifications",
            "rules",
            "taxa",
            "locations",
            "language",
            "contents",
            "isComprehensive",
            "localizedDataSemanticVersion",
            "minimumRequiredLocalizedDataSemanticVersion",
            "associatedComponent",
            "translationMetadata",
            "supportedTaxonomies",
        },
    ),
    "reportingDescriptor": (
        {"id"},
        {
            "id",
            "deprecatedIds",
            "guid",
            "deprecatedGuids",
            "name",
            "deprecatedNames",
            "shortDescription",
            "fullDescription",
            "messageStrings",
            "defaultConfiguration",
            "helpUri",
            "help",
            "relationships",
        },
    ),
    "multiformatMessageString": ({"text"}, {"text", "markdown"}),
    "reportingConfiguration": (set(), {"enabled", "level", "rank", "parameters"}),
    "result": (
        {"message"},
        {
            "ruleId",
            "ruleIndex",
            "rule",
            "kind",
            "level",
            "message",
            "analysisTarget",
            "locations",
            "guid",
            "correlationGuid",
            "occurrenceCount",
            "partialFingerprints",
            "fingerprints",
            "stacks",
            "codeFlows",
            "graphs",
            "graphTraversals",
            "relatedLocations",
            "suppressions",
            "baselineState",
            "rank",
            "attachments",
            "hostedViewerUri",
            "workItemUris",
            "provenance",
            "fixes",
            "taxa",
            "webRequest",
            "webResponse",
        },
    ),
    "message": (set(), {"text", "markdown", "id", "arguments"}),
    "location": (
        set(),
        {"id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships"},
    ),
    "physicalLocation": (set(), {"address", "artifactLocation", "region", "contextRegion"}),
    "artifactLocation": (set(), {"uri", "uriBaseId", "index", "description"}),
    "region": (
        set(),
        {
            "startLine",
            "startColumn",
            "endLine",
            "endColumn",
            "charOffset",
            "charLength",
            "byteOffset",
            "byteLength",
            "snippet",
            "message",
            "sourceLanguage",
        },
    ),
}
_LEVELS = {"none", "note", "warning", "error"}


def _check(kind: str, obj: Any) -> None:
    assert isinstance(obj, dict), kind
    required, allowed = _SARIF[kind]
    assert required <= set(obj), (kind, required - set(obj))
    extra = set(obj) - allowed - {"properties"}
    assert not extra, (kind, extra)
    if "properties" in obj:
        bag = obj["properties"]
        assert isinstance(bag, dict)
        tags = bag.get("tags", [])
        assert isinstance(tags, list) and len(set(tags)) == len(tags)


def validate_sarif(doc: Any) -> None:
    """Structural validation against the SARIF 2.1.0 schema, and GitHub's requirements
    (a rule id, a message text and a file location with a start line per result)."""
    _check("log", doc)
    assert doc["version"] == "2.1.0"
    assert isinstance(doc["runs"], list) and doc["runs"]
    for run in doc["runs"]:
        _check("run", run)
        assert run.get("columnKind", "unicodeCodePoints") in {
            "utf16CodeUnits",
            "unicodeCodePoints",
        }
        for base in run.get("originalUriBaseIds", {}).values():
            _check("artifactLocation", base)
            assert base["uri"].endswith("/")
        _check("tool", run["tool"])
        driver = run["tool"]["driver"]
        _check("toolComponent", driver)
        rules = driver.get("rules", [])
        ids = [r["id"] for r in rules]
        assert len(set(ids)) == len(ids)
        for rule in rules:
            _check("reportingDescriptor", rule)
            for key in ("shortDescription", "fullDescription", "help"):
                if key in rule:
                    _check("multiformatMessageString", rule[key])
            if "defaultConfiguration" in rule:
                _check("reportingConfiguration", rule["defaultConfiguration"])
                assert rule["defaultConfiguration"]["level"] in _LEVELS
        for result in run.get("results", []):
            _check("result", result)
            _check("message", result["message"])
            assert isinstance(result["message"]["text"], str) and result["message"]["text"]
            assert result["level"] in _LEVELS
            assert isinstance(result["ruleId"], str)
            index = result["ruleIndex"]
            assert isinstance(index, int) and rules[index]["id"] == result["ruleId"]
            assert result["locations"]
            ids = [r["id"] for r in result.get("relatedLocations", [])]
            assert all(isinstance(i, int) and i >= 0 for i in ids) and len(set(ids)) == len(ids)
            for location in result["locations"] + result.get("relatedLocations", []):
                _check("location", location)
                physical = location["physicalLocation"]
                _check("physicalLocation", physical)
                _check("artifactLocation", physical["artifactLocation"])
                assert isinstance(physical["artifactLocation"]["uri"], str)
                region = physical["region"]
                _check("region", region)
                for key in ("startLine", "startColumn", "endLine", "endColumn"):
                    if key in region:
                        assert isinstance(region[key], int) and region[key] >= 1
                assert region.get("endLine", region["startLine"]) >= region["startLine"]
                if region.get("endLine", region["startLine"]) == region["startLine"]:
                    assert region.get("endColumn", region["startColumn"]) >= region["startColumn"]


def test_sarif_structure(project: Path) -> None:
    code, out = lint("pkg", "--output-format", "sarif")
    assert code == 1
    doc = json.loads(out)
    validate_sarif(doc)
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["CS801", "CS802"]
    assert run["tool"]["driver"]["rules"][0]["name"] == "LinearMismatch"
    first = run["results"][0]
    assert first["ruleId"] == "CS802" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/model.py"
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5,
        "startColumn": 5,
        "endLine": 5,
        "endColumn": 22,
    }
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == project.resolve().as_uri() + "/"


EITHER = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3)
        self.b = nn.Conv2d(16, 4, 3)

    def forward(self, x):
        return self.b(self.a(x))
"""


def test_one_mismatch_either_end_may_fix_is_one_finding_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # torch: "expected input[1, 8, 30, 30] to have 16 channels, but got 8 channels": the
    # 16 of line 8 or the 8 of line 7; one finding at line 8 naming line 7
    monkeypatch.chdir(tmp_path)
    Path("net.py").write_text(EITHER)
    code, out = lint("net.py", "--show-fixes")
    assert code == 1
    assert out.splitlines()[:4] == [
        out.splitlines()[0],
        "    fix: use in_channels=8",
        out.splitlines()[2],
        "    fix: use out_channels=16",
    ]
    assert out.startswith("net.py:8:18: CS112 ")
    assert out.splitlines()[2].startswith("    or at net.py:7:18: nn.Conv2d(3, 8, 3) gives 8")
    assert "Found 1 finding (1 error)" in out
    _code, out = lint("net.py", "--output-format", "json")
    (finding,) = json.loads(out)["findings"]
    assert (finding["line"], finding["fixes"]) == (8, ["use in_channels=8"])
    assert [(r["line"], r["column"], r["fixes"]) for r in finding["related"]] == [
        (7, 18, ["use out_channels=16"])
    ]
    _code, out = lint("net.py", "--output-format", "sarif")
    doc = json.loads(out)
    validate_sarif(doc)
    (result,) = doc["runs"][0]["results"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 7
    assert "gives 8" in related["message"]["text"]
    _code, out = lint("net.py", "--output-format", "github")
    assert out.count("::error ") == 1 and "at line 7" in out


def test_sarif_rule_ids_are_stable_and_warnings_kept() -> None:
    findings = [
        Finding("a b.py", 2, 3, "CS901", "rows", "warning", 2, 9),
        Finding("a b.py", 1, 1, "CS112", "channels", "error", 1, 5, ("fix it",)),
    ]
    doc = sarif(findings)
    validate_sarif(doc)
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["CS112", "CS901"]
    assert run["results"][0]["ruleIndex"] == 1 and run["results"][0]["level"] == "warning"
    assert run["results"][1]["properties"] == {"fixes": ["fix it"]}
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "a%20b.py"
    empty = sarif([])
    validate_sarif(empty)
    assert empty["runs"][0]["results"] == []


def test_jobs_give_the_same_findings(project: Path) -> None:
    for i in range(70):  # enough files for worker processes
        (project / "pkg" / f"m{i:02d}.py").write_text(BUGGY if i % 7 == 0 else "x = 1\n")
    one = lint("pkg", "--output-format", "json", "--jobs", "1")
    two = lint("pkg", "--output-format", "json", "--jobs", "2")
    assert one[0] == two[0] == 1
    assert json.loads(one[1]) == json.loads(two[1])
    assert len(json.loads(two[1])["findings"]) == 2 * 11
    assert lint("pkg", "--jobs", "0")[0] == 2
    assert lint("pkg", "--jobs", "x")[0] == 2


def test_undecodable_file_is_a_finding_and_the_run_goes_on(project: Path) -> None:
    # a stray Latin-1 byte: CS900 at that byte, like a syntax error, and the other files
    # are still linted; a file that declares its encoding is read in it
    (project / "pkg" / "latin.py").write_bytes(b'import torch.nn as nn\nx = "caf\xe9"\n')
    (project / "pkg" / "declared.py").write_bytes(
        b'# -*- coding: latin-1 -*-\nimport torch.nn as nn\nx = "caf\xe9"\n'
        b"m = nn.Conv2d(3, 8, 3, groups=2)\n"
    )
    code, out = lint("pkg", "--output-format", "json")
    assert code == 1
    found = {(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)["findings"]}
    assert ("pkg/latin.py", 2, 9, "CS900") in found
    assert ("pkg/declared.py", 4, 5, "CS702") in found
    assert ("pkg/model.py", 5, 5, "CS802") in found
    code, out = lint("pkg/latin.py")
    assert code == 1 and "Traceback" not in out
    assert out.startswith("pkg/latin.py:2:9: CS900 could not parse the file: not valid utf-8")
