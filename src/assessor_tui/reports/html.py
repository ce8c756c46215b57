"""Self-contained, printable HTML: one file, inline CSS, no script, every text escaped.

``dir="auto"`` on each text element lets right-to-left notes display in their
own direction without reordering the page; ``overflow-wrap`` keeps a very long
line inside the page when printed.
"""

from __future__ import annotations

from html import escape

from assessor_tui.record.document import (
    Block,
    BulletList,
    Document,
    Heading,
    NoteList,
    Paragraph,
    Table,
    paragraphs,
)

CSS = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1a1a1a;
  max-width: 48em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 .1em; }
h2 { font-size: 15pt; margin: 1.4em 0 .4em; border-bottom: 2px solid #1f4e79;
  color: #1f4e79; }
h3 { font-size: 12.5pt; margin: 1.1em 0 .3em; color: #1f4e79; }
h4 { font-size: 11pt; margin: 1em 0 .2em; }
h2, h3, h4 { break-after: avoid; }
p, li, td, th { overflow-wrap: anywhere; white-space: pre-wrap; }
p { margin: .3em 0; }
.subtitle { font-size: 14pt; margin: 0 0 .8em; }
.muted { color: #666; font-style: italic; }
.alert { color: #9c1c1c; }
.label { font-weight: bold; }
.banner { border: 2px solid #9c1c1c; color: #9c1c1c; font-weight: bold; padding: .3em .6em;
  margin: .6em 0; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; }
th, td { border: 1px solid #999; padding: .25em .45em; text-align: start; vertical-align: top; }
th { background: #e8eef5; }
table.meta th { width: 11em; background: none; border: none; padding-left: 0; }
table.meta td { border: none; }
tr { break-inside: avoid; }
ul { margin: .2em 0 .6em; padding-left: 1.4em; }
.when { color: #555; font-style: italic; }
.watermark { position: fixed; top: 40%; left: 0; right: 0; text-align: center;
  font-size: 110pt; font-weight: bold; color: rgba(156, 28, 28, .12);
  transform: rotate(-35deg); pointer-events: none; z-index: 10; }
"""


def _text(value: str) -> str:
    return escape(value, quote=True)


def _paragraph(block: Paragraph) -> str:
    parts = paragraphs(block.text) or [""]
    css = {"muted": ' class="muted"', "alert": ' class="alert"'}.get(block.style, "")
    label = f'<span class="label">{_text(block.label)}:</span> ' if block.label else ""
    if block.label and not parts[0]:
        label = f'<span class="label">{_text(block.label)}</span>'
    out = [f'<p dir="auto"{css}>{label}{_text(parts[0])}</p>']
    out += [f'<p dir="auto"{css}>{_text(p)}</p>' for p in parts[1:]]
    return "\n".join(out)


def _table(block: Table) -> str:
    head = "".join(f'<th dir="auto">{_text(c)}</th>' for c in block.columns)
    body = "\n".join(
        "<tr>" + "".join(f'<td dir="auto">{_text(c)}</td>' for c in row) + "</tr>"
        for row in block.rows
    )
    role = f' class="{_text(block.role)}"' if block.role else ""
    return f"<table{role}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _notes(block: NoteList) -> str:
    items = "\n".join(
        f'<li dir="auto"><span class="when">{_text(n.lead())}</span>: {_text(n.text)}</li>'
        for n in block.notes
    )
    return f'<p class="label">{_text(block.title)}</p>\n<ul class="notes">\n{items}\n</ul>'


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        level = block.level + 1
        return f'<h{level} dir="auto">{_text(block.text)}</h{level}>'
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, BulletList):
        items = "\n".join(f'<li dir="auto">{_text(i)}</li>' for i in block.items)
        return f"<ul>\n{items}\n</ul>" if block.items else ""
    if isinstance(block, Table):
        return _table(block)
    return _notes(block)


def render_text(document: Document) -> str:
    meta = "\n".join(
        f'<tr><th scope="row">{_text(k)}</th><td dir="auto">{_text(v)}</td></tr>'
        for k, v in document.meta
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(document.title)}: {_text(document.subtitle)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
    ]
    if document.watermark:
        parts.append(f'<div class="watermark" aria-hidden="true">{_text(document.watermark)}'
                     "</div>")
    parts += [f'<h1 dir="auto">{_text(document.title)}</h1>']
    if document.subtitle:
        parts.append(f'<p class="subtitle" dir="auto">{_text(document.subtitle)}</p>')
    if document.watermark:
        parts.append(f'<p class="banner">{_text(document.watermark)}: not final until the '
                     "visit is submitted.</p>")
    if meta:
        parts.append(f'<table class="meta">\n{meta}\n</table>')
    parts += [_block(block) for block in document.blocks]
    parts += ["</body>", "</html>", ""]
    return "\n".join(p for p in parts if p is not None)


def render(document: Document) -> bytes:
    return render_text(document).encode("utf-8")
