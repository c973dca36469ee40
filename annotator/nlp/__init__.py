"""Pre-annotation with spaCy: entities, quotes with speakers, and stances (pure, no Flask or DB).

Lexicons are data files in ``annotator/nlp/data/`` (format documented at the top of each); extra
files given as ``cues_path`` / ``stances_path`` add to them.
"""

from annotator.nlp.lexicon import LexiconError, cue_lexicon, stance_lexicon
from annotator.nlp.pipeline import (ModelNotInstalled, PreAnnotated, annotate_doc, doc_tokens,
                                    load_pipeline, preannotate)

__all__ = ["LexiconError", "ModelNotInstalled", "PreAnnotated", "annotate_doc", "cue_lexicon", "doc_tokens",
           "load_pipeline", "preannotate", "stance_lexicon"]
