-- An order's amount, currency and isMIT may be unknown. The contract only
-- assumes the names "amount" and "isMIT", and an order may carry any of the
-- three as null. Stored as 0, "XXX" or false, an unknown value read
-- as a difference: every order would have been flagged against its decline.
-- NULL compares as no difference, and findings show no FlexCharge value.
ALTER TABLE fc_orders ALTER COLUMN amount DROP NOT NULL;
ALTER TABLE fc_orders ALTER COLUMN currency DROP NOT NULL;
ALTER TABLE fc_orders ALTER COLUMN is_mit DROP NOT NULL;

-- order_profile(is_mit, order_source): the profile an order was evaluated
-- under. isMIT decides when FlexCharge gives it; otherwise the order source
-- does ("recurring" is MIT); with neither, the profile is unknown (NULL).
CREATE OR REPLACE MACRO order_profile(is_mit, order_source) AS
    CASE
        WHEN coalesce(is_mit, order_source = 'recurring') THEN 'mit'
        WHEN order_source = 'callcenter' THEN 'cit_callcenter'
        WHEN is_mit IS NOT NULL OR coalesce(order_source, '') <> '' THEN 'cit_web'
    END;
