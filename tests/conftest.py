"Shared helpers for the test suite: where the project lives and which notebooks are its tests."
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'

def notebooks():
    "Every notebook nbdev would test: `nbs/**/*.ipynb`, skipping names and folders that start with `_` or `.`."
    return sorted(p for p in NBS.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS).parts))
