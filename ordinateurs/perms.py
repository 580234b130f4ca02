"""Who may do what in Ordinateurs solidaires, beyond the kernel's shared groups.

The devices and donations are the workshop's; households and their requests are followed by the
coordination and, for their own structure's, by the prescripteurs (`Foyer.objects.visible_for`);
decisions, allocations, hand-overs, ceremonies and the documents that leave the city (donation
attestation, impact report) are the coordination's (`poitiers_inclusion.perms.STAFF`). The menu
shows each page to the roles its view declares.
"""

from poitiers_inclusion.enums import Role
from poitiers_inclusion.perms import STAFF

# Who works on the devices and donations: the technicians and the coordination.
WORKSHOP_ROLES = (Role.TECHNICIEN, *STAFF)
# Who follows households and their requests: the coordination and the referring partners.
FOYER_ROLES = (*STAFF, Role.PRESCRIPTEUR)
# Who reads the figures: the coordination the whole city's, a prescripteur their structure's.
READERS = FOYER_ROLES
