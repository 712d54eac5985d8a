"""The reference deployment: nginx configuration (deploy/nginx/) and the loopback cluster
that bin/cluster starts and tests/cluster/ tests (deploy/cluster.py)."""
