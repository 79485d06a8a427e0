"""The worker outlives a broker restart: it waits for Redis, and closing a lost channel is safe."""

import pytest
from django.conf import settings
from kombu import Connection

from wbapp.celery import app


def test_the_worker_waits_for_the_broker_forever_instead_of_exiting():
    assert app.conf.broker_connection_retry_on_startup is True
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert app.conf.broker_transport == "wbapp.broker:Transport"


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")
def test_a_channel_closed_after_its_lost_connection_was_collected_keeps_the_worker_alive():
    connection = Connection(settings.REDIS_URL, transport="wbapp.broker:Transport")
    channel = connection.channel()
    # A task still running when Redis went away: its message is unacknowledged.
    channel.qos._delivered["in-flight"] = None
    # What the consumer does on losing the broker, before it closes the connection:
    # the first restore failed (Redis was down), then the transport forgot its client.
    channel._disconnect_pools()
    connection.transport.client = None

    # kombu's own channel raises AttributeError ('NoneType' … 'hostname') here.
    channel.close()

    assert channel.qos._delivered.restored


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")
def test_a_task_acknowledged_after_its_connection_was_collected_keeps_the_worker_alive():
    connection = Connection(settings.REDIS_URL, transport="wbapp.broker:Transport")
    channel = connection.channel()
    # What the consumer does on losing the broker: the transport forgets its channel's
    # connection; a task that finished meanwhile is acknowledged afterwards.
    channel._disconnect_pools()
    channel.connection = None

    # kombu's own QoS raises AttributeError ('NoneType' … 'client') on both.
    channel.qos.ack("finished-meanwhile")
    channel.qos.reject("failed-meanwhile", requeue=True)
