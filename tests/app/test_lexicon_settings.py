"""Users extend the stance lexicon through a setting."""

from dataclasses import replace
from pathlib import Path

from flask import Flask

from annotator.models import annotation_of
from annotator.preannotator import Preannotator
from annotator.services import preannotation
from annotator.services.annotations import model_set
from annotator.services.importer import Record, get_or_create_dataset, import_records

TEXT = "Mayor Ana Ruiz cheered the tram plan on Monday."


def stances(app: Flask) -> list[str]:
    pre: Preannotator = app.extensions[preannotation.KEY]
    result = import_records(get_or_create_dataset(f"d{len(pre.stances_path or '')}"), [Record(text=TEXT)])
    aset = model_set(result.document_ids[0])
    assert aset is not None
    return [s.polarity for s in annotation_of(aset.id).stances]


def test_extra_stance_lexicon_is_used(app: Flask, tmp_path: Path) -> None:
    assert stances(app) == []
    extra = tmp_path / "stances.txt"
    extra.write_text("favor cheer _\n", encoding="utf-8")
    settings = {**app.config, "STANCE_LEXICON": str(extra)}  # the setting, read once when the app is built
    app.extensions[preannotation.KEY] = Preannotator.from_settings(settings, app.instance_path)
    assert stances(app) == ["favor"]
