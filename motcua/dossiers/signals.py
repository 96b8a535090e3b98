"""Events of the dossier domain, for other parts to act on without the dossier code knowing them.

Each is sent inside the transaction that makes the change, so a receiver's writes commit or roll back
with it (a receiver that fails fails the change).
"""

from django.dispatch import Signal

# A new dossier exists (filed online, or registered at the desk). Arguments: dossier, now.
dossier_filed = Signal()
# A dossier ended without a result (refused, withdrawn, stopped). Arguments: dossier, kind, now.
dossier_closed = Signal()
# A leader approved a dossier (→ 9, result ready): its electronic result must be issued in the same transaction,
# so that no dossier is "result ready" without one. Arguments: dossier, leader, now.
dossier_approved = Signal()

# Outbox events (motcua.events): they leave the transaction, and their subscribers (the index roll-ups, the
# national-portal sync) act after commit, in a worker, each retried on its own.
# An action was appended to a dossier's log. Payload: action (id), dossier (code), kind, to_state.
ACTION_RECORDED = "dossier.action_recorded"
