"""``--verify``: run each checked file under TensorFlow (in a child process) and
diff what really happens against the static result."""

from __future__ import annotations

from shapecheck.results import FileReport


def verify_reports(reports: list[FileReport], timeout: float) -> list[FileReport]:
    """Each checkable report, annotated with its TensorFlow run (one child for all)."""
    from shapecheck.verify.compare import verify
    from shapecheck.verify.session import Session

    elsewhere = [d for report in reports for d in report.diagnostics if d.via is not None]
    with Session(timeout) as session:
        for report in reports:
            if report.error is None:
                verify(report, session.record(report.path), elsewhere)
    return reports
