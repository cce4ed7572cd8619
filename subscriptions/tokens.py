"""Signed tokens for links in emails: unsubscribing, and confirming an email subscription.
A tampered or foreign token fails to load."""

from django.core import signing

UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
CONFIRM_SALT = "subscriptions.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def unsubscribe_token(*, member_id: int | None = None, subscription_id: int | None = None) -> str:
    payload = {"m": member_id} if member_id is not None else {"s": subscription_id}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return (
        payload
        if isinstance(payload, dict) and ({"m"} & payload.keys() or {"s"} & payload.keys())
        else None
    )


def confirm_token(subscription_id: int) -> str:
    return signing.dumps(subscription_id, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int | None, str]:
    """(subscription id, "") or (None, why it failed: "expired" or "invalid")."""
    try:
        return int(signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)), ""
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, TypeError, ValueError):
        return None, "invalid"
