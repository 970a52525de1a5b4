"""The whole data model as SQLAlchemy Core tables. Money is integer cents (BigInteger), never Numeric.

Times are naive UTC datetimes (the same on SQLite and PostgreSQL); business dates are `Date`s that
follow the backend clock (see clock.py).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

# Stable constraint names so Alembic migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Money = BigInteger

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),  # stored lower-cased
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint("role IN ('customer', 'clerk')", name="role"),
)
Index("ux_users_email_lower", func.lower(users.c.email), unique=True)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("type", String(8), nullable=False),
    Column("brand", String(32), nullable=True),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=True),
    Column("exp_year", Integer, nullable=True),
    Column("bank_name", String(100), nullable=True),
    Column("processor_token", String(100), nullable=False),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    # 0002: a card's funding (credit | debit | prepaid: the surcharge needs it), a bank's account type.
    Column("funding", String(8), nullable=True),
    Column("account_type", String(8), nullable=True),
    CheckConstraint("type IN ('card', 'ach')", name="type"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_number", String(10), nullable=False, unique=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(32), nullable=True),
    Column("service_address", String(300), nullable=False),
    Column("paperless", Boolean, nullable=False, default=False),
    Column("sms_opt_in", Boolean, nullable=False, default=False),
    Column("autopay_enabled", Boolean, nullable=False, default=False),
    Column(
        "autopay_method_id",
        Integer,
        ForeignKey("payment_methods.id", use_alter=True, ondelete="SET NULL"),
        nullable=True,
    ),
    Column("credit_cents", Money, nullable=False, default=0),
    # 0005: the newest failed autopay run, shown on the account until a run succeeds or the enrolment changes.
    Column("autopay_failed_on", Date, nullable=True),
    Column("autopay_failure", String(300), nullable=True),
    # 0015: the fee terms accepted when autopay was turned on (JSON: kind, amount_cents or basis_points);
    # null: none accepted (a run that would take a fee is skipped).
    Column("autopay_fee_terms", Text, nullable=True),
)
Index("ix_accounts_last_name_lower", func.lower(accounts.c.last_name))
Index("ix_accounts_email_lower", func.lower(accounts.c.email))

user_accounts = Table(
    "user_accounts",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
)
Index("ix_user_accounts_account", user_accounts.c.account_id)

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("address", String(300), nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(32), nullable=False, unique=True),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount_cents", Money, nullable=False),
    Column("balance_cents", Money, nullable=False),
    Column("pending_cents", Money, nullable=False, default=0),
    Column("state", String(8), nullable=False),
    Column("pay_state", String(12), nullable=False),
    Column("parent_id", Integer, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=True),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="SET NULL"), nullable=True),
    Column("children_count", Integer, nullable=False, default=0),
    CheckConstraint("state IN ('unsent', 'sent', 'void')", name="state"),
    CheckConstraint("pay_state IN ('open', 'in_progress', 'paid')", name="pay_state"),
    CheckConstraint("balance_cents >= 0 AND pending_cents >= 0", name="money_non_negative"),
)
# The list query: one account's top-level sent invoices, by tab, newest first. `children_count` last: the
# kind filter (single, multi) is then checked, and the list counted, from the index alone.
Index(
    "ix_invoices_list",
    invoices.c.account_id,
    invoices.c.parent_id,
    invoices.c.state,
    invoices.c.pay_state,
    invoices.c.issued_on,
    invoices.c.id,
    invoices.c.children_count,
)
# The "all" tab and the summary: no pay_state in the way of the order.
Index("ix_invoices_account_issued", invoices.c.account_id, invoices.c.issued_on, invoices.c.id)
Index("ix_invoices_parent", invoices.c.parent_id)

# How many top-level sent invoices an account has per pay_state and kind (multi: children_count > 0), kept
# by triggers on `invoices` in the transaction of every change (migration 0011): the list's total_count
# without counting the invoices. Never written by the application.
invoice_counts = Table(
    "invoice_counts",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("pay_state", String(12), primary_key=True),
    Column("multi", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

# The data version of each account's invoice pages, raised by triggers in the transaction of every change
# a page could show (migration 0017): the page cache's key (backend_stub/page_cache.py). Never written by
# the application.
invoice_page_versions = Table(
    "invoice_page_versions",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("version", BigInteger, nullable=False),
)

line_items = Table(
    "line_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("description", String(200), nullable=False),
    Column("quantity", Integer, nullable=False, default=1),
    Column("unit_cents", Money, nullable=False),
    Column("amount_cents", Money, nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("confirmation_number", String(32), nullable=False, unique=True),
    Column("status", String(20), nullable=False),  # 0012: 20, for partially_refunded
    Column("amount_cents", Money, nullable=False),
    Column("fees_cents", Money, nullable=False, default=0),
    Column("total_cents", Money, nullable=False),
    Column("credit_cents", Money, nullable=False, default=0),
    Column("channel", String(16), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("settles_on", Date, nullable=True),
    Column("return_code", String(8), nullable=True),
    # 0002: where the receipt went, and how the payer authorised it (JSON: kind, script_version, ...).
    Column("receipt_email", String(254), nullable=True),
    Column("auth_detail", Text, nullable=True),
    # 0012: a clerk's void (business-dated like created_at), the card money refunded so far, and when the
    # processor was told of the void (null on a voided payment: still to tell; see payments/undo.py).
    Column("voided_at", DateTime, nullable=True),
    Column("void_reason", String(500), nullable=True),
    Column("voided_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("refunded_cents", Money, nullable=False, server_default="0"),
    Column("void_sent_at", DateTime, nullable=True),  # when the processor was told of the void
    CheckConstraint(
        "status IN ('succeeded', 'pending', 'failed', 'returned', "
        "'voided', 'refunded', 'partially_refunded')",
        name="status",
    ),
)
Index("ix_payments_account_created", payments.c.account_id, payments.c.created_at, payments.c.id)
Index("ix_payments_status_settles", payments.c.status, payments.c.settles_on)

payment_parts = Table(
    "payment_parts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("payments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("method_type", String(8), nullable=False),
    Column("brand", String(32), nullable=True),
    Column("last4", String(4), nullable=False),
    Column("bank_name", String(100), nullable=True),
    Column("amount_cents", Money, nullable=False),
    Column("fee_cents", Money, nullable=False, default=0),
    Column("processor_token", String(100), nullable=True),
    Column("status", String(12), nullable=False),
    # 0002: the card's funding and the fees as charged (JSON list of {kind, amount_cents, description,
    # refundable}): the wording is kept as the payer accepted it.
    Column("funding", String(8), nullable=True),
    Column("fees", Text, nullable=True),
    CheckConstraint("method_type IN ('card', 'ach')", name="method_type"),
)

allocations = Table(
    "allocations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("payments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("amount_cents", Money, nullable=False),
    # 0016: the part of the payment whose money this is (card parts pay the oldest invoices, at once; a
    # bank part's money is pending until it settles). An invoice two parts share has a row for each.
    Column("part_id", Integer, ForeignKey("payment_parts.id", ondelete="CASCADE"), nullable=True, index=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(64), nullable=False),  # the caller: "user:<id>" or "guest:<session id>"
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", String(12), nullable=False),  # running | done
    Column("response_status", Integer, nullable=True),
    Column("response_body", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    # 0008: the live process running the request (see process_leases); a lease, not a timeout, keeps it.
    Column("owner", String(64), nullable=True),
    UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
)

# 0002: the fake processor's own records. A token keeps what a processor would tell a merchant (brand,
# last 4, expiry, funding, bank name) and the test behaviour of the number it stands for (a decline code,
# an ACH return code, "pending" forever): never the card number, the CVC or the bank account number.
processor_tokens = Table(
    "processor_tokens",
    metadata,
    Column("token", String(100), primary_key=True),
    Column("kind", String(8), nullable=False),  # card | ach
    Column("brand", String(32), nullable=True),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=True),
    Column("exp_year", Integer, nullable=True),
    Column("funding", String(8), nullable=True),
    Column("bank_name", String(100), nullable=True),
    Column("account_type", String(8), nullable=True),
    Column("behaviour", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    # 0007: null for a guest session (one-time payment), which names its account instead.
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("kind", String(8), nullable=False, server_default="user"),  # user | guest
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True),
    Column("spent_at", DateTime, nullable=True),  # a guest session's one payment went through
    # 0013: a clerk's last request the user made (written at most every few seconds: session_idle.py).
    Column("last_active_at", DateTime, nullable=True),
)

verification_codes = Table(
    "verification_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),  # lower-cased
    Column("code_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("dead", Boolean, nullable=False, default=False),
    Column("used_at", DateTime, nullable=True),
)
Index("ix_verification_codes_email", verification_codes.c.email, verification_codes.c.id)

# Every code request, known email or not: the rate limit counts these.
code_requests = Table(
    "code_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),  # lower-cased
    Column("at", DateTime, nullable=False),
)
Index("ix_code_requests_email_at", code_requests.c.email, code_requests.c.at)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("to", String(254), nullable=False),  # lower-cased
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("sent_at", DateTime, nullable=False),  # when it was written (what the dev inbox shows)
    # 0010: delivery by SMTP (mail_delivery.py). The Message-ID is made with the row, so a message sent
    # twice (a worker died mid-conversation) carries the same one. `claimed_by` + `claim_expires_at` are a
    # lease: a message left `sending` by a dead worker is claimed again once it expires.
    Column("message_id", String(200), nullable=False),
    Column("status", String(8), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime, nullable=True),
    Column("last_error", String(300), nullable=True),  # the SMTP server's answer or the socket error
    Column("claimed_by", String(80), nullable=True),
    Column("claim_expires_at", DateTime, nullable=True),
    Column("delivered_at", DateTime, nullable=True),  # when the SMTP server took it
    CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
)
Index("ix_outbox_to_id", outbox.c.to, outbox.c.id)
Index("ix_outbox_message_id", outbox.c.message_id, unique=True)
Index("ix_outbox_status_next_attempt_at", outbox.c.status, outbox.c.next_attempt_at)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor_user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("action", String(64), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
    Column("detail", Text, nullable=False, default="{}"),  # JSON text
    Column("at", DateTime, nullable=False),
    # 0013: the backend clock's today when written (`date=` filters on it; rows before 0013: at's date).
    Column("business_date", Date, nullable=True),
)
Index("ix_audit_log_account", audit_log.c.account_id, audit_log.c.id)
Index("ix_audit_log_actor_day", audit_log.c.actor_user_id, audit_log.c.business_date, audit_log.c.id)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# 0003: Contact us. The business reads these (and gets each one by email).
messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
Index("ix_messages_account_id", messages.c.account_id, messages.c.id)

# 0004: set-password tokens (sha256 of the token; single use; a newer one supersedes the older).
password_tokens = Table(
    "password_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("purpose", String(16), nullable=False),  # signup | reset
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime, nullable=True),
)

# 0004: every sign-up, reset and password-login request by kind and key (an email, or a guest lookup's
# client address or account number): the rate limits count these, known email or not.
auth_requests = Table(
    "auth_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("key", String(254), nullable=False),
    Column("at", DateTime, nullable=False),
)
Index("ix_auth_requests_kind_key_at", auth_requests.c.kind, auth_requests.c.key, auth_requests.c.at)

# 0005: one autopay run per invoice per due date (the unique key makes it once, however the clock moves).
autopay_runs = Table(
    "autopay_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("invoice_id", Integer, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(12), nullable=False),  # succeeded | pending | failed | skipped (nothing left)
    Column("payment_id", Integer, ForeignKey("payments.id", ondelete="SET NULL"), nullable=True),
    Column("message", String(300), nullable=True),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("invoice_id", "due_on", name="uq_autopay_runs_invoice_due"),
)

# 0006: scheduled payments. `target` is the payment target as JSON; the status leaves `scheduled` when the
# clock runs it (paid | failed | skipped: nothing left to pay) or the customer cancels it.
scheduled_payments = Table(
    "scheduled_payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("target", Text, nullable=False),
    Column("method_id", Integer, ForeignKey("payment_methods.id", ondelete="SET NULL"), nullable=True),
    Column("pay_on", Date, nullable=False),
    Column("amount_cents", Money, nullable=False),
    Column("receipt_email", String(254), nullable=False),
    Column("status", String(12), nullable=False),
    Column("payment_id", Integer, ForeignKey("payments.id", ondelete="SET NULL"), nullable=True),
    Column("failure_message", String(300), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    # 0015: the fees quoted and accepted when it was scheduled, with their words (JSON, as payment_parts
    # keeps them); null on rows made before, which accepted none. A run with other fees is skipped.
    Column("fees_cents", Money, nullable=True),
    Column("fees", Text, nullable=True),
)
Index(
    "ix_scheduled_payments_account",
    scheduled_payments.c.account_id,
    scheduled_payments.c.pay_on,
    scheduled_payments.c.id,
)
Index("ix_scheduled_payments_status_pay_on", scheduled_payments.c.status, scheduled_payments.c.pay_on)

# 0008: the processor's own record of what it did, keyed by the idempotency key the backend sends with
# each call (as card processors take one): it is written in the processor's own short transactions, never
# inside the backend's, so it outlives a backend crash and can be asked about afterwards. A keyed decline
# is kept too, so the same key answers the same decline.
processor_charges = Table(
    "processor_charges",
    metadata,
    Column("id", String(40), primary_key=True),  # auth_...
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("token", String(100), nullable=False),
    Column("amount_cents", Money, nullable=False),
    Column("state", String(12), nullable=False),
    Column("refunded_cents", Money, nullable=False, server_default="0"),
    Column("decline_code", String(32), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    CheckConstraint("state IN ('authorized', 'captured', 'voided', 'refunded', 'declined')", name="state"),
    CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_within"),
)

processor_refunds = Table(
    "processor_refunds",
    metadata,
    Column("id", String(40), primary_key=True),  # re_...
    Column("charge_id", String(40), ForeignKey("processor_charges.id"), nullable=False, index=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("amount_cents", Money, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# 0008: the live server processes. Each renews its lease (expires_at) with a heartbeat while it runs; work it
# owns (a running idempotency record, a payment intent) is recovered once the lease has run out.
process_leases = Table(
    "process_leases",
    metadata,
    Column("owner", String(64), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# 0008: a payment's intent, committed before the processor is asked: the parts it will authorise (type,
# token, amount, fee, processor key; never a card number) and how far it got (authorizing: the processor may
# hold authorisations; recorded: the payment is written, card parts still to capture; done; failed). A
# request's intent names its idempotency record; a due payment's its unit (`unit_key`, unique: the claim
# that makes it run once). AUTOINCREMENT: an id is never reused, so neither is a processor key.
payment_intents = Table(
    "payment_intents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column(
        "idempotency_id",
        Integer,
        ForeignKey("idempotency_keys.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    Column("unit_key", String(128), nullable=True, unique=True),
    Column("owner", String(64), nullable=True),
    Column("state", String(12), nullable=False),
    Column("parts", Text, nullable=False),
    Column("payment_id", Integer, ForeignKey("payments.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    CheckConstraint("state IN ('authorizing', 'recorded', 'done', 'failed')", name="state"),
    sqlite_autoincrement=True,
)
Index("ix_payment_intents_state", payment_intents.c.state)

# 0012: a clerk's refund of a settled card payment: how much, why, by whom, and where the money came from
# (`from_credit_cents` out of the credit the payment made, `reopened`: JSON [[invoice id, cents], ...]).
# `created_at` is business-dated, as payments' is.
payment_refunds = Table(
    "payment_refunds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("payments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("amount_cents", Money, nullable=False),
    Column("from_credit_cents", Money, nullable=False),
    Column("reopened", Text, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),  # when the processor refunded it (null: still to tell)
    CheckConstraint("amount_cents > 0", name="amount_positive"),
)

# 0012: a clerk's identity check of a caller on an account (what was checked, JSON list, and whether it
# passed). A passed, unexpired check by that clerk lets them change that account (see identity_gate.py).
identity_checks = Table(
    "identity_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("clerk_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("checked", Text, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)
Index(
    "ix_identity_checks_account_clerk",
    identity_checks.c.account_id,
    identity_checks.c.clerk_id,
    identity_checks.c.expires_at,
)
# 0013: a clerk's notes on an account (the call's wrap-up), newest first.
NOTE_DISPOSITIONS = ("paid", "promised_to_pay", "question_answered", "dispute", "other")
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("body", Text, nullable=False),
    Column("disposition", String(24), nullable=False),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint(
        "disposition IN ('paid', 'promised_to_pay', 'question_answered', 'dispute', 'other')",
        name="disposition",
    ),
)
Index("ix_notes_account_id", notes.c.account_id, notes.c.id)

# 0013: what happened to an account's money without anyone asking (a bank return, a failed or skipped
# autopay or scheduled run), in words, written in the event's own transaction. `source_key` (unique) names
# the event (`return:<payment id>`): one event, one notice, however often its unit runs.
NOTICE_KINDS = (
    "bank_payment_returned",
    "autopay_failed",
    "scheduled_payment_failed",
    "autopay_skipped",
    "scheduled_payment_skipped",
    "fees_changed",  # 0015: a run skipped because its fees are not the ones accepted
)
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_on", Date, nullable=False),  # the business date of the event
    Column("seen", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("source_key", String(128), nullable=False),
    UniqueConstraint("source_key", name="uq_notices_source_key"),
    CheckConstraint(
        "kind IN ('bank_payment_returned', 'autopay_failed', 'scheduled_payment_failed', "
        "'autopay_skipped', 'scheduled_payment_skipped', 'fees_changed')",
        name="kind",
    ),
)
Index("ix_notices_account_id", notices.c.account_id, notices.c.id)

# 0014: a billing email change waiting for its code (issue 10). The code goes to `new_email`; only its
# peppered hash is kept. `status`: pending until confirmed, superseded by a newer request, cancelled (the
# PATCH sent the current email back) or dead (5 wrong codes). An expired one is pending past `expires_at`.
EMAIL_CHANGE_STATUSES = ("pending", "confirmed", "superseded", "cancelled", "dead")
email_changes = Table(
    "email_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("old_email", String(254), nullable=False),
    Column("new_email", String(254), nullable=False),  # lower-cased
    Column("code_hash", String(64), nullable=False),
    Column("requested_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("status", String(12), nullable=False),
    Column("closed_at", DateTime, nullable=True),
    CheckConstraint(
        "status IN ('pending', 'confirmed', 'superseded', 'cancelled', 'dead')",
        name="status",
    ),
)
Index("ix_email_changes_account_id", email_changes.c.account_id, email_changes.c.id)
