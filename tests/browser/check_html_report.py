#!/usr/bin/python3
"""Checks deeploy's HTML report in a real browser.

check_html_report.py browser DEEPLOY MODEL WORKDIR -- DEEPLOY_ARGS...
    Compiles MODEL with --report WORKDIR/report.html, loads the page in headless chromium and checks the
    DOM it built: it loaded without errors, and every level the JSON report lists holds its memory map, the
    activation level's with one rectangle per buffer of the JSON report. Exits 77 (skipped) without chromium.
"""
import html.parser
import json
import shutil
import subprocess
import sys
from pathlib import Path

SKIPPED = 77

# Put in a copy of the page for the test only (the page itself has no scripts): records every error event,
# a script's or a resource's, on <html>, and marks the load as finished.
ERROR_RECORDER = """<script>
addEventListener('error', function (e) {
  var root = document.documentElement;
  root.setAttribute('data-load-errors', (root.getAttribute('data-load-errors') || '') +
                    (e.message || ('resource ' + (e.target.src || e.target.href))) + '; ');
}, true);
addEventListener('load', function () { document.documentElement.setAttribute('data-loaded', 'yes'); });
</script>"""


def compile_report(deeploy, model, out_dir, extra):
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "report.html"
    subprocess.run([deeploy, "compile", str(model), "-o", str(out_dir / "c"), "--report", str(page), *extra],
                   check=True, stdout=subprocess.DEVNULL)
    return page


class DomCounter(html.parser.HTMLParser):
    """The <html> attributes, the ids of the <svg>s and the classes of the <rect>s inside each."""

    def __init__(self):
        super().__init__()
        self.root = {}
        self.svg_stack = []
        self.rects = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root = attrs
        elif tag == "svg":
            self.svg_stack.append(attrs.get("id"))
            if attrs.get("id"):
                self.rects.setdefault(attrs["id"], [])
        elif tag == "rect" and self.svg_stack and self.svg_stack[0]:
            self.rects[self.svg_stack[0]].append(attrs.get("class", ""))

    def handle_endtag(self, tag):
        if tag == "svg" and self.svg_stack:
            self.svg_stack.pop()


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check_in_browser(deeploy, model, work, extra):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed: skipped")
        sys.exit(SKIPPED)
    page = compile_report(deeploy, model, work, extra)
    report = json.loads((work / "c" / "report.json").read_text())
    text = page.read_text(encoding="utf-8")
    if "<script" in text or "http://" in text or "https://" in text:
        fail("the page has a script or refers to the network")
    probe = work / "probe.html"
    probe.write_text(text.replace("<head>", "<head>\n" + ERROR_RECORDER, 1), encoding="utf-8")
    browser = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                              "--user-data-dir=" + str(work / "profile"), "--enable-logging=stderr",
                              "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()],
                             capture_output=True, text=True, timeout=120)
    if browser.returncode != 0:
        fail("chromium exited with %d: %s" % (browser.returncode, browser.stderr[-2000:]))
    console_errors = [line for line in browser.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    dom = DomCounter()
    dom.feed(browser.stdout)
    if dom.root.get("data-loaded") != "yes":
        fail("the page never finished loading (no load event in the dumped DOM)")
    if dom.root.get("data-load-errors") or console_errors:
        fail("errors while loading: %s %s" % (dom.root.get("data-load-errors", ""), console_errors))
    levels = [level for level in report["memory_levels"] if level["used_bytes"] > 0]
    for level in levels:
        if "map-" + level["name"] not in dom.rects:
            fail("no memory map of %s in the DOM (svgs: %s)" % (level["name"], sorted(dom.rects)))
    activation = next(level["name"] for level in report["memory_levels"] if level["holds_arena"])
    arena_rects = [c for c in dom.rects["map-" + activation] if c.split()[0] == "arena"]
    if len(arena_rects) != len(report["buffers"]):
        fail("%d buffer rectangles in the map of %s, the JSON report lists %d buffers" %
             (len(arena_rects), activation, len(report["buffers"])))
    tile_rects = [c for rects in dom.rects.values() for c in rects if c.split()[0] == "tile"]
    if report["tiled_nodes"] and not tile_rects:
        fail("tiled nodes but no tile buffer rectangles")
    print("the page loaded without errors: maps of %s, %d buffer rectangles, %d tile buffer rectangles" %
          (", ".join(level["name"] for level in levels), len(arena_rects), len(tile_rects)))


def main():
    if len(sys.argv) < 5 or sys.argv[1] != "browser":
        print(__doc__)
        sys.exit(2)
    deeploy, model, work = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    extra = sys.argv[6:] if len(sys.argv) > 5 and sys.argv[5] == "--" else sys.argv[5:]
    shutil.rmtree(work, ignore_errors=True)
    check_in_browser(deeploy, model, work, extra)


if __name__ == "__main__":
    main()
