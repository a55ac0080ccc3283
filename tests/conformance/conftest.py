"""The conformance suite's client: pytest-lsp 1.0.1's LanguageClient under
recorded client profiles, recording every message the server sends and
checking it against what the profile declared (pytest-lsp's own checks and
those of `declared.py`). A check that fails is a violation; the session
test fails on any.

Environment:
  CHANT_LSP    the server (default: target/debug/chant-lsp of this repository)
  CHANT_REAL   the real chant 0.23.2 (default: what scripts/build-real-chant prints)
  CHANT_LSP_SKIP_REAL_CHANT=1  run without the real chant: the steps that run
               chant are skipped, loudly. Without it, a missing chant fails.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.protocol import LanguageServerProtocol, default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.checks import PARAMS_CHECKS, RESULT_CHECKS
from pytest_lsp.client import register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import declared  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
TIMEOUT = 30.0


def server_binary() -> str:
    path = os.environ.get("CHANT_LSP") or str(REPO / "target" / "debug" / "chant-lsp")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no chant-lsp at {path}: build it (cargo build) or set CHANT_LSP")
    return path


def real_chant() -> str | None:
    """The real chant, or None when the run opted out (CHANT_LSP_SKIP_REAL_CHANT=1)."""
    path = os.environ.get("CHANT_REAL")
    if not path:
        built = subprocess.run(
            ["bash", str(REPO / "scripts" / "build-real-chant")], capture_output=True, text=True
        )
        if built.returncode == 0:
            path = built.stdout.strip()
    if path and os.access(path, os.X_OK):
        return path
    if os.environ.get("CHANT_LSP_SKIP_REAL_CHANT") == "1":
        print("\nSKIP (CHANT_LSP_SKIP_REAL_CHANT=1): the steps that run the real chant", file=sys.stderr)
        return None
    pytest.fail("the real chant is missing (scripts/build-real-chant, or CHANT_REAL); "
                "set CHANT_LSP_SKIP_REAL_CHANT=1 to run without it")


# --- profiles --------------------------------------------------------------------

def profile(name: str) -> types.ClientCapabilities:
    """Recorded capabilities shipped with pytest-lsp (Neovim 0.11, VS Code
    1.65.2, Emacs 29.1's eglot: a client that declares little), and one
    derived profile: VS Code 1.65.2 plus the pull diagnostics and refresh
    that later VS Code versions declare (so that the pull path is checked
    too)."""
    if name == "neovim-0.11":
        return client_capabilities("neovim@v0.11.0")
    if name == "vscode-1.65":
        return client_capabilities("visual-studio-code@v1.65.2")
    if name == "emacs-29.1":
        return client_capabilities("emacs@v29.1")
    if name == "vscode-1.65+pull":
        caps = client_capabilities("visual-studio-code@v1.65.2")
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
            dynamic_registration=True, related_document_support=False
        )
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
        return caps
    raise ValueError(name)


PROFILES = ["neovim-0.11", "vscode-1.65", "vscode-1.65+pull", "emacs-29.1"]


# --- the client ------------------------------------------------------------------

class RecordingProtocol(LanguageClientProtocol):
    """Every message from the server is recorded and checked before pygls
    handles it (pytest-lsp's own checks are run here too, as violations
    instead of warnings, so that one session reports all of them)."""

    _server: ConformanceClient

    def structure_message(self, data: dict[str, Any]):
        message = super().structure_message(data)
        if isinstance(data, dict) and "jsonrpc" in data:
            self._server.check_fields(data, message)
        return message

    def _handle_request(self, msg_id, method_name, params):
        self._server.on_request(method_name, params)
        return LanguageServerProtocol._handle_request(self, msg_id, method_name, params)

    def _handle_notification(self, method_name, params):
        self._server.on_notification(method_name, params)
        return super()._handle_notification(method_name, params)

    async def send_request_async(self, method, params=None, msg_id=None):
        result = await LanguageServerProtocol.send_request_async(self, method, params, msg_id)
        self._server.check_result(method, result)
        return result


@dataclass
class Doc:
    text: str
    version: int


class ConformanceClient(LanguageClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, protocol_cls=RecordingProtocol, **kwargs)
        self.violations: list[str] = []
        self.requests: list[tuple[str, Any]] = []
        self.notes: list[tuple[str, Any]] = []
        self.tokens: set = set()
        self.docs: dict[str, Doc] = {}
        self.answers: list[str] = []
        self.publications: dict[str, list[types.PublishDiagnosticsParams]] = {}

    def violation(self, where: str, messages: list[str]):
        self.violations += [f"{where}: {m}" for m in messages]

    # What the server sends.
    def check_fields(self, raw: dict, message: Any):
        method = raw.get("method", "")
        if method.startswith("chant/") or (
            "result" in raw and not hasattr(message, "__attrs_attrs__")
        ):
            return
        typed = self.protocol._converter.unstructure(message)
        extra = declared.extra_fields(raw, typed)
        if extra:
            self.violation(method or f"response {raw.get('id')}", [f"fields the protocol does not define: {extra}"])

    def on_request(self, method: str, params: Any):
        self.requests.append((method, params))
        if method == types.WINDOW_WORK_DONE_PROGRESS_CREATE:
            self.tokens.add(params.token)
        self.violation(method, declared.server_request(self.capabilities, method, params))
        self.run_pytest_lsp_check(PARAMS_CHECKS.get(method), params, method)

    def on_notification(self, method: str, params: Any):
        self.notes.append((method, params))
        if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            self.publications.setdefault(params.uri, []).append(params)
        self.violation(method, declared.notification(self.capabilities, method, params, self.tokens))

    def check_result(self, method: str, result: Any):
        self.run_pytest_lsp_check(RESULT_CHECKS.get(method), result, method)
        self.violation(method, declared.result(self.capabilities, method, result))

    def run_pytest_lsp_check(self, check: Callable | None, value: Any, method: str):
        if check is None or value is None:
            return
        try:
            check(self.capabilities, value)
        except AssertionError as e:
            self.violation(method, [f"pytest-lsp: {e}"])

    # What the client does, as an editor would.
    def requested(self, method: str) -> list[Any]:
        return [p for m, p in self.requests if m == method]

    def noted(self, method: str) -> list[Any]:
        return [p for m, p in self.notes if m == method]

    def open(self, uri: str, text: str):
        assert text.isascii(), "fixtures are ASCII: columns count alike in every encoding"
        self.docs[uri] = Doc(text, 1)
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
            )
        )

    def edit(self, uri: str, edits: list[types.TextEdit]):
        """Incremental changes, the last edit first (as an editor applies a
        workspace edit); one didChange."""
        doc = self.docs[uri]
        ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
        for e in ordered:
            doc.text = apply_edit(doc.text, e)
        doc.version += 1
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=doc.version),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered
                ],
            )
        )


def offset(text: str, position: types.Position) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position.line]) + position.character


def apply_edit(text: str, edit: types.TextEdit) -> str:
    start, end = offset(text, edit.range.start), offset(text, edit.range.end)
    return text[:start] + edit.new_text + text[end:]


def uri_path(uri: str) -> pathlib.Path:
    from pygls.uris import to_fs_path

    return pathlib.Path(to_fs_path(uri))


def answer_show_message_request(client: ConformanceClient, params: types.ShowMessageRequestParams):
    """The user picks the next queued answer (none queued: dismissed)."""
    wanted = client.answers.pop(0) if client.answers else None
    for action in params.actions or []:
        if action.title == wanted:
            return action
    return None


def apply_workspace_edit(client: ConformanceClient, params: types.ApplyWorkspaceEditParams):
    """Applies an edit as an editor does: open documents get a didChange
    (versions checked), closed files are edited on disk, created files made."""
    edit = params.edit
    text_edits: list[tuple[str, int | None, list[types.TextEdit]]] = []
    for uri, edits in (edit.changes or {}).items():
        text_edits.append((uri, None, edits))
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit):
            edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
            text_edits.append((change.text_document.uri, change.text_document.version, edits))
        elif isinstance(change, types.CreateFile):
            path = uri_path(change.uri)
            if path.exists() and not (change.options and change.options.overwrite):
                return types.ApplyWorkspaceEditResult(applied=False, failure_reason=f"{path} exists")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
        else:
            client.violation("workspace/applyEdit", [f"an operation this suite does not apply: {change!r}"])
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="unsupported")
    for uri, version, edits in text_edits:
        doc = client.docs.get(uri)
        if doc is not None:
            if version is not None and version != doc.version:
                client.violation("workspace/applyEdit", [f"{uri}: version {version}, the buffer is at {doc.version}"])
                return types.ApplyWorkspaceEditResult(applied=False, failure_reason="stale version")
            client.edit(uri, edits)
        else:
            path = uri_path(uri)
            text = path.read_text()
            for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
                text = apply_edit(text, e)
            path.write_text(text)
    return types.ApplyWorkspaceEditResult(applied=True)


def converter():
    """lsprotocol's converter, with one decoding fixed: lsprotocol 2025.0.0
    takes any code action that has a `command` for a Command (and turns the
    command object into a string); the protocol, and VS Code's client
    (`Command.is`), tell them apart by `command` being a string."""
    c = default_converter()

    def code_action_or_command(obj: Any, _: type):
        if isinstance(obj.get("command"), str):
            return c.structure(obj, types.Command)
        return c.structure(obj, types.CodeAction)

    c.register_structure_hook(Union[types.Command, types.CodeAction], code_action_or_command)
    return c


def make_client() -> ConformanceClient:
    client = ConformanceClient(converter_factory=converter)
    register_lsp_features(client)
    client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)(answer_show_message_request)
    client.feature(types.WORKSPACE_APPLY_EDIT)(apply_workspace_edit)
    for method in (
        types.WORKSPACE_SEMANTIC_TOKENS_REFRESH,
        types.WORKSPACE_INLAY_HINT_REFRESH,
        types.WORKSPACE_CODE_LENS_REFRESH,
    ):
        client.feature(method)(lambda _params: None)
    return client


async def until(what: str, predicate: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Waits for an event (a state the server's messages lead to), up to `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


# --- the project -------------------------------------------------------------------

A_ID, B_ID, C_ID = "2026-07-01-001-aaa", "2026-07-01-002-bbb", "2026-07-01-003-ccc"

A_TEXT = (
    "---\ntype: code\nstatus: pending\ndepends_on:\n  - " + B_ID + "\n"
    "informed_by:\n  - docs/notes.md\nlabels:\n  - conformance\n---\n"
    "# Greet the user\n\nSay hello to the user.\n\n## Acceptance Criteria\n\n"
    "- [ ] Says hello\n- [x] Exits cleanly\n"
    # Criteria enough for chant to grade the spec Ready: no quality hint.
    "- [x] Add a greeting\n- [x] Add a test\n- [x] Add a note\n"
)
B_TEXT = "---\nstatus: nope\n---\n# Broken status\n\n## Acceptance Criteria\n\n- [x] a\n"
C_TEXT = (
    "---\nstatus: completed\ncompleted_at: 2026-07-01T10:00:00Z\n---\n"
    "# Done already\n\n## Acceptance Criteria\n\n- [x] done\n"
)


@dataclass
class Project:
    root: pathlib.Path
    home: pathlib.Path
    chant: str | None
    files: dict[str, str] = field(default_factory=dict)

    def path(self, rel: str) -> pathlib.Path:
        return self.root / rel

    def uri(self, rel: str) -> str:
        return self.path(rel).as_uri()

    def spec(self, spec_id: str) -> str:
        return f".chant/specs/{spec_id}.md"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            GIT_AUTHOR_NAME="Test",
            GIT_AUTHOR_EMAIL="test@example.com",
            GIT_COMMITTER_NAME="Test",
            GIT_COMMITTER_EMAIL="test@example.com",
            GIT_CONFIG_NOSYSTEM="1",
            NO_COLOR="1",
        )
        return env

    def settings(self) -> dict[str, Any]:
        return {
            "commands": {"enabled": self.chant is not None},
            "path": self.chant or "chant",
            "approverName": "Test",
            "diagnostics": {"debounceMs": 20},
        }


def make_project(tmp: pathlib.Path, chant: str | None) -> Project:
    root = (tmp / "project").resolve()
    home = tmp / "home"
    home.mkdir()
    project = Project(root, home, chant)
    files = {
        ".chant/config.md": "---\nproject:\n  name: conformance\ndefaults:\n  prompt: standard\n---\n# Config\n",
        ".chant/prompts/standard.md": "---\nname: standard\npurpose: Implement the spec\n---\nDo {{spec.title}}\n",
        "docs/notes.md": "notes\n",
        project.spec(A_ID): A_TEXT,
        project.spec(B_ID): B_TEXT,
        project.spec(C_ID): C_TEXT,
        f".chant/logs/{C_ID}.log": "the agent's log\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    env = project.env()
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    project.files = files
    return project


@pytest.fixture(scope="session")
def chant_binary() -> str | None:
    return real_chant()


@pytest_asyncio.fixture(params=PROFILES)
async def session(request, tmp_path, chant_binary):
    """A started and initialized server on a fresh project, under one profile."""
    name = request.param
    project = make_project(tmp_path, chant_binary)
    config = ClientServerConfig(
        server_command=[server_binary(), "--stdio"],
        client_factory=make_client,
        server_env=project.env(),
    )
    client: ConformanceClient = await config.start()
    client.set_configuration(project.settings(), section="chant")
    caps = profile(name)
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=project.root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=project.root.as_uri(), name="project")],
            initialization_options={"chant": project.settings()},
        )
    )
    yield name, client, project, result
    await client.shutdown_session()
    await client.stop()
