"""Kernel records: accounts, the usager (a resident helped), the append-only audit log, the runs
of the scheduled jobs, the outboxes (e-mails, text messages) and the people to call.

Accounts and usagers point to the territory's referential by name ("reseau.Structure",
"reseau.Quartier"): at the data level the kernel and the referential are one layer (their
migrations interleave); in code the kernel imports no app (README, « Organisation du code »).
"""

from .accounts import (
    ApiToken,
    ApiTokenQuerySet,
    LoginFailure,
    RateLimitHit,
    SubmissionToken,
    User,
    UserManager,
)
from .journal import (
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    AuditEvent,
    AuditEventQuerySet,
    JobRun,
)
from .messages import (
    CallQuerySet,
    CallToMake,
    OutgoingEmail,
    OutgoingEmailAttachment,
    OutgoingSms,
    QueuedMessage,
    QueuedMessageQuerySet,
)
from .usagers import (
    SEARCH_MAX_WORDS,
    SEARCH_MIN_LENGTH,
    SEARCH_PHONE_NUMBER,
    SEARCH_RECORD_NUMBER,
    Usager,
    UsagerQuerySet,
    age_band_expression,
)

__all__ = [
    "SEARCH_MAX_WORDS",
    "SEARCH_MIN_LENGTH",
    "SEARCH_PHONE_NUMBER",
    "SEARCH_RECORD_NUMBER",
    "ApiToken",
    "ApiTokenQuerySet",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "AuditEvent",
    "AuditEventQuerySet",
    "CallQuerySet",
    "CallToMake",
    "JobRun",
    "LoginFailure",
    "OutgoingEmail",
    "OutgoingEmailAttachment",
    "OutgoingSms",
    "QueuedMessage",
    "QueuedMessageQuerySet",
    "RateLimitHit",
    "SubmissionToken",
    "Usager",
    "UsagerQuerySet",
    "User",
    "UserManager",
    "age_band_expression",
]
