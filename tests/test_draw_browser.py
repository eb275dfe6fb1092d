"""``convshape draw`` in a real browser: headless Chromium (Debian's chromium and
chromium-driver, which .ci/run installs) renders the SVG and the HTML page; the test fails
on any console error and steps the page through every stride position, reading each
window's taps back from the rendered DOM. Screenshots go to pytest's temporary folder
(test artefacts, never the repository)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import convshape
from convshape.features.drawing import layer_html, layer_svg, stack_html
from convshape.features.network import infer_stack, parse_stack
from convshape.features.picture import grid_of, picture_of

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MISSING = not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER))

if MISSING and os.environ.get("CI"):  # CI installs Chromium: its absence is a failure there
    pytest.fail(f"CI needs {CHROMIUM} and {DRIVER} (apt-get install chromium chromium-driver)")

webdriver = pytest.importorskip("selenium.webdriver")
pytestmark = pytest.mark.skipif(MISSING, reason="Chromium and chromedriver are not installed")

LAYERS = [
    ("nn.Conv2d(16, 32, 3, padding=1, stride=2)", (1, 16, 6, 7)),
    ("nn.Conv1d(1, 1, 3, padding=2, padding_mode='reflect', dilation=2)", (1, 1, 6)),
    ("nn.MaxPool1d(3, stride=3, padding=1, ceil_mode=True)", (1, 1, 5)),
    ("nn.ConvTranspose1d(1, 1, 3, stride=2, padding=1, output_padding=1)", (1, 1, 4)),
    ("nn.AdaptiveAvgPool1d(3)", (1, 1, 7)),
    ("nn.AvgPool1d(3, stride=2)", (1, 1, 60)),  # elided: stepping reaches hidden windows too
    ("nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)", (1, 1, 3, 3)),
    ("nn.AdaptiveMaxPool2d((2, 3))", (1, 1, 5, 7)),
    ("nn.MaxPool2d(2, ceil_mode=True)", (1, 1, 5, 5)),
    ("nn.Fold((5, 6), 3, padding=1, stride=2)", (1, 9, 12)),
    ("nn.Unfold((2, 3), dilation=(2, 1))", (1, 2, 5, 6)),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium download a driver
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1200,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("draw-screenshots")


def console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def open_page(driver: Any, path: Path) -> None:
    driver.get_log("browser")  # drop what an earlier page left
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


@pytest.mark.parametrize(("layer", "shape"), LAYERS)
def test_svg_renders(browser: Any, shots: Path, layer: str, shape: tuple[int, ...]) -> None:
    picture = picture_of(convshape.infer(layer, shape))
    path = shots / f"{picture.op}-{len(os.listdir(shots))}.svg"
    path.write_text(layer_svg(picture))
    open_page(browser, path)
    from selenium.webdriver.common.by import By

    root = browser.find_element(By.TAG_NAME, "svg")
    assert root.size["width"] > 100 and root.size["height"] > 100
    cells = browser.execute_script("return document.querySelectorAll('g.axis rect.cell').length")
    assert cells > 0
    browser.save_screenshot(str(path.with_suffix(".png")))
    assert console_errors(browser) == []


@pytest.mark.parametrize(("layer", "shape"), LAYERS)
def test_html_steps_through_every_stride_position(
    browser: Any, shots: Path, layer: str, shape: tuple[int, ...]
) -> None:
    from selenium.webdriver.common.by import By

    picture = picture_of(convshape.infer(layer, shape))
    path = shots / f"{picture.op}-{len(os.listdir(shots))}.html"
    path.write_text(layer_html(picture))
    open_page(browser, path)
    for a in picture.axes:
        status = browser.find_element(By.ID, f"status-{a.name}")
        assert status.get_attribute("data-steps") == str(a.outputs)
        browser.find_element(By.ID, f"first-{a.name}").click()
        seen = []
        for o in range(a.outputs):
            if o:
                browser.find_element(By.ID, f"next-{a.name}").click()
            step = int(status.get_attribute("data-step"))
            taps = [int(t) for t in status.get_attribute("data-taps").split()]
            assert taps == list(a.window(o).taps), (a.name, o)
            assert f"{a.unit} {o} of {a.outputs}" in status.text
            highlighted = browser.execute_script(
                "return document.getElementById(arguments[0]).querySelectorAll('rect').length",
                f"cursor-{a.name}",
            )
            assert highlighted >= 2  # the window's cells and its output cell
            seen.append(step)
        assert seen == list(range(a.outputs))
        browser.find_element(By.ID, f"next-{a.name}").click()  # and round to the first
        assert status.get_attribute("data-step") == "0"
        browser.find_element(By.ID, f"prev-{a.name}").click()
        assert status.get_attribute("data-step") == str(a.outputs - 1)
    grid = grid_of(picture)
    if grid is not None:  # the 2-D view: every stride position, row by row
        status = browser.find_element(By.ID, "status-grid")
        assert status.get_attribute("data-steps") == str(grid.steps)
        browser.find_element(By.ID, "first-grid").click()
        for s in range(grid.steps):
            if s:
                browser.find_element(By.ID, "next-grid").click()
            assert status.get_attribute("data-step") == str(s)
            taps = [
                tuple(map(int, t.split(","))) for t in status.get_attribute("data-taps").split()
            ]
            assert taps == grid.taps(s), s
            i, j = grid.position(s)
            assert f"{grid.rows.unit} ({i}, {j})" in status.text
            highlighted = browser.execute_script(
                "return document.getElementById('cursor-grid').querySelectorAll('rect').length"
            )
            assert highlighted == len(taps) + 1  # the window's cells and its output cell
            rows, cols = (browser.find_element(By.ID, f"status-{a.name}") for a in picture.axes)
            assert (rows.get_attribute("data-step"), cols.get_attribute("data-step")) == (
                str(i),
                str(j),
            )  # the strips follow the grid
        browser.save_screenshot(str(path.with_suffix(".grid.png")))
    browser.save_screenshot(str(path.with_suffix(".png")))
    assert console_errors(browser) == []


def test_stack_page_renders(browser: Any, shots: Path) -> None:
    code = (
        "nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), "
        "nn.Linear(8, 2))"
    )
    stack = infer_stack(parse_stack(code), (1, 3, 8, 8))
    path = shots / "stack.html"
    path.write_text(stack_html(stack))
    open_page(browser, path)
    failed = browser.execute_script(
        "return Array.from(document.querySelectorAll('g.layer')).map(g => g.dataset.failed)"
    )
    assert failed == ["false", "false", "false", "false", "true"]
    browser.save_screenshot(str(path.with_suffix(".png")))
    assert console_errors(browser) == []


SKIP_MODEL = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.c = nn.Conv2d(16, 4, 1)
        self.d = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        x = self.a(x)
        y = x + self.b(x)
        y = torch.cat([x, y], dim=1)
        return self.d(self.c(y))
"""


def test_model_page_renders(browser: Any, shots: Path) -> None:
    from convshape.features.drawing import model_html, step_sources
    from convshape.features.model_trace import trace_model

    trace = trace_model(SKIP_MODEL, "Net", (1, 3, 16, 16), path="net.py")
    path = shots / "model.html"
    path.write_text(model_html(trace))
    open_page(browser, path)
    found = browser.execute_script(
        "return [Array.from(document.querySelectorAll('g.node')).map(g => g.dataset.failed),"
        " Array.from(document.querySelectorAll('path.edge')).map(e => e.getAttribute('class')"
        " + ' ' + e.dataset.from + '>' + e.dataset.to)]"
    )
    # the input, a [0], b [1], + [2], cat [3], c [4], d [5]: d expects 8 channels, c gives 4
    failed, edges = found
    assert failed == ["false"] * 6 + ["true"]
    assert sorted(edges) == ["edge concat 0>3", "edge skip 0>2"]
    # the page steps through the forward: each step's block, and its edges from its sources
    from selenium.webdriver.common.by import By

    status = browser.find_element(By.ID, "status-flow")
    assert status.get_attribute("data-steps") == str(len(trace.steps))
    browser.find_element(By.ID, "first-flow").click()
    for k, step in enumerate(trace.steps):
        if k:
            browser.find_element(By.ID, "next-flow").click()
        sources = step_sources(trace, step)
        assert status.get_attribute("data-index") == str(step.index)
        assert status.get_attribute("data-sources") == " ".join(map(str, sources))
        assert None not in sources  # this model is followed to the end
        active = browser.execute_script(
            "return [Array.from(document.querySelectorAll('g.node.active'))"
            ".map(g => g.dataset.index), Array.from(document.querySelectorAll('.edge.active'))"
            ".map(e => Number(e.dataset.from))]"
        )
        assert active[0] == [str(step.index)]
        assert sorted(active[1]) == sorted(sources), k
    browser.save_screenshot(str(path.with_suffix(".png")))
    assert console_errors(browser) == []
