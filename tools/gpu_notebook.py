"""Run a notebook's code cells on the GPU machine, without Jupyter, and compare what they print with
the outputs stored in the notebook (which were made on the CPU).

    python -m tools.gpu_notebook notebooks/en/gluon_parameter.ipynb [--stand-in]

Each code cell runs in one shared namespace, as in a kernel: its stdout, its error (name and
message) and the repr of a final expression are its output. Both sides pass through the project's
nbval sanitize rules, then context names are blanked (``cpu(0)`` and ``gpu(0)`` both read
``<ctx>(0)``): everything else must match. Cells tagged ``nbval-skip`` are not run; cells tagged
``nbval-ignore-output`` run but are not compared. The run must also have put at least one Tensor on
``gpu(0)`` (the notebook took its GPU branch), else it fails.

``--stand-in`` plugs in the tests' strict stand-in GPU (tests/_strict_gpu.py) first: how `make test`
checks this script on machines without a GPU. Exit status 0 when everything matched.
"""

import ast
import configparser
import contextlib
import io
import json
import pathlib
import re
import sys
import traceback

ROOT = pathlib.Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "notebooks" / "nbval_sanitize.cfg"
_CONTEXT = re.compile(r"\b(?:cpu|gpu)\((\d+)\)")


def sanitize_rules(path=SANITIZE):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def normalise(text, rules):
    for regex, replace in rules:
        text = regex.sub(replace, text)
    return _CONTEXT.sub(r"<ctx>(\1)", text)


def stored_output(cell):
    """The cell's stored output as one text: streams, text/plain results, errors (name: message)."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append("".join(out["text"]))
        elif out["output_type"] in ("execute_result", "display_data") and "text/plain" in out.get("data", {}):
            parts.append("".join(out["data"]["text/plain"]) + "\n")
        elif out["output_type"] == "error":
            parts.append(f"{out['ename']}: {out['evalue']}\n")
    return "".join(parts)


def run_cell(source, namespace):
    """(what the cell printed, as ``stored_output`` writes it) after running it in ``namespace``."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 -- the notebook's own cell, as a kernel runs it
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None
        except Exception as error:  # noqa: BLE001 -- the notebook's own error output is compared
            return buffer.getvalue() + f"{type(error).__name__}: {error}\n"
    return buffer.getvalue() + (repr(value) + "\n" if value is not None else "")


def _gpu_tensors(namespace):
    import sporelab as ms
    return [k for k, v in namespace.items() if isinstance(v, ms.Tensor) and v.device.is_gpu]


def use_stand_in():
    from sporelab import device
    from tests import _strict_gpu
    device._use_gpu_backend(_strict_gpu.module(n_devices=1))


def check(path):
    """(number of cells compared, list of mismatch descriptions, names of GPU tensors made)."""
    notebook = json.loads(pathlib.Path(path).read_text())
    rules, namespace, mismatches, compared = sanitize_rules(), {"__name__": "__main__"}, [], 0
    for index, cell in enumerate(notebook["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or "nbval-skip" in tags:
            continue
        try:
            got = run_cell("".join(cell["source"]), namespace)
        except SyntaxError:
            mismatches.append(f"cell {index}: does not parse\n{traceback.format_exc()}")
            continue
        if "nbval-ignore-output" in tags:
            continue
        compared += 1
        want = normalise(stored_output(cell), rules)
        if normalise(got, rules) != want:
            mismatches.append(f"cell {index}:\n--- stored (CPU)\n{want}--- now\n{normalise(got, rules)}")
    return compared, mismatches, _gpu_tensors(namespace)


def main(argv):
    if "--stand-in" in argv:
        use_stand_in()
        argv = [a for a in argv if a != "--stand-in"]
    path = argv[0] if argv else str(ROOT / "notebooks" / "en" / "gluon_parameter.ipynb")
    compared, mismatches, on_gpu = check(path)
    for text in mismatches:
        print(text)
    if not on_gpu:
        print("the notebook put no Tensor on a GPU: its gpu(0) branch did not run")
    ok = not mismatches and bool(on_gpu)
    print(f"{pathlib.Path(path).name}: {compared} cells compared, {len(mismatches)} differ, "
          f"GPU tensors: {', '.join(on_gpu) or 'none'}: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
