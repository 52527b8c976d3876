"""How long a genuine petitioner's browser works when receipt codes are being guessed.

The receipt log-in's proof of work grows by a bit for each doubling of the wrong codes
past the alarm threshold (xuncha.petitions.pow, decision 0006), up to
PETITION_POW_MAX_EXTRA bits. This runs the page's own pow.js in Debian's headless
Chromium (the same script a phone runs) on challenges of the base difficulty and of each
raised one, and prints the mean solving time and its ratio to the base: the wait a
petitioner sees at each level of attack, where the old design locked everyone out.

    python bench/bench_pow.py [--base 16] [--extra 4] [--runs 8]
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

POW_JS = Path(__file__).resolve().parents[1] / "src/xuncha/petitions/static/petitions/pow.js"
PAGE = """<!doctype html><meta charset="utf-8"><form data-pow>
<input name="pow_challenge" value="{token}"><input name="pow_nonce" value="">
<button type="submit">查询</button><p class="pow-status"></p></form>
<script src="pow.js"></script>"""


def chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def solve_seconds(driver: webdriver.Chrome, folder: Path, bits: int) -> float:
    """One challenge of ``bits`` solved by pow.js (a random one: the work varies)."""
    token = f"{bits}.{int(time.time())}.{secrets.token_hex(12)}.{secrets.token_hex(32)}"
    page = folder / "page.html"
    page.write_text(PAGE.format(token=token), encoding="utf-8")
    start = time.perf_counter()
    driver.get(page.as_uri())
    WebDriverWait(driver, 600, poll_frequency=0.01).until(
        lambda d: d.find_element("css selector", "form").get_attribute("data-pow") == "done"
    )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=int, default=16, help="PETITION_POW_BITS（默认 16）")
    ap.add_argument("--extra", type=int, default=4, help="PETITION_POW_MAX_EXTRA（默认 4）")
    ap.add_argument("--runs", type=int, default=8, help="每个难度的次数（默认 8）")
    args = ap.parse_args()
    driver = chromium()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copy(POW_JS, folder / "pow.js")
            solve_seconds(driver, folder, 8)  # warm-up
            base_mean = 0.0
            print(f"回执码查询的工作量证明（pow.js，Chromium 无头模式，每档 {args.runs} 次）")
            for extra in range(args.extra + 1):
                bits = args.base + extra
                times = [solve_seconds(driver, folder, bits) for _ in range(args.runs)]
                mean = statistics.mean(times)
                base_mean = base_mean or mean
                print(f"  {bits} 位（+{extra}）：平均 {mean * 1000:7.0f} ms，"
                      f"最长 {max(times) * 1000:7.0f} ms，与基础难度之比 {mean / base_mean:5.1f}")  # fmt: skip
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
