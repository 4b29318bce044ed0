"""Editor accounts: who may accept an upload. Passwords are kept only as argon2 hashes.

The accounts live in a JSON file outside the repository: `<store root>/editors.json`, or
`IBCR_EDITORS_FILE`. Failed sign-ins are throttled, and the counts kept in the same file, so a
restart or a second process does not reset them:

* per name and client (the address the sign-in came from): after 3 failures each attempt waits
  1, 2, 4 … up to 60 s; after 10 that client may not try that name for 15 minutes;
* per name, over all clients: after 10 failures each attempt waits 1, 2, 4 … up to 60 s, never a
  lock-out. Someone guessing from many addresses gets about one guess a minute, and an editor
  elsewhere is never locked out of their own account by someone else's guesses (only slowed).

A name is throttled the same way whether it has an account or not, and an unknown name costs the same
password check (against a dummy hash): the answers and their timing do not tell names apart. The
counts are keyed by a keyed hash of the name (and client), so the file holds no guessed names.

An attempt is counted before its password is checked, under the file's lock: of six attempts sent at
once, the three free ones are checked and the others are told to wait. At most MAX_CHECKS passwords
are checked at once in a process (argon2 uses CHECK_MEMORY_BYTES each). Session expiry is the UI's
job (SESSION_MINUTES); an account's `key` changes when it is removed and added again, which ends the
sessions signed in with the old one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .files import NotWritten
from .source import store_root

SESSION_MINUTES = 30
MIN_PASSWORD = 12
FREE_FAILURES = 3  # per name and client: failures before each attempt must wait
LOCK_FAILURES = 10  # per name and client: then that client waits LOCK_SECONDS
LOCK_SECONDS = 15 * 60
NAME_FREE_FAILURES = 10  # per name, all clients: failures before each attempt must wait (no lock-out)
MAX_WAIT_SECONDS = 60
FORGET_SECONDS = 24 * 3600  # counts untouched this long (and not locked) are dropped
MAX_TRACKED = 10_000  # counts kept at most; the oldest go first
MAX_CHECKS = 2  # password checks running at once in one process
CHECK_MEMORY_BYTES = PasswordHasher().memory_cost * 1024  # argon2-cffi's default: 64 MiB per check
ROLES = ("board", "editor")  # board: signs in to read the board view; editor: the board view, and changes the data
FILE_ENV = "IBCR_EDITORS_FILE"
FILE_NAME = "editors.json"

_checks = threading.BoundedSemaphore(MAX_CHECKS)


@dataclass(frozen=True)
class Attempt:
    """The outcome of a sign-in attempt; when refused for throttling, how long to wait."""

    ok: bool
    retry_after: float = 0.0  # seconds before the next attempt is considered
    locked: bool = False  # this client tried this name too often (retry_after says until when)
    key: str = ""  # the account's key when ok (see Editors.key)

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

    def key(self, name: str) -> str | None:
        """The account's key while it exists: a session signed in with another key (or None) has ended."""
        acc = self._read()["accounts"].get(name)
        return None if acc is None else acc.get("key") or acc["hash"][-16:]

    def role(self, name: str) -> str | None:
        """"editor" or "board" while the account exists (accounts made before roles are editors)."""
        acc = self._read()["accounts"].get(name)
        return None if acc is None else acc.get("role", "editor")

    def roles(self) -> dict[str, str]:
        """Every account's name and role."""
        return {name: acc.get("role", "editor") for name, acc in sorted(self._read()["accounts"].items())}

    def add(self, name: str, password: str, role: str = "editor") -> None:
        name = _clean_name(name)
        if role not in ROLES:
            raise ValueError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
        digest = self.hasher.hash(password)
        with self._update() as data:
            if name in data["accounts"]:
                raise ValueError(f"there is already an account named '{name}': remove it first to reset its password")
            data["accounts"][name] = {"hash": digest, "created": _iso(self.clock()), "key": secrets.token_hex(8),
                                      "role": role}
            self._dummy(data)  # made once, with the file: no sign-in ever waits for it

    def remove(self, name: str) -> None:
        with self._update() as data:
            if name not in data["accounts"]:
                raise KeyError(f"no editor named '{name}' (editors: {', '.join(sorted(data['accounts'])) or 'none'})")
            del data["accounts"][name]

    def verify(self, name: str, password: str, client: str = "") -> bool:
        return self.attempt(name, password, client).ok

    def attempt(self, name: str, password: str, client: str = "") -> Attempt:
        """Check a password, throttled per name and client; an unknown name is answered exactly as a known one.

        Raises NotWritten when the attempt cannot be counted (a read-only or full disk): no password
        is checked that is not counted.
        """
        with self._update() as data:  # count it first, under the lock, so parallel attempts queue here
            now = self.clock()
            by_client, by_name = self._buckets(data, name, client, now)
            refused = _refusal(by_client, by_name, now)
            if refused is not None:
                return refused
            _charge(by_client, now, FREE_FAILURES, LOCK_FAILURES)
            _charge(by_name, now, NAME_FREE_FAILURES, None)
            account = data["accounts"].get(name)
            target = account["hash"] if account else self._dummy(data)
        with _checks:  # argon2 takes CHECK_MEMORY_BYTES: at most MAX_CHECKS of them at once
            try:
                ok = self.hasher.verify(target, password) and account is not None
            except (VerificationError, InvalidHashError):
                ok = False
        if not ok:  # refused; and what the next attempt faces, so the editor knows before trying again
            after = _refusal(by_client, by_name, now)
            return after if after is not None else Attempt(False)
        with self._update() as data:
            acc = data["accounts"].get(name)
            if acc is None or acc.get("hash") != account["hash"]:
                return Attempt(False)  # removed (or its password reset) while it was checked
            for k in self._keys(data, name, client):
                data["throttle"].pop(k, None)
            if self.hasher.check_needs_rehash(acc["hash"]):
                acc["hash"] = self.hasher.hash(password)
            acc.setdefault("key", secrets.token_hex(8))
            return Attempt(True, key=acc["key"])

    def status(self, name: str, client: str = "") -> dict:
        """Failures of the name from this client, and seconds until it may try again (0 when it may)."""
        data = self._read()
        now = self.clock()
        by_client, by_name = (data["throttle"].get(k, {}) for k in self._keys(data, name, client))
        refused = _refusal(by_client, by_name, now)
        return {"failures": by_client.get("failures", 0), "retry_after": refused.retry_after if refused else 0.0,
                "locked": bool(refused and refused.locked)}

    # Throttling

    def _keys(self, data: dict, name: str, client: str) -> tuple[str, str]:
        secret = bytes.fromhex(data.setdefault("secret", secrets.token_hex(16)))
        digest = lambda text: hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        return digest(f"client\0{name}\0{client}"), digest(f"name\0{name}")

    def _buckets(self, data: dict, name: str, client: str, now: float) -> tuple[dict, dict]:
        throttle = data["throttle"]
        for k in [k for k, b in throttle.items() if now - b.get("seen", 0) > FORGET_SECONDS
                  and b.get("locked_until", 0) <= now]:
            del throttle[k]
        while len(throttle) >= MAX_TRACKED:
            del throttle[min(throttle, key=lambda k: throttle[k].get("seen", 0))]
        return tuple(throttle.setdefault(k, {"failures": 0, "wait_until": 0.0, "locked_until": 0.0, "seen": now})
                     for k in self._keys(data, name, client))

    def _dummy(self, data: dict) -> str:
        """A hash of a random password, checked for unknown names: the same work as for a real one."""
        if not data.get("dummy") or self.hasher.check_needs_rehash(data["dummy"]):
            data["dummy"] = self.hasher.hash(secrets.token_urlsafe(16))
        return data["dummy"]

    # The file

    def _read(self) -> dict:
        if self.path is None or not self.path.is_file():
            return {"format": 2, "accounts": {}, "throttle": {}}
        with self.path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        data.setdefault("accounts", {})
        data.setdefault("throttle", {})
        return data

    @contextlib.contextmanager
    def _update(self):
        if self.path is None:
            raise ValueError("there is no store for editor accounts: IBCR_DATA_DIR is a plain data folder. "
                             f"Set {FILE_ENV}, or point IBCR_DATA_DIR at a store")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = (self.path.parent / f".{self.path.name}.lock").open("a")
        except OSError as exc:
            raise NotWritten("the editors' accounts file", exc) from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._read()
            data["format"] = 2
            yield data
            tmp = self.path.parent / f".{self.path.name}.tmp-{secrets.token_hex(4)}"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, indent=1, ensure_ascii=False)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise NotWritten("the editors' accounts file", exc) from exc


def _refusal(by_client: dict, by_name: dict, now: float) -> Attempt | None:
    """Refused unchecked while either count asks to wait; locked when this client is locked out."""
    if by_client.get("locked_until", 0) > now:
        return Attempt(False, by_client["locked_until"] - now, locked=True)
    until = max(by_client.get("wait_until", 0), by_name.get("wait_until", 0))
    return Attempt(False, until - now) if until > now else None


def _charge(bucket: dict, now: float, free: int, lock: int | None) -> None:
    """Count one more failure (a success clears the count): the next attempt waits, or is locked out."""
    if bucket.get("locked_until", 0) and bucket["locked_until"] <= now:
        bucket.update(failures=0, locked_until=0.0)  # a lock-out that has run out starts the count again
    bucket["failures"] = n = bucket.get("failures", 0) + 1
    bucket["seen"] = now
    if lock is not None and n >= lock:
        bucket.update(locked_until=now + LOCK_SECONDS, wait_until=0.0)
        return
    bucket["wait_until"] = now + (0.0 if n < free else float(min(2 ** (n - free), MAX_WAIT_SECONDS)))


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(str(name).split()))
    if not name or len(name) > 64 or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValueError("an editor name is 1 to 64 printable characters, e.g. 'ana'")
    return name


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
