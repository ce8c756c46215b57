"""Opening the first visit without a wait: what it needs, imported and built ahead of time."""

from __future__ import annotations


def prepare() -> None:
    """Import and build, ahead of time and off the UI thread, what opening the first visit
    needs: the domain modules the session imports on first use, and the record and visit
    validators that pydantic builds on first use (defer_build)."""
    import importlib

    from assessor_tui.domain import records, visit

    for module in ("assemble", "coverage", "edits", "new_visit"):
        importlib.import_module(f"assessor_tui.domain.{module}")
    models = (records.Record, records.Change, visit.Visit, visit.School, visit.Judgement,
              visit.Note, visit.Evidence, visit.Recommendation, visit.ActionPoint,
              visit.TableRow, visit.ListEntry, visit.Answer)
    for model in models:
        model.model_rebuild()  # builds the validator that defer_build left for first use
