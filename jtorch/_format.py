"""Tensor printing with torch's layout rules, and `set_printoptions`."""
import math

import numpy as np

from . import _dtype


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """torch.set_printoptions: a profile first, then the explicit options."""
    if profile is not None:
        for k, v in _PROFILES[profile].items():
            setattr(_Options, k, v)
    for k, v in dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth).items():
        if v is not None:
            setattr(_Options, k, v)
    _Options.sci_mode = sci_mode


class _Formatter:
    """Chooses integer, fixed or scientific notation and a common width for all values."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = _Options.precision
        if not floating:
            strs = [str(v) for v in values.tolist()]
            self.max_width = max((len(s) for s in strs), default=1)
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        amin, amax = np.abs(finite).min(), np.abs(finite).max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = (amax / amin > 1000.0 or amax > 1.0e8 or amin < 1.0e-4
                         if _Options.sci_mode is None else _Options.sci_mode)
        if self.int_mode:
            strs = [f"{v:.{p}e}" if self.sci_mode else f"{v:.0f}" for v in finite.tolist()]
            self.max_width = max(len(s) + (0 if self.sci_mode else 1) for s in strs)
        else:
            fmt = "e" if self.sci_mode else "f"
            self.max_width = max(len(f"{v:.{p}{fmt}}") for v in finite.tolist())

    def format(self, value):
        p = _Options.precision
        if not self.floating:
            s = str(value)
        elif self.sci_mode:
            s = f"{value:{self.max_width}.{p}e}"
        elif self.int_mode:
            s = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                s += "."
        else:
            s = f"{value:.{p}f}"
        return (self.max_width - len(s)) * " " + s


def _summarized(arr):
    """The values the formatter sees: only the edge items of summarized dimensions."""
    e = _Options.edgeitems
    if arr.ndim == 0:
        return arr.reshape(-1)
    if arr.shape[0] > 2 * e:
        rows = list(arr[:e]) + list(arr[-e:])
    else:
        rows = list(arr)
    if arr.ndim == 1:
        return np.asarray(rows)
    return np.concatenate([_summarized(r) for r in rows]) if rows else arr.reshape(-1)


def _vector(arr, indent, summarize, fmt):
    e = _Options.edgeitems
    per_line = max(1, int(math.floor((_Options.linewidth - indent) / (fmt.max_width + 2))))
    if summarize and arr.shape[0] > 2 * e:
        data = [fmt.format(v) for v in arr[:e].tolist()] + [" ..."] + [fmt.format(v) for v in arr[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(arr, indent, summarize, fmt):
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt)
    e = _Options.edgeitems
    if summarize and arr.shape[0] > 2 * e:
        parts = ([_nested(arr[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                 + [_nested(arr[i], indent + 1, summarize, fmt) for i in range(arr.shape[0] - e, arr.shape[0])])
    else:
        parts = [_nested(arr[i], indent + 1, summarize, fmt) for i in range(arr.shape[0])]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body(arr, indent):
    summarize = arr.size > _Options.threshold
    floating = arr.dtype.kind == "f"
    fmt = _Formatter(_summarized(arr) if summarize else arr.reshape(-1), floating)
    return _nested(arr, indent, summarize, fmt)


def _complex_body(arr, indent):
    """torch formats real and imaginary parts separately and joins them as a+bj."""
    summarize = arr.size > _Options.threshold
    pick = _summarized if summarize else (lambda a: a.reshape(-1))
    real_fmt = _Formatter(pick(arr.real), True)
    imag_fmt = _Formatter(pick(arr.imag), True)

    class Joined:
        max_width = real_fmt.max_width + imag_fmt.max_width + 1

        @staticmethod
        def format(v):
            imag = imag_fmt.format(v.imag).lstrip()
            sign = "+" if not imag.startswith("-") else ""
            return real_fmt.format(v.real) + sign + imag + "j"
    return _nested(arr, indent, summarize, Joined)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _Options.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(t, prefix="tensor("):
    indent = len(prefix)
    dtype = t.dtype
    arr = np.asarray(t._value)
    if dtype in (_dtype.float16, _dtype.bfloat16):
        arr = arr.astype(np.float32)
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    default = dtype in (_dtype.get_default_dtype(), _dtype.default_complex_dtype(), _dtype.int64, _dtype.bool_)
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype is not _dtype.get_default_dtype():
            suffixes.append(f"dtype={dtype}")
        body = "[]"
    else:
        if not default:
            suffixes.append(f"dtype={dtype}")
        body = _complex_body(arr, indent) if dtype.is_complex else _body(arr, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
