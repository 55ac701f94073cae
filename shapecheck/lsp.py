"""``shapecheck lsp``: a language server over stdio (pygls).

- **Diagnostics** of each open Python file on open, on save and, debounced, on change: the
  findings ``shapecheck check`` reports for the unsaved text, configured by the same
  ``[tool.shapecheck]``; a file that does not parse keeps its last diagnostics.
- **Hover** on a tensor's name where it is assigned, on a layer's line or a model's line:
  its shape and parameter count (a model: its input and output shapes and total).
- **Code actions**: a quick fix for each finding that ``--fix`` fixes, where it is.
- **Inlay hints** after each tensor assignment (its shape) and each layer of a model (its
  output shape); ``initializationOptions`` ``{"inlayHints": false}`` turns them off.

pygls is imported only by this command (the ``lsp`` extra).
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from shapecheck import version
from shapecheck.config import ConfigError, Configurations, apply
from shapecheck.dims import format_shape
from shapecheck.files import check_text
from shapecheck.results import FileReport

DEBOUNCE_SECONDS = 0.3
_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
             "info": types.DiagnosticSeverity.Information}


def uri_path(uri: str) -> str:
    """The file system path of a ``file://`` URI (the URI itself for other schemes)."""
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


class ShapeServer(LanguageServer):
    """The server: the last report of each open document, and its pending re-analysis."""

    def __init__(self):
        super().__init__("shapecheck", version(), text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.reports: dict[str, FileReport] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.inlay_hints = True

    def analyse(self, uri: str) -> None:
        """Check the document's current text and publish its diagnostics."""
        document = self.workspace.get_text_document(uri)
        path = uri_path(uri)
        report = check_text(document.source, path)  # (handlers run one at a time, on the loop)
        try:
            report = apply(report, Configurations().for_path(path))
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, str(exc)))
        if report.error is not None and uri in self.reports:
            return  # (mid-edit text that does not parse: keep what was found before)
        self.reports[uri] = report
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=diagnostics(report, uri)))

    def schedule(self, uri: str) -> None:
        """Analyse ``uri`` once the edits have paused for DEBOUNCE_SECONDS."""
        loop = asyncio.get_running_loop()
        if uri in self.pending:
            self.pending.pop(uri).cancel()
        self.pending[uri] = loop.call_later(DEBOUNCE_SECONDS, self._run_pending, uri)

    def _run_pending(self, uri: str) -> None:
        self.pending.pop(uri, None)
        if uri in self.workspace.text_documents:
            self.analyse(uri)


def _range(line: int, column: int, end_line: int, end_column: int) -> types.Range:
    start = types.Position(max(line - 1, 0), max(column - 1, 0))
    end = types.Position(max(end_line - 1, 0), max(end_column - 1, 0))
    return types.Range(start, end if (end.line, end.character) > (start.line, start.character)
                       else types.Position(start.line, start.character + 1))


def diagnostics(report: FileReport, uri: str) -> list[types.Diagnostic]:
    """The report's findings as LSP diagnostics, the other places each names as its related
    information (a file that could not be checked: one at its top saying why)."""
    if report.error is not None:
        return [types.Diagnostic(range=_range(1, 1, 1, 2), message=report.error,
                                 severity=types.DiagnosticSeverity.Error, source="shapecheck")]
    return [types.Diagnostic(range=_range(d.line, d.column, d.end_line, d.end_column),
                             message=d.message, severity=_SEVERITY.get(d.severity),
                             code=d.code, source="shapecheck", related_information=[
                                 types.DiagnosticRelatedInformation(types.Location(
                                     uri, _range(n.line, n.column, n.end_line, n.end_column)), n.message)
                                 for n in d.related] or None)
            for d in report.diagnostics if d.file is None]


def code_actions(report: FileReport, uri: str, within: types.Range) -> list[types.CodeAction]:
    """A quick fix for each finding with a fix whose range meets ``within``."""
    def meets(r: types.Range) -> bool:
        return (r.start.line, r.start.character) <= (within.end.line, within.end.character) \
            and (within.start.line, within.start.character) <= (r.end.line, r.end.character)

    actions = []
    for d, shown in zip([d for d in report.diagnostics if d.file is None], diagnostics(report, uri)):
        if d.fix is None or not meets(shown.range) or report.places is not None:
            continue
        edits = [types.TextEdit(_range(e.line, e.column, e.end_line, e.end_column), e.text)
                 for e in d.fix.edits]
        actions.append(types.CodeAction(title=f"{d.fix.title} ({d.code})", kind=types.CodeActionKind.QuickFix,
                                        diagnostics=[shown], is_preferred=True,
                                        edit=types.WorkspaceEdit(changes={uri: edits})))
    return actions


def _params(count) -> str:
    return "?" if count is None else f"{count:,}"


def _layers(layers):
    for layer in layers:
        yield layer
        yield from _layers(layer.layers)


def hover_text(report: FileReport, line: int, word: str) -> str | None:
    """Markdown for what is at 1-based ``line`` under the word ``word``, or None."""
    tensors = [t for t in report.tensors if t.line == line and t.name == word]
    if tensors:
        shapes = " or ".join(dict.fromkeys(f"`{format_shape(t.shape)}`" for t in tensors))
        return f"**{word}**: tensor of shape {shapes}"
    for model in report.models:
        if model.line == line:
            accepted = "" if model.accepts is None else \
                f"; accepts {' and '.join(f'`{c}`' for c in model.accepts) or 'any size'}"
            return (f"**{model.name}** ({model.kind} model): input `{format_shape(model.input_shape)}`"
                    f" → output `{format_shape(model.output_shape)}`, {_params(model.params)} parameters"
                    f"{accepted}")
    found = [layer for model in report.models for layer in _layers(model.layers) if layer.line == line]
    if found:
        return "\n\n".join(f"**{layer.name}** ({layer.cls}): `{format_shape(layer.input_shape)}` → "
                           f"`{format_shape(layer.output_shape)}`, {_params(layer.params)} parameters"
                           for layer in found[:5])
    return None


def inlay_hints(report: FileReport, lines: list[str], first: int, last: int) -> list[types.InlayHint]:
    """A hint at the end of each line (0-based lines ``first`` to ``last``) that assigns a
    tensor (its shape) or makes a model's layer (its output shape, where no tensor says it)."""
    by_line: dict[int, list[str]] = {}
    for tensor in report.tensors:
        if first <= tensor.line - 1 <= last:
            text = f"{tensor.name}: {format_shape(tensor.shape)}"
            if text not in by_line.setdefault(tensor.line, []):
                by_line[tensor.line].append(text)
    layers = [layer for model in report.models for layer in _layers(model.layers)]
    for layer in layers:
        if first <= layer.line - 1 <= last and layer.line not in {t.line for t in report.tensors}:
            text = f"{layer.cls} → {format_shape(layer.output_shape)}"
            if text not in by_line.setdefault(layer.line, []):
                by_line[layer.line].append(text)
    return [types.InlayHint(position=types.Position(line - 1, len(lines[line - 1]) if line <= len(lines)
                                                    else 0),
                            label="# " + ", ".join(texts), padding_left=True)
            for line, texts in sorted(by_line.items())]


def make_server() -> ShapeServer:
    server = ShapeServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ShapeServer, params: types.InitializeParams):
        options = params.initialization_options
        if isinstance(options, dict) and options.get("inlayHints") is False:
            ls.inlay_hints = False

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ShapeServer, params: types.DidOpenTextDocumentParams):
        ls.analyse(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ShapeServer, params: types.DidSaveTextDocumentParams):
        ls.analyse(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ShapeServer, params: types.DidChangeTextDocumentParams):
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ShapeServer, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.reports.pop(uri, None)
        if uri in ls.pending:
            ls.pending.pop(uri).cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ShapeServer, params: types.HoverParams):
        report = ls.reports.get(params.text_document.uri)
        if report is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        word = document.word_at_position(params.position)
        text = hover_text(report, params.position.line + 1, word)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: ShapeServer, params: types.CodeActionParams):
        report = ls.reports.get(params.text_document.uri)
        return [] if report is None else code_actions(report, params.text_document.uri, params.range)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    def inlay_hint(ls: ShapeServer, params: types.InlayHintParams):
        report = ls.reports.get(params.text_document.uri)
        if report is None or not ls.inlay_hints:
            return []
        lines = ls.workspace.get_text_document(params.text_document.uri).lines
        return inlay_hints(report, [line.rstrip("\r\n") for line in lines],
                           params.range.start.line, params.range.end.line)

    return server


def serve() -> None:
    """Run the server on stdin / stdout until the client exits."""
    make_server().start_io()
