"""Parameter types the API's routers share, so that each is declared (and documented) once."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# The `Idempotency-Key` header of writes that a client may retry: 8–100 characters, letters, digits and ._:-
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{8,100}$")]
