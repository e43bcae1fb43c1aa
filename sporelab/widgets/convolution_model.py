"""The pure model of the convolution explorer: an input image, a real ``sporelab.nn.Conv2d`` and
the arithmetic of its output shape. NumPy and sporelab only (no ipywidgets, no matplotlib), so it
runs and is tested in plain Python.

>>> model = ConvModel(image="checkerboard", out_channels=2, kernel_size=3, stride=2)
>>> result = model.run()
>>> result.output.shape                    # (C_out, H_out, W_out) of the one sample
(2, 32, 32)
>>> result.formulas[0]
'H_out = ceil(H_in / stride) = ceil(64 / 2) = 32'
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

import sporelab as ms
from sporelab import nn
from sporelab._checks import is_int, is_real
from sporelab.common.initializer import Initializer
from sporelab.i18n import _
from sporelab.ops.conv import check_padding, conv2d_pads


__all__ = ["ConvModel", "ConvResult", "PATTERNS", "HAND_MADE", "pattern", "hand_made_kernel",
           "kernel_weight", "as_image", "output_size"]

PATTERNS = ("checkerboard", "stripes", "disc", "ramp", "ones")
HAND_MADE = ("edge", "laplacian", "blur", "gaussian", "sharpen", "all-ones")
_CODE_HEADER = "import sporelab as ms\nfrom sporelab import nn"


def pattern(name, height=64, width=64):
    """A grey (H, W) float32 test image with values in [0, 1], drawn with NumPy.

    Args:
        name (str): 'checkerboard' (8-pixel squares), 'stripes' (vertical, 8 pixels wide), 'disc'
            (a bright disc on black), 'ramp' (dark left to bright right) or 'ones' (all ones).
        height, width (int): the size in pixels, >= 1.

    Raises:
        ValueError: an unknown name or a size < 1.

    >>> pattern("checkerboard", 2, 10)[0].tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    """
    if name not in PATTERNS:
        raise ValueError(f"For 'pattern', the argument 'name' must be one of {PATTERNS}, but got {name!r}.")
    if not all(isinstance(s, numbers.Integral) and s >= 1 for s in (height, width)):
        raise ValueError(f"For 'pattern', 'height' and 'width' must be ints >= 1, but got {height}, {width}.")
    rows, cols = np.mgrid[0:height, 0:width]
    if name == "checkerboard":
        image = (rows // 8 + cols // 8) % 2
    elif name == "stripes":
        image = (cols // 8) % 2
    elif name == "disc":
        radius = 0.35 * min(height, width)
        image = (rows - (height - 1) / 2) ** 2 + (cols - (width - 1) / 2) ** 2 <= radius ** 2
    elif name == "ramp":
        image = np.broadcast_to(np.linspace(0.0, 1.0, width), (height, width))
    else:
        image = np.ones((height, width))
    return np.asarray(image, dtype=np.float32)


def _binomial(n):
    """Row n - 1 of Pascal's triangle (length n): a discrete Gaussian."""
    row = np.ones(1)
    for _step in range(n - 1):
        row = np.convolve(row, [1.0, 1.0])
    return row


def hand_made_kernel(name, kernel_size):
    """A classic (kh, kw) image-processing kernel, made for any size.

    Args:
        name (str): 'edge' (Sobel: smooth down, difference across; [-1 0 1] x [1 2 1] at 3 x 3),
            'laplacian' (box sum minus (kh*kw) times the centre: -8 in the middle at 3 x 3),
            'blur' (box: 1 / (kh*kw) everywhere), 'gaussian' (binomial, sums to 1),
            'sharpen' (2 x identity - box blur) or 'all-ones'.
        kernel_size: an int k or (kh, kw), each >= 1. At 1 x 1, 'edge' and 'laplacian' are 0.

    Raises:
        ValueError: an unknown name or a size < 1.

    >>> hand_made_kernel("edge", 3).tolist()
    [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]
    """
    if name not in HAND_MADE:
        raise ValueError(f"For 'hand_made_kernel', the argument 'name' must be one of {HAND_MADE}, "
                         f"but got {name!r}.")
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Integral) else kernel_size
    if min(kh, kw) < 1:
        raise ValueError(f"For 'hand_made_kernel', 'kernel_size' must be >= 1, but got {kernel_size}.")
    box = np.full((kh, kw), 1.0 / (kh * kw))
    centre = np.zeros((kh, kw))
    centre[(kh - 1) // 2, (kw - 1) // 2] = 1.0
    if name == "edge":
        diff = np.convolve(_binomial(kw - 1), [-1.0, 1.0]) if kw > 1 else np.zeros(1)
        kernel = np.outer(_binomial(kh), diff)
    elif name == "laplacian":
        kernel = (box - centre) * (kh * kw)
    elif name == "blur":
        kernel = box
    elif name == "gaussian":
        kernel = np.outer(_binomial(kh), _binomial(kw))
        kernel /= kernel.sum()
    elif name == "sharpen":
        kernel = 2.0 * centre - box
    else:
        kernel = np.ones((kh, kw))
    return kernel.astype(np.float32)


def kernel_weight(kernel, shape):
    """The (out, in / group, kh, kw) weight that applies one 2-D kernel in every output channel.

    The 2-D kernel ``K`` (a name from ``HAND_MADE`` or a (kh, kw) array) is copied into every
    slot: ``weight[o, c] = rot90(K, o)`` for every input channel ``c`` of the group. So output
    channel ``o`` adds up ``K`` applied to each of its input channels (an all-ones 3 x 3 kernel
    on 3 all-ones channels gives 27), and it sees ``K`` turned by ``o`` quarter turns: for the
    symmetric kernels (blur, gaussian, laplacian, sharpen, all-ones) every channel is the same,
    while 'edge' finds left-to-right, bottom-to-top, right-to-left and top-to-bottom edges in
    turn. Non-square kernels are not turned.

    Args:
        kernel (Union[str, numpy.ndarray]): the 2-D kernel or its name.
        shape (tuple): (out_channels, in_channels / group, kh, kw).

    Raises:
        ValueError: a kernel whose shape is not (kh, kw) of ``shape``; an unknown name.

    >>> kernel_weight("all-ones", (64, 3, 3, 3)).sum()
    np.float32(1728.0)
    """
    out_channels, per_group, kh, kw = shape
    base = hand_made_kernel(kernel, (kh, kw)) if isinstance(kernel, str) else np.asarray(kernel, np.float32)
    if base.shape != (kh, kw):
        raise ValueError(f"For 'kernel_weight', the 2-D kernel (a weight_init array) must have the shape "
                         f"of kernel_size, {(kh, kw)}, but got {base.shape}. Set kernel_size to "
                         f"{base.shape[0] if base.shape[0] == base.shape[1] else base.shape}.")
    turns = [np.rot90(base, o) if kh == kw else base for o in range(4)]
    weight = np.stack([turns[o % 4] for o in range(out_channels)])
    return np.ascontiguousarray(np.broadcast_to(weight[:, None], (out_channels, per_group, kh, kw)))


def _channel_axis(shape):
    # matplotlib's imread gives (H, W, C), deep-learning code (C, H, W): the smaller of the two
    # outer axes is the channel axis, ties going to matplotlib's convention.
    return 2 if shape[2] <= shape[0] else 0


def as_image(image, max_size=64):
    """A user's picture as a (C, H, W) float32 array, shrunk by block averaging to <= max_size.

    Args:
        image (array_like): (H, W), (H, W, C) or (C, H, W) numbers; the smaller outer axis of a 3-D
            array is its channel axis. An (H, W, 4) RGBA image loses its alpha. Integers of
            type uint8 are scaled to [0, 1]; other values are kept as they are.
        max_size (int): larger images are averaged over n x n blocks until both sides fit.

    Raises:
        TypeError: ``image`` is not an array of real numbers.
        ValueError: not 2-D or 3-D, empty, more than 64 channels, or NaN/infinite values.

    >>> as_image(np.zeros((128, 64, 3), np.uint8)).shape
    (3, 64, 32)
    """
    try:
        array = np.asarray(image)
    except Exception as error:  # noqa: BLE001 -- ragged lists and the like
        raise TypeError(f"For 'ConvModel', the argument 'image' must be an array of numbers: {error}") from None
    if array.dtype.kind not in "buif":
        raise TypeError(f"For 'ConvModel', the argument 'image' must be an array of real numbers, but "
                        f"got dtype {array.dtype}. Pass e.g. a NumPy array of shape (H, W) or (H, W, 3).")
    if array.ndim not in (2, 3) or array.size == 0:
        raise ValueError(f"For 'ConvModel', the argument 'image' must be a non-empty (H, W), (H, W, C) or "
                         f"(C, H, W) array, but got shape {array.shape}.")
    scale = 255.0 if array.dtype == np.uint8 else 1.0
    if array.ndim == 2:
        array = array[None]
    elif _channel_axis(array.shape) == 2:
        array = np.moveaxis(array[..., :3] if array.shape[2] == 4 else array, 2, 0)
    if array.shape[0] > 64:
        raise ValueError(f"For 'ConvModel', the argument 'image' has {array.shape[0]} channels (shape "
                         f"{np.shape(image)}); at most 64 are allowed. Is the channel axis first or last?")
    array = array.astype(np.float32) / np.float32(scale)
    if not np.all(np.isfinite(array)):
        raise ValueError("For 'ConvModel', the argument 'image' contains NaN or infinite values; "
                         "replace them, e.g. with np.nan_to_num(image).")
    factor = math.ceil(max(array.shape[1:]) / max_size)
    if factor > 1:
        c, h, w = array.shape
        h, w = h // factor * factor or h, w // factor * factor or w
        array = array[:, :h, :w]
        array = array.reshape(c, -1, min(factor, h), w).mean(axis=2)
        array = array.reshape(c, array.shape[1], -1, min(factor, w)).mean(axis=3)
    return np.ascontiguousarray(array, dtype=np.float32)


def output_size(axis, size, kernel, stride, dilation, pad_mode, pads=(0, 0)):
    """The output size along one axis, and the formula of ``pad_mode`` with the numbers filled in.

    Args:
        axis (str): 'H' or 'W', used in the text.
        size, kernel, stride, dilation (int): input size and the layer's settings on that axis.
        pad_mode (str): 'same', 'valid' or 'pad'.
        pads (tuple): (before, after) padding, used by 'pad'.

    >>> output_size("H", 64, 3, 2, 1, "valid")
    (31, 'H_out = ceil((H_in - dilation*(k - 1)) / stride) = ceil((64 - 1*(3 - 1)) / 2) = 31')
    """
    span = f"{dilation}*({kernel} - 1)"
    if pad_mode == "same":
        value = -(-size // stride)
        text = f"ceil({axis}_in / stride) = ceil({size} / {stride})"
    elif pad_mode == "valid":
        value = -(-(size - dilation * (kernel - 1)) // stride)
        text = f"ceil(({axis}_in - dilation*(k - 1)) / stride) = ceil(({size} - {span}) / {stride})"
    else:
        before, after = pads
        names = (_("top + bottom"), _("left + right"))[axis == "W"]
        value = (size + before + after - dilation * (kernel - 1) - 1) // stride + 1
        text = (f"floor(({axis}_in + {names} - dilation*(k - 1) - 1) / stride) + 1 = "
                f"floor(({size} + {before} + {after} - {span} - 1) / {stride}) + 1")
    return value, f"{axis}_out = {text} = {value}"


@dataclass
class ConvResult:
    """One run: ``image`` (C, H, W) input, ``weight`` (O, C/G, kh, kw), ``bias`` (O,) or None,
    ``output`` (O, Ho, Wo), ``pads`` (top, bottom, left, right), ``dilation`` (dh, dw),
    ``formulas`` (H and W text) and ``shape`` (the output Tensor's shape, (1, O, Ho, Wo))."""
    image: np.ndarray
    weight: np.ndarray
    bias: object
    output: np.ndarray
    pads: tuple
    dilation: tuple
    formulas: tuple
    shape: tuple


class ConvModel:
    """An input image and a ``sporelab.nn.Conv2d`` with the explorer's settings.

    Args:
        image: a pattern name from ``PATTERNS`` (64 x 64; 'ones' is 16 x 50 as in the tutorial) or
            an array accepted by ``as_image`` ((H, W), (H, W, C) or (C, H, W)).
        channels (int): the input channels fed to the layer (in_channels): 1 averages the image's
            channels (grey), the image's own count keeps them, and a grey image is repeated to
            any count. None keeps the image's own count.
        out_channels, kernel_size, stride, pad_mode, padding, dilation, group, has_bias: passed to
            ``nn.Conv2d`` unchanged, so its own checks and messages apply (at ``run``).
        weight_init: a hand-made kernel name from ``HAND_MADE`` or a 2-D (kh, kw) array (see
            ``kernel_weight``), or anything ``nn.Conv2d`` takes: an initializer name such as
            'he_uniform', an Initializer, a number, a Tensor of the full weight shape.
        bias_init: with ``has_bias``, as ``nn.Conv2d``'s bias_init (a number is a constant).
        seed (int): ``ms.set_seed(seed)`` before the layer is built: the same seed, the same weights.
        max_size (int): images larger than this are shrunk (``as_image``) so redraws stay fast.

    Raises:
        TypeError, ValueError: for ``image``, ``channels``, ``seed`` at once; the layer's own
        errors (e.g. 'in_channels' not divisible by 'group') come from ``run()``.

    >>> ConvModel(image="ones", out_channels=64, weight_init="all-ones").tutorial().run().output[0, :2, :3]
    array([[12., 18., 18.],
           [18., 27., 27.]], dtype=float32)
    """

    SETTINGS = ("channels", "out_channels", "kernel_size", "stride", "pad_mode", "padding", "dilation",
                "group", "has_bias", "weight_init", "bias_init", "seed")

    def __init__(self, image="checkerboard", channels=None, out_channels=4, kernel_size=3, stride=1,
                 pad_mode="same", padding=0, dilation=1, group=1, has_bias=False, weight_init="edge",
                 bias_init="zeros", seed=0, max_size=64):
        self.max_size = max_size
        self.channels, self.seed = None, 0
        self.set_image(image)
        self.update(channels=channels, out_channels=out_channels, kernel_size=kernel_size,
                    stride=stride, pad_mode=pad_mode, padding=padding, dilation=dilation, group=group,
                    has_bias=has_bias, weight_init=weight_init, bias_init=bias_init, seed=seed)

    def set_image(self, image, name=None):
        """Use a pattern name or an array (see the class docstring) as the input; ``name`` labels
        it in ``source`` (default: the pattern's name, or 'array'). Returns self."""
        if isinstance(image, str):
            if image not in PATTERNS:
                raise ValueError(f"For 'ConvModel', the argument 'image' must be one of {PATTERNS} or an "
                                 f"array, but got {image!r}.")
            self.image = pattern(image, *((16, 50) if image == "ones" else (64, 64)))[None]
        else:
            self.image = as_image(image, self.max_size)
        self.source = name or (image if isinstance(image, str) else "array")
        return self

    def update(self, **settings):
        """Change settings (names as in the constructor); returns self. The layer's own settings
        are checked by ``nn.Conv2d`` when ``run()`` builds it.

        Raises:
            TypeError: an unknown setting; channels or seed not an int; a weight_init of no
                usable type.
            ValueError: channels < 1, seed < 0, a weight_init array that is neither 2-D nor 4-D.
        """
        unknown = set(settings) - set(self.SETTINGS)
        if unknown:
            raise TypeError(f"For 'ConvModel.update', unknown setting(s) {sorted(unknown)}; use {self.SETTINGS}.")
        for name, low in (("channels", 1), ("seed", 0)):
            value = settings.get(name)
            if value is None and (name == "channels" or name not in settings):
                continue
            if not is_int(value):
                raise TypeError(f"For 'ConvModel', the argument '{name}' must be an int, but got {value!r}.")
            if value < low:
                raise ValueError(f"For 'ConvModel', the argument '{name}' must be >= {low}, but got {value}.")
        if "weight_init" in settings:
            _check_weight_init(settings["weight_init"])
        self.__dict__.update(settings)
        return self

    def tutorial(self):
        """The tutorial's setting: all-ones (1, 3, 16, 50) input, Conv2d(3, 64, 3) with an all-ones
        weight, pad_mode 'same'; its first output map is 12 in the corners, 18 on the edges and 27
        inside. Returns self."""
        self.set_image("ones")
        return self.update(channels=3, out_channels=64, kernel_size=3, stride=1, pad_mode="same",
                           padding=0, dilation=1, group=1, has_bias=False, weight_init="all-ones")

    def input_array(self):
        """The (C, H, W) input with ``channels`` channels (see the class docstring)."""
        have, want = self.image.shape[0], self.channels or self.image.shape[0]
        if want == have:
            return self.image
        if want == 1:
            return self.image.mean(axis=0, keepdims=True)
        if have == 1:
            return np.repeat(self.image, want, axis=0)
        raise ValueError(f"For 'ConvModel', the argument 'channels' ({want}) cannot be made from an image "
                         f"with {have} channels: use 1 (grey), {have}, or a grey image.")

    def _hand_made(self):
        init = self.weight_init
        return (isinstance(init, str) and init in HAND_MADE) or (isinstance(init, np.ndarray) and init.ndim == 2)

    def build(self, in_channels):
        """The ``nn.Conv2d`` for ``in_channels`` inputs (engine errors propagate unchanged)."""
        init = self.weight_init
        if self._hand_made():
            probe = nn.Conv2d(in_channels, self.out_channels, self.kernel_size, self.stride, self.pad_mode,
                              self.padding, self.dilation, self.group, weight_init="zeros")
            init = ms.Tensor(kernel_weight(init, probe.weight.shape))
        elif isinstance(init, np.ndarray):
            init = ms.Tensor(init.astype(np.float32))
        extra = {"bias_init": self.bias_init} if self.has_bias else {}
        with ms.random.seeded(self.seed):         # as after ms.set_seed(seed); the notebook's sequence is kept
            return nn.Conv2d(in_channels, self.out_channels, self.kernel_size, self.stride, self.pad_mode,
                             self.padding, self.dilation, self.group, self.has_bias, weight_init=init, **extra)

    def run(self):
        """Build the layer and apply it to the image as a (1, C, H, W) Tensor.

        Returns:
            ConvResult.

        Raises:
            TypeError, ValueError: the engine's, for a bad combination (e.g. a kernel larger than
            the padded input in 'valid' mode, channels not divisible by group, padding without
            pad_mode='pad'), or from ``input_array``.
        """
        image = self.input_array()
        net = self.build(image.shape[0])
        # Huge weights overflow: the figure says so, no warning. (BLAS threads: sporelab/threads.py.)
        with np.errstate(over="ignore", invalid="ignore"):
            output = net(ms.Tensor(image[None])).asnumpy()
        pads = _pads(net, image.shape[1:])
        formulas = tuple(output_size(axis, image.shape[1 + i], net.kernel_size[i], net.stride[i],
                                     net.dilation[i], net.pad_mode.lower(), pads[2 * i:2 * i + 2])[1]
                         for i, axis in enumerate("HW"))
        bias = net.bias.asnumpy() if net.bias is not None else None
        return ConvResult(image, net.weight.asnumpy(), bias, output[0], pads, net.dilation, formulas,
                          output.shape)

    def code(self):
        """Pasteable sporelab code that builds this layer and applies it to ``x``.

        >>> print(ConvModel(image="disc", weight_init="he_uniform", stride=2).code().splitlines()[-2])
        net = nn.Conv2d(1, 4, 3, stride=2, weight_init='he_uniform')
        """
        c, h, w = self.input_array().shape
        header, lines, init = _CODE_HEADER, [], repr(self.weight_init)
        if self._hand_made():
            kh, kw = _pair(self.kernel_size)
            shape = (self.out_channels, c // self.group, kh, kw)
            kernel = init if isinstance(self.weight_init, str) else "kernel"
            header += "\nfrom sporelab.widgets.convolution_model import kernel_weight"
            lines.append(f"weight = ms.Tensor(kernel_weight({kernel}, {shape}))")
            init = "weight"
        else:
            if isinstance(self.weight_init, Initializer):
                header += f"\nfrom sporelab.common.initializer import {type(self.weight_init).__name__}"
            elif not isinstance(self.weight_init, (str, numbers.Number)):
                init = "weight"
                lines.append(_("# weight: your Tensor of shape {shape}").format(shape=np.shape(self.weight_init)))
            lines.append(f"ms.set_seed({self.seed})")
        args = [str(c), str(self.out_channels), repr(self.kernel_size)] + _changed(self)
        lines += [f"net = nn.Conv2d({', '.join(args)}, weight_init={init})",
                  "y = net(x)  " + _("# x: a Tensor of shape {shape}").format(shape=(1, c, h, w))]
        return "\n".join([header, ""] + lines)


def _pair(value):
    return (value, value) if isinstance(value, numbers.Integral) else tuple(value)


def _check_weight_init(init):
    if isinstance(init, np.ndarray):
        if init.ndim not in (2, 4):
            raise ValueError(f"For 'ConvModel', the argument 'weight_init' as an array must be a 2-D kernel "
                             f"(kh, kw) or the 4-D weight, but got shape {init.shape}.")
    elif not (is_real(init) or isinstance(init, (str, Initializer, ms.Tensor))):
        raise TypeError(f"For 'ConvModel', the argument 'weight_init' must be a name such as 'edge' or "
                        f"'he_uniform', an Initializer, a number, a Tensor or a NumPy kernel, but got "
                        f"{type(init).__name__}.")


def _changed(model):
    defaults = {"stride": 1, "pad_mode": "same", "padding": 0, "dilation": 1, "group": 1, "has_bias": False}
    args = [f"{name}={getattr(model, name)!r}" for name, default in defaults.items()
            if getattr(model, name) != default]
    if model.has_bias and not (isinstance(model.bias_init, str) and model.bias_init == "zeros"):
        args.append(f"bias_init={model.bias_init!r}")
    return args


def _pads(net, in_hw):
    # Conv2d does not expose the padding it applies to a given input; the engine's own helper
    # computes it from the layer's public settings.
    return tuple(conv2d_pads(in_hw, net.kernel_size, net.stride, net.dilation, net.pad_mode.lower(),
                             check_padding(net.padding, "Conv2d")))
