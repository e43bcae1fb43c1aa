#!/usr/bin/env python
"""Execute, normalise and check the notebooks under notebooks/.

    python -m tools.notebooks run   [paths...]   execute in place, then normalise (default: all)
    python -m tools.notebooks check [paths...]   fail on what strict nbval cannot catch

``run`` executes each notebook with nbclient on a kernel of *this* interpreter (the venv that runs
the script, whatever kernelspecs the user has installed), with a per-cell timeout, no timing
metadata and no widget state, in the notebook's own folder (as nbval does). It then rewrites the
file deterministically, so that running it twice leaves git clean:

* execution counts are 1..n over the code cells in order (also inside ``execute_result``);
* consecutive stream outputs of the same name are merged (the kernel may split a print into
  several messages; nbval merges them too);
* volatile metadata is dropped: cell timings (``execution``, ``ExecuteTime``), collapsed/scrolled
  view state, the notebook's widget state;
* ``kernelspec`` and ``language_info`` are exactly what JupyterLab 4 writes into the notebook when
  its ``python3`` kernel connects (``language_info`` is the kernel's ``kernel_info_reply``, whose
  ``version`` is the Python running the kernel: this interpreter). With them equal, opening a
  notebook in JupyterLab changes nothing: no dirty mark, nothing for autosave to write, nothing for
  nbgitpuller to commit. (A student whose Python differs from the one that ran ``make notebooks``
  sees only ``language_info.version`` change.) Every cell keeps its id, nbformat is 4.5, the file is
  ``nbformat.writes`` (indent 1, sorted keys) plus a final newline: the bytes Jupyter itself saves;
* cells tagged ``nbval-ignore-output`` (live widgets only) keep their execution count but lose
  their outputs: a widget's state is random and meaningless in a stored file.

``check`` fails (exit status 1, one line per problem) when

* a code cell has no execution count (nbval would execute it but never compare its output),
  or is empty;
* an output-ignoring marker (the ``nbval-ignore-output`` tag or a ``# NBVAL_IGNORE_OUTPUT``
  comment) sits on a cell that is not a widget cell. A widget cell is one whose source constructs
  an explorer (``SomethingExplorer(...)``) or displays a widget (``display(...)``,
  ``interact(...)``, ipywidgets constructors such as ``widgets.IntSlider(...)``, an ipympl
  ``fig.canvas``). Everything else must be compared by nbval (docs/ARCHITECTURE.md, "The notebooks' rules").

Exit status: 0 on success, 1 on a failed check or a failed execution, 2 on bad usage.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120          # seconds per cell; the tutorials need well under one
STARTUP_TIMEOUT = 60        # seconds for the kernel to answer

IGNORE_TAG = "nbval-ignore-output"
IGNORE_COMMENT = re.compile(r"^\s*#\s*NBVAL_IGNORE_OUTPUT\b", re.MULTILINE)
WIDGET_SOURCE = re.compile(
    r"\b\w*Explorer\s*\("                 # constructs an explorer from sporelab.widgets
    r"|\bdisplay\s*\("                    # IPython.display.display(widget)
    r"|\binteract(?:ive|_manual)?\b"      # ipywidgets.interact / interactive / @interact
    r"|\bwidgets\.\w+\s*\("               # widgets.IntSlider(...), widgets.VBox(...)
    r"|\b(?:VBox|HBox|GridBox|Output)\s*\("
    r"|\.canvas\s*$",                     # ipympl: a cell ending with fig.canvas
    re.MULTILINE)

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


def language_info():
    """The ``language_info`` the ipykernel of this interpreter reports (and JupyterLab stores)."""
    import platform
    return {**LANGUAGE_INFO, "version": platform.python_version()}


VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")
VOLATILE_NOTEBOOK_METADATA = ("widgets", "toc", "varInspector")


def find_notebooks(paths=()):
    """The notebooks named (files or folders), or every notebook under notebooks/, sorted."""
    if not paths:
        paths = [NOTEBOOKS]
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"notebooks.py: {path} is neither a notebook nor a folder")
    return sorted({p.resolve() for p in found})


def _display(path):
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# ---- run ----------------------------------------------------------------------------------------
def _kernel_manager():
    """A KernelManager whose kernel is this interpreter with ipykernel (like nbval's
    --nbval-current-env), so no installed kernelspec can send the notebooks elsewhere."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    class CurrentEnvSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnvSpecs())


def execute(path):
    """Execute the notebook at ``path`` and return it (not yet written)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    km = _kernel_manager()
    client = NotebookClient(
        nb, km=km, timeout=CELL_TIMEOUT, startup_timeout=STARTUP_TIMEOUT,
        record_timing=False, store_widget_state=False, allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:                       # nbclient leaves a kernel it did not create running
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return nb


def _is_ignored(cell):
    return IGNORE_TAG in cell.get("metadata", {}).get("tags", []) or bool(IGNORE_COMMENT.search(cell.source))


def _merge_streams(outputs):
    merged = []
    for output in outputs:
        if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1]["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def normalise(nb):
    """Make the stored form of ``nb`` deterministic (in place); return it."""
    import nbformat

    count = 0
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        count += 1
        cell.execution_count = count
        if _is_ignored(cell):
            cell.outputs = []
        cell.outputs = _merge_streams(cell.outputs)
        for output in cell.outputs:
            output.pop("transient", None)
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = nbformat.from_dict(KERNELSPEC)
    nb.metadata["language_info"] = nbformat.from_dict(language_info())
    nb.nbformat, nb.nbformat_minor = 4, max(nb.get("nbformat_minor", 5), 5)
    # Cells without an id get a stable one (nbformat would invent a random one).
    used = {cell.get("id") for cell in nb.cells}
    for index, cell in enumerate(nb.cells):
        if not cell.get("id"):
            candidate, suffix = f"cell-{index}", 0
            while candidate in used:
                suffix += 1
                candidate = f"cell-{index}-{suffix}"
            cell["id"] = candidate
            used.add(candidate)
    return nb


def write(nb, path):
    import nbformat

    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text, encoding="utf-8", newline="\n")


def run(paths):
    import time

    failed = 0
    for path in find_notebooks(paths):
        start = time.perf_counter()
        try:
            nb = execute(path)
        except Exception as exc:  # noqa: BLE001 -- report every notebook, then fail
            failed += 1
            print(f"FAILED  {_display(path)}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        write(normalise(nb), path)
        print(f"ok      {_display(path)}  ({time.perf_counter() - start:.1f} s)")
    return 1 if failed else 0


# ---- check --------------------------------------------------------------------------------------
def problems(path):
    """The list of rule violations in the notebook at ``path`` (empty when it is fine)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    found = []
    number = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        number += 1
        where = f"{_display(path)}: code cell {number} (cell {index})"
        if not cell.source.strip():
            found.append(f"{where} is empty: delete it")
            continue
        if cell.get("execution_count") is None:
            found.append(f"{where} has no execution count: run `python -m tools.notebooks run "
                         f"{_display(path)}` so nbval compares its output")
        if _is_ignored(cell) and not WIDGET_SOURCE.search(cell.source):
            found.append(f"{where} ignores its output but shows no widget: remove the "
                         f"'{IGNORE_TAG}' tag / NBVAL_IGNORE_OUTPUT comment (only live widget cells may "
                         f"carry it)")
    return found


def check(paths):
    notebooks = find_notebooks(paths)
    found = [line for path in notebooks for line in problems(path)]
    for line in found:
        print(line, file=sys.stderr)
    if not found:
        print(f"ok: {len(notebooks)} notebooks checked")
    return 1 if found else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("run", "check"))
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    args = parser.parse_args(argv)
    return run(args.paths) if args.command == "run" else check(args.paths)


if __name__ == "__main__":
    sys.exit(main())
