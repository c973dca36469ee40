"""Agreement between versions: per document, per dataset and against gold, on hand-made versions."""

import ast
import json
import random
from pathlib import Path

import pytest

import annotator.agreement
from annotator.agreement import Tokens, compare, dataset_agreement, document_agreement
from annotator.agreement.matching import jaccard, match_overlapping, match_quotes, stance_values
from annotator.agreement.signatures import normalise
from annotator.spans import Annotation, Entity, Quote, Span, Stance

TEXT = "Alice Smith met Bob Jones in Paris. “We will win,” Alice said. Bob said the plan would fail."


def at(words: str, nth: int = 0, text: str = TEXT) -> Span:
    """The span of the nth occurrence of words in the text."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return Span(start, start + len(words))


def ent(uid: str, words: str, label: str, nth: int = 0, text: str = TEXT) -> Entity:
    span = at(words, nth, text)
    return Entity(uid, span.start, span.end, label)


def version_a(prefix: str = "a") -> Annotation:
    """The first annotator: three entities, two linked quotes, two stances."""
    return Annotation(
        entities=[ent(f"{prefix}1", "Alice Smith", "PERSON"), ent(f"{prefix}2", "Bob Jones", "PERSON"),
                  ent(f"{prefix}3", "Paris", "GPE")],
        quotes=[Quote(f"{prefix}q1", at("We will win"), "direct", speaker=at("Alice", 1),
                      speaker_entity=f"{prefix}1"),
                Quote(f"{prefix}q2", at("the plan would fail"), "indirect", speaker=at("Bob", 1),
                      speaker_entity=f"{prefix}2")],
        stances=[Stance(f"{prefix}s1", "favor", at("We will win"), holder_entity=f"{prefix}1",
                        target="victory"),
                 Stance(f"{prefix}s2", "against", at("the plan would fail"), holder_entity=f"{prefix}2",
                        target="The  Plan")],
    )


def version_b() -> Annotation:
    """The second annotator, differing from the first in every layer."""
    return Annotation(
        entities=[ent("b1", "Alice Smith", "PERSON"), ent("b2", "Bob", "PERSON"),
                  ent("b3", "Paris", "ORG"), ent("b4", "Alice", "PERSON", nth=1)],
        quotes=[Quote("bq1", at("We will win,"), "direct", speaker=at("Alice", 1), speaker_entity="b1"),
                Quote("bq2", at("plan would fail"), "mixed", speaker=at("Bob", 1)),
                Quote("bq3", at("Alice Smith met Bob"), "indirect")],
        stances=[Stance("bs1", "favor", at("We will win"), holder="Alice  SMITH", target="Victory"),
                 Stance("bs2", "favor", at("plan would fail"), holder="bob jones", target="the plan"),
                 Stance("bs3", "neutral", at("Paris"), holder_entity="b3", target="x")],
    )


def test_compare_hand_worked():
    scores = compare(version_a(), version_b(), TEXT)
    # Exact: PERSON tp 1 (Alice Smith), fn 1 (Bob Jones), fp 2 (Bob, Alice); GPE fn 1; ORG fp 1.
    assert scores.labels_exact["PERSON"].to_dict()["tp"] == 1
    assert (scores.entities_exact.tp, scores.entities_exact.fp, scores.entities_exact.fn) == (1, 3, 2)
    assert scores.entities_exact.f1 == pytest.approx(2 / 7)  # 2*1 / (2*1 + 3 + 2)
    # Overlap: Bob Jones ~ Bob now matches as well: tp 2, fp 2, fn 1; F1 = 4 / (4 + 2 + 1).
    assert scores.entities_overlap.f1 == pytest.approx(4 / 7)
    assert scores.labels_overlap["PERSON"].f1 == pytest.approx(4 / 5)  # tp 2, fp 1, fn 0
    assert scores.labels_overlap["GPE"].f1 == 0.0
    # Quotes: both of a's match (3 of 3 and 3 of 4 tokens shared), b's third does not: F1 = 4 / (4 + 1).
    assert scores.quotes.f1 == pytest.approx(4 / 5)
    # Speakers: quote 1 both link "Alice Smith"; quote 2 a links Bob Jones, b only marks "Bob".
    assert (scores.speakers.agree, scores.speakers.total) == (1, 2)
    assert scores.kinds.value == 0.5  # indirect vs mixed
    # Stance units: (alice smith, victory) and (bob jones, the plan) in both, (paris, x) in b only.
    assert scores.stances.f1 == pytest.approx(4 / 5)
    # Polarity pairs (favor, favor), (against, favor): observed 1/2, expected (1*2 + 1*0) / 4 = 1/2.
    assert scores.polarities == {("favor", "favor"): 1, ("against", "favor"): 1}
    assert scores.kappa == 0.0
    assert scores.cues.total == 0 and scores.figures()["cues"] is None  # nobody marked a cue


def test_compare_identical_and_empty_versions():
    same = compare(version_a("a"), version_a("z"), TEXT).figures()
    assert same == {"entities_exact_f1": 1.0, "entities_overlap_f1": 1.0, "quotes_f1": 1.0,
                    "speakers": 1.0, "kinds": 1.0, "cues": None, "stances_f1": 1.0, "stance_kappa": 1.0}
    empty = compare(Annotation(), Annotation(), TEXT).figures()
    assert set(empty.values()) == {None}
    one_sided = compare(version_a(), Annotation(), TEXT)
    assert one_sided.entities_exact.f1 == 0.0 and one_sided.entities_exact.recall == 0.0
    assert one_sided.speakers.value is None and one_sided.kappa is None


def test_quotes_match_one_to_one_by_best_jaccard():
    whole = Quote("w", at("We will win,” Alice said"))
    part, rest = Quote("p", at("We will win")), Quote("r", at("Alice said"))
    # whole has 7 tokens (We will win , ” Alice said); part shares 3 of its 3, rest 2 of its 2: both
    # pass the rule; token Jaccard 3/7 beats 2/7, so whole pairs with part and rest stays single.
    assert jaccard(whole.content, part.content) == pytest.approx(11 / 24)
    assert match_quotes([whole], [rest, part], Tokens.of(TEXT)) == [(whole, part)]
    scores = compare(Annotation(quotes=[whole]), Annotation(quotes=[rest, part]), TEXT)
    assert (scores.quotes.tp, scores.quotes.fp, scores.quotes.fn) == (1, 1, 0)


def test_speaker_falls_back_to_mention_span():
    linked = Annotation(entities=[ent("e", "Alice", "PERSON", nth=1)],
                        quotes=[Quote("q", at("We will win"), speaker=at("Alice", 1), speaker_entity="e")])
    unlinked = Annotation(quotes=[Quote("q", at("We will win"), speaker=at("Alice", 1))])
    elsewhere = Annotation(quotes=[Quote("q", at("We will win"), speaker=at("Alice Smith"))])
    assert compare(linked, unlinked, TEXT).speakers.value == 1.0
    assert compare(linked, elsewhere, TEXT).speakers.value == 0.0


def test_stance_values_take_the_most_frequent_polarity_then_the_first():
    stances = [Stance("1", "against", at("plan"), holder="Bob", target="plan"),
               Stance("2", "favor", at("Bob Jones"), holder="bob", target="Plan"),
               Stance("3", "favor", at("Paris"), holder="Alice", target="Paris"),
               Stance("4", "against", at("fail"), holder="Alice", target="Paris"),
               Stance("5", "against", at("said"), holder="Alice", target="Paris")]
    # (bob, plan): one each, "favor" comes first in the text; (alice, paris): against 2 to 1.
    assert stance_values(Annotation(stances=stances), TEXT) == {("bob", "plan"): "favor",
                                                               ("alice", "paris"): "against"}
    assert normalise("  The\nPlan ") == "the plan"


def test_document_agreement_three_annotators():
    agreement = document_agreement({"ann": version_a("a"), "bea": version_b(), "cy": version_a("c")}, TEXT)
    assert agreement.annotators == ("ann", "bea", "cy")
    assert list(agreement.pairs) == [("ann", "bea"), ("ann", "cy"), ("bea", "cy")]
    overall = agreement.overall()
    # Pairs ann-bea and bea-cy score 2/7, ann-cy scores 1.
    assert overall["entities_exact_f1"] == pytest.approx((2 / 7 + 1 + 2 / 7) / 3)
    assert overall["speakers"] == pytest.approx((0.5 + 1 + 0.5) / 3)
    # Units: (alice smith, victory) f, f, f; (bob jones, the plan) against, favor, against; (paris, x)
    # bea only. o_ff = 3, o_ag,ag = 1, o_ag,f = o_f,ag = 1; n_f = 4, n_ag = 2, n = 6;
    # alpha = 1 - 5 * 2 / (2 * 4 * 2) = 3/8.
    assert agreement.units == 2  # units at least two annotators rated
    assert overall["stance_alpha"] == pytest.approx(3 / 8)
    assert agreement.overall_labels()["PERSON"]["overlap_f1"] == pytest.approx((4 / 5 + 1 + 4 / 5) / 3)
    assert agreement.overall_labels()["ORG"]["exact_f1"] == 0.0  # 0 in two pairs, undefined in ann-cy
    json.dumps(agreement.to_dict())


def second_document() -> tuple[str, Annotation]:
    text = "Iran backs Assad. Israel opposes Hezbollah."
    annotation = Annotation(
        entities=[ent("1", "Iran", "GPE", text=text), ent("2", "Assad", "PERSON", text=text)],
        stances=[Stance("s", "against", at("Israel opposes Hezbollah", text=text), holder="Israel",
                        target="Hezbollah")],
    )
    return text, annotation


def test_dataset_agreement_pools_documents():
    text2, doc2 = second_document()
    documents = [(TEXT, {"ann": version_a(), "bea": version_b()}), (text2, {"ann": doc2, "bea": doc2}),
                 (text2, {"ann": doc2})]
    agreement = dataset_agreement(documents)
    scores = agreement.pairs["ann", "bea"]
    # Exact entities, micro: tp 1 + 2, fp 3 + 0, fn 2 + 0: F1 = 6 / (6 + 3 + 2).
    assert scores.entities_exact.f1 == pytest.approx(6 / 11)
    # Polarity pairs (favor, favor), (against, favor), (against, against): observed 2/3;
    # ann f1 ag2, bea f2 ag1: expected (1*2 + 2*1) / 9 = 4/9; kappa = (2/3 - 4/9) / (5/9) = 2/5.
    assert scores.kappa == pytest.approx(2 / 5)
    assert agreement.units == 2 + 1 + 0
    assert agreement.overall()["stance_kappa"] == pytest.approx(2 / 5)
    assert dataset_agreement([]).overall()["entities_exact_f1"] is None


def test_gold_agreement_per_annotator():
    text2, doc2 = second_document()
    documents = [(TEXT, {"gold": version_a("g"), "ann": version_a(), "bea": version_b()}),
                 (text2, {"gold": doc2, "bea": Annotation()}), (text2, {"ann": Annotation()})]
    gold = dataset_agreement(documents).gold
    assert list(gold) == ["ann", "bea"]
    assert gold["ann"].entities_exact.f1 == 1.0  # the third document has no gold
    bea = gold["bea"].entities_exact
    # bea against gold: tp 1, fp 3, fn 2 + 2 (missed both of the second document's entities).
    assert (bea.tp, bea.fp, bea.fn) == (1, 3, 4)
    assert bea.precision == pytest.approx(1 / 4) and bea.recall == pytest.approx(1 / 5)
    json.dumps(dataset_agreement(documents).to_dict())


def test_agreement_package_is_pure():
    forbidden = ("flask", "sqlalchemy", "flask_sqlalchemy", "annotator.models", "annotator.db")
    for path in Path(annotator.agreement.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.startswith(forbidden)], path


def test_overlap_matching_is_one_to_one_and_maximal_on_random_spans():
    rng = random.Random(6)
    for _ in range(100):
        def spans():
            starts = [rng.randint(0, 200) for _ in range(rng.randint(0, 15))]
            return [Span(s, s + rng.randint(1, 40)) for s in starts]
        first, second = spans(), spans()
        pairs = match_overlapping(first, second, lambda span: span)
        assert all(a.overlaps(b) for a, b in pairs)
        assert len({id(a) for a, _ in pairs}) == len({id(b) for _, b in pairs}) == len(pairs)
        left = [a for a in first if all(a is not p for p, _ in pairs)]
        right = [b for b in second if all(b is not p for _, p in pairs)]
        assert not any(a.overlaps(b) for a in left for b in right)  # nothing matchable left over
