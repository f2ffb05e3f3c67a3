"""Speaker attribution end to end from raw article text: rules alone, the learned span head alone, and both combined.

Each article's text (annotations/articles/<doc_id>.txt) is segmented as `stance label` segments it, every system
attributes the sentences, and each gold sentence is scored by the segmented sentence that overlaps it most:
speaker-name accuracy (normalised: case, curly quotes, whitespace; and exact) and speaker_side accuracy, with the
wrong names counted per kind of miss (`pipeline.evaluation.attribution.miss_kind`).

    python benchmarks/attribution.py                  # the real test split (read it rarely)
    python benchmarks/attribution.py --split seed     # the five seed articles
    python benchmarks/attribution.py --split dev      # the real articles outside the test split
    python benchmarks/attribution.py --split cv       # dev, the span head trained by article-grouped 5-fold CV
    python benchmarks/attribution.py --gold NEW.jsonl --articles NEW/articles   # a new batch before it joins the corpus
    python benchmarks/attribution.py --fine-tuned     # also the fine-tuned speaker tagger, alone and with the rules
    python benchmarks/attribution.py --model models/default   # also a trained model's tagger or head (what `label` runs)
    python benchmarks/attribution.py --split dev --rules-only  # the rules with and without resolution: seconds, no encoder

A new batch is the only honest measure of the rules, which were written while reading the dev articles: `--gold`
scores its gold records (texts and manifest from `--articles`) with the span head trained on every annotated article
outside the test split.

The span head is trained on every annotated article outside the evaluated split (never on the test split);
`--split cv` trains one head per fold of the dev articles; `--fine-tuned` also fine-tunes the speaker tagger
(`pipeline.attribution.span_tagger`, about 6 CPU-minutes per training) the same way; `--grid` prints the combination at each pair of
thresholds (`article.LEARNED_MIN_CONFIDENCE`, `AUTHOR_MIN_CONFIDENCE`; with `--fine-tuned` also the tagger's,
`span_tagger.MIN_CONFIDENCE`, `AUTHOR_CONFIDENCE`: pick them on cv, never on test).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

# This checkout's pipeline, not whichever one the environment has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import paths  # noqa: E402
from pipeline.annotation.splits import read_split  # noqa: E402
from pipeline.attribution import attribute, combine, default_actors  # noqa: E402
from pipeline.attribution.article import combine_learned  # noqa: E402
from pipeline.attribution.span_head import SpanHead, decode_article  # noqa: E402
from pipeline.attribution import span_tagger  # noqa: E402
from pipeline.attribution.token_states import TokenEncoder  # noqa: E402
from pipeline.attribution.article import attribute_parts  # noqa: E402
from pipeline.attribution.tagged import _StatesReader, attribute_tagged  # noqa: E402
from pipeline.model import load_model  # noqa: E402
from pipeline.model.features import article_contexts  # noqa: E402
from pipeline.evaluation.attribution import MISS_KINDS, evaluate_end_to_end  # noqa: E402
from pipeline.jsonl import iter_jsonl  # noqa: E402
from pipeline.text.segment import split_sentences  # noqa: E402


def load(path: Path) -> list[dict]:
    return [obj for _, obj in iter_jsonl(path)]


def alone(learned) -> list[tuple[str, str]]:
    """A learned attributor's own (speaker, side) per sentence: an unknown side takes the annotation default."""
    return [(x.speaker, x.side or "other") for x in learned]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("test", "seed", "dev", "cv"), default="test")
    ap.add_argument("--real", default=str(paths.REAL if paths.REAL.is_file() else paths.ANNOTATIONS / "real_pass1.jsonl"))
    ap.add_argument("--grid", action="store_true", help="combined at each pair of thresholds (pick them on cv)")
    ap.add_argument("--save", help="also write the span head trained for this split to this safetensors file")
    ap.add_argument("--errors", type=int, default=0, help="print this many wrong sentences")
    ap.add_argument("--gold", help="score this gold file of new articles instead of a split (needs --articles)")
    ap.add_argument("--articles", help="with --gold: the folder of its cleaned <doc_id>.txt and manifest.jsonl")
    ap.add_argument("--fine-tuned", action="store_true", help="also the fine-tuned speaker tagger (slow: trains it)")
    ap.add_argument("--tagger-epochs", type=int, default=3, help="with --fine-tuned: the tagger's epochs")
    ap.add_argument("--tagger-freeze-layers", type=int, default=0,
                    help="with --fine-tuned: keep the tagger's bottom N blocks fixed (cheaper training)")
    ap.add_argument("--tagger-freeze-embeddings", action="store_true",
                    help="with --fine-tuned: keep the tagger's token embeddings fixed (cheaper training)")
    ap.add_argument("--rules-only", action="store_true",
                    help="only the rules, alone and with resolution within the article (no encoder: seconds)")
    ap.add_argument("--model", help="also this trained model folder's learned attributor (config speaker_tagger, else "
                    "speaker_head), read as the labelling job reads it; it must not have trained on the evaluated articles")
    args = ap.parse_args()
    if bool(args.gold) != bool(args.articles):
        ap.error("--gold and --articles go together")
    if args.rules_only and (args.model or args.fine_tuned or args.grid or args.save):
        ap.error("--rules-only runs no learned system: drop --model, --fine-tuned, --grid and --save")
    if args.model and args.split not in ("test",) and not args.gold:
        ap.error("--model reads only the test split or a --gold batch: the model trained on the other articles")
    real, seed = load(Path(args.real)), load(paths.SEED)
    test_docs = set(read_split(paths.TEST_SPLIT))
    dev = [r for r in real if r["doc_id"] not in test_docs]
    if args.gold:
        args.split = "batch"
        gold = load(Path(args.gold))
        if clash := {r["doc_id"] for r in gold} & {r["doc_id"] for r in real + seed}:
            ap.error(f"{args.gold}: already in the corpus: {sorted(clash)[:5]}")
    else:
        gold = {"test": [r for r in real if r["doc_id"] in test_docs], "seed": seed, "dev": dev, "cv": dev}[args.split]
    train_pool = {"test": dev + seed, "seed": dev, "dev": seed, "cv": dev + seed, "batch": dev + seed}[args.split]
    manifest = {m["doc_id"]: m for _, m in iter_jsonl(paths.MANIFEST)}
    if args.articles:
        manifest |= {m["doc_id"]: m for _, m in iter_jsonl(Path(args.articles) / "manifest.jsonl")}
    genres = {d: m.get("genre") for d, m in manifest.items()}
    actors = default_actors()
    encoder = None if args.rules_only else TokenEncoder()
    if encoder is not None:
        encoder.memo = {}
    texts = {d: (paths.ARTICLES / f"{d}.txt").read_text(encoding="utf-8") for d in {r["doc_id"] for r in real + seed}}
    if args.gold:
        texts |= {d: (Path(args.articles) / f"{d}.txt").read_text(encoding="utf-8") for d in {r["doc_id"] for r in gold}}

    def segment(text):
        return split_sentences(text)

    if args.rules_only:
        head_of = {}
    elif args.split == "cv":
        docs = sorted({r["doc_id"] for r in dev})
        folds = {d: i % 5 for i, d in enumerate(docs)}
        heads = {}
        for k in range(5):
            held = {d for d in docs if folds[d] == k}
            heads[k] = SpanHead.fit(encoder, [r for r in train_pool if r["doc_id"] not in held], texts, actors)
        head_of = {d: heads[folds[d]] for d in docs}
    else:
        head = SpanHead.fit(encoder, train_pool, texts, actors)
        if args.save:
            print(f"span head trained on {len(train_pool)} sentences: {head.save(args.save)}")
        head_of = {d: head for d in {r["doc_id"] for r in gold}}

    tagger_of = {}
    if args.fine_tuned:
        tagger_settings = {"epochs": args.tagger_epochs, "freeze_layers": args.tagger_freeze_layers,
                           "freeze_embeddings": args.tagger_freeze_embeddings}
        print(f"speaker tagger: {tagger_settings}")
        if args.split == "cv":
            taggers = {}
            for k in range(5):
                held = {d for d in docs if folds[d] == k}
                taggers[k] = span_tagger.SpeakerTagger().fit([r for r in train_pool if r["doc_id"] not in held],
                                                             actors, progress=True, **tagger_settings)
            tagger_of = {d: taggers[folds[d]] for d in docs}
        else:
            tagger = span_tagger.SpeakerTagger().fit(train_pool, actors, progress=True, **tagger_settings)
            tagger_of = {d: tagger for d in {r["doc_id"] for r in gold}}

    tagged: dict[str, list] = {}

    def tagger_read(doc_id, sentences):
        if doc_id not in tagged:
            tagged[doc_id] = tagger_of[doc_id].decode(sentences, actors, article=texts[doc_id])
        return tagged[doc_id]

    def rules(doc_id, sentences):
        return [combine(a, None)[:2] for a in attribute(sentences, actors)]

    cache: dict[str, list] = {}

    def read(doc_id, sentences):
        if doc_id not in cache:
            cache[doc_id] = decode_article(head_of[doc_id], encoder, sentences, actors, article=texts[doc_id])
        return cache[doc_id]

    def learned(doc_id, sentences):
        return alone(read(doc_id, sentences))

    def combined(doc_id, sentences, **kw):
        found = combine_learned(attribute(sentences, actors), read(doc_id, sentences), texts[doc_id], actors,
                                sentences, **kw)
        return [combine(a, None)[:2] for a in found]

    model_read: dict[str, list] = {}
    if args.model:
        predictor = load_model(args.model, backend="torch")
        if not predictor.reads_speakers:
            ap.error(f"{args.model}: the model has no learned attributor (config speaker_tagger, speaker_head)")
        trained_on = set(predictor.meta.get("data", {}).get("files", []))
        thresholds = predictor.speaker_thresholds
        if args.gold and any(Path(f).resolve() == Path(args.gold).resolve() for f in trained_on):
            ap.error(f"{args.model} trained on {args.gold}")

    def model_states(doc_id, sentences):
        """The model's reading of the segmented sentences (its tagger's, else its speaker head's in the labelling
        pass), as the labelling job builds its input."""
        if doc_id not in model_read:
            rules_found, found = attribute_parts(sentences, actors)
            states: list = predictor.tagger_states(sentences, ["", *sentences[:-1]])
            if not states:
                predictor.logits(sentences, article_contexts(sentences, predictor.context_spec, found), states=states)
            model_read[doc_id] = [rules_found, states]
        return model_read[doc_id]

    def resolved(doc_id, sentences):
        return [combine(a, None)[:2] for a in combine_learned(attribute(sentences, actors), None, texts[doc_id], actors,
                                                              sentences)]

    systems = {"rules alone": rules, "rules + resolution": resolved}
    if not args.rules_only:
        systems |= {"learned alone": learned, "combined": combined}
    if args.model:
        systems["model alone"] = lambda d, s: alone(
            decode_article(_StatesReader, None, s, actors, article=texts[d], states=model_states(d, s)[1]))
        systems["combined+model"] = lambda d, s: [
            combine(a, None)[:2] for a in attribute_tagged(s, model_states(d, s)[1], actors, article=texts[d],
                                                           rules=model_states(d, s)[0], **thresholds)]
    if args.fine_tuned:
        systems["fine-tuned alone"] = lambda d, s: alone(tagger_read(d, s))
        systems["combined+tagger"] = lambda d, s: [
            combine(a, None)[:2] for a in combine_learned(attribute(s, actors), tagger_read(d, s), texts[d], actors, s,
                                                          min_confidence=span_tagger.MIN_CONFIDENCE,
                                                          author_confidence=span_tagger.AUTHOR_CONFIDENCE)]
    if args.grid:
        for t in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
            for ta in (0.8, 0.9, 0.95, 1.01):
                systems[f"comb {t:g}/{ta:g}"] = lambda d, s, t=t, ta=ta: combined(d, s, min_confidence=t,
                                                                                   author_confidence=ta)
        if args.fine_tuned:
            for t in (0.5, 0.7, 0.8, 0.9, 0.95, 1.01):
                for ta in (0.6, 0.7, 0.8, 0.9, 1.01):
                    systems[f"tagger {t:g}/{ta:g}"] = lambda d, s, t=t, ta=ta: [
                        combine(a, None)[:2] for a in combine_learned(attribute(s, actors), tagger_read(d, s), texts[d],
                                                                      actors, s, min_confidence=t, author_confidence=ta)]

    results = evaluate_end_to_end(gold, systems,
                                  texts.__getitem__, segment, genres)
    n_docs = len({r["doc_id"] for r in gold})
    source = args.gold or (paths.SEED if args.split == "seed" else args.real)
    print(f"split: {args.split} ({n_docs} articles, {len(gold)} sentences; gold {source})")
    print(f"{'system':16} {'name acc':>9} {'exact':>7} {'side acc':>9}   misses per kind: " + " ".join(MISS_KINDS))
    for name, r in results.items():
        kinds = Counter(e["kind"] for e in r["errors"] if e["kind"])
        print(f"{name:16} {r['name_accuracy']:>9.3f} {r['name_exact']:>7.3f} {r['side_accuracy']:>9.3f}   "
              + " ".join(f"{kinds.get(k, 0):>{len(k)}}" for k in MISS_KINDS))
    for name, r in results.items():
        for e in r["errors"][: args.errors]:
            print(json.dumps({"system": name, **e}, ensure_ascii=False))


if __name__ == "__main__":
    main()
