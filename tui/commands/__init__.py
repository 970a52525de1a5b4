"""The scriptable `paydesk` commands on the app's own client (tui/api) and session store.

- parsers.py: the arguments, argparse only (imported by tui/cli.py; everything else loads when a
  command runs)
- session.py: the server, the stored session, the client, which account, and how a failure is said
- output.py: rich tables, JSON and CSV
- login.py, reads.py, pay.py: the commands
"""
