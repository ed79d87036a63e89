-- A preview of a candidate change (PreviewWorkspacePolicyChange, PreviewExecutionControlChange)
-- replays recorded decisions and changes nothing, but who previewed what is recorded: one event of
-- kind 'change_previewed' per preview. The candidate is in the columns a change uses (control_key,
-- after_value: the candidate mode or state; method: the RPC), the window and the counts in these.
--
-- As in V9, the checks come NOT VALID (new rows are checked at once) and V11 validates the rows
-- already there without holding audit writes: the kind check is replaced by a wider one.
ALTER TABLE audit_events
    DROP CONSTRAINT audit_events_kind_check,
    ADD CONSTRAINT audit_events_kind_check
        CHECK (kind IN ('ai_decision', 'workspace_policy_set', 'execution_control_set', 'mutation_denied',
                        'change_previewed')) NOT VALID;

ALTER TABLE audit_events
    ADD COLUMN preview_window_start   timestamptz,
    ADD COLUMN preview_window_end     timestamptz,
    ADD COLUMN preview_replayed       bigint,
    ADD COLUMN preview_allow_to_block bigint,
    ADD COLUMN preview_block_to_allow bigint,
    ADD COLUMN preview_cut_short      boolean;
ALTER TABLE audit_events
    ADD CONSTRAINT audit_events_preview_replayed_check CHECK (preview_replayed >= 0) NOT VALID,
    ADD CONSTRAINT audit_events_preview_allow_to_block_check CHECK (preview_allow_to_block >= 0) NOT VALID,
    ADD CONSTRAINT audit_events_preview_block_to_allow_check CHECK (preview_block_to_allow >= 0) NOT VALID,
    -- A preview's event has its window and its counts (the trail's reader needs them all).
    ADD CONSTRAINT audit_events_preview_complete_check CHECK (kind <> 'change_previewed' OR (preview_window_start IS NOT NULL
        AND preview_window_end IS NOT NULL AND preview_replayed IS NOT NULL AND preview_allow_to_block IS NOT NULL
        AND preview_block_to_allow IS NOT NULL AND preview_cut_short IS NOT NULL)) NOT VALID;
