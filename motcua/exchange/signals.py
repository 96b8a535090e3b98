"""The events the exchange publishes (through the outbox)."""

# An outgoing package's receiver reported it processed or returned. Payload: {"package": package pk}.
PACKAGE_SETTLED = "exchange.package_settled"
