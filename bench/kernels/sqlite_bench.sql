-- SQLite workload, read by the sqlite3 shell on standard input, in an in-memory database:
-- bulk inserts in a transaction, an index, point lookups, aggregates, a join, LIKE and sorting.
-- Temporary files (the sorter of CREATE INDEX) stay in memory: the program is granted no directory.
PRAGMA temp_store = MEMORY;
CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, y TEXT, z REAL);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000)
INSERT INTO t SELECT i, (i * 7919) % 100003, printf('name-%d-%x', i % 5000, i), i * 0.5 FROM c;
COMMIT;
CREATE INDEX t_x ON t(x);
CREATE TABLE u(k INTEGER PRIMARY KEY, label TEXT);
INSERT INTO u SELECT value, 'label' || value FROM generate_series(0, 4999);
SELECT count(*), sum(x), total(z) FROM t;
SELECT count(*) FROM t WHERE x BETWEEN 1000 AND 20000;
WITH RECURSIVE q(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM q WHERE i < 100000)
SELECT sum((SELECT count(*) FROM t WHERE x = (q.i * 31) % 100003)) FROM q;
SELECT x % 10, count(*), avg(z), max(y) FROM t GROUP BY x % 10 ORDER BY 1;
SELECT count(*), sum(length(u.label)) FROM t JOIN u ON u.k = t.id % 5000 WHERE t.y LIKE 'name-12%';
SELECT group_concat(id) FROM (SELECT id FROM t ORDER BY y DESC, id LIMIT 10);
UPDATE t SET z = z * 2 WHERE id % 3 = 0;
DELETE FROM t WHERE id % 7 = 0;
SELECT count(*), total(z) FROM t;
