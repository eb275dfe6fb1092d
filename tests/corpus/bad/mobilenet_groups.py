"""MobileNetV2 with one bug: the depthwise convolution uses groups=64, which does not divide
every block's hidden channels."""

from collections import OrderedDict

import torch.nn as nn


class ConvBNReLU(nn.Sequential):
    def __init__(self, in_planes, out_planes, kernel_size=3, stride=1, groups=1):
        padding = (kernel_size - 1) // 2
        super().__init__(
            nn.Conv2d(
                in_planes, out_planes, kernel_size, stride, padding, groups=groups, bias=False
            ),
            nn.BatchNorm2d(out_planes),
            nn.ReLU6(inplace=True),
        )


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        self.stride = stride
        hidden_dim = round(inp * expand_ratio)
        self.use_res_connect = self.stride == 1 and inp == oup

        layers = []
        if expand_ratio != 1:
            layers.append(ConvBNReLU(inp, hidden_dim, kernel_size=1))
        layers.extend(
            [
                # depthwise
                ConvBNReLU(hidden_dim, hidden_dim, stride=stride, groups=64),
                # pointwise-linear
                nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
                nn.BatchNorm2d(oup),
            ]
        )
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


SETTINGS = [
    # t, c, n, s
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 2, 2],
    [6, 96, 1, 1],
]


# convshape: input=2,3,64,64
class MobileNetV2(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        input_channel = 32
        last_channel = 320
        features = [ConvBNReLU(3, input_channel, stride=2)]
        for t, c, n, s in SETTINGS:
            for i in range(n):
                stride = s if i == 0 else 1
                features.append(InvertedResidual(input_channel, c, stride, expand_ratio=t))
                input_channel = c
        features.append(ConvBNReLU(input_channel, last_channel, kernel_size=1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(
            OrderedDict(
                [
                    ("dropout", nn.Dropout(0.2)),
                    ("fc", nn.Linear(last_channel, num_classes)),
                ]
            )
        )

    def forward(self, x):
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, (1, 1))
        x = x.reshape(x.shape[0], -1)
        x = self.classifier(x)
        return x


def build():
    return MobileNetV2()
