-- Issue 14: several bot processes on one database.

-- Which process runs which gateway shard. A process renews its leases every third of the lease
-- (Discord:ShardLeaseDuration); a lease left to expire (the process died) is taken by another
-- process. Keyed by the shard count too: shard 1 of 2 and shard 1 of 4 are different shards.
CREATE TABLE gateway_shards (
    shard_count  integer NOT NULL CHECK (shard_count >= 1),
    shard_id     integer NOT NULL CHECK (shard_id >= 0 AND shard_id < shard_count),
    owner        text NOT NULL,
    leased_until timestamptz NOT NULL,
    PRIMARY KEY (shard_count, shard_id)
);
