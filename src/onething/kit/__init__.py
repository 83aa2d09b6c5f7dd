"""The kit: settings-independent building blocks every layer may use.

Database sessions, errors, translation, the working-day calendar, identifier checks.
"""
