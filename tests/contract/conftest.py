from tests.fixtures.simulator import simulator, simulator_client, simulator_server

__all__ = ["simulator", "simulator_client", "simulator_server"]
