"""Merging versions for review, the agreed annotation, and taking items into gold."""

import json

import pytest

from annotator.agreement import agreed_annotation, merge, take
from annotator.checks import validate
from annotator.spans import Annotation, Entity, Quote, Span, Stance

TEXT = "Alice Smith met Bob Jones in Paris. “We will win,” Alice said. Bob said the plan would fail."


def at(words: str, nth: int = 0) -> Span:
    """The span of the nth occurrence of words in TEXT."""
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(words, start + 1)
    return Span(start, start + len(words))


def ent(uid: str, words: str, label: str) -> Entity:
    return Entity(uid, at(words).start, at(words).end, label)


def ann() -> Annotation:
    return Annotation(
        entities=[ent("a1", "Alice Smith", "PERSON"), ent("a2", "Bob Jones", "PERSON"), ent("a3", "Paris", "GPE")],
        quotes=[Quote("aq1", at("We will win"), "direct", speaker=at("Alice", 1), speaker_entity="a1"),
                Quote("aq2", at("the plan would fail"), "indirect", speaker=at("Bob", 1), speaker_entity="a2")],
        stances=[Stance("as1", "favor", at("We will win"), holder_entity="a1", target="victory"),
                 Stance("as2", "favor", at("Alice said"), holder="Alice Smith", target="Victory"),
                 Stance("as3", "against", at("the plan would fail"), holder_entity="a2", target="the plan")],
    )


def bea() -> Annotation:
    return Annotation(
        entities=[ent("b1", "Alice Smith", "PERSON"), ent("b2", "Bob Jones", "ORG"), ent("b3", "Paris", "GPE")],
        quotes=[Quote("bq1", at("We will win"), "direct", speaker=at("Alice", 1), speaker_entity="b1"),
                Quote("bq2", at("the plan would fail"), "indirect", speaker=at("Bob", 1), speaker_entity="b2")],
        stances=[Stance("bs1", "favor", at("We will win,"), holder="alice smith", target="victory"),
                 Stance("bs2", "against", at("plan would fail"), holder_entity="b2", target="The plan")],
    )


def model() -> Annotation:
    return Annotation(entities=[Entity("m1", 0, 11, "PERSON", "model"), Entity("m2", 29, 34, "LOC", "model")])


def find(merged, layer, start, **fields):
    found = [m for m in merged.layer(layer)
             if (m.item.get("start") if layer == "entities" else
                 m.item["content" if layer == "quotes" else "evidence"]["start"]) == start
             and all(m.item[k] == v for k, v in fields.items())]
    assert len(found) == 1, found
    return found[0]


def test_merge_lists_each_item_once_with_its_sources():
    merged = merge({"model": model(), "ann": ann(), "bea": bea()}, TEXT)
    assert merged.annotators == ("ann", "bea")
    alice = find(merged, "entities", 0)
    assert alice.sources == ("ann", "bea", "model") and alice.agreed
    assert alice.item["origin"] == "model"  # taken from the first version that has it
    assert alice.uids == {"model": "m1", "ann": "a1", "bea": "b1"}
    assert find(merged, "entities", 29, label="GPE").agreed
    paris_loc = find(merged, "entities", 29, label="LOC")
    assert paris_loc.sources == ("model",) and not paris_loc.agreed
    bob_person, bob_org = find(merged, "entities", 16, label="PERSON"), find(merged, "entities", 16, label="ORG")
    assert (bob_person.sources, bob_org.sources) == (("ann",), ("bea",))
    assert len(merged.layer("entities")) == 5


def test_merge_remaps_links_to_merged_uids():
    merged = merge({"ann": ann(), "bea": bea()}, TEXT)
    uids = [m.item["uid"] for m in merged.items]
    assert len(set(uids)) == len(uids)
    alice = find(merged, "entities", 0)
    quote = find(merged, "quotes", at("We will win").start)
    assert quote.agreed and quote.item["speaker_entity"] == alice.item["uid"]
    # Both quote 2s have speaker span Bob Jones, linked to entities of different labels: same quote.
    quote2 = find(merged, "quotes", at("the plan would fail").start)
    assert quote2.agreed
    assert quote2.item["speaker_entity"] == find(merged, "entities", 16, label="PERSON").item["uid"]


def test_merge_tells_repeated_stances_apart_by_order():
    merged = merge({"ann": ann(), "bea": bea()}, TEXT)
    first = find(merged, "stances", at("We will win").start)
    second = find(merged, "stances", at("Alice said").start)
    # Evidence is not part of the signature: bs1 matches as1, the first of ann's two like stances.
    assert first.agreed and first.uids == {"ann": "as1", "bea": "bs1"}
    assert not second.agreed and second.sources == ("ann",)
    assert first.item["holder_entity"] == find(merged, "entities", 0).item["uid"]
    assert find(merged, "stances", at("the plan would fail").start).agreed


def test_merge_without_annotators_agrees_on_nothing():
    merged = merge({"model": model(), "gold": ann()}, TEXT)
    assert merged.annotators == () and not any(m.agreed for m in merged.items)
    assert merge({}, TEXT).items == ()


def test_merge_to_dict_is_json():
    data = json.loads(json.dumps(merge({"ann": ann(), "bea": bea()}, TEXT).to_dict()))
    assert data["versions"] == ["ann", "bea"]
    assert [len(data[layer]) for layer in ("entities", "quotes", "stances")] == [4, 2, 3]
    assert data["quotes"][0]["sources"] == ["ann", "bea"]


def test_agreed_annotation_keeps_shared_items_and_agreed_links():
    result = agreed_annotation({"ann": ann(), "bea": bea(), "model": model()}, ["ann", "bea"], TEXT)
    validate(result, TEXT)
    assert [(e.uid, e.start, e.label) for e in result.entities] == [("e1", 0, "PERSON"), ("e2", 29, "GPE")]
    q1, q2 = result.quotes
    assert (q1.uid, q1.speaker_entity) == ("q1", "e1")
    # The Bob Jones entity is not agreed (PERSON vs ORG): the link goes, the mention stays.
    assert (q2.uid, q2.speaker_entity, q2.speaker) == ("q2", None, at("Bob", 1))
    s1, s2 = result.stances
    assert (s1.uid, s1.holder_entity, s1.target) == ("s1", "e1", "victory")
    assert (s2.holder_entity, s2.holder) == (None, "Bob Jones")  # the dropped link's name is kept


def test_agreed_annotation_edge_cases():
    assert agreed_annotation({"ann": ann()}, [], TEXT) == Annotation()
    alone = agreed_annotation({"ann": ann()}, ["ann"], TEXT)
    assert (len(alone.entities), len(alone.quotes), len(alone.stances)) == (3, 2, 3)
    assert agreed_annotation({"ann": ann(), "bea": Annotation()}, ["ann", "bea"], TEXT) == Annotation()
    with pytest.raises(ValueError, match="cy"):
        agreed_annotation({"ann": ann()}, ["ann", "cy"], TEXT)


def gold() -> Annotation:
    return Annotation(entities=[ent("e1", "Paris", "GPE"), ent("e2", "Bob Jones", "ORG")],
                      quotes=[Quote("q1", at("Bob said"), "direct")])


def test_take_brings_the_linked_entity_along():
    source, into = ann(), gold()
    result = take(source.quotes[0], into, source, TEXT)
    validate(result, TEXT)
    assert len(into.entities) == 2  # the input is left as it was
    added_entity, added_quote = result.entities[-1], result.quotes[-1]
    assert (added_entity.uid, added_entity.start, added_entity.label) == ("e3", 0, "PERSON")
    assert (added_quote.uid, added_quote.speaker_entity, added_quote.content) == ("q2", "e3", at("We will win"))
    assert take(source.quotes[0], result, source, TEXT) == result  # taking twice changes nothing


def test_take_links_to_an_entity_already_on_the_span():
    source = ann()
    result = take(source.quotes[1], gold(), source, TEXT)  # speaker Bob Jones PERSON; gold has it as ORG
    assert len(result.entities) == 2 and result.quotes[-1].speaker_entity == "e2"
    result = take(source.stances[0], result, source, TEXT)
    assert result.stances[0].uid == "s1" and result.entities[-1].span == at("Alice Smith")
    assert result.stances[0].holder_entity == result.entities[-1].uid
    validate(result, TEXT)


def test_take_entities_and_refusals():
    source = ann()
    assert take(source.entities[2], gold(), source, TEXT) == gold()  # Paris GPE is already there
    result = take(source.entities[0], gold(), source, TEXT)
    assert [e.uid for e in result.entities] == ["e1", "e2", "e3"]
    with pytest.raises(ValueError, match="not in the version"):
        take(bea().entities[0], gold(), source, TEXT)
