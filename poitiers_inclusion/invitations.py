"""Inviting a new account: nobody invents its password. The person receives a link, valid
ACCOUNT_INVITATION_DAYS days and good once, where they choose their own password.

The token is Django's password-reset token with a salt of its own (a reset link is no
invitation, nor the reverse): it is signed with SECRET_KEY over the account's password hash,
last sign-in and e-mail, so it stops working as soon as a password is chosen.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from . import mail


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "poitiers_inclusion.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        """Django's check, with the invitation's own validity instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - ts
        return age <= settings.ACCOUNT_INVITATION_DAYS * 24 * 3600


invitation_tokens = InvitationTokenGenerator()


def invite(user) -> bool:
    """E-mail `user` the link where they choose their password (the account has none usable
    until then). Returns whether the e-mail was queued."""
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    link = mail.absolute_url(
        "invitation",
        urlsafe_base64_encode(force_bytes(user.pk)),
        invitation_tokens.make_token(user),
    )
    return mail.send(
        "registration/invitation",
        to=user.email,
        context={"user": user, "link": link, "days": settings.ACCOUNT_INVITATION_DAYS},
    )
