"""The baseline for bench/exchange.py: the same four HTTP calls and roughly the same inserts as the hub's
exchange, with no authentication, no policy, no encryption, no idempotency and no disclosure log.

    BENCH_BASELINE_DATABASE_URL=sqlite:////tmp/x.db uvicorn bench.baseline_app:app --workers 2

It is what a bare FastAPI + SQLModel service on the same database would cost; the hub's throughput is
reported as a ratio against it. Tables are created by `create_tables(url)` (bench/exchange.py calls it).
Never deploy this: it is a measuring stick, not a service.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import JSON, Column, Engine, event
from sqlmodel import Field, Session, SQLModel, create_engine, select


def _id() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BaseCase(SQLModel, table=True):
    __tablename__ = "base_case"
    id: str = Field(default_factory=_id, primary_key=True)
    notification_id: str = Field(unique=True, max_length=64)
    municipality: str = Field(max_length=6)
    bsn: str = Field(max_length=16)  # plain: no pseudonym, no encryption
    name: str = Field(max_length=200)
    prison: str = Field(max_length=200)
    state: str = Field(default="notified", max_length=20)
    information_sheet: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)


class BaseRequest(SQLModel, table=True):
    __tablename__ = "base_request"
    id: str = Field(default_factory=_id, primary_key=True)
    case_id: str = Field(foreign_key="base_case.id", index=True)
    responder: str = Field(max_length=64, index=True)
    activity: str = Field(max_length=64)
    categories: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", max_length=20)
    created_at: dt.datetime = Field(default_factory=_now)


class BaseAnswer(SQLModel, table=True):
    __tablename__ = "base_answer"
    id: str = Field(default_factory=_id, primary_key=True)
    request_id: str = Field(foreign_key="base_request.id", unique=True)
    values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)


class Notification(BaseModel):
    notification_id: str
    subject: dict[str, Any]
    prison: str
    started_on: dt.date
    expected_release_on: dt.date | None = None
    municipality: str
    information_sheet: dict[str, Any] = {}


class RequestIn(BaseModel):
    responder: str
    activity: str
    categories: list[str]


class AnswerIn(BaseModel):
    values: dict[str, dict[str, Any]]


def make_engine(url: str) -> Engine:
    """SQLite as a careful bare app would use it (WAL, a busy timeout, the write lock taken up front)."""
    if not url.startswith("sqlite"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_tables(url: str) -> None:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine, tables=[BaseCase.__table__, BaseRequest.__table__, BaseAnswer.__table__])
    engine.dispose()


app = FastAPI(title="bench baseline")
_engine: Engine | None = None


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine(os.environ["BENCH_BASELINE_DATABASE_URL"])
    return _engine


@app.get("/health/ready")
def ready() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/notifications/detention-started", status_code=201)
def notify(body: Notification) -> dict[str, str]:
    with Session(engine(), expire_on_commit=False) as session:
        case = BaseCase(
            notification_id=body.notification_id,
            municipality=body.municipality,
            bsn=str(body.subject.get("bsn")),
            name=str(body.subject.get("name")),
            prison=body.prison,
            information_sheet=body.information_sheet,
        )
        session.add(case)
        session.commit()
        return {"notification_id": body.notification_id, "case_id": case.id, "state": case.state}


@app.post("/v1/cases/{case_id}/requests", status_code=201)
def create_request(case_id: str, body: RequestIn) -> dict[str, Any]:
    with Session(engine(), expire_on_commit=False) as session:
        case = session.get(BaseCase, case_id)
        if case is None:
            raise HTTPException(404)
        case.state = "screening"
        request = BaseRequest(
            case_id=case_id, responder=body.responder, activity=body.activity, categories=body.categories
        )
        session.add_all([case, request])
        session.commit()
        return {"id": request.id, "status": request.status, "categories_allowed": request.categories}


@app.post("/v1/inbox/{request_id}/answer", status_code=201)
def answer(request_id: str, body: AnswerIn) -> dict[str, Any]:
    with Session(engine(), expire_on_commit=False) as session:
        request = session.get(BaseRequest, request_id)
        if request is None or request.status != "open":
            raise HTTPException(404)
        request.status = "answered"
        stored = BaseAnswer(request_id=request_id, values=body.values)
        session.add_all([request, stored])
        session.commit()
        return {"request_id": request_id, "released_categories": sorted(body.values), "withheld": []}


@app.get("/v1/requests/{request_id}/answer")
def read_answer(request_id: str) -> dict[str, Any]:
    with Session(engine()) as session:
        stored = session.exec(select(BaseAnswer).where(BaseAnswer.request_id == request_id)).first()
        if stored is None:
            raise HTTPException(404)
        return {"request_id": request_id, "values": stored.values}
