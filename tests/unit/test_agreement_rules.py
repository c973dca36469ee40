"""The token-overlap rule, speakers by entity or canonical name, cues, the model baseline, changed items."""

import pytest

from annotator.agreement import Tokens, compare, combine, document_agreement, tokens_match
from annotator.spans import Annotation, Entity, Quote, Span

TEXT = "Alice Smith met Bob Jones in Paris. “We will win the vote today,” Alice said. Bob said nothing."


def at(words: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(words, start + 1)
    return Span(start, start + len(words))


TOKENS = Tokens.of(TEXT)


def test_token_rule_needs_half_of_the_shorter_span():
    whole = at("We will win the vote today")  # 6 tokens
    assert tokens_match(whole, at("the vote today"), TOKENS)  # 3 of 3
    assert tokens_match(at("We will win the"), at("the vote today"), TOKENS) is False  # 1 of 3 shared
    assert tokens_match(at("win the vote"), at("the vote today"), TOKENS)  # 2 of 3
    # One shared character is not enough: "Paris." vs ". “We" share only the full stop token.
    assert tokens_match(at("in Paris."), at(". “We will"), TOKENS) is False
    assert TOKENS.count(whole) == 6 and TOKENS.shared(whole, at("vote today,”")) == 2


def test_spacy_tokens_are_used_when_given():
    tokens = Tokens.of(TEXT, [[0, 11], [12, 15]])  # "Alice Smith" as one token
    assert tokens.count(at("Alice")) == 1 and tokens.shared(at("Alice"), at("Smith")) == 1


def test_quotes_no_longer_match_on_one_character():
    a = Annotation(quotes=[Quote("a", at("We will win the vote today"))])
    b = Annotation(quotes=[Quote("b", at("today,” Alice said"))])  # shares "today" only: 1 of 4
    assert compare(a, b, TEXT).quotes.tp == 0


def test_speakers_agree_by_entity_or_canonical_name():
    first = Entity("e1", at("Alice Smith").start, at("Alice Smith").end, "PERSON")
    later = Entity("e2", at("Alice", 1).start, at("Alice", 1).end, "PERSON")
    quote = at("We will win the vote today")
    linked_first = Annotation(entities=[first], quotes=[Quote("q", quote, speaker=at("Alice", 1),
                                                               speaker_entity="e1")])
    named_alice = Annotation(entities=[later], quotes=[Quote("q", quote, speaker=at("Alice", 1),
                                                              speaker_entity="e2")])
    mention_smith = Annotation(quotes=[Quote("q", quote, speaker=at("Alice Smith"))])
    nobody = Annotation(quotes=[Quote("q", quote)])
    # Same canonical name "alice smith" through the linked entity and the bare mention: agree.
    assert compare(linked_first, mention_smith, TEXT).speakers.value == 1.0
    # Different names ("alice smith" vs "alice") and different entities: disagree.
    assert compare(linked_first, named_alice, TEXT).speakers.value == 0.0
    # No speaker on either side: not compared; on one side: disagree.
    assert compare(nobody, nobody, TEXT).speakers.total == 0
    assert compare(linked_first, nobody, TEXT).speakers.value == 0.0


def test_cues_and_kinds_of_matched_quotes():
    content = at("We will win the vote today")
    a = Annotation(quotes=[Quote("a", content, "direct", cue=at("said"))])
    b = Annotation(quotes=[Quote("b", content, "indirect", cue=at("said"))])
    c = Annotation(quotes=[Quote("c", content, "direct", cue=at("Alice", 1))])
    assert compare(a, b, TEXT).cues.value == 1.0 and compare(a, b, TEXT).kinds.value == 0.0
    assert compare(a, c, TEXT).cues.value == 0.0 and compare(a, c, TEXT).kinds.value == 1.0
    assert compare(Annotation(quotes=[Quote("x", content)]), Annotation(quotes=[Quote("y", content)]),
                   TEXT).cues.total == 0


def entities(*specs):
    return Annotation(entities=[Entity(f"u{i}", at(w).start, at(w).end, label) for i, (w, label) in enumerate(specs)])


def test_model_baseline_and_changed_items_hand_worked():
    model = entities(("Alice Smith", "PERSON"), ("Bob Jones", "PERSON"), ("Paris", "GPE"))
    ann = entities(("Alice Smith", "PERSON"), ("Bob Jones", "PERSON"), ("Paris", "GPE"))  # untouched
    bea = entities(("Alice Smith", "PERSON"), ("Bob Jones", "ORG"), ("Paris", "GPE"))  # one relabel
    agreement = document_agreement({"ann": ann, "bea": bea}, TEXT, model=model)
    # ann-bea: tp 2, fp 1, fn 1 -> F1 4/6 on 4 items; ann vs model 1.0 (3 items), bea vs model 4/6.
    assert agreement.overall()["entities_exact_f1"] == pytest.approx(2 / 3)
    assert agreement.overall_sizes()["entities_exact_f1"] == 4
    assert agreement.baseline["ann"].entities_exact.f1 == 1.0
    assert agreement.baseline["bea"].entities_exact.f1 == pytest.approx(2 / 3)
    changed = document_agreement({"ann": ann, "bea": bea}, TEXT, model=model, changed_only=True)
    # Alice Smith and Paris are the model's and nobody changed them: only Bob Jones is compared.
    assert changed.overall()["entities_exact_f1"] == 0.0
    assert changed.overall_sizes()["entities_exact_f1"] == 2
    assert changed.baseline["ann"].sizes()["entities_exact_f1"] == 1


def test_pooling_sums_and_stays_linear():
    doc = document_agreement({"ann": entities(("Paris", "GPE")), "bea": entities(("Paris", "GPE"))}, TEXT)
    pooled = combine([doc] * 20_000)  # concatenating tuples here used to be quadratic
    assert pooled.pairs["ann", "bea"].entities_exact.tp == 20_000 and pooled.documents == 20_000
