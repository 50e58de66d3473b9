"""Imports every capability's table models so that SQLModel.metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from hub.audit import models as _audit_models  # noqa: F401

# Each capability registers its tables by being imported here.
from hub.auth import models as _auth_models  # noqa: F401
from hub.cases import models as _cases_models  # noqa: F401
from hub.crypto import models as _crypto_models  # noqa: F401
from hub.exchange import models as _exchange_models  # noqa: F401
from hub.idempotency import IdempotencyRecord as _IdempotencyRecord  # noqa: F401
from hub.monitoring import models as _monitoring_models  # noqa: F401
from hub.notices import models as _notices_models  # noqa: F401
from hub.web import models as _web_models  # noqa: F401

metadata = SQLModel.metadata
