"""Named dependencies of the origin routes: who may determine and who may contest the municipality of origin (the
policy's API-access rule, through hub.auth.authorization.authorize), and the register of the rules and reasons."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hub.auth.authorization import authorize
from hub.auth.principal import Caller
from hub.policy.origin_register import OriginRegister, get_origin_register

DeterminerDep = Annotated[Caller, Depends(authorize("origin.determine"))]
ContesterDep = Annotated[Caller, Depends(authorize("origin.contest"))]


def origin_register(request: Request) -> OriginRegister:
    return get_origin_register(request.app.state.settings.policies_dir)


OriginRegisterDep = Annotated[OriginRegister, Depends(origin_register)]
