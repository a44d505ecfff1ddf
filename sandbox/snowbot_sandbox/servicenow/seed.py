"""Seed data: users, groups and ~15 incidents with comments, fixed so tests can rely on them.

Users (sys_ids are stable; roles are ServiceNow role names; ESS = no role):

| user_name      | name                 | email                      | roles          |
|----------------|----------------------|----------------------------|----------------|
| abel.tuter     | Abel Tuter           | abel.tuter@example.com     | ESS            |
| bow.ruggeri    | Bow Ruggeri          | bow.ruggeri@example.com    | ESS            |
| carol.coughlin | Carol Coughlin       | carol.coughlin@example.com | ESS + REST (*) |
| beth.anglin    | Beth Anglin          | beth.anglin@example.com    | itil           |
| admin          | System Administrator | admin@example.com          | admin          |
| fred.luddy     | Fred Luddy           | fred.luddy@example.com     | ESS, inactive  |

(*) ``snc_platform_rest_api_access``: the one ESS user a hardened instance lets through.

Incidents INC0010001..INC0010015 (the counter continues at INC0010016), opened one a day
from 2026-05-01 (fixed, so the seed does not depend on the clock):

- Abel is caller of INC0010001-06 (04 resolved, 06 closed), and opened INC0010015 for Bow,
  so Abel sees 7 incidents.
- Bow is caller of INC0010007-10 (09 canceled; 10 opened for him by Beth) and INC0010015.
- Carol is caller of INC0010011-13 (13 resolved); Beth of INC0010014.
- Comments on INC0010001 (2), 03, 04, 07, 12; assignees Beth or empty.
- Group members (``sys_user_grmember``): Beth in Network and Hardware.
"""

from __future__ import annotations

from snowbot_sandbox.servicenow.state import Store, User

ABEL = "a8f98bb0eb32010045e1a5115206fe3a"
BOW = "b7e7c9d10a0a0b3c00e4f5a6b7c8d9e0"
CAROL = "c3a1d2e30b0c0d1e00f1a2b3c4d5e6f7"
BETH = "46d44a23a9fe19810012d100cca80666"
ADMIN = "6816f79cc0a8016401c5a33be04be441"
FRED = "f5d8e9a10c1d2e3f0a1b2c3d4e5f6a7b"

SERVICE_DESK = "d625dccec0a8016700a222a0f7900d06"
NETWORK = "287ebd7da9fe198100f92cc8d1d2154e"
HARDWARE = "8a5055c9c61122780043563ef53438e3"

SEED_USERS: tuple[User, ...] = (
    User(ABEL, "abel.tuter", "Abel Tuter", "abel.tuter@example.com", (), time_zone="Europe/London"),
    User(BOW, "bow.ruggeri", "Bow Ruggeri", "bow.ruggeri@example.com", ()),
    User(
        CAROL,
        "carol.coughlin",
        "Carol Coughlin",
        "carol.coughlin@example.com",
        ("snc_platform_rest_api_access",),
    ),
    User(BETH, "beth.anglin", "Beth Anglin", "beth.anglin@example.com", ("itil",)),
    User(ADMIN, "admin", "System Administrator", "admin@example.com", ("admin",)),
    User(FRED, "fred.luddy", "Fred Luddy", "fred.luddy@example.com", (), active=False),
)

GROUPS = ((SERVICE_DESK, "Service Desk"), (NETWORK, "Network"), (HARDWARE, "Hardware"))
# (user, group): Beth works in Network and Hardware (not the Service Desk).
MEMBERSHIPS = ((BETH, NETWORK), (BETH, HARDWARE))

# (caller, opened_by, short_description, description, state, impact, urgency,
#  assigned_to, group, category, day-of-May, comments[(author, text)])
_INCIDENTS: tuple[tuple[str, str, str, str, str, str, str, str, str, str, int,
                        tuple[tuple[str, str], ...]], ...] = (
    (ABEL, ABEL, "VPN drops every few minutes",
     "Since Monday the VPN client disconnects every 5-10 minutes when I work from home.",
     "2", "2", "2", BETH, NETWORK, "network", 1,
     ((ABEL, "It happens on both Wi-Fi and cable."),
      (BETH, "Thanks Abel, I am checking the VPN concentrator logs."))),
    (ABEL, ABEL, "Cannot print to 4th floor printer",
     "The printer PRN-4F-02 shows offline on my laptop.", "1", "3", "3", "", HARDWARE,
     "hardware", 2, ()),
    (ABEL, ABEL, "Outlook keeps asking for my password",
     "Outlook prompts for credentials every hour since the password change.", "3", "3", "2",
     BETH, SERVICE_DESK, "software", 3,
     ((BETH, "Could you tell me which Outlook version you use?"),)),
    (ABEL, ABEL, "Request a second monitor", "I would like a second 24 inch monitor.",
     "6", "3", "3", BETH, HARDWARE, "hardware", 4,
     ((BETH, "Monitor delivered to your desk."),)),
    (ABEL, ABEL, "Laptop battery swollen", "The battery bulges and the touchpad clicks.",
     "1", "2", "1", "", HARDWARE, "hardware", 5, ()),
    (ABEL, ABEL, "Old shared drive access", "Access to S: drive for the 2024 archive.",
     "7", "3", "3", BETH, SERVICE_DESK, "inquiry", 6, ()),
    (BOW, BOW, "Email not syncing on phone",
     "My phone stopped syncing mail after the iOS update.", "2", "3", "2", BETH,
     SERVICE_DESK, "software", 7, ((BOW, "Still broken this morning."),)),
    (BOW, BOW, "Teams calls have no audio", "Nobody hears me in Teams calls.", "1", "2",
     "2", "", SERVICE_DESK, "software", 8, ()),
    (BOW, BOW, "Keyboard missing keys", "The E and R keys fell off.", "8", "3", "3", "",
     HARDWARE, "hardware", 9, ()),
    (BOW, BETH, "Wi-Fi slow in meeting room Oak", "Reported at the front desk.", "2", "2",
     "3", BETH, NETWORK, "network", 10, ()),
    (CAROL, CAROL, "SAP login fails with error 403", "SAP says access forbidden.", "1",
     "1", "1", "", SERVICE_DESK, "software", 11, ()),
    (CAROL, CAROL, "Need Visio licence", "Please install Visio for process diagrams.", "3",
     "3", "3", BETH, SERVICE_DESK, "software", 12,
     ((BETH, "Waiting for licence approval from your manager."),)),
    (CAROL, CAROL, "Badge does not open garage", "My badge stopped working at the garage.",
     "6", "3", "2", BETH, SERVICE_DESK, "inquiry", 13, ()),
    (BETH, BETH, "Replace toner in 2nd floor printer", "Toner low warning.", "2", "3",
     "3", BETH, HARDWARE, "hardware", 14, ()),
    (BOW, ABEL, "Projector in room Elm flickers",
     "Abel reported this on behalf of Bow during a meeting.", "1", "3", "2", "", HARDWARE,
     "hardware", 15, ()),
)


def seed(store: Store) -> None:
    """Fill ``store`` with the fixed users, groups, incidents and comments."""
    for user in SEED_USERS:
        store.add_user(user)
    groups = store.table("sys_user_group")
    for sys_id, name in GROUPS:
        groups[sys_id] = {
            "sys_id": sys_id,
            "name": name,
            "description": f"{name} team",
            "active": "true",
            "sys_created_on": "2025-01-06 09:00:00",
            "sys_created_by": "admin",
            "sys_updated_on": "2025-01-06 09:00:00",
            "sys_updated_by": "admin",
            "sys_mod_count": "0",
        }
    members = store.table("sys_user_grmember")
    for n, (member, group) in enumerate(MEMBERSHIPS, start=1):
        sys_id = f"{n:04x}" + "7a6b5c4d3e2f1a0b9c8d7e6f5a4b"
        members[sys_id] = {
            "sys_id": sys_id,
            "user": member,
            "group": group,
            "sys_created_on": "2025-01-06 09:00:00",
            "sys_created_by": "admin",
            "sys_updated_on": "2025-01-06 09:00:00",
            "sys_updated_by": "admin",
            "sys_mod_count": "0",
        }
    for index, row in enumerate(_INCIDENTS, start=1):
        (caller, opened_by, short, description, state, impact, urgency, assignee, group,
         category, day, comments) = row
        opener = store.user_by_sys_id(opened_by)
        opened = f"2026-05-{day:02d} 09:{index:02d}:00"
        record = store.insert(
            "incident",
            {
                "sys_id": f"{index:04x}" + "9e0c1d2b3a4f5e6d7c8b9a0f1e2d",
                "caller_id": caller,
                "opened_by": opened_by,
                "short_description": short,
                "description": description,
                "state": state,
                "impact": impact,
                "urgency": urgency,
                "assigned_to": assignee,
                "assignment_group": group,
                "category": category,
                "contact_type": "self-service",
                "close_code": "Solved (Permanently)" if state in ("6", "7") else "",
                "close_notes": "Done." if state in ("6", "7") else "",
            },
            user=opener,
            at=opened,
        )
        for n, (author, text) in enumerate(comments, start=1):
            store.add_journal(
                table="incident",
                sys_id=record["sys_id"],
                element="comments",
                text=text,
                user=store.user_by_sys_id(author),
                at=f"2026-05-{day:02d} 1{n}:00:00",
            )
        if comments:
            last = f"2026-05-{day:02d} 1{len(comments)}:00:00"
            record["sys_updated_on"] = last
            record["sys_mod_count"] = str(len(comments))
