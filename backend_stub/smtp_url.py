"""Where mail goes: `smtp://host[:port]`, `smtp+starttls://…`, `smtps://user:pass@host[:port]`.

A leaf module (standard library only). Errors name the URL with its password replaced by `***`, so a
bad `--smtp` or `PAYDESK_SMTP_URL` can be reported in a log line without giving the secret away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

# scheme -> (how the connection is secured, default port)
SCHEMES: dict[str, tuple[str, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


@dataclass(frozen=True)
class SmtpTarget:
    security: str  # plain | starttls | tls
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def redacted(self) -> str:
        """The URL as it may be logged: no password."""
        scheme = next(name for name, (security, _port) in SCHEMES.items() if security == self.security)
        user = f"{self.username}:***@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"


def redact(url: str) -> str:
    """`url` with any password replaced by `***` (for messages about a URL that did not parse)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in userinfo else url


def parse_smtp_url(url: str) -> SmtpTarget:
    """The target `url` names; ValueError (with the password hidden) when it is not a usable one."""
    shown = redact(url.strip())
    bad = f"the SMTP URL {shown!r} is not usable"
    if any(ch.isspace() or ord(ch) < 32 for ch in url.strip()):
        raise ValueError(f"{bad}: it has spaces or control characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(f"{bad}: the port must be a number 1..65535") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"{bad}: it must start with smtp://, smtp+starttls:// or smtps://")
    if not parts.hostname:
        raise ValueError(f"{bad}: it names no host (smtp://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{bad}: only smtp://[user:password@]host[:port] is understood")
    if port == 0:
        raise ValueError(f"{bad}: the port must be a number 1..65535")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise ValueError(f"{bad}: a password needs a user name (user:password@host)")
    security, default_port = SCHEMES[scheme]
    return SmtpTarget(security, parts.hostname, port or default_port, username, password)
