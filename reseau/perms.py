"""Who may do what in the réseau, beyond the kernel's shared groups.

Every professional reads the directory (`any_role`); the referential (structures, lieux,
contacts, quartiers), meetings and update campaigns are the coordination's
(`poitiers_inclusion.perms.STAFF`); a prescripteur keeps their own structure's page up to date
(`Structure.objects.editable_by`). The menu and the réseau's hub page show each page to the roles
its view declares.
"""

from poitiers_inclusion.enums import Role
from poitiers_inclusion.perms import TEAM

# Who sends and follows orientations: the partners' prescripteurs and the team.
ORIENTEURS = (Role.PRESCRIPTEUR, *TEAM)
# Who reads the coverage of the territory (places and opening hours by quartier and service).
COVERAGE_ROLES = TEAM
