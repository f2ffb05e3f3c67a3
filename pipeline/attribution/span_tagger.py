"""The fine-tuned speaker tagger: the encoder itself trained (not frozen) to find a sentence's speaker mention.

The same two decisions as the linear span head (:mod:`.span_head`) — whose sentence it is (``author``, named
``here``, ``back``) and which of its tokens name the speaker (B/I/O) — but as two linear layers on an encoder that is
fine-tuned with them, each sentence read with the sentence before it. Trained on the same silver spans (the gold
speaker found in its sentence, :func:`.span_head.silver_examples`); read by the same article decoder
(:func:`.span_head.decode_article`), whose mentions are resolved within the article.

Config ``speaker_tagger`` trains it with the classifier (:func:`pipeline.model.train.fit_tagger`) and keeps it in the
model folder; labelling then reads every sentence with it (a second encoder pass) and :mod:`.tagged` combines its
reading with the rules. The classifier's own speaker head (config ``speaker_head``) makes the same two decisions in
the pass that labels the sentence, but learns less (README). ``benchmarks/attribution.py --fine-tuned`` trains and
measures it on its own. Weights: safetensors.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer

from ..config import DEFAULT_ENCODER, resolve_encoder
from ..encoders import freeze
from .actors import ActorTable, default_actors
from .span_head import DECISIONS, Learned, _tags, decode_article, silver_examples
from .tagged import AUTHOR_CONFIDENCE, MIN_CONFIDENCE, TaggerStates, read_states  # noqa: F401 (re-exported)
from .token_states import tokenize_pairs

WEIGHTS = "tagger.safetensors"


class _Net(nn.Module):
    def __init__(self, encoder: str):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(encoder)
        hidden = self.encoder.config.hidden_size
        self.decide, self.tag, self.dropout = nn.Linear(hidden, len(DECISIONS)), nn.Linear(hidden, 3), nn.Dropout(0.1)

    def forward(self, **enc):
        states = self.encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (states * mask).sum(1) / mask.sum(1)
        return self.decide(self.dropout(pooled)), self.tag(self.dropout(states))


class SpeakerTagger:
    """Fine-tune with :meth:`fit`, persist with :meth:`save` / :meth:`load`; :meth:`encode` and :meth:`read` are the
    interface :func:`.span_head.decode_article` calls (the tagger is both its head and its encoder)."""

    def __init__(self, encoder: str = DEFAULT_ENCODER, meta: dict | None = None):
        path = resolve_encoder(encoder)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.net = _Net(path).eval()
        self.meta = {"encoder": str(encoder), **(meta or {})}
        #: What reads a tokenized batch into (decision logits, tag logits): ``net`` itself, or an exact fp32 stand-in
        #: for it on another backend (:class:`~pipeline.model.onnx_backend.OnnxTagger`, set by ``load_model``).
        self.runner = None

    def fit(self, records: Sequence[Mapping], actors: ActorTable | None = None, epochs: int = 3,
            learning_rate: float = 5e-5, batch_size: int = 16, seed: int = 13, progress: bool = False,
            freeze_embeddings: bool = False, freeze_layers: int = 0) -> SpeakerTagger:
        """Fine-tune encoder and both layers on gold records (AdamW, warm-up then linear decay, length-bucketed
        batches); ``freeze_embeddings`` / ``freeze_layers`` keep the token embeddings / bottom blocks fixed (cheaper)."""
        actors = default_actors() if actors is None else actors
        examples = silver_examples(records, actors)
        torch.manual_seed(seed)
        rng = random.Random(seed)
        steps = epochs * -(-len(examples) // batch_size)
        freeze(self.net.encoder, freeze_embeddings, freeze_layers)
        opt = torch.optim.AdamW([p for p in self.net.parameters() if p.requires_grad], lr=learning_rate,
                                weight_decay=0.01)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min(1.0, (s + 1) / max(1, 0.1 * steps)) * max(0.0, (steps - s) / steps))
        loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=steps, desc="fine-tuning the speaker tagger")
        self.net.train()
        for _ in range(epochs):
            order = list(range(len(examples)))
            rng.shuffle(order)
            batches = []
            for k in range(0, len(order), batch_size * 20):  # similar lengths together, order otherwise random
                chunk = sorted(order[k:k + batch_size * 20], key=lambda i: len(examples[i][0]) + len(examples[i][1]))
                batches += [chunk[j:j + batch_size] for j in range(0, len(chunk), batch_size)]
            rng.shuffle(batches)
            for batch in batches:
                ex = [examples[i] for i in batch]
                enc, offsets, own = tokenize_pairs(self.tokenizer, [e[0] for e in ex], [e[1] for e in ex])
                labels = torch.full(enc["input_ids"].shape, -100, dtype=torch.long)
                for row, e in enumerate(ex):
                    tags = _tags(offsets[row], e[3]) if e[3] else np.zeros(len(offsets[row]), dtype=np.int64)
                    valid = own[row] & (offsets[row][:, 1] > offsets[row][:, 0])
                    labels[row, torch.from_numpy(valid)] = torch.from_numpy(tags[valid])
                decision, tags = self.net(**enc)
                loss = (loss_fn(decision, torch.tensor([e[2] for e in ex]))
                        + loss_fn(tags.reshape(-1, tags.shape[-1]), labels.reshape(-1)))
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
                opt.step()
                sched.step()
                if bar is not None:
                    bar.update(1)
        if bar is not None:
            bar.close()
        self.net.eval()
        self.meta.update({"sentences": len(examples), "epochs": epochs, "learning_rate": learning_rate, "seed": seed,
                          "freeze_embeddings": freeze_embeddings, "freeze_layers": freeze_layers})
        return self

    def encode(self, texts: Sequence[str], contexts: Sequence[str], batch_size: int = 32) -> list[TaggerStates]:
        out: list[TaggerStates | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]) + len(contexts[i] or ""))
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            enc, offsets, own = tokenize_pairs(self.tokenizer, [texts[i] for i in idx], [contexts[i] for i in idx])
            with torch.inference_mode():
                decision, tags = (self.runner or self.net)(**enc)
            decision, tags = decision.softmax(-1).numpy(), tags.softmax(-1).numpy()
            for row, i in enumerate(idx):
                out[i] = TaggerStates(decision[row], tags[row][own[row]], offsets[row][own[row]])
        return out  # type: ignore[return-value]

    def read(self, st: TaggerStates, text: str, context: str) -> tuple[str, float, tuple[int, int] | None]:
        """(decision, its probability, the mention's character span in ``text`` or None), as the span head reads."""
        return read_states(st, text, context)

    def decode(self, sentences: Sequence[str], actors: ActorTable, article: str | None = None) -> list[Learned]:
        """Speaker of each sentence of one article (mentions resolved within it)."""
        return decode_article(self, self, sentences, actors, article=article)

    def save(self, folder: Path | str) -> Path:
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.net.state_dict().items()}, str(folder / WEIGHTS),
                  metadata={"meta": json.dumps(self.meta)})
        return folder

    @classmethod
    def load(cls, folder: Path | str, encoder: str | None = None) -> SpeakerTagger:
        """A saved tagger; ``encoder`` (default: the one it was trained from) gives the architecture and tokenizer."""
        from safetensors import safe_open
        from safetensors.torch import load_file

        path = Path(folder) / WEIGHTS
        with safe_open(str(path), framework="pt") as f:
            meta = json.loads((f.metadata() or {}).get("meta", "{}"))
        tagger = cls(encoder or meta.get("encoder", DEFAULT_ENCODER), meta)
        tagger.net.load_state_dict(load_file(str(path)))
        tagger.net.eval()
        return tagger
