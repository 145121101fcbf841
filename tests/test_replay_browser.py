"""The replay page in a real browser: Debian's Chromium, driven by Playwright.

Every control is used (First, Prev, Next, Last, Play, the slider, the ← → keys) and
after each one the page is read back and compared with ``Replay.steps``: the
``k / n`` counter, the op node marked ``current`` in the SVG, the gradients written
on its input edges, the side panel, the tensors marked complete. All along, every
request the page makes is intercepted (only ``file:`` and ``data:`` URLs may load)
and every console message of type error is collected: there must be none. The last
test takes the screenshot in docs/replay.md.

Slow (a browser starts), and needs Chromium and ``dot``: skipped where either is
missing, except under CI=true (conftest.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_replay import (  # tests/ is on sys.path under pytest
    micrograd_expression,
    micrograd_neuron,
    small_mlp,
)

from minigrad import viz
from minigrad.viz.replay_page import array_text

pytestmark = [pytest.mark.slow, pytest.mark.needs_chromium, pytest.mark.needs_dot]

SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "images" / "replay.png"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # optional: only these tests need it

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


class Viewer:
    """One page in its own browser context, which records what it should never do:
    a request to anything but a local file or inline data, and a console error."""

    def __init__(self, browser, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 720})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("console", self._note_error)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())

    def _note_error(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _only_local(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def click(self, action: str) -> None:
        self.page.click(f'[data-action="{action}"]')

    def text(self, role: str) -> str:
        return self.page.inner_text(f'[data-role="{role}"]')

    def close(self) -> None:
        self.context.close()


def test_the_viewer_catches_a_network_request_and_a_script_error(browser, tmp_path):
    # the checks of the tests below can fail: a page that breaks both rules is caught
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<img src="https://example.com/x.png"><script>undefinedFunction();</script>',
        encoding="utf-8",
    )
    viewer = Viewer(browser, bad)
    assert viewer.requests == ["https://example.com/x.png"]
    assert any("undefinedFunction is not defined" in e for e in viewer.errors)
    viewer.close()


def open_page(browser, tmp_path: Path, r: viz.Replay, name: str = "replay.html") -> Viewer:
    return Viewer(browser, r.save(tmp_path / name))


def expect_step(viewer: Viewer, r: viz.Replay, k: int) -> None:
    """What the page must show at step k, read from the page, checked against r."""
    n = len(r.steps)
    page = viewer.page
    assert viewer.text("step") == f"{k} / {n}"
    assert page.input_value('[data-role="slider"]') == str(k)
    current = page.query_selector_all("svg g.node.current")
    edge_labels = sorted(t.text_content() for t in page.query_selector_all("text.edge-grad"))
    if k == 0:
        assert current == [] and edge_labels == []
        assert viewer.text("op") == "Start"
        return
    step = r.steps[k - 1]
    (node,) = current
    assert node.query_selector("text").text_content() == step.op  # the op's label in the SVG
    assert viewer.text("op") == f"Step {k}: {step.op}"
    assert viewer.text("rule") == step.rule
    assert viewer.text("kinks").startswith(f"kinks: {step.kinks}")
    upstream = viewer.text("upstream")
    assert all(array_text(g) in upstream for g in step.upstream)
    sent = viewer.text("contributions")
    assert all(array_text(g) in sent for g in step.contributions if g is not None)
    n_sent = sum(g is not None for g in step.contributions)
    assert len(edge_labels) == n_sent  # one label per input edge that carries a gradient


def complete_nodes(viewer: Viewer) -> set[str]:
    marked = viewer.page.query_selector_all("svg g.node.complete")
    return {g.query_selector("title").text_content() for g in marked}


def test_every_control_steps_through_the_replay_and_the_page_matches_the_steps(browser, tmp_path):
    r = viz.replay(micrograd_expression()[0])
    n = len(r.steps)
    viewer = open_page(browser, tmp_path, r)
    expect_step(viewer, r, 0)
    for k in range(1, n + 1):
        viewer.click("next")
        expect_step(viewer, r, k)
    viewer.click("next")  # past the end: stays at the last step
    expect_step(viewer, r, n)
    viewer.click("prev")
    expect_step(viewer, r, n - 1)
    viewer.click("first")
    expect_step(viewer, r, 0)
    viewer.click("prev")  # before the start: stays at 0
    expect_step(viewer, r, 0)
    viewer.click("last")
    expect_step(viewer, r, n)
    viewer.page.keyboard.press("ArrowLeft")
    viewer.page.keyboard.press("ArrowLeft")
    expect_step(viewer, r, n - 2)
    viewer.page.keyboard.press("ArrowRight")
    expect_step(viewer, r, n - 1)
    viewer.page.fill('[data-role="slider"]', "3")
    expect_step(viewer, r, 3)
    viewer.page.fill('[data-role="slider"]', str(n - 2))  # play the last two steps
    viewer.click("play")
    assert viewer.page.inner_text('[data-action="play"]') == "⏸ Pause"
    viewer.page.wait_for_function(
        f"document.querySelector('[data-role=\"step\"]').textContent === '{n} / {n}'",
        timeout=120_000,
    )
    expect_step(viewer, r, n)
    assert viewer.page.inner_text('[data-action="play"]') == "▶ Play"  # stopped at the end
    assert viewer.requests == [] and viewer.errors == []
    viewer.close()


def test_nodes_are_marked_complete_when_their_last_gradient_has_arrived(browser, tmp_path):
    r = viz.replay(micrograd_expression()[0])
    viewer = open_page(browser, tmp_path, r)
    ids = {id(t): None for s in r.steps for t in (*s.inputs, *s.outputs) if t is not None}
    arrivals = {key: 0 for key in ids}  # the root is complete from the start
    for k, step in enumerate(r.steps, start=1):
        for t, g in zip(step.inputs, step.contributions):
            if g is not None:
                arrivals[id(t)] = k
    last_arrival = sorted(arrivals.values())
    for k in range(len(r.steps) + 1):
        # as many tensors marked as have had their last gradient by step k
        assert len(complete_nodes(viewer)) == sum(a <= k for a in last_arrival)
        viewer.click("next")
    viewer.close()


def test_after_the_last_step_the_table_shows_each_leafs_total(browser, tmp_path):
    root, leaves = small_mlp()
    r = viz.replay(root)
    viewer = open_page(browser, tmp_path, r)
    viewer.click("last")
    table = viewer.text("running")
    for leaf in leaves:
        assert array_text(r.grads[leaf]) in table
    assert "Last step done" in viewer.text("note")
    assert viewer.page.query_selector_all("svg g.cluster")  # the model's module calls
    assert viewer.requests == [] and viewer.errors == []
    viewer.close()


def test_two_replays_in_one_notebook_step_independently(browser, tmp_path):
    first, second = viz.replay(micrograd_expression()[0]), viz.replay(small_mlp()[0])
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        f"<!DOCTYPE html><html><body>{first._repr_html_()}{second._repr_html_()}</body></html>",
        encoding="utf-8",
    )
    viewer = Viewer(browser, notebook)
    frames = [viewer.page.frame_locator("iframe").nth(i) for i in (0, 1)]
    frames[0].locator('[data-action="next"]').click()
    frames[0].locator('[data-action="next"]').click()
    frames[1].locator('[data-action="last"]').click()
    assert frames[0].locator('[data-role="step"]').inner_text() == f"2 / {len(first.steps)}"
    n = len(second.steps)
    assert frames[1].locator('[data-role="step"]').inner_text() == f"{n} / {n}"
    assert frames[0].locator("svg g.node.current").count() == 1
    assert viewer.requests == [] and viewer.errors == []
    viewer.close()


def test_screenshot_of_the_page_for_the_docs(browser, tmp_path):
    r = viz.replay(micrograd_neuron()[0])
    viewer = open_page(browser, tmp_path, r)
    k = next(k for k, s in enumerate(r.steps, start=1) if s.op == "Mul")  # w1's gradient
    viewer.page.fill('[data-role="slider"]', str(k))
    viewer.page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert viewer.text("op") == f"Step {k}: Mul"
    assert viewer.requests == [] and viewer.errors == []
    viewer.close()
