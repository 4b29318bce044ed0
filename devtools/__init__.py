"""Tools for working on the dashboard (not part of it): what the tests, the benchmark and the load test share."""
