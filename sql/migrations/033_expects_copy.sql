-- What /transmit expects a copy of, named once for classify-judge (which
-- leaves the rest not_expected) and the coverage of the Summary and
-- Transmit sheets: a payment attempt (approved, declined, error: a refund,
-- void or chargeback records what became of one) whose profile was on, and
-- no test traffic (a sandbox row under a production switch, which is pushed
-- nowhere). environment may be the row's or its verdict's: under a
-- production switch the verdict's is sandbox only for test traffic. Coverage
-- that asked for the switch alone counted a refund carrying a key as a copy
-- made (two approvals, one keyed, and a keyed refund: 2/3 where 1/2).
CREATE MACRO expects_copy(switch_state, status, environment) AS
    switch_state <> 'off' AND status IN ('approved', 'declined', 'error')
    AND NOT (switch_state = 'production' AND environment = 'sandbox');
