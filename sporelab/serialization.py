"""Checkpoints: ``save_checkpoint``, ``load_checkpoint``, ``load_param_into_net`` (MindSpore's API).

>>> import os, tempfile
>>> import sporelab as ms
>>> from sporelab import nn
>>> from sporelab.serialization import save_checkpoint, load_checkpoint, load_param_into_net
>>> net = nn.Dense(3, 4)
>>> path = os.path.join(tempfile.mkdtemp(), "dense")
>>> save_checkpoint(net, path)                      # writes dense.ckpt
>>> params = load_checkpoint(path + ".ckpt")
>>> params["weight"]
Parameter (name=weight, shape=(4, 3), dtype=Float32, requires_grad=True)
>>> load_param_into_net(nn.Dense(3, 4), params)   # (param_not_load, ckpt_not_load)
([], [])

The file format is sporelab's own, not MindSpore's protobuf: a NumPy ``.npz`` archive (a zip of
``.npy`` arrays) holding one array per parameter (``p0``, ``p1``, ...) and a ``__sporelab_meta__``
entry, UTF-8 JSON stored as a uint8 array, with the format name and version and each parameter's
name, dtype name (``Float32``) and shape. It is read with ``allow_pickle=False``, so loading a file
can never run code, whoever wrote it; values round-trip bit for bit (NaN payloads and -0.0 too).
A save writes a temporary file next to the target and renames it over the target only once it is
complete and flushed to disk, so an interrupted save leaves the previous checkpoint intact.
"""

import contextlib
import json
import os
import stat
import tempfile
import warnings
import zipfile
from collections import OrderedDict

import numpy as np

from . import dtype as mstype
from ._checks import check_bool, is_int
from .errors import ArgumentTypeError
from .parameter import Parameter
from .tensor import Tensor

__all__ = ["save_checkpoint", "load_checkpoint", "load_param_into_net"]

FORMAT_NAME = "sporelab-checkpoint"
FORMAT_VERSION = 1
META_KEY = "__sporelab_meta__"
_DTYPES = {t.name: t for t in mstype.all_types}
_SAVE_OBJ_HINT = ("a Cell, or a list of dicts {'name': str, 'data': Parameter or Tensor} such as "
                  "[{'name': p.name, 'data': p} for p in params]")


def _check_bool(value, argument, func):
    check_bool(value, f"For '{func}', the argument '{argument}' must be a bool")


def _check_entry_name(name, argument):
    """A name that survives ``Parameter(name=...)`` unchanged: a non-empty, unpadded str."""
    if not isinstance(name, str):
        raise TypeError(f"For 'save_checkpoint', {argument} must be a str, but got {type(name).__name__}.")
    if not name or name != name.strip() or len(name) > 1024:
        raise ValueError(f"For 'save_checkpoint', {argument} {name[:40]!r} is invalid: a parameter name "
                         f"must be non-empty, at most 1024 characters, without surrounding spaces.")


def _file_path(ckpt_file_name, func):
    try:
        name = os.fspath(ckpt_file_name) if isinstance(ckpt_file_name, (str, os.PathLike)) else None
    except TypeError:
        name = None
    if not isinstance(name, str):     # MindSpore v1.5.0 load_checkpoint(1): ValueError; both catch this
        raise ArgumentTypeError(f"For '{func}', the argument 'ckpt_file_name' must be a str or a path object such "
                        f"as 'net.ckpt', but got {type(ckpt_file_name).__name__}.")
    if not name or "\0" in name:
        raise ValueError(f"For '{func}', the argument 'ckpt_file_name' must be a file name such as "
                         f"'net.ckpt', but got {name!r}.")
    return os.path.abspath(name)


# ---- saving ----------------------------------------------------------------------------------
def save_checkpoint(save_obj, ckpt_file_name, integrated_save=True, async_save=False, append_dict=None):
    """Save the parameters of a network (or a list of named tensors) to a checkpoint file.

    Args:
        save_obj: a Cell (every parameter is saved under ``param.name``, after
            ``init_parameters_data()``), or a list of ``{"name": str, "data": Parameter or Tensor}``.
        ckpt_file_name (str or os.PathLike): the file; '.ckpt' is appended when missing, as in
            MindSpore. An existing file is replaced; the new file is made read-only for its owner.
        integrated_save (bool): kept for MindSpore compatibility (it matters only when a model is
            split across devices); it has no effect here.
        async_save (bool): accepted for compatibility; the save is always done synchronously, so
            the file is complete when the call returns.
        append_dict (dict): extra values ``{str: int, float or bool}`` (an epoch, a learning rate)
            saved next to the parameters. As in MindSpore they are stored as ``Tensor(value)``
            (int -> Int64, float -> Float32, bool -> Bool, shape ``()``) and come back from
            ``load_checkpoint`` as Parameters of scalar tensors: ``float(params["lr"])``.

    Raises:
        TypeError: ``save_obj`` is neither form; an element's name is not a str or its data not a
            Tensor; ``ckpt_file_name`` not a str/path; a flag not a bool; ``append_dict`` not a
            dict of str to int/float/bool.
        ValueError: a name that is empty, padded or repeated; an element dict without 'name' or
            'data'; ``ckpt_file_name`` is a directory or its directory does not exist; an int in
            ``append_dict`` that does not fit in Int64.
        OSError: the file could not be written (permissions, disk full); a previous file is intact.

    >>> import os, tempfile
    >>> import sporelab as ms
    >>> path = os.path.join(tempfile.mkdtemp(), "w.ckpt")
    >>> w = ms.Parameter(ms.Tensor([1.0, 2.0]), name="w")
    >>> save_checkpoint([{"name": "w", "data": w}], path, append_dict={"epoch": 3})
    >>> sorted(load_checkpoint(path))
    ['epoch', 'w']
    """
    _check_bool(integrated_save, "integrated_save", "save_checkpoint")
    _check_bool(async_save, "async_save", "save_checkpoint")
    path = _save_path(ckpt_file_name)
    appended = _collect_append(append_dict)
    entries = _collect_cell(save_obj) if _is_cell(save_obj) else _collect_list(save_obj)
    _check_unique(entries, appended)
    _atomic_write(path, _encode(entries + appended, [name for name, _ in appended]))


def _check_unique(entries, appended):
    seen = set()
    for name, _ in entries + appended:
        if name in seen:
            where = "'append_dict'" if name in dict(appended) else "'save_obj'"
            raise ValueError(f"For 'save_checkpoint', the name '{name}' appears twice (in {where}); every "
                             f"saved entry needs its own name.")
        seen.add(name)


def _is_cell(obj):
    from .nn.cell import Cell          # deferred: nn imports the engine, not the other way round
    return isinstance(obj, Cell)


def _save_path(ckpt_file_name):
    path = _file_path(ckpt_file_name, "save_checkpoint")
    if not path.endswith(".ckpt"):
        path += ".ckpt"
    if os.path.isdir(path):
        raise ValueError(f"For 'save_checkpoint', the argument 'ckpt_file_name' names the directory "
                         f"'{path}'; give a file name inside it, e.g. '{os.path.join(path, 'net.ckpt')}'.")
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise ValueError(f"For 'save_checkpoint', the directory '{directory}' of 'ckpt_file_name' does not "
                         f"exist; create it first: os.makedirs({directory!r}, exist_ok=True).")
    return path


def _collect_cell(net):
    net.init_parameters_data()
    return [(param.name, _host_array(param)) for param in net.get_parameters()]


def _collect_list(save_obj):
    if not isinstance(save_obj, list):
        raise TypeError(f"For 'save_checkpoint', the argument 'save_obj' must be {_SAVE_OBJ_HINT}, but got "
                        f"{type(save_obj).__name__}.")
    entries = []
    for index, item in enumerate(save_obj):
        if not isinstance(item, dict):
            raise TypeError(f"For 'save_checkpoint', the argument 'save_obj' must be {_SAVE_OBJ_HINT}, but "
                            f"element {index} is a {type(item).__name__}.")
        missing = [key for key in ("name", "data") if key not in item]
        if missing:
            raise ValueError(f"For 'save_checkpoint', element {index} of 'save_obj' lacks the key(s) "
                             f"{missing}; each element is {{'name': str, 'data': Parameter or Tensor}}.")
        _check_entry_name(item["name"], f"save_obj[{index}]['name']")
        if not isinstance(item["data"], Tensor):
            raise TypeError(f"For 'save_checkpoint', save_obj[{index}]['data'] must be a Parameter or "
                            f"Tensor, but got {type(item['data']).__name__}; wrap arrays: ms.Tensor(array).")
        entries.append((item["name"], _host_array(item["data"])))
    return entries


def _collect_append(append_dict):
    if append_dict is None:
        return []
    if not isinstance(append_dict, dict):
        raise TypeError(f"For 'save_checkpoint', the argument 'append_dict' must be a dict such as "
                        f"{{'epoch': 3, 'lr': 0.01}}, but got {type(append_dict).__name__}.")
    entries = []
    for key, value in append_dict.items():
        _check_entry_name(key, "each key of 'append_dict'")
        if not isinstance(value, (int, float, bool)):
            raise TypeError(f"For 'save_checkpoint', the value of 'append_dict' key {key!r} must be an int, "
                            f"float or bool, but got {type(value).__name__}.")
        kind = bool if isinstance(value, bool) else int if isinstance(value, int) else float
        try:
            entries.append((key, _host_array(Tensor(kind(value)))))
        except ValueError:
            raise ValueError(f"For 'save_checkpoint', the value of 'append_dict' key {key!r} ({value}) does "
                             f"not fit in Int64.") from None
    return entries


def _host_array(tensor):
    """The value as a host NumPy array whose dtype is exactly the tensor's sporelab dtype."""
    array = np.asarray(tensor.asnumpy())
    return array.astype(tensor.dtype.nptype, copy=False)


def _encode(entries, appended):
    meta = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "appended": appended,
            "params": [{"name": name, "dtype": mstype.from_numpy(array.dtype).name, "shape": list(array.shape)}
                       for name, array in entries]}
    arrays = {f"p{i}": array for i, (_, array) in enumerate(entries)}
    arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    return arrays


def _atomic_write(path, arrays):
    """Write to a temporary file beside ``path``, fsync, then rename it over ``path``."""
    directory, tmp = os.path.dirname(path), None
    try:
        tmp = tempfile.NamedTemporaryFile(dir=directory, prefix="." + os.path.basename(path) + ".",
                                          suffix=".tmp", delete=False)
        with tmp:
            np.savez(tmp, **arrays)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, stat.S_IRUSR)          # read-only for the owner, like MindSpore
        _replace(tmp.name, path)
    except BaseException as error:
        if tmp is not None:
            _remove_quietly(tmp.name)
        if isinstance(error, OSError):
            message = (f"Could not save the checkpoint '{path}': {error.strerror or error}. Check that the "
                       f"directory is writable and the disk has space; any previous file there is intact.")
            raise (OSError(error.errno, message) if error.errno else OSError(message)) from error
        raise
    _fsync_directory(directory)


def _remove_quietly(name):
    with contextlib.suppress(OSError):
        os.chmod(name, stat.S_IRUSR | stat.S_IWUSR)
        os.unlink(name)


def _replace(source, target):
    try:
        os.replace(source, target)    # renames the directory entry: a read-only target is fine on POSIX
    except PermissionError:
        if os.name != "nt" or not os.path.exists(target):
            raise
        os.chmod(target, stat.S_IRUSR | stat.S_IWUSR)   # Windows refuses to replace a read-only file
        os.replace(source, target)


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); skipped where a directory cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---- loading ---------------------------------------------------------------------------------
def load_checkpoint(ckpt_file_name, net=None, strict_load=False, filter_prefix=None):
    """Read a checkpoint written by ``save_checkpoint``; optionally load it into ``net``.

    Args:
        ckpt_file_name (str or os.PathLike): the file; its name must end with '.ckpt'.
        net (Cell): if given, the values are also loaded into it with
            ``load_param_into_net(net, param_dict, strict_load)``.
        strict_load (bool): passed to ``load_param_into_net``.
        filter_prefix (str, list or tuple of str): entries whose names start with one of these
            prefixes are skipped (e.g. ``'fc2.'`` to leave the last layer out).

    Returns:
        OrderedDict ``{name: Parameter}`` in file order; each value is
        ``Parameter(Tensor(value, dtype), name=name)``, scalars (and ``append_dict`` values) with
        shape ``()``.

    Raises:
        TypeError: ``ckpt_file_name`` not a str/path; ``net`` not a Cell; ``strict_load`` not a bool;
            ``filter_prefix`` of another type.
        ValueError: the file is missing, a directory, not named '.ckpt', truncated, corrupted or
            not a sporelab checkpoint (a pickle file is refused, never unpickled); ``filter_prefix``
            empty or holding ''; nothing left after filtering.
        RuntimeError: from ``load_param_into_net`` (a shape or dtype mismatch; nothing changed).

    >>> import os, tempfile
    >>> from sporelab import nn
    >>> path = os.path.join(tempfile.mkdtemp(), "net.ckpt")
    >>> save_checkpoint(nn.SequentialCell([nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2)]), path)
    >>> list(load_checkpoint(path, filter_prefix="2."))
    ['0.weight', '0.bias']
    """
    path = _file_path(ckpt_file_name, "load_checkpoint")
    if net is not None and not _is_cell(net):
        raise TypeError(f"For 'load_checkpoint', the argument 'net' must be a Cell or None, but got "
                        f"{type(net).__name__}.")
    _check_bool(strict_load, "strict_load", "load_checkpoint")
    prefixes = _check_filter_prefix(filter_prefix)
    specs, read = _open_checkpoint(path)
    result = OrderedDict()
    for index, spec in enumerate(specs):
        if not any(spec["name"].startswith(prefix) for prefix in prefixes):
            result[spec["name"]] = Parameter(Tensor(read(index), _DTYPES[spec["dtype"]]), name=spec["name"])
    if not result:
        if prefixes:
            raise ValueError("The loaded parameter dict is empty after filtering, please check filter_prefix.")
        raise ValueError(f"For 'load_checkpoint', the checkpoint '{path}' holds no parameters.")
    if net is not None:
        load_param_into_net(net, result, strict_load)
    return result


def _check_filter_prefix(filter_prefix):
    if filter_prefix is None:
        return ()
    if not isinstance(filter_prefix, (str, list, tuple)):
        raise TypeError(f"For 'load_checkpoint', the argument 'filter_prefix' must be a str or a list or "
                        f"tuple of str, but got {type(filter_prefix).__name__}.")
    prefixes = (filter_prefix,) if isinstance(filter_prefix, str) else tuple(filter_prefix)
    if not prefixes:
        raise ValueError("For 'load_checkpoint', the argument 'filter_prefix' can't be an empty list or "
                         "tuple; pass None to keep every parameter.")
    for index, prefix in enumerate(prefixes):
        if not isinstance(prefix, str):
            raise TypeError(f"For 'load_checkpoint', every element of 'filter_prefix' must be a str, but "
                            f"element {index} is {type(prefix).__name__}.")
        if not prefix:
            raise ValueError("For 'load_checkpoint', the argument 'filter_prefix' can't hold an empty str "
                             "(it would filter out every parameter).")
    return prefixes


class _BadFile(Exception):
    """Internal: what is wrong with a checkpoint file, turned into a ValueError naming the file."""


def _open_checkpoint(path):
    """Read and check the whole file; return (specs, read) where read(i) gives the i-th array."""
    if not path.endswith(".ckpt"):
        raise ValueError(f"For 'load_checkpoint', the checkpoint file name must end with '.ckpt', but got "
                         f"'{path}'. save_checkpoint adds '.ckpt': did you mean '{path}.ckpt'?")
    if not os.path.isfile(path):
        what = "is a directory" if os.path.isdir(path) else "does not exist"
        raise ValueError(f"For 'load_checkpoint', the checkpoint file '{path}' {what}; check the path "
                         f"(the current directory is '{os.getcwd()}').")
    try:
        with open(path, "rb") as file:
            _check_signature(file.read(4))
            file.seek(0)
            with np.load(file, allow_pickle=False) as npz:
                bad_member = npz.zip.testzip()
                if bad_member is not None:
                    raise _BadFile(f"its entry '{bad_member}' fails its checksum: the file is corrupted")
                specs = _read_meta(npz)
                arrays = [_read_array(npz, index, spec) for index, spec in enumerate(specs)]
    except _BadFile as error:
        reason = str(error)
    except zipfile.BadZipFile as error:
        reason = f"the file is truncated or corrupted ({error})"
    except Exception as error:  # noqa: BLE001 -- any failure to parse means a damaged file; nothing was executed
        reason = f"the file is damaged or was not written by sporelab.save_checkpoint ({type(error).__name__}: {error})"
    else:
        return specs, arrays.__getitem__
    raise ValueError(f"For 'load_checkpoint', cannot load the checkpoint '{path}': {reason}. Load a file "
                     f"written by sporelab.save_checkpoint (save the network again if this one is damaged).")


def _check_signature(head):
    if head == b"PK\x03\x04":
        return
    if not head:
        raise _BadFile("the file is empty (a save was interrupted, or it was created by something else)")
    if head[:1] == b"\x80":
        raise _BadFile("it looks like a Python pickle file; sporelab never unpickles files, because "
                       "unpickling can run any code")
    raise _BadFile("it is not a sporelab checkpoint (a zip archive written by save_checkpoint); MindSpore "
                   "or PyTorch checkpoints cannot be read")


def _read_meta(npz):
    if META_KEY not in npz.files:
        raise _BadFile(f"it has no '{META_KEY}' entry: it is a NumPy .npz archive, but not one written by "
                       f"sporelab.save_checkpoint")
    raw = npz[META_KEY]
    if not isinstance(raw, np.ndarray) or raw.dtype != np.uint8 or raw.ndim != 1:
        raise _BadFile(f"its '{META_KEY}' entry is not a sporelab header")
    meta = json.loads(raw.tobytes().decode("utf-8"))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME or not isinstance(meta.get("version"), int):
        raise _BadFile("its header does not describe a sporelab checkpoint")
    if meta["version"] > FORMAT_VERSION:
        raise _BadFile(f"it uses checkpoint format version {meta['version']}, newer than this sporelab "
                       f"reads ({FORMAT_VERSION}); upgrade sporelab")
    specs = meta.get("params")
    if not isinstance(specs, list) or not all(_valid_spec(spec) for spec in specs):
        raise _BadFile("its header lists the parameters wrongly")
    if len({spec["name"] for spec in specs}) != len(specs):
        raise _BadFile("its header names a parameter twice")
    if set(npz.files) != {META_KEY} | {f"p{i}" for i in range(len(specs))}:
        raise _BadFile("its entries do not match its header")
    return specs


def _valid_spec(spec):
    return (isinstance(spec, dict) and isinstance(spec.get("name"), str) and spec["name"]
            and spec["name"] == spec["name"].strip() and len(spec["name"]) <= 1024
            and spec.get("dtype") in _DTYPES
            and isinstance(spec.get("shape"), list)
            and all(is_int(d) and d >= 0 for d in spec["shape"]))


def _read_array(npz, index, spec):
    array = npz[f"p{index}"]
    expected = np.dtype(_DTYPES[spec["dtype"]].nptype)
    if (not isinstance(array, np.ndarray) or array.dtype.kind != expected.kind
            or array.dtype.itemsize != expected.itemsize or list(array.shape) != spec["shape"]):
        raise _BadFile(f"the data of '{spec['name']}' does not match its header "
                       f"({spec['dtype']}, shape {tuple(spec['shape'])})")
    return array.astype(expected, copy=False)     # native byte order; the same bits


# ---- loading into a network ------------------------------------------------------------------
def load_param_into_net(net, parameter_dict, strict_load=False):
    """Copy the values of ``parameter_dict`` into the parameters of ``net`` with the same names.

    Every entry is checked before anything is assigned: if one fails, no parameter of ``net``
    changes. Values are assigned with ``param.set_data(...)`` after casting to the net's dtype.

    Matching: a net parameter takes the entry named ``param.name``. With ``strict_load=False``,
    net parameters still missing get a second pass (suffix matching, as MindSpore strips a
    prefix): the first missing net name ``n`` (in net order) for which an unused entry named
    ``P + n`` exists, with ``P`` ending in '.', fixes the prefix ``P`` (e.g. 'backbone.' for entry
    'backbone.fc.weight' and net parameter 'fc.weight'); every missing ``n`` with an unused entry
    ``P + n`` loads from it; this repeats with the next such prefix until none is found. A warning
    says which prefix was stripped. Unlike MindSpore, entries used this way are not reported in
    ``ckpt_not_load``.

    Shapes must be equal, except that extra trailing 1-dims in the entry are dropped ((12, 2048,
    1, 1) loads into (12, 2048)). Dtypes must be equal, except that with ``strict_load=False`` a
    float entry loads into a float parameter (Float16/32/64) and a signed integer entry into a
    signed integer parameter (Int8..Int64), converted with a warning.

    Args:
        net (Cell): the network.
        parameter_dict (dict): ``{name: Parameter}``, e.g. from ``load_checkpoint``.
        strict_load (bool): refuse dtype conversions and skip the suffix matching.

    Returns:
        ``(param_not_load, ckpt_not_load)``: the names of net parameters that got no value, and
        the names of entries that were not used (the r2.x form).

    Raises:
        TypeError: ``net`` not a Cell; ``parameter_dict`` not a dict with str keys and Parameter
            values; ``strict_load`` not a bool.
        RuntimeError: a shape or dtype mismatch (nothing was changed).

    >>> from sporelab import nn
    >>> a, b = nn.Dense(3, 4), nn.Dense(3, 4)
    >>> load_param_into_net(b, a.parameters_dict())
    ([], [])
    >>> bool((a.weight == b.weight).all())
    True
    """
    if not _is_cell(net):
        raise TypeError(f"For 'load_param_into_net', the argument 'net' must be a Cell, but got "
                        f"{type(net).__name__}.")
    _check_parameter_dict(parameter_dict)
    _check_bool(strict_load, "strict_load", "load_param_into_net")
    net.init_parameters_data()
    plan, notes, used, missing = [], [], set(), []
    for _, param in net.parameters_and_names():
        if param.name in parameter_dict:
            plan.append(_prepare(param, parameter_dict[param.name], param.name, strict_load, notes))
            used.add(param.name)
        else:
            missing.append(param)
    if missing and not strict_load:
        missing = _match_suffixes(missing, parameter_dict, used, plan, notes)
    for note in notes:
        warnings.warn(note, stacklevel=2)
    for param, tensor in plan:
        param.set_data(tensor)
    return [param.name for param in missing], [name for name in parameter_dict if name not in used]


def _check_parameter_dict(parameter_dict):
    if not isinstance(parameter_dict, dict):
        raise TypeError(f"For 'load_param_into_net', the argument 'parameter_dict' must be a dict "
                        f"{{name: Parameter}} (e.g. from load_checkpoint), but got {type(parameter_dict).__name__}.")
    for key, value in parameter_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"For 'load_param_into_net', the keys of 'parameter_dict' must be str, but got "
                            f"{key!r} of type {type(key).__name__}.")
        if not isinstance(value, Parameter):
            raise TypeError(f"For 'load_param_into_net', parameter_dict[{key!r}] must be a Parameter, but got "
                            f"{type(value).__name__}; wrap it: ms.Parameter(value, name={key!r}).")


def _prepare(param, source, key, strict_load, notes):
    """Check one (net parameter, entry) pair; return (param, Tensor to assign)."""
    target, shape = param.dtype, param.shape
    if source.shape != shape and not _squeezable(source.shape, shape):
        raise RuntimeError(f"For 'load_param_into_net', the net parameter '{param.name}' has shape {shape}, "
                           f"but parameter_dict['{key}'] has shape {source.shape}. The checkpoint comes from a "
                           f"network of another structure: build the net with the same layer sizes, or skip "
                           f"the entry (load_checkpoint(..., filter_prefix=...)). Nothing was loaded.")
    if source.dtype is not target:
        if strict_load or not _convertible(source.dtype, target):
            rule = ("strict_load=True allows no conversion" if strict_load else "only float-to-float and "
                    "signed int-to-int conversions are done automatically")
            raise RuntimeError(f"For 'load_param_into_net', the net parameter '{param.name}' has dtype {target}, "
                               f"but parameter_dict['{key}'] has dtype {source.dtype}, and {rule}. Convert the "
                               f"entry first: parameter_dict['{key}'].set_dtype(ms.{_ms_name(target)}). "
                               f"Nothing was loaded.")
        notes.append(f"For 'load_param_into_net', parameter_dict['{key}'] ({source.dtype}) is converted to "
                     f"{target} to load into the net parameter '{param.name}'.")
    return param, Tensor(source.asnumpy().reshape(shape), target)


def _ms_name(t):
    return "bool_" if t is mstype.bool_ else t.name.lower()


def _squeezable(source, target):
    extra = source[len(target):]
    return len(source) > len(target) and source[:len(target)] == target and all(d == 1 for d in extra)


def _convertible(source, target):
    return {source, target} <= set(mstype.float_type) or {source, target} <= set(mstype.int_type)


def _match_suffixes(missing, parameter_dict, used, plan, notes):
    """The second pass for missing names (see load_param_into_net); return the names still missing."""
    tried = set()
    while missing:
        prefix = _next_prefix(missing, parameter_dict, used, tried)
        if prefix is None:
            break
        tried.add(prefix)
        still, loaded = [], []
        for param in missing:
            key = prefix + param.name
            if key in parameter_dict and key not in used:
                plan.append(_prepare(param, parameter_dict[key], key, False, notes))
                used.add(key)
                loaded.append(param.name)
            else:
                still.append(param)
        notes.append(f"For 'load_param_into_net', the prefix '{prefix}' was stripped from names in "
                     f"parameter_dict to load {loaded}.")
        missing = still
    return missing


def _next_prefix(missing, parameter_dict, used, tried):
    for param in missing:
        for key in parameter_dict:
            if key not in used and key.endswith("." + param.name):
                prefix = key[:-len(param.name)]
                if prefix not in tried:
                    return prefix
    return None
