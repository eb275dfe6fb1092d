"""Static lint: what it follows, what it reports where, and where it stays silent.

Expectations are hand-checked: each bug below is one torch raises (or, for CS901, one
whose arithmetic is worked out in the comment); tests/test_lint_corpus.py runs a corpus of
whole models through torch itself.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from convshape.features.lint import lint_source
from convshape.features.lint.config import Config
from convshape.features.lint.extract import DEBUG_ENV


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")  # an interpreter bug fails the test, not silently


def found(source: str, **kw: object) -> list[tuple[int, int, str]]:
    text = textwrap.dedent(source)
    return [(f.line, f.col, f.code) for f in lint_source(text, "m.py", **kw)]  # type: ignore[arg-type]


def named(source: str, **kw: object) -> list[tuple[int, int, str]]:
    """Every place the findings name: each one's own and its related ones (the other end
    of a mismatch one edit at either of whose lines fixes, see blame)."""
    findings = lint_source(textwrap.dedent(source), "m.py", **kw)  # type: ignore[arg-type]
    return sorted((at.line, at.col, f.code) for f in findings for at in (f, *f.related))


def messages(source: str) -> list[str]:
    return [f.message for f in lint_source(textwrap.dedent(source), "m.py")]


# -- the forms models are written in -------------------------------------------------------


def test_sequential_positional() -> None:
    assert found(
        """
        import torch.nn as nn
        net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(16, 8, 3))
        """
    ) == [(3, 52, "CS112")]


def test_sequential_starred_list_and_ordered_dict() -> None:
    assert found(
        """
        from collections import OrderedDict
        from torch import nn
        a = nn.Sequential(*[nn.Linear(10, 20), nn.Linear(30, 5)])
        b = nn.Sequential(OrderedDict([("fc1", nn.Linear(10, 20)), ("fc2", nn.Linear(20, 5))]))
        c = nn.Sequential(OrderedDict(fc1=nn.Linear(10, 20), fc2=nn.Linear(21, 5)))
        """
    ) == [(4, 40, "CS801"), (6, 58, "CS801")]


def test_attributes_follow_forward_order_not_definition_order() -> None:
    source = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.second = nn.Conv2d(16, 32, 3)
                self.first = nn.Conv2d(3, 16, 3)
                self.bn = nn.BatchNorm2d(32)

            def forward(self, x):
                return self.bn(self.second(self.first(x)))
        """
    assert found(source) == []
    # torch stops at the first error: nothing is said about the BatchNorm after it
    assert found(source.replace("self.second(self.first(x))", "self.first(self.second(x))")) == [
        (8, 22, "CS112")
    ]


def test_layer_lists_built_in_init() -> None:
    source = """
        import torch.nn as nn

        WIDTHS = (16, 32, 64)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                layers = []
                c = 3
                for w in WIDTHS:
                    layers.append(nn.Conv2d(c, w, 3, padding=1))
                    layers += [nn.BatchNorm2d(w), nn.ReLU()]
                    c = w
                layers.extend([nn.Conv2d(64, 10, 1)])
                self.body = nn.ModuleList(layers)
                self.head = nn.Conv2d(12, 10, 1)

            def forward(self, x):
                for layer in self.body:
                    x = layer(x)
                return self.head(x)
        """
    # either the last conv of the list gives 12 channels or the head takes 10: one edit
    # at either line makes the model run, so both are reported (see blame)
    assert named(source) == [(15, 24, "CS112"), (17, 21, "CS112")]


def test_helper_methods_classes_and_module_constants() -> None:
    assert named(
        """
        import torch.nn as nn

        C = 32

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout))

        class Stage(nn.Module):
            def __init__(self, cin, cout):
                super().__init__()
                self.a = block(cin, cout)
                self.b = block(cout, cout)

            def forward(self, x):
                return self.b(self.a(x))

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.s1 = Stage(3, C)
                self.s2 = Stage(C * 2, 64)

            def forward(self, x):
                return self.s2(self.s1(x))
        """
    ) == [(13, 30, "CS112"), (22, 25, "CS112")]
    # at `C * 2` (the helpers only pass cin on), or at the cout that makes s1's output


def test_nested_sequential_subclass_and_super_init() -> None:
    assert found(
        """
        import torch.nn as nn

        class ConvBN(nn.Sequential):
            def __init__(self, cin, cout, stride=1):
                super().__init__(nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout))

        net = nn.Sequential(ConvBN(3, 16), ConvBN(16, 32, 2), nn.Conv2d(64, 10, 1))
        """
    ) == [(8, 55, "CS112")]


def test_cat_sums_channels() -> None:
    source = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(3, 16, 3, padding=1)
                self.b = nn.Conv2d(3, 8, 3, padding=1)
                self.c = nn.Conv2d(24, 4, 1)

            def forward(self, x):
                return self.c(torch.cat([self.a(x), self.b(x)], dim=1))
        """
    assert found(source) == []
    # c takes 16, or a (the joined tensor that can give 8 fewer) gives 8
    assert named(source.replace("nn.Conv2d(24, 4, 1)", "nn.Conv2d(16, 4, 1)")) == [
        (8, 18, "CS112"),
        (10, 18, "CS112"),
    ]


# -- argument rules -----------------------------------------------------------------------


ARGUMENT_CASES = [
    ("nn.Conv2d(3, 8, 3, stride=0)", "CS107"),
    ("nn.Conv2d(3, 8, 3, stride=(1, -1))", "CS107"),
    ("nn.Conv2d(3, 8, 3, padding=-1)", "CS105"),
    ("nn.Conv2d(3, 8, 3, stride=2, padding='same')", "CS705"),
    ("nn.Conv2d(3, 8, 3, padding='full')", "CS704"),
    ("nn.Conv2d(3, 8, 3, groups=2)", "CS702"),
    ("nn.Conv2d(4, 6, 3, groups=4)", "CS703"),
    ("nn.Conv2d(4, 8, 3, groups=0)", "CS701"),
    ("nn.Conv2d(3, 8, 3, padding_mode='reflection')", "CS706"),
    ("nn.ConvTranspose2d(3, 8, 3, padding_mode='reflect')", "CS208"),
    ("nn.ConvTranspose2d(3, 8, 3, stride=2, output_padding=2)", "CS205"),
    ("nn.ConvTranspose1d(3, 8, 3, output_padding=1)", "CS205"),
    ("nn.MaxPool2d(3, stride=2, padding=2)", "CS326"),
    ("nn.MaxPool1d(2, padding=2)", "CS309"),
    ("nn.AvgPool2d(3, padding=2)", "CS326"),
    ("nn.AvgPool3d(2, padding=(0, 0, 2))", "CS326"),
    ("nn.MaxPool2d(2, stride=0)", "CS324"),
    ("nn.Conv3d(3, 8, 3, dilation=0)", "CS117"),
    ("nn.GroupNorm(3, 32)", "CS806"),
]


@pytest.mark.parametrize(("layer", "code"), ARGUMENT_CASES)
def test_argument_rules(layer: str, code: str) -> None:
    assert found(f"import torch.nn as nn\nm = {layer}\n") == [(2, 5, code)]


@pytest.mark.torch
def test_argument_rules_agree_with_torch() -> None:
    """The argument rules above, run through torch on a generous input."""
    torch = pytest.importorskip("torch")
    from convshape.features.explain import match_message

    for layer, code in ARGUMENT_CASES:
        dims = 1 if "1d" in layer else 3 if "3d" in layer else 2
        in_channels = int(re.findall(r"\((\d+)", layer)[0]) if "Conv" in layer else 4
        if "GroupNorm" in layer:
            in_channels = 32
        try:
            module = eval(layer, {"nn": torch.nn})  # test-side only: lint never evaluates
            module(torch.randn((2, in_channels, *([12] * dims))))
        except Exception as exc:
            matched = match_message(str(exc), type(exc).__name__)
            assert matched is not None and matched[0].code == code, (layer, exc)
        else:
            pytest.fail(f"torch accepted {layer}")


def test_argument_rules_silent_for_unknown_values() -> None:
    assert (
        found(
            """
        import torch.nn as nn
        from elsewhere import STRIDE

        def make(cin, groups, stride=STRIDE):
            return nn.Sequential(
                nn.Conv2d(cin, 8, 3, groups=groups),
                nn.Conv2d(8, 8, 3, stride=stride, padding="same"),
                nn.MaxPool2d(3, padding=cin),
            )
        """
        )
        == []
    )


def test_argument_rule_with_other_values_unknown() -> None:
    # the stride is 0 whatever cin is: reported
    assert found(
        """
        import torch.nn as nn

        def make(cin):
            return nn.Conv2d(cin, 8, 3, stride=0)
        """
    ) == [(5, 12, "CS107")]


# -- with a declared input ----------------------------------------------------------------

_DECLARED = """
    import torch
    import torch.nn as nn

    # convshape: input=2,3,32,32
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 16, 3, padding=1),
                nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3, padding=1),
                nn.MaxPool2d(2),
            )
            self.fc = nn.Linear(32 * 8 * 8, 10)

        def forward(self, x):
            x = self.features(x)
            x = x.view(x.size(0), -1)
            return self.fc(x)
    """


def test_declared_input_linear_flattened_size() -> None:
    assert found(_DECLARED) == []
    bad = _DECLARED.replace("nn.Linear(32 * 8 * 8, 10)", "nn.Linear(32 * 7 * 7, 10)")
    assert found(bad) == [(15, 19, "CS801")]
    (message,) = messages(bad)
    # torch: 2x2048 (32*8*8 flattened) against a weight of 1568 inputs
    assert "mat1 and mat2 shapes cannot be multiplied (2x2048 and 1568x10)" in message
    (finding,) = lint_source(textwrap.dedent(bad), "m.py")
    assert "nn.Linear(2048, 10)" in " ".join(finding.fixes)


def test_declared_input_from_config_and_without_declaration() -> None:
    bad = _DECLARED.replace("nn.Linear(32 * 8 * 8, 10)", "nn.Linear(32 * 7 * 7, 10)")
    undeclared = bad.replace("    # convshape: input=2,3,32,32\n", "")
    assert found(undeclared) == []  # the flattened size depends on the input: silent
    config = Config(root=__import__("pathlib").Path("."), inputs={"Net": (2, 3, 32, 32)})
    assert found(undeclared, config=config) == [(14, 19, "CS801")]
    assert found(undeclared, inputs={"m.py:Net": (2, 3, 32, 32)}) == [(14, 19, "CS801")]


def test_spatial_size_reaching_zero() -> None:
    source = _DECLARED.replace("input=2,3,32,32", "input=2,3,2,2")
    # 2x2 -> pool 1x1 -> conv pads to 3x3 -> pool: output 0 ("Output size is too small")
    assert found(source) == [(13, 13, "CS333")]


def test_rows_dropped_warning() -> None:
    source = """
        import torch.nn as nn
        # convshape: input=1,3,224,224
        net = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3),
            nn.MaxPool2d(3, stride=2, padding=1),
            nn.Conv2d(64, 64, 3, stride=2),
            nn.Conv2d(64, 64, 1, stride=2),
        )
        """
    # 224 + 6 - 7 = 223, odd: the unreached row is padding. 112 + 2 - 3 = 111: padding
    # again. 56 - 3 = 53 is odd and there is no padding: row 55 is never read (warning).
    # A 1x1 stride-2 conv skips every other row by design: no warning.
    result = lint_source(textwrap.dedent(source), "m.py")
    assert [(f.line, f.code, f.severity) for f in result] == [(7, "CS901", "warning")]
    assert "never reaches the last 1 row of H (input 56, output 27)" in result[0].message


# -- no false positives -------------------------------------------------------------------


def test_silent_on_what_is_not_known() -> None:
    assert (
        found(
            """
        import torch
        import torch.nn as nn
        from mylib import Block, WIDTH

        class Net(nn.Module):
            def __init__(self, width, use_bn=True):
                super().__init__()
                self.a = nn.Conv2d(3, width, 3)
                self.b = nn.Conv2d(16, 32, 3)
                self.c = Block()
                self.d = nn.Conv2d(WIDTH, 8, 3)
                self.e = nn.Conv2d(99, 8, 3)
                self.bn = nn.BatchNorm2d(8) if use_bn else nn.Identity()
                self.fc = nn.Linear(1234, 10)

            def forward(self, x):
                x = self.b(self.a(x))          # width unknown
                x = self.d(self.c(x))          # Block unknown
                if x.mean() > 0:               # a branch on data
                    x = self.e(x)
                x = self.bn(x)
                x = torch.flatten(x, 1)        # spatial sizes unknown
                return self.fc(x)
        """
        )
        == []
    )


def test_unused_layers_are_not_chained() -> None:
    # layers defined but used in a forward convshape cannot follow: no channel rules
    assert (
        found(
            """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(3, 8, 3)
                self.b = nn.Conv2d(16, 8, 3)

            def forward(self, x):
                return self.run(x)
        """
        )
        == []
    )


def test_residual_and_broadcast() -> None:
    assert (
        found(
            """
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.conv = nn.Conv2d(c, c, 3, padding=1)
                self.bn = nn.BatchNorm2d(c)

            def forward(self, x):
                return self.bn(self.conv(x)) + x

        net = nn.Sequential(nn.Conv2d(3, 16, 3), Block(16), Block(16), nn.BatchNorm2d(16))
        """
        )
        == []
    )


def test_syntax_error_is_a_finding() -> None:
    assert found("def broken(:\n") == [(1, 12, "CS900")]


def test_non_ascii_columns_count_characters() -> None:
    source = (
        "import torch.nn as nn\nname = 'é'; m = nn.Sequential(nn.Linear(1, 2), nn.Linear(3, 4))\n"
    )
    assert found(source) == [(2, 48, "CS801")]


# -- suppressions and selection -----------------------------------------------------------


def test_suppression_comments() -> None:
    base = "import torch.nn as nn\nm = nn.Sequential(nn.Linear(1, 2), nn.Linear(3, 4)){}\n"
    assert found(base.format("")) == [(2, 36, "CS801")]
    assert found(base.format("  # convshape: ignore[CS801]")) == []
    assert found(base.format("  # convshape: ignore[CS8]")) == []
    assert found(base.format("  # convshape: ignore")) == []
    assert found(base.format("  # noqa: CS801")) == []
    assert found(base.format("  # noqa")) == []
    assert found(base.format("  # noqa: E501")) == [(2, 36, "CS801")]
    assert found(base.format("  # convshape: ignore[CS112]")) == [(2, 36, "CS801")]


def test_suppression_on_any_line_of_a_multiline_call() -> None:
    source = """
        import torch.nn as nn
        m = nn.Sequential(
            nn.Linear(1, 2),
            nn.Linear(
                3, 4,  # noqa: CS801
            ),
        )
        """
    assert found(source) == []


def test_select_ignore_and_per_file_ignores() -> None:
    from pathlib import Path

    source = "import torch.nn as nn\nm = nn.Sequential(nn.Linear(1, 2), nn.Linear(3, 4))\n"
    root = Path(".")
    assert found(source, config=Config(root=root, select=("CS1",))) == []
    assert found(source, config=Config(root=root, ignore=("CS801",))) == []
    ignores = {"tests/*": ("CS8",)}
    assert found(source, config=Config(root=root, per_file_ignores=ignores)) == [(2, 36, "CS801")]
    kept = lint_source(source, "x.py", config=Config(root=root, per_file_ignores=ignores))
    assert kept
    assert (
        lint_source(source, "tests/x.py", config=Config(root=root, per_file_ignores=ignores)) == []
    )


def test_bad_directive_is_a_finding_for_its_file() -> None:
    (bad,) = lint_source("# convshape: input=1,x\n", "m.py")
    assert (bad.code, bad.line) == ("CS907", 1)
    assert "# convshape: input=...: invalid shape" in bad.message
    (typo,) = lint_source("import torch\n# convshape: inpu\n", "m.py")
    assert (typo.code, typo.line) == ("CS907", 2) and "unknown directive" in typo.message


def test_never_imports_or_runs_the_file(tmp_path: object) -> None:
    source = """
        import os
        os.system("touch /tmp/convshape-should-not-exist")
        raise SystemExit("imported")
        import torch.nn as nn
        m = nn.Sequential(nn.Linear(1, 2), nn.Linear(3, 4))
        """
    assert found(source) == []  # the raise ends the module: nothing after it is followed
    import os

    assert not os.path.exists("/tmp/convshape-should-not-exist")


def test_directives_only_in_comments() -> None:
    source = '''
        """Declare inputs with ``# convshape: input=...`` and silence with # noqa."""
        import torch.nn as nn
        text = "# convshape: frobnicate"
        m = nn.Sequential(nn.Linear(1, 2), nn.Linear(3, 4))  # a note, then # noqa: CS801
        n = nn.Sequential(nn.Linear(1, 2), nn.Linear(3, 4))  # "# noqa" in a comment is one
        '''
    assert found(source) == []
    assert found(source.replace("# noqa: CS801", "")) == [(5, 36, "CS801")]


# -- Python that released model code uses ---------------------------------------------


def test_builders_named_in_strings_are_still_roots() -> None:
    # torchvision's weights URLs name the builder ("resnet18-f37072fd.pth"): still a model
    source = """
        import torch.nn as nn
        URL = "https://download.pytorch.org/models/tiny-0e4b8a3c.pth"

        def tiny(*, weights=None, **kwargs):
            return nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(16, 8, 3))
        """
    assert named(source) == [(6, 26, "CS112"), (6, 46, "CS112")]


def test_dataclass_configs_partial_factories_and_cast() -> None:
    source = """
        from dataclasses import dataclass
        from functools import partial
        from typing import cast
        import torch.nn as nn

        @dataclass
        class StageConfig:
            cin: int
            cout: int
            kernel: int = 3

        def conv(cin, cout, kernel, norm):
            return nn.Sequential(nn.Conv2d(cin, cout, kernel, padding=1), norm(cout))

        class Net(nn.Module):
            def __init__(self, stages):
                super().__init__()
                norm = partial(nn.BatchNorm2d, eps=1e-3)
                self.body = nn.Sequential(
                    *[conv(cast(int, s.cin), s.cout, s.kernel, norm) for s in stages]
                )

            def forward(self, x):
                return self.body(x)

        def net(**kwargs):
            stages = [StageConfig(3, 16), StageConfig(32, 8)]
            return Net(stages, **kwargs)
        """
    # at the call that passes the config's value (values read from an attribute are not
    # traced further back, to StageConfig(32, 8)), or at the one that passes the previous
    # stage's cout
    assert named(source) == [(21, 20, "CS112"), (21, 38, "CS112")]


def test_module_dict_subclasses_and_layer_lists_changed_in_place() -> None:
    source = """
        import torch.nn as nn

        class Dense(nn.ModuleDict):
            def __init__(self, n, c):
                super().__init__()
                for i in range(n):
                    self.add_module(f"layer{i}", nn.Conv2d(c, c, 3, padding=1))

            def forward(self, x):
                for name, layer in self.items():
                    x = layer(x)
                return x

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                rep = [nn.ReLU(), nn.Conv2d(3, 8, 1), nn.Conv2d(8, 8, 1)]
                rep = rep[1:]
                rep[0] = nn.Conv2d(3, 16, 1)
                self.stem = nn.Sequential(*rep)
                self.dense = Dense(2, 8)

            def forward(self, x):
                return self.dense(self.stem(x))
        """
    # rep[0] now gives 16 channels: the second conv of the stem wants 8
    assert named(source) == [(18, 47, "CS112"), (20, 18, "CS112")]


def test_getattr_with_a_default_and_a_sequential_subclass_iterated_in_forward() -> None:
    # torchvision's segmentation builders: the backbone's strided blocks are those with
    # `_is_cn` set, the others have none (getattr's default); ASPPPooling runs `for mod in
    # self` (an nn.Sequential subclass)
    source = """
        import torch.nn as nn

        class Block(nn.Sequential):
            def __init__(self, cin, cout, stride):
                super().__init__(nn.Conv2d(cin, cout, 3, stride, 1), nn.ReLU())
                self.out_channels = cout
                if stride > 1:
                    self._is_cn = True

            def forward(self, x):
                for mod in self:
                    x = mod(x)
                return x

        class Head(nn.Module):
            def __init__(self, backbone):
                super().__init__()
                strided = [i for i, b in enumerate(backbone) if getattr(b, "_is_cn", False)]
                self.backbone = backbone
                self.head = nn.Conv2d(backbone[strided[-1]].out_channels, 4, 1)

            def forward(self, x):
                return self.head(self.backbone(x))

        def build():
            return Head(nn.Sequential(Block(3, 8, 2), Block(8, 16, 2), Block(16, 32, 1)))
        """
    # the head takes the last strided block's 16 channels; the backbone gives 32: either
    # end may be the one to fix (blame reports both)
    assert named(source) == [(21, 21, "CS112"), (27, 74, "CS112")]
    assert "gives 32" in messages(source)[0]


def test_cat_and_add_of_tensors_that_do_not_fit() -> None:
    # torch 2.13 on CPU, for the shapes below: torch.cat([(1,8,4,4), (1,8,5,5)], 1) and
    # (1,8,4,4) + (1,16,4,4)
    source = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):  # convshape: input=1,3,8,8
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(3, 8, 3, stride=2, padding=1)
                self.b = nn.Conv2d(3, 8, 3, stride=2, padding=2)
                self.c = nn.Conv2d(3, 16, 3, stride=2, padding=1)

            def forward(self, x):
                y = torch.cat([self.a(x), self.b(x)], 1)
                return self.a(x) + self.c(x)
        """
    findings = lint_source(textwrap.dedent(source), "m.py")
    assert [(f.line, f.code) for f in findings] == [(13, "CS881"), (14, "CS880")]
    assert findings[0].message.endswith(
        "Sizes of tensors must match except in dimension 1. Expected size 4 but got size 5 "
        "for tensor number 1 in the list."
    )
    assert findings[1].message.endswith(
        "The size of tensor a (8) must match the size of tensor b (16) at non-singleton dimension 1"
    )


def test_channels_are_followed_through_cat_without_a_declared_input() -> None:
    # a builder's model whose stem is a Conv2d is followed on a batch of images of unknown
    # size: channels add up through torch.cat, no size is guessed
    source = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(3, 8, 1)
                self.b = nn.Conv2d(3, 8, 1)
                self.head = nn.Conv2d(8, 4, 1)
                self.fc = nn.Linear(999, 10)

            def forward(self, x):
                y = torch.cat([self.a(x), self.b(x)], 1)
                return self.fc(torch.flatten(self.head(y), 1))

        def net():
            return Net()
        """
    assert found(source) == [(10, 21, "CS112")]  # head gets 16 channels; fc stays silent


def test_coverage_says_what_was_followed_and_what_could_not_be() -> None:
    from convshape.features.lint.output import summary
    from convshape.features.lint.static import Followed

    followed: list[Followed] = []
    source = textwrap.dedent(
        """
        import torch.nn as nn

        def tiny(**kwargs):
            return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
        """
    )
    assert lint_source(source, "m.py", followed=followed) == []
    assert followed == [Followed("m.py", "tiny", (1, None, None, None), "assumed")]
    line = summary([], 1, 0, followed)
    assert line == (
        "All checks passed (1 file; 1 model followed statically (1 on images of unknown size))."
    )
    # a module whose base cannot be read: an info line naming why, not silence
    hidden = textwrap.dedent(
        """
        from nowhere import Base

        class Net(Base):
            def forward(self, x):
                return self.conv(x)
        """
    )
    (info,) = lint_source(hidden, "n.py")
    assert (info.code, info.severity, info.line) == ("CS908", "info", 4)
    assert "Net" in info.message and "could not be read" in info.message


def test_branches_on_sizes_and_channel_shuffles_keep_the_channels() -> None:
    # torch: the last conv gets 16 channels and wants 32, whichever branch runs
    source = """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        def shuffle(x, groups):
            b, c, h, w = x.size()
            x = x.view(b, groups, c // groups, h, w)
            x = torch.transpose(x, 1, 2).contiguous()
            return x.view(b, c, h, w)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(3, 16, 1)
                self.b = nn.Conv2d(32, 8, 1)

            def forward(self, x):
                x = self.a(x)
                if x.shape[-1] < 7:
                    x = F.adaptive_avg_pool2d(x, 7)
                left, right = shuffle(x, 2).chunk(2, dim=1)
                return self.b(torch.cat([left, right], 1))

        def net():
            return Net()
        """
    assert found(source) == [(16, 18, "CS112")]


@pytest.mark.parametrize(
    ("shape", "code"),
    [
        ((2, 5, 7), "x[0]"),
        ((2, 5, 7), "x[:, 0]"),
        ((2, 5, 7), "x[1:4]"),
        ((2, 5, 7), "x[:, ::2, -1]"),
        ((2, 5, 7), "x[None, 1]"),
        ((2, 5, 7), "x[:, None, 2:100]"),
        ((1, 1, 8), "x.expand(3, -1, -1)"),
        ((1, 1, 8), "x.expand(4, 3, 5, 8)"),
        ((2, 6, 4), "x.chunk(4, dim=1)[-1]"),
        ((2, 6, 4), "x.split([1, 5], 1)[1]"),
        ((2, 6, 4, 4), "x.mean([2, 3])"),
    ],
)
def test_tensor_indexing_and_views_follow_torch(shape: tuple[int, ...], code: str) -> None:
    """What the interpreter gives for indexing, expand, chunk/split and reductions over a
    list of dims is torch's shape (a Linear of the wrong width after it is a finding)."""
    torch = pytest.importorskip("torch")
    want = tuple(eval(code, {"x": torch.empty(shape)}).shape)  # torch's answer
    source = f"""
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear({want[-1] + 1}, 3)

            def forward(self, x):
                y = {code}
                return self.fc(y)

        def net():  # convshape: input={",".join(map(str, shape))}
            return Net()
        """
    findings = lint_source(textwrap.dedent(source), "net.py")
    assert [f.code for f in findings] == ["CS801"]
    assert f"on input {want}" in findings[0].message


SET_OF_CLASSES = """
    import torch.nn as nn

    class Plain(nn.Module):
        pass

    class Wide(nn.Module):
        pass

    WIDE = {{Wide}}

    def make(cls):
        {mutate}
        width = 16 if cls in WIDE else 8
        return nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(width, 4, 3))

    net = make({which})
"""


@pytest.mark.parametrize(
    ("which", "mutate", "codes"),
    [
        ("Wide", "pass", ["CS112"]),  # torch: expected input[1, 8, ...] to have 16 channels
        ("Plain", "pass", []),
        ("Wide", "WIDE.discard(Wide)", []),  # changed: membership unknown, never guessed
    ],
)
def test_a_class_in_a_set_of_classes(which: str, mutate: str, codes: list[str]) -> None:
    text = textwrap.dedent(SET_OF_CLASSES.format(which=which, mutate=mutate))
    assert [f.code for f in lint_source(text, "m.py")] == codes


def test_norm_layer_subclasses_check_their_sizes_in_their_own_forward() -> None:
    # timm's BatchNormAct2d and LayerNorm2d: F.batch_norm / F.layer_norm on the layer's
    # own tensors, the layer made through partial(...) and a dict of choices
    source = """
        import functools
        import torch.nn as nn
        import torch.nn.functional as F

        class BatchNormAct(nn.BatchNorm2d):
            def __init__(self, num_features, eps=1e-5, act_layer=nn.ReLU):
                try:
                    super().__init__(num_features, eps=eps)
                except TypeError:
                    super().__init__(num_features)
                self.act = act_layer()

            def forward(self, x):
                x = F.batch_norm(x, self.running_mean, self.running_var, self.weight,
                                 self.bias, self.training, self.momentum, self.eps)
                return self.act(x)

        class LayerNorm2d(nn.LayerNorm):
            def forward(self, x):
                x = x.permute(0, 2, 3, 1)
                x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
                return x.permute(0, 3, 1, 2)

        CHOICES = {name: cls for name, cls in (("bn", BatchNormAct), ("ln", LayerNorm2d))}

        def norm_for(name):
            layer = CHOICES[name]
            if isinstance(layer, functools.partial) or layer.__name__ == "LayerNorm2d":
                return layer
            return functools.partial(layer, act_layer=nn.SiLU)

        class Net(nn.Module):
            def __init__(self, norm="bn"):
                super().__init__()
                norm_layer = norm_for(norm)
                self.conv = nn.Conv2d(3, 16, 3)
                self.norm = norm_layer(8)

            def forward(self, x):
                return self.norm(self.conv(x))

        def bn_net():
            return Net("bn")

        def ln_net():
            return Net("ln")
        """
    # at the argument that gave the width, for each choice of norm layer; for the
    # BatchNorm, the conv's 16 too (either edit makes it run, see blame)
    assert sorted((line, code) for line, _col, code in named(source)) == [
        (37, "CS802"),
        (38, "CS802"),
        (38, "CS807"),
    ]
    assert any("running_mean should contain 16 elements not 8" in m for m in messages(source))


def test_try_statements() -> None:
    # the body runs; when it called something not followed, a handler may have run instead
    template = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                try:
                    {body}
                except Exception:
                    width = 8
                self.a = nn.Conv2d(3, 8, 3)
                self.b = nn.Conv2d(width, 4, 3)

            def forward(self, x):
                return self.b(self.a(x))
        """
    # b takes 16 where a gives 8: either line is the one to fix (see blame)
    assert named(template.format(body="width = 16")) == [(11, 18, "CS112"), (12, 18, "CS112")]
    assert found(template.format(body="width = 16; unknown_call()")) == []
    assert found(template.format(body="width = 16; raise ValueError")) == []


def test_arch_strings_decoded_into_blocks_by_a_builder_object() -> None:
    # timm's EfficientNet: arch strings split with re, deep-copied block arguments, a
    # builder object called like a function
    source = """
        import re
        from copy import deepcopy
        import torch.nn as nn

        KEYS = {key for key in ("c", "k")}

        def decode(text):
            out = {}
            for op in text.split("_"):
                key, value = re.split(r"(\\d.*)", op)[:2]
                if key in KEYS:
                    out[key] = int(value)
            return out

        class Builder:
            def __init__(self, cin):
                self.cin = cin

            def __call__(self, specs):
                layers = []
                for spec in specs:
                    args = deepcopy(spec)
                    layers.append(nn.Conv2d(self.cin, args["c"], args["k"]))
                    self.cin = args["c"]
                return layers

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                specs = [decode("c16_k3"), decode("c32_k3_x9")]
                self.body = nn.Sequential(*Builder(3)(specs))
                self.bn = nn.BatchNorm2d(16)

            def forward(self, x):
                return self.bn(self.body(x))
        """
    # the BatchNorm's 16, or the width the builder gave the last conv (see blame)
    assert named(source) == [(24, 27, "CS802"), (33, 19, "CS802")]


def test_regular_expressions_of_the_linted_code_that_could_backtrack_are_not_run() -> None:
    import time

    from convshape.features.lint.extract import _regex
    from convshape.features.lint.values import UNKNOWN

    # timm's arch strings: re.split(r'(\d.*)', op)
    assert _regex("split", [r"(\d.*)", "k3"]).items == ["k", "3", ""]
    start = time.perf_counter()
    for pattern in (r"(a+)+$", r"(a|aa)*$", r"a*a*a*a*b"):
        assert _regex("fullmatch", [pattern, "a" * 200 + "c"]) is UNKNOWN
    assert time.perf_counter() - start < 1


@pytest.mark.torch
def test_what_the_interpreter_assumes_of_torch_holds_in_the_installed_torch() -> None:
    # getattr(module, name, default) takes the default only for a name no torch module
    # base has; timm's 'silu' in dir(torch.nn.functional) is True only for these names
    torch = pytest.importorskip("torch")
    from convshape.features.lint.extract import _FUNCTIONAL, _TORCH_MODULE_ATTRS

    nn = torch.nn
    for cls in (nn.Module, nn.Sequential, nn.ModuleList, nn.ModuleDict):
        names = {a for a in dir(cls) if not a.startswith("__")} | set(vars(cls()))
        assert names <= _TORCH_MODULE_ATTRS, (cls.__name__, names - _TORCH_MODULE_ATTRS)
    assert not _FUNCTIONAL - set(dir(torch.nn.functional))
