"""Who speaks or holds a view: clause subjects, name phrases and what a mention refers to."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from annotator.nlp.candidates import hashes, matching
from annotator.nlp.entities import EntityIndex
from annotator.vocab import GROUP_LABELS, PERSON_LABELS, SPEAKER_LABELS

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
# Clause links a subject-less verb may borrow its subject through ("said ... and stressed", "..., claiming").
INHERIT_DEPS = frozenset({"conj", "advcl", "xcomp", "ccomp", "pcomp", "prep", "pobj", "acl"})
NAME_PARTS = frozenset({"det", "compound", "amod", "nmod", "poss", "case", "nummod", "flat",
                        "quantmod", "predet"})
PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her"})
GROUP_PRONOUNS = frozenset({"they", "them", "their", "it", "its"})
FIRST_PERSON = frozenset({"i", "me", "we", "us", "my", "our"})
RELATIVE = frozenset({"who", "which", "that", "whom"})
DEFINITE = frozenset({"the", "this", "that", "these", "those"})
AGENT_LABELS = frozenset(SPEAKER_LABELS)
# Heads that never speak on their own: "That," he added; "it" unresolved; "said one"; "a majority".
NOT_SPEAKER_WORDS = frozenset({"that", "this", "these", "those", "it", "which", "what", "one", "all",
                               "some", "many", "most", "none", "majority", "minority", "you", "yours",
                               "something", "nothing", "everything", "anything", "there", "here"})
# Links by which a clause sits inside another ("condemned what he called ...").
EMBEDDING_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "pcomp", "pobj", "dobj", "prep",
                            "conj", "csubj"})
# Standard abbreviations of titles, so that "the senator" finds "Sen. Joe Manchin".
TITLE_ABBREVIATIONS = {"senator": ("sen.", "sen"), "representative": ("rep.", "rep"),
                       "governor": ("gov.", "gov"), "general": ("gen.", "gen"),
                       "lieutenant": ("lt.", "lt"), "sergeant": ("sgt.", "sgt"), "colonel": ("col.", "col"),
                       "captain": ("capt.", "capt"), "professor": ("prof.", "prof"), "doctor": ("dr.", "dr"),
                       "president": ("pres.",), "secretary": ("sec.",), "superintendent": ("supt.",),
                       "attorney": ("atty.",)}
TITLE_WINDOW = 6
MAX_WALK = 8


@dataclass(frozen=True)
class Mention:
    """A speaker or holder as written (token range, end exclusive) and the entity it refers to."""

    head: Token
    start: int
    end: int
    entity: int | None

    @property
    def char_span(self) -> tuple[int, int]:
        """Start and end character offsets of the mention."""
        doc = self.head.doc
        return doc[self.start].idx, doc[self.end - 1].idx + len(doc[self.end - 1])


def own_subject(verb: Token) -> Token | None:
    """The verb's own subject, if it has one; for "X, who said ..." that is X."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS and not _line_between(c, verb)]
    if not subjects:
        return None
    child = min(subjects, key=lambda c: abs(c.i - verb.i))  # a headline the parser ran on gives a second one
    return verb.head if child.lower_ in RELATIVE and verb.dep_ == "relcl" else child


def _line_between(a: Token, b: Token) -> bool:
    """Whether a line break separates two tokens (the parser sometimes joins a headline to the next line)."""
    low, high = sorted((a.i, b.i))
    return any("\n" in t.text for t in a.doc[low:high])


def inherited_subjects(verb: Token) -> Iterator[tuple[Token, Token, bool]]:
    """Yield (ancestor, subject, crossed_complement) up the clause chain, nearest first."""
    crossed = False
    node = verb
    for _ in range(MAX_WALK):
        if node.dep_ not in INHERIT_DEPS or node.head.i == node.i:
            return
        crossed = crossed or node.dep_ == "ccomp"
        node = node.head
        subject = own_subject(node)
        if subject is not None:
            yield node, subject, crossed


def speaker_subject(cue: Token, cues: Collection[str]) -> Token | None:
    """The subject of a reporting cue, borrowed from a reporting or coordinated verb if needed."""
    subject = own_subject(cue)
    if subject is not None:
        return subject
    fallback: Token | None = None
    for ancestor, subj, crossed in inherited_subjects(cue):
        if ancestor.lemma_.lower() in cues:
            return subj
        if fallback is None and not crossed:
            fallback = subj
    return fallback


def agent_of(verb: Token) -> Token | None:
    """The "by" agent of a passive verb, looked for two levels down."""
    frontier = [verb]
    for _ in range(3):
        nxt: list[Token] = []
        for node in frontier:
            for child in node.children:
                if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
                    return next((c for c in child.children if c.dep_ == "pobj"), None)
                if child.dep_ in ("prep", "pobj"):
                    nxt.append(child)
        frontier = nxt
    return None


def name_range(head: Token) -> tuple[int, int]:
    """Token range of the name phrase around a head: its left modifiers and the head."""
    start = head.i
    for child in head.lefts:
        if child.dep_ in NAME_PARTS:
            start = min(start, child.left_edge.i)
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in ("compound", "flat") and child.i == end:
            end = child.i + 1
    return start, end


def _entity_is(ents: EntityIndex, index: int | None, labels: frozenset[str]) -> bool:
    return index is not None and ents.spans[index].label_ in labels


def _salience(ents: EntityIndex, index: int) -> int:
    """2 for the subject of a main clause, 1 for any other subject, 0 otherwise."""
    best = 0
    for tok in ents.spans[index]:
        apposed = tok.dep_ == "appos" and tok.head.dep_ in SUBJECT_DEPS
        if tok.dep_ in SUBJECT_DEPS or apposed:
            verb = tok.head.head if apposed else tok.head
            main = verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT")
            best = max(best, 2 if main else 1)
    return best


def _previous_entity(ents: EntityIndex, before: int, labels: frozenset[str], *,
                     subjects_first: bool = True) -> int | None:
    """Nearest entity of those labels before token ``before``, preferring main-clause subjects."""
    best: int | None = None
    best_rank = -1
    for n in range(len(ents.spans) - 1, -1, -1):
        if ents.spans[n].end > before or ents.spans[n].label_ not in labels:
            continue
        rank = _salience(ents, n) if subjects_first else 0
        if rank > best_rank:
            best, best_rank = n, rank
        if best_rank == 2 or not subjects_first:
            break
    return best


def _near_title(doc: Doc, ents: EntityIndex, i: int) -> int | None:
    """An agent entity right around a title word in its sentence ("Ambassador ..., Hossein Akbari")."""
    sent = doc[i].sent
    for j in range(max(sent.start, i - 2), min(sent.end, i + TITLE_WINDOW)):
        found = ents.at_token(j)
        if j != i and _entity_is(ents, found, PERSON_LABELS | frozenset({"ORG"})):
            return found
    return None


def _apposed(ents: EntityIndex, tok: Token) -> int | None:
    """An agent entity in apposition to the token ("the ambassador, Grace Wanjiru")."""
    linked = [c for c in tok.children if c.dep_ == "appos"] + ([tok.head] if tok.dep_ == "appos" else [])
    for other in linked:
        found = ents.at_token(other.i)
        if _entity_is(ents, found, AGENT_LABELS):
            return found
    return None


def _description_referent(doc: Doc, ents: EntityIndex, head: Token, start: int) -> int | None:
    """What "the Command" or "the Iranian ambassador" refers to earlier in the text."""
    if not any(c.dep_ == "det" and c.lower_ in DEFINITE for c in head.children):
        return None
    keys = hashes([head.lower_, head.lemma_, *TITLE_ABBREVIATIONS.get(head.lemma_.lower(), ())])
    for j in reversed(matching(ents.words, keys, stop=start)):
        tok = doc[j]
        found = ents.at_token(j)
        if found is None:
            found = _apposed(ents, tok)
        if found is None and tok.pos_ == "PROPN":  # a capitalised title next to a name
            found = _near_title(doc, ents, j)
        if _entity_is(ents, found, AGENT_LABELS):
            return found
    return None


def _member_description(head: Token, ents: EntityIndex, own: int) -> bool:
    """"The New York Democrat": one member of a group, named by the group, refers to a person."""
    span = ents.spans[own]
    return (span.label_ == "NORP" and span.end - 1 == head.i and head.tag_ in ("NN", "NNP")
            and any(c.dep_ == "det" and c.lower_ in DEFINITE for c in head.children))


def refers_to(head: Token, ents: EntityIndex, start: int | None = None) -> int | None:
    """Entity index a subject head refers to: its own name, an appositive, a pronoun's antecedent."""
    doc = head.doc
    own = ents.at_token(head.i)
    if own is not None and _member_description(head, ents, own):
        return _previous_entity(ents, head.i if start is None else start, PERSON_LABELS)
    if own is not None:
        return own
    apposed = _apposed(ents, head)
    if apposed is not None:
        return apposed
    lower = head.lower_
    begin = head.i if start is None else start
    if lower in PERSON_PRONOUNS:
        return _previous_entity(ents, begin, PERSON_LABELS)
    if lower in GROUP_PRONOUNS:
        return _previous_entity(ents, begin, GROUP_LABELS, subjects_first=False)
    if head.pos_ == "PROPN":
        surname = _surname_referent(ents, head)
        if surname is not None:
            return surname
    if head.pos_ in ("NOUN", "PROPN"):
        return _description_referent(doc, ents, head, begin)
    return None


def _surname_referent(ents: EntityIndex, head: Token) -> int | None:
    """A surname the model did not tag ("Collins" after "Susan Collins")."""
    for n in range(len(ents.spans) - 1, -1, -1):
        span = ents.spans[n]
        if span.end <= head.i and span.label_ in PERSON_LABELS and len(span) > 1 and span[-1].lower_ == head.lower_:
            return n
    return None


def mention(head: Token, ents: EntityIndex) -> Mention:
    """The name phrase around ``head`` and the entity it refers to (canonical mention)."""
    start, end = name_range(head)
    index = refers_to(head, ents, start)
    return Mention(head, start, end, None if index is None else ents.canonical[index])


def _dateline_name(head: Token) -> Token | None:
    """The name after a dateline the parser took for the subject: "LONDON (Reuters) - Keir Starmer said"."""
    doc = head.doc
    at_start = head.i == 0 or "\n" in doc[head.i - 1].text
    if not (at_start and head.is_upper and len(head.text) > 1):
        return None
    dash = next((t.i for t in doc[head.i + 1:head.i + 7] if t.text in ("-", "—", "–", "--")), None)
    names = [c for c in head.children if c.dep_ == "appos" and dash is not None and c.i > dash]
    return names[-1] if names else None


def can_speak(who: Mention) -> bool:
    """Whether a mention can be a speaker: an entity, a noun phrase or a pronoun, not "that", "it", "one" or a number."""
    if who.entity is not None:
        return True
    head = who.head
    return not (head.like_num or head.pos_ == "NUM" or head.lower_ in NOT_SPEAKER_WORDS
                or head.lemma_.lower() in NOT_SPEAKER_WORDS)


def _clause_antecedent(pronoun: Token) -> Token | None:
    """The noun subject of the main clause a pronoun's clause sits in ("The minister condemned what he called ...")."""
    root = pronoun.head
    for _ in range(MAX_WALK):
        if root.dep_ == "ROOT" or root.head.i == root.i:
            break
        if root.dep_ not in EMBEDDING_DEPS:
            return None  # "The decision, he said, was ...": a parenthetical binds nothing
        root = root.head
    if root.i == pronoun.head.i:
        return None
    plural = pronoun.lower_ in ("they", "them", "their")
    for child in root.children:
        if child.dep_ == "nsubj" and child.i < pronoun.i and child.pos_ in ("NOUN", "PROPN"):
            return child if (child.tag_ in ("NNS", "NNPS")) == plural or child.ent_type_ else None
    return None


def agent_mention(head: Token, ents: EntityIndex) -> Mention:
    """A speaker or holder; "North Korea's foreign ministry" speaks for North Korea when nothing closer fits."""
    head = _dateline_name(head) or head
    if head.lower_ in PERSON_PRONOUNS | {"they", "them"}:
        antecedent = _clause_antecedent(head)
        if antecedent is not None:
            head = antecedent
    found = mention(head, ents)
    if found.entity is not None:
        return found
    if head.pos_ == "PROPN":
        return found  # a name speaks for itself: "Britain's Queen Elizabeth II" is not Britain
    name = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    if name is not None:
        return mention(name, ents)  # "The group's president, Ana Ruiz, said": the name speaks
    for child in head.children:
        owner = ents.at_token(child.i) if child.dep_ == "poss" else None
        if _entity_is(ents, owner, GROUP_LABELS) and owner is not None:
            return Mention(head, found.start, found.end, ents.canonical[owner])
    return found
