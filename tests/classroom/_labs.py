"""The teacher's labs as a local git repository, for the hub tests and the classroom benchmarks."""

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = "sporelab-notebooks"


def labs_repo(base):
    """A git repository of notebooks/ at ``base/sporelab-notebooks`` that every student user can
    read (folders 0755 from ``base`` down), committed on ``main``; returns its path."""
    repo = base / TARGET
    shutil.copytree(REPO / "notebooks", repo, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    git = ["git", "-C", str(repo), "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "labs"], check=True)
    for folder, _, _ in os.walk(base):
        os.chmod(folder, 0o755)
    return repo
