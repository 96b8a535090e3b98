"""The events the connector publishes (through the outbox), for the parts that count what it does."""

# A dossier's sync records changed: new ones recorded, accepted by the national portal, or set to be sent again.
# Payload: {"dossiers": [dossier ids]}.
RECORDS_CHANGED = "sync.records_changed"
