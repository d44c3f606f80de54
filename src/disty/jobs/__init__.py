"""Background work. In-process by default (a loop beside the web app or in ``disty worker``);
every round is safe to run on several machines at once, because each PO's submission is
guarded by its lease and refreshes are idempotent, so a PostgreSQL-backed queue can take over
scheduling later without changing the rounds themselves."""
