"""Where PostgreSQL passwords live: in the OS keyring (Windows Credential
Manager, macOS Keychain, the Secret Service on Linux; the ``keyring``
package), never in the settings file. The settings keep the URL without
its password; the password is looked up by that URL. Where no keyring
backend works the password is not kept at all and asked at each start.
Qt-free: the start dialog asks, this module stores and finds."""

from __future__ import annotations

import logging

from sqlalchemy.engine import URL, make_url

SERVICE = "GridAdmin"
_log = logging.getLogger("gridadmin.credentials")


def split_password(location: str) -> tuple[str, str | None]:
    """``(location without password, password or None)``; a file path or
    anything that is not a URL comes back unchanged."""
    if "://" not in str(location):
        return str(location), None
    try:
        url = make_url(location)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: leave it alone
        return str(location), None
    if url.password is None:
        return str(location), None
    bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False), str(url.password)


def with_password(location: str, password: str) -> str:
    """``location`` (a URL without password) with ``password`` set."""
    return make_url(location).set(password=password).render_as_string(hide_password=False)


def needs_password(location: str) -> bool:
    """A server URL (not SQLite) that names no password."""
    if "://" not in str(location or ""):
        return False
    try:
        url = make_url(location)
    except Exception:  # noqa: BLE001
        return False
    return url.get_backend_name() != "sqlite" and url.password is None


def save_password(location: str, password: str) -> bool:
    """Keep ``password`` for ``location`` (without password) in the OS
    keyring; False when there is no working keyring (nothing is kept)."""
    try:
        import keyring

        keyring.set_password(SERVICE, location, password)
        return True
    except Exception as exc:  # noqa: BLE001 - no backend, locked, no D-Bus …: asked at each start
        _log.info("no keyring to keep the database password (%s)", type(exc).__name__)
        return False


def load_password(location: str) -> str | None:
    """The password kept for ``location``, or None (none kept, or no keyring)."""
    try:
        import keyring

        return keyring.get_password(SERVICE, location)
    except Exception as exc:  # noqa: BLE001
        _log.info("no keyring to read the database password from (%s)", type(exc).__name__)
        return None


def forget_password(location: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, location)
    except Exception:  # noqa: BLE001 - nothing kept, or no keyring
        pass


def stored_location(location: str) -> str:
    """What may be written into the settings for ``location``: the URL
    without its password, which goes to the keyring (when there is one)."""
    bare, password = split_password(location)
    if password is not None:
        save_password(bare, password)
    return bare


def completed(location: str) -> str:
    """``location`` with the keyring's password filled in when it names
    none and one is kept; else unchanged."""
    if not needs_password(location):
        return location
    password = load_password(location)
    return with_password(location, password) if password is not None else location
