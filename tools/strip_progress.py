"""Drop progress-bar outputs from an executed notebook: `python tools/strip_progress.py nbs/08_bench.ipynb`.

After `jupyter execute --inplace` a fastprogress bar leaves a display_data output whose HTML is a `<progress>` element
or, once cleared, empty; the docs test (tests/test_docs.py) refuses empty outputs on a page. Run this, then `nbdev-clean`."""
import json, sys

def strip(path):
    nb = json.load(open(path)); n = 0
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        keep = []
        for o in c.get('outputs', []):
            d = o.get('data', {}); html = ''.join(d.get('text/html', '')); txt = ''.join(d.get('text/plain', ''))
            img = any(k.startswith('image/') for k in d)
            if o.get('output_type') == 'display_data' and not img and (
                    '<progress' in html or 'fastprogress' in html or ('text/html' in d and not html.strip()) or not (html.strip() or txt.strip())):
                n += 1; continue
            if o.get('output_type') == 'stream' and not ''.join(o.get('text', '')).strip(): n += 1; continue
            keep.append(o)
        c['outputs'] = keep
    with open(path, 'w') as f: json.dump(nb, f, indent=1, ensure_ascii=False); f.write('\n')
    return n

if __name__ == '__main__':
    for p in sys.argv[1:]: print(p, 'dropped', strip(p), 'outputs')
