"Shared helpers for the test suite: where the project lives, which notebooks are its tests, the built docs site."
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'

def notebooks():
    "Every notebook nbdev would test: `nbs/**/*.ipynb`, skipping names and folders that start with `_` or `.`."
    return sorted(p for p in NBS.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS).parts))


@pytest.fixture(scope='session')
def docs_site():
    """The docs site, built once per test run (`tools/build_docs.py`) and shared by the tests that check it.

    The build writes `_proc/` and `_docs_build/` in the project, so it must never run twice at once: the pytest-xdist
    workers of one run take a file lock, the first builds, the others reuse its site (same run id)."""
    import fcntl, os, sys, uuid
    sys.path.insert(0, str(ROOT/'tools'))
    import build_docs
    run = os.environ.get('PYTEST_XDIST_TESTRUNUID') or uuid.uuid4().hex
    work = ROOT/'_docs_build'; work.mkdir(exist_ok=True)
    site, stamp = work/'test_site', work/'test_site.run'
    with open(work/'.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == run and (site/'index.html').exists()):
            stamp.unlink(missing_ok=True)
            build_docs.build(site)
            stamp.write_text(run)
    return site


def pytest_collection_modifyitems(items):
    "The browser test of the docs runs last: by then another worker has built the site, so it never waits for the build."
    items.sort(key=lambda it: Path(str(it.fspath)).name == 'test_docs_browser.py')
