"""`edge serve`'s page in a real browser: Debian's chromium, headless, driven by Playwright. With a video
as the source, the live image changes and the reading on the page is the video's digit, the same as the
newest change; a digit drawn on the canvas with the mouse is read; an upload reads as `edge classify`
reads it, every digit shown with its bars, and the image annotated; the still page finishes loading
(also for chromium's own --screenshot). Saves a screenshot."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app as device_app
from edge_runtime.samples import drawn_digit, paper_photo, write_image
from edge_runtime.serve.uploads import ANNOTATED_SIDE
from tests.serve_process import MODEL, REPO, digit_video, edge_serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright not installed: pip install playwright (the dev extra)"
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium: scripts/test.sh installs it as root (apt-get install chromium)"
)
TOKEN = "browser-token"
VIDEO_DIGIT = 4
TOP_K = 10  # the page asks for every label's probability
SCREENSHOT = REPO / "artifacts" / "serve_page.png"
WAIT_MS = 15_000
# A 7 drawn on the 240x240 canvas: the top bar, then the stroke down and to the left (canvas pixels).
SEVEN = [[(70, 60), (120, 58), (170, 60)], [(170, 60), (150, 110), (130, 150), (112, 195)]]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    video = digit_video(tmp_path_factory.mktemp("browser_video") / "clip.avi", [VIDEO_DIGIT])
    with edge_serve("-m", str(MODEL), "--source", str(video), "--token", TOKEN) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}?token={TOKEN}")
    return page


def test_live_image_changes_and_the_reading_is_the_video_digit(page):
    page.wait_for_function(
        "document.getElementById('live').naturalWidth > 0"
        " && document.getElementById('fps').textContent !== '–'",
        timeout=WAIT_MS,
    )
    playwright_api.expect(page.locator("#smoothed")).to_have_text(str(VIDEO_DIGIT), timeout=WAIT_MS)
    first = page.locator("#live").screenshot()
    for _ in range(WAIT_MS // 300):  # a new frame (the video's camera shake and noise), on a busy machine too
        page.wait_for_timeout(300)
        if page.locator("#live").screenshot() != first:
            break
    else:
        raise AssertionError("the live image did not change")
    assert float(page.locator("#fps").text_content()) > 0
    assert float(page.locator("#read-ms").text_content()) > 0
    playwright_api.expect(page.locator("#history li").first).to_contain_text(str(VIDEO_DIGIT))
    assert page.locator("#model").text_content() == MODEL.name


def test_a_digit_drawn_with_the_mouse_is_read(page):
    page.click("#clear")
    box = page.locator("#canvas").bounding_box()
    for stroke in SEVEN:
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
        page.mouse.up()
    page.click("#read-drawing")
    answer = page.locator("#draw-result .answer")
    playwright_api.expect(answer).to_have_attribute("data-number", "7", timeout=WAIT_MS)
    assert page.locator("#draw-result img.model-input").evaluate("img => img.naturalWidth") == 28
    assert page.locator("#draw-result .bar").count() == 10


def test_an_upload_shows_every_digit_and_the_annotated_image(page, tmp_path):
    rng = np.random.default_rng(5)
    digits = [drawn_digit(d, rng) for d in (3, 5, 8, 2)]
    photo = write_image(tmp_path / "photo.jpg", paper_photo(digits, rng))
    expected = json.loads(
        CliRunner().invoke(device_app, ["classify", "-m", str(MODEL), str(photo), "--json"]).stdout
    )
    assert expected["number"] == "3582"
    page.set_input_files("#upload", str(photo))
    result = page.locator("#upload-result")
    answer = result.locator(".answer")
    playwright_api.expect(answer).to_have_attribute("data-number", expected["number"], timeout=WAIT_MS)
    regions = result.locator(".region")
    assert regions.count() == 4
    for index, digit in enumerate(expected["digits"]):
        region = regions.nth(index)
        assert region.locator("img.model-input").evaluate("img => img.naturalWidth") == 28
        assert region.locator(".bar").count() == TOP_K
        assert region.locator(".bar span").first.text_content() == digit["digit"]  # the top bar
    annotated = result.locator("img.annotated")
    playwright_api.expect(annotated).to_be_visible()
    assert annotated.evaluate("img => img.naturalWidth") == ANNOTATED_SIDE
    assert page.locator("#draw-result img.annotated").count() == 0  # a drawing is shown as it is


def test_the_reading_is_the_newest_change(page):
    playwright_api.expect(page.locator("#history li").first).to_be_visible(timeout=WAIT_MS)
    for _ in range(20):  # the reading and the changes come from the same events: never apart
        reading, newest = page.evaluate(
            "[document.getElementById('smoothed').textContent,"
            " document.querySelector('#history li').textContent]"
        )
        assert newest.split()[1] == reading, (reading, newest)
        page.wait_for_timeout(100)


def test_the_threshold_slider_changes_the_live_reading(page):
    slider = page.locator("#threshold")
    default = slider.input_value()
    slider.fill("1")  # nothing reaches 100%: every region is rejected
    playwright_api.expect(page.locator("#current")).to_have_text("no digit", timeout=WAIT_MS)
    page.click("#threshold-reset")
    playwright_api.expect(slider).to_have_value(default, timeout=WAIT_MS)
    playwright_api.expect(page.locator("#current")).to_have_text(str(VIDEO_DIGIT), timeout=WAIT_MS)


def test_screenshot_of_the_page(page, tmp_path):
    playwright_api.expect(page.locator("#smoothed")).to_have_text(str(VIDEO_DIGIT), timeout=WAIT_MS)
    path = tmp_path / "serve_page.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(b"\x89PNG")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, SCREENSHOT)  # the artifact (artifacts/ is not committed)


def test_the_page_asks_for_a_missing_token(server, browser):
    page = browser.new_page()
    page.goto(server.url)
    playwright_api.expect(page.locator("#token-form")).to_be_visible(timeout=WAIT_MS)
    page.fill("#token", TOKEN)
    page.click("#token-form button")
    playwright_api.expect(page.locator("#smoothed")).to_have_text(str(VIDEO_DIGIT), timeout=WAIT_MS)
    page.close()


def test_the_still_page_finishes_loading_and_opens_no_stream(server, browser):
    page = browser.new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    # The image's width as the load event fires: the first poll may already be loading the next frame
    # when the test looks, and chromium reports 0 for an image whose new source is still on its way.
    page.add_init_script(
        "addEventListener('load', () => {"
        " window.liveWidthAtLoad = document.getElementById('live').naturalWidth; })"
    )
    page.goto(f"{server.url}?still=1&token={TOKEN}", wait_until="load", timeout=WAIT_MS)
    assert page.evaluate("window.liveWidthAtLoad") == 640  # loaded with the page
    playwright_api.expect(page.locator("#smoothed")).to_have_text(str(VIDEO_DIGIT), timeout=WAIT_MS)
    playwright_api.expect(page.locator("#history li").first).to_contain_text(str(VIDEO_DIGIT))
    first = page.locator("#frame").text_content()
    playwright_api.expect(page.locator("#frame")).not_to_have_text(first, timeout=WAIT_MS)  # it refreshes
    assert not [url for url in requested if "/api/events" in url or "/api/stream.mjpg" in url]
    page.close()


def test_chromiums_own_screenshot_of_the_still_page_ends(server, tmp_path):
    """What a screenshot script does: chromium --headless --screenshot, given time for the scripts."""
    path = tmp_path / "still.png"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        f"--screenshot={path}",
        "--window-size=1280,900",
        "--virtual-time-budget=3000",  # the live page's streams never let this end
        f"{server.url}?still=1&token={TOKEN}",
    ]
    result = subprocess.run(command, capture_output=True, timeout=60)
    assert result.returncode == 0 and path.read_bytes().startswith(b"\x89PNG"), result.stderr[-500:]
