"""MindSpore's auto-parallel context: how a training run is split across processes.

``set_auto_parallel_context(parallel_mode='data_parallel', gradients_mean=True)`` before building
the network; ``TrainOneStepCell`` then averages gradients across the MPI world and, with
``parameter_broadcast=True``, copies rank 0's initial weights to every rank at the first call.

Modes: ``stand_alone`` (default, one process), ``data_parallel`` (each rank a shard of the batch,
gradients all-reduced), ``hybrid_parallel`` (as data parallel, with the user splitting some
layers by hand), ``semi_auto_parallel`` and ``auto_parallel`` (accepted, refused when training
starts: sporelab has no automatic operator sharding).

>>> import sporelab as ms
>>> ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)
>>> ms.get_auto_parallel_context("parallel_mode"), ms.get_auto_parallel_context("gradients_mean")
('data_parallel', True)
>>> ms.reset_auto_parallel_context()
>>> ms.get_auto_parallel_context("parallel_mode")
'stand_alone'
"""

import copy
import warnings

from .._checks import is_int
from ..communication import management
from ..random import get_seed

__all__ = ["ParallelMode", "set_auto_parallel_context", "get_auto_parallel_context",
           "reset_auto_parallel_context"]


class ParallelMode:
    """The parallel modes, as MindSpore spells them (``ParallelMode.DATA_PARALLEL == 'data_parallel'``)."""
    STAND_ALONE = "stand_alone"
    DATA_PARALLEL = "data_parallel"
    HYBRID_PARALLEL = "hybrid_parallel"
    SEMI_AUTO_PARALLEL = "semi_auto_parallel"
    AUTO_PARALLEL = "auto_parallel"
    MODE_LIST = [STAND_ALONE, DATA_PARALLEL, HYBRID_PARALLEL, SEMI_AUTO_PARALLEL, AUTO_PARALLEL]


def _int_range(low, high):
    def check(key, value):
        if not low <= value <= high:
            raise ValueError(f"The context configuration parameter '{key}' must be in [{low}, {high}], "
                             f"but got the value of {key} : {value}.")
    return check


def _mode(key, value):
    if value not in ParallelMode.MODE_LIST:
        raise ValueError("The context configuration parameter 'parallel_mode' only support 'stand_alone', "
                         "'data_parallel', 'hybrid_parallel', 'semi_auto_parallel' and 'auto_parallel', "
                         f"but got the value : {value}.")


def _choice(*choices):
    def check(key, value):
        if value not in choices:
            raise ValueError(f"The context configuration parameter '{key}' must be one of {list(choices)}, "
                             f"but got the value : {value!r}.")
    return check


def _positive(key, value):
    if value < 1:
        raise ValueError(f"The context configuration parameter '{key}' must be >= 1, but got {value}.")


def _non_negative(key, value):
    if value < 0:
        raise ValueError(f"The context configuration parameter '{key}' must be >= 0, but got {value}.")


def _int_list(key, value):
    for item in value:
        if not is_int(item):
            raise TypeError(f"The context configuration parameter '{key}' must be a list of int, but got "
                            f"an element of type {type(item).__name__}.")


# key: (default, accepted types, value check)
_KEYS = {
    "device_num": (1, int, _int_range(1, 4096)),
    "global_rank": (0, int, _int_range(0, 4095)),
    "gradients_mean": (False, bool, None),
    "gradient_fp32_sync": (True, bool, None),
    "loss_repeated_mean": (True, bool, None),
    "parallel_mode": (ParallelMode.STAND_ALONE, str, _mode),
    "search_mode": ("dynamic_programming", str,
                    _choice("recursive_programming", "dynamic_programming", "sharding_propagation")),
    "auto_parallel_search_mode": ("dynamic_programming", str,
                                  _choice("recursive_programming", "dynamic_programming", "sharding_propagation")),
    "parameter_broadcast": (False, bool, None),
    "strategy_ckpt_load_file": ("", str, None),
    "strategy_ckpt_save_file": ("", str, None),
    "full_batch": (False, bool, None),
    "dataset_strategy": ("data_parallel", (str, tuple), None),
    "enable_parallel_optimizer": (False, bool, None),
    "enable_alltoall": (False, bool, None),
    "all_reduce_fusion_config": ([], list, _int_list),
    "pipeline_stages": (1, int, _positive),
    "grad_accumulation_step": (1, int, _positive),
    "parallel_optimizer_config": ({}, dict, None),
    "comm_fusion": ({}, dict, None),
    "fusion_threshold": (64, int, _non_negative),
    # kungfu-team/mindspore v1.5.0 mindspore/ccsrc/frontend/parallel/context.h: the three modes.
    "communi_parallel_mode": ("all_group_parallel", str,
                              _choice("all_group_parallel", "same_server_group_parallel", "no_group_parallel")),
}

_state = {}
_explicit = set()


def _type_name(types):
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(t.__name__ for t in types)


def _check_type(key, value, types):
    plain = types if isinstance(types, tuple) else (types,)
    if (isinstance(value, bool) and bool not in plain) or not isinstance(value, plain):
        raise TypeError(f"The context configuration parameter '{key}' must be {_type_name(types)}, but got "
                        f"{type(value).__name__} ({value!r}).")


def set_auto_parallel_context(**kwargs):
    """Set parallel-training attributes (keyword arguments only; a failed call changes nothing).

    Keys and defaults: ``parallel_mode`` 'stand_alone'; ``gradients_mean`` False;
    ``parameter_broadcast`` False; ``device_num`` 1 (in [1, 4096]; unset means the world size);
    ``global_rank`` 0 (in [0, 4095]); ``gradient_fp32_sync`` True; ``full_batch`` False;
    ``enable_parallel_optimizer`` False; ``pipeline_stages`` 1; ``all_reduce_fusion_config`` [];
    ``comm_fusion`` {}; ``dataset_strategy`` 'data_parallel'; ``search_mode``; ``fusion_threshold``
    64 and a few more accepted for compatibility. Only ``parallel_mode``, ``gradients_mean``,
    ``parameter_broadcast`` and ``device_num`` change what sporelab computes.

    Raises:
        ValueError: an unknown key; a value out of range; an unknown parallel mode.
        TypeError: a value of the wrong type (``device_num=2.0``, ``gradients_mean=1``).
    """
    for key, value in kwargs.items():
        if key not in _KEYS:
            raise ValueError(f"Set context keyword {key} is not recognized! Known keys: {sorted(_KEYS)}.")
        _, types, check = _KEYS[key]
        _check_type(key, value, types)
        if check is not None:
            check(key, value)
    for key, value in kwargs.items():
        _state[key] = copy.deepcopy(value)
        _explicit.add(key)


def get_auto_parallel_context(attr_key):
    """The value of one attribute (see ``set_auto_parallel_context``).

    Raises:
        ValueError: an unknown key.
    """
    if not isinstance(attr_key, str) or attr_key not in _KEYS:
        raise ValueError(f"Get context keyword {attr_key} is not recognized! Known keys: {sorted(_KEYS)}.")
    if attr_key == "device_num" and attr_key not in _explicit:
        return _KEYS["device_num"][0]
    return copy.deepcopy(_state.get(attr_key, _KEYS[attr_key][0]))


def reset_auto_parallel_context():
    """Every attribute back to its default (stand_alone, gradients_mean False, ...)."""
    _state.clear()
    _explicit.clear()


# ---- what the engine asks (MindSpore's parallel/_utils.py) ------------------------------------
def _get_parallel_mode():
    return _state.get("parallel_mode", ParallelMode.STAND_ALONE)


def _get_gradients_mean():
    return _state.get("gradients_mean", False)


def _is_in_parallel_mode():
    """MindSpore's ``_is_in_parallel_mode`` (common/parameter.py): semi_auto_parallel or auto_parallel."""
    return _get_parallel_mode() in (ParallelMode.SEMI_AUTO_PARALLEL, ParallelMode.AUTO_PARALLEL)


def _keeps_parameters_lazy():
    """Whether a Parameter built from ``initializer(...)`` waits for ``init_data`` to create its data:
    in MindSpore's parallel modes and, in sporelab, in hybrid_parallel, where parameters are sliced."""
    return _is_in_parallel_mode() or _get_parallel_mode() == ParallelMode.HYBRID_PARALLEL


def _is_distributed():
    """Whether gradients are communicated: data_parallel or hybrid_parallel."""
    return _get_parallel_mode() in (ParallelMode.DATA_PARALLEL, ParallelMode.HYBRID_PARALLEL)


def _get_device_num():
    """1 in stand_alone; else ``device_num`` if it was set, otherwise the world's size."""
    if _get_parallel_mode() == ParallelMode.STAND_ALONE:
        return 1
    if "device_num" in _explicit:
        return _state["device_num"]
    if not management.GlobalComm.INITED:
        management.init()
    return management.get_group_size()


def _check_trainable_mode():
    """Refuse, when training starts, what sporelab cannot run (the automatic sharding modes)."""
    mode = _get_parallel_mode()
    if mode in (ParallelMode.SEMI_AUTO_PARALLEL, ParallelMode.AUTO_PARALLEL):
        raise NotImplementedError(
            f"parallel_mode '{mode}' is accepted by set_auto_parallel_context for compatibility, but sporelab "
            f"cannot shard operators automatically. Use 'data_parallel' (split the batch) or "
            f"'hybrid_parallel' (split layers by hand with ops.AllGather), or 'stand_alone'.")
    if _state.get("parameter_broadcast", False) and mode == ParallelMode.STAND_ALONE:
        raise ValueError("stand_alone, semi_auto_parallel and auto_parallel do not support parameter "
                         f"broadcast, parallel_mode: {mode}, parameter_broadcast: True. Set "
                         "parallel_mode='data_parallel' or parameter_broadcast=False.")


def _get_parameter_broadcast():
    """Whether to broadcast rank 0's parameters at the first call (newer MindSpore: only when set).

    In data/hybrid parallel with neither broadcast nor a seed, warn as MindSpore does: the ranks
    would start from different random weights.
    """
    broadcast = _state.get("parameter_broadcast", False)
    if _is_distributed() and not broadcast:
        if get_seed() is None:
            warnings.warn("You are suggested to use mindspore.context.set_auto_parallel_context"
                          "(parameter_broadcast=True) or mindspore.common.set_seed() to share parameters "
                          "among multi-devices.", UserWarning, stacklevel=3)
    return broadcast and _is_distributed()
