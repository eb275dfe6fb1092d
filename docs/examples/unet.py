"""A small U-Net: the example model of docs/tutorial.md ("A model's shape flow").

convshape reads it, never runs it: `convshape draw --file docs/examples/unet.py
--variable UNet --input 1,3,64,64 --svg unet.svg`.
"""

import torch
from torch import nn


class Block(nn.Module):
    """Two 3x3 convolutions that keep the size, with a residual connection."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.relu(self.conv1(x))
        return y + self.relu(self.conv2(y))


class UNet(nn.Module):
    def __init__(self, channels: int = 3, classes: int = 2) -> None:
        super().__init__()
        self.enc1 = Block(channels, 16)
        self.enc2 = Block(16, 32)
        self.pool = nn.MaxPool2d(2)
        self.bottom = Block(32, 64)
        self.up2 = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.dec2 = Block(64, 32)
        self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec1 = Block(32, 16)
        self.head = nn.Conv2d(16, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottom(self.pool(e2))
        d2 = self.dec2(torch.cat([e2, self.up2(b)], dim=1))
        d1 = self.dec1(torch.cat([e1, self.up1(d2)], dim=1))
        return self.head(d1)
