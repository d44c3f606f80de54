"""Secret-key rotation: re-encrypt every stored secret under the current key, and drop the
distributors' cached access tokens (services/token_cache.py), which the next call fetches
again: nothing stays under an older key."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.crypto import SecretBox
from disty.db.models import SharedToken, SupplierConnection, WebhookKey


async def rotate_secrets(session: AsyncSession, box: SecretBox) -> int:
    """Re-encrypt all secrets and drop the cached tokens in one transaction; returns how many
    secrets were rewritten.

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
        await session.execute(delete(SharedToken))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return count
