"""A whole spec session against the built server under recorded client
profiles (Neovim 0.11, VS Code 1.65.2, and VS Code with pull diagnostics):
every message decoded with the official protocol types (lsprotocol), every
result and every message the server sends checked against what the profile
declared (see conftest.py and declared.py). Any violation fails the session.
"""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

import declared
from conftest import A_ID, A_TEXT, B_ID, C_ID, TIMEOUT, until


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def rng(l1: int, c1: int, l2: int, c2: int) -> types.Range:
    return types.Range(start=pos(l1, c1), end=pos(l2, c2))


def codes(diagnostics) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [
        (d.code, (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character))
        for d in diagnostics
    ]


UNKNOWN_DEPENDENCY = ("chant/unknown-dependency", (4, 4, 4, 22))
UNMET_DEPENDENCY = ("chant/unmet-dependency", (4, 4, 4, 22))
UNCHECKED = ("chant/unchecked-criterion", (16, 0, 16, 16))


async def status(client) -> dict:
    """chant/serverStatus once the server is idle."""
    result = await client.protocol.send_request_async("chant/serverStatus", {"waitForIdle": True})
    assert result.idle, result
    return result


class Diagnostics:
    """An open spec's diagnostics as the profile gets them: pushed
    (publishDiagnostics with the document's version), or pulled."""

    def __init__(self, client, pulls: bool):
        self.client, self.pulls = client, pulls
        # A pulling client's workspace diagnostics: result IDs and items by URI.
        self.result_ids: dict[str, str] = {}
        self.held: dict[str, list] = {}

    async def of_open(self, uri: str, want) -> list:
        version = self.client.docs[uri].version
        if self.pulls:
            async def pulled():
                report = await self.client.text_document_diagnostic_async(
                    types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
                )
                return report.items
            items = await pulled()
            # The facts of other files may still be on their way.
            deadline = asyncio.get_running_loop().time() + 30
            while codes(items) != want and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
                items = await pulled()
            assert codes(items) == want, codes(items)
            return items

        def current():
            published = self.client.publications.get(uri) or []
            newest = published[-1] if published else None
            return newest if newest and newest.version == version and codes(newest.diagnostics) == want else None

        found = await until(f"diagnostics {want} for {uri} at version {version}", current)
        return found.diagnostics

    async def of_closed(self, uri: str, want) -> None:
        if self.pulls:
            # What the client holds, by result ID: the server reports what
            # differs from it (a held request answers when something does).
            while True:
                previous = [types.PreviousResultId(uri=u, value=v) for u, v in self.result_ids.items()]
                report = await asyncio.wait_for(
                    self.client.workspace_diagnostic_async(
                        types.WorkspaceDiagnosticParams(previous_result_ids=previous, identifier="chant")
                    ),
                    TIMEOUT,
                )
                for item in report.items:
                    if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport):
                        self.result_ids[item.uri] = item.result_id
                        self.held[item.uri] = item.items
                if codes(self.held.get(uri, [])) == want:
                    return

        def current():
            published = self.client.publications.get(uri) or []
            return published and codes(published[-1].diagnostics) == want

        await until(f"diagnostics {want} for the closed {uri}", current)


async def test_a_whole_session_holds_to_what_the_client_declared(session):
    name, client, project, init = session
    caps = client.capabilities
    pulls = name.endswith("+pull")
    diagnostics = Diagnostics(client, pulls)
    a, b, c = (project.uri(project.spec(i)) for i in (A_ID, B_ID, C_ID))

    # --- initialize: the encoding offered, diagnostics pulled only with refresh.
    offered = [e for e in (caps.general.position_encodings if caps.general else None) or []]
    assert init.capabilities.position_encoding in offered + [types.PositionEncodingKind.Utf16]
    if (init.capabilities.diagnostic_provider is not None) != pulls:
        # Pulled diagnostics for a client that cannot be asked to pull
        # again would go stale when other files change.
        client.violation("initialize", [
            f"diagnosticProvider {'offered' if not pulls else 'missing'}; "
            "the client has workspace.diagnostics.refreshSupport: " + str(pulls)
        ])
    await status(client)
    assert client.requested(types.WORKSPACE_CONFIGURATION), "settings are asked for"
    registrations = client.requested(types.CLIENT_REGISTER_CAPABILITY)
    if caps.workspace.did_change_watched_files.dynamic_registration:
        assert [r.method for p in registrations for r in p.registrations] == [
            types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        ]
    else:
        assert registrations == []
        await until(
            "the server's own watcher",
            lambda: any(m.message.startswith("chant-lsp: watching ") for m in client.log_messages),
        )

    # --- open, diagnostics of the open spec and of a closed one.
    client.open(a, A_TEXT)
    await diagnostics.of_open(a, [UNKNOWN_DEPENDENCY, UNCHECKED])
    await diagnostics.of_closed(b, [("chant/unknown-status", (1, 8, 1, 12))])

    # --- every feature, under every profile: what a client did not
    # declare it may still ask for (Neovim 0.11 declares no document links,
    # VS Code 1.65 no inlay hints), and every answer stays within what it
    # declared.
    def has(path: str) -> bool:
        return True

    on_dependency = types.TextDocumentPositionParams(
        text_document=types.TextDocumentIdentifier(uri=a), position=pos(4, 10)
    )
    document = types.TextDocumentIdentifier(uri=a)
    asked = set()
    if has("text_document.hover"):
        asked.add("hover")
        hover = await client.text_document_hover_async(types.HoverParams(**vars_of(on_dependency)))
        assert hover is not None and B_ID in hover.contents.value, hover
        assert hover.range == rng(4, 4, 4, 22)
    if has("text_document.definition"):
        asked.add("definition")
        definition = await client.text_document_definition_async(types.DefinitionParams(**vars_of(on_dependency)))
        assert isinstance(definition, types.Location) and definition.uri == b, definition
    if has("text_document.references"):
        asked.add("references")
        references = await client.text_document_references_async(
            types.ReferenceParams(**vars_of(on_dependency), context=types.ReferenceContext(include_declaration=True))
        )
        assert any(r.uri == a and r.range == rng(4, 4, 4, 22) for r in references), references
    if has("text_document.document_symbol"):
        asked.add("symbols")
        symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document))
        names = flat_names(symbols)
        assert "Greet the user" in names and "Says hello" in " ".join(names), names
    if has("text_document.document_link"):
        asked.add("links")
        links = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=document))
        notes = [link for link in links if link.target == project.uri("docs/notes.md")]
        assert [link.range for link in notes] == [rng(6, 4, 6, 17)], links
        tooltips = declared.cap(caps, "text_document.document_link.tooltip_support", False)
        if tooltips:
            assert notes[0].tooltip == "docs/notes.md", notes
    if has("text_document.folding_range"):
        asked.add("folding")
        folding = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=document))
        assert types.FoldingRange(start_line=0, end_line=9) in folding, folding
    if has("text_document.code_lens"):
        asked.add("lens")
        lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=document))
        assert lenses and lenses[0].range == rng(10, 0, 10, 16), lenses
        assert lenses[0].command.title == (
            "pending \u00b7 4/5 \u00b7 \U0001F7E2 Ready \u00b7 blocked: waiting for " + B_ID + " (unknown to chant)"
        ), lenses[0].command.title
    if has("text_document.inlay_hint"):
        asked.add("hints")
        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(text_document=document, range=rng(0, 0, 18, 0))
        )
        assert hints is not None
    if has("text_document.semantic_tokens"):
        asked.add("tokens")
        tokens = await client.text_document_semantic_tokens_full_async(
            types.SemanticTokensParams(text_document=document)
        )
        legend = init.capabilities.semantic_tokens_provider.legend
        client.violation(
            "semantic tokens", declared.semantic_tokens(caps, tokens.data, A_TEXT.split("\n"), legend)
        )
        decoded = decode(tokens.data)
        assert (4, 4, 18, legend.token_types.index("variable")) in [t[:4] for t in decoded], decoded
    if has("text_document.call_hierarchy"):
        asked.add("calls")
        items = await client.text_document_prepare_call_hierarchy_async(
            types.CallHierarchyPrepareParams(**vars_of(on_dependency))
        )
        assert items and items[0].uri == b, items
        spec_item = (
            await client.text_document_prepare_call_hierarchy_async(
                types.CallHierarchyPrepareParams(text_document=document, position=pos(10, 4))
            )
        )[0]
        outgoing = await client.call_hierarchy_outgoing_calls_async(
            types.CallHierarchyOutgoingCallsParams(item=spec_item)
        )
        assert [call.to.uri for call in outgoing] == [b], outgoing
        incoming = await client.call_hierarchy_incoming_calls_async(
            types.CallHierarchyIncomingCallsParams(item=items[0])
        )
        assert [call.from_.uri for call in incoming] == [a], incoming
    if has("workspace.symbol"):
        asked.add("workspace symbols")
        found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Greet"))
        assert [s.location.uri for s in found] == [a], found
    assert len(asked) == 11, asked

    # --- an incremental edit, completion in it, diagnostics of the new version.
    client.edit(a, [types.TextEdit(range=rng(9, 0, 9, 0), new_text="pro\n")])
    fields = await client.text_document_completion_async(
        types.CompletionParams(text_document=document, position=pos(9, 3))
    )
    fields = fields.items if isinstance(fields, types.CompletionList) else fields
    prompt = next(item for item in fields if item.label == "prompt")
    # A field name goes on to its value: the client is asked to suggest
    # again only if it runs editor.action.triggerSuggest (no profile does).
    assert prompt.command is None, prompt
    client.edit(a, [types.TextEdit(range=rng(9, 0, 9, 3), new_text="prompt: ")])
    completion = await client.text_document_completion_async(
        types.CompletionParams(text_document=document, position=pos(9, 8))
    )
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    assert "standard" in [item.label for item in items], [item.label for item in items]
    client.edit(a, [types.TextEdit(range=rng(9, 8, 9, 8), new_text="standard")])
    assert client.docs[a].text.split("\n")[9] == "prompt: standard"
    await diagnostics.of_open(a, [UNKNOWN_DEPENDENCY, ("chant/unchecked-criterion", (17, 0, 17, 16))])

    # --- code action: tick the criterion (an edit, or chant.applyFix for a
    # client without versioned edits, which the server applies with
    # workspace/applyEdit).
    unchecked = rng(17, 0, 17, 16)
    context_diagnostics = [
        types.Diagnostic(range=unchecked, message="x", code="chant/unchecked-criterion", source="chant")
    ]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document, range=unchecked, context=types.CodeActionContext(diagnostics=context_diagnostics)
        )
    )
    tick = next(x for x in actions if isinstance(x, types.CodeAction) and x.title == "Tick this criterion")
    if tick.edit is not None:
        edits = tick.edit.document_changes[0]
        assert edits.text_document.version == client.docs[a].version
        client.edit(a, edits.edits)
    else:
        assert tick.command.command == "chant.applyFix", tick
        before = len(client.requested(types.WORKSPACE_APPLY_EDIT))
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=tick.command.command, arguments=tick.command.arguments)
        )
        await until("the fix applied", lambda: len(client.requested(types.WORKSPACE_APPLY_EDIT)) > before)
    assert client.docs[a].text.split("\n")[17] == "- [x] Says hello", client.docs[a].text
    await diagnostics.of_open(a, [UNKNOWN_DEPENDENCY])

    # --- a change on disk: the dependency's status fixed. A client that
    # registered watchers reports it; for the others the server watches.
    refreshes = len(client.requested(types.WORKSPACE_DIAGNOSTIC_REFRESH))
    project.path(project.spec(B_ID)).write_text(
        # Criteria chant grades Ready: no quality hint.
        "---\nstatus: pending\n---\n# Fixed status\n\n## Acceptance Criteria\n\n"
        "- [x] Add a\n- [x] Add b\n- [x] Add c\n- [x] Add d\n"
    )
    if registrations:
        await client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=b, type=types.FileChangeType.Changed)])
        ) if asyncio.iscoroutinefunction(client.workspace_did_change_watched_files) else (
            client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(
                    changes=[types.FileEvent(uri=b, type=types.FileChangeType.Changed)]
                )
            )
        )
    if pulls:
        await until(
            "workspace/diagnostic/refresh",
            lambda: len(client.requested(types.WORKSPACE_DIAGNOSTIC_REFRESH)) > refreshes,
        )
    await diagnostics.of_open(a, [UNMET_DEPENDENCY])
    await diagnostics.of_closed(b, [])

    # --- commands that run chant: the requests the server sends.
    if project.chant is None:
        assert client.violations == [], "\n".join(client.violations)
        pytest.skip("CHANT_LSP_SKIP_REAL_CHANT=1: chant.add and chant.showLog not run")
    shows = bool(caps.window and caps.window.show_document and caps.window.show_document.support)
    shown = len(client.requested(types.WINDOW_SHOW_DOCUMENT))
    client.answers.append("task")
    started = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="chant.add", arguments=[project.root.as_uri(), {"title": "Watch the session"}])
    )
    token = started["token"]
    await until("chant add to end", lambda: any(
        p.token == token and p.value.get("kind") == "end" for p in client.noted(types.PROGRESS)
    ))
    asked = client.requested(types.WINDOW_SHOW_MESSAGE_REQUEST)
    assert asked and [x.title for x in asked[-1].actions][:2] == ["code", "task"], asked
    assert token in client.tokens
    new_specs = [p for p in project.path(".chant/specs").glob("*.md") if "# Watch the session" in p.read_text()]
    assert len(new_specs) == 1, new_specs
    await until("the type set in the new spec", lambda: "type: task" in new_specs[0].read_text())
    if shows:
        await until("the new spec shown", lambda: len(client.requested(types.WINDOW_SHOW_DOCUMENT)) > shown)
        assert client.requested(types.WINDOW_SHOW_DOCUMENT)[-1].uri == new_specs[0].as_uri()
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="chant.showLog", arguments=[c])
        )
        await until(
            "the agent's log shown",
            lambda: client.requested(types.WINDOW_SHOW_DOCUMENT)[-1].uri == project.uri(f".chant/logs/{C_ID}.log"),
        )
    await status(client)

    # --- what the server sent, over the whole session.
    sent = {m for m, _ in client.requests}
    for method, declared_it in (
        (types.WORKSPACE_CONFIGURATION, caps.workspace.configuration),
        (types.WINDOW_WORK_DONE_PROGRESS_CREATE, caps.window.work_done_progress),
        (types.WINDOW_SHOW_MESSAGE_REQUEST, True),
        (types.WINDOW_SHOW_DOCUMENT, shows),
        (types.WORKSPACE_APPLY_EDIT, caps.workspace.apply_edit),
    ):
        assert (method in sent) == bool(declared_it), f"{method}: {sorted(sent)}"
    if caps.workspace.semantic_tokens and caps.workspace.semantic_tokens.refresh_support:
        assert types.WORKSPACE_SEMANTIC_TOKENS_REFRESH in sent, sorted(sent)
    assert client.error is None, client.error
    assert client.violations == [], "\n".join(client.violations)


def decode(data: list[int]) -> list[tuple[int, int, int, int, int]]:
    """Semantic tokens as (line, column, length, type, modifiers)."""
    out, line, col = [], 0, 0
    for i in range(0, len(data), 5):
        d_line, d_col, length, kind, modifiers = data[i : i + 5]
        line += d_line
        col = d_col if d_line else col + d_col
        out.append((line, col, length, kind, modifiers))
    return out


def vars_of(params: types.TextDocumentPositionParams) -> dict:
    return {"text_document": params.text_document, "position": params.position}


def flat_names(symbols) -> list[str]:
    out, stack = [], list(symbols)
    while stack:
        s = stack.pop(0)
        out.append(s.name)
        stack += getattr(s, "children", None) or []
    return out
