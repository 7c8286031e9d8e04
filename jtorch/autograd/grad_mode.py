"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each works as a context manager and as a decorator (with or without
parentheses for no_grad, enable_grad and inference_mode), like torch's.
The mode is process-wide (torch's is thread-local).
"""
import functools


class _State:
    enabled = True
    inference = False


def is_grad_enabled():
    return _State.enabled


def is_inference_mode_enabled():
    return _State.inference


class _Mode:
    """Sets (grad enabled, inference) on enter and restores it on exit."""

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs and cls is not set_grad_enabled:
            return object.__new__(cls)(args[0])
        return object.__new__(cls)

    def _target(self):
        raise NotImplementedError

    def __enter__(self):
        self.__dict__.setdefault("_saved", []).append((_State.enabled, _State.inference))
        _State.enabled, _State.inference = self._target()

    def __exit__(self, *exc):
        _State.enabled, _State.inference = self._saved.pop()

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_Mode):
    def _target(self):
        return False, _State.inference


class enable_grad(_Mode):
    def _target(self):
        return True, _State.inference


class set_grad_enabled(_Mode):
    """Also sets the mode immediately when called as a plain function, as torch does."""

    def __init__(self, mode):
        self._mode = bool(mode)
        self._before = _State.enabled
        _State.enabled = self._mode

    def _undo_eager_set(self):
        before = self.__dict__.pop("_before", None)
        if before is not None:
            _State.enabled = before

    def __enter__(self):
        self._undo_eager_set()
        super().__enter__()

    def __call__(self, fn):
        self._undo_eager_set()
        return super().__call__(fn)

    def _target(self):
        return self._mode, _State.inference


class inference_mode(_Mode):
    """Like no_grad: jtorch has no separate inference tensors."""

    def __init__(self, mode=True):
        self._mode = mode if isinstance(mode, bool) else True

    def _target(self):
        return (False, True) if self._mode else (_State.enabled, False)
