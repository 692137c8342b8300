"""Who sees which personal numbers in full (one place for the masking rule).

- Phone numbers are the tools of people who call: branch workers and office staff see them in
  full on a retiree's page and on call lists; administrators (who manage users and exports, not
  calls) see them masked and may reveal one, which is logged. Lists of many people (the registry)
  show them masked to everybody.
- ID numbers are shown masked to everybody; office staff and administrators may reveal one (logged).
"""


def sees_full_phone(user) -> bool:
    return user.is_active and not user.is_admin_role


def can_export(user) -> bool:
    """Office staff and admins export; branch workers do not (files leave the app's access control)."""
    return user.is_authenticated and user.is_office


def may_reveal(user, field: str) -> bool:
    if field == "id_number":
        return user.is_office
    return True
