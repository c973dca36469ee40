"""Read-only rendering segments."""

from annotator.render import segments
from annotator.spans import Annotation, Entity, Quote, Span


def test_segments_cover_the_text_and_carry_layers() -> None:
    text = "Ana said “yes” today."
    ann = Annotation(entities=[Entity("e1", 0, 3, "PERSON")],
                     quotes=[Quote("q1", Span(10, 13), cue=Span(4, 8), speaker=Span(0, 3), speaker_entity="e1")])
    segs = segments(text, ann)
    assert "".join(s.text for s in segs) == text
    first = segs[0]
    assert (first.text, first.label, first.classes) == ("Ana", "PERSON", ["speaker"])
    assert [s.classes for s in segs if s.text == "said"] == [["cue"]]
    assert [s.classes for s in segs if s.text == "yes"] == [["quote"]]
