"""Factories of the kernel and the referential; each app's tests add theirs in tests/<app>/factories.py."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from poitiers_inclusion.enums import JobOutcome, Role
from poitiers_inclusion.models import (
    ApiToken,
    AuditEvent,
    CallToMake,
    JobRun,
    LoginFailure,
    OutgoingEmail,
    OutgoingEmailAttachment,
    OutgoingSms,
    RateLimitHit,
    SubmissionToken,
    Usager,
    User,
)
from reseau.models import Contact, Lieu, Quartier, Structure

PASSWORD = "mot-de-passe-de-test-42"


class QuartierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quartier
        django_get_or_create = ("code",)

    nom = factory.Sequence(lambda n: f"Quartier {n}")
    code = factory.Sequence(lambda n: f"Q{n:04d}")
    qpv = False
    commune = "Poitiers"

    class Params:
        prioritaire = factory.Trait(qpv=True)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Structure {n}")
    pivot = factory.Sequence(lambda n: f"{21860194000000 + n}")
    typologies = factory.LazyFunction(lambda: ["ASSO"])
    commune = "Poitiers"
    code_postal = "86000"


class LieuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lieu

    nom = factory.Sequence(lambda n: f"Lieu {n}")
    structure = factory.SubFactory(StructureFactory)
    pivot = factory.LazyAttribute(lambda o: o.structure.pivot if o.structure else "21860194000000")
    quartier = factory.SubFactory(QuartierFactory)
    adresse = factory.Sequence(lambda n: f"{n} rue des Essais")
    code_postal = "86000"
    commune = "Poitiers"
    code_insee = "86194"
    latitude = 46.58
    longitude = 0.34

    class Params:
        archived = factory.Trait(archived_at=factory.LazyFunction(timezone.now))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    structure = factory.SubFactory(StructureFactory)
    prenom = "Claire"
    nom = factory.Sequence(lambda n: f"Contact{n}")
    courriel = factory.Sequence(lambda n: f"contact{n}@exemple.test")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"compte{n}@exemple.test")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    role = Role.CONSEILLER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    class Params:
        conseiller = factory.Trait(role=Role.CONSEILLER)
        coordinateur = factory.Trait(role=Role.COORDINATEUR)
        technicien = factory.Trait(role=Role.TECHNICIEN)
        admin = factory.Trait(role=Role.ADMIN)
        prescripteur = factory.Trait(
            role=Role.PRESCRIPTEUR, structure=factory.SubFactory(StructureFactory)
        )


class UsagerFactory(factory.django.DjangoModelFactory):
    """An anonymous usager; use the `identified` trait for one who consented."""

    class Meta:
        model = Usager

    class Params:
        identified = factory.Trait(
            first_name="Jeanne",
            last_name=factory.Sequence(lambda n: f"Usager{n}"),
            phone="0600000000",
            birth_year=1960,
            consent_at=factory.LazyFunction(timezone.now),
        )


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory, coordinateur=True)
    key_hash = factory.Sequence(lambda n: f"{n:064x}")


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    action = "kernel.usager.viewed"
    target_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Usager))
    target_id = "1"


class LoginFailureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoginFailure

    email = factory.Sequence(lambda n: f"echec{n}@exemple.test")
    ip = "127.0.0.1"


class RateLimitHitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RateLimitHit

    scope = "permanences.booking"
    client = "127.0.0.1"


# What a failed run records: the error's type and place, never its message.
JOB_ERROR = "ValueError dans permanences/booking.py, ligne 12 (send_reminders)"


class JobRunFactory(factory.django.DjangoModelFactory):
    """A successful run of a scheduled job a few minutes ago, two seconds long."""

    class Meta:
        model = JobRun

    job = "send_reminders"
    started_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=5))
    finished_at = factory.LazyAttribute(lambda run: run.started_at + datetime.timedelta(seconds=2))
    outcome = JobOutcome.SUCCEEDED
    counts = factory.LazyFunction(lambda: {"rappels": 3})
    host = "web-1:4242"

    class Params:
        failed = factory.Trait(
            outcome=JobOutcome.FAILED,
            counts={},
            error=JOB_ERROR,
        )


class SubmissionTokenFactory(factory.django.DjangoModelFactory):
    """A form sent once, which led to the page it redirected to."""

    class Meta:
        model = SubmissionToken

    token = factory.Faker("uuid4", cast_to=None)
    path = "/reseau/lieux/nouveau/"
    completed_at = factory.LazyFunction(timezone.now)
    redirect_to = "/reseau/lieux/"


class OutgoingSmsFactory(factory.django.DjangoModelFactory):
    """A text message waiting in the outbox."""

    class Meta:
        model = OutgoingSms

    template = "permanences/sms/rappel"
    body = "Rappel : rendez-vous demain à 10h à la médiathèque."
    to = factory.Sequence(lambda n: f"+3361234{n:04d}")


class CallToMakeFactory(factory.django.DjangoModelFactory):
    """A resident to phone about one of their records (here: an usager record)."""

    class Meta:
        model = CallToMake

    app = "permanences"
    reason = "Rappel de rendez-vous"
    name = "Jeanne Martin"
    phone = "05 49 00 00 00"
    message = "Votre rendez-vous de demain à 10h est confirmé."
    due_by = factory.LazyFunction(timezone.localdate)
    target_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Usager))
    target_id = factory.LazyFunction(lambda: UsagerFactory().pk)


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    """An e-mail waiting in the outbox."""

    class Meta:
        model = OutgoingEmail

    template = "permanences/emails/rappel"
    subject = "Rappel : rendez-vous demain"
    body = "Bonjour,\nÀ demain.\n"
    from_email = "inclusion-numerique@poitiers.example"
    to = factory.Sequence(lambda n: [f"destinataire{n}@exemple.test"])


class OutgoingEmailAttachmentFactory(factory.django.DjangoModelFactory):
    """A PDF sent with an e-mail of the outbox."""

    class Meta:
        model = OutgoingEmailAttachment

    email = factory.SubFactory(OutgoingEmailFactory)
    filename = "certificat.pdf"
    content_type = "application/pdf"
    content = b"%PDF-1.4\n%%EOF\n"
