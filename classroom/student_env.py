"""The students' Python environment: where their JupyterLab servers and kernels run from.

A student's server runs as the student's own system user when the hub runs as root, so its Python,
standard library, packages and sporelab must all be readable by any user. The kit's ``.venv``
often is not (a pyenv Python under /root, a clone in a private folder). Then, as TLJH does with
``/opt/tljh/user``, a separate environment is built under ``/opt/sporelab-classroom/<key>`` from a
system Python every user can run, with sporelab installed into it (not editable), the student
server configuration (``classroom/student/``) and the no-news override that Binder's postBuild
installs (``binder/overrides.json``, by running ``binder/postBuild`` itself).

    python classroom/student_env.py ensure     # what `make classroom` / `make test` run
    python classroom/student_env.py where      # prints the bin/ folder the servers run from
"""

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OPT_ROOT = Path(os.environ.get("SPORELAB_STUDENT_ENV_ROOT", "/opt/sporelab-classroom"))
CONFIG_NAME = "etc/sporelab-classroom"       # JUPYTER_CONFIG_PATH of every student server
SYSTEM_PYTHONS = ("/usr/bin/python3", "/usr/local/bin/python3")
# jsonschema imports rfc3987-syntax when it is installed (jupyter-events asks for it through the
# format-nongpl extra), and its import builds a Lark grammar: 1.4 s of the 2.2 CPU-s a student's
# server spends starting (python -X importtime). Nothing a student's server validates uses the
# "iri" formats it checks, so the students' environment goes without it (jsonschema skips them).
NOT_FOR_STUDENTS = ("rfc3987-syntax",)


def readable_by_all(path):
    """True when every user can reach ``path`` (o+x on each folder above it, o+r on it)."""
    path = Path(path).resolve()
    for parent in reversed(path.parents):
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def main_env_usable():
    """True when the kit's own environment can serve other users (or no other users exist)."""
    if os.geteuid() != 0:
        return True                 # every server runs as this same user
    prefix = Path(sys.prefix)
    return all(readable_by_all(p) for p in (
        Path(sys.executable).resolve(), Path(sys.base_prefix) / "lib", prefix / "lib", REPO / "sporelab"))


def _digest(files):
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def source_key():
    """Hashes of what the environment is built from: "deps" (pyproject.toml) and "source"."""
    files = [REPO / "binder" / name for name in ("overrides.json", "postBuild", "jupyter_server_config.py")]
    files += sorted((REPO / "sporelab").rglob("*.py")) + sorted((HERE / "student").glob("*"))
    files += sorted(p for p in (HERE / "nbgrader" / "student").rglob("*") if p.is_file())
    return {"deps": _digest([REPO / "pyproject.toml", Path(__file__).resolve()]), "source": _digest(files)}


def env_dir():
    """The student environment's folder: the kit's own prefix, or one under OPT_ROOT per clone."""
    if main_env_usable():
        return Path(sys.prefix)
    return OPT_ROOT / hashlib.sha256(str(REPO).encode()).hexdigest()[:12]


def bin_dir():
    return env_dir() / "bin"


def config_dir():
    return env_dir() / CONFIG_NAME


def _run(cmd):
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True)


def _system_python():
    for candidate in SYSTEM_PYTHONS:
        if os.access(candidate, os.X_OK) and readable_by_all(candidate):
            return candidate
    raise RuntimeError(f"no Python usable by every user at {', '.join(SYSTEM_PYTHONS)} "
                       f"(Debian: apt-get install python3-venv)")


def _install_config(env):
    target = env / CONFIG_NAME
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(HERE / "student" / "jupyter_server_config.py", target / "jupyter_server_config.py")
    site = subprocess.run([env / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    shutil.copy2(HERE / "student" / "sporelab_lazy_nbgrader.py", Path(site) / "sporelab_lazy_nbgrader.py")
    # nbgrader for a student: the course and the Lab plugins it shows (Validate, Assignments; no
    # formgrader or course tools). Its server extensions are switched off in student/'s own file.
    shutil.copy2(HERE / "nbgrader" / "student" / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(HERE / "nbgrader" / "student" / "labconfig", target / "labconfig", dirs_exist_ok=True)
    (target / "jupyter_server_config.json").unlink(missing_ok=True)
    # Binder's own step installs binder/overrides.json (no news prompt) into this environment.
    _run(["env", f"PATH={env / 'bin'}:{os.environ.get('PATH', '')}", "bash", REPO / "binder" / "postBuild"])


def ensure():
    """Build or refresh the student environment; quick when nothing changed. Returns its bin/."""
    env = env_dir()
    stamp = env / ".sporelab-classroom-stamp"
    key = source_key()
    try:
        old = json.loads(stamp.read_text())
    except (OSError, ValueError):
        old = {}
    if old == key:
        return env / "bin"
    if env != Path(sys.prefix):
        pip = [env / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "--quiet"]
        if not (env / "bin" / "python").exists():
            _run([_system_python(), "-m", "venv", env])
            _run([*pip, "install", "--upgrade", "pip"])
        if old.get("deps") != key["deps"]:          # new or changed dependencies
            _run([*pip, "install", "--upgrade", "--force-reinstall", "--no-deps", str(REPO)])
            _run([*pip, "install", f"{REPO}[lab,classroom,dist]"])
        else:                                       # only the project changed: reinstall it alone
            _run([*pip, "install", "--no-deps", "--force-reinstall", str(REPO)])
        _run([*pip, "uninstall", "--yes", *NOT_FOR_STUDENTS])
        for folder in [env, *env.parents]:
            if folder == OPT_ROOT.parent:
                break
            os.chmod(folder, os.stat(folder).st_mode | 0o755)
    _install_config(env)
    stamp.write_text(json.dumps(key))
    return env / "bin"


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "where"
    if command == "ensure":
        print(ensure())
    elif command == "where":
        print(bin_dir())
    else:
        sys.exit(f"usage: {sys.argv[0]} ensure|where")
