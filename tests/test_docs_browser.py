"""The offline docs site in a real browser: Debian's Chromium, driven by Playwright, opens the built pages from disk
(`file://`, as a user who built the docs would) and checks what the static tests cannot: MathJax typesets the math,
the search box finds `to_sparse` on its page, the content column is wide enough for signatures and figures, and no
page asks the network for anything.

Needs `chromium` (`apt-get install chromium`; `.ci/run` installs it) and `playwright` (the dev extra). Where either is
missing the test is skipped with the reason -- except in CI (`CI=true`), where a missing browser is a failure.
To look at the pages yourself, `DOCS_SCREENSHOTS=some/folder pytest tests/test_docs_browser.py` also saves a
screenshot of every page there."""
import os, shutil
from pathlib import Path
import pytest

CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync']
WIDTH, HEIGHT = 1400, 1000

def _chromium():
    "Debian's `chromium` (what `.ci/run` installs), else a Chrome that is already there (GitHub's runners have one)."
    for c in (os.environ.get('CHROMIUM'), shutil.which('chromium'), '/usr/bin/chromium',
              shutil.which('google-chrome'), shutil.which('google-chrome-stable')):
        if c and Path(c).is_file() and os.access(c, os.X_OK): return c

def _need(what, ok):
    if ok: return
    msg = f"{what} not found: install it to run the browser test of the docs (apt-get install chromium; pip install -e '.[dev]')"
    if os.environ.get('CI', '').lower() == 'true': pytest.fail(f"CI: {msg}")
    pytest.skip(msg)

def test_site_in_chromium(docs_site, tmp_path):
    "One browser for all the checks (one test, so that pytest-xdist cannot split them over two browsers)."
    exe = _chromium()
    _need('chromium', exe)
    try: from playwright.sync_api import sync_playwright
    except ImportError: sync_playwright = None
    _need('playwright (python)', sync_playwright)
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(tmp_path/'chromium-profile'), executable_path=exe,
                                                   headless=True, args=CHROMIUM_FLAGS,
                                                   viewport={'width': WIDTH, 'height': HEIGHT})
        page = ctx.new_page()
        page.remote = []     # every request that is not for a file of the site
        page.on('request', lambda r: r.url.startswith(('file:', 'data:', 'about:', 'blob:')) or page.remote.append(r.url))
        page.errors = []
        page.on('pageerror', lambda e: page.errors.append(str(e)))
        page.broken = []     # files of the site that failed to load (MathJax's probe for its optional TeX fonts aside)
        # (a request aborted because the test moved on to the next page, e.g. a font MathJax asked for late, is not broken)
        page.on('requestfailed', lambda r: r.url.startswith('file:') and '/mathjax/fonts/HTML-CSS/TeX/' not in r.url
                and 'ERR_ABORTED' not in (r.failure or '') and page.broken.append(f"{r.url} ({r.failure})"))
        try:
            _math_is_typeset(docs_site, page)
            _search_finds_to_sparse(docs_site, page)
            _layout_fits_signatures_and_figures(docs_site, page)
            _nothing_fetched_and_no_errors(page)
            if os.environ.get('DOCS_SCREENSHOTS'): _screenshots(docs_site, page, Path(os.environ['DOCS_SCREENSHOTS']))
        finally: ctx.close()

def _open(page, site, name):
    page.goto((site/name).as_uri())
    page.wait_for_load_state('load')

def _math_is_typeset(docs_site, page):
    "On every page with math, MathJax (served by the site) has typeset each formula: no raw LaTeX is left."
    pages = [p for p in sorted(docs_site.rglob('*.html')) if 'class="arithmatex"' in p.read_text()]
    assert len(pages) >= 3, f"math on only {[p.name for p in pages]}"
    for p in pages:
        _open(page, docs_site, p.relative_to(docs_site).as_posix())
        page.wait_for_function("""() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 &&
            document.querySelectorAll('.arithmatex').length > 0 &&
            [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.MathJax, .MathJax_Display, .MathJax_SVG'))""",
            timeout=30_000)
        res = page.evaluate("""() => {
            const els = [...document.querySelectorAll('.arithmatex')];
            const raw = els.filter(e => /\\\\[(\\[]/.test(e.innerText)).map(e => e.innerText.slice(0, 60));
            const small = els.filter(e => { const m = e.querySelector('.MathJax, .MathJax_Display');
                                             return !m || m.getBoundingClientRect().width < 2; }).length;
            const errors = document.querySelectorAll('.MathJax .merror, .MathJax_Error').length;
            return {n: els.length, raw, small, errors};
        }""")
        assert not res['raw'] and not res['small'] and not res['errors'], f"{p.name}: math not typeset: {res}"

def _search_finds_to_sparse(docs_site, page):
    "Typing `to_sparse` in the search box lists its API entry on the layers page, and the result opens that page."
    _open(page, docs_site, 'index.html')
    page.click('label.md-search__icon, .md-search__input', timeout=10_000)
    page.locator('input.md-search__input').press_sequentially('to_sparse', delay=30)   # key events, as a person types
    page.wait_for_selector('.md-search-result__item a', timeout=30_000)
    hrefs = page.eval_on_selector_all('.md-search-result__item a', 'els => els.map(e => e.href)')
    hits = [h for h in hrefs if h.split('/')[-1].startswith('layers.html')]
    assert hits, f"search for to_sparse: no result on the layers page among {hrefs[:10]}"
    target = next((h for h in hits if h.endswith('#to_sparse')), hits[0])
    page.goto(target); page.wait_for_load_state('load')
    assert page.url.split('/')[-1].startswith('layers.html')
    assert page.locator('h3#to_sparse').count() == 1

def _layout_fits_signatures_and_figures(docs_site, page):
    "At 1400 px the content column is wide, signatures do not wrap, figures use the column, tables scroll inside it."
    _open(page, docs_site, 'layers.html')
    col = page.evaluate("() => document.querySelector('article.md-content__inner').getBoundingClientRect().width")
    assert col >= 0.58*WIDTH, f"content column {col:.0f} px of a {WIDTH} px window"
    sig = page.evaluate("""() => { const c = document.querySelector('h3#to_sparse ~ .highlight pre code');
                                   return c && [getComputedStyle(c).whiteSpace, c.innerText.includes('def to_sparse')]; }""")
    assert sig == ['pre', True], f"to_sparse's signature block: {sig} (white-space must be 'pre': no wrapping mid-word)"
    figures = 0
    for p in sorted(docs_site.rglob('*.html')):
        if 'sn-figure' not in p.read_text(): continue
        _open(page, docs_site, p.relative_to(docs_site).as_posix())
        page.wait_for_function("() => [...document.querySelectorAll('figure.sn-figure img')].every(i => i.complete)")
        res = page.evaluate("""() => {
            const col = document.querySelector('article.md-content__inner').getBoundingClientRect();
            const imgs = [...document.querySelectorAll('figure.sn-figure img')].map(i => {
                const r = i.getBoundingClientRect();
                return {src: i.getAttribute('src'), nat: i.naturalWidth, w: r.width, right: r.right}; });
            const box = document.querySelector('.md-content').getBoundingClientRect();   // the column and its padding
            const wide = [...document.querySelectorAll('.sn-output, .md-typeset__scrollwrap')].filter(   // (a table scrolls inside these)
                e => e.getBoundingClientRect().right > box.right + 1).length;
            return {col: col.width, colRight: col.right, imgs, wide};
        }""")
        assert not res['wide'], f"{p.name}: {res['wide']} outputs stick out of the content column"
        for im in res['imgs']:
            figures += 1
            assert im['nat'] > 0, f"{p.name}: figure {im['src']} did not load"
            assert im['w'] >= min(im['nat'], 0.9*res['col']) - 1, f"{p.name}: figure {im['src']} shown at {im['w']:.0f} px"
            assert im['right'] <= res['colRight'] + 2, f"{p.name}: figure {im['src']} overflows the column"
    assert figures, "no figure checked"

def _nothing_fetched_and_no_errors(page):
    "After all the pages above: not one request left the site, and no script failed."
    assert not page.remote, f"pages asked the network for {sorted(set(page.remote))[:10]}"
    assert not page.errors, f"script errors: {page.errors[:5]}"
    assert not page.broken, f"files of the site that did not load: {sorted(set(page.broken))[:10]}"

def _screenshots(site, page, out):
    "A screenshot of the top of every page (after MathJax), as `out/<page>.png`."
    out.mkdir(parents=True, exist_ok=True)
    for p in sorted(site.rglob('*.html')):
        if p.name == '404.html' or 'assets' in p.parts: continue
        _open(page, site, p.relative_to(site).as_posix())
        page.wait_for_function("() => !window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0", timeout=30_000)
        page.screenshot(path=str(out/(p.relative_to(site).with_suffix('.png').as_posix().replace('/', '_'))))
