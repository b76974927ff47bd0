"""The broker scenarios against RabbitMQ, plus what only a real AMQP broker can show."""

from __future__ import annotations

import aio_pika
import pytest

from shared.brokers.amqp import AmqpBroker
from shared.contract import RunEvent, encode
from shared.errors import BrokerError
from shared.topology import RESULTS_QUEUE, RUNNER_QUEUE, event_key

from .amqp_harness import AmqpHarness
from .base_suite import BrokerSuite
from .support import WAIT_S, Events, Inbox, seam_job

pytestmark = pytest.mark.rabbitmq


class AmqpFixtures:
    """The suite's ``harness`` and ``broker`` fixtures, on RabbitMQ."""

    @pytest.fixture
    def harness(self, amqp_harness: AmqpHarness) -> AmqpHarness:
        return amqp_harness

    @pytest.fixture
    def broker(self, amqp_broker: AmqpBroker) -> AmqpBroker:
        return amqp_broker


class TestAmqpBroker(AmqpFixtures, BrokerSuite):
    pass


class TestAmqpSpecifics(AmqpFixtures):
    async def test_job_leaves_with_the_contract_properties(
        self, broker: AmqpBroker, harness: AmqpHarness
    ) -> None:
        await broker.publish(RUNNER_QUEUE, seam_job(), priority=5, message_id="m-1")

        queue = await harness.channel.declare_queue(broker.names.real(RUNNER_QUEUE), passive=True)
        message = await queue.get(no_ack=True, timeout=WAIT_S)

        assert message is not None
        assert (message.content_type, message.type) == ("application/json", "SeamJob")
        assert (message.message_id, message.correlation_id) == ("m-1", "run-1")
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert message.priority == 5

    async def test_event_leaves_with_its_properties(
        self, broker: AmqpBroker, harness: AmqpHarness
    ) -> None:
        queue = await harness.channel.declare_queue(exclusive=True)
        await queue.bind(broker.names.events_exchange, routing_key="#")
        event = RunEvent(run_id="run-1", event="seam")

        await broker.publish_event(event_key("run-1", "seam"), event)

        message = await queue.get(no_ack=True, timeout=WAIT_S)
        assert message is not None
        assert (message.body, message.type) == (encode(event), "RunEvent")
        assert (message.routing_key, message.correlation_id) == ("run.run-1.seam", "run-1")
        assert message.delivery_mode == aio_pika.DeliveryMode.NOT_PERSISTENT

    async def test_message_redelivered_after_its_consumer_vanished_counts_a_delivery(
        self, broker: AmqpBroker, harness: AmqpHarness
    ) -> None:
        await broker.publish(RUNNER_QUEUE, seam_job(), message_id="m-1")
        vanishing = await harness.connection.channel()
        queue = await vanishing.declare_queue(broker.names.real(RUNNER_QUEUE), passive=True)
        taken = await queue.get(no_ack=False, timeout=WAIT_S)
        assert taken is not None
        await vanishing.close()

        inbox = Inbox()
        await harness.consume(RUNNER_QUEUE, inbox)

        delivery = await inbox.next()
        assert (delivery.message_id, delivery.delivery_count) == ("m-1", 2)

    async def test_undecodable_event_is_dropped_and_the_next_one_delivered(
        self, broker: AmqpBroker, harness: AmqpHarness
    ) -> None:
        events = Events()
        subscription = await broker.subscribe_events("run.run-1.#", events)
        exchange = await harness.channel.get_exchange(broker.names.events_exchange)
        valid = RunEvent(run_id="run-1", event="accepted")

        await exchange.publish(
            aio_pika.Message(b"garbage", type="RunEvent"), event_key("run-1", "seam")
        )
        await broker.publish_event(event_key("run-1", "accepted"), valid)

        assert await events.next() == valid
        await subscription.cancel()

    async def test_second_broker_on_the_same_prefix_shares_the_topology(
        self, broker: AmqpBroker, harness: AmqpHarness, amqp_url: str
    ) -> None:
        inbox = Inbox()
        await harness.consume(RESULTS_QUEUE, inbox)

        async with AmqpBroker(amqp_url, prefix=broker.names.prefix) as other:
            await other.publish(RUNNER_QUEUE, seam_job())
            await other.publish(RESULTS_QUEUE, seam_job())

        assert (await inbox.next()).message == seam_job()
        assert await broker.depth(RUNNER_QUEUE) == 1

    async def test_queue_declared_with_other_arguments_fails_start_clearly(
        self, harness: AmqpHarness, amqp_url: str, amqp_prefix: str
    ) -> None:
        clashing = AmqpBroker(amqp_url, prefix=f"{amqp_prefix}x")
        await harness.channel.declare_queue(clashing.names.real(RUNNER_QUEUE), durable=True)

        with pytest.raises(BrokerError, match="cannot declare the topology"):
            await clashing.start()

        await clashing.delete_topology()
        await clashing.close()

    async def test_purge_empties_every_queue(self, broker: AmqpBroker) -> None:
        await broker.publish(RUNNER_QUEUE, seam_job())
        await broker.publish(RESULTS_QUEUE, seam_job())

        await broker.purge()

        assert [await broker.depth(q) for q in (RUNNER_QUEUE, RESULTS_QUEUE)] == [0, 0]

    async def test_consumer_timeout_argument_is_accepted_by_the_server(
        self, amqp_url: str, amqp_prefix: str
    ) -> None:
        broker = AmqpBroker(amqp_url, prefix=amqp_prefix, consumer_timeout_ms=3_600_000)
        await broker.start()
        inbox = Inbox()
        subscription = await broker.consume(RUNNER_QUEUE, inbox)

        await broker.publish(RUNNER_QUEUE, seam_job())

        assert (await inbox.next()).message == seam_job()
        await subscription.cancel()
        await broker.delete_topology()
        await broker.close()
