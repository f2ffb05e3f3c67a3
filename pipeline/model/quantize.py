"""int8 inference: activation smoothing calibrated on the training sentences, then dynamic quantisation.

Plain dynamic quantisation moved 2-5% of labels away from fp32 (benchmarks/label_throughput.py). Two causes,
two fixes:

- A few input channels of each linear layer carry values 5-15x larger than the rest, and one activation
  scale per tensor must cover them. Each such channel is therefore divided by how far its largest magnitude on
  the training sentences exceeds the median channel's, and its weight column multiplied by the same factor
  (SmoothQuant-style smoothing): the same function in fp32, flatter activations for int8. The maxima are stored
  in the model folder as ``int8_calibration.safetensors`` (:mod:`pipeline.model.folder`).
- The query and key projections stay fp32: attention scores multiply their two errors and the softmax
  exponentiates them. Leaving them out cut the int8 logit error by a third, at no measured cost in speed (these
  small layers gain little from int8 once their inputs are quantised on the fly).

Labels then still flip where two classes are nearly tied, so :class:`~pipeline.model.predictor.Predictor` re-scores in fp32
the few sentences whose int8 top-two logit margin is below ``precision.FALLBACK_MARGINS["int8"]`` in any field.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence

import torch
from torch import nn

#: Linear layers kept in fp32, by the last part of their name (BERT, Llama-style and DistilBERT spellings).
FP32_LAYERS = frozenset({"query", "key", "q_proj", "k_proj", "q_lin", "k_lin"})


class SmoothedLinear(nn.Module):
    """``linear(x / s)`` with the weight columns already multiplied by ``s``: fp32-equivalent, flatter inputs."""

    def __init__(self, linear: nn.Linear, scale: torch.Tensor):
        super().__init__()
        with torch.no_grad():
            linear.weight.mul_(scale)
        self.linear = linear
        self.register_buffer("inv_scale", 1.0 / scale)

    def forward(self, x):
        return self.linear(x * self.inv_scale)


def encoder_linears(model: nn.Module, quantised_only: bool = False) -> dict[str, nn.Linear]:
    """The encoder's linear layers by name (the heads are left out: tiny, and they decide the labels);
    ``quantised_only`` also leaves out the :data:`FP32_LAYERS`."""
    return {n: m for n, m in model.named_modules() if isinstance(m, nn.Linear) and not n.startswith("heads")
            and not (quantised_only and n.rpartition(".")[2] in FP32_LAYERS)}


def activation_maxima(predictor, texts: Sequence[str], contexts: Sequence[str] | None = None,
                      batch_size: int = 64) -> dict[str, torch.Tensor]:
    """Largest |input| per channel of every encoder linear layer over the given sentences (fp32 model)."""
    maxima: dict[str, torch.Tensor] = {}

    def hook(name):
        def record(_module, inputs, _output):
            x = inputs[0].detach().abs().flatten(0, -2).amax(0).float()
            maxima[name] = torch.maximum(maxima[name], x) if name in maxima else x
        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in encoder_linears(predictor.model).items()]
    try:
        predictor.logits(texts, contexts, batch_size)
    finally:
        for h in handles:
            h.remove()
    return maxima


def smoothing_scale(maxima: torch.Tensor) -> torch.Tensor:
    """Per input channel: how far its largest value exceeds the median channel's (at least 1).

    Only outlier channels are scaled down, to the median channel's range; quieter channels are left alone, so one
    that the calibration sentences happened not to excite cannot be blown up into a new outlier.
    """
    return (maxima / maxima.median().clamp(min=1e-6)).clamp(min=1.0)


def smooth(model: nn.Module, maxima: dict[str, torch.Tensor]) -> nn.Module:
    """Wrap each calibrated linear layer to be quantised in a :class:`SmoothedLinear` (in place; returns the model)."""
    for name, linear in encoder_linears(model, quantised_only=True).items():
        if name not in maxima:
            continue
        parent, _, attr = name.rpartition(".")
        setattr(model.get_submodule(parent), attr, SmoothedLinear(linear, smoothing_scale(maxima[name])))
    return model


def quantize_int8(model: nn.Module, maxima: dict[str, torch.Tensor] | None = None) -> nn.Module:
    """An int8 copy of ``model``: encoder linears (but :data:`FP32_LAYERS`) smoothed where ``maxima`` are given,
    then per-channel int8."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    model = copy.deepcopy(model)
    if maxima:
        smooth(model, maxima)
    spec = {name: per_channel_dynamic_qconfig for name in encoder_linears(model, quantised_only=True)}
    with warnings.catch_warnings():  # torch.ao's deprecation notice, printed once per layer
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, spec, dtype=torch.qint8)
