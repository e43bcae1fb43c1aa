"""Initializers with structure: identity, Dirac delta, orthogonal and sparse matrices.

They need a particular number of dimensions; a wrong one raises ValueError when the tensor's
data is created (``init_data()`` / ``asnumpy()``), since ``initializer()`` only records the recipe.
"""

import math

import numpy as np

from .._checks import is_int
from ..random import generator
from ._base import Initializer, _check_real, _register, _whole_shape
from ._basic import _normal_extent
from ._sampling import fill_normal

__all__ = ["Identity", "Sparse", "Dirac", "Orthogonal"]


@_register()
class Identity(Initializer):
    """Fills a 2-D tensor with the identity matrix (``np.eye(rows, cols)``): ones on the diagonal.

    A layer initialised so passes its input through unchanged (where rows == cols), which is a
    useful starting point for residual-like or recurrent weights. Same as ``torch.nn.init.eye_``.

    Raises:
        ValueError: (when creating the data) the tensor is not 2-D.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Identity
        >>> initializer(Identity(), [2, 3], ms.float32).asnumpy().tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
        >>> w = initializer('identity', [2, 3], ms.float32)
    """

    _exact = True

    def _initialize(self, arr, part=None):
        self._check(_whole_shape(arr, part))
        row, col = (0, 0) if part is None else part.starts       # the block's corner in the whole
        arr[...] = np.eye(arr.shape[0], arr.shape[1], k=row - col, dtype=arr.dtype)    # i + row == j + col

    @staticmethod
    def _check(shape):
        if len(shape) != 2:
            raise ValueError(f"For Identity initializer, the dimension of the initialized tensor "
                             f"should be 2, but got {len(shape)}. The identity is a matrix: give a "
                             f"shape (rows, cols).")


@_register()
class Sparse(Initializer):
    r"""Fills a 2-D tensor with :math:`\mathcal{N}(0, \text{sigma}^2)`, then zeroes part of every column.

    In each column, :math:`\lceil \text{sparsity} \times \text{rows} \rceil` entries chosen at
    random are set to 0: each output unit is connected to only a few inputs. This is the "sparse
    initialization" of Martens ("Deep learning via Hessian-free optimization", ICML 2010), who
    kept 15 non-zero incoming weights per unit. Same as ``torch.nn.init.sparse_``.

    There is no usable string form: ``'sparse'`` cannot carry ``sparsity``.

    Args:
        sparsity (float): the fraction of each column set to zero, in [0, 1].
        sigma (float): the standard deviation of the non-zero values, >= 0. Default: 0.01.

    Raises:
        TypeError: an argument is not a real number.
        ValueError: ``sparsity`` outside [0, 1], ``sigma`` negative; (when creating the data) the
            tensor is not 2-D.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Sparse
        >>> w = initializer(Sparse(sparsity=0.5, sigma=0.01), [4, 3], ms.float32).asnumpy()
        >>> (w == 0).sum(axis=0).tolist()
        [2, 2, 2]
    """

    def __init__(self, sparsity, sigma=0.01):
        sparsity = _check_real("Sparse", "sparsity", sparsity, minimum=0,
                               why=" (the fraction of zeros in each column)")
        if sparsity > 1:
            raise ValueError(f"For Sparse, the argument 'sparsity' must be <= 1 (the fraction of "
                             f"zeros in each column), but got {sparsity!r}.")
        sigma = _check_real("Sparse", "sigma", sigma, minimum=0, why=" (it is a standard deviation)")
        super().__init__(sparsity=sparsity, sigma=sigma)
        self.sparsity, self.sigma = sparsity, sigma

    def _initialize(self, arr):
        if arr.ndim != 2:
            raise ValueError(f"For Sparse initializer, the dimension of the initialized tensor "
                             f"should be 2, but got {arr.ndim}. Give a shape (rows, cols).")
        rows, cols = arr.shape
        fill_normal(arr, 0.0, self.sigma)
        n_zeros = int(math.ceil(self.sparsity * rows))
        if n_zeros:
            # One random permutation of the row indices per column; its head holds the zeros.
            orders = generator().permuted(np.repeat(np.arange(rows)[:, None], cols, axis=1), axis=0)
            arr[orders[:n_zeros], np.arange(cols)] = 0

    def _extent(self, shape, work_dtype):
        return (*_normal_extent(0.0, float(self.sigma), work_dtype), {"sigma": self.sigma})


@_register()
class Dirac(Initializer):
    r"""Fills a 3-, 4- or 5-D convolution weight with the Dirac delta: the convolution is an identity.

    The weight ``(out, in, *kernel)`` is zero except
    :math:`w[g \cdot \text{opg} + d,\ d,\ \text{centre}] = 1` for every group :math:`g` and
    :math:`d < \min(\text{opg}, \text{in})`, where :math:`\text{opg} = \text{out} / \text{groups}`
    and the centre is ``kernel // 2``. The convolution then copies input channel ``d`` to output
    channel ``d`` of each group (Zagoruyko & Komodakis, "DiracNets", 2017). Same as
    ``torch.nn.init.dirac_``.

    Args:
        groups (int): the number of groups of the convolution, > 0. Default: 1.

    Raises:
        TypeError: ``groups`` is not an int.
        ValueError: ``groups`` < 1; (when creating the data) a tensor of other than 3, 4 or 5
            dimensions, or whose first dimension is not divisible by ``groups``.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Dirac
        >>> w = initializer(Dirac(groups=2), [6, 4, 3, 3], ms.float32).asnumpy()
        >>> w[:, :, 1, 1].tolist()[0]
        [1.0, 0.0, 0.0, 0.0]
        >>> w = initializer('dirac', [6, 4, 3, 3], ms.float32)
    """

    _exact = True

    def __init__(self, groups=1):
        if not is_int(groups):
            raise TypeError(f"For Dirac, the argument 'groups' must be an int, but got {groups!r} of "
                            f"type {type(groups).__name__}.")
        if groups < 1:
            raise ValueError(f"For Dirac, the argument 'groups' must be >= 1, but got {groups}.")
        super().__init__(groups=int(groups))
        self.groups = int(groups)

    def _initialize(self, arr, part=None):
        ones = self._ones(_whole_shape(arr, part))
        arr.fill(0)
        arr[ones if part is None else part.local(ones)] = 1

    def _ones(self, shape):
        """The index arrays of the ones of a ``shape`` weight (after checking the shape)."""
        if len(shape) not in (3, 4, 5):
            raise ValueError(f"For Dirac initializer, only support to initialize tensor with "
                             f"dimension of 3, 4 or 5, but got {len(shape)}. A Dirac weight is a "
                             f"convolution kernel (out, in, *kernel) of Conv1d/2d/3d.")
        if shape[0] % self.groups:
            raise ValueError(f"For Dirac initializer, the first dimension of the initialized tensor "
                             f"must be divisible by groups, but got first dimension {shape[0]}, "
                             f"groups {self.groups}.")
        per_group = shape[0] // self.groups
        channel = np.arange(min(per_group, shape[1]))
        outs = (np.arange(self.groups)[:, None] * per_group + channel).ravel()
        ins = np.tile(channel, self.groups)
        return (outs, ins) + tuple(np.full(outs.shape, k // 2) for k in shape[2:])


@_register()
class Orthogonal(Initializer):
    r"""Fills with a (semi-)orthogonal matrix times ``gain``, Saxe et al. (2014).

    The tensor is viewed as a matrix ``(rows, cols)`` with ``rows = shape[0]`` and ``cols`` the
    product of the other dimensions. A standard normal matrix is factorised by QR and ``Q``, with
    its columns' signs fixed by ``diag(R)`` so the result is uniformly distributed, is used:

    .. math::
        W W^\top = \text{gain}^2 I \ \ (\text{rows} \le \text{cols}), \qquad
        W^\top W = \text{gain}^2 I \ \ (\text{rows} > \text{cols})

    Saxe, McClelland and Ganguli ("Exact solutions to the nonlinear dynamics of learning in deep
    linear neural networks", ICLR 2014) showed orthogonal weights keep every direction of the
    signal at the same scale, so very deep (and recurrent) networks train quickly. Same as
    ``torch.nn.init.orthogonal_``.

    Args:
        gain (float): a scaling factor, >= 0. Default: 1.0.

    Raises:
        TypeError: ``gain`` is not a real number.
        ValueError: ``gain`` negative; (when creating the data) fewer than 2 dimensions.

    Examples:
        >>> import numpy as np
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Orthogonal
        >>> w = initializer(Orthogonal(gain=2.0), [3, 5], ms.float64).asnumpy()
        >>> bool(np.allclose(w @ w.T, 4 * np.eye(3)))
        True
        >>> w = initializer('orthogonal', [2, 3, 4], ms.float32)
    """

    def __init__(self, gain=1.0):
        gain = _check_real("Orthogonal", "gain", gain, minimum=0)
        super().__init__(gain=gain)
        self.gain = gain

    def _initialize(self, arr):
        if arr.ndim < 2:
            raise ValueError(f"For Orthogonal initializer, the dimension of the initialized tensor "
                             f"should be no less than 2, but got {arr.ndim}.")
        rows = arr.shape[0]
        cols = arr.size // rows
        matrix = np.empty((rows, cols), np.float64)
        fill_normal(matrix, 0.0, 1.0)
        if rows < cols:
            matrix = matrix.T
        q, r = np.linalg.qr(matrix)
        q *= np.where(np.diag(r) < 0, -1.0, 1.0)
        if rows < cols:
            q = q.T
        arr[...] = (self.gain * q).reshape(arr.shape)

    def _extent(self, shape, work_dtype):
        return -self.gain, self.gain, float(self.gain), {"gain": self.gain}     # |q| <= 1
