"""Pure span values: parsing, validation, token snapping."""

import pytest
import spacy

from annotator.checks import validate
from annotator.spans import Annotation, Entity, Quote, Span, SpanError, Stance, as_human
from annotator.tokens import DocTokens

TEXT = "Ana Ruiz said “the tram\nwill run,” in Paris."


@pytest.fixture(scope="module")
def bounds() -> DocTokens:
    doc = spacy.blank("en")(TEXT)
    return DocTokens(TEXT, [(t.idx, t.idx + len(t)) for t in doc])


def annotation() -> Annotation:
    return Annotation(
        entities=[Entity("e1", 0, 8, "PERSON"), Entity("e2", 38, 43, "GPE")],
        quotes=[Quote("q1", Span(15, 33), cue=Span(9, 13), speaker=Span(0, 8), speaker_entity="e1")],
        stances=[Stance("s1", "favor", Span(0, 33), holder="Ana Ruiz", holder_entity="e1", target="the tram")],
    )


def test_round_trip_through_dicts() -> None:
    value = annotation()
    assert Annotation.from_dict(value.to_dict()) == value


def test_valid_annotation_passes(bounds: DocTokens) -> None:
    validate(annotation(), TEXT, labels=["PERSON", "GPE"], polarities=["favor", "against"], bounds=bounds)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.entities.append(Entity("e3", 40, 99, "GPE")), "out of range"),
    (lambda a: a.entities.append(Entity("e3", 1, 4, "GPE")), "not on token boundaries"),
    (lambda a: a.entities.append(Entity("e3", 4, 8, "ORG")), "unknown label"),
    (lambda a: a.entities.append(Entity("e1", 14, 15, "GPE")), "duplicate uid"),
    (lambda a: a.quotes.append(Quote("q2", Span(0, 3), speaker_entity="nope")), "unknown entity"),
    (lambda a: a.stances.append(Stance("s2", "meh", Span(0, 3), holder="x", target="y")), "unknown polarity"),
    (lambda a: a.stances.append(Stance("s2", "favor", Span(0, 3), target="y")), "needs a holder"),
])
def test_invalid_annotations_name_the_field(bounds: DocTokens, change, message: str) -> None:  # type: ignore[no-untyped-def]
    value = annotation()
    change(value)
    with pytest.raises(SpanError, match=message):
        validate(value, TEXT, labels=["PERSON", "GPE"], polarities=["favor", "against"], bounds=bounds)


def test_overlapping_entities_are_refused() -> None:
    value = annotation()
    value.entities.append(Entity("e3", 4, 8, "PERSON"))
    with pytest.raises(SpanError, match="overlaps"):
        validate(value, TEXT)
    validate(value, TEXT, allow_overlap=True)


def test_from_dict_names_the_bad_field() -> None:
    with pytest.raises(SpanError, match=r"quotes\[0\].kind"):
        Annotation.from_dict({"quotes": [{"uid": "q", "content": {"start": 0, "end": 1}, "kind": "rumour"}]})
    with pytest.raises(SpanError, match=r"entities\[0\]: start and end must be integers"):
        Annotation.from_dict({"entities": [{"uid": "e", "start": "0", "end": 3, "label": "X"}]})


def test_snap_widens_to_tokens_across_a_line_break(bounds: DocTokens) -> None:
    assert bounds.snap(Span(1, 6)) == Span(0, 8)
    snapped = bounds.snap(Span(19, 27))
    assert snapped is not None and TEXT[snapped.start:snapped.end] == "tram\nwill"
    assert bounds.snap(Span(3, 4)) is None


def test_token_range_is_inclusive(bounds: DocTokens) -> None:
    assert bounds.token_range(0, 8) == (0, 1)


def test_as_human_marks_every_item() -> None:
    value = Annotation.from_dict(annotation().to_dict(), origin="model")
    assert {e.origin for e in as_human(value).entities} == {"human"}


def test_entities_built_in_bulk_equal_those_built_one_by_one() -> None:
    from annotator.vocab import Origin

    bulk = Entity.many(["a", "b"], [0, 5], [3, 9], ["PERSON", "GPE"], [Origin.HUMAN, Origin.MODEL])
    assert bulk == [Entity("a", 0, 3, "PERSON"), Entity("b", 5, 9, "GPE", Origin.MODEL)]
    assert hash(bulk[1]) == hash(Entity("b", 5, 9, "GPE", Origin.MODEL)) and Entity.many([], [], [], [], []) == []
    with pytest.raises(AttributeError):  # as frozen as any other
        bulk[0].uid = "c"  # type: ignore[misc]
