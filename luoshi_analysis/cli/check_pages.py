"""`luoshi check-pages`: open every exported page offline in headless Chromium."""

from __future__ import annotations

import argparse
from pathlib import Path

from luoshi_analysis.cli.common import EXIT_VIOLATIONS
from luoshi_analysis.core import config
from luoshi_analysis.core.terminal import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare `luoshi check-pages` and its options."""
    p = sub.add_parser("check-pages", help="open every exported page offline in headless Chromium")
    p.add_argument("--outputs", help="outputs folder (default: outputs/)")
    p.add_argument("--screenshots", help="folder for a full-page screenshot of each page")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Audit every page of the outputs folder; 1 if any page has a problem."""
    from luoshi_analysis.engine.browser import audit_outputs  # playwright only when asked for

    outputs = Path(args.outputs) if args.outputs else config.outputs_dir()
    screenshots = Path(args.screenshots) if args.screenshots else None
    audits = audit_outputs(outputs, screenshots)
    broken = 0
    for audit in audits:
        status = "ok" if not audit.problems else f"{len(audit.problems)} problem(s)"
        echo(f"{audit.path.relative_to(outputs)}: {status} — {audit.title}", one_line=True)
        for problem in audit.problems:
            echo(f"  - {problem}", one_line=True)
        broken += bool(audit.problems)
    echo(f"\n{len(audits) - broken} of {len(audits)} pages work offline")
    return EXIT_VIOLATIONS if broken else 0
