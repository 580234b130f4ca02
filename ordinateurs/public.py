"""What the public pages say of Ordinateurs solidaires beyond its own forms: through which partner
a household asks for a computer."""

from poitiers_inclusion.enums import Role
from reseau.models import Structure


def referring_partners() -> list[Structure]:
    """The partner structures that file a household's request (those with an active prescripteur
    account: nobody else can). Pages show their name and kind only: the directory of structures,
    with its contacts, stays for the professionals; the name of a CCAS or a social centre is the
    public information a resident needs to know where to ask."""
    return list(
        Structure.objects.active()
        .filter(users__role=Role.PRESCRIPTEUR, users__is_active=True)
        .distinct()
        .only("nom", "typologies")
        .order_by("nom")
    )
