"""The payment use cases, one job per module: `command` (what to pay, as the backend means it), `plan`
(the quote), `charge` (the processor's authorise, capture, void), `record` (the payment's rows and audit),
`notify` (its mail), `make` (the request path and the in-transaction path that put these together),
`settle` (bank settlement and returns), `autopay` and `scheduling` (standing instructions).

Each takes the connection and the business date as arguments: none reads or moves the stored clock to
date what it does. This package file imports nothing, so importing one module never loads the rest.
"""
