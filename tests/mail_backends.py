"""Mail servers that fail, for the outbox's tests (EMAIL_BACKEND = "tests.mail_backends.…")."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A server that answers, and refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(554, "Message refusé par le serveur")


class UnreachableBackend(BaseEmailBackend):
    """A server nobody can connect to; counts the connection attempts."""

    connections_tried = 0

    def open(self):
        type(self).connections_tried += 1
        raise ConnectionRefusedError(111, "Connexion refusée")

    def send_messages(self, email_messages):
        self.open()
