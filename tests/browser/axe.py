"""axe-core in a Playwright page: accessibility checks of the explorers and the live figure.

axe-core comes from npm at the version pinned in tests/browser/package-lock.json (``make test``
runs ``npm ci`` there); it is injected into the page from that local file, never fetched at run
time. Reuse: ``load_axe()`` (the module, loaded by path as the tests use --import-mode=importlib),
then ``check(page, selector, where)`` in any browser test.

>>> blocking([{"id": "a", "impact": "serious"}, {"id": "b", "impact": "minor"}])
[{'id': 'a', 'impact': 'serious'}]
"""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
TIMEOUT_MS = 60_000

# Run axe over the elements matching `selector` (all of them, one context); violations only.
_JS_RUN = """
async ({selector, ms}) => {
    const nodes = Array.from(document.querySelectorAll(selector));
    if (!nodes.length) return {error: 'no element matches ' + selector};
    const run = window.axe.run({include: nodes}, {resultTypes: ['violations']});
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`axe timed out after ${ms} ms`)), ms));
    const result = await Promise.race([run, timeout]);
    return {violations: result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                  summary: n.failureSummary}))}))};
}
"""


def missing_reason():
    """Why axe cannot run here (None when it can): the npm install is missing."""
    if not AXE_JS.is_file():
        return f"axe-core is not installed: {AXE_JS} is missing (make test runs `npm ci` in tests/browser)"
    return None


def inject(page):
    """Add axe-core to ``page`` from the local file (once per page)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
        page.wait_for_function("() => typeof window.axe === 'object'", timeout=TIMEOUT_MS)


def violations(page, selector):
    """axe's violations over the elements matching ``selector`` (a list of dicts)."""
    inject(page)
    result = page.evaluate(_JS_RUN, {"selector": selector, "ms": TIMEOUT_MS})
    if "error" in result:
        raise AssertionError(f"axe: {result['error']}")
    return result["violations"]


def blocking(found):
    """The violations that fail a test: impact serious or critical."""
    return [v for v in found if v.get("impact") in BLOCKING]


def describe(found):
    """One readable block per violation: rule, impact, help and the elements."""
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v.get('helpUrl', '')}]")
        lines += [f"    {n['target']}: {n['html']}\n      {n['summary']}".rstrip() for n in v.get("nodes", ())]
    return "\n".join(lines)


def check(page, selector, where):
    """Fail (AssertionError) on any serious or critical violation under ``selector``; return all found."""
    found = violations(page, selector)
    bad = blocking(found)
    assert not bad, f"{where}: axe-core found serious/critical accessibility violations:\n{describe(bad)}"
    return found
