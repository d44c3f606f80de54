"""Secret-key rotation: re-encrypt every stored secret under the current key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.crypto import SecretBox
from disty.db.models import SupplierConnection, WebhookKey


async def rotate_secrets(session: AsyncSession, box: SecretBox) -> int:
    """Re-encrypt all secrets in one transaction; returns how many were rewritten.

    If any secret cannot be decrypted the transaction is rolled back and nothing changes.
    """
    count = 0
    try:
        for connection in await session.scalars(select(SupplierConnection)):
            secrets = connection.secrets_enc or {}
            # A new dict: the ORM saves a JSON column when it is assigned.
            connection.secrets_enc = {name: box.rotate(token) for name, token in secrets.items()}
            count += len(secrets)
        for key in await session.scalars(select(WebhookKey)):
            key.secret_enc = box.rotate(key.secret_enc)
            count += 1
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return count
