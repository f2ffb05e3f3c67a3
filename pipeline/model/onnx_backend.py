"""ONNX Runtime as an exact (fp32) inference backend for the classifier and the speaker tagger: export once, cache
in the model folder.

The encoder and heads are exported together (``torch.onnx.export``, batch and sequence axes dynamic) to
``model-<hash>.onnx`` in a cache folder (the model folder's ``onnx/``), ``<hash>`` covering the weight and config
files and this module's export settings, so a retrained model never runs a stale graph; an older export is removed. Where the folder is
read-only the export goes to a temporary folder for this process. ONNX Runtime's own CPU kernels (MLAS) run the
same fp32 arithmetic as torch, up to float rounding (logits within ~1e-5 of torch's), faster than MKL on AMD
CPUs and at least as fast elsewhere (benchmarks/label_throughput.py --backends). The speaker tagger (config
``speaker_tagger``), a second encoder pass per sentence, is exported the same way (``tagger-<hash>.onnx``). An ONNX
file is a protobuf graph of standard operators: loading it runs no code and unpickles nothing (no custom-op
libraries are registered).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import torch

from .classifier import MultiTaskClassifier
from .features import SPEAKER_DECISION, SPEAKER_TAGS

#: The graph's outputs besides the fields' logits, where the model has the speaker head.
SPEAKER_OUTPUTS = (SPEAKER_DECISION, SPEAKER_TAGS)

BACKENDS = ("auto", "torch", "onnx")
OPSET = 17
#: Bumped when the export changes (inputs, opset, wrapper), so cached graphs are re-exported.
EXPORT_VERSION = "2"
INSTALL_HINT = "pip install -e '.[onnx]' (onnxruntime and onnx)"


class BackendUnavailable(ImportError):
    """The onnx backend was asked for where onnxruntime (or onnx, which the export needs) is not installed."""


def available() -> bool:
    """Whether onnxruntime and onnx are importable here."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    if not available():
        raise BackendUnavailable(f"the onnx backend needs onnxruntime and onnx, not installed here: {INSTALL_HINT}; "
                                 "or use --backend torch")


def resolve_backend(backend: str, precision: str) -> str:
    """A concrete backend for a concrete precision: ``auto`` is onnx for fp32 where onnxruntime is installed, else
    torch; onnx is fp32 only (bf16 and int8 run in torch)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "onnx" if precision == "fp32" and available() else "torch"
    if backend == "onnx":
        if precision != "fp32":
            raise ValueError(f"the onnx backend runs fp32 only, not {precision}; use --backend torch for {precision}")
        require()
    return backend


def weights_hash(files: Sequence[Path]) -> str:
    """sha256 over ``files`` (weights, config) and the export settings, 16 hex digits."""
    h = hashlib.sha256(f"export {EXPORT_VERSION} opset {OPSET} {torch.__version__}".encode())
    for path in files:
        h.update(Path(path).name.encode())
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    return h.hexdigest()[:16]


class _Logits(torch.nn.Module):
    """The classifier with positional inputs and a tuple of per-field logits, as ONNX export wants it."""

    def __init__(self, model: MultiTaskClassifier, token_types: bool):
        super().__init__()
        self.model, self.token_types = model, token_types

    def forward(self, input_ids, attention_mask, sentence_mask, token_type_ids=None):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, sentence_mask=sentence_mask,
                         token_type_ids=token_type_ids if self.token_types else None)
        return tuple(out["logits"]) + tuple(out.get("speaker", ()))


def _padded_example(b: int = 2, t: int = 8) -> tuple[torch.Tensor, ...]:
    """(ids, mask, sentence mask, token types) of a padded batch whose sentence is shorter than the input, so the
    padding-mask path is the one the tracer keeps."""
    ids = torch.full((b, t), 101, dtype=torch.long)
    mask = torch.ones(b, t, dtype=torch.long)
    mask[1, 5:] = 0
    sent = mask.clone()
    sent[:, 4:] = 0
    types = torch.zeros(b, t, dtype=torch.long)
    types[:, 4:] = 1
    return ids, mask, sent, types


def _write_graph(module: torch.nn.Module, example: tuple, names: list[str], outputs: list[str], axes: dict,
                 out: Path) -> Path:
    """``module`` (eval mode, fp32) traced on ``example`` and written to ``out`` atomically."""
    require()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's warnings on shape-dependent Python branches of transformers
        torch.onnx.export(module.eval(), example, str(tmp), input_names=names, output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)
    os.replace(tmp, out)
    return out


def export(model: MultiTaskClassifier, out: Path, token_types: bool) -> Path:
    """Write ``model`` (eval mode, fp32) as an ONNX graph with dynamic batch and sequence axes, atomically."""
    names = ["input_ids", "attention_mask", "sentence_mask"] + (["token_type_ids"] if token_types else [])
    example = _padded_example()[: len(names)]
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {f: {0: "batch"} for f in model.fields}
    outputs = list(model.fields)
    if getattr(model, "speaker_head", False):  # the speaker head's decision and per-token tags, same pass
        outputs += list(SPEAKER_OUTPUTS)
        axes |= {SPEAKER_OUTPUTS[0]: {0: "batch"}, SPEAKER_OUTPUTS[1]: {0: "batch", 1: "sequence"}}
    return _write_graph(_Logits(model.eval(), token_types), example, names, outputs, axes, out)


class _TaggerLogits(torch.nn.Module):
    """The speaker tagger's network (:class:`~pipeline.attribution.span_tagger.SpeakerTagger`'s ``net``) with
    positional inputs: (decision logits, per-token tag logits)."""

    def __init__(self, net: torch.nn.Module, token_types: bool):
        super().__init__()
        self.net, self.token_types = net, token_types

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        enc = {"input_ids": input_ids, "attention_mask": attention_mask}
        if self.token_types:
            enc["token_type_ids"] = token_type_ids
        return self.net(**enc)


def export_tagger(net: torch.nn.Module, out: Path, token_types: bool) -> Path:
    """Write the tagger's ``net`` as an ONNX graph (dynamic batch and sequence axes), atomically."""
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if token_types else [])
    ids, mask, _, types = _padded_example()
    example = (ids, mask, types)[: len(names)]
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"decision": {0: "batch"},
                                                              "tags": {0: "batch", 1: "sequence"}}
    return _write_graph(_TaggerLogits(net.eval(), token_types), example, names, ["decision", "tags"], axes, out)


def cached_export(model, folder: Path, depends: Sequence[Path], token_types: bool, exporter=None,
                  prefix: str = "model") -> Path:
    """The exported graph ``<prefix>-<hash>.onnx`` in ``folder`` for the current contents of ``depends`` (the files
    the weights were loaded from), written by ``exporter`` (default :func:`export`) and older ones of the same
    prefix removed where missing."""
    exporter = exporter or export
    path = Path(folder) / f"{prefix}-{weights_hash(depends)}.onnx"
    if path.is_file():
        return path
    try:
        exporter(model, path, token_types)
    except OSError:  # a read-only model folder: export for this process only
        path = Path(tempfile.mkdtemp(prefix="stance-onnx-")) / path.name
        return exporter(model, path, token_types)
    for old in folder.glob(f"{prefix}-*.onnx"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def _session(path: Path | str, threads: int | None):
    """An ONNX Runtime CPU session on ``path``: all graph optimisations, ``threads`` intra-op threads, no spinning."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Idle threads sleep instead of spinning: on a CPU shared with other work, spinning threads take cores from
    # each other (+25% sentences/s without it, 2 cores under load 6; batches are large, so waking costs little).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxClassifier:
    """An ONNX Runtime session that stands in for the classifier in :class:`~pipeline.model.predictor.Predictor`:
    called with the collated batch (torch tensors), it returns ``{"logits": (one tensor per field)}``."""

    backend = "onnx"

    def __init__(self, path: Path | str, fields: Sequence[str], threads: int | None = None):
        require()
        self.session = _session(path, threads)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.fields = list(fields)
        self.path = Path(path)
        names = {o.name for o in self.session.get_outputs()}
        self.outputs = self.fields + [n for n in SPEAKER_OUTPUTS if n in names]

    def __call__(self, **batch) -> dict:
        feed = {name: batch[name].numpy() for name in self.inputs}
        got = [torch.from_numpy(x) for x in self.session.run(self.outputs, feed)]
        out = {"logits": tuple(got[: len(self.fields)])}
        if len(got) > len(self.fields):
            out["speaker"] = tuple(got[len(self.fields):])
        return out


def onnx_classifier(model: MultiTaskClassifier, folder: Path, depends: Sequence[Path],
                    token_types: bool) -> OnnxClassifier:
    """``model`` on ONNX Runtime, exported into ``folder`` on first use and read from there after
    (:func:`cached_export`); ``token_types``: whether the tokenizer gives ``token_type_ids``."""
    return OnnxClassifier(cached_export(model, folder, depends, token_types), model.fields)


class OnnxTagger:
    """An ONNX Runtime session that stands in for the speaker tagger's network (``SpeakerTagger.runner``): called
    with the tokenized batch (torch tensors), it returns (decision logits, tag logits) as torch tensors."""

    backend = "onnx"

    def __init__(self, path: Path | str, threads: int | None = None):
        require()
        self.session = _session(path, threads)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.path = Path(path)

    def __call__(self, **enc) -> tuple[torch.Tensor, torch.Tensor]:
        decision, tags = self.session.run(["decision", "tags"], {name: enc[name].numpy() for name in self.inputs})
        return torch.from_numpy(decision), torch.from_numpy(tags)


def onnx_tagger(net: torch.nn.Module, folder: Path, depends: Sequence[Path], token_types: bool) -> OnnxTagger:
    """The tagger's ``net`` on ONNX Runtime, exported into ``folder`` as ``tagger-<hash>.onnx`` on first use."""
    return OnnxTagger(cached_export(net, folder, depends, token_types, exporter=export_tagger, prefix="tagger"))
