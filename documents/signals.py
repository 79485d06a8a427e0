"""Signals other apps listen to, so that documents never imports them.

``iteration_saved`` is sent inside the transaction that creates the iteration,
after the row exists: a receiver's writes commit or roll back with it (reviews
carries open comments forward this way, so a saved iteration never lacks a
thread of the one before). Arguments: ``previous`` (the iteration before, or
None for the first), ``revision`` (the new one) and ``user`` (who saved it).
"""

from django.dispatch import Signal

iteration_saved = Signal()
