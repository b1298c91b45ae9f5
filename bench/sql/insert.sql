-- Insert of one row into a table without a secondary index, like pgbench's history.
\set id random(1, :rows)
\set delta random(-5000, 5000)
INSERT INTO bench_history(id, delta, mtime) VALUES (:id, :delta, CURRENT_TIMESTAMP);
