-- Group commit marks a step's pending renders done when it queues a newer one (RunStateWriter,
-- SupersedeRenders): this finds them among the pending items without scanning finished work.
CREATE INDEX work_items_pending_step ON work_items (run_id, step_number) WHERE status = 'pending';
