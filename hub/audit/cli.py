"""`hub audit ...`: verify, export, seal and prune the disclosure log.

    hub audit verify [--workers N] [--witness DIR]
                                              verify the live database (public key from the log key file) and
                                              compare it with the witness store (HUB_LOG_WITNESS_DIR, and DIR)
    hub audit verify --export FILE --public-key JWK_FILE [--with-mac] [--witness DIR]
                                              verify an export offline, with the public key you hold
                                              (--with-mac: and the record MACs, with HUB_LOG_MAC_KEY;
                                              --witness: and against checkpoints kept in DIR)
    hub audit export FILE                     seal the head, then write JSON lines (signed header, checkpoints,
                                              records up to that seal)
    hub audit keep-checkpoints FILE DIR --public-key JWK_FILE
                                              verify an export, then keep its checkpoints in DIR as witness files
    hub audit checkpoint                      seal now if N records or T seconds are due (for cron)
    hub audit prune                           remove records past retention behind a signed anchor

Exit status: 0 when the log verifies, 1 when it does not (the first bad sequence number is printed), 2 when an
export was checked without --public-key: "UNVERIFIED", since the key inside the file proves nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hub.config import get_settings
from hub.db import unit_of_work

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


def _report_unverified(result) -> None:
    """An export checked only with the key inside it: never OK, whatever the chain says."""
    if not result.ok:
        _report(result)
    summary = {**result.as_dict(), "ok": False, "reason": "unverified"}
    typer.echo(json.dumps(summary, ensure_ascii=False))
    typer.echo(
        "UNVERIFIED: the export is consistent only under the public key inside it, which anyone who rewrote the "
        "file could have replaced; pass --public-key with the key you hold (/.well-known/dt-hub-log-key)",
        err=True,
    )
    raise typer.Exit(2)


def _export_verifier(export: Path, public_key: Path | None):
    from hub.audit.signing import LogVerifier

    if public_key is not None:  # one JWK, or a JWKS: the current key first, then keys retired by a rotation
        held = json.loads(public_key.read_text())
        return LogVerifier.from_jwks(held["keys"]) if "keys" in held else LogVerifier.from_jwk(held)
    with export.open("r", encoding="utf-8") as handle:
        return LogVerifier.from_jwk(json.loads(handle.readline())["public_key"])


WitnessOption = Annotated[
    list[Path] | None, typer.Option(help="A folder of witnessed or kept checkpoints to compare with (repeatable)")
]


@app.command()
def verify(
    export: Annotated[Path | None, typer.Option(help="Verify this export offline instead of the database")] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(help="JWK of the log key (/.well-known/dt-hub-log-key), or a JWKS with keys retired since"),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Processes for the live database check")] = 1,
    with_mac: Annotated[bool, typer.Option(help="Offline: also check record MACs with HUB_LOG_MAC_KEY")] = False,
    witness: WitnessOption = None,
) -> None:
    """Verify the chain, every signed checkpoint and (live, or offline with --with-mac) every record's MAC;
    live, also fail when the unsealed tail is too long or too old, or the log is shorter than or differs from a
    witnessed checkpoint. Name the first bad sequence number."""
    from hub.audit.verify import SealLimits, verify_database
    from hub.audit.verify_export import verify_export
    from hub.audit.witness import WitnessStore

    kept = [WitnessStore(directory) for directory in witness or []]
    if export is not None:
        try:
            result = verify_export(export, _export_verifier(export, public_key), _mac_key_option(with_mac), kept)
        except (OSError, ValueError, KeyError) as exc:
            typer.echo(f"NOT OK: unreadable export ({type(exc).__name__}: {exc})", err=True)
            raise typer.Exit(1) from None
        if public_key is None:
            _report_unverified(result)
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
            witnesses=[*([signer.witness] if signer.witness is not None else []), *kept],
        )
    )


@app.command("keep-checkpoints")
def keep_checkpoints(
    export: Annotated[Path, typer.Argument(help="An export (hub audit export)")],
    directory: Annotated[Path, typer.Argument(help="Where to keep its checkpoints, one file each")],
    public_key: Annotated[
        Path, typer.Option(help="JWK of the log key (/.well-known/dt-hub-log-key), or a JWKS with keys retired since")
    ],
) -> None:
    """Verify an export with the key you hold, then keep its signed checkpoints in DIRECTORY as witness files
    (append-only: a kept checkpoint is never replaced). Later, `hub audit verify --witness DIRECTORY` (live, or
    with --export for a newer export) fails when the log no longer reaches or agrees with them."""
    from hub.audit.errors import WitnessFailed
    from hub.audit.verify_export import verify_export
    from hub.audit.witness import WitnessStore

    try:
        result = verify_export(export, _export_verifier(export, public_key))
    except (OSError, ValueError, KeyError) as exc:
        typer.echo(f"NOT OK: unreadable export ({type(exc).__name__}: {exc})", err=True)
        raise typer.Exit(1) from None
    if not result.ok:
        _report(result)
    store, kept = WitnessStore(directory), 0
    with export.open("r", encoding="utf-8") as handle:
        handle.readline()
        for line in handle:
            item = json.loads(line)
            if item.get("type") != "checkpoint":
                break
            try:
                store.write(item)
            except WitnessFailed as exc:
                typer.echo(f"NOT OK: {exc.detail}", err=True)
                raise typer.Exit(1) from None
            kept += 1
    typer.echo(f"kept {kept} checkpoints up to {result.last_seq or result.anchor_seq or 0} in {directory}")


@app.command("export")
def export_command(file: Annotated[Path, typer.Argument(help="Where to write the JSON lines")]) -> None:
    """Seal the head, then export a signed header, the checkpoints and the records up to that seal as JSON
    lines. When the log cannot be sealed (it does not verify, or the witness cannot be written), nothing is
    exported."""
    from hub.audit.errors import SealRefused, WitnessFailed
    from hub.audit.export import export_log

    _, engine, signer = _engine_and_signer()
    try:
        summary = export_log(engine, signer, file)
    except (SealRefused, WitnessFailed) as exc:
        typer.echo(f"NOT EXPORTED: {exc.detail}", err=True)
        raise typer.Exit(1) from None
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
    with unit_of_work(engine) as session:
        result = prune_log(session, signer, settings)
    typer.echo(
        f"pruned {result.removed} records up to anchor {result.anchor_seq}"
        if result
        else f"nothing older than {settings.log_retention_days} days"
    )
