"""Who may do what in the reporting, beyond the kernel's shared groups.

The dashboard and its exports are read by every role that reads some app's figures, each seeing
its own scope (the sections' `roles`, the apps' `for_figures` querysets); the printable report,
the shared views, the external indicators and the statistics API are the coordination's
(`poitiers_inclusion.perms.STAFF`). The menu shows each page to the roles its view declares.
"""

from poitiers_inclusion.enums import Role
from poitiers_inclusion.perms import TEAM

# Who opens the dashboard: the team (their own activity or the city's) and the prescripteurs
# (their structure's households and orientations).
DASHBOARD_ROLES = (*TEAM, Role.PRESCRIPTEUR)
