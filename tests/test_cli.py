"""The CLI is a thin layer: bad input gives one clear line and a non-zero exit, never a traceback."""

from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def test_every_command_has_help():
    out = runner.invoke(app, ["--help"])
    assert out.exit_code == 0
    commands = [c for c in ("prepare", "validate", "agreement", "labelstudio-export", "labelstudio-import",
                            "train", "evaluate", "label", "report") if c in out.output]
    assert {"validate", "train", "evaluate"} <= set(commands)
    for c in commands:
        res = runner.invoke(app, [c, "--help"])
        assert res.exit_code == 0, c
        assert "Usage" in res.output


def test_train_with_unknown_config_key_stops_before_training(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('name = "x"\nepochz = 3\n')
    res = runner.invoke(app, ["train", "--config", str(cfg), "--out", str(tmp_path / "m")])
    assert res.exit_code == 1
    assert "bad.toml: epochz: Extra inputs are not permitted" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert not (tmp_path / "m").exists()


def test_train_with_missing_encoder_path(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'encoder = "{tmp_path}/no-such-model"\n')
    res = runner.invoke(app, ["train", "--config", str(cfg)])
    assert res.exit_code == 1 and "does not exist" in res.output


def test_train_refuses_invalid_corpus(tmp_path, tiny_encoder):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "a:0000", "doc_id": "a"\n\xff\xfe\n')
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'encoder = "{tiny_encoder}"\ndata = ["{bad}"]\n')
    res = runner.invoke(app, ["train", "--config", str(cfg), "--out", str(tmp_path / "m")])
    assert res.exit_code == 1
    assert "bad.jsonl:1: malformed JSON" in res.output and "bad.jsonl:2: not UTF-8" in res.output


def test_ablation_names_an_unknown_variant_and_prints_the_table(tmp_path, monkeypatch):
    import pipeline.evaluation.ablation as ablation

    res = runner.invoke(app, ["ablation", "-v", "no_such_variant", "--out", str(tmp_path)])
    assert res.exit_code == 1 and "unknown ablation variant(s) ['no_such_variant']" in res.output
    seen = {}

    def fake(cfg, names, out, folds, progress, extra=None):
        seen.update(names=names, extra=extra)
        m = {"stance": {"macro_f1_mean": 0.7, "macro_f1_std": 0.01}}
        return {"rows": {"base": {"changes": {}, "metrics": m},
                         "encoder_enc": {"changes": {"encoder": "enc"}, "metrics": m}}}

    monkeypatch.setattr(ablation, "run_ablation", fake)
    enc = tmp_path / "enc"
    res = runner.invoke(app, ["ablation", "-v", "speaker_input", "--encoder", str(enc)])
    assert res.exit_code == 0, res.output
    assert seen["names"] == ["speaker_input", "encoder_enc"] and seen["extra"] == {"encoder_enc": {"encoder": str(enc)}}
    assert "| encoder_enc | encoder=enc | 0.700 ± 0.010 (+0.000) |" in res.output
