"""Health, sign-in (codes, passwords, sessions), the caller's accounts, and guest sessions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backend_stub.schemas.base import Email, Model, PlainLine, UtcDateTime


# -- health and login -----------------------------------------------------------------------------
class Health(Model):
    status: Literal["ok"]
    version: str


class CodeRequest(Model):
    email: Email


class CodeSent(Model):
    status: Literal["sent"]
    message: str


class VerifyRequest(Model):
    email: Email
    code: Annotated[PlainLine, Field(min_length=1, max_length=32, examples=["123456"])]


class User(Model):
    id: int
    email: str
    name: str
    role: Literal["customer", "clerk"]


class Login(Model):
    token: str
    expires_at: UtcDateTime
    user: User


class AccountRef(Model):
    id: int
    account_number: str
    name: str


class Me(Model):
    user: User
    accounts: list[AccountRef]


# -- passwords ------------------------------------------------------------------------------------
class SignupRequest(Model):
    email: Email


class ForgotRequest(Model):
    account_number: Annotated[PlainLine, Field(min_length=1, max_length=32, examples=["4100012345"])]
    email: Email


class LinkSent(Model):
    status: Literal["sent"]
    message: str


class PasswordSet(Model):
    token: Annotated[PlainLine, Field(min_length=1, max_length=512)]
    password: Annotated[PlainLine, Field(min_length=1, max_length=1024)]


class PasswordSetDone(Model):
    status: Literal["password_set"]


class PasswordLogin(Model):
    email: Email
    password: Annotated[PlainLine, Field(min_length=1, max_length=1024)]


# -- guest ----------------------------------------------------------------------------------------
class GuestLookup(Model):
    account_number: Annotated[PlainLine, Field(min_length=1, max_length=32, examples=["4100012345"])]
    last_name: Annotated[PlainLine, Field(min_length=1, max_length=100, examples=["Whitfield"])]


class GuestSession(Model):
    token: str
    account_id: int
    expires_at: UtcDateTime
