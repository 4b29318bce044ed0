"""Editor accounts: who may accept an upload. Passwords are kept only as argon2 hashes.

The accounts live in a JSON file outside the repository: `<store root>/editors.json`, or
`IBCR_EDITORS_FILE`. Failed attempts are throttled per name and persisted in the same file, so a
restart does not reset them: after 3 failures each attempt must wait (1, 2, 4 … up to 60 s),
after 10 the name is locked for 15 minutes. Session expiry is the UI's job (SESSION_MINUTES).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .store import store_root

SESSION_MINUTES = 30
MIN_PASSWORD = 12
FREE_FAILURES = 3  # failures before each attempt must wait
LOCK_FAILURES = 10
LOCK_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 60
FILE_ENV = "IBCR_EDITORS_FILE"
FILE_NAME = "editors.json"


@dataclass(frozen=True)
class Attempt:
    """The outcome of a sign-in attempt; when refused for throttling, how long to wait."""

    ok: bool
    retry_after: float = 0.0  # seconds before the next attempt is considered
    locked: bool = False  # locked after too many failures (retry_after says until when)

    def __bool__(self) -> bool:
        return self.ok


def default_path() -> Path | None:
    """IBCR_EDITORS_FILE, else editors.json in the store root; None when versions are off."""
    env = os.environ.get(FILE_ENV)
    if env:
        return Path(env)
    root = store_root()
    return root / FILE_NAME if root is not None else None


class Editors:
    """The editor accounts file. Every method re-reads the file, so several processes can share it."""

    def __init__(self, path: Path | None, hasher: PasswordHasher | None = None,
                 clock: Callable[[], float] = time.time):
        self.path = Path(path) if path is not None else None
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._dummy: str | None = None  # a hash checked for unknown names (the same work), made on first need
        self._seen: tuple[tuple, dict] | None = None  # (the file's stat key, its content) for enabled()

    @classmethod
    def open(cls, path: Path | None = None, **kwargs) -> Editors:
        return cls(path if path is not None else default_path(), **kwargs)

    def enabled(self) -> bool:
        """True when at least one account exists (the UI shows editing only then).

        Asked on every page run: the file is read again only when it changed.
        """
        try:
            st = self.path.stat() if self.path is not None else None
        except OSError:
            st = None
        key = (st.st_ino, st.st_mtime_ns, st.st_size) if st else ()
        if self._seen is None or self._seen[0] != key:
            self._seen = (key, self._read())
        return bool(self._seen[1]["accounts"])

    def names(self) -> list[str]:
        return sorted(self._read()["accounts"])

    def add(self, name: str, password: str) -> None:
        name = _clean_name(name)
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
        digest = self.hasher.hash(password)
        with self._update() as data:
            if name in data["accounts"]:
                raise ValueError(f"there is already an editor named '{name}': remove it first to reset its password")
            data["accounts"][name] = {"hash": digest, "created": _iso(self.clock()), "failures": 0,
                                      "wait_until": 0.0, "locked_until": 0.0}

    def remove(self, name: str) -> None:
        with self._update() as data:
            if name not in data["accounts"]:
                raise KeyError(f"no editor named '{name}' (editors: {', '.join(sorted(data['accounts'])) or 'none'})")
            del data["accounts"][name]

    def verify(self, name: str, password: str) -> bool:
        return self.attempt(name, password).ok

    def attempt(self, name: str, password: str) -> Attempt:
        """Check a password, with throttling; an unknown name costs the same and never says it is unknown."""
        now = self.clock()
        account = self._read()["accounts"].get(name)
        self._dummy = self._dummy or self.hasher.hash(secrets.token_urlsafe(16))  # on any first attempt
        if account is None:
            with contextlib.suppress(VerificationError, InvalidHashError):
                self.hasher.verify(self._dummy, password + "\0")
            return Attempt(False)
        if account.get("locked_until", 0) > now:
            return Attempt(False, account["locked_until"] - now, locked=True)
        if account.get("wait_until", 0) > now:
            return Attempt(False, account["wait_until"] - now)
        try:
            ok = self.hasher.verify(account["hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
        with self._update() as data:
            acc = data["accounts"].get(name)
            if acc is None:
                return Attempt(False)
            if ok:
                acc.update(failures=0, wait_until=0.0, locked_until=0.0)
                if self.hasher.check_needs_rehash(acc["hash"]):
                    acc["hash"] = self.hasher.hash(password)
                return Attempt(True)
            if acc.get("locked_until", 0) and acc["locked_until"] <= now:
                acc["failures"] = 0  # a lock that has run out starts the count again
            acc["failures"] = acc.get("failures", 0) + 1
            n = acc["failures"]
            if n >= LOCK_FAILURES:
                acc.update(locked_until=now + LOCK_SECONDS, wait_until=0.0)
                return Attempt(False, LOCK_SECONDS, locked=True)
            wait = 0.0 if n < FREE_FAILURES else float(min(2 ** (n - FREE_FAILURES), MAX_WAIT_SECONDS))
            acc["wait_until"] = now + wait
            return Attempt(False, wait)

    def status(self, name: str) -> dict:
        """Failures, and seconds until the name may try again (0 when it may) — for the UI and the CLI."""
        acc = self._read()["accounts"].get(name)
        if acc is None:
            return {"failures": 0, "retry_after": 0.0, "locked": False}
        now = self.clock()
        locked = acc.get("locked_until", 0) > now
        until = acc["locked_until"] if locked else acc.get("wait_until", 0)
        return {"failures": acc.get("failures", 0), "retry_after": max(0.0, until - now), "locked": locked}

    # The file

    def _read(self) -> dict:
        if self.path is None or not self.path.is_file():
            return {"format": 1, "accounts": {}}
        with self.path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        data.setdefault("accounts", {})
        return data

    @contextlib.contextmanager
    def _update(self):
        if self.path is None:
            raise ValueError("there is no store for editor accounts: IBCR_DATA_DIR is a plain data folder. "
                             f"Set {FILE_ENV}, or point IBCR_DATA_DIR at a store")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / f".{self.path.name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._read()
            yield data
            tmp = self.path.parent / f".{self.path.name}.tmp-{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(str(name).split()))
    if not name or len(name) > 64 or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValueError("an editor name is 1 to 64 printable characters, e.g. 'ana'")
    return name


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
