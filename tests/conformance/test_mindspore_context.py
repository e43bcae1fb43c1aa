"""``set_context`` / ``get_context`` take every option MindSpore r1.x documents for CPU and GPU.

Mirrors kungfu-team/mindspore, tag v1.5.0: ``mindspore/context.py`` (``set_context``'s
``args_type_check``, ``_Context.setters``) and ``tests/ut/python/pynative_mode/test_context.py``
(``test_variable_memory_max_size``, ``test_max_device_memory_size``, ``test_set_context``).
"""

import pytest
from hypothesis import given, strategies as st

import sporelab as ms
from sporelab import _context_options, context


@pytest.fixture(autouse=True)
def _restore_options():
    yield
    ms.set_context(**_context_options.defaults())


def test_every_option_has_mindspores_default():
    # v1.5.0 context.py docstring, "Default:" of each argument.
    assert ms.get_context("save_graphs") is False
    assert ms.get_context("save_graphs_path") == "."
    assert ms.get_context("max_call_depth") == 1000
    assert ms.get_context("max_device_memory") == "1024GB"
    assert ms.get_context("variable_memory_max_size") == "30GB"
    assert ms.get_context("enable_reduce_precision") is True
    assert ms.get_context("enable_sparse") is False


def test_set_context_as_mindsporess_examples_write_it():
    # v1.5.0 context.py set_context's Examples section; test_context.py::test_set_context (CPU here).
    context.set_context(mode=context.PYNATIVE_MODE, device_target="CPU", save_graphs=True,
                        save_graphs_path="/tmp/graphs", enable_sparse=True, max_call_depth=80,
                        max_device_memory="3.5GB", variable_memory_max_size="6GB",
                        print_file_path="print.pb", enable_graph_kernel=True, pynative_synchronize=True,
                        enable_reduce_precision=False, env_config_path="./env_config.json",
                        grad_for_scalar=True, save_compile_cache=True, load_compile_cache=True,
                        auto_tune_mode="GA,RL", check_bprop=True, reserve_class_name_in_scope=False)
    assert context.get_context("save_graphs") is True
    assert context.get_context("save_graphs_path") == "/tmp/graphs"
    assert context.get_context("max_call_depth") == 80
    assert context.get_context("max_device_memory") == "3.5GB"
    assert context.get_context("pynative_synchronize") is True
    assert context.get_context("env_config_path") == "./env_config.json"
    assert context.get_context("device_target") == "CPU"


def test_max_call_depth_must_be_positive():
    # v1.5.0 context.py _Context.set_max_call_depth; args_type_check(max_call_depth=int)
    with pytest.raises(ValueError, match="'max_call_depth'"):
        context.set_context(max_call_depth=0)
    with pytest.raises(TypeError, match="'max_call_depth'"):
        context.set_context(max_call_depth="10")
    assert context.get_context("max_call_depth") == 1000


def test_max_device_memory_format():
    # tests/ut/python/pynative_mode/test_context.py::test_max_device_memory_size
    context.set_context(max_device_memory="3.5GB")
    assert context.get_context("max_device_memory") == "3.5GB"
    for bad in ("3.5G", "0GB", "GB", "-1GB"):
        with pytest.raises(ValueError, match="'max_device_memory'"):
            context.set_context(max_device_memory=bad)
    for bad in (True, 1):
        with pytest.raises(TypeError, match="'max_device_memory'"):
            context.set_context(max_device_memory=bad)
    assert context.get_context("max_device_memory") == "3.5GB"


def test_variable_memory_max_size_at_most_31gb():
    # test_context.py::test_variable_memory_max_size; v1.5.0 context.py set_variable_memory_max_size.
    for bad in (True, 1):
        with pytest.raises(TypeError, match="'variable_memory_max_size'"):
            context.set_context(variable_memory_max_size=bad)
    context.set_context(variable_memory_max_size="3GB")
    assert context.get_context("variable_memory_max_size") == "3GB"
    with pytest.raises(ValueError, match="31GB"):
        context.set_context(variable_memory_max_size="32GB")


def test_print_file_path_must_not_be_a_directory(tmp_path):
    # test_context.py::test_print_file_path: set_context(print_file_path="./") raises IOError
    with pytest.raises(IOError, match="'print_file_path'"):
        context.set_context(print_file_path=str(tmp_path))
    context.set_context(print_file_path=str(tmp_path / "print.pb"))
    assert context.get_context("print_file_path") == str(tmp_path / "print.pb")


def test_unknown_key_is_mindspores_error():
    # v1.5.0 context.py: raise ValueError("Set context keyword %s is not recognized!" % key)
    with pytest.raises(ValueError, match="Set context keyword no_such_option is not recognized!"):
        context.set_context(no_such_option=True)
    with pytest.raises(ValueError):          # test_context.py::test_set_context
        context.set_context(modex="ge")


def test_device_target_of_wrong_type_is_a_type_error_too():
    # v1.5.0 args_type_check(device_target=str) raises TypeError; sporelab's ValueError kept.
    for kind in (TypeError, ValueError):
        with pytest.raises(kind, match="'device_target'"):
            context.set_context(device_target=123)


def test_a_bad_option_changes_nothing_else():
    with pytest.raises(TypeError):
        context.set_context(save_graphs=True, max_call_depth=2.5)
    assert context.get_context("save_graphs") is False


BOOL_OPTIONS = [key for key, row in _context_options.OPTIONS.items() if row[0] is bool]


@given(key=st.sampled_from(BOOL_OPTIONS), value=st.one_of(st.booleans(), st.integers(), st.text(max_size=3),
                                                       st.none(), st.floats(allow_nan=False)))
def test_bool_options_take_bools_only(key, value):
    before = ms.get_context(key)
    if not isinstance(value, bool):
        with pytest.raises(TypeError, match=f"'{key}'"):
            ms.set_context(**{key: value})
        assert ms.get_context(key) == before
    else:
        ms.set_context(**{key: value})
        assert ms.get_context(key) is value
        ms.set_context(**{key: before})


@given(value=st.one_of(st.integers(-5, 5000), st.booleans(), st.floats(allow_nan=False), st.none()))
def test_max_call_depth_property(value):
    is_count = isinstance(value, int) and not isinstance(value, bool)
    if not is_count:
        with pytest.raises(TypeError, match="'max_call_depth'"):
            ms.set_context(max_call_depth=value)
    elif value <= 0:
        with pytest.raises(ValueError, match="'max_call_depth'"):
            ms.set_context(max_call_depth=value)
    else:
        ms.set_context(max_call_depth=value)
        assert ms.get_context("max_call_depth") == value
    ms.set_context(max_call_depth=1000)
