-- explain_target: the ledger rows `flexrecon explain` is asked about, by
-- transaction id, or by merchant order id or FlexCharge order id (either may
-- be ''). A macro, so every explain query shares one definition.
CREATE MACRO explain_target(tx, ord) AS TABLE
    SELECT l.* FROM ledger_tx l
    WHERE (tx <> '' AND l.transaction_id = tx)
       OR (ord <> '' AND (l.order_id = ord OR EXISTS (
            SELECT 1 FROM fc_orders o JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
            WHERE o.id = ord AND mm.merchant_id = l.partner_merchant_id AND o.external_order_id = l.order_id)));
