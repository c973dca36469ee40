"""The one item check (annotator.checks) and taking items into gold without collisions."""

import re

import pytest
import spacy

from annotator.agreement import Collision, take, take_many
from annotator.checks import LIMITS, Rules, check_item, check_vocabulary, validate
from annotator.spans import Annotation, Entity, Quote, Span, SpanError, Stance
from annotator.tokens import DocTokens

TEXT = "Ana Ruiz met Tom Lee in Paris on Monday."


@pytest.fixture(scope="module")
def rules() -> Rules:
    doc = spacy.blank("en")(TEXT)
    return Rules(TEXT, DocTokens(TEXT, [(t.idx, t.idx + len(t)) for t in doc]), ("PERSON", "ORG", "GPE"),
                 ("favor", "against"))


@pytest.mark.parametrize("item, neighbours, message", [
    (Entity("e1", 0, 3, "PERSON"), [], None),
    (Entity("e1", 1, 3, "PERSON"), [], "not on token boundaries"),
    (Entity("e1", 0, 3, "DATE"), [], "unknown label 'DATE' (known: PERSON, ORG, GPE)"),
    (Entity("e1", 13, 20, "ORG"), [Entity("e2", 17, 20, "PERSON")], "overlaps the PERSON entity [17, 20) 'Lee'"),
    (Entity("e1", 13, 20, "ORG"), [Entity("e1", 13, 20, "PERSON")], None),  # itself, before the change
    (Entity("x" * (LIMITS["uid"] + 1), 0, 3, "PERSON"), [], "longer than 40"),
    (Quote("q1", Span(24, 29), speaker_entity="gone"), [], "links to unknown entity 'gone'"),
    (Quote("q1", Span(24, 99)), [], "out of range"),
    (Stance("s1", "meh", Span(0, 8), holder="Ana", target="x"), [], "unknown polarity"),
    (Stance("s1", "favor", Span(0, 8), holder="A" * 301, target="x"), [], "holder: is longer than 300"),
    (Stance("s1", "favor", Span(0, 8), holder="Ana"), [], "needs a target"),
])
def test_check_item(rules: Rules, item, neighbours, message) -> None:  # type: ignore[no-untyped-def]
    if message is None:
        check_item(item, rules, overlapping=neighbours)
    else:
        with pytest.raises(SpanError, match=re.escape(message)):
            check_item(item, rules, entity_uids={"e1"}, overlapping=neighbours)


def test_validate_runs_the_same_check_on_a_whole_annotation(rules: Rules) -> None:
    both = Annotation([Entity("e1", 13, 20, "ORG"), Entity("e2", 13, 20, "PERSON")])
    with pytest.raises(SpanError, match=r"entities\[1\]: entity \[13, 20\) overlaps the ORG entity"):
        validate(both, TEXT, labels=["PERSON", "ORG"])
    nested = Annotation(quotes=[Quote("q1", Span(0, 29)), Quote("q2", Span(9, 20))])
    validate(nested, TEXT)  # quotes may nest


def test_check_vocabulary() -> None:
    assert check_vocabulary([" PERSON", "ORG "]) == ["PERSON", "ORG"]
    for bad, message in (([], "at least one"), (["A", "A"], "A given twice"), (["A B"], "one word")):
        with pytest.raises(SpanError, match=message):
            check_vocabulary(bad)


def test_take_refuses_a_collision_and_replace_swaps_keeping_links() -> None:
    alice = Annotation([Entity("a2", 13, 20, "PERSON")], [Quote("q", Span(24, 39), speaker_entity="a2")])
    bob = Annotation([Entity("b2", 13, 20, "ORG"), Entity("b3", 17, 20, "PERSON")])
    gold = take(alice.quotes[0], Annotation(), alice, TEXT)
    assert [(e.start, e.label) for e in gold.entities] == [(13, "PERSON")]
    with pytest.raises(Collision, match="overlaps the PERSON entity 'Tom Lee'"):
        take(bob.entities[0], gold, bob, TEXT)
    swapped = take(bob.entities[0], gold, bob, TEXT, replace_colliding=True)
    assert [(e.label, e.uid) for e in swapped.entities] == [("ORG", swapped.quotes[0].speaker_entity)]
    narrower = take(bob.entities[1], gold, bob, TEXT, replace_colliding=True)
    assert narrower.quotes[0].speaker_entity is None  # no entity on the old span any more
    validate(narrower, TEXT)


def test_take_many_brings_linked_entities_once() -> None:
    alice = Annotation([Entity("a1", 0, 8, "PERSON")], [Quote("q", Span(24, 39), speaker_entity="a1")])
    gold = take_many([alice.quotes[0], alice.entities[0]], Annotation(), alice, TEXT)
    assert len(gold.entities) == 1 and gold.quotes[0].speaker_entity == gold.entities[0].uid
    assert take_many([alice.entities[0]], gold, alice, TEXT) == gold
