"""How long `annotator train` takes on N articles (target: 200 articles within 10 minutes on 2 cores).

Usage: .venv/bin/python benchmarks/bench_train.py [--articles 200] [--max-steps 1000] [--dev-share 0.2]

The gold is the built-in pipeline's own pre-annotation of the demo articles, made unique and
repeated to --articles (timing does not depend on who made the gold). The articles are imported
as reviewed gold into a throw-away instance and trained on exactly as `annotator train` does
(services.training.train_dataset: DocBins, config, spaCy's loop, scoring, registration).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator import create_app  # noqa: E402
from annotator.db import db  # noqa: E402
from annotator.nlp import preannotate  # noqa: E402
from annotator.nlp.evaluation import Evaluation  # noqa: E402
from annotator.services.importer import Record, get_or_create_dataset, import_records  # noqa: E402
from annotator.services.training import Options, train_dataset  # noqa: E402

DEMO = ROOT / "annotator" / "demo" / "articles"


def main() -> None:
    """Import silver gold, train, print the time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--max-steps", type=int, default=1000)
    parser.add_argument("--dev-share", type=float, default=0.2)
    args = parser.parse_args()
    base = [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]
    texts = [f"{base[i % len(base)]}\n(Edition {i}.)" for i in range(args.articles)]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ANNOTATOR_INSTANCE_PATH"] = tmp
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite", "SECRET_KEY": "bench",
                          "HUEY_IMMEDIATE": True})
        with app.app_context():
            db.create_all()
            dataset = get_or_create_dataset("bench")
            nlp = app.extensions["annotator.preannotator"].load()
            made = preannotate(nlp, [(t, t) for t in texts], labels=dataset.entity_labels)
            records = [Record(text, tokens=pre.tokens, annotation=pre.annotation, annotator_id="gold")
                       for pre, text in made]
            import_records(dataset, records, target="gold")
            db.session.commit()
            words = sum(len(t.split()) for t in texts)
            print(f"{args.articles} articles ({words} words), {args.max_steps} steps, {os.cpu_count()} CPU(s)")
            start = time.perf_counter()
            version = train_dataset(dataset, Options(output=Path(tmp) / "model", max_steps=args.max_steps,
                                                     dev_share=args.dev_share), sys.stdout)
            seconds = time.perf_counter() - start
            dev = Evaluation.from_dict(version.scores["dev"])
            print(f"trained {version.train_docs} + held out {version.dev_docs} documents in {seconds:.0f} s "
                  f"(target 600 s); entity F1 on the held-out share {dev.entity_f1:.3f}")


if __name__ == "__main__":
    main()
