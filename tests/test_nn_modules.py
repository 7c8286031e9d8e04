"""Layer modules against torch.nn: constructor signatures, repr, parameter/buffer names and order, seeded
initialisation, forward/backward, running statistics, train/eval behaviour and torch's exception types."""
import warnings

import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, assert_same_state, run_both, seeded, to_jt

CONV_TOL = dict(rtol=1e-4, atol=1e-5)


MODULES = [
    lambda nn: nn.Linear(5, 3),
    lambda nn: nn.Linear(4, 2, bias=False, dtype=torch.float64 if nn is torch.nn else jtorch.float64),
    lambda nn: nn.Bilinear(3, 2, 4),
    lambda nn: nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2),
    lambda nn: nn.Conv2d(3, 16, 3, padding=1),
    lambda nn: nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=2, bias=False,
                         padding_mode="reflect"),
    lambda nn: nn.Conv2d(2, 4, 4, padding="same", padding_mode="circular"),
    lambda nn: nn.Conv3d(2, 3, 2, padding="valid"),
    lambda nn: nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=1, groups=2),
    lambda nn: nn.ConvTranspose2d(3, 6, (3, 2), stride=2, padding=1, dilation=2, bias=False),
    lambda nn: nn.BatchNorm1d(5),
    lambda nn: nn.BatchNorm2d(4, eps=1e-3, momentum=None, affine=False),
    lambda nn: nn.BatchNorm2d(3, track_running_stats=False, bias=False),
    lambda nn: nn.BatchNorm3d(2),
    lambda nn: nn.LayerNorm(4),
    lambda nn: nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False),
    lambda nn: nn.LayerNorm((3,), bias=False),
    lambda nn: nn.Embedding(10, 3),
    lambda nn: nn.Embedding(10, 3, padding_idx=-2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True,
                            sparse=True),
]

STATELESS = [
    lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True),
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool2d((3, 2), stride=1, padding=1, dilation=(1, 2), return_indices=True),
    lambda nn: nn.AvgPool1d(3, padding=1),
    lambda nn: nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False, divisor_override=3),
    lambda nn: nn.AdaptiveAvgPool1d(4),
    lambda nn: nn.AdaptiveAvgPool2d((None, 3)),
    lambda nn: nn.AdaptiveMaxPool1d(2),
    lambda nn: nn.AdaptiveMaxPool2d(1, return_indices=True),
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU(inplace=True), lambda nn: nn.ReLU6(True), lambda nn: nn.Hardtanh(-2, 3),
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2, inplace=True), lambda nn: nn.ELU(alpha=0.5),
    lambda nn: nn.GELU(), lambda nn: nn.GELU(approximate="tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Sigmoid(),
    lambda nn: nn.Tanh(), lambda nn: nn.Softmax(dim=1), lambda nn: nn.LogSoftmax(), lambda nn: nn.Dropout(),
    lambda nn: nn.Dropout(0.25, inplace=True),
    lambda nn: nn.ZeroPad2d((1, 2, 0, 1)), lambda nn: nn.ConstantPad1d(2, 1.5), lambda nn: nn.ConstantPad3d(1, 0.0),
    lambda nn: nn.ReflectionPad1d((1, 2)), lambda nn: nn.ReflectionPad2d(1), lambda nn: nn.ReplicationPad3d(1),
    lambda nn: nn.CircularPad2d((1, 0, 2, 1)), lambda nn: nn.ZeroPad1d(3),
]


def test_repr_state_dict_and_seeded_init_match_torch():
    """Same repr, parameter and buffer names in torch's order, and (same seed) identical initial values."""
    for build in MODULES:
        t_module, j_module = seeded(build)
        assert repr(j_module) == repr(t_module)
        assert [n for n, _ in j_module.named_parameters()] == [n for n, _ in t_module.named_parameters()]
        assert [n for n, _ in j_module.named_buffers()] == [n for n, _ in t_module.named_buffers()]
        assert_same_state(j_module, t_module, rtol=0, atol=0)
        assert dict(j_module.state_dict()._metadata) == dict(t_module.state_dict()._metadata)
        assert all(p.requires_grad for p in j_module.parameters())


def test_stateless_module_reprs():
    for build in STATELESS:
        assert repr(build(jtorch.nn)) == repr(build(torch.nn))
    sequential = lambda nn: nn.Sequential(*[b(nn) for b in MODULES[:5] + STATELESS[:6]])  # noqa: E731
    t_module, j_module = seeded(sequential)
    assert repr(j_module) == repr(t_module)
    assert list(j_module.state_dict()) == list(t_module.state_dict())


def test_module_attributes_match_torch():
    t_module, j_module = seeded(lambda nn: nn.Conv2d(2, 4, 3, padding="same", dilation=2, padding_mode="reflect"))
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "transposed",
                 "output_padding", "groups", "padding_mode", "_reversed_padding_repeated_twice"):
        assert getattr(j_module, name) == getattr(t_module, name), name
    for build in (lambda nn: nn.MaxPool2d(3), lambda nn: nn.AvgPool1d(3), lambda nn: nn.AvgPool2d((2, 3), 1)):
        t_pool, j_pool = build(torch.nn), build(jtorch.nn)
        assert (j_pool.kernel_size, j_pool.stride, j_pool.padding) == (t_pool.kernel_size, t_pool.stride,
                                                                       t_pool.padding)


# ---- forward and backward --------------------------------------------------------------------------------------

@pytest.mark.parametrize("build,shape", [
    (MODULES[3], (2, 4, 9)),
    (MODULES[5], (2, 2, 7, 6)),
    (MODULES[6], (1, 2, 5, 5)),
    (lambda nn: nn.Conv2d(2, 3, 3, padding=2, padding_mode="replicate"), (2, 2, 5, 4)),
    (MODULES[7], (1, 2, 4, 3, 3)),
    (MODULES[8], (2, 4, 5)),
    (MODULES[9], (2, 3, 4, 3)),
    (MODULES[2], None),
])
def test_layer_forward_backward(build, shape):
    t_module, j_module = seeded(build)
    inputs = (torch.randn(5, 3), torch.randn(5, 2)) if shape is None else (torch.randn(shape),)
    run_both(t_module, j_module, *inputs, **CONV_TOL)


def test_conv_transpose_output_size():
    t_module, j_module = seeded(lambda nn: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1))
    x = torch.randn(1, 2, 4, 4)
    for size in ([8, 8], [1, 3, 7, 8]):
        assert_same(j_module(to_jt(x), output_size=size), t_module(x, output_size=size), **CONV_TOL)
    assert_raises_like(lambda: t_module(x, output_size=[10, 10]), lambda: j_module(to_jt(x), output_size=[10, 10]))


@pytest.mark.parametrize("index", range(len(STATELESS)))
def test_stateless_forward_backward(index):
    build = STATELESS[index]
    t_module, j_module = build(torch.nn), build(jtorch.nn)
    shape = {"1d": (2, 3, 8), "2d": (2, 3, 6, 5), "3d": (1, 2, 3, 4, 3)}
    name = type(t_module).__name__
    x = torch.relu(torch.randint(-2, 3, shape[name[-2:]] if name[-2:] in shape else (3, 4, 5)).float())
    if "Dropout" in name:
        t_module.eval()
        j_module.eval()
    if getattr(t_module, "inplace", False):
        t_module, j_module = torch.nn.Sequential(torch.nn.Identity(), t_module), jtorch.nn.Sequential(
            jtorch.nn.Identity(), j_module)
        x_t = x.clone().requires_grad_()
        expected, got = t_module(x_t * 1), j_module(to_jt(x_t) * 1)
        assert_same(got, expected)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(t_module, j_module, x)


def test_seed_cnn_matches_torch():
    """The seed program's model: same initial weights, outputs and gradients; its unbatched loop raises
    torch's error."""
    def build(nn):
        class MyModel(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
                self.relu1 = nn.ReLU()
                self.pool1 = nn.MaxPool2d(2)
                self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
                self.relu2 = nn.ReLU()
                self.pool2 = nn.MaxPool2d(2)
                self.fc = nn.Linear(32 * 8 * 8, num_classes)

            def forward(self, x):
                x = self.pool1(self.relu1(self.conv1(x)))
                x = self.pool2(self.relu2(self.conv2(x)))
                x = x.view(x.size(0), -1)
                return self.fc(x)
        return MyModel()
    t_model, j_model = seeded(build)
    assert repr(j_model) == repr(t_model)
    assert_same_state(j_model, t_model, rtol=0, atol=0)
    x = torch.randn(4, 3, 32, 32)
    run_both(t_model, j_model, x, **CONV_TOL)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(32x64 and 2048x10\)"):
        j_model(to_jt(x[0]))


def test_state_dict_interchange_with_torch():
    """A torch state_dict (converted tensor by tensor) loads into the jtorch module and gives torch's outputs."""
    def build(nn):
        return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2))
    j_module = build(jtorch.nn)
    t_module = build(torch.nn)
    t_module(torch.randn(4, 2, 4, 4))  # moves the running statistics away from their initial values
    j_module.load_state_dict({k: to_jt(v) for k, v in t_module.state_dict().items()})
    assert_same_state(j_module, t_module, rtol=0, atol=0)
    t_module.eval()
    j_module.eval()
    run_both(t_module, j_module, torch.randn(2, 2, 4, 4), **CONV_TOL)


# ---- batch norm ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [dict(), dict(momentum=None), dict(affine=False, momentum=0.3),
                                dict(track_running_stats=False)])
def test_batch_norm2d_training_steps_then_eval(kw):
    t_module, j_module = seeded(lambda nn: nn.BatchNorm2d(3, **kw))
    for step in range(3):
        run_both(t_module, j_module, torch.randn(4, 3, 3, 3) * (step + 1) + step, **CONV_TOL)
        assert_same_state(j_module, t_module)
    t_module.eval()
    j_module.eval()
    run_both(t_module, j_module, torch.randn(2, 3, 3, 3), **CONV_TOL)


def test_batch_norm1d_inputs_and_buffers():
    t_module, j_module = seeded(lambda nn: nn.BatchNorm1d(4, momentum=None))
    for shape in ((6, 4), (3, 4, 5)):
        run_both(t_module, j_module, torch.randn(shape), **CONV_TOL)
    assert_same_state(j_module, t_module)
    assert j_module.num_batches_tracked.dtype is jtorch.int64 and int(j_module.num_batches_tracked) == 2
    j_module.reset_running_stats()
    t_module.reset_running_stats()
    assert_same_state(j_module, t_module)


def test_batch_norm_loads_version1_state_dict_without_num_batches_tracked():
    t_module, j_module = seeded(lambda nn: nn.BatchNorm1d(2))
    state = t_module.state_dict()
    del state["num_batches_tracked"]
    state._metadata[""]["version"] = 1
    j_state = type(state)({k: to_jt(v) for k, v in state.items()})
    j_state._metadata = state._metadata
    t_module.load_state_dict(state)
    j_module.load_state_dict(j_state)
    assert_same_state(j_module, t_module)


@pytest.mark.parametrize("build,shape", [
    (lambda nn: nn.BatchNorm1d(3), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3), (2, 3, 4)),
    (lambda nn: nn.BatchNorm3d(3), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm1d(3), (1, 3)),
    (lambda nn: nn.Conv2d(3, 4, 3), (1, 4, 8, 8)),
    (lambda nn: nn.Linear(3, 4), (2, 5)),
    (lambda nn: nn.LayerNorm(3), (2, 4)),
    (lambda nn: nn.CircularPad2d(1), (2, 3)),
])
def test_forward_errors(build, shape):
    t_module, j_module = seeded(build)
    x = torch.randn(shape)
    assert_raises_like(lambda: t_module(x), lambda: j_module(to_jt(x)))


@pytest.mark.parametrize("build", [
    lambda nn: nn.Conv2d(3, 16, 3, groups=2),
    lambda nn: nn.Conv2d(4, 6, 3, groups=4),
    lambda nn: nn.Conv2d(3, 6, 3, groups=0),
    lambda nn: nn.Conv2d(3, 6, 3, padding="foo"),
    lambda nn: nn.Conv2d(3, 6, 3, stride=2, padding="same"),
    lambda nn: nn.Conv2d(3, 6, 3, padding_mode="mirror"),
    lambda nn: nn.ConvTranspose2d(3, 6, 3, padding_mode="reflect"),
    lambda nn: nn.Dropout(1.5),
    lambda nn: nn.Embedding(5, 2, padding_idx=5),
    lambda nn: nn.Embedding(5, 2, _weight=torch.ones(4, 2) if nn is torch.nn else jtorch.ones(4, 2)),
    lambda nn: nn.Hardtanh(1.0, 1.0),
    lambda nn: nn.Bilinear(0, 2, 3),
])
def test_constructor_errors(build):
    assert_raises_like(lambda: build(torch.nn), lambda: build(jtorch.nn))


# ---- dropout, layer norm, embedding ----------------------------------------------------------------------------

def test_dropout_module_train_and_eval():
    t_module, j_module = seeded(lambda nn: nn.Dropout(0.3))
    x = torch.randn(5, 7)
    torch.manual_seed(5)
    jtorch.random.manual_seed(5)
    run_both(t_module, j_module, x, rtol=0, atol=0)
    t_module.eval()
    j_module.eval()
    x_j = to_jt(x)
    assert j_module(x_j) is x_j


def test_layer_norm_modules():
    for build in (MODULES[14], MODULES[15], MODULES[16]):
        t_module, j_module = seeded(build)
        run_both(t_module, j_module, torch.randn(3, 2, 3) if build is MODULES[15] else torch.randn(2, 5, 4)[...,
                 :t_module.normalized_shape[-1]], **CONV_TOL)


def test_embedding_module_padding_idx_and_from_pretrained():
    t_module, j_module = seeded(lambda nn: nn.Embedding(6, 3, padding_idx=1))
    idx = torch.tensor([[1, 2, 1], [0, 5, 2]])
    run_both(t_module, j_module, idx, grad=False)
    t_module(idx).sum().backward()
    j_module(to_jt(idx)).sum().backward()
    assert_same(j_module.weight.grad, t_module.weight.grad)
    assert float(j_module.weight.grad[1].abs().sum()) == 0.0

    weights = torch.randn(4, 2)
    for freeze in (True, False):
        t_emb = torch.nn.Embedding.from_pretrained(weights, freeze=freeze, padding_idx=0)
        j_emb = jtorch.nn.Embedding.from_pretrained(to_jt(weights), freeze=freeze, padding_idx=0)
        assert repr(j_emb) == repr(t_emb) and j_emb.weight.requires_grad == t_emb.weight.requires_grad
        assert_same(j_emb(to_jt(idx % 4)), t_emb(idx % 4))
    assert_raises_like(lambda: torch.nn.Embedding.from_pretrained(torch.ones(3)),
                       lambda: jtorch.nn.Embedding.from_pretrained(jtorch.ones(3)))


def test_embedding_max_norm_module():
    t_module, j_module = seeded(lambda nn: nn.Embedding(5, 4, max_norm=1.0))
    idx = torch.tensor([0, 2, 2, 4])
    assert_same(j_module(to_jt(idx)), t_module(idx))
    assert_same(j_module.weight, t_module.weight)


def test_softmax_module_implicit_dim_warns():
    t_module, j_module = torch.nn.Softmax(), jtorch.nn.Softmax()
    x = torch.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        got = j_module(to_jt(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(got, t_module(x))


def test_public_names_registered():
    names = ["Linear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d",
             "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d",
             "AdaptiveMaxPool2d", "ReLU", "ReLU6", "Hardtanh", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh",
             "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm",
             "Embedding", "ZeroPad2d", "ConstantPad1d", "ReflectionPad2d", "ReplicationPad2d", "CircularPad2d"]
    for name in names:
        assert getattr(jtorch.nn, name) is getattr(jtorch.nn.modules, name)
    assert jtorch.nn.init.kaiming_uniform_ is not None
