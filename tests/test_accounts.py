"""Editor accounts: argon2 hashes only, throttling, a lockout that survives a restart, unknown names."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from ibcr_updates import accounts as editors_module
from ibcr_updates.accounts import LOCK_SECONDS, SESSION_MINUTES, Editors
from tests.support import ROOT

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # the same algorithm, cheap for tests
PASSWORD = "correct horse battery"


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(tmp_path, clock) -> Editors:
    e = Editors.open(tmp_path / "editors.json", hasher=FAST, clock=clock)
    e.add("ana", PASSWORD)
    return e


def test_only_an_argon2_hash_is_stored(accounts, tmp_path):
    text = (tmp_path / "editors.json").read_text()
    assert PASSWORD not in text
    assert json.loads(text)["accounts"]["ana"]["hash"].startswith("$argon2id$")
    assert oct((tmp_path / "editors.json").stat().st_mode & 0o777) == "0o600"
    assert accounts.verify("ana", PASSWORD) and not accounts.verify("ana", PASSWORD + "!")
    assert accounts.names() == ["ana"] and accounts.enabled()
    assert SESSION_MINUTES == 30


def test_add_and_remove_rules(accounts, tmp_path):
    with pytest.raises(ValueError, match="at least 12"):
        accounts.add("ben", "short")
    with pytest.raises(ValueError, match="already"):
        accounts.add("ana", PASSWORD)
    accounts.remove("ana")
    assert not accounts.enabled() and not Editors.open(tmp_path / "none.json").enabled()
    with pytest.raises(KeyError):
        accounts.remove("ana")


def test_after_three_failures_each_attempt_must_wait(accounts, clock):
    for _ in range(2):
        assert accounts.attempt("ana", "wrong password!").retry_after == 0
    third = accounts.attempt("ana", "wrong password!")
    assert not third.ok and third.retry_after == 1
    early = accounts.attempt("ana", PASSWORD)  # the right password, too soon: refused unchecked
    assert not early.ok and early.retry_after > 0 and not early.locked
    clock.now += 1
    assert accounts.verify("ana", PASSWORD)
    assert accounts.status("ana")["failures"] == 0  # a success starts the count again


def test_ten_failures_lock_the_name_for_15_minutes_across_a_restart(accounts, clock, tmp_path):
    for _ in range(10):
        clock.now += 120  # past any wait
        last = accounts.attempt("ana", "wrong password!")
    assert last.locked and last.retry_after == LOCK_SECONDS
    restarted = Editors.open(tmp_path / "editors.json", hasher=FAST, clock=clock)
    clock.now += 60
    attempt = restarted.attempt("ana", PASSWORD)
    assert not attempt.ok and attempt.locked and attempt.retry_after == LOCK_SECONDS - 60
    clock.now += LOCK_SECONDS
    assert restarted.verify("ana", PASSWORD)


class CountingHasher(PasswordHasher):
    calls = 0

    def verify(self, hash, password):  # noqa: A002 (argon2's name)
        CountingHasher.calls += 1
        return super().verify(hash, password)


def test_an_unknown_name_is_refused_after_the_same_work(tmp_path, clock):
    accounts = Editors.open(tmp_path / "editors.json", hasher=CountingHasher(time_cost=1, memory_cost=1024,
                                                                             parallelism=1), clock=clock)
    accounts.add("ana", PASSWORD)
    before = (tmp_path / "editors.json").read_bytes()
    CountingHasher.calls = 0
    attempt = accounts.attempt("nobody", PASSWORD)
    assert not attempt.ok and attempt.retry_after == 0 and not attempt.locked
    assert CountingHasher.calls == 1  # a dummy hash was checked, as for a real name
    assert (tmp_path / "editors.json").read_bytes() == before  # unknown names are not recorded


def test_the_accounts_file_defaults_to_the_store(tmp_path, monkeypatch):
    monkeypatch.delenv(editors_module.FILE_ENV, raising=False)
    monkeypatch.setenv("IBCR_DATA_DIR", str(tmp_path / "store"))
    assert editors_module.default_path() == tmp_path / "store" / "editors.json"
    monkeypatch.setenv(editors_module.FILE_ENV, str(tmp_path / "elsewhere.json"))
    assert editors_module.default_path() == tmp_path / "elsewhere.json"


def test_editor_commands(tmp_path, data_copy):
    store = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IBCR_DATA_DIR": str(store)}
    env.pop(editors_module.FILE_ENV, None)

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "ibcr_updates", *args], input=stdin, capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=120)

    r = run("editor", "add", "ana", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert (store / "history.json").is_file() and (store / "editors.json").is_file()  # the store is created
    assert run("editor", "add", "ben", stdin="short\n").returncode == 1
    assert run("editor", "list").stdout.split() == ["ana"]
    assert Editors.open(store / "editors.json").verify("ana", PASSWORD)
    assert run("editor", "remove", "ana").returncode == 0
    assert run("editor", "list").stdout.strip() == ""
