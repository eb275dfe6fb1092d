"""Imports followed by reading source (convshape.features.lint.imports): a model split over
files is followed across them, never imported; what cannot be found stays unknown.

Each bug is a channel count torch refuses ("expected input[1, 64, ...] to have 32
channels"), written in one file and built by another.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from convshape.features.lint import lint_source
from convshape.features.lint.extract import DEBUG_ENV
from convshape.features.lint.imports import known_tree, opaque, resolve


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")


BLOCKS = """
    import torch.nn as nn

    def conv3x3(cin, cout, stride=1):
        return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)

    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = conv3x3(cin, cout)
            self.bn = nn.BatchNorm2d(cout)

        def forward(self, x):
            return self.bn(self.conv(x))
"""

MODEL = """
    import torch.nn as nn
    {imports}

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Block(3, 32)
            self.b = Block(64, 32)

        def forward(self, x):
            return self.b(self.a(x))
"""


def _tree(tmp_path: Path, imports: str) -> Path:
    pkg = tmp_path / "pkg"
    (pkg / "layers").mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "layers" / "__init__.py").write_text("from .blocks import *\n")
    (pkg / "layers" / "blocks.py").write_text(textwrap.dedent(BLOCKS))
    model = pkg / "model.py"
    model.write_text(textwrap.dedent(MODEL.format(imports=imports)))
    return model


@pytest.mark.parametrize(
    "imports",
    [
        "from .layers.blocks import Block",
        "from .layers import Block",  # re-exported by a star import
        "from pkg.layers.blocks import Block",  # absolute, inside the linted tree
        "from . import layers; Block = layers.Block",
        "import pkg.layers.blocks as blocks; Block = blocks.Block",
    ],
)
def test_a_model_is_followed_into_the_files_it_imports(tmp_path: Path, imports: str) -> None:
    model = _tree(tmp_path, imports)
    findings = lint_source(model.read_text(), str(model))
    # reported in the model, at the 64 that Block and conv3x3 only pass on; or at the 32
    # that makes a's output: either edit makes the model run
    (finding,) = findings
    assert (finding.line, finding.col, finding.code) == (9, 24, "CS112")
    assert "conv3x3" in finding.message and "blocks.py" in finding.message
    assert finding.fixes == ("use 32 instead of `64` in this call",)
    assert [(r.line, r.fixes) for r in finding.related] == [
        (8, ("use 64 instead of `32` in this call",))
    ]


def test_what_cannot_be_found_is_unknown_not_an_error(tmp_path: Path) -> None:
    model = _tree(tmp_path, "from .missing import Block")
    assert lint_source(model.read_text(), str(model)) == []
    model = _tree(tmp_path, "from not_a_package_anywhere import Block")
    assert lint_source(model.read_text(), str(model)) == []


def test_installed_packages_are_found_without_importing_them() -> None:
    if importlib.util.find_spec("timm") is None:  # only located; nothing of it runs
        pytest.skip("timm is not installed")
    found = resolve("timm.layers.helpers", 0, __file__)
    assert found is not None and found.name == "helpers.py"
    assert resolve("torch.nn", 0, __file__) is None  # torch is modelled, not read
    assert opaque("os.path") and opaque("torch") and not opaque("timm.layers")


def test_a_file_read_as_an_import_is_parsed_once_and_only_for_its_own_text(
    tmp_path: Path,
) -> None:
    model = _tree(tmp_path, "from .layers.blocks import Block")
    lint_source(model.read_text(), str(model))  # reads blocks.py as an import
    blocks = (tmp_path / "pkg" / "layers" / "blocks.py").resolve()
    text = blocks.read_text()
    assert known_tree(blocks, text) is not None  # linting blocks.py next parses nothing
    assert lint_source(text, str(blocks)) == []
    # an edited text (an editor's unsaved buffer) is parsed from that text, not the disk's
    edited = text.replace("nn.BatchNorm2d(cout)", "nn.BatchNorm2d(cout)\n        self.x = 1")
    assert known_tree(blocks, edited) is None
    bad = text + "\nnet = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(16, 8, 3))\n"
    assert [f.code for f in lint_source(bad, str(blocks))] == ["CS112"]


HEAD = """
    import torch.nn as nn

    def make_head(features, classes):
        width = int(features * 1)  # computed: traced back to the caller by a rerun
        return nn.Sequential(nn.Flatten(1), nn.Linear(width, classes))
"""

NET = """
    import torch.nn as nn
    from .head import make_head

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 64, 3, padding=1)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.head = make_head(32, 10)

        def forward(self, x):
            return self.head(self.pool(self.conv(x)))
"""


def test_a_bug_in_an_imported_helper_is_reported_at_this_files_call(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "head.py").write_text(textwrap.dedent(HEAD))
    net = pkg / "net.py"
    net.write_text(textwrap.dedent(NET))
    findings = lint_source(net.read_text(), str(net))
    # torch: "mat1 and mat2 shapes cannot be multiplied (1x64 and 32x10)"; width is not the
    # parameter passed on, but a rerun with make_head(64, 10) runs: the 32 is the place
    assert [(f.line, f.col, f.code) for f in findings] == [(10, 31, "CS801")]
    assert "head.py:6" in findings[0].message
    assert findings[0].fixes == ("use 64 instead of `32` in this call",)


# A file of blocks without builders: its classes take their sizes as arguments, so it is
# followed through the builders of the files of its folder that import it (timm's
# _efficientnet_blocks.py through efficientnet.py), and a bug is reported at its line.
LIBRARY = """
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self, cin, cout, expand=1):
            super().__init__()
            mid = cin * expand
            self.conv1 = nn.Conv2d(cin, mid, 1)
            self.conv2 = nn.Conv2d({conv2_in}, cout, 3, padding=1)

        def forward(self, x):
            return self.conv2(self.conv1(x))
"""

BUILDERS = """
    import torch.nn as nn
    from .library import Block

    class Net(nn.Module):
        def __init__(self, widths):
            super().__init__()
            self.stem = nn.Conv2d(3, widths[0], 3)
            self.blocks = nn.Sequential(
                *[Block(a, b, expand=4) for a, b in zip(widths, widths[1:])]
            )

        def forward(self, x):
            return self.blocks(self.stem(x))

    def small(**kwargs):
        return Net([8, 16, 32], **kwargs)
"""


def test_a_file_of_blocks_is_followed_through_its_importers_builders(tmp_path: Path) -> None:
    from convshape.features.lint.config import Config
    from convshape.features.lint.static import lint_paths

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "aaa_unrelated.py").write_text("def helper():\n    return 1\n")
    (pkg / "net.py").write_text(textwrap.dedent(BUILDERS))
    library = pkg / "library.py"
    library.write_text(textwrap.dedent(LIBRARY.format(conv2_in="mid")))
    config = Config(root=tmp_path)
    clean = lint_paths([str(library)], config)
    assert [f for f in clean.findings if f.severity == "error"] == []
    assert ("small (net.py)", "assumed") in [(m.model, m.how) for m in clean.followed]
    # the same process, the file edited: what the importer read of it is read again
    library.write_text(textwrap.dedent(LIBRARY.format(conv2_in="cin")))
    run = lint_paths([str(library)], config)
    errors = [(Path(f.path).name, f.line, f.code) for f in run.findings if f.severity == "error"]
    assert errors == [("library.py", 9, "CS112")]
    assert "expects 8 input channels" in run.findings[0].message
