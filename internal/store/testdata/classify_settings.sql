-- Engine settings BenchmarkClassify10M measures under, which the service
-- should use too: a memory limit keeps the peak under 4 GB on this 2-core
-- box (DuckDB spills to disk past it instead of growing), and insertion
-- order is not needed by any query (all results are ordered explicitly).
SET memory_limit = '3GB';
SET preserve_insertion_order = false;
SET threads = 2;
