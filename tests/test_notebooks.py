"""Each notebook in `nbs/` is one test: its cells run in a fresh process through `nbdev-test`,
exactly as `nbdev-test` would run them (cells flagged `slow` are skipped)."""
import os, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT, NBS, notebooks

NBDEV_TEST = Path(sys.executable).parent/'nbdev-test'

def test_there_are_notebooks():
    "A suite that tests nothing must fail, not pass."
    nbs = notebooks()
    assert len(nbs) >= 2, f"only {len(nbs)} notebook(s) found under {NBS}"

@pytest.mark.parametrize('nb', notebooks(), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb):
    env = {**os.environ, 'PYTHONHASHSEED': '0'}
    r = subprocess.run([str(NBDEV_TEST), str(nb)], cwd=ROOT, capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0 and 'Success.' in r.stdout, f"{nb.name} failed:\n{r.stdout[-4000:]}\n{r.stderr[-8000:]}"
