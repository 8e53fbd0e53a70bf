import dataclasses
import os

import pytest

import scrubber
from scrubber import Config


def test_config_is_immutable():
    cfg = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.threshold = 0.3  # type: ignore[misc]


def test_replace_returns_a_new_config():
    cfg = Config()
    new = cfg.replace(threshold=0.7)
    assert new.threshold == 0.7 and cfg.threshold is None


def test_unknown_override_is_an_error():
    with pytest.raises(TypeError, match="unknown config key"):
        scrubber.clean("text", thresold=0.5)


def test_bad_threshold_is_an_error():
    with pytest.raises(ValueError):
        Config(threshold=1.5)


def test_lists_are_normalised_to_hashable_types():
    cfg = Config(rule_files=["a.toml"], disabled_rules=["x.y"])
    assert cfg.rule_files == ("a.toml",) and cfg.disabled_rules == frozenset({"x.y"})
    same = Config(rule_files=("a.toml",), disabled_rules=frozenset({"x.y"}))
    assert cfg == same and hash(cfg) == hash(same)


def test_configs_hash_and_equal_configs_hash_equal():
    assert hash(Config()) == hash(Config())
    assert hash(Config(threshold=0.6, comments=False)) == hash(Config().replace(
        threshold=0.6, comments=False))
    assert len({Config(), Config(), Config(settle=1)}) == 2


def test_config_has_no_mutable_fields():
    # (an unused, mutable ``extra`` dict made every Config unhashable)
    for f in dataclasses.fields(Config):
        value = getattr(Config(), f.name)
        assert value is None or isinstance(value, (bool, int, float, str, tuple, frozenset))
    with pytest.raises(TypeError, match="unknown config key"):
        Config().replace(extra={})


def test_clean_rejects_bytes():
    with pytest.raises(TypeError):
        scrubber.clean(b"bytes")  # type: ignore[arg-type]


def test_disabling_unknown_rule_is_an_error():
    with pytest.raises(ValueError, match="unknown rule"):
        scrubber.clean("text", disabled_rules=frozenset({"no.such-rule"}))


def test_an_unknown_rule_to_disable_is_named_visibly_even_when_blank():
    # ("cannot disable unknown rule(s): " named nothing for "", and " video.badge" read as
    # the real rule's id)
    with pytest.raises(ValueError, match=r"unknown rule\(s\): '', ' video\.badge'$"):
        scrubber.clean("text", disabled_rules=["", " video.badge", "video.badge"])


def _spy_context(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from scrubber import context

    calls: list[int] = []
    real = context.revise

    def spy(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(context, "revise", spy)
    return calls


PAGE = "Home | News\n\nA paragraph of prose that is long enough to be body text, really.\n"


def test_context_step_follows_the_model_card_unless_the_config_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scrubber.model import get_model

    model = get_model("text")
    if model is None:
        pytest.skip("no text model shipped")
    calls = _spy_context(monkeypatch)
    monkeypatch.setitem(model.card, "context", False)
    scrubber.clean(PAGE)
    assert calls == []  # the card turns it off
    scrubber.clean(PAGE, context=True)
    assert calls  # the config forces it on
    calls.clear()
    monkeypatch.setitem(model.card, "context", True)
    scrubber.clean(PAGE, context=False)
    assert calls == []


def test_context_step_runs_without_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy_context(monkeypatch)
    scrubber.clean(PAGE, use_model=False)
    assert calls


def test_default_context_is_the_models_choice() -> None:
    assert Config().context is None


@pytest.mark.parametrize("key", ["disabled_rules", "rule_files"])
def test_a_single_string_for_a_list_field_is_an_error_not_its_characters(key: str):
    with pytest.raises(TypeError, match=rf"{key} must be a .*list.* not 'video'"):
        scrubber.clean("text", **{key: "video"})
    with pytest.raises(TypeError, match=key):
        Config(**{key: 3})
    with pytest.raises(TypeError, match=key):
        Config(**{key: [3]})


def test_rule_files_take_path_objects():
    from pathlib import Path

    assert Config(rule_files=[Path("a.toml")]).rule_files == ("a.toml",)
    with pytest.raises(TypeError, match="rule_files"):
        Config(rule_files=Path("a.toml"))  # type: ignore[arg-type]


class _PathLike:
    """An os.PathLike that is not a pathlib path: its str() is not its path."""

    def __init__(self, path):
        self.path = path

    def __fspath__(self):
        return self.path


def test_rule_files_take_any_os_pathlike_by_its_path():
    # str() of it was kept: "<...._PathLike object at 0x...>: cannot read"
    assert Config(rule_files=[_PathLike("a.toml")]).rule_files == ("a.toml",)
    with pytest.raises(TypeError, match="rule_files must hold paths"):
        Config(rule_files=[_PathLike(b"a.toml")])  # (bytes: as a bytes path is refused)


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("use_model", "False", ValueError),
        ("use_model", 0, ValueError),
        ("context", "no", ValueError),
        ("threshold", "0.5", TypeError),
        ("threshold", True, TypeError),
        ("threshold", float("nan"), ValueError),
        ("settle", True, TypeError),
        ("settle", 2.0, TypeError),
        ("max_line_chars", "x", TypeError),
        ("max_line_chars", None, TypeError),
        ("max_line_chars", 0, ValueError),
        ("max_line_chars", -5, ValueError),
        ("regex_timeout", "1", TypeError),
        ("regex_timeout", None, TypeError),
        ("regex_timeout", float("nan"), ValueError),
        ("regex_timeout", float("inf"), ValueError),
        ("regex_timeout", 0, ValueError),
        ("profile", "file.npz", TypeError),
        ("profile", object(), TypeError),
        ("site", 3, TypeError),
        ("front_end", "html", ValueError),
    ],
)
def test_a_wrong_config_value_is_an_error_naming_the_field(key, value, error):
    with pytest.raises(error, match=key) as info:
        Config(**{key: value})
    assert "\n" not in str(info.value)
    with pytest.raises(error, match=key):
        scrubber.clean("A line.", **{key: value})


def test_a_profile_path_says_how_to_load_it():
    with pytest.raises(TypeError, match=r"load_profile\('file\.npz'\)"):
        Config(profile="file.npz")


def test_the_valid_configs_stay_valid():
    import numpy as np

    for kw in ({"threshold": None}, {"threshold": 0}, {"threshold": 1}, {"threshold": 0.6},
               {"threshold": np.float32(0.25)}, {"context": None}, {"context": False},
               {"settle": 1}, {"settle": np.int64(4)}, {"regex_timeout": 2},
               {"regex_timeout": 0.05}, {"max_line_chars": 1}, {"use_model": False},
               {"site": None}, {"front_end": "blocks"}):
        Config(**kw)
    assert Config(threshold=1).threshold == 1.0 and Config(settle=np.int64(4)).settle == 4


@pytest.mark.parametrize("timeout", [1e13, 1e300, 2**70])
def test_a_huge_regex_timeout_never_fires_on_a_fast_rule(tmp_path, timeout):
    # (the regex module wraps a timeout past about 9.2e12 s round to a negative one, so a
    # user who asked for "no practical limit" had every user rule time out on line 1)
    rule = tmp_path / "mine.toml"
    rule.write_text('family = "mine"\n[[rule]]\nid = "mine.promo"\ndescription = "a promo"\n'
                    "scope = \"line\"\npatterns = ['''^Buy now!$''']\n", encoding="utf-8")
    page = "Buy now!\nThe body paragraph of the article goes on at some length here.\n"
    assert scrubber.clean(page, rule_files=[rule], regex_timeout=timeout,
                          use_model=False) == page.split("\n", 1)[1]


def test_the_type_checkers_init_mirrors_the_fields():
    # config.py declares, for type checkers only, the __init__ that takes lists, sets and
    # paths; it must stay the dataclass's own: same names, order and defaults
    import ast
    import inspect

    from scrubber import config

    tree = ast.parse(inspect.getsource(config))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Config")
    init = next(n for n in ast.walk(cls)
                if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    names = [a.arg for a in init.args.args[1:]]
    defaults = [ast.literal_eval(d) if not isinstance(d, ast.Call) else eval(ast.unparse(d))
                for d in init.args.defaults]
    fields = dataclasses.fields(Config)
    assert names == [f.name for f in fields]
    assert defaults == [f.default for f in fields]


def test_the_documented_inputs_pass_mypy_strict(tmp_path):
    # (Config(disabled_rules={"video"}) and Config(rule_files=["my.toml"]), which the
    # docstring offers and __post_init__ normalises, were refused under py.typed: the
    # dataclass's __init__ took only the stored tuple and frozenset)
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("mypy")
    user = tmp_path / "user.py"
    user.write_text('''\
from pathlib import Path

import scrubber
from scrubber import Config, Explained

text = "Premium Only Content\\nA headline\\nThe body.\\n"
body: str = scrubber.clean(text)
result: Explained = scrubber.clean_and_explain(text)
for d in result.decisions:
    print(d.index, d.action, d.stage, d.rule_id, d.score, d.reason)
counts: dict[str, int] = result.counts()
cfg = Config(disabled_rules=frozenset({"video.badge"}))
scrubber.clean(text, cfg, threshold=0.6)
scrubber.clean(text, comments=False)
scrubber.prepare()
html: str = scrubber.clean_html(b"<p>x</p>", front_end="blocks")
listed = Config(disabled_rules={"video.badge"}, rule_files=["my.toml", Path("b.toml")])
also = Config(disabled_rules=["video"], rule_files=("a.toml",), threshold=1)
files: tuple[str, ...] = listed.rule_files
ids: frozenset[str] = also.replace(threshold=0.5).disabled_rules
''', encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "MYPYPATH": str(root)}
    run = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                          "--cache-dir", str(tmp_path / "cache"), str(user)],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_number_field_says_which_numbers_it_takes():
    from decimal import Decimal

    # ("threshold must be a number, got Decimal('0.5')": a Decimal is a number)
    for key in ("threshold", "regex_timeout"):
        with pytest.raises(TypeError, match=rf"{key} must be an int or float, got Decimal"):
            Config(**{key: Decimal("0.5")})


def test_a_config_pickles_to_the_same_bytes_in_every_process():
    # (disabled_rules pickled as a frozenset, in the order of the process's string hash
    # seed: the datasets cache fingerprint of a BatchCleaner disabling two rules changed
    # from run to run)
    import pickle
    import subprocess
    import sys

    code = ("import pickle, sys; from scrubber import Config; "
            "sys.stdout.write(pickle.dumps(Config(disabled_rules=['video', 'social', 'ads', "
            "'comments.leave-a-comment'], threshold=0.6)).hex())")
    dumps = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
             for seed in range(6)}
    assert len(dumps) == 1
    cfg = pickle.loads(bytes.fromhex(dumps.pop()))
    assert cfg == Config(disabled_rules={"video", "social", "ads", "comments.leave-a-comment"},
                         threshold=0.6)
    assert isinstance(cfg.disabled_rules, frozenset)
