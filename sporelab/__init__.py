"""sporelab: a compact tensor/parameter engine with MindSpore's API, for teaching.

Tutorials written for MindSpore run with one changed import::

    import sporelab as ms
    x = ms.Parameter(ms.Tensor([[1.0, 2.0]]), name="x")
    print(x)          # Parameter (name=x, shape=(1, 2), dtype=Float32, requires_grad=True)

Importing it loads NumPy and nothing heavier: no matplotlib, ipywidgets or CuPy.
"""

import sys as _sys

from . import dtype
from .dtype import (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16,
                    float32, float64, complex64, complex128, dtype_to_nptype, dtype_to_pytype,
                    pytype_to_dtype, list_, tuple_, string, type_none, get_py_obj_dtype)
from .device import (Context, cpu, gpu, num_gpus, set_context, get_context, current_context,
                     GRAPH_MODE, PYNATIVE_MODE)
from .random import set_seed, get_seed
from .tensor import Tensor
from .parameter import Parameter, ParameterTuple
from . import common
from . import autograd
from . import gluon
from .gluon import init            # mx.init is gluon.init, one module (see below)
from . import nd
from . import datasets
from . import nn, ops
from .autograd import grad, value_and_grad
from .serialization import save_checkpoint, load_checkpoint, load_param_into_net
from .parallel import (ParallelMode, set_auto_parallel_context, get_auto_parallel_context,
                       reset_auto_parallel_context, set_ps_context, get_ps_context, reset_ps_context)
from . import communication, context, parallel, kvstore, errors, optimizer
from .threads import set_blas_threads, get_blas_threads
from . import threads as _threads
_threads.apply_environment()      # one BLAS thread by default: see sporelab/threads.py
kv = kvstore
_sys.modules[__name__ + ".init"] = init     # `import sporelab.init` gives the same module as gluon.init

__version__ = "0.1.0"

__all__ = [
    "dtype", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128", "dtype_to_nptype",
    "dtype_to_pytype", "pytype_to_dtype", "list_", "tuple_", "string", "type_none", "get_py_obj_dtype",
    "Context", "cpu", "gpu", "num_gpus", "set_context",
    "get_context", "current_context", "GRAPH_MODE", "PYNATIVE_MODE", "set_seed", "get_seed", "Tensor", "Parameter",
    "ParameterTuple", "common", "autograd", "gluon", "datasets", "nn", "ops", "grad", "value_and_grad",
    "save_checkpoint", "load_checkpoint", "load_param_into_net",
    "ParallelMode", "set_auto_parallel_context", "get_auto_parallel_context", "reset_auto_parallel_context",
    "set_ps_context", "get_ps_context", "reset_ps_context", "communication", "context", "parallel", "kvstore", "kv",
    "set_blas_threads", "get_blas_threads", "errors", "nd", "init", "optimizer",
]
