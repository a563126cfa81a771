"""The short form of `make chaos`: every Procfile process under a restarting supervisor on PostgreSQL and
RabbitMQ; while field reports and new units flow, each web process, relay, consumer and the scheduler is killed
with SIGKILL, the broker's app is stopped and started, PostgreSQL's connections are terminated. Afterwards
nothing is lost, nothing happened twice, every instance is completed or resumable."""
from __future__ import annotations

import pytest

from bench import chaos

pytestmark = pytest.mark.broker_restart


def test_kills_broker_restarts_and_dropped_connections_lose_nothing_and_double_nothing():
    result = chaos.run(quick=True)
    assert result["instances_started"] > 0 and result["instances_completed"] > 0, result
    assert result["inconsistent"] == 0, result
    assert result["lost"] == 0 and result["lost_by_queue"] == {}, result
    assert result["double_effects"] == 0 and result["notifications_doubled"] == 0, result
    assert result["read_model_differences"] == 0 and result["units_created"] > 0, result
    assert result["events_published"] > 0 and result["integrator_distinct"] >= result["events_published"], result
    killed = {fault.split()[-1] for fault in result["faults"] if fault.startswith("kill -9")}
    assert all(result["restarts"][name] >= 1 for name in killed), result["restarts"]
    assert "rabbitmqctl start_app" in result["faults"]
