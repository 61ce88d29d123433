"""Qt item models over the services ring: they page, sort and filter through service calls, never SQL."""
