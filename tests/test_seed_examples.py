"""Every example in ../shared/seeds that prints a deterministic result, run with `import sporelab as ms`
in place of mindspore, prints exactly what the tutorial shows (type names excepted: our class is
sporelab.parameter.Parameter, not mindspore's ParameterTensor)."""

import contextlib
import io
import textwrap

import pytest

CASES = {
    "r1.9 dtype": ("""
        import sporelab as ms
        data_type = ms.int32
        print(data_type)
        """, "Int32\n"),
    "r1.9 dtype conversion": ("""
        import sporelab as ms
        np_type = ms.dtype_to_nptype(ms.int32)
        ms_type = ms.pytype_to_dtype(int)
        py_type = ms.dtype_to_pytype(ms.float64)
        print(np_type)
        print(ms_type)
        print(py_type)
        """, "<class 'numpy.int32'>\nInt64\n<class 'float'>\n"),
    "r1.9 parameter from numbers": ("""
        import sporelab as ms
        x = ms.Parameter(default_input=2.0, name='x')
        y = ms.Parameter(default_input=5.0, name='y')
        z = ms.Parameter(default_input=5, name='z', requires_grad=False)
        print(x, "value:", x.asnumpy())
        print(y, "value:", y.asnumpy())
        print(z, "value:", z.asnumpy())
        """, "Parameter (name=x, shape=(), dtype=Float32, requires_grad=True) value: 2.0\n"
             "Parameter (name=y, shape=(), dtype=Float32, requires_grad=True) value: 5.0\n"
             "Parameter (name=z, shape=(), dtype=Int32, requires_grad=False) value: 5\n"),
    "r1.9 parameter from tensor": ("""
        import numpy as np
        import sporelab as ms
        my_tensor = ms.Tensor(np.arange(2 * 3).reshape((2, 3)))
        x = ms.Parameter(default_input=my_tensor, name="tensor")
        print(x)
        """, "Parameter (name=tensor, shape=(2, 3), dtype=Int64, requires_grad=True)\n"),
    "r1.9 parameter from initializer": ("""
        from sporelab.common.initializer import initializer as init
        import sporelab as ms
        x = ms.Parameter(default_input=init('ones', [1, 2, 3], ms.float32), name='x')
        print(x)
        """, "Parameter (name=x, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"),
    "r1.9 attributes": ("""
        import numpy as np
        import sporelab as ms
        my_tensor = ms.Tensor(np.arange(2 * 3).reshape((2, 3)))
        x = ms.Parameter(default_input=my_tensor, name="x")
        print("x: ", x)
        print("x.data: ", x.data)
        """, "x:  Parameter (name=x, shape=(2, 3), dtype=Int64, requires_grad=True)\n"
             "x.data:  Parameter (name=x, shape=(2, 3), dtype=Int64, requires_grad=True)\n"),
    "r1.9 clone": ("""
        import sporelab as ms
        from sporelab.common.initializer import initializer as init
        x = ms.Parameter(default_input=init('ones', [1, 2, 3], ms.float32))
        x_clone = x.clone()
        x_clone.name = "x_clone"
        print(x)
        print(x_clone)
        """, "Parameter (name=Parameter, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"
             "Parameter (name=x_clone, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"),
    "r1.9 set_data": ("""
        import numpy as np
        import sporelab as ms
        x = ms.Parameter(ms.Tensor(np.ones((1, 2)), ms.float32), name="x", requires_grad=True)
        print(x, x.asnumpy())
        y = x.set_data(ms.Tensor(np.zeros((1, 2)), ms.float32))
        print(y, y.asnumpy())
        z = x.set_data(ms.Tensor(np.ones((1, 4)), ms.float32), slice_shape=True)
        print(z, z.asnumpy())
        """, "Parameter (name=x, shape=(1, 2), dtype=Float32, requires_grad=True) [[1. 1.]]\n"
             "Parameter (name=x, shape=(1, 2), dtype=Float32, requires_grad=True) [[0. 0.]]\n"
             "Parameter (name=x, shape=(1, 4), dtype=Float32, requires_grad=True) [[1. 1. 1. 1.]]\n"),
    "r1.9 init_data": ("""
        import numpy as np
        import sporelab as ms
        x = ms.Parameter(ms.Tensor(np.ones((1, 2)), ms.float32), name="x", requires_grad=True)
        print(x.init_data(), x.init_data().asnumpy())
        """, "Parameter (name=x, shape=(1, 2), dtype=Float32, requires_grad=True) [[1. 1.]]\n"),
    "r1.9 ParameterUpdate": ("""
        import numpy as np
        import sporelab as ms
        from sporelab import nn
        network = nn.Dense(3, 4)
        param = network.parameters_dict()['weight']
        update = nn.ParameterUpdate(param)
        weight = ms.Tensor(np.arange(12).reshape((4, 3)), ms.float32)
        output = update(weight)
        print("Parameter update:\\n", output)
        """, "Parameter update:\n [[ 0.  1.  2.]\n [ 3.  4.  5.]\n [ 6.  7.  8.]\n [ 9. 10. 11.]]\n"),
    "r1.9 ParameterTuple": ("""
        import numpy as np
        import sporelab as ms
        from sporelab.common.initializer import initializer
        x = ms.Parameter(default_input=ms.Tensor(np.arange(2 * 3).reshape((2, 3))), name="x")
        y = ms.Parameter(default_input=initializer('ones', [1, 2, 3], ms.float32), name='y')
        z = ms.Parameter(default_input=2.0, name='z')
        params = ms.ParameterTuple((x, y, z))
        params_copy = params.clone("params_copy")
        print(params)
        print(params_copy)
        """, "(Parameter (name=x, shape=(2, 3), dtype=Int64, requires_grad=True), "
             "Parameter (name=y, shape=(1, 2, 3), dtype=Float32, requires_grad=True), "
             "Parameter (name=z, shape=(), dtype=Float32, requires_grad=True))\n"
             "(Parameter (name=params_copy.x, shape=(2, 3), dtype=Int64, requires_grad=True), "
             "Parameter (name=params_copy.y, shape=(1, 2, 3), dtype=Float32, requires_grad=True), "
             "Parameter (name=params_copy.z, shape=(), dtype=Float32, requires_grad=True))\n"),
    "r1.6 shapes": ("""
        import numpy as np
        from sporelab import Tensor
        from sporelab import nn
        conv_net = nn.Conv2d(in_channels=120, out_channels=240, kernel_size=4, has_bias=True, weight_init='normal')
        dense_net = nn.Dense(in_channels=3, out_channels=4, weight_init='normal', bias_init='zeros', has_bias=True)
        print("conv_net, weight shape:", conv_net.weight.shape, ", bias shape:", conv_net.bias.shape)
        print("dense_net, weight_shape:", dense_net.weight.shape, ", bias shape:", dense_net.bias.shape)
        """, "conv_net, weight shape: (240, 120, 4, 4) , bias shape: (240,)\n"
             "dense_net, weight_shape: (4, 3) , bias shape: (4,)\n"),
    "r1.3 attributes": ("""
        import numpy as np
        from sporelab import Tensor, Parameter
        x = Parameter(default_input=Tensor(np.arange(2*3).reshape((2, 3))))
        print("name: ", x.name, "\\n",
              "sliced: ", x.sliced, "\\n",
              "is_init: ", x.is_init, "\\n",
              "inited_param: ", x.inited_param, "\\n",
              "requires_grad: ", x.requires_grad, "\\n",
              "layerwise_parallel: ", x.layerwise_parallel, "\\n",
              "data: ", x.data)
        """, "name:  Parameter \n sliced:  False \n is_init:  False \n inited_param:  None \n"
             " requires_grad:  True \n layerwise_parallel:  False \n"
             " data:  Parameter (name=Parameter, shape=(2, 3), dtype=Int64, requires_grad=True)\n"),
    "r1.3 clone and set_data": ("""
        import numpy as np
        from sporelab import Tensor, Parameter
        from sporelab import dtype as mstype
        from sporelab.common.initializer import initializer
        x = Parameter(default_input=initializer('ones', [1, 2, 3], mstype.float32))
        print(x)
        x_clone = x.clone()
        x_clone.name = "x_clone"
        print(x_clone)
        print(x.init_data())
        print(x.set_data(data=Tensor(np.arange(2*3).reshape((1, 2, 3)))))
        """, "Parameter (name=Parameter, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"
             "Parameter (name=x_clone, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"
             "Parameter (name=Parameter, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"
             "Parameter (name=Parameter, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"),
}


@pytest.mark.parametrize("name", CASES)
def test_seed_example_prints_what_the_tutorial_shows(name):
    code, expected = CASES[name]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(code), {})  # noqa: S102 -- the tutorial's own code, run as shown
    assert out.getvalue() == expected


def test_initializer_and_string_conv_examples_run_with_a_seed():
    import numpy as np
    import sporelab as ms
    import sporelab.nn as nn
    from sporelab.common import initializer as init
    input_data = ms.Tensor(np.ones([1, 3, 16, 50], dtype=np.float32))
    outputs = []
    for weight_init in (init.Normal(0.2), 'Normal'):
        ms.set_seed(1)
        outputs.append(nn.Conv2d(3, 64, 3, weight_init=weight_init)(input_data).asnumpy())
    assert outputs[0].shape == outputs[1].shape == (1, 64, 16, 50)
    np.testing.assert_allclose(outputs[0], outputs[1] * 20, rtol=1e-5, atol=1e-6)   # same draws, sigma 0.2 vs 0.01


def test_all_ones_conv2d_prints_the_tutorials_first_channel():
    """The tutorial's printout is NumPy's summarised print of the (1, 64, 16, 50) output, trimmed by
    its authors after the first channel: our print must begin with exactly that block."""
    import numpy as np
    import sporelab.nn as nn
    from sporelab import Tensor
    from sporelab import dtype as mstype
    weight = Tensor(np.ones([64, 3, 3, 3]), dtype=mstype.float32)
    input_data = Tensor(np.ones([1, 3, 16, 50], dtype=np.float32))
    net = nn.Conv2d(3, 64, 3, weight_init=weight)
    output = net(input_data)
    tutorial = ("[[[[12. 18. 18. ... 18. 18. 12.]\n   [18. 27. 27. ... 27. 27. 18.]\n"
                "   [18. 27. 27. ... 27. 27. 18.]\n   ...\n   [18. 27. 27. ... 27. 27. 18.]\n"
                "   [18. 27. 27. ... 27. 27. 18.]\n   [12. 18. 18. ... 18. 18. 12.]]]]")
    first_channel = str(output).split("\n\n")[0]
    assert first_channel + "]]" == tutorial
