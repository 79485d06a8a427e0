"""The Redis broker transport, made to outlive a broker restart with tasks in flight.

When a worker loses Redis, Celery's consumer lets the old connection go (its
transport forgets its client) and connects again. Messages received over the old
connection may still be acknowledged, rejected or put back afterwards: a task
finishing at that moment, or the channel's close putting back the messages of the
tasks still running (again, if Redis was still down the first time). Each of these
needs a client the old connection no longer has, and kombu's ``AttributeError:
'NoneType' object has no attribute 'hostname'`` (or ``'client'``) ends the whole
worker ("Unrecoverable error"), once in every few broker restarts.

Here such a message is left where it is, in Redis's unacked set: the next worker to
start, or any worker's periodic check, puts it back on its queue once the visibility
timeout has passed. Every task that sends e-mail is safe to run twice (its
deliveries are claimed and leased, delivery.py). Selected by
``CELERY_BROKER_TRANSPORT`` (settings.py).
"""

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def _connection_gone(self, what: str, count: int) -> bool:
        transport = self.channel.connection
        if transport is not None and transport.client is not None:
            return False
        logger.warning(
            "Broker connection gone before %s %s message(s): they come back from the "
            "unacked set after the visibility timeout",
            what,
            count,
        )
        return True

    def restore_unacked(self, client=None):
        if client is None and self._connection_gone("restoring", len(self._delivered)):
            return
        super().restore_unacked(client)

    def ack(self, delivery_tag):
        if self._connection_gone("acknowledging", 1):
            return
        super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if self._connection_gone("rejecting", 1):
            return
        super().reject(delivery_tag, requeue=requeue)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
