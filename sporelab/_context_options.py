"""The options of MindSpore r1.x's ``set_context`` that change nothing in sporelab, checked as there.

sporelab runs eagerly on NumPy (or CuPy): there is no graph to save, no kernel fusion, no device
memory pool and no compile cache. A MindSpore script still sets these options on its first line,
so ``set_context`` accepts every one that MindSpore v1.5.0 documents, refuses a wrong type or
value with MindSpore's check, and ``get_context`` returns what was set (or MindSpore's default).

Source: kungfu-team/mindspore, tag v1.5.0, ``mindspore/context.py`` (``set_context``'s
``args_type_check`` list, the ``_Context.setters`` and their checks, the documented defaults).

>>> from sporelab import _context_options as options
>>> options.check_option("max_call_depth", 0)
Traceback (most recent call last):
    ...
ValueError: For 'set_context', the argument 'max_call_depth' must be greater than 0, but got 0.
"""

import os
import re

from ._checks import is_int
from .errors import ArgumentTypeError

__all__ = ["OPTIONS", "check_option", "defaults"]

# MindSpore v1.5.0 context.py: _re_pattern and _DEVICE_APP_MEMORY_SIZE.
_MEMORY_PATTERN = re.compile(r'[1-9][0-9]*(\.)?[0-9]*GB|0\.[0-9]*GB')
_DEVICE_APP_MEMORY_GB = 31


def _positive(key, value):
    if value <= 0:
        raise ValueError(f"For 'set_context', the argument '{key}' must be greater than 0, but got {value}.")


def _memory_size(key, value):
    if not _MEMORY_PATTERN.fullmatch(value) or float(value[:-2]) == 0:
        raise ValueError(f"For 'set_context', the argument '{key}' must be a size such as \"3.5GB\", "
                         f"but got {value!r}.")


def _variable_memory(key, value):
    if not re.fullmatch(r'[1-9][0-9]*GB', value):
        raise ValueError(f"For 'set_context', the argument '{key}' must be a whole size such as \"5GB\", "
                         f"but got {value!r}.")
    if int(value[:-2]) > _DEVICE_APP_MEMORY_GB:
        raise ValueError(f"For 'set_context', the argument '{key}' must be at most "
                         f"\"{_DEVICE_APP_MEMORY_GB}GB\", but got {value!r}.")


def _tune_mode(key, value):
    choices = ("NO_TUNE", "RL", "GA", "RL,GA", "GA,RL")
    if value not in choices:
        raise ValueError(f"For 'set_context', the argument '{key}' must be one of {list(choices)}, "
                         f"but got {value!r}.")


def _print_file(key, value):
    if value and os.path.isdir(os.path.realpath(value)):      # MindSpore v1.5.0: IOError (OSError)
        raise OSError(f"For 'set_context', the argument '{key}' must be a file path, but {value!r} is a directory.")


# key: (type, MindSpore's default, extra check, why it changes nothing in sporelab)
OPTIONS = {
    "save_graphs": (bool, False, None, "no graphs are compiled: execution is eager"),
    "save_graphs_path": (str, ".", None, "no graphs are compiled: execution is eager"),
    "precompile_only": (bool, False, None, "nothing is compiled"),
    "reserve_class_name_in_scope": (bool, True, None, "no graph scopes: names are Parameter names"),
    "pynative_synchronize": (bool, False, None, "every operation already finishes before the next"),
    "enable_graph_kernel": (bool, False, None, "no kernel fusion: each operation is one NumPy call"),
    "graph_kernel_flags": (str, "", None, "no kernel fusion"),
    "enable_reduce_precision": (bool, True, None, "dtypes are never lowered behind your back"),
    "auto_tune_mode": (str, "NO_TUNE", _tune_mode, "no operator tuning (Ascend only in MindSpore)"),
    "check_bprop": (bool, False, None, "no custom bprop functions"),
    "max_call_depth": (int, 1000, _positive, "Python's own recursion limit applies"),
    "enable_sparse": (bool, False, None, "sparse tensors are not provided"),
    "grad_for_scalar": (bool, False, None, "gradients of Python scalars are not taken"),
    "save_compile_cache": (bool, False, None, "nothing is compiled"),
    "load_compile_cache": (bool, False, None, "nothing is compiled"),
    "max_device_memory": (str, "1024GB", _memory_size, "CuPy's memory pool grows as needed"),
    "variable_memory_max_size": (str, "30GB", _variable_memory, "no device memory split (Ascend only)"),
    "print_file_path": (str, "", _print_file, "ops.Print is not provided (Ascend only in MindSpore)"),
    "env_config_path": (str, "", None, "no IR dump configuration"),
    "enable_dump": (bool, False, None, "no data dump (deprecated in MindSpore 1.5)"),
    "save_dump_path": (str, ".", None, "no data dump (deprecated in MindSpore 1.5)"),
    "enable_profiling": (bool, False, None, "no profiler (deprecated in MindSpore 1.5)"),
    "profiling_options": (str, "training_trace", None, "no profiler (deprecated in MindSpore 1.5)"),
    "enable_auto_mixed_precision": (bool, False, None, "no automatic mixed precision (deprecated in 1.5)"),
}


def defaults():
    """Every option at MindSpore's default."""
    return {key: default for key, (_, default, _, _) in OPTIONS.items()}


def _type_ok(value, expected):
    if expected is int:
        return is_int(value)
    return isinstance(value, expected)


def check_option(key, value):
    """Check ``value`` for option ``key`` as MindSpore v1.5.0 does: a wrong type is a TypeError
    (``args_type_check``), a wrong value a ValueError; an unknown key is MindSpore's ValueError."""
    if key not in OPTIONS:
        raise ValueError(f"Set context keyword {key} is not recognized!")
    expected, _, extra_check, _ = OPTIONS[key]
    if not _type_ok(value, expected):
        raise TypeError(f"For 'set_context', the argument '{key}' must be {expected.__name__}, "
                        f"but got {value!r} of type {type(value).__name__}.")
    if extra_check is not None:
        extra_check(key, value)


def check_device_target_type(value):
    """``device_target`` must be a str: MindSpore's TypeError, sporelab's ValueError, both caught."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"The argument 'device_target' must be 'CPU' or 'GPU', but got {value!r}.")
