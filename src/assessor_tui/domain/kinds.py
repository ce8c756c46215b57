"""Small vocabularies shared by the domain and the CLI's argument parser, kept free of
pydantic so that parsing `assessor`'s arguments imports no model classes."""

from __future__ import annotations

from typing import Literal, get_args

NoteSource = Literal["interview", "observation", "document", "data", "other"]
NOTE_SOURCES: tuple[NoteSource, ...] = get_args(NoteSource)
