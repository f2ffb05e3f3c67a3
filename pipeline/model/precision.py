"""Inference precision: fp32 (exact), bf16 (autocast) or int8 (:mod:`pipeline.model.quantize`), and which one to pick.

bf16 runs the encoder's matrix products in bfloat16 under ``torch.autocast`` (layer norms, softmax, pooling and
the heads stay fp32). It pays only where the hardware multiplies bf16 natively (AMX or AVX512-BF16 CPUs, recent
GPUs); elsewhere torch emulates it, slower than fp32. Both reduced precisions re-score in fp32 the sentences
whose top-two logit margin falls under their ``FALLBACK_MARGINS`` entry in any field: near-ties are where
rounding flips a label. bf16's margin exceeds its 99.9th-percentile logit error (0.038 on 1,000 benchmark
sentences), so re-scoring leaves practically no bf16 label different from fp32. int8's error is larger (median
0.17, 99th percentile 0.39); 0.2 is the smallest margin that kept every field >= 99% the same on the 5,000
benchmark sentences and on their seed-article part, at 7% re-scored (benchmarks/label_throughput.py prints
the error, the agreement and the re-scored share).
"""

from __future__ import annotations

import warnings

import torch

PRECISIONS = ("fp32", "bf16", "int8", "auto")
#: Raw-logit top-two margin under which a reduced-precision label is re-scored in fp32.
FALLBACK_MARGINS = {"fp32": 0.0, "bf16": 0.05, "int8": 0.2}


def native_bf16(device: str = "cpu") -> bool:
    """Whether ``device`` multiplies bfloat16 natively (so bf16 is faster than fp32 there)."""
    if device.startswith("cuda"):
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    cpu = torch.cpu
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(getattr(cpu, name, lambda: False)() for name in checks)


def resolve(precision: str, device: str = "cpu") -> str:
    """A concrete precision: ``auto`` is bf16 where ``device`` has native bf16, else fp32 (int8 is never chosen
    for the user: its labels agree less with fp32). Asking for bf16 where it is emulated warns."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    if precision == "bf16" and not native_bf16(device):
        warnings.warn(f"{device} has no native bf16: bf16 runs emulated, slower than fp32", stacklevel=2)
    return precision
