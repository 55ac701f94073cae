"""``shapecheck lsp`` driven over stdio by a real LSP client (pytest-lsp)."""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BUGGY = """import tensorflow as tf
x = tf.zeros((8, 784))
y = tf.keras.layers.Conv2D(4, 3)(x)
"""
FIXED = """import tensorflow as tf
x = tf.zeros((8, 28, 28, 1))
y = tf.keras.layers.Conv2D(4, 3)(x)
"""
MODEL = """import keras
from keras import layers
model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3), layers.Flatten(),
                          layers.Dense(10)])
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "shapecheck", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri="file:///tmp"))
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, uri: str, text: str) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))


async def _diagnostics(client: LanguageClient, uri: str):
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


@pytest.mark.asyncio
async def test_open_reports_the_findings_and_an_edit_clears_them(client: LanguageClient, tmp_path):
    uri = (tmp_path / "model.py").as_uri()
    _open(client, uri, BUGGY)
    found = await _diagnostics(client, uri)
    assert [(d.code, d.severity, d.range.start.line, d.range.start.character) for d in found] == [
        ("SHP101", types.DiagnosticSeverity.Error, 2, 4)]
    assert "Conv2D expects a 4-D input" in found[0].message
    (related,) = found[0].related_information  # where x gets the shape Conv2D cannot take
    assert (related.location.uri, related.location.range.start.line) == (uri, 1)
    assert related.message == "x gets its shape (8, 784) here"
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=FIXED)]))
    assert list(await _diagnostics(client, uri)) == []


@pytest.mark.asyncio
async def test_hover_shows_shapes_and_parameters(client: LanguageClient, tmp_path):
    uri = (tmp_path / "net.py").as_uri()
    _open(client, uri, FIXED + MODEL)
    await _diagnostics(client, uri)
    tensor = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(2, 0)))
    assert tensor.contents.value == "**y**: tensor of shape `(8, 26, 26, 4)`"
    model = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(5, 2)))
    assert "input `(None, 28, 28, 1)`" in model.contents.value
    assert "output `(None, 10)`" in model.contents.value and "54,170 parameters" in model.contents.value


async def _hints(client: LanguageClient, uri: str, text: str):
    """(line, label) of the inlay hints of ``text`` opened as ``uri``, over all its lines."""
    _open(client, uri, text)
    await _diagnostics(client, uri)
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(0, 0), types.Position(text.count("\n"), 0))))
    return [(h.position.line, h.label) for h in hints]


@pytest.mark.asyncio
async def test_inlay_hints_give_each_tensors_shape(client: LanguageClient, tmp_path):
    assert await _hints(client, (tmp_path / "hints.py").as_uri(), FIXED) == [
        (1, "# x: (8, 28, 28, 1)"), (2, "# y: (8, 26, 26, 4)")]


@pytest.mark.asyncio
async def test_inlay_hints_give_each_layers_output(client: LanguageClient, tmp_path):
    source = ("import keras\nfrom keras import layers\nmodel = keras.Sequential([\n"
              "    keras.Input((28, 28, 1)),\n    layers.Conv2D(8, 3),\n    layers.Flatten(),\n"
              "    layers.Dense(10),\n])\n")
    assert await _hints(client, (tmp_path / "layers.py").as_uri(), source) == [
        (4, "# Conv2D → (None, 26, 26, 8)"), (5, "# Flatten → (None, 5408)"), (6, "# Dense → (None, 10)")]


TYPO = """import keras
from keras import layers
conv = layers.Conv2D(8, 3, padding="samee")
"""


@pytest.mark.asyncio
async def test_a_finding_with_a_fix_has_a_quick_fix(client: LanguageClient, tmp_path):
    uri = (tmp_path / "typo.py").as_uri()
    _open(client, uri, TYPO)
    (found,) = await _diagnostics(client, uri)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=found.range,
        context=types.CodeActionContext(diagnostics=[found])))
    (action,) = actions
    assert action.title == "Write padding=\"same\" (SHP206)" and action.kind == types.CodeActionKind.QuickFix
    (edit,) = action.edit.changes[uri]
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (2, 35, 42)
    assert edit.new_text == '"same"'
    elsewhere = types.Range(types.Position(0, 0), types.Position(0, 3))
    assert not await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=elsewhere,
        context=types.CodeActionContext(diagnostics=[])))
