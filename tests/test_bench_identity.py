"""``python -m scrubber.bench identity``: the output-identity check for speed work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import usage_error

from scrubber.bench import identity

PAGES = [
    ("set-a", "1", "<title>T</title><p>A paragraph of body text, long enough to be kept.</p>"),
    ("set-a", "2", "<nav><a href=/>Home</a></nav><p>Another body paragraph stays here.</p>"),
]


@pytest.fixture
def fake_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("set-a",):
        (tmp_path / name).mkdir()
    monkeypatch.setattr(identity, "_jobs", lambda sets: iter(PAGES))
    monkeypatch.setattr("scrubber.train.data.data_root", lambda required=False: tmp_path)
    return tmp_path


def test_save_then_check_is_identical_and_a_changed_output_is_named(
    fake_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "digests.json"
    assert identity.main(["save", str(out), "--sets", "set-a", "-j", "1"]) == 0
    saved = json.loads(out.read_text())
    assert saved["format"] == identity.FORMAT and set(saved["pages"]) == {"set-a/1", "set-a/2"}
    assert identity.main(["check", str(out), "--sets", "set-a", "-j", "1"]) == 0
    assert "identical" in capsys.readouterr().out
    saved["pages"]["set-a/2"][1] = "0" * 40  # as if the explanation had changed
    out.write_text(json.dumps(saved))
    assert identity.main(["check", str(out), "--sets", "set-a", "-j", "1"]) == 1
    printed = capsys.readouterr().out
    assert "set-a/2: explain differs" in printed
    assert "pages differing per output: html 0, explain 1, text 0" in printed


def test_check_refuses_a_file_that_is_not_a_digest_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"format": "something else"}')
    assert identity.main(["check", str(bad)]) == 2


def test_a_missing_data_set_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("scrubber.train.data.data_root", lambda required=False: tmp_path)
    assert identity.main(["save", str(tmp_path / "o.json"), "--sets", "nope"]) == 2
    assert "no set 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_identity_refuses_fewer_than_one_worker(jobs: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error(identity.main, ["save", str(tmp_path / "o.json"), "-j", jobs], capsys)
    assert f"--jobs: must be at least 1, got {jobs}" in err
    assert not (tmp_path / "o.json").exists()


def test_check_compares_the_sets_the_file_holds_by_default(
    fake_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # check without --sets computed every set and counted each page of a set the file did
    # not hold as a "new page": identical outputs failed, exit 1
    out = tmp_path / "digests.json"
    assert identity.main(["save", str(out), "--sets", "set-a", "-j", "1"]) == 0
    assert identity.main(["check", str(out), "-j", "1"]) == 0
    assert "2 pages: identical" in capsys.readouterr().out
    (fake_data / "set-b").mkdir()
    assert identity.main(["check", str(out), "--sets", "set-a", "set-b", "-j", "1"]) == 2
    assert "holds no digests of set-b (saved: set-a): save them first" in \
        capsys.readouterr().err


@pytest.mark.parametrize("content", ["[]", '{"format": "scrubber-identity-1"}',
                                     '{"format": "scrubber-identity-1", "pages": []}'])
def test_check_of_a_malformed_digest_file_is_a_clear_error(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ("[]": AttributeError, a file without its pages: KeyError, both with a traceback)
    bad = tmp_path / "x.json"
    bad.write_text(content)
    assert identity.main(["check", str(bad)]) == 2
    assert "is not a scrubber-identity-1 file" in capsys.readouterr().err


def test_save_checks_where_it_writes_before_the_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # (an unwritable path failed after every page was computed, with a traceback)
    def no_run(*args: object) -> None:
        raise AssertionError("computed before the output was checked")

    monkeypatch.setattr(identity, "compute", no_run)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert identity.main(["save", str(blocker / "id.json"), "--sets", "set-a"]) == 2
    assert f"{blocker / 'id.json'}: cannot make its folder" in capsys.readouterr().err
    assert identity.main(["save", str(tmp_path), "--sets", "set-a"]) == 2
    assert "is a directory" in capsys.readouterr().err
