"""Pre-annotation with spaCy: entities, quotes with speakers, and stances (pure, no Flask or DB)."""

from annotator.nlp.lexicon import LexiconError
from annotator.nlp.pipeline import (ModelNotInstalled, PreAnnotated, annotate_doc, doc_tokens,
                                    load_pipeline, preannotate)

__all__ = ["LexiconError", "ModelNotInstalled", "PreAnnotated", "annotate_doc", "doc_tokens",
           "load_pipeline", "preannotate"]
