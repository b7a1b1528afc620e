"""Tests of the stubs and of the judging, on a small package made here (run by
`tests/differential.rs`, or by hand: `python3 -m unittest discover -s tests/differential`)."""

from __future__ import annotations

import inspect
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
import sources  # noqa: E402
import stubs  # noqa: E402
import surface  # noqa: E402

PACKAGE = {
    "training/__init__.py": "",
    "training/utils/__init__.py": """
        from typing import Any, Optional
        import abc
        import torch
        from tinker_cookbook.renderers import Renderer, register_renderer
        from tinker import APIError
        from training.utils.config import Config, make

        class Module(torch.nn.Module, abc.ABC):
            def forward(self, x, *, scale=1):
                return x

        class CustomError(APIError):
            pass

        @register_renderer("mine")
        class MyRenderer(Renderer):
            pass

        class OwnInit(Renderer):
            def __init__(self, tokenizer, name=None):
                pass

        @torch.no_grad()
        def decorated(a, b=2):
            return a

        Tensor = torch.Tensor[int] | None
        LIMIT = 3
        logger = __import__("logging").getLogger(__name__)
    """,
    "training/utils/config.py": """
        import dataclasses
        import transformers

        @dataclasses.dataclass
        class Config:
            name: str
            tokenizer: transformers.PreTrainedTokenizer = None

            def run(self, steps, /, verbose=False):
                pass

            @classmethod
            def load(cls, path):
                pass

            @staticmethod
            def check(value, *values):
                pass

        def make(**overrides):
            return Config(**overrides)
    """,
    "training/models.py": """
        import pydantic
        import numpy

        class Loose(pydantic.BaseModel):
            name: str
            array: numpy.ndarray = None

        class Strict(pydantic.BaseModel):
            model_config = pydantic.ConfigDict(extra="forbid")
            name: str
    """,
    "training/recipes/loop.py": """
        from training.utils import Config

        def main(config, *, cancel_on_exit=False):
            pass
    """,
}


class GeneratorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        root = Path(cls.tmp.name)
        for name, text in PACKAGE.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        sys.path.insert(0, str(root))
        cls.finder = stubs.install({"training"})
        import training.models
        import training.utils

        cls.utils = training.utils
        cls.models = training.models

    @classmethod
    def tearDownClass(cls) -> None:
        sys.meta_path.remove(cls.finder)
        for name in list(sys.modules):
            if name.split(".")[0] in ("training", "torch", "tinker", "tinker_cookbook",
                                      "transformers", "numpy"):
                del sys.modules[name]
        cls.tmp.cleanup()

    def test_stub_bases_decorators_and_annotations(self) -> None:
        utils = self.utils
        self.assertTrue(issubclass(utils.Module, object))  # no metaclass conflict with ABCMeta
        self.assertTrue(issubclass(utils.CustomError, Exception))
        with self.assertRaises(utils.CustomError):
            raise utils.CustomError("x")
        self.assertTrue(inspect.isclass(utils.MyRenderer))  # the decorator kept the class
        self.assertTrue(inspect.isfunction(utils.decorated))
        self.assertEqual(list(inspect.signature(utils.decorated).parameters), ["a", "b"])
        self.assertIn("torch", stubs.stubbed_packages())

    def test_the_package_itself_is_never_stubbed(self) -> None:
        with self.assertRaises(ModuleNotFoundError):
            __import__("training.nowhere")
        verdict = generate.judge_statement("import training.nowhere", {})
        self.assertEqual(verdict[0], "reject")
        self.assertEqual(generate.judge_statement("from training.utils import nothing", {})[0],
                         "reject")
        self.assertEqual(generate.judge_statement("from training.utils import Config", {}),
                         ("accept", "imports"))

    def test_constructors(self) -> None:
        utils = self.utils
        with self.assertRaises(surface.NoVerdict):
            surface.constructor_signature(utils.MyRenderer)  # the stub base's
        own = surface.constructor_signature(utils.OwnInit)
        self.assertEqual(list(own.parameters), ["tokenizer", "name"])
        config = surface.constructor_signature(utils.Config)
        self.assertEqual(generate.judge_call(utils.Config, config, 0, ["name"]),
                         ("accept", "binds"))
        self.assertEqual(generate.judge_call(utils.Config, config, 3, [])[0], "reject")

    def test_methods(self) -> None:
        config = self.utils.Config
        self.assertEqual(surface.public_methods(config),
                         {"check": "static", "load": "class", "run": "instance"})
        run = surface.method_signature(config, "run", "instance")
        self.assertEqual(generate.judge_call(None, run, 1, []), ("accept", "binds"))
        self.assertEqual(generate.judge_call(None, run, 0, ["steps"])[0], "reject")
        # Through the class, `self` is a parameter like any other.
        unbound = surface.method_signature(config, "run", "class")
        self.assertEqual(generate.judge_call(None, unbound, 1, [])[0], "reject")
        load = surface.method_signature(config, "load", "class")
        self.assertEqual(list(load.parameters), ["path"])
        check = surface.method_signature(config, "check", "instance")
        self.assertEqual(generate.judge_call(None, check, 5, []), ("accept", "binds"))
        with self.assertRaises(AttributeError):
            surface.method_signature(config, "gone", "instance")
        # A stubbed base might have the method: no verdict rather than a guess.
        with self.assertRaises(surface.NoVerdict):
            surface.method_signature(self.utils.OwnInit, "render", "instance")

    def test_pydantic_unknown_keywords(self) -> None:
        if "pydantic" in stubs.stubbed_packages():
            self.skipTest("pydantic is not installed")
        loose, strict = self.models.Loose, self.models.Strict
        sig = surface.constructor_signature(loose)
        verdict = generate.judge_call(loose, sig, 0, ["name", "other"])
        self.assertEqual(verdict[0], "accept")
        self.assertIn("extra='ignore'", verdict[1])
        self.assertEqual(generate.judge_call(loose, sig, 1, ["name"])[0], "reject")
        self.assertEqual(generate.judge_call(loose, sig, 0, ["other"])[0], "reject")
        sig = surface.constructor_signature(strict)
        self.assertEqual(generate.judge_call(strict, sig, 0, ["name", "other"])[0], "reject")

    def test_public_names_and_modules(self) -> None:
        names = surface.public_names(self.utils)
        for name in ("Config", "Module", "decorated", "LIMIT", "config"):
            self.assertIn(name, names)
        for name in ("Any", "Optional", "abc", "torch", "Renderer", "APIError", "logger",
                     "Tensor"):
            self.assertNotIn(name, names)
        found = surface.module_names("training")
        self.assertIn("training.recipes", found)  # a folder without __init__.py
        self.assertIn("training.recipes.loop", found)

    def test_own_calls(self) -> None:
        params = surface.params_of(inspect.signature(self.utils.decorated))
        self.assertEqual(generate.own_calls(params), [
            ("binds", 0, ["a"]),
            ("unknown-keyword", 0, ["a", generate.UNKNOWN_KEYWORD]),
            ("too-many-positional", 3, []),
            ("missing-required", 0, []),
        ])
        self.assertEqual(generate.legacy_call(params), (0, ["a", "b"]))

    def test_identical_cases_are_written_once(self) -> None:
        report = generate.Report()
        case = generate.Case("m", "legacy-call", "m.f", "def case{n}(): f(a=None)", "accept",
                             "binds", (("m", "f"),), "cookbook-v2026.06.01.1")
        report.add(case)
        report.add(generate.Case(**{**case.__dict__, "origin": "cookbook-v2026.05.30.2"}))
        report.add(generate.Case(**{**case.__dict__, "group": "n"}))
        self.assertEqual([(c.group, c.origin) for c in report.cases],
                         [("m", "cookbook-v2026.06.01.1"), ("n", "cookbook-v2026.06.01.1")])


class ReleasesTest(unittest.TestCase):
    """On fwmigrate's own releases.json."""

    releases = sources.Releases()

    def test_resolve(self) -> None:
        resolve = self.releases.resolve
        self.assertEqual(resolve("2026.06"), "cookbook-v2026.06.01.1")
        self.assertEqual(resolve("2026.07.15.1"), "cookbook-v2026.07.15.1")
        self.assertEqual(resolve("cookbook-v2026.07.15.1"), "cookbook-v2026.07.15.1")
        self.assertEqual(resolve("legacy"), "cookbook-v2026.05.30.2")
        with self.assertRaises(KeyError):
            resolve("2026.13.01.1")

    def test_oldest_sdk(self) -> None:
        oldest = self.releases.oldest_sdk
        self.assertEqual(oldest("cookbook-v2026.06.20.1"), "1.2.0a83")
        self.assertEqual(oldest("snapshot-2026.03.08-3cfa0b31"), "1.0.0a36")  # before the tables
        self.assertIsNone(oldest("snapshot-2026.03.03-e6d8bb36"))  # no SDK range
        self.assertLess(sources._version_key("1.2.0a89"), sources._version_key("1.2.0"))
        self.assertLess(sources._version_key("1.2.9"), sources._version_key("1.2.10"))

    def test_legacy_spread(self) -> None:
        spread = generate.legacy_spread(self.releases, "cookbook-v2026.07.06.1")
        order = self.releases.order
        self.assertEqual(spread, sorted(spread, key=order.__getitem__))
        self.assertTrue(all(order[t] < order["cookbook-v2026.07.06.1"] for t in spread))
        self.assertIn("snapshot-2026.03.08-3cfa0b31", spread)  # every weekly snapshot
        self.assertNotIn("snapshot-2026.03.03-e6d8bb36", spread)  # no SDK range
        self.assertIn("cookbook-v2026.05.30.2", spread)  # legacy
        self.assertIn("cookbook-v2026.06.18.1", spread)  # first of the >=1.2.0a83 range
        self.assertIn("cookbook-v2026.07.02.1", spread)  # its last, and the predecessor
        self.assertNotIn("cookbook-v2026.06.20.1", spread)
        self.assertEqual(generate.legacy_spread(self.releases, "snapshot-2026.03.08-3cfa0b31"),
                         [])


if __name__ == "__main__":
    unittest.main()
