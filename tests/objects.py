"""Two of everything, one on each side, for the object-level permission matrix.

Side "a" belongs to conseiller_a and to the structure of prescripteur_a, side "b" to
conseiller_b and prescripteur_b's structure: a usager followed by one conseiller, a médiation he
logged, a booking at a desk he staffs, a session he facilitates; a household, a request and an
orientation of one structure. The technician, the coordinator and the admin belong to no side.
Each kind of object is built on first use, with the project's factories.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import CallToMake
from tests.ateliers.factories import (
    InscriptionFactory,
    ModuleFactory,
    ParcoursFactory,
    SeanceFactory,
)
from tests.factories import (
    ContactFactory,
    LieuFactory,
    QuartierFactory,
    StructureFactory,
    UsagerFactory,
    UserFactory,
)
from tests.ordinateurs.factories import (
    AttributionFactory,
    CeremonieFactory,
    DemandeFactory,
    DonateurFactory,
    DonFactory,
    EffacementFactory,
    EvenementFactory,
    OrdinateurFactory,
    StockageFactory,
)
from tests.permanences.factories import MediationFactory, PermanenceFactory
from tests.permanences.factories_schedule import FermetureFactory, RendezVousFactory
from tests.reporting.factories import VuePartageeFactory
from tests.reseau.factories import CampagneFactory, OrientationFactory, ReunionFactory

SIDES = ("a", "b")
# Roles whose accounts belong to a side; the others see the same whatever the side.
SIDED_ROLES = (Role.CONSEILLER, Role.PRESCRIPTEUR)


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n", "application/pdf")


def _call_about(record, *, app):
    return CallToMake.objects.create(
        app=app,
        reason="Rappel",
        phone="0549000000",
        message="Rappel",
        due_by=timezone.localdate(),
        target_type=ContentType.objects.get_for_model(record),
        target_id=record.pk,
    )


class World:
    def __init__(self):
        self.structures = {side: StructureFactory(nom=f"Structure {side}") for side in SIDES}
        self.users = {("conseiller", side): UserFactory(conseiller=True) for side in SIDES} | {
            ("prescripteur", side): UserFactory(prescripteur=True, structure=self.structures[side])
            for side in SIDES
        }
        for role in (Role.TECHNICIEN, Role.COORDINATEUR, Role.ADMIN):
            self.users[(role, None)] = UserFactory(role=role)
        self._built = {}

    def accounts(self, roles):
        """(account, its side) of each given role: one per side for the sided roles."""
        return [(user, side) for (role, side), user in self.users.items() if role in roles]

    def conseiller(self, side):
        return self.users[("conseiller", side)]

    def pair(self, kind: str) -> dict:
        """{side: object} of a kind, built once."""
        if kind not in self._built:
            self._built[kind] = {side: getattr(self, f"_{kind}")(side) for side in SIDES}
        return self._built[kind]

    # --- Kernel and réseau ----------------------------------------------------------------------

    def _account(self, side):
        return self.conseiller(side)

    def _structure(self, side):
        return self.structures[side]

    def _lieu(self, side):
        return LieuFactory(structure=self.structures[side])

    def _lieu_a_confirmer(self, side):
        return LieuFactory(structure=self.structures[side], awaiting_confirmation=True)

    def _offre(self, side):
        from reseau.models import OffreInternetSociale

        offre = OffreInternetSociale.objects.create(offre="Box sociale", fournisseur="FAI", prix=15)
        offre.structures.add(self.structures[side])
        return offre

    def _contact(self, side):
        return ContactFactory(structure=self.structures[side])

    def _quartier(self, side):
        return QuartierFactory()

    def _campagne(self, side):
        return CampagneFactory()

    def _reunion(self, side):
        return ReunionFactory(rapport=_file("rapport.pdf"))

    def _orientation(self, side):
        """Sent by the side's structure, by its conseiller, to a structure of neither side."""
        return OrientationFactory(
            structure_origine=self.structures[side],
            created_by=self.conseiller(side),
            piece_jointe=_file("justificatif.pdf"),
        )

    def _vue_partagee(self, side):
        return VuePartageeFactory()

    # --- Permanences ----------------------------------------------------------------------------

    def _usager(self, side):
        usager = UsagerFactory(identified=True)
        usager.conseillers.add(self.conseiller(side))
        return usager

    def _mediation(self, side):
        return MediationFactory(conseiller=self.conseiller(side), usagers=[UsagerFactory()])

    def _permanence(self, side):
        return PermanenceFactory()

    def _fermeture(self, side):
        return FermetureFactory()

    def _rendez_vous(self, side):
        rendez_vous = RendezVousFactory()
        rendez_vous.creneau.permanence.conseillers.add(self.conseiller(side))
        return rendez_vous

    def _appel_rendez_vous(self, side):
        """A call to make about the side's booking."""
        return _call_about(self.pair("rendez_vous")[side], app="permanences")

    # --- Ateliers -------------------------------------------------------------------------------

    def _parcours(self, side):
        return ParcoursFactory()

    def _module(self, side):
        return ModuleFactory()

    def _seance(self, side):
        """Held today, so that attendance and walk-ins are open."""
        return SeanceFactory(date=timezone.localdate(), animateurs=[self.conseiller(side)])

    def _inscription(self, side):
        """At the side's session, of a person the side's conseiller follows."""
        return InscriptionFactory(seance=self.pair("seance")[side], usager=self._usager(side))

    def _appel_atelier(self, side):
        """A call to make about the side's registration."""
        return _call_about(self.pair("inscription")[side], app="ateliers")

    # --- Ordinateurs ----------------------------------------------------------------------------

    def _donateur(self, side):
        return DonateurFactory()

    def _don(self, side):
        return DonFactory()

    def _ordinateur(self, side):
        return OrdinateurFactory()

    def _stockage(self, side):
        return StockageFactory()

    def _effacement(self, side):
        return EffacementFactory(preuve=_file("rapport.pdf"))

    def _evenement(self, side):
        return EvenementFactory(piece_jointe=_file("photo.pdf"))

    def _demande(self, side):
        return DemandeFactory(foyer__structure=self.structures[side])

    def _attribution(self, side):
        """A device proposed to the side's household, not handed over yet."""
        return AttributionFactory(demande__foyer__structure=self.structures[side])

    def _remise(self, side):
        """A device handed over to the side's household (its receipt can be printed)."""
        return AttributionFactory(
            demande__foyer__structure=self.structures[side],
            handed_over_at=timezone.now() - datetime.timedelta(days=1),
        )

    def _ceremonie(self, side):
        return CeremonieFactory()
