"""Who may do what in the permanences and the médiation log, beyond the kernel's shared groups.

The people helped, the agenda and a conseiller's Coop export are the team's
(`poitiers_inclusion.perms.TEAM`); the schedule, closures, attendance and the Coop import the
coordination's (`STAFF`). The menu shows each page to the roles its view declares.
"""

from poitiers_inclusion.enums import Role
from poitiers_inclusion.perms import TEAM

# Log médiations and read the log: those who staff the desks (an admin runs accounts, not desks).
LOGGERS = (Role.CONSEILLER, Role.COORDINATEUR)
# Who reads the médiation figures: a conseiller their own, the coordination the whole city's.
READERS = TEAM
# Who phones the people no e-mail or text message reaches: those who see the bookings.
CALLERS = TEAM
