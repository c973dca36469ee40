"""The format registry: one name per format, aliases, readers and writers in one place."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.formats.errors import FormatError
from annotator.formats.registry import FORMATS, format_names, get_format, writer_of
from annotator.formats.rows import ExportRow
from annotator.formats.tokens import DocTokens, parse_doc_tokens
from annotator.spans import Annotation

TEXT = "Ana Ruiz spoke.\n\nBerlin listened."


def row(tokens: list[tuple[int, int]], document_id: int = 1) -> ExportRow:
    return ExportRow(text=TEXT, meta={}, tokens=DocTokens(TEXT, tokens), answer="accept", annotator_id="gold",
                     timestamp=0, status="reviewed", document_id=document_id,
                     entity_rows=[("e1", 0, 8, "PERSON", "human"), ("e2", 17, 23, "GPE", "human")],
                     layers=Annotation())


GAPPED = [(0, 3), (4, 8), (9, 14), (14, 15), (17, 23), (24, 32), (32, 33)]  # leaves "\n\n" out


def test_our_format_has_one_name_and_jsonl_is_an_alias() -> None:
    assert get_format("jsonl") is get_format("annotator") is FORMATS["annotator"]
    assert writer_of("jsonl").suffix == ".jsonl" and writer_of("spacy").media_type == "application/octet-stream"
    assert {"annotator", "spacy", "doccano", "jsonl"} <= set(format_names())
    assert "prodigy" in format_names(writable=False)
    with pytest.raises(FormatError, match="unknown format 'xml'"):
        get_format("xml")
    with pytest.raises(FormatError, match="can be read but not written"):
        writer_of("prodigy")


@pytest.mark.parametrize("name", ["annotator", "doccano", "spacy"])
def test_tokens_that_leave_paragraph_breaks_out_export_in_every_format(name: str) -> None:
    skipped: list[str] = []
    fmt = writer_of(name)
    assert fmt.write is not None
    body = b"".join(fmt.write([row(GAPPED)], lambda r, e: skipped.append(str(e))))
    assert skipped == [] and body
    if name == "spacy":
        doc = next(DocBin().from_bytes(body).get_docs(spacy.blank("en").vocab))
        assert doc.text == TEXT and [e.text for e in doc.ents] == ["Ana Ruiz", "Berlin"]
        assert doc.user_data["status"] == "reviewed"


def test_a_set_the_format_cannot_hold_is_named_and_the_rest_written() -> None:
    fmt = writer_of("spacy")
    skipped: list[tuple[int, str]] = []
    bad = row([(0, 3), (4, 8), (17, 23)], document_id=7)  # "spoke." left out: not rebuildable
    assert fmt.write is not None
    body = b"".join(fmt.write([bad, row(GAPPED, 8)], lambda r, e: skipped.append((r.document_id, str(e)))))
    assert [d for d, _ in skipped] == [7] and "document 7" in skipped[0][1]
    assert len(DocBin().from_bytes(body)) == 1


def test_import_refuses_tokens_that_leave_out_text() -> None:
    tokens = [{"text": TEXT[s:e], "start": s, "end": e} for s, e in [(0, 3), (4, 8), (17, 23)]]
    with pytest.raises(FormatError) as caught:
        parse_doc_tokens(tokens, TEXT, source="a.jsonl", line=4)
    assert str(caught.value).startswith("a.jsonl, line 4, field tokens[2]: the tokens leave out ' spoke.\\n\\n'")
    gapped = [{"text": TEXT[s:e], "start": s, "end": e} for s, e in GAPPED]
    assert parse_doc_tokens(gapped, TEXT, source="a.jsonl", line=1).pairs == GAPPED
