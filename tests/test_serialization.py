"""Checkpoints: bit-exact round trips, loading into networks, atomic saves, refusing bad files."""

import json
import os
import pickle
import stat
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import sporelab as ms
from sporelab import dtype as mstype
from sporelab import nn
from sporelab.serialization import load_checkpoint, load_param_into_net, save_checkpoint

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
JUNK = st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=4), st.binary(max_size=4),
                 st.lists(st.integers(), max_size=2), st.tuples(st.integers()), st.builds(object),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def bits(array):
    """The raw bytes of an array, so NaN payloads and -0.0 compare exactly."""
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8)


def special_values(t):
    np_type = np.dtype(t.nptype)
    if t is mstype.bool_:
        return np.array([[True, False], [False, True]])
    if mstype.is_int(t):
        info = np.iinfo(np_type)
        return np.array([[info.min, info.max], [0, 1]], dtype=np_type)
    real = np.dtype(np_type.char.lower()) if t.kind == "c" else np_type
    uint = np.dtype(f"u{real.itemsize}")
    payload_nan = np.array([(1 << (real.itemsize * 8 - 1)) - 3], dtype=uint).view(real)[0]  # odd NaN bits
    finfo = np.finfo(real)
    values = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, payload_nan, finfo.smallest_subnormal,
                       finfo.max], dtype=real)
    if t.kind == "c":
        out = np.empty(8, np_type)
        out.real, out.imag = values, values[::-1]
        return out.reshape(2, 4)
    return values.reshape(2, 4)


def param_values(cell):
    return {name: p.asnumpy().copy() for name, p in cell.parameters_dict().items()}


def save_list(path, **tensors):
    save_checkpoint([{"name": k, "data": v} for k, v in tensors.items()], str(path))


@pytest.fixture
def ckpt(tmp_path):
    path = tmp_path / "net.ckpt"
    save_checkpoint(nn.Dense(3, 4), str(path))
    return path


# ---- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("t", mstype.all_types, ids=lambda t: t.name)
def test_every_dtype_round_trips_bit_exact(tmp_path, t):
    values = special_values(t)
    scalar = values.reshape(-1)[1]
    entries = [{"name": "array", "data": ms.Tensor(values)}, {"name": "scalar", "data": ms.Tensor(np.array(scalar))}]
    save_checkpoint(entries, str(tmp_path / "all.ckpt"))
    loaded = load_checkpoint(str(tmp_path / "all.ckpt"))
    assert list(loaded) == ["array", "scalar"]
    for name, expected in (("array", values), ("scalar", np.array(scalar))):
        param = loaded[name]
        assert isinstance(param, ms.Parameter) and param.name == name
        assert param.dtype is t and param.shape == expected.shape
        assert np.array_equal(bits(param.asnumpy()), bits(expected))


@FUZZ
@given(array=hnp.arrays(st.sampled_from([np.dtype(t.nptype) for t in mstype.all_types]),
                        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))
def test_random_arrays_round_trip_bit_exact(tmp_path, array):
    save_list(tmp_path / "r.ckpt", x=ms.Tensor(array))
    back = load_checkpoint(str(tmp_path / "r.ckpt"))["x"]
    assert back.shape == array.shape and back.dtype is mstype.from_numpy(array.dtype)
    assert np.array_equal(bits(back.asnumpy()), bits(array))


def test_dense_round_trip_into_perturbed_net(ckpt):
    net = nn.Dense(3, 4)
    save_checkpoint(net, str(ckpt))
    before = param_values(net)
    net.weight.set_data(ms.Tensor(np.zeros((4, 3), np.float32)))
    net.bias.set_data(ms.Tensor(np.ones(4, np.float32)))
    assert load_param_into_net(net, load_checkpoint(str(ckpt))) == ([], [])
    for name, value in param_values(net).items():
        assert np.array_equal(bits(value), bits(before[name]))


def test_sequential_cell_round_trip_and_load_via_net_argument(tmp_path):
    net = nn.SequentialCell([nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2)])
    save_checkpoint(net, tmp_path / "seq")                       # a Path, '.ckpt' appended
    assert os.listdir(tmp_path) == ["seq.ckpt"]
    other = nn.SequentialCell([nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2)])
    loaded = load_checkpoint(tmp_path / "seq.ckpt", net=other)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, value in param_values(other).items():
        assert np.array_equal(bits(value), bits(net.parameters_dict()[name].asnumpy()))
    assert str(loaded["0.weight"]) == "Parameter (name=0.weight, shape=(4, 3), dtype=Float32, requires_grad=True)"


def test_append_dict_round_trips_as_scalar_parameters(tmp_path):
    path = str(tmp_path / "a.ckpt")
    save_checkpoint(nn.Dense(2, 2), path, append_dict={"epoch": 3, "lr": 0.01, "done": True})
    loaded = load_checkpoint(path)
    assert list(loaded) == ["weight", "bias", "epoch", "lr", "done"]
    assert (loaded["epoch"].dtype, loaded["epoch"].shape, int(loaded["epoch"])) == (ms.int64, (), 3)
    assert loaded["lr"].dtype is ms.float32 and float(loaded["lr"]) == float(np.float32(0.01))
    assert loaded["done"].dtype is ms.bool_ and bool(loaded["done"]) is True
    net = nn.Dense(2, 2)
    assert load_param_into_net(net, loaded) == ([], ["epoch", "lr", "done"])


def test_empty_list_saves_but_loading_it_says_so(tmp_path):
    save_checkpoint([], str(tmp_path / "e.ckpt"))
    with pytest.raises(ValueError, match="holds no parameters"):
        load_checkpoint(str(tmp_path / "e.ckpt"))


def test_lazy_tensor_in_a_list_is_created_and_saved(tmp_path):
    from sporelab.common.initializer import initializer
    save_list(tmp_path / "l.ckpt", ones=initializer("ones", (2, 3), ms.float16))
    back = load_checkpoint(str(tmp_path / "l.ckpt"))["ones"]
    assert back.dtype is ms.float16 and np.array_equal(back.asnumpy(), np.ones((2, 3)))


# ---- filter_prefix -----------------------------------------------------------------------------
def test_filter_prefix_forms(tmp_path):
    path = str(tmp_path / "s.ckpt")
    save_checkpoint(nn.SequentialCell([nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2)]), path)
    assert list(load_checkpoint(path, filter_prefix="2.")) == ["0.weight", "0.bias"]
    assert list(load_checkpoint(path, filter_prefix=["0.w", "2.b"])) == ["0.bias", "2.weight"]
    assert list(load_checkpoint(path, filter_prefix=("0.",))) == ["2.weight", "2.bias"]
    with pytest.raises(ValueError, match=r"^The loaded parameter dict is empty after filtering, please check filter_prefix\.$"):
        load_checkpoint(path, filter_prefix=("0.", "2."))
    with pytest.raises(ValueError, match="filter_prefix"):
        load_checkpoint(path, filter_prefix=[])
    with pytest.raises(ValueError, match="filter_prefix"):
        load_checkpoint(path, filter_prefix=["0.", ""])
    with pytest.raises(TypeError, match="filter_prefix"):
        load_checkpoint(path, filter_prefix=3)
    with pytest.raises(TypeError, match="filter_prefix"):
        load_checkpoint(path, filter_prefix=["0.", 1])


# ---- load_param_into_net: dtypes, shapes, suffixes ---------------------------------------------
def test_float_dtype_mismatch_converts_with_warning_unless_strict():
    net = nn.Dense(3, 4)
    source = {k: ms.Parameter(ms.Tensor(v.asnumpy().astype(np.float64) + 1), name=k)
              for k, v in net.parameters_dict().items()}
    with pytest.raises(RuntimeError, match="dtype"):
        load_param_into_net(net, source, strict_load=True)
    with pytest.warns(UserWarning, match="converted to Float32"):
        assert load_param_into_net(net, source) == ([], [])
    assert net.weight.dtype is ms.float32
    assert np.array_equal(net.weight.asnumpy(), source["weight"].asnumpy().astype(np.float32))


def test_int_family_converts_but_int_into_float_never():
    net = nn.Cell()
    net.count = ms.Parameter(ms.Tensor(np.array([1, 2], np.int8)), name="count")
    with pytest.warns(UserWarning):
        load_param_into_net(net, {"count": ms.Parameter(ms.Tensor(np.array([5, 6], np.int64)), name="count")})
    assert net.count.dtype is ms.int8 and net.count.asnumpy().tolist() == [5, 6]
    dense = nn.Dense(2, 2)
    before = param_values(dense)
    bad = {"weight": ms.Parameter(ms.Tensor(np.ones((2, 2), np.int32)), name="weight")}
    with pytest.raises(RuntimeError, match=r"'weight'.*Float32.*Int32"):
        load_param_into_net(dense, bad)
    assert all(np.array_equal(v, before[k]) for k, v in param_values(dense).items())


def test_shape_mismatch_raises_and_changes_nothing():
    net = nn.Dense(3, 4)
    before = param_values(net)
    source = {"weight": ms.Parameter(ms.Tensor(np.full((4, 3), 7.0, np.float64)), name="weight"),
              "bias": ms.Parameter(ms.Tensor(np.zeros(5, np.float32)), name="bias")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match=r"'bias' has shape \(4,\).*\(5,\).*Nothing was loaded"):
            load_param_into_net(net, source)
    assert caught == []                       # no conversion warning for a load that did not happen
    for name, value in param_values(net).items():
        assert np.array_equal(bits(value), bits(before[name]))


def test_trailing_ones_in_the_checkpoint_are_squeezed():
    net = nn.Dense(3, 4)
    bias = np.arange(4, dtype=np.float32).reshape(4, 1, 1)
    assert load_param_into_net(net, {"bias": ms.Parameter(ms.Tensor(bias), name="bias")}) == (["weight"], [])
    assert net.bias.shape == (4,) and net.bias.asnumpy().tolist() == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match="shape"):          # same size, other leading dims
        load_param_into_net(net, {"weight": ms.Parameter(ms.Tensor(np.ones((2, 6, 1), np.float32)), name="w")})


def test_suffix_matching_strips_a_dotted_prefix():
    net = nn.Dense(3, 4)
    source = nn.SequentialCell([nn.Dense(3, 4)]).parameters_dict()            # 0.weight, 0.bias
    source["xweight"] = ms.Parameter(ms.Tensor(np.zeros((4, 3), np.float32)), name="xweight")
    assert load_param_into_net(net, source, strict_load=True) == (["weight", "bias"], list(source))
    with pytest.warns(UserWarning, match="prefix '0.'"):
        assert load_param_into_net(net, source) == ([], ["xweight"])
    assert np.array_equal(net.weight.asnumpy(), source["0.weight"].asnumpy())


def test_suffix_matching_tries_several_prefixes():
    net = nn.SequentialCell([nn.Dense(2, 3), nn.Dense(3, 1)])
    source = {"a.0.weight": net[0].weight.clone(), "b.1.weight": net[1].weight.clone(),
              "b.1.bias": net[1].bias.clone()}
    for key, value in source.items():
        value.name = key
    with pytest.warns(UserWarning):
        assert load_param_into_net(net, source) == (["0.bias"], [])


def test_missing_and_unused_names_are_reported():
    net = nn.Dense(3, 4)
    extra = ms.Parameter(ms.Tensor(np.ones(2, np.float32)), name="other")
    assert load_param_into_net(net, {"other": extra, "bias": net.bias.clone()}) == (["weight"], ["other"])


def test_load_param_into_net_argument_errors():
    net = nn.Dense(2, 2)
    with pytest.raises(TypeError, match="'net' must be a Cell"):
        load_param_into_net({"weight": net.weight}, net.parameters_dict())
    with pytest.raises(TypeError, match="'parameter_dict' must be a dict"):
        load_param_into_net(net, list(net.get_parameters()))
    with pytest.raises(TypeError, match=r"parameter_dict\['weight'\] must be a Parameter.*ms.Parameter"):
        load_param_into_net(net, {"weight": ms.Tensor(np.ones((2, 2), np.float32))})
    with pytest.raises(TypeError, match="strict_load"):
        load_param_into_net(net, {}, strict_load=1)


# ---- atomic, read-only saves -------------------------------------------------------------------
def test_saved_file_is_read_only_and_can_be_overwritten(ckpt):
    assert stat.S_IMODE(os.stat(ckpt).st_mode) == stat.S_IRUSR
    net = nn.Dense(3, 4, weight_init="ones")
    save_checkpoint(net, str(ckpt))
    assert stat.S_IMODE(os.stat(ckpt).st_mode) == stat.S_IRUSR
    assert np.array_equal(load_checkpoint(str(ckpt))["weight"].asnumpy(), np.ones((4, 3)))
    assert os.listdir(ckpt.parent) == ["net.ckpt"]


def _boom(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("target", ["savez", "fsync", "replace", "interrupt"])
def test_failed_save_keeps_previous_checkpoint_and_leaves_no_temp_file(ckpt, monkeypatch, target):
    old = ckpt.read_bytes()
    if target == "savez":
        monkeypatch.setattr(np, "savez", _boom)
    elif target == "interrupt":
        monkeypatch.setattr(np, "savez", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    else:
        monkeypatch.setattr(os, target, _boom)
    expected = KeyboardInterrupt if target == "interrupt" else OSError
    with pytest.raises(expected) as info:
        save_checkpoint(nn.Dense(3, 4, weight_init="ones"), str(ckpt))
    if expected is OSError:
        assert str(ckpt) in str(info.value) and "intact" in str(info.value)
    monkeypatch.undo()
    assert ckpt.read_bytes() == old and os.listdir(ckpt.parent) == ["net.ckpt"]
    load_checkpoint(str(ckpt))


# ---- bad files ---------------------------------------------------------------------------------
class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))      # unpickling would create the marker file


def test_pickle_files_are_refused_without_being_unpickled(tmp_path):
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_Evil(str(probe)))).close()        # returns the opened file
    assert probe.exists()                                         # the payload is live
    marker = tmp_path / "marker"
    path = tmp_path / "evil.ckpt"
    path.write_bytes(pickle.dumps({"weight": _Evil(str(marker))}))
    with pytest.raises(ValueError, match="pickle") as info:
        load_checkpoint(str(path))
    assert str(path) in str(info.value) and not marker.exists()
    meta = json.dumps({"format": "sporelab-checkpoint", "version": 1, "appended": [],
                       "params": [{"name": "w", "dtype": "Float32", "shape": [1]}]}).encode()
    np.savez(path.with_name("evil_npz.ckpt.npz"), __sporelab_meta__=np.frombuffer(meta, np.uint8),
             p0=np.array([_Evil(str(marker))], dtype=object))
    os.rename(path.with_name("evil_npz.ckpt.npz"), path.with_name("evil_npz.ckpt"))
    with pytest.raises(ValueError, match="evil_npz.ckpt"):
        load_checkpoint(str(path.with_name("evil_npz.ckpt")))
    assert not marker.exists()


def _single_npy(path):
    np.save(str(path) + ".npy", np.ones(3))
    os.rename(str(path) + ".npy", path)


def _foreign_npz(path):
    np.savez(str(path) + ".npz", a=np.ones(3))
    os.rename(str(path) + ".npz", path)


def _wrong_format(path):
    meta = json.dumps({"format": "other", "version": 1}).encode()
    np.savez(str(path) + ".npz", __sporelab_meta__=np.frombuffer(meta, np.uint8))
    os.rename(str(path) + ".npz", path)


def _newer_version(path):
    meta = json.dumps({"format": "sporelab-checkpoint", "version": 99, "params": []}).encode()
    np.savez(str(path) + ".npz", __sporelab_meta__=np.frombuffer(meta, np.uint8))
    os.rename(str(path) + ".npz", path)


@pytest.mark.parametrize("make, reason", [
    (lambda p: p.write_text("weight = [1, 2, 3]\n"), "not a sporelab checkpoint"),
    (lambda p: p.write_bytes(b""), "empty"),
    (_single_npy, "not a sporelab checkpoint"),
    (_foreign_npz, "__sporelab_meta__"),
    (_wrong_format, "does not describe"),
    (_newer_version, "upgrade sporelab"),
])
def test_foreign_files_are_refused(tmp_path, make, reason):
    path = tmp_path / "x.ckpt"
    make(path)
    with pytest.raises(ValueError, match=reason) as info:
        load_checkpoint(str(path))
    assert str(path) in str(info.value)


def test_truncated_and_corrupted_files_are_refused(tmp_path):
    path = tmp_path / "big.ckpt"
    save_list(path, w=ms.Tensor(np.arange(4096, dtype=np.float32)))
    data = bytearray(path.read_bytes())
    for name, content in (("cut.ckpt", data[:len(data) // 2]), ("cut_end.ckpt", data[:-10])):
        (tmp_path / name).write_bytes(bytes(content))
        with pytest.raises(ValueError, match="truncated or corrupted") as info:
            load_checkpoint(str(tmp_path / name))
        assert name in str(info.value)
    middle = len(data) // 2
    data[middle:middle + 4] = bytes(b ^ 0xFF for b in data[middle:middle + 4])
    (tmp_path / "flip.ckpt").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupted") as info:
        load_checkpoint(str(tmp_path / "flip.ckpt"))
    assert "flip.ckpt" in str(info.value)


def test_missing_directory_and_misnamed_files(tmp_path, ckpt):
    with pytest.raises(ValueError, match="does not exist"):
        load_checkpoint(str(tmp_path / "nope.ckpt"))
    (tmp_path / "dir.ckpt").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        load_checkpoint(str(tmp_path / "dir.ckpt"))
    with pytest.raises(ValueError, match=r"end with '\.ckpt'.*did you mean"):
        load_checkpoint(str(tmp_path / "net"))
    with pytest.raises(TypeError, match="ckpt_file_name"):
        load_checkpoint(str(ckpt).encode())


# ---- save_checkpoint argument errors -----------------------------------------------------------
def test_save_checkpoint_argument_errors(tmp_path):
    path, net = str(tmp_path / "n.ckpt"), nn.Dense(2, 2)
    w = ms.Parameter(ms.Tensor(np.ones(2, np.float32)), name="w")
    cases = [
        (TypeError, "'save_obj'", dict(save_obj={"w": w})),
        (TypeError, r"\{'name': p.name, 'data': p\}", dict(save_obj=[w])),
        (ValueError, "lacks the key", dict(save_obj=[{"name": "w"}])),
        (TypeError, r"save_obj\[0\]\['name'\]", dict(save_obj=[{"name": 1, "data": w}])),
        (ValueError, r"save_obj\[0\]\['name'\]", dict(save_obj=[{"name": " w", "data": w}])),
        (TypeError, r"ms.Tensor\(array\)", dict(save_obj=[{"name": "w", "data": np.ones(2)}])),
        (ValueError, "appears twice", dict(save_obj=[{"name": "w", "data": w}] * 2)),
        (ValueError, "appears twice.*append_dict", dict(append_dict={"weight": 1})),
        (TypeError, "'append_dict' must be a dict", dict(append_dict=[("a", 1)])),
        (TypeError, "'append_dict' key 'a'", dict(append_dict={"a": "x"})),
        (TypeError, "key of 'append_dict'", dict(append_dict={1: 1})),
        (ValueError, "Int64", dict(append_dict={"big": 2 ** 70})),
        (TypeError, "integrated_save", dict(integrated_save=None)),
        (TypeError, "async_save", dict(async_save="yes")),
        (ValueError, "names the directory", dict(ckpt_file_name=str(tmp_path / "d.ckpt"))),
        (ValueError, "does not exist; create it", dict(ckpt_file_name=str(tmp_path / "no" / "n.ckpt"))),
        (TypeError, "ckpt_file_name", dict(ckpt_file_name=b"n.ckpt")),
        (ValueError, "ckpt_file_name", dict(ckpt_file_name="")),
    ]
    (tmp_path / "d.ckpt").mkdir()
    for error, message, kwargs in cases:
        kwargs = {"save_obj": net, "ckpt_file_name": path, **kwargs}
        with pytest.raises(error, match=message):
            save_checkpoint(**kwargs)
    assert sorted(os.listdir(tmp_path)) == ["d.ckpt"]


def test_async_save_is_synchronous(tmp_path):
    save_checkpoint(nn.Dense(2, 2), str(tmp_path / "a"), async_save=True, integrated_save=False)
    assert list(load_checkpoint(str(tmp_path / "a.ckpt"))) == ["weight", "bias"]


# ---- fuzzing: bad arguments give TypeError/ValueError naming the argument ----------------------
def _names_argument(call, argument):
    try:
        call()
    except (TypeError, ValueError, RuntimeError) as error:
        assert argument in str(error), str(error)


@FUZZ
@given(junk=JUNK)
def test_fuzz_save_obj(tmp_path, junk):
    _names_argument(lambda: save_checkpoint(junk, str(tmp_path / "f.ckpt")), "save_obj")


@FUZZ
@given(junk=st.lists(st.one_of(JUNK, st.fixed_dictionaries({"name": JUNK, "data": JUNK})), max_size=3))
def test_fuzz_save_obj_elements(tmp_path, junk):
    _names_argument(lambda: save_checkpoint(junk, str(tmp_path / "f.ckpt")), "save_obj")


@FUZZ
@given(junk=st.one_of(JUNK, st.dictionaries(JUNK.filter(lambda k: k.__hash__ is not None), JUNK, max_size=3)))
def test_fuzz_append_dict(tmp_path, junk):
    _names_argument(lambda: save_checkpoint([], str(tmp_path / "f.ckpt"), append_dict=junk), "append_dict")


@FUZZ
@given(junk=JUNK.filter(lambda v: not isinstance(v, str)))
def test_fuzz_ckpt_file_name(tmp_path, junk):
    _names_argument(lambda: save_checkpoint([], junk), "ckpt_file_name")
    _names_argument(lambda: load_checkpoint(junk), "ckpt_file_name")


@FUZZ
@given(junk=st.one_of(JUNK, st.lists(JUNK, max_size=3)), strict=JUNK)
def test_fuzz_load_checkpoint_arguments(ckpt, junk, strict):
    _names_argument(lambda: load_checkpoint(str(ckpt), filter_prefix=junk), "filter_prefix")
    _names_argument(lambda: load_checkpoint(str(ckpt), strict_load=strict), "strict_load")
    _names_argument(lambda: load_checkpoint(str(ckpt), net=junk), "net")


@FUZZ
@given(junk=st.one_of(JUNK, st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), JUNK, max_size=3)))
def test_fuzz_load_param_into_net(junk):
    net = nn.Dense(2, 2)
    before = param_values(net)
    _names_argument(lambda: load_param_into_net(net, junk), "parameter_dict")
    _names_argument(lambda: load_param_into_net(junk, {}), "net")
    assert all(np.array_equal(v, before[k]) for k, v in param_values(net).items())
