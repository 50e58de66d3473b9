"""`hub audit ...`: verify, export, seal and prune the disclosure log.

    hub audit verify [--workers N]            verify the live database (public key from the log key file)
    hub audit verify --export FILE [--public-key JWK_FILE] [--with-mac]
                                              verify an export offline, with the public key alone
                                              (--with-mac: and the record MACs, with HUB_LOG_MAC_KEY)
    hub audit export FILE                     seal the head, then write JSON lines (header+key, checkpoints, records)
    hub audit checkpoint                      seal now if N records or T seconds are due (for cron)
    hub audit prune                           remove records past retention behind a signed anchor

Exit status: 0 when the log verifies, 1 when it does not (the first bad sequence number is printed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from hub.config import get_settings

app = typer.Typer(help="The disclosure log: verify, export, seal, prune", no_args_is_help=True)


def _engine_and_signer():
    from hub.audit import mac
    from hub.audit.signing import load_signer
    from hub.db import engine_for

    settings = get_settings()
    settings.check_safe()
    mac.configure_from(settings)
    return settings, engine_for(settings), load_signer(settings)


def _mac_key_option(use: bool) -> bytes | None:
    from hub.audit import mac

    return mac.load_key(get_settings()) if use else None


def _report(result) -> None:
    summary = result.as_dict()
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if not result.ok:
        typer.echo(f"NOT OK: first bad sequence number {result.first_bad_seq} ({result.reason})", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"OK: {result.records_checked} records, {result.checkpoints_checked} checkpoints, "
        f"sealed up to {result.sealed_upto}, {result.unsealed} unsealed",
        err=True,
    )


@app.command()
def verify(
    export: Annotated[Path | None, typer.Option(help="Verify this export offline instead of the database")] = None,
    public_key: Annotated[Path | None, typer.Option(help="JWK of the log key (/.well-known/dt-hub-log-key)")] = None,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Processes for the live database check")] = 1,
    with_mac: Annotated[bool, typer.Option(help="Offline: also check record MACs with HUB_LOG_MAC_KEY")] = False,
) -> None:
    """Verify the chain, every signed checkpoint and (live, or offline with --with-mac) every record's MAC;
    live, also fail when the unsealed tail is too long or too old. Name the first bad sequence number."""
    from hub.audit.signing import LogVerifier
    from hub.audit.verify import SealLimits, verify_database, verify_export

    if export is not None:
        verifier = LogVerifier.from_jwk(json.loads(public_key.read_text())) if public_key else None
        if verifier is None:
            typer.echo(
                "warning: using the public key inside the export; pass --public-key to check it "
                "against the key you hold",
                err=True,
            )
        try:
            result = verify_export(export, verifier, _mac_key_option(with_mac))
        except (OSError, ValueError, KeyError) as exc:
            typer.echo(f"NOT OK: unreadable export ({type(exc).__name__}: {exc})", err=True)
            raise typer.Exit(1) from None
        _report(result)
        return
    settings, engine, signer = _engine_and_signer()
    from hub.audit import mac

    _report(
        verify_database(
            engine,
            signer.verifier,
            workers=workers,
            mac_key=mac.current_key(),
            limits=SealLimits.from_settings(settings),
        )
    )


@app.command("export")
def export_command(file: Annotated[Path, typer.Argument(help="Where to write the JSON lines")]) -> None:
    """Seal the head, then export records, checkpoints and the public key as JSON lines."""
    from hub.audit.export import export_log, seal_head

    _, engine, signer = _engine_and_signer()
    seal_head(engine, signer)
    summary = export_log(engine, signer.verifier, file)
    typer.echo(
        f"exported {summary.records} records and {summary.checkpoints} checkpoints up to {summary.last_seq} to {file}"
    )


@app.command()
def checkpoint() -> None:
    """Seal the head when a checkpoint is due (every N records or T seconds)."""
    from hub.audit.checkpoints import seal_once

    settings, engine, signer = _engine_and_signer()
    sealed = seal_once(engine, signer, settings)
    typer.echo(f"checkpoint at {sealed.seq}" if sealed else "no checkpoint due")


@app.command()
def prune() -> None:
    """Remove log records older than the retention period, behind a signed anchor checkpoint."""
    from hub.audit.retention import prune as prune_log

    settings, engine, signer = _engine_and_signer()
    with Session(engine) as session:
        result = prune_log(session, signer, settings)
        session.commit()
    typer.echo(
        f"pruned {result.removed} records up to anchor {result.anchor_seq}"
        if result
        else f"nothing older than {settings.log_retention_days} days"
    )
