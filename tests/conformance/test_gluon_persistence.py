"""``ParameterDict.save`` / ``load`` / ``load_dict`` with MXNet 1.9.1's semantics and errors.

Mirrors apache/mxnet, tag 1.9.1: python/mxnet/gluon/parameter.py (``ParameterDict.save``,
``load``, ``load_dict``, ``Parameter._load_init``) and tests/python/unittest/test_gluon.py
(``test_paramdict``, ``test_parameter_str``-era save/load cases), in sporelab's own words.
"""


import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as mx
from sporelab import gluon
from sporelab.errors import ArgumentAssertionError


def _dict(prefix="net_", ctx=None, shapes=((2, 3), (3,)), init="ones"):
    params = gluon.ParameterDict(prefix)
    for name, shape in zip(("weight", "bias"), shapes):
        params.get(name, shape=shape, init=init)
    if ctx is not None:
        params.initialize(ctx=ctx)
    return params


def _values(params):
    return {name: p.data().asnumpy() for name, p in params.items()}


def test_save_strips_the_prefix_and_load_restores_it(tmp_path):
    # test_gluon.py::test_paramdict: save(strip_prefix=...) then load(restore_prefix=...)
    saved = _dict(ctx=mx.cpu(0), init="normal")
    path = str(tmp_path / "test_paramdict.params")
    saved.save(path, strip_prefix="net_")
    assert sorted(mx.nd.load(path)) == ["bias", "weight"]
    fresh = _dict(init="zeros")
    fresh.load(path, ctx=mx.cpu(1), restore_prefix="net_")
    for name, value in _values(saved).items():
        assert np.array_equal(fresh[name].data().asnumpy(), value)
        assert fresh[name].list_ctx() == [mx.cpu(1)]


def test_save_averages_the_copies_of_several_contexts(tmp_path):
    # Parameter._reduce: the mean over the contexts, on cpu
    params = _dict(ctx=[mx.cpu(0), mx.cpu(1)])
    params["net_weight"].list_data()[1][...] = mx.nd.full((2, 3), 3.0)
    path = str(tmp_path / "p")
    params.save(path)
    assert np.array_equal(mx.nd.load(path)["net_weight"].asnumpy(), np.full((2, 3), 2.0, np.float32))


def test_the_file_is_sporelabs_safe_format_written_atomically(tmp_path):
    path = tmp_path / "p"
    _dict(ctx=mx.cpu()).save(str(path))
    with open(path, "rb") as file:
        assert file.read(4) == b"PK\x03\x04"                      # a zip (npz), not a pickle
    assert [p.name for p in tmp_path.iterdir()] == ["p"]           # no temporary file left behind


def test_load_into_initialised_parameters_sets_their_data(tmp_path):
    path = str(tmp_path / "p")
    _dict(ctx=mx.cpu(), init="normal").save(path)
    target = _dict(ctx=[mx.cpu(0), mx.cpu(1)], init="zeros")
    target.load(path)
    loaded = mx.nd.load(path)
    for name, p in target.items():
        for copy in p.list_data():
            assert np.array_equal(copy.asnumpy(), loaded[name].asnumpy())


def test_unknown_dimensions_take_the_saved_shape(tmp_path):
    path = str(tmp_path / "p")
    _dict(ctx=mx.cpu()).save(path)
    target = gluon.ParameterDict("net_")
    target.get("weight", shape=(0, 3), allow_deferred_init=True)
    target.get("bias", shape=(3,))
    target.load(path)
    assert target["net_weight"].shape == (2, 3)


def test_missing_and_extra_names_are_mxnets_assertions(tmp_path):
    path = str(tmp_path / "p")
    _dict(ctx=mx.cpu()).save(path)
    bigger = _dict()
    bigger.get("gamma", shape=(1,))
    with pytest.raises(AssertionError, match="Parameter 'net_gamma' is missing in file: .*p"):
        bigger.load(path)
    bigger.load(path, allow_missing=True)
    assert np.array_equal(bigger["net_bias"].data().asnumpy(), np.ones(3, np.float32))
    smaller = gluon.ParameterDict("net_")
    smaller.get("weight", shape=(2, 3))
    with pytest.raises(ValueError, match="'net_bias' loaded from file: .* is not present in ParameterDict"):
        smaller.load(path)
    smaller.load(path, ignore_extra=True)
    assert smaller["net_weight"].list_ctx() == [mx.cpu(0)]


def test_restore_prefix_must_start_every_name(tmp_path):
    path = str(tmp_path / "p")
    _dict(ctx=mx.cpu()).save(path)
    with pytest.raises(ArgumentAssertionError, match="restore_prefix is 'x_'"):
        _dict().load(path, restore_prefix="x_")


def test_strip_prefix_must_start_every_name(tmp_path):
    with pytest.raises(ValueError, match="Prefix 'other_' is to be striped"):
        _dict(ctx=mx.cpu()).save(str(tmp_path / "p"), strip_prefix="other_")
    assert not (tmp_path / "p").exists()


def test_shape_and_dtype_checks_and_cast_dtype(tmp_path):
    path = str(tmp_path / "p")
    _dict(ctx=mx.cpu()).save(path)
    with pytest.raises(AssertionError, match="shape incompatible expected \\(4, 3\\) vs saved \\(2, 3\\)"):
        _dict(shapes=((4, 3), (3,))).load(path)
    half = gluon.ParameterDict("net_")
    for name, shape in (("weight", (2, 3)), ("bias", (3,))):
        half.get(name, shape=shape, dtype="float16")
    with pytest.raises(ValueError, match="dtype incompatible expected float16 vs saved float32"):
        half.load(path)
    half.load(path, cast_dtype=True)
    assert half["net_weight"].data().dtype == mx.float16
    saved_kind = _dict(init="zeros")
    for p in saved_kind.values():
        p.cast("float64")
    saved_kind.load(path, cast_dtype=True, dtype_source="saved")
    assert saved_kind["net_weight"].dtype == np.float32


def test_a_failed_load_changes_nothing(tmp_path):
    path = str(tmp_path / "p")
    _dict(ctx=mx.cpu(), init="normal").save(path)
    target = gluon.ParameterDict("net_")
    target.get("weight", shape=(2, 3), init="zeros")
    target.get("bias", shape=(4,), init="zeros")          # clashes with the saved (3,)
    target.initialize(ctx=mx.cpu())
    with pytest.raises(AssertionError):
        target.load(path)
    assert np.all(target["net_weight"].data().asnumpy() == 0)  # weight, checked first, was not written


def test_load_on_another_context_than_the_parameters(tmp_path):
    path = str(tmp_path / "p")
    _dict(ctx=mx.cpu()).save(path)
    with pytest.raises(AssertionError, match="Failed to load Parameter 'net_weight' on"):
        _dict(ctx=mx.cpu(0)).load(path, ctx=mx.cpu(1))


def test_load_dict_drops_arg_and_aux_prefixes():
    params = _dict()
    params.load_dict({"arg:net_weight": mx.nd.ones((2, 3)) * 2, "aux:net_bias": mx.nd.zeros(3)})
    assert np.all(params["net_weight"].data().asnumpy() == 2)


@pytest.mark.parametrize("call, error, argument", [
    (lambda p, f: p.save(f, strip_prefix=3), TypeError, "'strip_prefix'"),
    (lambda p, f: p.save(3), TypeError, "'fname'"),
    (lambda p, f: p.load(f, restore_prefix=None), TypeError, "'restore_prefix'"),
    (lambda p, f: p.load(f, allow_missing="yes"), TypeError, "allow_missing"),
    (lambda p, f: p.load(f, dtype_source="file"), ValueError, "'dtype_source'"),
    (lambda p, f: p.load(f, ctx="cpu"), TypeError, "ctx"),
    (lambda p, f: p.load(f + ".missing"), ValueError, "does not exist"),
])
def test_bad_arguments_name_themselves_and_change_nothing(tmp_path, call, error, argument):
    path = str(tmp_path / "p")
    params = _dict(ctx=mx.cpu(), init="normal")
    params.save(path)
    before = _values(params)
    with pytest.raises(error, match=argument):
        call(params, path)
    after = _values(params)
    assert all(np.array_equal(before[k], after[k]) for k in before)


@settings(max_examples=30, deadline=None)
@given(saved=st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3),
       wanted=st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3),
       allow_missing=st.booleans(), ignore_extra=st.booleans())
def test_names_follow_mxnets_rule(tmp_path_factory, saved, wanted, allow_missing, ignore_extra):
    path = str(tmp_path_factory.mktemp("names") / "p")
    mx.nd.save(path, {name: mx.nd.full((2,), i + 1) for i, name in enumerate(saved)})
    params = gluon.ParameterDict()
    for name in wanted:
        params.get(name, shape=(2,))
    try:
        params.load(path, allow_missing=allow_missing, ignore_extra=ignore_extra)
    except AssertionError as error:
        assert isinstance(error, ValueError)
        assert (set(wanted) - set(saved) and not allow_missing) or (set(saved) - set(wanted) and not ignore_extra)
        assert all(params[name]._data is None for name in wanted)     # nothing loaded
    else:
        assert allow_missing or set(wanted) <= set(saved)
        assert ignore_extra or set(saved) <= set(wanted)
        for name in set(wanted) & set(saved):
            assert np.all(params[name].data().asnumpy() == saved.index(name) + 1)
