"""The pure evaluation counts: entities exact and overlap, quotes, speakers, cues, stances."""

from __future__ import annotations

from annotator.nlp.evaluation import ALL, Evaluation, disagreement, evaluate, evaluate_document
from annotator.spans import Annotation, Entity, Quote, Span, Stance

TEXT = "Anna Berg of Acme Corp said the plan would fail. \"It is dead,\" Berg said. Acme opposes it."


def ent(uid: str, word: str, label: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return Entity(uid, start, start + len(word), label)


def span(words: str) -> Span:
    start = TEXT.index(words)
    return Span(start, start + len(words))


GOLD = Annotation(
    entities=[ent("e1", "Anna Berg", "PERSON"), ent("e2", "Acme Corp", "ORG"), ent("e3", "Berg", "PERSON", 1)],
    quotes=[Quote("q1", span("the plan would fail"), "indirect", span("said"), span("Anna Berg"), "e1"),
            Quote("q2", span("It is dead,"), "direct", Span(ent("-", "said", "", 1).start, ent("-", "said", "", 1).end),
                  ent("-", "Berg", "", 1).span, "e3")],
    stances=[Stance("s1", "against", span("Acme opposes it"), "Acme", None, "the plan", None)])


def test_identical_annotations_score_one_everywhere() -> None:
    result = evaluate_document(TEXT, GOLD, GOLD)
    assert all(c.f1 == 1.0 for c in result.entities_exact.values())
    assert result.quotes["all"].f1 == result.stances.f1 == 1.0
    assert (result.speakers.value, result.cues.value, result.boundaries.value, result.polarity.value) == (1, 1, 1, 1)
    assert disagreement(GOLD, GOLD) == 0.0


def test_exact_and_overlap_entities_per_label() -> None:
    pred = Annotation(entities=[ent("p1", "Anna", "PERSON"), ent("p2", "Acme Corp", "ORG"),
                                ent("p3", "Acme", "GPE", 1)])
    result = evaluate_document(TEXT, GOLD, pred)
    person, org = result.entities_exact["PERSON"], result.entities_exact["ORG"]
    assert (person.tp, person.pred, person.gold) == (0, 1, 2)
    assert (org.tp, org.pred, org.gold) == (1, 1, 1)
    assert result.entities_overlap["PERSON"].tp == 1  # "Anna" overlaps "Anna Berg"
    assert result.entities_exact["GPE"].pred == 1 and result.entities_exact["GPE"].gold == 0
    everything = result.entities_exact[ALL]
    assert (everything.tp, everything.pred, everything.gold) == (1, 3, 3)
    assert round(everything.precision, 3) == 0.333


def test_quotes_indirect_overlap_speakers_cues_and_polarity() -> None:
    content = span("the plan would fail")
    pred = Annotation(
        entities=[ent("x", "Acme Corp", "ORG")],
        quotes=[Quote("a", Span(content.start, content.end - 1), "indirect", span("said"), None, "x"),
                Quote("b", span("Acme opposes"), "direct", None, None, None)],
        stances=[Stance("t", "favor", span("Acme opposes it"), "Acme", None, "plan", None)])
    result = evaluate_document(TEXT, GOLD, pred)
    assert (result.quotes["all"].tp, result.quotes["all"].pred, result.quotes["all"].gold) == (1, 2, 2)
    assert (result.quotes["indirect"].tp, result.quotes["direct+mixed"].tp) == (1, 0)
    assert (result.boundaries.ok, result.boundaries.total) == (0, 1)
    assert (result.speakers.ok, result.speakers.total) == (0, 1)  # Acme Corp is not Anna Berg
    assert (result.cues.ok, result.cues.total) == (1, 1)
    assert result.stances.tp == 0 and (result.polarity.ok, result.polarity.total) == (0, 1)
    assert 0 < disagreement(GOLD, pred) <= 1


def test_evaluations_sum_and_round_trip() -> None:
    total = evaluate([(TEXT, GOLD, GOLD), (TEXT, GOLD, Annotation())])
    assert total.documents == 2
    assert total.entities_exact[ALL].gold == 6 and total.entities_exact[ALL].tp == 3
    assert Evaluation.from_dict(total.to_dict()).to_dict() == total.to_dict()
    assert Evaluation().entity_f1 == 0.0
