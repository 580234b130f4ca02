"""Who may do what in the workshop path, beyond the kernel's shared groups.

The team (`poitiers_inclusion.perms.TEAM`) sees the programme and registers people; changing a
session or taking attendance is for its facilitators and the coordination (`Seance.editable_by`);
the catalogue (parcours, modules) is the coordination's (`STAFF`). The menu shows each page to the
roles its view declares.
"""

from poitiers_inclusion.perms import TEAM

# Who reads the workshop figures: a conseiller those of their sessions, the coordination all.
READERS = TEAM
# Who phones the people no e-mail or text message reaches: those who see the registrations.
CALLERS = TEAM
