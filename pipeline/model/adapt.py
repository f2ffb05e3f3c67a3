"""Domain adaptation of the encoder: continued masked-language-model training on unlabelled topic text.

``adapt_encoder`` packs documents into sentence chunks, continues MLM training of the encoder and saves a plain
encoder checkpoint (AutoModel + tokenizer, safetensors) that works as ``encoder = "<dir>"`` in a config.

The sentence-transformers MiniLM checkpoint has no MLM head: ``AutoModelForMaskedLM`` ties the decoder to the
input embeddings (the checkpoint's own matrix) but initialises the transform layer (dense + LayerNorm) at random
and the output bias at zero. So training runs in two phases: the head alone first (encoder frozen, so the
encoder is not pushed around by a random head's gradients), then encoder and head together. The word-embedding
matrix, and with it the tied decoder, stays fixed by default (the classifier freezes it too). The logits are
computed only at masked positions (a 30k-way decoder over every token is most of the CPU cost otherwise).
The saved checkpoint keeps the input encoder's pooler (the MLM model has none) and records how it was made in
``adapt.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .. import paths
from ..annotation.splits import read_split
from ..config import resolve_encoder
from ..jsonl import iter_jsonl
from ..text.articles import article_path, read_manifest
from ..text.segment import split_sentences

#: The unlabelled on-topic news pages gathered for adaptation (doc_id, url, outlet, title, date, text).
UNLABELLED = paths.ANNOTATIONS / "unlabelled" / "pages.jsonl"
META_FILE = "adapt.json"


@dataclass
class AdaptResult:
    """What an adaptation run did: held-out MLM losses at each stage, sizes and wall time."""

    out_dir: str
    encoder: str
    steps: int
    head_steps: int
    train_chunks: int
    eval_chunks: int
    eval_masked_tokens: int
    loss_random_head: float | None  # encoder as given, head as initialised
    loss_before: float | None  # encoder as given, head fitted (the fair baseline)
    loss_after: float | None  # encoder adapted
    seconds: float
    settings: dict = field(default_factory=dict)


# --- corpus ---------------------------------------------------------------------------------------------------

def _norm_url(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().lower())
    url = re.sub(r"^www\d?\.", "", url)
    return url.split("#")[0].split("?")[0].rstrip("/")


def read_pages(path: Path | str = UNLABELLED, exclude_urls: set[str] = frozenset()) -> list[dict]:
    """The unlabelled pages, less any whose address (normalised) is in ``exclude_urls``."""
    excluded = {_norm_url(u) for u in exclude_urls}
    return [row for _, row in iter_jsonl(path) if _norm_url(row.get("url", "")) not in excluded]


def word_grams(text: str, n: int = 12) -> set[str]:
    """The normalised word n-grams of a text (lower case, letters and digits only), as the leak check counts them."""
    w = re.sub(r"[^0-9a-z]+", " ", text.lower()).split()
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def training_articles(articles_dir: Path | str = paths.ARTICLES, test_split: Path | str | None = paths.TEST_SPLIT
                      ) -> tuple[list[str], set[str], set[str]]:
    """The texts of the annotated articles outside the test split, and the test articles' addresses and
    12-grams (only to keep copies of test articles out; nothing of them is trained on or scored)."""
    test = set(read_split(test_split)) if test_split is not None else set()
    rows = read_manifest(Path(articles_dir) / "manifest.jsonl")
    texts, test_grams = [], set()
    for r in rows:
        text = article_path(r["doc_id"], articles_dir).read_text(encoding="utf-8")
        if r["doc_id"] in test:
            test_grams |= word_grams(text)
        else:
            texts.append(text)
    return texts, {r["url"] for r in rows if r["doc_id"] in test and r.get("url")}, test_grams


def chunk_text(text: str, tokenizer, max_tokens: int) -> list[str]:
    """Consecutive sentences packed into chunks of at most ``max_tokens`` tokens (a longer sentence alone)."""
    chunks, current, used = [], [], 0
    for sent in split_sentences(text):
        n = len(tokenizer.tokenize(sent.text))
        if current and used + n > max_tokens:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(sent.text)
        used += n
    if current:
        chunks.append(" ".join(current))
    return chunks


def hold_out(docs: Sequence[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Split whole documents (train, held out), the held-out ones about ``fraction`` of the characters."""
    order = np.random.default_rng(seed).permutation(len(docs))
    target = fraction * sum(len(d) for d in docs)
    held, size = set(), 0
    for i in order:
        if size >= target:
            break
        held.add(int(i))
        size += len(docs[i])
    return [d for i, d in enumerate(docs) if i not in held], [d for i, d in enumerate(docs) if i in held]


# --- masking and loss -----------------------------------------------------------------------------------------

def mask_tokens(input_ids, special, generator, tokenizer, probability: float = 0.15):
    """BERT masking: ``probability`` of the real tokens are predicted; of those 80% [MASK], 10% random, 10% kept."""
    import torch

    labels = input_ids.clone()
    chosen = (torch.rand(input_ids.shape, generator=generator) < probability) & ~special
    labels[~chosen] = -100
    ids = input_ids.clone()
    roll = torch.rand(input_ids.shape, generator=generator)
    ids[chosen & (roll < 0.8)] = tokenizer.mask_token_id
    random_tokens = torch.randint(len(tokenizer), input_ids.shape, generator=generator)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    ids[swap] = random_tokens[swap]
    return ids, labels


def _masked_loss(model, batch: dict, encoder_grad: bool = True):
    """Cross-entropy at the masked positions only; the decoder runs on those rows alone."""
    import torch

    with torch.set_grad_enabled(encoder_grad and torch.is_grad_enabled()):
        hidden = model.base_model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    where = batch["labels"] != -100
    logits = model.cls(hidden[where])
    return torch.nn.functional.cross_entropy(logits, batch["labels"][where], reduction="sum"), int(where.sum())


def _batches(chunks: Sequence[str], tokenizer, max_length: int, batch_size: int, generator, probability: float):
    for i in range(0, len(chunks), batch_size):
        enc = tokenizer(list(chunks[i:i + batch_size]), truncation=True, max_length=max_length, padding=True,
                        return_tensors="pt", return_special_tokens_mask=True)
        special = enc["special_tokens_mask"].bool() | (enc["attention_mask"] == 0)
        ids, labels = mask_tokens(enc["input_ids"], special, generator, tokenizer, probability)
        yield {"input_ids": ids, "attention_mask": enc["attention_mask"], "labels": labels}


def _fixed_eval_batches(chunks, tokenizer, max_length, batch_size, seed, probability) -> list[dict]:
    """The held-out batches masked once, so every evaluation scores the same masked tokens."""
    import torch

    return list(_batches(chunks, tokenizer, max_length, batch_size, torch.Generator().manual_seed(seed + 1), probability))


def evaluate_mlm(model, batches: list[dict]) -> float | None:
    """Mean cross-entropy per masked token over fixed batches (None without any)."""
    import torch

    if not batches:
        return None
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in batches:
            loss, n = _masked_loss(model, batch)
            total, count = total + float(loss), count + n
    model.train(was_training)
    return total / max(count, 1)


# --- training -------------------------------------------------------------------------------------------------

def _train_phase(model, params, chunks, tokenizer, steps, lr, batch_size, max_length, probability, generator, rng,
                 encoder_grad: bool, bar, weight_decay: float = 0.01, warmup_ratio: float = 0.1) -> None:
    import torch
    from transformers import get_linear_schedule_with_warmup

    if steps <= 0:
        return
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    schedule = get_linear_schedule_with_warmup(optimizer, math.ceil(warmup_ratio * steps), steps)
    model.train()
    done = 0
    while done < steps:
        order = [chunks[i] for i in rng.permutation(len(chunks))]
        for batch in _batches(order, tokenizer, max_length, batch_size, generator, probability):
            loss, n = _masked_loss(model, batch, encoder_grad=encoder_grad)
            (loss / max(n, 1)).backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            done += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item() / max(n, 1):.3f}")
            if done >= steps:
                return


def adapt_encoder(
    encoder: str,
    texts: Sequence[str],
    out_dir: Path | str,
    *,
    eval_texts: Sequence[str] | None = None,
    max_steps: int = 100,
    epochs: float | None = None,
    head_steps: int = 40,
    batch_size: int = 8,
    max_seq_length: int = 128,
    learning_rate: float = 5e-5,
    head_learning_rate: float = 1e-3,
    mlm_probability: float = 0.15,
    train_embeddings: bool = False,
    eval_fraction: float = 0.05,
    seed: int = 13,
    progress: bool = True,
) -> AdaptResult:
    """Continue MLM training of ``encoder`` (a config encoder name or a directory) on ``texts`` and save it.

    ``texts`` are documents; they are cut into sentence chunks of at most ``max_seq_length`` tokens. The loss
    is scored on ``eval_texts`` (or, without them, on ``eval_fraction`` of the documents, held out whole).
    The encoder phase runs ``max_steps`` batches, fewer when ``epochs`` passes over the chunks take fewer:
    the cap is what keeps a CPU run short. Measured on this project's shared 2-core machine: 60 + 200 steps of
    8 x 128 tokens took 13.7 CPU-minutes and 260 head steps alone 4.8 (so an encoder step costs about 3.6
    CPU-s, a head step about 1), so the defaults, 40 + 100 steps (about one pass over the ~720 training
    chunks), come to about 7.5 CPU-minutes: about 4-5 minutes on 2 quiet cores.
    The same seed gives the same weights.
    """
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModel, AutoModelForMaskedLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    start = time.perf_counter()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    source = resolve_encoder(encoder)
    tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=False)

    if eval_texts is None:
        texts, eval_texts = hold_out(list(texts), eval_fraction, seed)
    room = max_seq_length - 2
    train_chunks = [c for t in texts for c in chunk_text(t, tokenizer, room)]
    eval_chunks = [c for t in eval_texts for c in chunk_text(t, tokenizer, room)]
    if not train_chunks:
        raise ValueError("no text to adapt on")
    steps = max_steps
    if epochs is not None:
        steps = min(steps, math.ceil(epochs * len(train_chunks) / batch_size))

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the missing MLM head is expected (see the module docstring)
    try:
        model = AutoModelForMaskedLM.from_pretrained(source, trust_remote_code=False)
    finally:
        hf_logging.set_verbosity(verbosity)
    model.tie_weights()
    embeddings = model.get_input_embeddings().weight
    if model.get_output_embeddings().weight is not embeddings:
        raise ValueError(f"{source}: the MLM decoder is not tied to the input embeddings")
    head = [p for n, p in model.cls.named_parameters() if p is not embeddings]
    eval_batches = _fixed_eval_batches(eval_chunks, tokenizer, max_seq_length, batch_size, seed, mlm_probability)
    masked = sum(int((b["labels"] != -100).sum()) for b in eval_batches)
    generator = torch.Generator().manual_seed(seed)

    loss_random = evaluate_mlm(model, eval_batches)
    with tqdm(total=head_steps + steps, desc="adapt", disable=not progress) as bar:
        for p in model.parameters():
            p.requires_grad_(False)
        for p in head:
            p.requires_grad_(True)
        _train_phase(model, head, train_chunks, tokenizer, head_steps, head_learning_rate, batch_size,
                     max_seq_length, mlm_probability, generator, rng, encoder_grad=False, bar=bar)
        loss_before = evaluate_mlm(model, eval_batches)
        for p in model.parameters():
            p.requires_grad_(True)
        embeddings.requires_grad_(train_embeddings)
        params = [p for p in model.parameters() if p.requires_grad]
        _train_phase(model, params, train_chunks, tokenizer, steps, learning_rate, batch_size, max_seq_length,
                     mlm_probability, generator, rng, encoder_grad=True, bar=bar)
    loss_after = evaluate_mlm(model, eval_batches)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plain = AutoModel.from_pretrained(source, trust_remote_code=False)  # keeps the input encoder's pooler
    missing, unexpected = plain.load_state_dict(model.base_model.state_dict(), strict=False)
    if unexpected or any(not k.startswith("pooler.") for k in missing):
        raise ValueError(f"adapted weights do not fit {source}: missing {missing}, unexpected {unexpected}")
    plain.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    result = AdaptResult(
        out_dir=str(out), encoder=encoder, steps=steps, head_steps=head_steps, train_chunks=len(train_chunks),
        eval_chunks=len(eval_chunks), eval_masked_tokens=masked, loss_random_head=loss_random,
        loss_before=loss_before, loss_after=loss_after, seconds=round(time.perf_counter() - start, 1),
        settings={"batch_size": batch_size, "max_seq_length": max_seq_length, "learning_rate": learning_rate,
                  "head_learning_rate": head_learning_rate, "mlm_probability": mlm_probability,
                  "train_embeddings": train_embeddings, "seed": seed, "max_steps": max_steps, "epochs": epochs,
                  "text_sha256": hashlib.sha256("\n\x00".join(train_chunks).encode()).hexdigest()[:16]},
    )
    (out / META_FILE).write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return result


def adapt_on_corpus(encoder: str, out_dir: Path | str, pages: Path | str = UNLABELLED,
                    articles_dir: Path | str = paths.ARTICLES, test_split: Path | str | None = paths.TEST_SPLIT,
                    eval_fraction: float = 0.05, seed: int = 13, **kwargs) -> AdaptResult:
    """Adapt on the unlabelled pages plus the annotated training articles; the loss is scored on
    ``eval_fraction`` of the pages (whole pages). Test articles are never trained on or scored: a page at a
    test article's address, or sharing any word 12-gram with one (a syndicated copy), is left out."""
    articles, test_urls, test_grams = training_articles(articles_dir, test_split)
    rows = read_pages(pages, exclude_urls=test_urls) if Path(pages).is_file() else []
    page_texts = [row["text"] for row in rows if not word_grams(row["text"]) & test_grams]  # no copy of a test article
    train_pages, eval_pages = hold_out(page_texts, eval_fraction, seed)
    return adapt_encoder(encoder, train_pages + articles, out_dir, eval_texts=eval_pages, seed=seed, **kwargs)
