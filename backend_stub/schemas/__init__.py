"""The wire: pydantic models of every request and response (they also make docs/openapi.json), by subject.

`from backend_stub.schemas import X` keeps working for every model and constant."""

from __future__ import annotations

from backend_stub.schemas.accounts import (
    Account as Account,
)
from backend_stub.schemas.accounts import (
    AccountUpdate as AccountUpdate,
)
from backend_stub.schemas.accounts import (
    Autopay as Autopay,
)
from backend_stub.schemas.accounts import (
    AutopayFailure as AutopayFailure,
)
from backend_stub.schemas.accounts import (
    AutopayRequest as AutopayRequest,
)
from backend_stub.schemas.accounts import (
    ClerkAccount as ClerkAccount,
)
from backend_stub.schemas.accounts import (
    ClerkAccountPage as ClerkAccountPage,
)
from backend_stub.schemas.accounts import (
    FeeTerms as FeeTerms,
)
from backend_stub.schemas.accounts import (
    FeeTermsIn as FeeTermsIn,
)
from backend_stub.schemas.accounts import (
    MessageIn as MessageIn,
)
from backend_stub.schemas.accounts import (
    MessageOut as MessageOut,
)
from backend_stub.schemas.accounts import (
    Summary as Summary,
)
from backend_stub.schemas.auth import (
    AccountRef as AccountRef,
)
from backend_stub.schemas.auth import (
    CodeRequest as CodeRequest,
)
from backend_stub.schemas.auth import (
    CodeSent as CodeSent,
)
from backend_stub.schemas.auth import (
    ForgotRequest as ForgotRequest,
)
from backend_stub.schemas.auth import (
    GuestLookup as GuestLookup,
)
from backend_stub.schemas.auth import (
    GuestSession as GuestSession,
)
from backend_stub.schemas.auth import (
    Health as Health,
)
from backend_stub.schemas.auth import (
    LinkSent as LinkSent,
)
from backend_stub.schemas.auth import (
    Login as Login,
)
from backend_stub.schemas.auth import (
    Me as Me,
)
from backend_stub.schemas.auth import (
    PasswordLogin as PasswordLogin,
)
from backend_stub.schemas.auth import (
    PasswordSet as PasswordSet,
)
from backend_stub.schemas.auth import (
    PasswordSetDone as PasswordSetDone,
)
from backend_stub.schemas.auth import (
    SignupRequest as SignupRequest,
)
from backend_stub.schemas.auth import (
    User as User,
)
from backend_stub.schemas.auth import (
    VerifyRequest as VerifyRequest,
)
from backend_stub.schemas.base import (
    EMAIL_PATTERN as EMAIL_PATTERN,
)
from backend_stub.schemas.base import (
    MAX_ID as MAX_ID,
)
from backend_stub.schemas.base import (
    MAX_LIMIT as MAX_LIMIT,
)
from backend_stub.schemas.base import (
    MULTILINE_TEXT as MULTILINE_TEXT,
)
from backend_stub.schemas.base import (
    PLAIN_TEXT as PLAIN_TEXT,
)
from backend_stub.schemas.base import (
    Email as Email,
)
from backend_stub.schemas.base import (
    ErrorBody as ErrorBody,
)
from backend_stub.schemas.base import (
    ErrorDetail as ErrorDetail,
)
from backend_stub.schemas.base import (
    Model as Model,
)
from backend_stub.schemas.base import (
    PlainLine as PlainLine,
)
from backend_stub.schemas.base import (
    PlainLines as PlainLines,
)
from backend_stub.schemas.base import (
    UtcDateTime as UtcDateTime,
)
from backend_stub.schemas.dev import (
    AuditEntry as AuditEntry,
)
from backend_stub.schemas.dev import (
    AuditPage as AuditPage,
)
from backend_stub.schemas.dev import (
    Clock as Clock,
)
from backend_stub.schemas.dev import (
    ClockRequest as ClockRequest,
)
from backend_stub.schemas.dev import (
    MethodBehaviour as MethodBehaviour,
)
from backend_stub.schemas.dev import (
    OutboxItem as OutboxItem,
)
from backend_stub.schemas.dev import (
    OutboxPage as OutboxPage,
)
from backend_stub.schemas.invoices import (
    AppliedPayment as AppliedPayment,
)
from backend_stub.schemas.invoices import (
    InvoiceDetail as InvoiceDetail,
)
from backend_stub.schemas.invoices import (
    InvoicePage as InvoicePage,
)
from backend_stub.schemas.invoices import (
    InvoiceRow as InvoiceRow,
)
from backend_stub.schemas.invoices import (
    InvoiceStatus as InvoiceStatus,
)
from backend_stub.schemas.invoices import (
    LineItem as LineItem,
)
from backend_stub.schemas.invoices import (
    Site as Site,
)
from backend_stub.schemas.invoices import (
    StatementEntry as StatementEntry,
)
from backend_stub.schemas.invoices import (
    StatementPage as StatementPage,
)
from backend_stub.schemas.payments import (
    AllocationOut as AllocationOut,
)
from backend_stub.schemas.payments import (
    AmountTarget as AmountTarget,
)
from backend_stub.schemas.payments import (
    AuthorizationIn as AuthorizationIn,
)
from backend_stub.schemas.payments import (
    BalanceTarget as BalanceTarget,
)
from backend_stub.schemas.payments import (
    BankIn as BankIn,
)
from backend_stub.schemas.payments import (
    CardIn as CardIn,
)
from backend_stub.schemas.payments import (
    Cents as Cents,
)
from backend_stub.schemas.payments import (
    FeeOut as FeeOut,
)
from backend_stub.schemas.payments import (
    IdIn as IdIn,
)
from backend_stub.schemas.payments import (
    InvoiceChoice as InvoiceChoice,
)
from backend_stub.schemas.payments import (
    InvoicesTarget as InvoicesTarget,
)
from backend_stub.schemas.payments import (
    MethodIn as MethodIn,
)
from backend_stub.schemas.payments import (
    MethodOut as MethodOut,
)
from backend_stub.schemas.payments import (
    NewMethodIn as NewMethodIn,
)
from backend_stub.schemas.payments import (
    NewPaymentMethod as NewPaymentMethod,
)
from backend_stub.schemas.payments import (
    PartIn as PartIn,
)
from backend_stub.schemas.payments import (
    Payment as Payment,
)
from backend_stub.schemas.payments import (
    PaymentMethod as PaymentMethod,
)
from backend_stub.schemas.payments import (
    PaymentMethodPage as PaymentMethodPage,
)
from backend_stub.schemas.payments import (
    PaymentMethodPatch as PaymentMethodPatch,
)
from backend_stub.schemas.payments import (
    PaymentPage as PaymentPage,
)
from backend_stub.schemas.payments import (
    PaymentPart as PaymentPart,
)
from backend_stub.schemas.payments import (
    PaymentRequest as PaymentRequest,
)
from backend_stub.schemas.payments import (
    PaymentTarget as PaymentTarget,
)
from backend_stub.schemas.payments import (
    Quote as Quote,
)
from backend_stub.schemas.payments import (
    QuotePart as QuotePart,
)
from backend_stub.schemas.payments import (
    QuoteRequest as QuoteRequest,
)
from backend_stub.schemas.payments import (
    SavedMethodIn as SavedMethodIn,
)
from backend_stub.schemas.payments import (
    ScheduledChange as ScheduledChange,
)
from backend_stub.schemas.payments import (
    ScheduledCreate as ScheduledCreate,
)
from backend_stub.schemas.payments import (
    ScheduledPage as ScheduledPage,
)
from backend_stub.schemas.payments import (
    ScheduledPayment as ScheduledPayment,
)
from backend_stub.schemas.payments import (
    ShortText as ShortText,
)
