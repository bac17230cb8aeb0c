"""The notebooks are the source: on a copy of the project, `nbdev-export` and `nbdev-clean` must change nothing.
A hand-edited module or an uncleaned notebook fails here."""
import filecmp, shutil, subprocess, sys
from pathlib import Path
from conftest import ROOT

BIN = Path(sys.executable).parent

def _copy_project(dst):
    for name in ('nbs', 'sparse_nets'):
        shutil.copytree(ROOT/name, dst/name, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints', '*.nbi', '*.nbc'))
    shutil.copy(ROOT/'pyproject.toml', dst/'pyproject.toml')

def _snapshot(d):
    return {p.relative_to(d): p.read_bytes() for p in sorted(d.rglob('*'))
            if p.is_file() and '__pycache__' not in p.parts and p.suffix in ('.py', '.ipynb')}

def _changed(before, after):
    return sorted(str(k) for k in set(before) | set(after) if before.get(k) != after.get(k))

def test_export_and_clean_change_nothing(tmp_path):
    _copy_project(tmp_path)
    before = _snapshot(tmp_path)
    subprocess.run([str(BIN/'nbdev-export')], cwd=tmp_path, check=True, capture_output=True)
    changed = _changed(before, _snapshot(tmp_path))
    assert not changed, f"nbdev-export changes {changed}: run nbdev-export and commit (never edit sparse_nets/*.py by hand)"
    subprocess.run([str(BIN/'nbdev-clean')], cwd=tmp_path, check=True, capture_output=True)
    changed = _changed(before, _snapshot(tmp_path))
    assert not changed, f"nbdev-clean changes {changed}: run nbdev-clean (or install the hooks) and commit"
