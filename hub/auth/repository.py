"""Queries on the auth tables. Functions flush, never commit: the caller owns the transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from hub.auth.models import AccessToken, UsedAssertion


def remember_assertion(session: Session, client_id: str, jti: str, expires_at: dt.datetime) -> bool:
    """Record an assertion jti; False when this client used it before (a replay)."""
    if session.get(UsedAssertion, (client_id, jti)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(UsedAssertion(client_id=client_id, jti=jti, expires_at=expires_at))
    except IntegrityError:  # a concurrent request with the same jti won the race
        return False
    return True


def forget_expired_assertions(session: Session, now: dt.datetime) -> None:
    session.execute(delete(UsedAssertion).where(col(UsedAssertion.expires_at) < now))


def add_access_token(session: Session, token: AccessToken) -> None:
    session.add(token)
    session.flush()


def get_access_token(session: Session, jti: str) -> AccessToken | None:
    return session.get(AccessToken, jti)


def revoke_access_token(session: Session, token: AccessToken, now: dt.datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.flush()
