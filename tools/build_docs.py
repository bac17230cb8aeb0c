#!/usr/bin/env python
"""Build the docs site offline, from the same notebooks nbdev's Quarto site uses.

`nbdev-docs` needs Quarto, which cannot be installed everywhere (not on our build machines). This script renders
the notebooks the way nbdev prepares them for Quarto -- `nbdev.serve.proc_nbs` runs the doc processors: `show_doc`
cells become API docs with signatures, `#| hide` cells go, front matter is extracted -- and then does what Quarto
does with those processed notebooks: each becomes a Markdown page (cell options honoured: `echo: false` hides the
input, `output: asis` puts the markdown output in the page, so API entries are real headings in the table of
contents), rendered with mkdocs-material into `_docs_site/`. Everything the pages need is served from the site:
MathJax (from the `jupyter-server-mathjax` package), the search index (material's `offline` plugin, so search
also works from `file://`), no web fonts.

    python tools/build_docs.py            # -> _docs_site/index.html
    python tools/build_docs.py --readme   # also regenerate README.md from nbs/index.ipynb (what nbdev-readme does with Quarto)

The conversion (notebook -> Markdown page) is small and tested in `tests/test_docs.py`; the built site is checked
statically there and in a real browser in `tests/test_docs_browser.py`.
"""
import argparse, base64, json, os, re, shutil, subprocess, sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
ASSETS = Path(__file__).resolve().parent/'docs_assets'
LONG_OUTPUT = 40          # outputs with more lines than this are collapsed (a click opens them)


def frontmatter(nb: dict) -> dict:
    "The YAML front matter of a processed notebook (nbdev puts it in a leading raw cell), or {}."
    for cell in nb.get('cells', []):
        if cell['cell_type'] != 'raw': continue
        src = ''.join(cell['source'])
        m = re.match(r'^\s*---\s*\n(.*?)\n---\s*$', src.strip() + '\n', flags=re.S)
        if m: return yaml.safe_load(m.group(1)) or {}
    return {}


def cell_options(source: str) -> tuple:
    "Quarto/nbdev cell options from the `#| key: value` lines that start a code cell, and the code without them."
    opts, lines = {}, source.splitlines(True)
    while lines and lines[0].startswith('#|'):
        m = re.match(r'#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$', lines.pop(0))
        if m:
            try: v = yaml.safe_load(m.group(2)) if m.group(2) else True
            except yaml.YAMLError: v = m.group(2)
            opts[m.group(1)] = v
    return opts, ''.join(lines)


_ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')

def terminal_text(text: str) -> str:
    "What a terminal shows for `text`: colour codes dropped and each `\\r` overwriting its line, so a progress bar\n    that redrew itself 168 times is one line, its final state."
    lines = []
    for line in _ANSI.sub('', text).replace('\r\n', '\n').split('\n'):
        parts = line.split('\r')
        lines.append(next((p for p in reversed(parts) if p.strip()), ''))
    return '\n'.join(lines).strip('\n')


def fenced(text: str, lang: str = '') -> str:
    "`text` as a fenced code block, with a fence longer than any backtick run inside it."
    n = max([3] + [len(r) + 1 for r in re.findall(r'`{3,}', text)])
    return f"{'`'*n}{lang}\n{text.rstrip()}\n{'`'*n}"


def _indent(text: str, n: int = 4) -> str: return '\n'.join((' '*n + l) if l.strip() else '' for l in text.split('\n'))

def text_output(text: str) -> str:
    "A text output: a code block under the cell; collapsed (with its line count) when longer than `LONG_OUTPUT` lines."
    block = fenced(text, 'text')
    n = text.count('\n') + 1
    if n <= LONG_OUTPUT: return f'<div class="sn-output" markdown>\n\n{block}\n\n</div>'
    return f'??? sn-output "Output: {n} lines (click to show)"\n\n{_indent(block)}'


_FENCE = re.compile(r'^([ \t]*)(`{3,}|~{3,})[^\n]*\n.*?^\1\2[ \t]*$', flags=re.S | re.M)

def outside_code(md: str, fn) -> str:
    "Apply `fn` to the parts of the markdown `md` that are not fenced code blocks or inline code."
    out, pos = [], 0
    for m in _FENCE.finditer(md):
        out.append(_outside_inline_code(md[pos:m.start()], fn)); out.append(m.group(0)); pos = m.end()
    out.append(_outside_inline_code(md[pos:], fn))
    return ''.join(out)

def _outside_inline_code(md, fn):
    parts = re.split(r'(`+[^`]*?`+)', md)
    return ''.join(p if i % 2 else fn(p) for i, p in enumerate(parts))


def display_math_blocks(md: str) -> str:
    "Put every `$$...$$` on lines of its own (Jupyter typesets it mid-paragraph; Markdown needs a block)."
    return re.sub(r'[ \t]*\$\$(.+?)\$\$[ \t]*', lambda m: f'\n\n$$\n{m.group(1).strip()}\n$$\n\n', md, flags=re.S)


def _plain_tex(tex: str) -> str: return re.sub(r'\\([A-Za-z]+)|[{}\\^]', lambda m: m.group(1) or '', tex).strip()

def math_heading_labels(md: str) -> str:
    "A heading with math gets a plain-text label for the table of contents (`$k$` -> `k`), which MathJax does not typeset."
    def label(m):
        text = m.group(2)
        plain = re.sub(r'\$([^$\n]+)\$', lambda t: _plain_tex(t.group(1)), text).replace('"', "'")
        return f'{m.group(1)} {text} {{ data-toc-label="{plain}" }}'
    return re.sub(r'^(#{1,6}) ([^\n]*\$[^$\n]+\$[^\n]*?)[ \t]*$', label, md, flags=re.M)


# Emoji as icons that material inlines as SVG: they show on any machine, with or without an emoji font, and nothing
# is fetched (material's twemoji images would come from a CDN)
EMOJI = {'✅': ':material-check-circle:{ .sn-yes }', '❌': ':material-close-circle:{ .sn-no }',
         '⚠️': ':material-alert:{ .sn-warn }', '⚠': ':material-alert:{ .sn-warn }', '✔️': ':material-check:{ .sn-yes }',
         '✔': ':material-check:{ .sn-yes }', '✓': ':material-check:{ .sn-yes }', '✗': ':material-close:{ .sn-no }'}

def emoji_codes(md: str) -> str:
    for ch, code in EMOJI.items(): md = md.replace(ch, code)
    return md


class Page:
    "One notebook as a Markdown page: `rel` is the page's path in the site (`tutorials/x.md`), `pages` all pages'."
    def __init__(self, rel: Path, pages: set, site_url: str, files_dir: Path):
        self.rel, self.pages, self.site_url, self.files_dir = Path(rel), pages, site_url.rstrip('/'), files_dir
        self.ids, self.n_files, self.docs = set(), 0, set()

    def link(self, url: str) -> str:
        "A link as the offline site needs it: the public site's pages and local `.html` pages become relative `.md` links."
        if self.site_url and url.startswith(self.site_url + '/'):
            target = url[len(self.site_url) + 1:]
        elif re.match(r'^[a-z][a-z0-9+.-]*:|^#|^/', url): return url
        else: target = (self.rel.parent/url).as_posix()
        path, _, frag = target.partition('#')
        path = os.path.normpath(path or self.rel.as_posix()).replace(os.sep, '/')
        md = re.sub(r'\.(html|ipynb)$', '.md', path)
        if md not in self.pages: return url
        rel = os.path.relpath(md, self.rel.parent.as_posix()).replace(os.sep, '/')
        return rel + (f'#{frag}' if frag else '')

    def links(self, md: str) -> str:
        md = re.sub(r'(\]\()([^)\s]+)(\))', lambda m: m.group(1) + self.link(m.group(2)) + m.group(3), md)
        return re.sub(r'(href=")([^"]+)(")', lambda m: m.group(1) + self.link(m.group(2)) + m.group(3), md)

    def markdown(self, md: str) -> str:
        "A markdown cell (or markdown output) for the page."
        md = outside_code(md, lambda s: emoji_codes(display_math_blocks(math_heading_labels(s))))
        return self.links(md)

    def unique_id(self, name: str) -> str:
        "nbdev's anchor for an API entry (its name, lower case), made unique on the page."
        base = re.sub(r'[^\w.\-]', '', name.replace('\\', '').lower()) or 'entry'
        i, id_ = 1, base
        while id_ in self.ids: i += 1; id_ = f'{base}-{i}'
        self.ids.add(id_)
        return id_

    def show_doc(self, md: str) -> str:
        "A `show_doc` output: its heading gets nbdev's anchor (`#name`), which cross-links elsewhere point to. An entry the page already shows word for word (nbdev documents every export, and a notebook may call `show_doc` on it too) is shown once; classes defined in the notebook lose the `__main__.` of their kernel."
        md = md.replace('__main__.', '')
        if md in self.docs: return ''
        self.docs.add(md)
        def head(m): return f"{m.group(1)} {m.group(2)} {{ #{self.unique_id(m.group(2).strip('`'))} }}"
        return re.sub(r'^(#{1,6}) (\S+)[ \t]*$', head, md, count=1, flags=re.M)

    def image(self, mime: str, data, meta: dict) -> str:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.n_files += 1
        ext = {'image/png': 'png', 'image/jpeg': 'jpg', 'image/svg+xml': 'svg', 'image/gif': 'gif'}[mime]
        fn = self.files_dir/f'output_{self.n_files}.{ext}'
        if ext == 'svg': fn.write_text(''.join(data))
        else: fn.write_bytes(base64.b64decode(''.join(data)))
        src = os.path.relpath(fn, self.files_dir.parent).replace(os.sep, "/")   # the files sit beside the page
        w = (meta or {}).get(mime, {}).get('width') if isinstance((meta or {}).get(mime), dict) else None
        size = f' width="{w}"' if w else ''
        return f'<figure class="sn-figure"><a href="{src}"><img src="{src}" alt="output figure"{size}></a></figure>'

    def output(self, out: dict, asis: bool, is_doc: bool) -> str:
        "One output of a code cell, the way Quarto shows it."
        kind = out['output_type']
        if kind == 'stream':
            if asis and out.get('name') == 'stdout': return self.markdown(''.join(out['text']))   # printed markdown
            text = terminal_text(''.join(out['text']))
            return text_output(text) if text.strip() else ''
        if kind == 'error':
            return text_output(terminal_text('\n'.join(out.get('traceback') or [f"{out['ename']}: {out['evalue']}"])))
        data, meta = out.get('data', {}), out.get('metadata', {})
        for mime in ('image/png', 'image/jpeg', 'image/svg+xml', 'image/gif'):
            if mime in data: return self.image(mime, data[mime], meta)
        if 'text/markdown' in data:
            md = ''.join(data['text/markdown'])
            if is_doc: md = self.show_doc(md)
            return self.markdown(md) if (asis or is_doc) else f'<div class="sn-output" markdown>\n\n{self.markdown(md)}\n\n</div>'
        if 'text/html' in data:
            html = re.sub(r'<style scoped>.*?</style>', '', ''.join(data['text/html']), flags=re.S)
            html = '\n'.join(l for l in html.split('\n') if l.strip())
            return f'<div class="sn-output sn-html">\n{self.links(html)}\n</div>'
        if 'text/latex' in data: return ''.join(data['text/latex'])
        if 'text/plain' in data:
            text = terminal_text(''.join(data['text/plain']))
            return text_output(text) if text.strip() else ''
        return ''

    def code(self, cell: dict) -> list:
        opts, src = cell_options(''.join(cell['source']))
        if opts.get('include') is False or opts.get('hide') is True: return []
        is_doc = bool(re.match(r'^\s*(show_doc|doc)\(', src))
        parts = []
        if opts.get('echo', True) is not False and not is_doc and src.strip(): parts.append(fenced(src.strip('\n'), 'python'))
        if opts.get('output', True) is not False:
            parts += [p for o in cell.get('outputs', []) if (p := self.output(o, opts.get('output') == 'asis', is_doc))]
        return parts

    def render(self, nb: dict) -> str:
        "The page's Markdown: title and description from the front matter, then the cells."
        fm, parts = frontmatter(nb), []
        if fm.get('title'): parts.append(f"# {fm['title']}")
        if fm.get('description'): parts.append(f'<div class="sn-description" markdown>\n\n{self.markdown(fm["description"])}\n\n</div>')
        for cell in nb['cells']:
            src = ''.join(cell['source'])
            if cell['cell_type'] == 'markdown':
                if 'AUTOGENERATED! DO NOT EDIT' in src: continue
                parts.append(self.markdown(src))
            elif cell['cell_type'] == 'code': parts += self.code(cell)
        return '\n\n'.join(p.strip('\n') for p in parts if p.strip()) + '\n'


def page_name(nb_path: Path, fm: dict) -> str:
    "File name of the page, as Markdown: nbdev's `output-file` (`formats.html` for `00_formats.ipynb`) -> `formats.md`."
    out = fm.get('output-file') or re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb_path.name.lower())
    return Path(out).with_suffix('.md').name


def nav_title(title: str) -> str:
    "A sidebar title: the page title as plain text (inline code marks dropped, not the code)."
    return re.sub(r'`([^`]*)`', r'\1', str(title)).strip()


def sidebar_order(nbs_path: Path) -> list:
    "Notebook paths (relative to `nbs_path`) in nbdev's sidebar order, from `sidebar.yml`."
    sb = yaml.safe_load((nbs_path/'sidebar.yml').read_text())
    out = []
    def walk(items):
        for it in items:
            if isinstance(it, str): out.append(it)
            elif isinstance(it, dict): walk(it.get('contents', []))
    walk(sb['website']['sidebar']['contents'])
    return out


def convert(proc: Path, nbs_path: Path, docs_dir: Path, site_url: str = '') -> list:
    "Write a Markdown page for every notebook of `proc` (nbdev's `_proc`) into `docs_dir`; return the mkdocs `nav`."
    if docs_dir.exists(): shutil.rmtree(docs_dir)
    docs_dir.mkdir(parents=True)
    order = [r for r in sidebar_order(nbs_path) if r.endswith('.ipynb')]
    extra = sorted(p.relative_to(proc).as_posix() for p in proc.rglob('*.ipynb')
                   if not any(s.startswith(('_', '.')) for s in p.relative_to(proc).parts))
    order += [r for r in extra if r not in order]             # a notebook the sidebar does not list still gets a page
    nbs = {}
    for rel in order:
        if not (proc/rel).exists(): continue
        nb = json.loads((proc/rel).read_text())
        nbs[rel] = (nb, (Path(rel).parent/page_name(Path(rel), frontmatter(nb))).as_posix())
    pages = {md for _, md in nbs.values()}
    sections, top = {}, []
    for rel, (nb, md) in nbs.items():
        fm = frontmatter(nb)
        page = Page(md, pages, site_url, docs_dir/(Path(md).with_suffix('').as_posix() + '_files'))
        (docs_dir/md).parent.mkdir(parents=True, exist_ok=True)
        (docs_dir/md).write_text(page.render(nb))
        entry = {nav_title(fm.get('title') or Path(rel).stem): md}
        if Path(md).parent == Path('.'): top.append(entry)
        else: sections.setdefault(Path(md).parent.as_posix().replace('_', ' ').title(), []).append(entry)
    # images and other assets the notebooks reference
    for p in nbs_path.rglob('*'):
        if p.is_file() and p.suffix.lower() in ('.png', '.jpg', '.jpeg', '.svg', '.gif') and '_proc' not in p.parts:
            (docs_dir/p.relative_to(nbs_path)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, docs_dir/p.relative_to(nbs_path))
    copy_assets(docs_dir)
    return top + [{k: v} for k, v in sections.items()]


def mathjax_dir() -> Path:
    "MathJax 2.7, as the `jupyter-server-mathjax` package ships it (a dev dependency): served from the site."
    import jupyter_server_mathjax
    return Path(jupyter_server_mathjax.__file__).parent/'static'

MATHJAX_FILES = ['MathJax.js', 'LICENSE', 'config/TeX-AMS-MML_HTMLorMML-full.js', 'jax/input', 'jax/element',
                 'jax/output/HTML-CSS', 'fonts/HTML-CSS/STIX-Web/woff', 'extensions']   # not the SVG fonts, nor a11y

def copy_assets(docs_dir: Path):
    "The site's own CSS and MathJax set-up, and the parts of MathJax they use (TeX input, HTML-CSS output, STIX fonts)."
    dst = docs_dir/'assets'
    shutil.copytree(ASSETS, dst, dirs_exist_ok=True)
    src = mathjax_dir()
    for f in MATHJAX_FILES:
        s, d = src/f, dst/'mathjax'/f
        if s.is_dir(): shutil.copytree(s, d, ignore=shutil.ignore_patterns('__pycache__', '*.py', 'a11y'), dirs_exist_ok=True)
        else: d.parent.mkdir(parents=True, exist_ok=True); shutil.copy(s, d)


def mkdocs_config(cfg, docs_dir: Path, site_dir: Path, nav: list) -> str:
    "The mkdocs.yml for the site: material theme, offline search, MathJax and CSS served from the site."
    conf = dict(
        site_name=cfg.title, site_description=cfg.description,   # no repo_url: material would ask GitHub's API for stars
        docs_dir=str(docs_dir), site_dir=str(site_dir), use_directory_urls=False, nav=nav,
        theme=dict(name='material', font=False,   # no web fonts: nothing is fetched when a page is viewed
                   features=['navigation.sections', 'navigation.top', 'search.highlight', 'content.code.copy', 'toc.follow'],
                   palette=[dict(scheme='default', primary='indigo')]),
        plugins=['search', 'offline'],
        extra=dict(polyfills=['assets/iframe-worker-shim.js'],   # search from file:// (the plugin's default is a CDN)
                   social=[dict(icon='fontawesome/brands/github', link=cfg.git_url, name='repository')] if cfg.git_url else []),
        extra_css=['assets/sn.css'],
        extra_javascript=['assets/mathjax-config.js', 'assets/mathjax/MathJax.js'],
        markdown_extensions=['admonition', 'tables', 'attr_list', 'md_in_html', {'toc': dict(permalink=True)},
                             'pymdownx.highlight', 'pymdownx.superfences', 'pymdownx.details',
                             {'pymdownx.arithmatex': dict(generic=True)},
                             {'pymdownx.emoji': dict(emoji_index='!!python/name:material.extensions.emoji.twemoji',
                                                     emoji_generator='!!python/name:material.extensions.emoji.to_svg')}],
        validation=dict(links=dict(anchors='warn')),
    )
    return re.sub(r"'(!!python/name:[\w.]+)'", r'\1', yaml.safe_dump(conf, sort_keys=False, allow_unicode=True))


_CELL_KEYS = dict(code={'cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count'},
                  markdown={'cell_type', 'id', 'metadata', 'source', 'attachments'},
                  raw={'cell_type', 'id', 'metadata', 'source', 'attachments'})

def readme_nb(nb: dict) -> dict:
    "The processed index notebook as nbconvert's Markdown exporter renders it for README.md: front matter -> title and\n    description, cell options honoured and dropped, cells reduced to the keys of the notebook format."
    fm, cells = frontmatter(nb), []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'raw' and src.strip().startswith('---'): continue
        if cell['cell_type'] == 'markdown' and 'AUTOGENERATED! DO NOT EDIT' in src: continue
        cell = {k: v for k, v in cell.items() if k in _CELL_KEYS[cell['cell_type']]}
        cell['metadata'] = {k: v for k, v in cell.get('metadata', {}).items() if k != 'execution'}  # execnb's timings
        if cell['cell_type'] == 'code':
            opts, cell['source'] = cell_options(src)
            if opts.get('include') is False: continue
            if opts.get('echo') is False: cell['source'] = ''
            if opts.get('output') is False: cell['outputs'] = []
        cells.append(cell)
    head = []
    if fm.get('title'): head.append(f"# {fm['title']}")
    if fm.get('description'): head.append(f"> {fm['description']}")
    if head: cells.insert(0, {'cell_type': 'markdown', 'id': 'sn-title', 'metadata': {}, 'source': '\n\n'.join(head)})
    return {**nb, 'cells': cells}


def render_readme(proc: Path, cfg, out: Path):
    "README.md from the processed index notebook (what `nbdev-readme` does with Quarto), as GitHub markdown."
    from nbconvert import MarkdownExporter
    import nbformat
    nb = nbformat.reads(json.dumps(readme_nb(json.loads((proc/cfg.readme_nb).read_text()))), as_version=4)
    body, res = MarkdownExporter().from_notebook_node(nb)
    for name, data in (res.get('outputs') or {}).items():
        (out.parent/'README_files').mkdir(exist_ok=True)
        (out.parent/'README_files'/name).write_bytes(data)
        body = body.replace(f']({name})', f'](README_files/{name})')
    body = re.sub(r'\n{3,}', '\n\n', body)
    out.write_text('<!-- Generated from nbs/index.ipynb by tools/build_docs.py --readme: edit the notebook, not this file. -->\n\n' + body)


def site_url(cfg) -> str:
    "The public site's address (nbdev.yml's `site-url`), whose links become local ones offline."
    try: url = (yaml.safe_load((cfg.config_path/cfg.nbs_path/'nbdev.yml').read_text()) or {}).get('website', {}).get('site-url')
    except (OSError, AttributeError): url = None
    return (url or f"{cfg.get('doc_host', '')}{cfg.get('doc_baseurl', '')}").rstrip('/')


def build(site_dir: Path = ROOT/'_docs_site', readme: bool = False, quiet: bool = True) -> Path:
    "Process the notebooks with nbdev, convert them, and build the mkdocs site into `site_dir`. Returns `site_dir`."
    os.chdir(ROOT)
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    from nbdev.serve import proc_nbs
    cfg = get_config()
    refresh_quarto_yml()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
    proc = proc_nbs(cfg.nbs_path, n_workers=0)
    build_dir = ROOT/'_docs_build'
    nav = convert(proc, cfg.nbs_path, build_dir/'docs', site_url(cfg))
    yml = build_dir/'mkdocs.yml'
    yml.write_text(mkdocs_config(cfg, build_dir/'docs', Path(site_dir).absolute(), nav))
    mk = Path(sys.executable).parent/'mkdocs'
    env = {**os.environ, 'NO_MKDOCS_2_WARNING': '1', 'PYTHONWARNINGS': 'ignore'}
    subprocess.run([str(mk), 'build', '-f', str(yml)] + (['-q'] if quiet else []), check=True, env=env)
    if readme: render_readme(proc, cfg, ROOT/'README.md')
    return Path(site_dir)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--site-dir', default=str(ROOT/'_docs_site'), help='where the site goes (default: _docs_site/)')
    ap.add_argument('--readme', action='store_true', help='also regenerate README.md from nbs/index.ipynb')
    ap.add_argument('--verbose', action='store_true', help="show mkdocs' output")
    a = ap.parse_args()
    site = build(Path(a.site_dir), readme=a.readme, quiet=not a.verbose)
    print(f'docs site: {site/"index.html"}')
