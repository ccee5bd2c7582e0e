"""Options that several device commands share: how a model file is checked before it is loaded."""

from __future__ import annotations

from typing import Annotated

import typer

VerifyOption = Annotated[
    bool,
    typer.Option(
        help="Check the model against the size and sha256 its manifest records, if it has one "
        "(--no-verify: load it even when they differ).",
    ),
]
AllowFailedOption = Annotated[
    bool,
    typer.Option(
        "--allow-failed", help="Load a model whose manifest says its export failed the accuracy gate."
    ),
]
