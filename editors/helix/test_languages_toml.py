"""Checks editors/helix/languages.toml against Helix's documented format.

Helix cannot run here (it is in no reachable registry), so this test reads
the file as TOML and checks the shape Helix's loader expects
(helix-core's syntax config: `[language-server.NAME]` with `command`, and
`[[language]]` entries with `name`, `scope`, `file-types`,
`language-servers`), and emulates how Helix matches `{ glob = ... }`
file types: against the absolute path, with `*/` put in front of a glob that
is not absolute and does not start with `*/`, where `*` also matches `/`
(globset's default). Run: python3 -m unittest editors/helix/test_languages_toml.py
"""

import fnmatch
import pathlib
import tomllib
import unittest

HERE = pathlib.Path(__file__).resolve().parent
CONFIG = HERE / "languages.toml"
QUERIES = HERE / "queries" / "chant-spec"

# Keys Helix accepts in a [[language]] entry and in [language-server.NAME]
# (book/src/languages.md); anything else is a typo Helix would reject.
LANGUAGE_KEYS = {
    "name", "language-id", "scope", "injection-regex", "file-types", "shebangs", "roots",
    "comment-token", "comment-tokens", "block-comment-tokens", "auto-format", "diagnostic-severity",
    "grammar", "indent", "language-servers", "formatter", "soft-wrap", "text-width",
    "workspace-lsp-roots", "persistent-diagnostic-sources", "rulers", "auto-pairs", "debugger",
    "path-completion", "word-completion",
}
SERVER_KEYS = {"command", "args", "environment", "config", "timeout", "required-root-patterns"}


def helix_glob(glob: str) -> str:
    if not glob.startswith("/") and not glob.startswith("*/"):
        glob = "*/" + glob
    return glob


def language_for(config: dict, path: str):
    """The language Helix picks for an absolute path among this file's
    languages: the longest matching glob, else the extension/file name."""
    best = None
    for lang in config["language"]:
        for ft in lang.get("file-types", []):
            if isinstance(ft, dict) and fnmatch.fnmatchcase(path, helix_glob(ft["glob"])):
                if best is None or len(ft["glob"]) > best[0]:
                    best = (len(ft["glob"]), lang["name"])
    if best:
        return best[1]
    name = pathlib.PurePosixPath(path).name
    ext = pathlib.PurePosixPath(path).suffix.lstrip(".")
    for lang in config["language"]:
        for ft in lang.get("file-types", []):
            if isinstance(ft, str) and ft in (name, ext):
                return lang["name"]
    return None


class HelixLanguagesToml(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with CONFIG.open("rb") as f:
            cls.config = tomllib.load(f)

    def test_language_server_entry(self):
        servers = self.config["language-server"]
        self.assertEqual(["chant-lsp"], list(servers))
        server = servers["chant-lsp"]
        self.assertEqual("chant-lsp", server["command"])
        self.assertEqual(["--stdio"], server["args"])
        self.assertLessEqual(set(server), SERVER_KEYS)
        # Settings go under the `chant` section; commands stay off by default.
        chant = server["config"]["chant"]
        self.assertEqual({"enabled": False}, chant["commands"])
        self.assertEqual("chant", chant["path"])

    def test_one_spec_language_using_the_markdown_grammar(self):
        langs = self.config["language"]
        self.assertEqual(["chant-spec"], [l["name"] for l in langs])
        lang = langs[0]
        self.assertLessEqual(set(lang), LANGUAGE_KEYS)
        self.assertEqual(["chant-lsp"], lang["language-servers"])
        self.assertEqual("source.chant-spec", lang["scope"])
        self.assertEqual("markdown", lang["grammar"])
        self.assertEqual("markdown", lang["language-id"])
        self.assertEqual([".chant"], lang["roots"])
        self.assertEqual([{"glob": ".chant/specs/*.md"}], lang["file-types"])

    def test_file_types_never_claim_every_markdown_file(self):
        for ft in self.config["language"][0]["file-types"]:
            self.assertIsInstance(ft, dict, "a plain string file type would be an extension such as md")
            self.assertNotIn(ft["glob"].lstrip("*/"), {"md", "*.md", "**/*.md", ".md"})

    def test_spec_files_match_and_nothing_else(self):
        cases = {
            "/home/u/proj/.chant/specs/2026-11-20-001-abc.md": "chant-spec",
            "/home/u/proj/.chant/specs/sub/2026-11-20-002-def.md": "chant-spec",
            "/home/u/my project/.chant/specs/a.md": "chant-spec",
            "/home/u/proj/README.md": None,
            "/home/u/proj/docs/research/caching.md": None,
            "/home/u/proj/.chant/prompts/standard.md": None,
            "/home/u/proj/.chant/config.md": None,
            "/home/u/proj/.chant/specs/.chant-status-x.json": None,
            "/home/u/proj/.chant/archive/2026-01-01/x.md": None,
            "/home/u/proj/notchant/specs/a.md": None,
        }
        for path, want in cases.items():
            with self.subTest(path=path):
                self.assertEqual(want, language_for(self.config, path))

    def test_highlight_queries_inherit_markdown(self):
        for name in ("highlights.scm", "injections.scm", "textobjects.scm"):
            with self.subTest(query=name):
                self.assertEqual("; inherits: markdown\n", (QUERIES / name).read_text())

    def test_readme_shows_the_same_configuration(self):
        readme = (HERE / "README.md").read_text()
        self.assertIn('command = "chant-lsp"', readme)
        self.assertIn('file-types = [{ glob = ".chant/specs/*.md" }]', readme)
        self.assertIn("cp -r editors/helix/queries/chant-spec ~/.config/helix/runtime/queries/", readme)
        # The one-step install: the server prints this file (tests/cli.rs checks it does).
        self.assertIn("chant-lsp editor-config helix >> ~/.config/helix/languages.toml", readme)


if __name__ == "__main__":
    unittest.main()
