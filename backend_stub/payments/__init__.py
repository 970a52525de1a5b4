"""The payment use cases, one job per module: `command` (what to pay, as the backend means it), `plan`
(the quote), `charge` (the processor's keyed authorise, capture, void), `record` (the payment's rows and
audit), `notify` (its mail), `flow` (the intent path every payment takes: intent, authorise, record,
capture), `make` (a request's payment), `due` (the backend's own, one claimed unit each), `recovery`
(what a crash left), `settle` (bank settlement and returns), `autopay` and `scheduling` (standing
instructions).

Each takes the business date as an argument: none reads or moves the stored clock to date what it does.
This package file imports nothing, so importing one module never loads the rest.
"""
