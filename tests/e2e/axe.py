"""axe-core on every page the browser tests show: WCAG 2.x A and AA rules, nothing fetched at run time.

Every context the `browser` fixture opens carries axe-core (bundled by axe-playwright-python) and marks
a page for scanning when it loads and after each htmx swap settles. The page is scanned just before the
test's next action on it (a click, a fill, a navigation, closing it), so each state is checked as the
test saw it: a form re-rendered with its errors, a list filtered in place, a status that finished
polling. `axe_check` scans the page now and fails at once; the walk of every page uses it after
changing the width, which neither loads nor swaps anything.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

# WCAG 2.0, 2.1 and 2.2 at levels A and AA; axe's best practices are advice, not failures.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Marks the top document for a scan when it loads and after every htmx swap; runs the scan when asked.
# Only the pages our stylesheets dress are scanned (static/css/), ours inside Django admin included: not
# an image or a PDF opened in a tab, nor the screens Django admin and Swagger UI draw themselves.
_WATCH = """
(() => {
  if (window.top !== window) { return; }
  window.__axeDirty = true;
  document.addEventListener("htmx:afterSettle", () => { window.__axeDirty = true; });
  window.__axeScan = async (force) => {
    if (!(force || window.__axeDirty) || document.contentType !== "text/html"
        || !location.protocol.startsWith("http") || typeof axe === "undefined"
        || ![...document.styleSheets].some((sheet) => sheet.href && new URL(sheet.href).pathname.startsWith("/static/css/"))) {
      return null;
    }
    if (document.readyState !== "complete") {
      await new Promise((done) => addEventListener("load", done, { once: true }));
    }
    window.__axeDirty = false;
    const result = await axe.run(document, { runOnly: { type: "tag", values: TAGS }, resultTypes: ["violations"] });
    // axe no longer checks ids (WCAG 2.2 dropped 4.1.1), but a label or a description names the first
    // element of an id: a second one goes unlabelled.
    const seen = new Set();
    const twice = [...document.querySelectorAll("[id]")].filter((el) => seen.has(el.id) || !seen.add(el.id));
    if (twice.length) {
      result.violations.push({ id: "duplicate-id", impact: "serious", help: "ids must be unique (labels, descriptions)",
                               nodes: twice.map((el) => ({ target: ["#" + el.id], html: el.outerHTML, failureSummary: "" })) });
    }
    return {
      url: location.pathname + location.search,
      width: window.innerWidth,
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200),
                                               summary: n.failureSummary })),
      })),
    };
  };
})();
""".replace("TAGS", repr(WCAG_TAGS))

# The actions that can load a page or make htmx swap one: the page is scanned before each of them.
_LOCATOR_ACTIONS = ["check", "clear", "click", "dblclick", "dispatch_event", "fill", "press", "press_sequentially",
                    "select_option", "set_checked", "set_input_files", "tap", "type", "uncheck"]  # fmt: skip
_PAGE_ACTIONS = [n for n in _LOCATOR_ACTIONS if hasattr(Page, n)] + [
    "goto",
    "reload",
    "go_back",
    "go_forward",
    "close",
]

_found: list[dict] = []


def _scan(page: Page, *, force: bool = False) -> dict | None:
    """Run axe on `page` if it changed since its last scan (or `force`); keep what it found."""
    if page.is_closed():
        return None
    try:
        result = page.evaluate("(force) => window.__axeScan ? window.__axeScan(force) : null", force)
    except PlaywrightError:
        return None  # the page went on to another address while axe ran; that one is scanned in turn
    if result and result["violations"]:
        _found.append(result)
    return result


def _scanning_first(method, page_of):
    @functools.wraps(method)
    def action(self, *args, **kwargs):
        _scan(page_of(self))
        return method(self, *args, **kwargs)

    return action


def _context_with_axe(new_context):
    @functools.wraps(new_context)
    def opened(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        context.add_init_script(AXE_SCRIPT + "\n" + _WATCH)
        return context

    return opened


def _closing_after_scan(close):
    @functools.wraps(close)
    def closed(self, *args, **kwargs):
        for page in self.pages:
            _scan(page)
        return close(self, *args, **kwargs)

    return closed


@contextmanager
def axe_on_every_page(monkeypatch):
    """While open, every browser context gets axe-core and every page is scanned before each action."""
    monkeypatch.setattr(Browser, "new_context", _context_with_axe(Browser.new_context))
    for name in _LOCATOR_ACTIONS:
        monkeypatch.setattr(Locator, name, _scanning_first(getattr(Locator, name), lambda loc: loc.page))
    for name in _PAGE_ACTIONS:
        monkeypatch.setattr(Page, name, _scanning_first(getattr(Page, name), lambda page: page))
    monkeypatch.setattr(BrowserContext, "close", _closing_after_scan(BrowserContext.close))
    yield


def axe_reset() -> None:
    _found.clear()


def axe_flush(browser: Browser) -> list[dict]:
    """Scan what is still open, and return (and forget) every violation found since the last flush."""
    for context in browser.contexts:
        for page in context.pages:
            _scan(page)
    found = list(_found)
    _found.clear()
    return found


def axe_report(found: list[dict]) -> str:
    lines = []
    for page in found:
        lines.append(f"{page['url']} at {page['width']} px:")
        for v in page["violations"]:
            lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {n['target']}  {n['html']}\n      {n['summary']}" for n in v["nodes"])
    return "\n".join(lines)


def axe_check(page: Page) -> None:
    """Scan `page` as it is now and fail on any WCAG A/AA violation (for a state no load or swap marks,
    such as the same page at another width)."""
    result = _scan(page, force=True)
    if result and result["violations"]:
        _found.remove(result)
        raise AssertionError("axe-core found WCAG violations:\n" + axe_report([result]))
