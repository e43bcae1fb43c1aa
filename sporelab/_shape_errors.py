"""Shape errors of the binary operators in sporelab's words: the operator, both shapes and the rule
(instead of NumPy's "mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?)").

Checked before computing rather than by catching NumPy's ValueError, which also means other things
(an integer to a negative integer power).

>>> import numpy as np
>>> check_shapes("add", np.ones((2, 3)), np.ones(4))
Traceback (most recent call last):
ValueError: Operator '+' (add) cannot combine shapes (2, 3) and (4,): the shapes must broadcast: compared from the right, each pair of dimensions must be equal or one of them 1, but dimension -1 is 3 against 4.
"""  # noqa: E501 -- a doctest's expected error is one line

__all__ = ["check_shapes"]

_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**", "matmul": "@",
            "floordiv": "//", "mod": "%", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _shape_of(operand):
    return getattr(operand, "shape", ())      # a Tensor's shape; a Python number is 0-d


def _matmul_rule(left, right):
    """None when ``left @ right`` is defined, else why not (NumPy's matmul rule, in words)."""
    if not left or not right:
        return "'@' needs tensors with at least one dimension; use '*' to scale by a number"
    inner_left, inner_right = left[-1], right[0] if len(right) == 1 else right[-2]
    if inner_left != inner_right:
        which = "only dimension" if len(right) == 1 else "second-to-last dimension"
        return (f"the left's last dimension ({inner_left}) must equal the right's {which} "
                f"({inner_right}): (n, k) @ (k, m) -> (n, m)")
    return _broadcast_rule(left[:-2], right[:-2], "the batch dimensions (all but the last two)")


def _broadcast_rule(left, right, what="the shapes"):
    """None when the shapes broadcast, else the rule and the first pair of dimensions that breaks it."""
    for i, (a, b) in enumerate(zip(reversed(left), reversed(right)), 1):
        if a != b and 1 not in (a, b):
            return (f"{what} must broadcast: compared from the right, each pair of dimensions must be "
                    f"equal or one of them 1, but dimension -{i} is {a} against {b}")
    return None


def check_shapes(name, left, right):
    """Refuse operands whose shapes ``name`` cannot combine, naming the operator, both shapes and the rule."""
    a, b = _shape_of(left), _shape_of(right)
    why = _matmul_rule(a, b) if name == "matmul" else _broadcast_rule(a, b)
    if why is not None:
        raise ValueError(f"Operator '{_SYMBOLS[name]}' ({name}) cannot combine shapes {a} and {b}: {why}.")
