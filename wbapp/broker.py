"""The Redis broker transport, made to outlive a broker restart with tasks in flight.

When a worker loses Redis, Celery's consumer first lets the old connection go
(``collect``: its transport forgets its client), then closes it. Closing the channel
puts the messages of the tasks still running back on their queue; if Redis was
still down during the first try, the second one finds no client to connect with,
and kombu's ``AttributeError: 'NoneType' object has no attribute 'hostname'`` ends
the whole worker ("Unrecoverable error"), once in every few broker restarts.

Here that second try leaves those messages where they are, in Redis's unacked
set: the next worker to start, or any worker's periodic check, puts them back on
their queue once the visibility timeout has passed. Every task that sends e-mail
is safe to run twice (its deliveries are claimed and leased, delivery.py).
Selected by ``CELERY_BROKER_TRANSPORT`` (settings.py).
"""

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        if client is None and self.channel.connection.client is None:
            logger.warning(
                "Broker connection gone: %s unacknowledged message(s) come back "
                "after the visibility timeout",
                len(self._delivered),
            )
            return
        super().restore_unacked(client)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
