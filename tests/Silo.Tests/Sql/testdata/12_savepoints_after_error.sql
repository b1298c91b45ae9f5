-- Savepoints rolled back to after a failed statement: every change made before the savepoint is kept
-- (PostgreSQL clients and ORMs recover from an error inside a transaction so).
CREATE TABLE l_items(id INTEGER PRIMARY KEY, v TEXT);
BEGIN;
INSERT INTO l_items VALUES (60, 'sixty');
SAVEPOINT s;
INSERT INTO l_items VALUES (60, 'again');
ROLLBACK TO s;
INSERT INTO l_items VALUES (61, 'sixty-one');
COMMIT;
SELECT id, v FROM l_items WHERE id >= 60 ORDER BY id;
BEGIN;
INSERT INTO l_items VALUES (70, 'seventy');
SAVEPOINT s;
SELECT * FROM l_nosuch;
SELECT 1;
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM l_items WHERE id = 70;
INSERT INTO l_items VALUES (71, 'x');
COMMIT;
SELECT id FROM l_items WHERE id >= 70 ORDER BY id;
SELECT id, v FROM l_items ORDER BY id;
