"""torch.nn: Module, Parameter, layers, functional, init."""
from . import functional
from . import init
from . import utils
from .modules import (Flatten, Identity, Module, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential,
                      Unflatten)
from .modules import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss,
                      NLLLoss, SmoothL1Loss)
from .modules import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d,
                      AvgPool2d, BatchNorm1d, BatchNorm2d, BatchNorm3d, Bilinear, CELU, CircularPad1d, CircularPad2d,
                      CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, Conv1d, Conv2d, Conv3d,
                      ConvTranspose1d, ConvTranspose2d, Dropout, ELU, Embedding, GELU, GLU, Hardtanh, LayerNorm,
                      LeakyReLU, Linear, LogSigmoid, LogSoftmax, MaxPool1d, MaxPool2d, Mish, ReflectionPad1d,
                      ReflectionPad2d, ReflectionPad3d, ReLU, ReLU6, ReplicationPad1d, ReplicationPad2d,
                      ReplicationPad3d, SELU, Sigmoid, SiLU, Softmax, Softmin, Softplus, Softsign, Tanh, Tanhshrink,
                      ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .modules import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .modules import (MultiheadAttention, Transformer, TransformerDecoder, TransformerDecoderLayer,
                      TransformerEncoder, TransformerEncoderLayer)
from .modules import (AlphaDropout, CosineEmbeddingLoss, CosineSimilarity, CTCLoss, Dropout1d, Dropout2d, Dropout3d,
                      EmbeddingBag, FeatureAlphaDropout, Fold, GaussianNLLLoss, GroupNorm, Hardshrink, Hardsigmoid,
                      Hardswish, HingeEmbeddingLoss, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d,
                      LocalResponseNorm, MarginRankingLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
                      MultiMarginLoss, PairwiseDistance, PixelShuffle, PixelUnshuffle, PoissonNLLLoss, PReLU, RMSNorm,
                      RReLU, Softshrink, SoftMarginLoss, Threshold, TripletMarginLoss, Unfold, Upsample,
                      UpsamplingBilinear2d, UpsamplingNearest2d)
from .parameter import Parameter
