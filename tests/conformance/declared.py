"""What a message may carry for a client, from its declared capabilities.

pytest-lsp checks a few results itself (completion items' documentation
format, snippets and commit characters; document links' tooltips; the
``workspace/configuration`` and ``window/workDoneProgress/create`` requests).
These checks add the rest of what chant-lsp can send: every server→client
request is allowed only by the capability that gates it, every notification
and result field that a capability gates is checked against it, and every
message must hold only fields the protocol defines (``extra_fields``).

Each check returns a list of violations (strings); an empty list is a pass.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.capabilities import get_capability


def cap(caps: types.ClientCapabilities, path: str, default: Any = None) -> Any:
    return get_capability(caps, path, default)


# --- server -> client requests ------------------------------------------------

#: The capability (a path in ClientCapabilities) that allows each request.
REQUEST_GATES: dict[str, str] = {
    types.WORKSPACE_CONFIGURATION: "workspace.configuration",
    types.WINDOW_WORK_DONE_PROGRESS_CREATE: "window.work_done_progress",
    types.WORKSPACE_APPLY_EDIT: "workspace.apply_edit",
    types.WINDOW_SHOW_DOCUMENT: "window.show_document.support",
    types.WORKSPACE_SEMANTIC_TOKENS_REFRESH: "workspace.semantic_tokens.refresh_support",
    types.WORKSPACE_INLAY_HINT_REFRESH: "workspace.inlay_hint.refresh_support",
    types.WORKSPACE_CODE_LENS_REFRESH: "workspace.code_lens.refresh_support",
    types.WORKSPACE_DIAGNOSTIC_REFRESH: "workspace.diagnostics.refresh_support",
    types.WORKSPACE_FOLDING_RANGE_REFRESH: "workspace.folding_range.refresh_support",
}

#: Requests every client takes (no capability gates them).
UNGATED_REQUESTS = {types.WINDOW_SHOW_MESSAGE_REQUEST}

#: Dynamic registration: the method registered -> the capability that allows it.
REGISTRATION_GATES: dict[str, str] = {
    types.WORKSPACE_DID_CHANGE_WATCHED_FILES: "workspace.did_change_watched_files.dynamic_registration",
    types.WORKSPACE_DID_CHANGE_CONFIGURATION: "workspace.did_change_configuration.dynamic_registration",
}


def server_request(caps: types.ClientCapabilities, method: str, params: Any) -> list[str]:
    """A request the server sent: allowed, and its params within what the client takes."""
    out: list[str] = []
    if method in REQUEST_GATES:
        if not cap(caps, REQUEST_GATES[method], False):
            out.append(f"{method} sent, but the client did not declare {REQUEST_GATES[method]}")
    elif method == types.CLIENT_REGISTER_CAPABILITY:
        for registration in params.registrations:
            gate = REGISTRATION_GATES.get(registration.method)
            if gate is None or not cap(caps, gate, False):
                out.append(
                    f"client/registerCapability for {registration.method}, but the client did not "
                    f"declare {gate or 'dynamic registration for it'}"
                )
    elif method not in UNGATED_REQUESTS:
        out.append(f"{method}: a request the client never declared it takes")
    if method == types.WORKSPACE_APPLY_EDIT:
        out += workspace_edit(caps, params.edit)
    if method == types.WINDOW_SHOW_MESSAGE_REQUEST:
        for action in params.actions or []:
            extra = set(vars(action)) - {"title"} if hasattr(action, "__dict__") else set()
            if extra and not cap(caps, "window.show_message.message_action_item.additional_properties_support", False):
                out.append(f"showMessageRequest action with extra properties {sorted(extra)}")
    return out


def workspace_edit(caps: types.ClientCapabilities, edit: types.WorkspaceEdit) -> list[str]:
    out: list[str] = []
    if edit.document_changes is not None and not cap(caps, "workspace.workspace_edit.document_changes", False):
        out.append("workspace edit with documentChanges, not declared")
    operations = cap(caps, "workspace.workspace_edit.resource_operations", []) or []
    for change in edit.document_changes or []:
        kind = {
            types.CreateFile: types.ResourceOperationKind.Create,
            types.RenameFile: types.ResourceOperationKind.Rename,
            types.DeleteFile: types.ResourceOperationKind.Delete,
        }.get(type(change))
        if kind is not None and kind not in operations:
            out.append(f"workspace edit with a {kind.value} operation, not in resourceOperations")
        if getattr(change, "annotation_id", None) is not None:
            out.append("workspace edit with a change annotation")
    if edit.change_annotations and not cap(caps, "workspace.workspace_edit.change_annotation_support", None):
        out.append("workspace edit with changeAnnotations, not declared")
    return out


# --- server -> client notifications -------------------------------------------

def diagnostic(caps: types.ClientCapabilities, d: types.Diagnostic, where: str) -> list[str]:
    """One diagnostic's optional fields against textDocument.publishDiagnostics."""
    pd = "text_document.publish_diagnostics"
    out: list[str] = []
    if d.related_information and not cap(caps, f"{pd}.related_information", False):
        out.append(f"{where}: relatedInformation, not declared")
    if d.tags:
        allowed = cap(caps, f"{pd}.tag_support.value_set", []) or []
        for tag in d.tags:
            if tag not in allowed:
                out.append(f"{where}: tag {tag!r} not in tagSupport")
    if d.code_description is not None and not cap(caps, f"{pd}.code_description_support", False):
        out.append(f"{where}: codeDescription, not declared")
    if d.data is not None and not cap(caps, f"{pd}.data_support", False):
        out.append(f"{where}: data, not declared")
    return out


def notification(caps: types.ClientCapabilities, method: str, params: Any, tokens: set) -> list[str]:
    out: list[str] = []
    if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
        for d in params.diagnostics:
            out += diagnostic(caps, d, f"publishDiagnostics {params.uri}")
    elif method == types.PROGRESS:
        if params.token not in tokens:
            out.append(f"$/progress for token {params.token!r} the client never created")
    elif method in (types.WINDOW_LOG_MESSAGE, types.WINDOW_SHOW_MESSAGE, types.LOG_TRACE):
        pass
    elif method.startswith("chant/"):
        if not cap(caps, "experimental", None) or not (caps.experimental or {}).get("chant", {}).get(
            method.removeprefix("chant/"), False
        ):
            out.append(f"{method}: a custom notification the client did not declare (experimental.chant)")
    else:
        out.append(f"{method}: a notification the client never declared it takes")
    return out


# --- results of client -> server requests -------------------------------------

def markup(kind: types.MarkupKind, formats: list, where: str) -> list[str]:
    if kind not in (formats or [types.MarkupKind.PlainText]):
        return [f"{where}: {kind.value} content, the client takes {[f.value for f in formats or []]}"]
    return []


# Kinds (completion items, symbols, folding ranges, code actions): a client
# that declares a valueSet promises to take values outside it gracefully
# (LSP 3.17), so only a client that declares none is held to the base set.

#: SymbolKind values a client takes when it declares no valueSet (File..Array).
BASE_SYMBOL_KINDS = set(range(1, 19))
#: CompletionItemKind values a client takes when it declares no valueSet (Text..Reference).
BASE_COMPLETION_KINDS = set(range(1, 19))


def result(caps: types.ClientCapabilities, method: str, value: Any) -> list[str]:
    td = "text_document"
    out: list[str] = []
    if value is None:
        return out
    if method == types.TEXT_DOCUMENT_HOVER:
        if isinstance(value.contents, types.MarkupContent):
            out += markup(value.contents.kind, cap(caps, f"{td}.hover.content_format", []), "hover")
    elif method == types.TEXT_DOCUMENT_COMPLETION:
        items = value.items if isinstance(value, types.CompletionList) else value
        item_caps = f"{td}.completion.completion_item"
        # A declared valueSet promises to take unknown kinds gracefully;
        # without one, only Text..Reference.
        declared_kinds = cap(caps, f"{td}.completion.completion_item_kind.value_set", None)
        for item in items:
            where = f"completion item {item.label!r}"
            if item.kind is not None and declared_kinds is None and item.kind not in BASE_COMPLETION_KINDS:
                out.append(f"{where}: kind {item.kind!r}, the client declared no kinds")
            if item.command is not None and item.command.command.startswith("editor."):
                # A client-side command: only one the client said it runs
                # (rust-analyzer's experimental.commands.commands).
                runs = ((caps.experimental or {}).get("commands") or {}).get("commands") or []
                if item.command.command not in runs:
                    out.append(f"{where}: client command {item.command.command}, not declared")
            if item.label_details is not None and not cap(caps, f"{item_caps}.label_details_support", False):
                out.append(f"{where}: labelDetails, not declared")
            if isinstance(item.text_edit, types.InsertReplaceEdit) and not cap(
                caps, f"{item_caps}.insert_replace_support", False
            ):
                out.append(f"{where}: an insert/replace edit, not declared")
            if item.tags:
                allowed = cap(caps, f"{item_caps}.tag_support.value_set", []) or []
                out += [f"{where}: tag {t!r} not declared" for t in item.tags if t not in allowed]
            if item.deprecated is not None and not cap(caps, f"{item_caps}.deprecated_support", False):
                out.append(f"{where}: deprecated, not declared")
            if item.preselect is not None and not cap(caps, f"{item_caps}.preselect_support", False):
                out.append(f"{where}: preselect, not declared")
            if item.insert_text_mode is not None and item.insert_text_mode not in (
                cap(caps, f"{item_caps}.insert_text_mode_support.value_set", []) or []
            ):
                out.append(f"{where}: insertTextMode, not declared")
        if isinstance(value, types.CompletionList) and value.item_defaults is not None:
            declared = set(cap(caps, f"{td}.completion.completion_list.item_defaults", []) or [])
            used = {k for k, v in vars(value.item_defaults).items() if v is not None} if hasattr(
                value.item_defaults, "__dict__"
            ) else set()
            out += [f"completion itemDefaults.{k}, not declared" for k in used - declared]
    elif method == types.TEXT_DOCUMENT_DOCUMENT_SYMBOL:
        hierarchical = cap(caps, f"{td}.document_symbol.hierarchical_document_symbol_support", False)
        declared_kinds = cap(caps, f"{td}.document_symbol.symbol_kind.value_set", None)
        stack = list(value)
        while stack:
            s = stack.pop()
            if isinstance(s, types.DocumentSymbol) and not hierarchical:
                out.append("document symbols are hierarchical, not declared")
                break
            if declared_kinds is None and s.kind not in BASE_SYMBOL_KINDS:
                out.append(f"document symbol {s.name!r}: kind {s.kind!r}, the client declared no kinds")
            if getattr(s, "tags", None) and not cap(caps, f"{td}.document_symbol.tag_support", None):
                out.append(f"document symbol {s.name!r}: tags, not declared")
            stack += getattr(s, "children", None) or []
    elif method == types.WORKSPACE_SYMBOL:
        declared_kinds = cap(caps, "workspace.symbol.symbol_kind.value_set", None)
        for s in value:
            if declared_kinds is None and s.kind not in BASE_SYMBOL_KINDS:
                out.append(f"workspace symbol {s.name!r}: kind {s.kind!r}, the client declared no kinds")
            if s.tags and not cap(caps, "workspace.symbol.tag_support", None):
                out.append(f"workspace symbol {s.name!r}: tags, not declared")
            if isinstance(s, types.WorkspaceSymbol) and isinstance(s.location, types.LocationUriOnly) and not cap(
                caps, "workspace.symbol.resolve_support", None
            ):
                out.append(f"workspace symbol {s.name!r}: a location without range, not declared")
    elif method in (types.TEXT_DOCUMENT_DEFINITION,):
        links = value if isinstance(value, list) else [value]
        if any(isinstance(link, types.LocationLink) for link in links) and not cap(
            caps, f"{td}.definition.link_support", False
        ):
            out.append("definition answers LocationLinks, not declared")
    elif method == types.TEXT_DOCUMENT_FOLDING_RANGE:
        fr = f"{td}.folding_range"
        limit = cap(caps, f"{fr}.range_limit", None)
        if limit is not None and len(value) > limit:
            # A hint the protocol lets servers ignore; chant-lsp follows it.
            out.append(f"{len(value)} folding ranges, the client asks for at most {limit}")
        for r in value:
            if cap(caps, f"{fr}.line_folding_only", False) and (
                r.start_character is not None or r.end_character is not None
            ):
                out.append("folding range with characters, the client folds lines only")
            if r.collapsed_text is not None and not cap(caps, f"{fr}.folding_range.collapsed_text", False):
                out.append("folding range with collapsedText, not declared")
    elif method == types.TEXT_DOCUMENT_CODE_ACTION:
        ca = f"{td}.code_action"
        literals = cap(caps, f"{ca}.code_action_literal_support", None)
        for action in value:
            if isinstance(action, types.Command):
                continue
            where = f"code action {action.title!r}"
            if literals is None:
                out.append(f"{where}: a CodeAction literal, the client takes Commands only")
                continue
            if action.disabled is not None and not cap(caps, f"{ca}.disabled_support", False):
                out.append(f"{where}: disabled, not declared")
            if action.is_preferred is not None and not cap(caps, f"{ca}.is_preferred_support", False):
                out.append(f"{where}: isPreferred, not declared")
            if action.data is not None and not cap(caps, f"{ca}.data_support", False):
                out.append(f"{where}: data, not declared")
            if action.edit is not None:
                out += [f"{where}: {v}" for v in workspace_edit(caps, action.edit)]
            for d in action.diagnostics or []:
                out += diagnostic(caps, d, where)
    elif method == types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL:
        formats = cap(caps, f"{td}.semantic_tokens.formats", None)
        if formats is not None and types.TokenFormat.Relative not in formats:
            out.append("semantic tokens in the relative format, not declared")
    elif method == types.TEXT_DOCUMENT_DIAGNOSTIC:
        if getattr(value, "related_documents", None) and not cap(
            caps, f"{td}.diagnostic.related_document_support", False
        ):
            out.append("document diagnostic report with relatedDocuments, not declared")
        for d in getattr(value, "items", None) or []:
            out += diagnostic(caps, d, "textDocument/diagnostic")
    elif method == types.WORKSPACE_DIAGNOSTIC:
        for report in value.items:
            for d in getattr(report, "items", None) or []:
                out += diagnostic(caps, d, f"workspace/diagnostic {report.uri}")
    return out


def semantic_tokens(
    caps: types.ClientCapabilities, data: list[int], lines: list[str], legend: types.SemanticTokensLegend
) -> list[str]:
    """Decoded tokens: on one line each (no multiline support declared),
    never overlapping (no overlap support declared), types and modifiers in
    the legend. Positions in the text's own lines (ASCII fixtures: every
    encoding counts alike)."""
    td = "text_document.semantic_tokens"
    out: list[str] = []
    line = col = 0
    previous_end = None
    for i in range(0, len(data), 5):
        d_line, d_col, length, kind, modifiers = data[i : i + 5]
        line += d_line
        col = d_col if d_line else col + d_col
        if kind >= len(legend.token_types):
            out.append(f"token {i // 5}: type {kind} outside the legend")
        if modifiers >> len(legend.token_modifiers):
            out.append(f"token {i // 5}: modifiers {modifiers:b} outside the legend")
        if line >= len(lines) or col + length > len(lines[line]):
            if not cap(caps, f"{td}.multiline_token_support", False):
                out.append(f"token {i // 5} at {line}:{col} (+{length}) runs past its line")
        if previous_end is not None and (line, col) < previous_end:
            if not cap(caps, f"{td}.overlapping_token_support", False):
                out.append(f"token {i // 5} at {line}:{col} overlaps the one before")
        previous_end = (line, col + length)
    return out


# --- every message: only fields the protocol defines ----------------------------

def extra_fields(raw: Any, typed: Any, path: str = "") -> list[str]:
    """Keys of the raw JSON that the protocol type does not define (found by
    unstructuring the typed value again). `data` fields are LSPAny: not
    looked into."""
    out: list[str] = []
    if isinstance(raw, dict) and isinstance(typed, dict):
        for key, value in raw.items():
            if value is None:
                continue
            if key not in typed:
                out.append(f"{path}.{key}" if path else key)
            elif key not in ("data", "settings", "initializationOptions", "experimental", "registerOptions"):
                out += extra_fields(value, typed[key], f"{path}.{key}" if path else key)
    elif isinstance(raw, list) and isinstance(typed, list):
        for i, (r, t) in enumerate(zip(raw, typed)):
            out += extra_fields(r, t, f"{path}[{i}]")
    return out
