"""Work shared by several processes on one store: who is alive (``holder``: a heartbeat per process, leases taken
over from the dead) and the documents to render as work items any process may take (``renders``, ``pool``)."""
