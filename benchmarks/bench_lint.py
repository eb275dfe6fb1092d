"""convshape lint speed, measured side by side in one run (ratios, not absolute times).

1. Static mode on a generated corpus against reading and ``ast.parse``-ing the same files
   (goal: <= 3x): a project's files (torchvision-style model files, whose models are all
   followed down to every shape, next to training and data code), and, as the worst case,
   files that are nothing but compact models with declared inputs.
2. Model mode on a ResNet-50-sized model (built here from torch.nn only) against building
   it on the meta device and running one plain forward (goal: <= 2x).

Run: python benchmarks/bench_lint.py [--files N]
"""

from __future__ import annotations

import argparse
import ast
import gc
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

DENSE = [
    """
    import torch
    import torch.nn as nn

    WIDTH = {w}


    class Block{i}(nn.Module):
        def __init__(self, cin, cout, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride), nn.BatchNorm2d(cout))

        def forward(self, x):
            identity = x if self.down is None else self.down(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + identity)


    # convshape: input=2,3,64,64
    class Net{i}(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.stem = nn.Sequential(
                nn.Conv2d(3, WIDTH, 7, 2, 3, bias=False),
                nn.BatchNorm2d(WIDTH),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2, 1),
            )
            layers = []
            c = WIDTH
            for mult, stride in [(1, 1), (2, 2), (4, 2), (8, 2)]:
                layers.append(Block{i}(c, WIDTH * mult, stride))
                layers.append(Block{i}(WIDTH * mult, WIDTH * mult))
                c = WIDTH * mult
            self.layers = nn.Sequential(*layers)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(WIDTH * 8, num_classes)

        def forward(self, x):
            x = self.layers(self.stem(x))
            x = torch.flatten(self.pool(x), 1)
            return self.fc(x)
    """,
    """
    import torch.nn as nn

    CFG = [{w}, "M", {w2}, "M", {w4}, {w4}, "M"]


    def make_layers(cfg):
        layers = []
        c = 3
        for v in cfg:
            if v == "M":
                layers += [nn.MaxPool2d(2, 2)]
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(True)]
                c = v
        return nn.Sequential(*layers)


    # convshape: input=1,3,32,32
    class VGG{i}(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = make_layers(CFG)
            self.classifier = nn.Sequential(
                nn.Linear({w4} * 4 * 4, 256), nn.ReLU(True), nn.Dropout(), nn.Linear(256, 10)
            )

        def forward(self, x):
            x = self.features(x)
            x = x.view(x.size(0), -1)
            return self.classifier(x)


    def helper(values):
        return [v * 2 for v in values if v > 1]
    """,
    """
    import torch.nn as nn
    import torch.nn.functional as F


    # convshape: input=4,1,8192
    class Audio{i}(nn.Module):
        def __init__(self, n_channel={w}):
            super().__init__()
            self.conv1 = nn.Conv1d(1, n_channel, kernel_size=16, stride=16)
            self.bn1 = nn.BatchNorm1d(n_channel)
            self.conv2 = nn.Conv1d(n_channel, 2 * n_channel, kernel_size=3, padding=1)
            self.bn2 = nn.BatchNorm1d(2 * n_channel)
            self.pool = nn.MaxPool1d(4)
            self.fc = nn.Linear(2 * n_channel, 12)

        def forward(self, x):
            x = self.pool(F.relu(self.bn1(self.conv1(x))))
            x = self.pool(F.relu(self.bn2(self.conv2(x))))
            x = F.adaptive_avg_pool1d(x, 1).squeeze(-1)
            return self.fc(x)


    class Video{i}(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv3d(3, {w}, 3, padding=1),
                nn.BatchNorm3d({w}),
                nn.ReLU(),
                nn.MaxPool3d((1, 2, 2)),
                nn.Conv3d({w}, {w2}, 3, padding=1),
                nn.AdaptiveAvgPool3d(1),
                nn.Flatten(),
                nn.Linear({w2}, 5),
            )

        def forward(self, x):
            return self.body(x)
    """,
]


# A project's files, as real repositories write them: torchvision-style model files (license
# header, docstrings, type annotations, weight-init loops, builder functions) next to the
# training script and data code that every project has.
PROJECT = [
    """
    # Copyright (c) {i} The Authors. Licensed under the BSD 3-Clause License.
    \"\"\"ResNet variants for {w}-channel stems.

    The blocks follow "Deep Residual Learning for Image Recognition"
    (https://arxiv.org/abs/1512.03385); the builders at the end of the file give the
    usual depths.
    \"\"\"

    from functools import partial
    from typing import Any, Callable, List, Optional, Type, Union

    import torch
    import torch.nn as nn
    from torch import Tensor

    __all__ = ["ResNet{i}", "resnet18_{i}", "resnet34_{i}"]


    def conv3x3(
        in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1
    ) -> nn.Conv2d:
        \"\"\"3x3 convolution with padding\"\"\"
        return nn.Conv2d(
            in_planes,
            out_planes,
            kernel_size=3,
            stride=stride,
            padding=dilation,
            groups=groups,
            bias=False,
            dilation=dilation,
        )


    def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
        \"\"\"1x1 convolution\"\"\"
        return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


    class BasicBlock(nn.Module):
        expansion: int = 1

        def __init__(
            self,
            inplanes: int,
            planes: int,
            stride: int = 1,
            downsample: Optional[nn.Module] = None,
            groups: int = 1,
            base_width: int = 64,
            dilation: int = 1,
            norm_layer: Optional[Callable[..., nn.Module]] = None,
        ) -> None:
            super().__init__()
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            if groups != 1 or base_width != 64:
                raise ValueError("BasicBlock only supports groups=1 and base_width=64")
            if dilation > 1:
                raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
            # Both self.conv1 and self.downsample layers downsample the input when stride != 1
            self.conv1 = conv3x3(inplanes, planes, stride)
            self.bn1 = norm_layer(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = conv3x3(planes, planes)
            self.bn2 = norm_layer(planes)
            self.downsample = downsample
            self.stride = stride

        def forward(self, x: Tensor) -> Tensor:
            identity = x

            out = self.conv1(x)
            out = self.bn1(out)
            out = self.relu(out)

            out = self.conv2(out)
            out = self.bn2(out)

            if self.downsample is not None:
                identity = self.downsample(x)

            out += identity
            out = self.relu(out)

            return out


    # convshape: input=2,3,64,64
    class ResNet{i}(nn.Module):
        \"\"\"A residual network.

        Args:
            layers: how many blocks each of the four stages has.
            num_classes: the size of the classifier's output.
            zero_init_residual: start every residual branch's last BatchNorm at zero, so
                that each block starts as an identity (https://arxiv.org/abs/1706.02677).
        \"\"\"

        def __init__(
            self,
            layers: List[int] = [2, 2, 2, 2],
            num_classes: int = 1000,
            zero_init_residual: bool = False,
            norm_layer: Optional[Callable[..., nn.Module]] = None,
        ) -> None:
            super().__init__()
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            self._norm_layer = norm_layer

            self.inplanes = {w}
            self.dilation = 1
            self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = norm_layer(self.inplanes)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = self._make_layer(BasicBlock, {w}, layers[0])
            self.layer2 = self._make_layer(BasicBlock, {w2}, layers[1], stride=2)
            self.layer3 = self._make_layer(BasicBlock, {w4}, layers[2], stride=2)
            self.layer4 = self._make_layer(BasicBlock, {w8}, layers[3], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear({w8} * BasicBlock.expansion, num_classes)

            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)

            # Zero-initialize the last BN in each residual branch,
            # so that the residual branch starts with zeros, and each residual block behaves
            # like an identity. This improves the model by 0.2~0.3% according to
            # https://arxiv.org/abs/1706.02677
            if zero_init_residual:
                for m in self.modules():
                    if isinstance(m, BasicBlock) and m.bn2.weight is not None:
                        nn.init.constant_(m.bn2.weight, 0)  # type: ignore[arg-type]

        def _make_layer(
            self,
            block: Type[BasicBlock],
            planes: int,
            blocks: int,
            stride: int = 1,
            dilate: bool = False,
        ) -> nn.Sequential:
            norm_layer = self._norm_layer
            downsample = None
            previous_dilation = self.dilation
            if dilate:
                self.dilation *= stride
                stride = 1
            if stride != 1 or self.inplanes != planes * block.expansion:
                downsample = nn.Sequential(
                    conv1x1(self.inplanes, planes * block.expansion, stride),
                    norm_layer(planes * block.expansion),
                )

            layers = []
            layers.append(
                block(
                    self.inplanes, planes, stride, downsample, 1, 64, previous_dilation, norm_layer
                )
            )
            self.inplanes = planes * block.expansion
            for _ in range(1, blocks):
                layers.append(block(self.inplanes, planes, norm_layer=norm_layer))

            return nn.Sequential(*layers)

        def _forward_impl(self, x: Tensor) -> Tensor:
            # See note [TorchScript super()]
            x = self.conv1(x)
            x = self.bn1(x)
            x = self.relu(x)
            x = self.maxpool(x)

            x = self.layer1(x)
            x = self.layer2(x)
            x = self.layer3(x)
            x = self.layer4(x)

            x = self.avgpool(x)
            x = torch.flatten(x, 1)
            x = self.fc(x)

            return x

        def forward(self, x: Tensor) -> Tensor:
            return self._forward_impl(x)


    def _resnet(layers: List[int], progress: bool, **kwargs: Any) -> ResNet{i}:
        model = ResNet{i}(layers, **kwargs)
        return model


    def resnet18_{i}(*, progress: bool = True, **kwargs: Any) -> ResNet{i}:
        \"\"\"ResNet-18 from `Deep Residual Learning for Image Recognition
        <https://arxiv.org/abs/1512.03385>`__.

        Args:
            progress (bool, optional): If True, displays a progress bar of the
                download to stderr. Default is True.
            **kwargs: parameters passed to the ``ResNet`` base class.
        \"\"\"
        return _resnet([2, 2, 2, 2], progress, **kwargs)


    def resnet34_{i}(*, progress: bool = True, **kwargs: Any) -> ResNet{i}:
        \"\"\"ResNet-34 from `Deep Residual Learning for Image Recognition
        <https://arxiv.org/abs/1512.03385>`__.\"\"\"
        return _resnet([3, 4, 6, 3], progress, **kwargs)
    """,
    """
    \"\"\"Training and evaluation loops for experiment {i}.\"\"\"

    import argparse
    import logging
    import math
    import os
    import time
    from pathlib import Path

    import torch
    import torch.nn as nn
    from torch.utils.data import DataLoader

    logger = logging.getLogger(__name__)

    DEFAULTS = {{"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "epochs": 90, "batch_size": {w}}}


    def parse_args(argv=None):
        parser = argparse.ArgumentParser(description="Train a classifier")
        parser.add_argument("--data", type=Path, required=True, help="dataset root")
        parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
        parser.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
        parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
        parser.add_argument("--momentum", type=float, default=DEFAULTS["momentum"])
        parser.add_argument("--weight-decay", type=float, default=DEFAULTS["weight_decay"])
        parser.add_argument("--workers", type=int, default=8)
        parser.add_argument("--output", type=Path, default=Path("runs") / "exp{i}")
        return parser.parse_args(argv)


    class AverageMeter:
        \"\"\"Keeps the running average of a metric.\"\"\"

        def __init__(self, name: str) -> None:
            self.name = name
            self.reset()

        def reset(self) -> None:
            self.sum = 0.0
            self.count = 0

        def update(self, value: float, n: int = 1) -> None:
            self.sum += value * n
            self.count += n

        @property
        def avg(self) -> float:
            return self.sum / max(self.count, 1)


    def cosine_lr(step: int, total: int, base: float, warmup: int = 500) -> float:
        if step < warmup:
            return base * step / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * base * (1 + math.cos(math.pi * progress))


    def train_one_epoch(model, loader, criterion, optimizer, device, epoch, log_every=50):
        model.train()
        loss_meter = AverageMeter("loss")
        start = time.time()
        for step, (images, targets) in enumerate(loader):
            images = images.to(device, non_blocking=True)
            targets = targets.to(device, non_blocking=True)
            output = model(images)
            loss = criterion(output, targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_meter.update(loss.item(), images.size(0))
            if step % log_every == 0:
                t = time.time() - start
                logger.info("epoch %d step %d loss %.4f (%.1fs)", epoch, step, loss_meter.avg, t)
        return loss_meter.avg


    @torch.no_grad()
    def evaluate(model, loader, device):
        model.eval()
        correct = total = 0
        for images, targets in loader:
            output = model(images.to(device))
            correct += (output.argmax(1) == targets.to(device)).sum().item()
            total += targets.numel()
        return correct / max(total, 1)


    def main(argv=None):
        args = parse_args(argv)
        os.makedirs(args.output, exist_ok=True)
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        from models import build_model

        model = build_model().to(device)
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(
            model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay
        )
        train_loader = DataLoader(args.data / "train", batch_size=args.batch_size, shuffle=True)
        val_loader = DataLoader(args.data / "val", batch_size=args.batch_size)
        best = 0.0
        for epoch in range(args.epochs):
            train_one_epoch(model, train_loader, criterion, optimizer, device, epoch)
            accuracy = evaluate(model, val_loader, device)
            if accuracy > best:
                best = accuracy
                torch.save(model.state_dict(), args.output / "best.pt")
            logger.info("epoch %d accuracy %.4f (best %.4f)", epoch, accuracy, best)


    if __name__ == "__main__":
        logging.basicConfig(level=logging.INFO)
        main()
    """,
    """
    \"\"\"Datasets and transforms for experiment {i}.\"\"\"

    from __future__ import annotations

    import json
    import random
    from dataclasses import dataclass, field
    from pathlib import Path
    from typing import Callable, Sequence

    import torch
    from torch.utils.data import Dataset

    MEAN = (0.485, 0.456, 0.406)
    STD = (0.229, 0.224, 0.225)


    @dataclass
    class SplitConfig:
        root: Path
        split: str = "train"
        size: int = {w4}
        classes: list[str] = field(default_factory=list)


    class Compose:
        def __init__(self, transforms: Sequence[Callable]) -> None:
            self.transforms = list(transforms)

        def __call__(self, x):
            for t in self.transforms:
                x = t(x)
            return x


    class RandomFlip:
        def __init__(self, p: float = 0.5) -> None:
            self.p = p

        def __call__(self, x: torch.Tensor) -> torch.Tensor:
            return x.flip(-1) if random.random() < self.p else x


    class Normalize:
        def __init__(self, mean=MEAN, std=STD) -> None:
            self.mean = torch.tensor(mean).view(-1, 1, 1)
            self.std = torch.tensor(std).view(-1, 1, 1)

        def __call__(self, x: torch.Tensor) -> torch.Tensor:
            return (x - self.mean) / self.std


    class TensorFolder(Dataset):
        \"\"\"Pre-decoded images stored as one tensor file per class.\"\"\"

        def __init__(self, config: SplitConfig, transform: Callable | None = None) -> None:
            self.config = config
            self.transform = transform
            self.items: list[tuple[Path, int]] = []
            for label, name in enumerate(sorted(config.classes)):
                for path in sorted((config.root / config.split / name).glob("*.pt")):
                    self.items.append((path, label))

        def __len__(self) -> int:
            return len(self.items)

        def __getitem__(self, index: int):
            path, label = self.items[index]
            image = torch.load(path)
            if self.transform is not None:
                image = self.transform(image)
            return image, label


    def load_classes(path: Path) -> list[str]:
        with open(path) as handle:
            return [c for c in json.load(handle) if not c.startswith("_")]


    def build_transforms(train: bool) -> Compose:
        steps: list[Callable] = [Normalize()]
        if train:
            steps.insert(0, RandomFlip())
        return Compose(steps)
    """,
]


def generate(folder: Path, n: int, templates: list[str] | None = None) -> list[Path]:
    """``n`` files from ``templates`` (default: the project mix), widths varied so no two
    files are alike."""
    chosen = PROJECT if templates is None else templates
    files = []
    for i in range(n):
        w = 8 * (1 + i % 16)
        text = textwrap.dedent(chosen[i % len(chosen)]).format(
            i=i, w=w, w2=2 * w, w4=4 * w, w8=8 * w
        )
        path = folder / f"file_{i:04d}.py"
        path.write_text(text.lstrip())
        files.append(path)
    return files


def best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()  # neither side pays for the other's garbage
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def static_vs_parse(n: int, templates: list[str] | None, label: str) -> float:
    from convshape.features.lint.config import Config
    from convshape.features.lint.static import lint_paths

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(folder, n, templates)
        config = Config(root=folder)

        def parse_only() -> None:
            for path in sorted(folder.rglob("*.py")):
                ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

        def lint(jobs: int | None) -> Callable[[], None]:
            def run_lint() -> None:
                run = lint_paths([str(folder)], config, jobs=jobs)
                assert run.files == len(files) and not run.findings, run.findings[:3]

            return run_lint

        default, single = lint(None), lint(1)  # the CLI's default: one worker per CPU
        single()  # warm: imports, the layer tables
        parse_only()
        p1, l1, s1 = best(parse_only, 5), best(default, 5), best(single, 5)
        p2, l2, s2 = best(parse_only, 5), best(default, 5), best(single, 5)
        parse, linted, one = min(p1, p2), min(l1, l2), min(s1, s2)
    ratio = linted / parse
    print(label)
    print(f"  static lint of {n} files      {linted * 1e3:8.1f} ms  (default: one worker per CPU)")
    print(f"  ... in one process            {one * 1e3:8.1f} ms")
    print(f"  read + ast.parse of them      {parse * 1e3:8.1f} ms  (one process)")
    print(f"  ratio                         {ratio:8.2f}x  (one process: {one / parse:.2f}x)")
    return ratio


RESNET50 = """
import torch
import torch.nn as nn


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet50(nn.Module):
    def __init__(self, layers=(3, 4, 6, 3), num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], 2)
        self.layer3 = self._make_layer(256, layers[2], 2)
        self.layer4 = self._make_layer(512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2048, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * 4, 1, stride, bias=False),
                nn.BatchNorm2d(planes * 4),
            )
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def build():
    return ResNet50()
"""


def model_vs_meta() -> float:
    import torch

    from convshape.features.lint.config import ModelSpec
    from convshape.features.lint.model import run_model

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "bench_resnet50.py").write_text(RESNET50)
        sys.path.insert(0, tmp)
        import bench_resnet50  # type: ignore[import-not-found]

        spec = ModelSpec("bench_resnet50:build", ((1, 3, 224, 224),), (1, 1000))
        params = sum(p.numel() for p in bench_resnet50.build().parameters())

        def plain() -> None:
            with torch.device("meta"):
                model = bench_resnet50.build()
            with torch.no_grad():
                out = model(torch.empty(1, 3, 224, 224, device="meta"))
            assert tuple(out.shape) == (1, 1000)

        def analysed() -> None:
            report = run_model(spec, root)
            assert not report.findings and len(report.layers) > 150, report.findings

        plain()  # warm: torch's lazy imports and meta kernels
        analysed()
        p1, a1 = best(plain, 5), best(analysed, 5)
        p2, a2 = best(plain, 5), best(analysed, 5)
        base, lint = min(p1, p2), min(a1, a2)
        sys.path.remove(tmp)
    ratio = lint / base
    print(f"model mode, ResNet-50 ({params / 1e6:.1f}M parameters, 1x3x224x224)")
    print(f"  convshape lint --model      {lint * 1e3:8.1f} ms")
    print(f"  meta build + forward        {base * 1e3:8.1f} ms")
    print(f"  ratio                       {ratio:8.2f}x   (goal <= 2x)")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=240, help="corpus size (at least 200)")
    parser.add_argument("--static-only", action="store_true", help="skip model mode (no torch)")
    args = parser.parse_args()
    n = max(args.files, 200)
    static_vs_parse(
        n,
        None,
        "static mode, a project: torchvision-style model files with training and data code "
        "(goal <= 3x)",
    )
    static_vs_parse(n, DENSE, "static mode, worst case: every file a compact model, input declared")
    if not args.static_only:
        model_vs_meta()


if __name__ == "__main__":
    main()
