"""Build the sporelab book: the committed notebooks as a static website, offline, nothing executed.

    python -m book.build [--out build/book] [--notebooks notebooks] [--lang en zh_cn]

Two Sphinx builds (myst-nb renders each notebook's stored outputs, sphinx-book-theme lays out the
pages), each with warnings as errors, so a broken link between notebooks fails the build:

- the English book (landing page book/en/index.md, notebooks/en/ and notebooks/labs/) into OUT/;
- the Chinese book (book/zh_cn/index.md, notebooks/zh_cn/ and notebooks/zh_cn/labs/) into OUT/zh_cn/,
  with Chinese navigation and a Chinese search index (jieba).

Sphinx needs the landing page in the same source tree as the notebooks, so both are copied into a
staging folder (OUT-work/src/, beside OUT) whose layout mirrors the repository's: a page's name plus
``path_to_docs`` is its notebook's path in the repository, which the launch buttons rely on.
OUT is rebuilt from scratch each time (a few seconds), so a removed notebook leaves no stale page.

Exit status: 0 when both books built without a warning; otherwise Sphinx's status (warnings are
printed with the staged file's path, e.g. ``OUT-work/src/en/labs/depth.ipynb``).
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# language -> (conf dir, output subfolder, [(notebooks subfolder, staged subfolder)])
BOOKS = {
    "en": (HERE / "en", ".", [("en", "en"), ("labs", "labs")]),
    "zh_cn": (HERE / "zh_cn", "zh_cn", [("zh_cn", "."), ("zh_cn/labs", "labs")]),
}


def stage(lang, notebooks, src):
    """Copy one book's landing page and notebooks into ``src`` (emptied first)."""
    conf, _, folders = BOOKS[lang]
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    shutil.copy2(conf / "index.md", src / "index.md")
    for folder, staged in folders:
        origin = notebooks / folder
        if not origin.is_dir():
            raise SystemExit(f"book: {origin} is not a folder: --notebooks must be the repository's notebooks/")
        for nb in sorted(origin.glob("*.ipynb")):
            (src / staged).mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, src / staged / nb.name)


def build(lang, notebooks, out, work, quiet=True):
    """Stage and build one book, then copy it into its place in ``out``; returns Sphinx's exit status.

    Sphinx writes into ``work/html/<lang>/`` first: myst-nb puts a ``jupyter_execute/`` folder beside
    its output folder, which must not land inside the site.
    """
    conf, sub, _ = BOOKS[lang]
    src, doctrees, html = work / "src" / lang, work / "doctrees" / lang, work / "html" / lang
    stage(lang, notebooks, src)
    for scratch in (doctrees, html):
        shutil.rmtree(scratch, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-c", str(conf),
           "-d", str(doctrees), str(src), str(html)]
    if quiet:
        cmd.insert(3, "-q")
    # The repository first on the path: conf.py imports book.book_config, Sphinx book.sporelab_book.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    status = subprocess.run(cmd, cwd=REPO, env=env).returncode
    if status == 0:
        shutil.copytree(html, out / sub, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".buildinfo*"))
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "book", help="site folder (default build/book)")
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks",
                        help="the notebooks folder (default the repository's notebooks/)")
    parser.add_argument("--lang", nargs="+", choices=list(BOOKS), default=list(BOOKS),
                        help="books to build (default both; en first, it empties --out)")
    parser.add_argument("--verbose", action="store_true", help="Sphinx's progress output too")
    args = parser.parse_args(argv)
    out, notebooks = args.out.resolve(), args.notebooks.resolve()
    work = out.with_name(out.name + "-work")
    start = time.monotonic()
    # The English book is the whole site (the Chinese one lies below it): start it afresh.
    shutil.rmtree(out if "en" in args.lang else out / BOOKS["zh_cn"][1], ignore_errors=True)
    for lang in sorted(args.lang, key=list(BOOKS).index):
        status = build(lang, notebooks, out, work, quiet=not args.verbose)
        if status:
            print(f"book: the {lang} book failed (sphinx exit {status}); sources staged in {work / 'src' / lang}",
                  file=sys.stderr)
            return status
    (out / ".nojekyll").touch()                      # GitHub Pages: serve _static/ as it is
    print(f"book: {out / 'index.html'} ({', '.join(args.lang)}) in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
