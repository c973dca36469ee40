"""Pure agreement and merge of annotation versions: figures for review, merge for adjudication.

``signatures`` says when items of two versions are the same, ``matching`` pairs them up,
``stats`` holds F1, kappa and alpha, ``scores`` the per-document, dataset and gold figures,
and ``merge`` the review page's merged view, the agreed annotation and taking items into gold.
"""

from annotator.agreement.matching import Tokens, tokens_match
from annotator.agreement.merge import (
    NOT_ANNOTATORS, Collision, Merged, MergedItem, agreed_annotation, merge, take, take_many,
)
from annotator.agreement.scores import (
    GOLD,
    MODEL,
    Agreement,
    PairScores,
    combine,
    compare,
    dataset_agreement,
    document_agreement,
)
from annotator.agreement.stats import Counts, Ratio, cohen_kappa, krippendorff_alpha

__all__ = [
    "GOLD", "MODEL", "NOT_ANNOTATORS", "Agreement", "Collision", "Counts", "Merged", "MergedItem", "PairScores",
    "Ratio", "Tokens", "agreed_annotation", "cohen_kappa", "combine", "compare", "dataset_agreement",
    "document_agreement", "krippendorff_alpha", "merge", "take", "take_many", "tokens_match",
]
