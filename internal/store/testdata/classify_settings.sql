-- Engine settings BenchmarkClassify10M measures under: the service's
-- default memory limit (internal/config; DuckDB spills to disk past it
-- instead of growing), and no insertion order, as classify sets it.
SET memory_limit = '2.5GB';
SET preserve_insertion_order = false;
SET threads = 2;
