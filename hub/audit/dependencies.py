"""The audit routes' named dependencies: the privacy officer, authorized per operation (the trace of a call is
hub.audit.trace.TraceDep, shared with every capability)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from hub.auth.authorization import authorize
from hub.auth.principal import Caller

QueryCaller = Annotated[Caller, Depends(authorize("audit.query"))]
IntegrityCaller = Annotated[Caller, Depends(authorize("audit.integrity"))]
AccessReportCaller = Annotated[Caller, Depends(authorize("audit.access_report"))]
ReportCaller = Annotated[Caller, Depends(authorize("audit.report"))]
