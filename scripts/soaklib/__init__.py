"""The soak test of wallboardd: scripts/soak runs `python3 -m soaklib` (see docs/reliability.md, "Soak")."""
