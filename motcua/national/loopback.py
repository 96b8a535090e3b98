"""The `loopback` sync connector (development): a push goes, signed, through this instance's own national
receiver, in this process — the demo shows the whole path, signature checks included, with no second server."""

from __future__ import annotations

from django.conf import settings

from motcua.national import services
from motcua.national.errors import PushRefused
from motcua.sync import connectors, keys
from motcua.sync import services as sync_services


class LoopbackConnector(connectors.Connector):
    name = "loopback"

    def send(self, token: str) -> connectors.Answer:
        _register_this_instance()
        try:
            answer = services.receive_batch(token=token, remote_addr="127.0.0.1")
        except PushRefused as refused:
            return connectors.Answer(http_status=refused.status, refused=refused.reason)
        return connectors.Answer(http_status=200, results=answer.results)


def _register_this_instance() -> None:
    """This instance trusts its own current key (development only: a real national instance registers each
    instance's key by an operator's hand)."""
    key = keys.instance_key()
    sync_services.register_peer(
        code=settings.MOTCUA_INSTANCE_CODE, name=settings.MOTCUA_INSTANCE_CODE, public_pem=keys.public_pem(key)
    )


connectors.register("loopback", LoopbackConnector)
