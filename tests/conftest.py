"""Make the collection importable as ansible_collections.awsorg.landing_zone in unit tests."""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO_ROOT / ".collections"
for path in (str(COLLECTIONS), str(REPO_ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)
