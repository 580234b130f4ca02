"""Text-message services that fail, for the outbox's tests (SMS_BACKEND = "tests.sms_backends.…")."""

from poitiers_inclusion.sms import SmsRefused


class DownBackend:
    """A service that does not answer (tried again later)."""

    delivers = True

    def send(self, to, body):
        raise TimeoutError("Le service de SMS ne répond pas")


class RefusingBackend:
    """A service that refuses the number for good."""

    delivers = True

    def send(self, to, body):
        raise SmsRefused("HTTP 400 : numéro invalide", permanent=True)
