"""Draw the reference article's examples with ``convshape draw --svg`` into docs/pictures/
(the pictures README.md and docs/tutorial.md show).

    python scripts/gen_pictures.py          # (re)draw docs/pictures/*.svg
    python scripts/gen_pictures.py --check  # exit 1 when a picture is missing or stale

tests/test_draw.py fails when a committed picture differs from what this draws.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from convshape.cli import cli  # noqa: E402

TARGET = ROOT / "docs" / "pictures"

# file name -> the arguments of `convshape draw` (the examples of docs/tutorial.md)
PICTURES: dict[str, list[str]] = {
    "conv2d-k3.svg": ["nn.Conv2d(16, 32, 3)", "--input", "20,16,50,100"],
    "conv2d-k3-p1-s2.svg": [
        "nn.Conv2d(16, 32, 3, padding=1, stride=2)",
        "--input",
        "20,16,50,100",
    ],
    "conv2d-k3-p1-s2-grid.svg": [
        "nn.Conv2d(16, 32, 3, padding=1, stride=2)",
        "--input",
        "1,16,6,6",
    ],
    "conv2d-per-axis-dilation.svg": [
        "nn.Conv2d(16, 32, (5, 3), stride=(2, 1), padding=(2, 1), dilation=(1, 2))",
        "--input",
        "20,16,100,50",
    ],
    "model-unet.svg": [
        "--file",
        str(ROOT / "docs" / "examples" / "unet.py"),
        "--variable",
        "UNet",
        "--input",
        "1,3,64,64",
    ],
    "conv2d-channel-mismatch.svg": [
        "F.conv2d(x, w, padding=1)",
        "--input",
        "2,6,5,5",
        "--weight",
        "12,5,3,3",
    ],
}


def draw(folder: Path) -> None:
    runner = CliRunner()
    for name, args in PICTURES.items():
        result = runner.invoke(cli, ["draw", *args, "--svg", str(folder / name)])
        if result.exit_code not in (0, 1):
            raise SystemExit(f"convshape draw {' '.join(args)} failed: {result.output}")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        with tempfile.TemporaryDirectory() as tmp:
            draw(Path(tmp))
            stale = [
                name
                for name in PICTURES
                if not (TARGET / name).exists()
                or (TARGET / name).read_text("utf-8") != (Path(tmp) / name).read_text("utf-8")
            ]
        for name in stale:
            print(f"docs/pictures/{name} is stale: run python scripts/gen_pictures.py")
        return 1 if stale else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    draw(TARGET)
    print(f"drew {len(PICTURES)} pictures into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
