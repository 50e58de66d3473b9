"""The notice routes' named dependencies: the caller, authorized per operation, and the notice id."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path

from hub.auth.authorization import authorize
from hub.auth.principal import Caller

DjiDep = Annotated[Caller, Depends(authorize("notification.create"))]
CaseReaderDep = Annotated[Caller, Depends(authorize("case.read"))]
InboxListerDep = Annotated[Caller, Depends(authorize("inbox.list"))]
InboxReaderDep = Annotated[Caller, Depends(authorize("inbox.read"))]
NoticeId = Annotated[uuid.UUID, Path(description="The hub's id of the notice (a UUID).")]
