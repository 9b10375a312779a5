"""Uploaded files kept between an import's preview and its confirmation, bound to the user who uploaded them."""

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_login import current_user

MAX_AGE_SECONDS = 3600


@dataclass(frozen=True)
class Kept:
    data: bytes
    filename: str
    meta: dict


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep(data: bytes, filename: str, **meta) -> str:
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.data").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"filename": filename, "user_id": current_user.id, "meta": meta}))
    return token


def take(token: str) -> Kept | None:
    """The kept file for this token if it belongs to the current user and has not expired; removes it."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _folder()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.data"
    if not meta_path.exists() or not data_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != current_user.id or meta_path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
        return None
    kept = Kept(data_path.read_bytes(), meta["filename"], meta.get("meta", {}))
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    return kept
